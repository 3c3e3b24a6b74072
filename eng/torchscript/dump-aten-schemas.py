#!/usr/bin/env python3
"""Writes the operator schemas of the installed PyTorch (Debian's 1.13 here) as one schema string per line.

The TorchScript front end reads the table to bind positional and keyword arguments and fill in defaults, so that the
ATen converters always see every argument in schema order. Only the aten:: and prim:: namespaces are kept, and the
out= overloads (which write into a caller's tensor and never appear in inference code) are dropped.

Run with /usr/bin/python3 (Debian's python3-torch):
    /usr/bin/python3 eng/torchscript/dump-aten-schemas.py > src/BuildConvert.Core/Converters/TorchScript/Schemas/aten-schemas.txt
"""
import sys

import torch


def keep(schema):
    if not (schema.name.startswith("aten::") or schema.name.startswith("prim::")):
        return False
    return not any(arg.is_out for arg in schema.arguments)


def main():
    lines = sorted({str(s) for s in torch._C._jit_get_all_schemas() if keep(s)})
    sys.stdout.write(f"# PyTorch {torch.__version__} operator schemas (aten::, prim::; out= overloads dropped), "
                     f"written by eng/torchscript/dump-aten-schemas.py\n")
    for line in lines:
        sys.stdout.write(line + "\n")


if __name__ == "__main__":
    main()
