#!/usr/bin/env python3
"""Generate src/BuildConvert.Core/Checking/Schemas/onnx-operators.json from the ONNX operator changelogs.

Reads docs/Changelog.md (ai.onnx and the preview domains) and docs/Changelog-ml.md (ai.onnx.ml) from a clone
(bare or not) of https://github.com/onnx/onnx at a given revision, and writes one JSON document listing every
operator version: domain, name, since-version, deprecated/experimental flags, formal inputs and outputs (option and
minimum arity), input/output counts and attributes (type, required).

The parser is strict: any line it does not expect in the place it finds it is an error (exit code 1) naming the
file, the line number and the operator, so a change in the changelog format cannot produce a silently wrong table.

Usage:
    python3 eng/schemas/gen-operator-schemas.py --onnx-repo /work/.mirror/onnx+onnx/repo [--rev HEAD] [--output PATH]
    python3 eng/schemas/gen-operator-schemas.py --onnx-repo ... --check      # exit 1 if the committed table is stale
    python3 eng/schemas/gen-operator-schemas.py --onnx-repo ... --self-test  # the parser rejects malformed variants

Standard library only.
"""

import argparse
import json
import os
import re
import subprocess
import sys

INFINITY = 2147483647  # ONNX uses std::numeric_limits<int>::max() for "no upper bound".

CHANGELOGS = ("docs/Changelog.md", "docs/Changelog-ml.md")

# The operator index pages; every link they make into a changelog must name an operator version the table has.
INDEXES = ("docs/Operators.md", "docs/Operators-ml.md")
RE_INDEX_LINK = re.compile(r'href="(?P<file>Changelog(?:-ml)?\.md)#(?P<anchor>[^"]+)"')

ATTRIBUTE_TYPES = {
    "float": "FLOAT",
    "int": "INT",
    "string": "STRING",
    "tensor": "TENSOR",
    "graph": "GRAPH",
    "sparse_tensor": "SPARSE_TENSOR",
    "type_proto": "TYPE_PROTO",
    "list of floats": "FLOATS",
    "list of ints": "INTS",
    "list of strings": "STRINGS",
    "list of tensors": "TENSORS",
    "list of graphs": "GRAPHS",
    "list of sparse_tensors": "SPARSE_TENSORS",
    "list of type_protos": "TYPE_PROTOS",
}

RE_DOMAIN = re.compile(r"^# (?P<domain>[A-Za-z0-9_.]+)(?P<default> \(default\))?$")
RE_OPSET = re.compile(
    r"^## Version (?P<v>[0-9]+) of (?:the default ONNX operator set|the '(?P<domain>[A-Za-z0-9_.]+)' operator set)$")
RE_OP = re.compile(
    r'^### <a name="(?P<anchor>[^"]+)"></a>\*\*(?P<title>[^*]+)\*\*(?P<deprecated> \(deprecated\))?</a>$')
RE_SINCE = re.compile(
    r"^This version of the operator has been (?P<state>available|deprecated) since version (?P<v>[0-9]+) of "
    r"(?:the default ONNX operator set|the '(?P<domain>[A-Za-z0-9_.]+)' operator set)\.$")
RE_OTHER_VERSIONS = re.compile(r"^Other versions of this operator: .*$")
RE_SECTION = re.compile(
    r"^#### (?P<kind>Version|Attributes|Inputs|Outputs|Type Constraints)(?: \((?P<min>[0-9]+) - (?P<max>[0-9]+|&#8734;)\))?$")
RE_DT = re.compile(r"^<dt><tt>(?P<name>[^<]+)</tt>(?P<rest>.*)</dt>$")
RE_FORMAL_REST = re.compile(r"^(?: \((?P<tags>[a-z, -]+)\))? : (?P<type>\S.*)$")
RE_ATTR_REST = re.compile(r"^ : (?P<type>[a-z_ ]+?)(?: \((?P<opt>required|default is .*)\))?$")
RE_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RE_CONSTRAINT_REST = re.compile(r"^ : (?P<types>\S.*)$")

# The tensor element type names ONNX writes in type strings (TensorProto.DataType, lower case).
ELEMENT_TYPES = {
    "float", "uint8", "int8", "uint16", "int16", "int32", "int64", "string", "bool", "float16", "double", "uint32",
    "uint64", "complex64", "complex128", "bfloat16", "float8e4m3fn", "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz",
    "uint4", "int4", "float4e2m1", "float8e8m0", "uint2", "int2",
}
MAP_KEY_TYPES = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "string"}


class ParseError(Exception):
    pass


def split_top_level(text):
    """Splits 'a(b, c), d' at the commas outside parentheses; None when the parentheses do not balance."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return None
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    if depth != 0:
        return None
    parts.append(text[start:].strip())
    return parts


def valid_type_string(text):
    """Whether text is an ONNX type string: tensor(e), sparse_tensor(e), seq(t), optional(t), map(k, v) or a bare
    element type (which ONNX reads as tensor(e), e.g. the value type in 'map(int64, float)')."""
    m = re.match(r"^(?P<kind>tensor|sparse_tensor|seq|optional|map)\((?P<inner>.*)\)$", text)
    if not m:
        return text in ELEMENT_TYPES
    kind, inner = m.group("kind"), m.group("inner")
    if kind in ("tensor", "sparse_tensor"):
        return inner in ELEMENT_TYPES
    if kind in ("seq", "optional"):
        return valid_type_string(inner)
    parts = split_top_level(inner)
    return parts is not None and len(parts) == 2 and parts[0] in MAP_KEY_TYPES and valid_type_string(parts[1])


class Parser:
    """Line-based state machine over one changelog file."""

    def __init__(self, path, text):
        self.path = path
        self.lines = text.split("\n")
        self.i = 0
        self.domain = None
        self.opset = None
        self.op = None
        self.schemas = []
        self.opset_headers = {}

    def fail(self, message):
        where = f"{self.path}:{self.i + 1}"
        op = f" (operator {self.op['domain'] or 'ai.onnx'}.{self.op['name']}-{self.op['since_version']})" if self.op else ""
        line = self.lines[self.i] if self.i < len(self.lines) else "<end of file>"
        raise ParseError(f"{where}{op}: {message}\n    line: {line!r}")

    def peek(self):
        return self.lines[self.i] if self.i < len(self.lines) else None

    def parse(self):
        # Preamble: everything up to the first domain header is free text.
        while self.peek() is not None and not self.peek().startswith("# "):
            if self.peek().startswith("#### ") or self.peek().startswith("<dt>"):
                self.fail("operator content before any domain header")
            self.i += 1
        while self.peek() is not None:
            line = self.peek()
            m = RE_DOMAIN.match(line)
            if m:
                if m.group("default"):
                    if m.group("domain") != "ai.onnx":
                        self.fail("only ai.onnx may be the default domain")
                    self.domain = ""
                else:
                    if m.group("domain") == "ai.onnx":
                        self.fail("ai.onnx header without '(default)'")
                    self.domain = m.group("domain")
                self.opset = None
                self.i += 1
                continue
            m = RE_OPSET.match(line)
            if m:
                if self.domain is None:
                    self.fail("opset header outside a domain")
                domain = m.group("domain") or ""
                if domain != self.domain:
                    self.fail(f"opset header for domain {domain!r} inside domain {self.domain!r}")
                version = int(m.group("v"))
                if self.opset is not None and version <= self.opset:
                    self.fail("opset versions are not increasing")
                self.opset = version
                self.opset_headers.setdefault(domain, []).append(version)
                self.i += 1
                continue
            m = RE_OP.match(line)
            if m:
                if self.opset is None:
                    self.fail("operator outside an opset section")
                self.parse_op(m)
                continue
            if line.strip() == "":
                self.i += 1
                continue
            self.fail("unexpected line between operators")
        return self.schemas

    def parse_op(self, m):
        anchor, title = m.group("anchor"), m.group("title")
        if anchor != title:
            self.fail("anchor and title differ")
        prefix = self.domain + "." if self.domain else ""
        if not title.startswith(prefix):
            self.fail(f"operator title does not start with its domain {self.domain!r}")
        name_version = title[len(prefix):]
        nm = re.match(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)-(?P<v>[0-9]+)$", name_version)
        if not nm:
            self.fail("cannot split operator title into name and version")
        self.op = {
            "domain": self.domain,
            "name": nm.group("name"),
            "since_version": int(nm.group("v")),
            "deprecated": bool(m.group("deprecated")),
            "experimental": False,
        }
        self.i += 1
        # Doc text: blank lines or lines indented by two spaces, up to the Version section.
        while True:
            line = self.peek()
            if line is None:
                self.fail("operator ends before its Version section")
            if line == "#### Version":
                break
            if line != "" and not line.startswith("  "):
                self.fail("unexpected unindented line in the operator's doc text")
            self.i += 1
        self.i += 1
        self.parse_version_section()
        sections = {}
        order = []
        while True:
            line = self.peek()
            if line is None or line.startswith("### ") or line.startswith("## ") or line.startswith("# "):
                break
            if line == "":
                self.i += 1
                continue
            sm = RE_SECTION.match(line)
            if not sm or sm.group("kind") == "Version":
                self.fail("expected a section header (Attributes, Inputs, Outputs, Type Constraints)")
            kind = sm.group("kind")
            if kind in sections:
                self.fail(f"duplicate section {kind}")
            if sm.group("min") is not None and kind not in ("Inputs", "Outputs"):
                self.fail("only Inputs and Outputs may carry a count range")
            order.append(kind)
            self.i += 1
            entries = self.parse_dl()
            sections[kind] = (entries, sm.group("min"), sm.group("max"))
        self.build(sections, order)
        self.op = None

    def parse_version_section(self):
        while self.peek() == "":
            self.i += 1
        line = self.peek()
        if line == "No versioning maintained for experimental ops.":
            if self.op["deprecated"]:
                self.fail("an experimental operator marked deprecated")
            self.op["experimental"] = True
            self.i += 1
            return
        m = RE_SINCE.match(line or "")
        if not m:
            self.fail("expected the 'This version of the operator has been ...' sentence")
        if int(m.group("v")) != self.op["since_version"]:
            self.fail("since-version in the Version section differs from the title")
        if (m.group("domain") or "") != self.domain:
            self.fail("domain in the Version section differs from the enclosing domain")
        if (m.group("state") == "deprecated") != self.op["deprecated"]:
            self.fail("deprecated state in the Version section differs from the title")
        if self.op["since_version"] != self.opset:
            self.fail(f"operator listed under opset {self.opset} but its since-version differs")
        self.i += 1
        while self.peek() == "":
            self.i += 1
        if self.peek() is not None and RE_OTHER_VERSIONS.match(self.peek()):
            self.i += 1

    def parse_dl(self):
        while self.peek() == "":
            self.i += 1
        if self.peek() != "<dl>":
            # A section with no entries (e.g. an operator without inputs) has no <dl>.
            line = self.peek()
            if line is None or line.startswith("#"):
                return []
            self.fail("expected <dl>")
        self.i += 1
        entries = []
        while True:
            line = self.peek()
            if line == "</dl>":
                self.i += 1
                return entries
            if line is None:
                self.fail("unterminated <dl>")
            m = RE_DT.match(line)
            if not m:
                self.fail("expected <dt><tt>name</tt>...</dt> or </dl>")
            dt_line = self.i
            self.i += 1
            line = self.peek()
            if line is None or not line.startswith("<dd>"):
                self.fail("expected <dd> after <dt>")
            while not (self.peek() or "").endswith("</dd>"):
                if self.peek() is None or self.peek() == "</dl>":
                    self.fail("unterminated <dd>")
                self.i += 1
            self.i += 1
            entries.append((dt_line, m.group("name"), m.group("rest")))

    def fail_at(self, line_index, message):
        saved = self.i
        self.i = line_index
        try:
            self.fail(message)
        finally:
            self.i = saved

    def build(self, sections, order):
        op = self.op
        expected_order = [k for k in ("Attributes", "Inputs", "Outputs", "Type Constraints") if k in sections]
        if order != expected_order:
            self.fail(f"sections out of order: {order}")
        if op["deprecated"]:
            if sections:
                self.fail("a deprecated operator with documented sections")
            op.update(inputs=[], outputs=[], attributes=[], type_constraints=[], min_inputs=0, max_inputs=0, min_outputs=0, max_outputs=0)
            self.schemas.append(op)
            return
        for required in ("Inputs", "Outputs", "Type Constraints"):
            if required not in sections:
                self.fail(f"missing section {required}")
        attributes = []
        for line_index, name, rest in sections.get("Attributes", ([], None, None))[0]:
            if not RE_IDENT.match(name):
                self.fail_at(line_index, f"bad attribute name {name!r}")
            am = RE_ATTR_REST.match(rest)
            if not am:
                self.fail_at(line_index, "cannot parse attribute type")
            type_text = am.group("type")
            if type_text not in ATTRIBUTE_TYPES:
                self.fail_at(line_index, f"unknown attribute type {type_text!r}")
            attributes.append({"name": name, "type": ATTRIBUTE_TYPES[type_text],
                               "required": am.group("opt") == "required"})
        names = [a["name"] for a in attributes]
        if len(set(names)) != len(names):
            self.fail("duplicate attribute name")
        if names != sorted(names):
            self.fail("attributes are not sorted by name (the generator sorts them; the format may have changed)")
        op["attributes"] = attributes
        op["type_constraints"] = self.build_type_constraints(sections["Type Constraints"][0])
        constraint_names = {c["name"] for c in op["type_constraints"]}
        for kind in ("Inputs", "Outputs"):
            entries, lo, hi = sections[kind]
            formals = self.build_formals(kind, entries)
            lo_computed, hi_computed = self.counts(formals)
            key = kind.lower()
            if lo is None:
                if lo_computed != hi_computed:
                    self.fail(f"{kind}: header has no count range but the formals allow {lo_computed}..{hi_computed}")
            else:
                lo_header = int(lo)
                hi_header = INFINITY if hi == "&#8734;" else int(hi)
                if lo_header == hi_header:
                    self.fail(f"{kind}: the count range header is only written when min != max")
                variadic = formals and formals[-1]["option"] == "variadic"
                if variadic:
                    if hi_header != INFINITY:
                        self.fail(f"{kind}: a variadic formal with a finite maximum count")
                    # The minimum arity of the variadic formal is not printed next to it; ONNX computes
                    # min = (number of formals before the variadic one) + min_arity, so recover it here.
                    arity = lo_header - (len(formals) - 1)
                    if arity < 0:
                        self.fail(f"{kind}: count range gives a negative variadic minimum arity")
                    formals[-1]["min_arity"] = arity
                    lo_computed, hi_computed = self.counts(formals)
                if (lo_computed, hi_computed) != (lo_header, hi_header):
                    self.fail(f"{kind}: header says {lo_header}..{hi_header} but the formals give "
                              f"{lo_computed}..{hi_computed}")
            for formal in formals:
                if formal["type"] not in constraint_names and not valid_type_string(formal["type"]):
                    self.fail(f"{kind}: formal '{formal['name']}' has type {formal['type']!r}, which is neither a "
                              "type constraint of the operator nor a type string")
            op[key] = formals
            op["min_" + key] = lo_computed
            op["max_" + key] = hi_computed
        self.schemas.append(op)

    def build_formals(self, kind, entries):
        formals = []
        for index, (line_index, name, rest) in enumerate(entries):
            fm = RE_FORMAL_REST.match(rest)
            if not fm:
                self.fail_at(line_index, f"cannot parse {kind[:-1].lower()} formal")
            tags = [t.strip() for t in fm.group("tags").split(",")] if fm.group("tags") else []
            option = "single"
            heterogeneous = False
            for tag in tags:
                if tag == "optional" and option == "single":
                    option = "optional"
                elif tag == "variadic" and option == "single":
                    option = "variadic"
                elif tag == "heterogeneous" and option == "variadic" and not heterogeneous:
                    heterogeneous = True
                elif tag in ("differentiable", "non-differentiable") and tag == tags[-1]:
                    pass
                else:
                    self.fail_at(line_index, f"unexpected formal tags {tags}")
            if option == "variadic" and index != len(entries) - 1:
                self.fail_at(line_index, "only the last formal can be variadic")
            type_text = fm.group("type")
            if "<" in type_text or "</" in type_text:
                self.fail_at(line_index, "markup in a formal's type")
            formal = {"name": name, "type": type_text, "option": option}
            if option == "variadic":
                formal["min_arity"] = 1
                formal["homogeneous"] = not heterogeneous
            formals.append(formal)
        if len({f["name"] for f in formals}) != len(formals):
            self.fail(f"{kind}: duplicate formal names")
        return formals

    def build_type_constraints(self, entries):
        constraints = []
        for line_index, name, rest in entries:
            if not RE_IDENT.match(name):
                self.fail_at(line_index, f"bad type constraint name {name!r}")
            if valid_type_string(name):
                self.fail_at(line_index, f"type constraint name {name!r} is a type string")
            cm = RE_CONSTRAINT_REST.match(rest)
            if not cm:
                self.fail_at(line_index, "cannot parse type constraint")
            allowed = split_top_level(cm.group("types"))
            if not allowed or any(not valid_type_string(t) for t in allowed):
                self.fail_at(line_index, f"type constraint {name!r} lists something that is not a type string")
            if len(set(allowed)) != len(allowed):
                self.fail_at(line_index, f"type constraint {name!r} lists a type twice")
            constraints.append({"name": name, "allowed": allowed})
        if len({c["name"] for c in constraints}) != len(constraints):
            self.fail("duplicate type constraint name")
        return constraints

    @staticmethod
    def counts(formals):
        # The rule ONNX's OpSchema::Finalize applies.
        lo = hi = 0
        for f in formals:
            if f["option"] == "single":
                hi += 1
                lo = hi
            elif f["option"] == "optional":
                hi += 1
            else:
                lo = hi + f["min_arity"]
                hi = INFINITY
        return lo, hi


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True).stdout


def render(document):
    """Compact but diffable: one operator version per line, keys in a fixed order."""
    out = ["{"]
    header = {k: v for k, v in document.items() if k != "schemas"}
    for key, value in header.items():
        out.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False, sort_keys=True)},")
    out.append('  "schemas": [')
    rows = [json.dumps(s, ensure_ascii=False, separators=(",", ":")) for s in document["schemas"]]
    out.append(",\n".join("    " + r for r in rows))
    out.append("  ]")
    out.append("}")
    return "\n".join(out) + "\n"


def ordered(schema):
    keys = ["domain", "name", "since_version", "deprecated", "experimental", "min_inputs", "max_inputs",
            "min_outputs", "max_outputs", "inputs", "outputs", "attributes", "type_constraints"]
    if set(schema) != set(keys):
        raise ParseError(f"internal: unexpected keys {sorted(schema)}")
    return {k: schema[k] for k in keys}


def parse_all(texts):
    """Parses (path, text) pairs; returns (schemas, {domain: [opset versions with a section]})."""
    schemas = []
    opsets = {}
    for path, text in texts:
        parser = Parser(path, text)
        schemas.extend(parser.parse())
        for domain, versions in parser.opset_headers.items():
            if domain in opsets:
                raise ParseError(f"{path}: domain {domain!r} appears in more than one changelog")
            opsets[domain] = versions
    keys = set()
    for s in schemas:
        key = (s["domain"], s["name"], s["since_version"])
        if key in keys:
            raise ParseError(f"duplicate operator version {key}")
        keys.add(key)
    for domain in ("", "ai.onnx.ml"):
        if domain not in opsets:
            raise ParseError(f"domain {domain or 'ai.onnx'!r} not found")
    return schemas, opsets


def cross_check_index(schemas, indexes):
    """Every version the index pages link must be parsed, and every parsed one linked (experimental ones may be unlinked)."""
    linked = set()
    for path, text in indexes:
        for m in RE_INDEX_LINK.finditer(text):
            linked.add((m.group("file"), m.group("anchor")))
    if not linked:
        raise ParseError("the operator index pages link no changelog entries; their format may have changed")
    ours = {}
    for s in schemas:
        anchor = (s["domain"] + "." if s["domain"] else "") + f"{s['name']}-{s['since_version']}"
        ours[("Changelog-ml.md" if s["domain"] == "ai.onnx.ml" else "Changelog.md", anchor)] = s["experimental"]
    missing = sorted(linked - set(ours))
    extra = sorted(k for k, experimental in ours.items() if k not in linked and not experimental)
    if missing or extra:
        raise ParseError(f"operator index pages and changelogs disagree: linked but not parsed {missing}; "
                         f"parsed but not linked {extra}")


# (description, text to find, replacement, count): each must make parse_all fail.
SELF_TEST_MUTATIONS = [
    ("count range disagrees with formals", "#### Inputs (1 - 3)", "#### Inputs (1 - 4)", 1),
    ("unknown attribute type", " : list of ints (required)</dt>", " : list of int64s (required)</dt>", 1),
    ("misspelt formal tag", "</tt> (optional) : T</dt>", "</tt> (optinal) : T</dt>", 1),
    ("unknown attribute marker", " : int (required)</dt>", " : int (mandatory)</dt>", 1),
    ("wrong since-version sentence", "has been available since version 1 of the default",
     "has been available since version 2 of the default", 1),
    ("unterminated definition list", "</dd>\n</dl>\n\n#### Outputs", "</dd>\n\n#### Outputs", 1),
    ("unindented doc text", "\n  Absolute takes one input", "\nAbsolute takes one input", 1),
    ("unknown section", "#### Type Constraints", "#### Type Constraint", 1),
    ("variadic with a finite count", "#### Inputs (1 - &#8734;)", "#### Inputs (1 - 9)", 1),
    ("duplicate operator version", "### <a name=\"Add-6\"></a>**Add-6**</a>", "### <a name=\"Add-1\"></a>**Add-1**</a>", 1),
    ("deprecated title without deprecated text", "**Upsample-10** (deprecated)", "**Upsample-10**", 1),
    ("type constraint with an unknown element type", "<dt><tt>T</tt> : tensor(float16), tensor(float), tensor(double)</dt>",
     "<dt><tt>T</tt> : tensor(float16), tensor(floot), tensor(double)</dt>", 1),
    ("type constraint with unbalanced parentheses", "<dt><tt>T</tt> : tensor(float16), tensor(float), tensor(double)</dt>",
     "<dt><tt>T</tt> : tensor(float16), tensor(float, tensor(double)</dt>", 1),
    ("formal type that is no constraint", "<dt><tt>X</tt> (differentiable) : T</dt>", "<dt><tt>X</tt> (differentiable) : Tx</dt>", 1),
    ("type constraint listing a type twice", "<dt><tt>T</tt> : tensor(bool)</dt>", "<dt><tt>T</tt> : tensor(bool), tensor(bool)</dt>", 1),
    ("attributes out of order", "<dt><tt>broadcast</tt> : int (default is 0)</dt>", "<dt><tt>zbroadcast</tt> : int (default is 0)</dt>", 1),
]


def self_test(texts):
    """Checks that the parser accepts the real changelogs and rejects each mutation in SELF_TEST_MUTATIONS."""
    parse_all(texts)
    failures = 0
    for description, find, replace, count in SELF_TEST_MUTATIONS:
        mutated = []
        hits = 0
        for path, text in texts:
            hits += text.count(find)
            mutated.append((path, text.replace(find, replace, count)))
        if hits == 0:
            print(f"self-test: '{description}': pattern not found in the changelogs", file=sys.stderr)
            failures += 1
            continue
        try:
            parse_all(mutated)
        except ParseError as e:
            print(f"self-test: '{description}': rejected: {str(e).splitlines()[0]}")
            continue
        print(f"self-test: '{description}': NOT rejected", file=sys.stderr)
        failures += 1
    print(f"self-test: {len(SELF_TEST_MUTATIONS) - failures} of {len(SELF_TEST_MUTATIONS)} mutations rejected")
    return 1 if failures else 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_output = os.path.normpath(os.path.join(
        here, "..", "..", "src", "BuildConvert.Core", "Checking", "Schemas", "onnx-operators.json"))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--onnx-repo", required=True, help="path of a git clone (bare is fine) of onnx/onnx")
    ap.add_argument("--rev", default="HEAD", help="revision to read the changelogs from (default HEAD)")
    ap.add_argument("--output", default=default_output)
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if the output file differs")
    ap.add_argument("--self-test", action="store_true",
                    help="check that the parser rejects a set of malformed variants of the changelogs; writes nothing")
    args = ap.parse_args()

    commit = git(args.onnx_repo, "rev-parse", args.rev + "^{commit}").decode().strip()
    version = git(args.onnx_repo, "show", f"{commit}:VERSION_NUMBER").decode().strip()
    texts = [(path, git(args.onnx_repo, "show", f"{commit}:{path}").decode("utf-8")) for path in CHANGELOGS]
    if args.self_test:
        return self_test(texts)
    indexes = [(path, git(args.onnx_repo, "show", f"{commit}:{path}").decode("utf-8")) for path in INDEXES]
    try:
        schemas, opsets = parse_all(texts)
        cross_check_index(schemas, indexes)
    except ParseError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    schemas.sort(key=lambda s: (s["domain"], s["name"], s["since_version"]))
    document = {
        "format": "buildconvert-onnx-operator-schemas/2",
        "source": {
            "project": "https://github.com/onnx/onnx",
            "onnx_version": version,
            "commit": commit,
            "files": list(CHANGELOGS),
            "cross_checked_with": list(INDEXES),
        },
        "regenerate": f"python3 eng/schemas/gen-operator-schemas.py --onnx-repo <clone of onnx/onnx> --rev {commit}",
        "unbounded_count": INFINITY,
        "max_opset": {d: max(v) for d, v in sorted(opsets.items())},
        "schemas": [ordered(s) for s in schemas],
    }
    text = render(document)
    json.loads(text)
    if args.check:
        try:
            with open(args.output, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            print(f"{args.output} is stale; regenerate it with: {document['regenerate']}", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date ({len(schemas)} operator versions)")
        return 0
    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    counts = {}
    for s in schemas:
        counts[s["domain"] or "ai.onnx"] = counts.get(s["domain"] or "ai.onnx", 0) + 1
    print(f"wrote {args.output}: {len(schemas)} operator versions {counts}, ONNX {version} at {commit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
