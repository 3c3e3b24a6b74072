#!/usr/bin/python3
"""Dump the operator schemas compiled into Debian's python3-onnx as an oracle fixture for OperatorSchemaRegistry tests.

The schemas come from ONNX's C++ schema registry (onnx.defs.get_all_schemas_with_history()), not from the markdown
changelogs our generator parses, so the two are independent. Run with Debian's interpreter (the python3-onnx package
is installed for /usr/bin/python3 only):

    /usr/bin/python3 eng/schemas/dump-onnx112-schemas.py \
        > tests/BuildConvert.Core.Tests/Checking/Fixtures/onnx-1.12-schemas.json

The ONNX Python API of this version exposes no minimum arity for a variadic formal; it is recovered from min_input /
min_output with the rule ONNX itself uses to compute them (formals before the variadic one + its minimum arity).
Type constraints are listed in the schema's order, each with its allowed type strings as ONNX registered them.
Standard library and onnx only.
"""

import json
import platform
import subprocess
import sys

import onnx
import onnx.defs

OPTIONS = {0: "single", 1: "optional", 2: "variadic"}


def debian_package_version(package):
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], check=True, capture_output=True)
        return out.stdout.decode().strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def formals(params, min_count, what, schema):
    result = []
    for index, p in enumerate(params):
        option = OPTIONS[int(p.option.value)]
        entry = {"name": p.name, "type": p.typeStr, "option": option}
        if option == "variadic":
            if index != len(params) - 1:
                raise SystemExit(f"{schema.name}-{schema.since_version}: variadic {what} is not last")
            entry["min_arity"] = min_count - index
            entry["homogeneous"] = bool(p.isHomogeneous)
        result.append(entry)
    return result


def dump(schema):
    attributes = []
    for name in sorted(schema.attributes):
        a = schema.attributes[name]
        type_name = str(a.type)
        attributes.append({"name": a.name, "type": type_name[type_name.rfind(".") + 1:], "required": bool(a.required)})
    return {
        "domain": schema.domain,
        "name": schema.name,
        "since_version": schema.since_version,
        "deprecated": bool(schema.deprecated),
        "experimental": schema.support_level == onnx.defs.OpSchema.SupportType.EXPERIMENTAL,
        "min_inputs": schema.min_input,
        "max_inputs": schema.max_input,
        "min_outputs": schema.min_output,
        "max_outputs": schema.max_output,
        "inputs": formals(schema.inputs, schema.min_input, "input", schema),
        "outputs": formals(schema.outputs, schema.min_output, "output", schema),
        "attributes": attributes,
        "type_constraints": [{"name": c.type_param_str, "allowed": list(c.allowed_type_strs)}
                             for c in schema.type_constraints],
    }


def main():
    schemas = sorted((dump(s) for s in onnx.defs.get_all_schemas_with_history()),
                     key=lambda s: (s["domain"], s["name"], s["since_version"]))
    # The newest opset each domain's registry knows, straight from ONNX (it can exceed the newest operator version).
    max_opset = {d: v[1] for d, v in onnx.defs.C.schema_version_map().items()
                 if any(s["domain"] == d for s in schemas)}
    header = {
        "generator": "eng/schemas/dump-onnx112-schemas.py",
        "onnx_version": onnx.__version__,
        "debian_package": "python3-onnx " + (debian_package_version("python3-onnx") or "unknown"),
        "python": platform.python_version(),
        "max_opset": dict(sorted(max_opset.items())),
    }
    out = ["{"]
    for key, value in header.items():
        out.append(f"  {json.dumps(key)}: {json.dumps(value, sort_keys=True)},")
    out.append('  "schemas": [')
    out.append(",\n".join("    " + json.dumps(s, separators=(",", ":")) for s in schemas))
    out.append("  ]")
    out.append("}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
