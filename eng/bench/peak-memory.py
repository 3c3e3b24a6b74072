#!/usr/bin/python3
"""Runs a command and reports its peak memory, sampled from /proc every 5 ms: the peak resident size (VmHWM, which
counts mapped file pages) and the peak anonymous resident size (RssAnon: the memory the process itself owns, the part
that can run a machine out of memory; clean mapped file pages are page cache the kernel can drop).

Prints one line: `<peak rss bytes> <peak anonymous bytes> <exit code>`.
Usage: peak-memory.py CMD [ARGS...]
"""

import subprocess
import sys
import time


def status(pid):
    values = {}
    try:
        with open(f"/proc/{pid}/status") as stream:
            for line in stream:
                key, _, rest = line.partition(":")
                if key in ("VmHWM", "RssAnon"):
                    values[key] = int(rest.split()[0]) * 1024
    except OSError:
        pass
    return values


def main(argv):
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    hwm = anon = 0
    while process.poll() is None:
        values = status(process.pid)
        hwm = max(hwm, values.get("VmHWM", 0))
        anon = max(anon, values.get("RssAnon", 0))
        time.sleep(0.005)
    print(hwm, anon, process.returncode)


if __name__ == "__main__":
    main(sys.argv[1:])
