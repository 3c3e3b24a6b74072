#!/usr/bin/python3
"""Replaces the generated part of a Markdown document: the text between a begin marker line and an end marker line.
When the markers are missing, a new section (heading, intro, markers) is appended first. Written through a temporary
file and a rename, so an interrupted run leaves the document as it was.
"""

import os


def splice(doc_path, begin, end, body, section=""):
    with open(doc_path) as stream:
        doc = stream.read()
    if begin not in doc:
        if not section:
            raise SystemExit(f"{doc_path}: markers not found; expected a line '{begin}' and, after it, '{end}'")
        doc = doc.rstrip("\n") + "\n\n" + section.strip("\n") + "\n\n" + begin + "\n" + end + "\n"
    head, rest = doc.split(begin, 1)
    if end not in rest:
        raise SystemExit(f"{doc_path}: '{begin}' has no '{end}' after it")
    _, tail = rest.split(end, 1)
    with open(doc_path + ".tmp", "w") as stream:
        stream.write(head + begin + "\n" + body.rstrip("\n") + "\n" + end + tail)
    os.replace(doc_path + ".tmp", doc_path)
