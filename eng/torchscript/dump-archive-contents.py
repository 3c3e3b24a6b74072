#!/usr/bin/python3
"""Dumps what PyTorch itself reads from TorchScript archives, as the independent oracle of the C# archive reader.

For each archive: the module tree (path, qualified class name, methods), every attribute that is not a module or a
tensor (ints, floats, bools, strings, None, and lists/tuples of those) and every tensor attribute (parameters, buffers,
tensor attributes) with its dtype, shape, strides, requires_grad, the SHA-256 of its row-major little-endian bytes and
its sum in float64. Uses torch.jit.load (map_location='cpu'), nothing else.

Usage: /usr/bin/python3 eng/torchscript/dump-archive-contents.py <corpora/pytorch folder> > eng/torchscript/archive-contents.json
(Debian's python3-torch 1.13; it refuses version-1 archives ("Legacy model format is not supported on mobile"), which are
listed with that error instead.)
"""
import hashlib
import json
import os
import sys

import torch


def plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        items = [plain(v) for v in value]
        return None if any(i is _SKIP for i in items) else items
    return _SKIP


_SKIP = object()


def tensor_row(path, t):
    t = t.detach()
    data = t.contiguous().view(torch.uint8) if t.dim() > 0 else t.reshape(1).view(torch.uint8)
    return {
        "path": path,
        "dtype": str(t.dtype).replace("torch.", ""),
        "shape": list(t.shape),
        "strides": list(t.stride()),
        "requiresGrad": bool(t.requires_grad),
        "sha256": hashlib.sha256(data.numpy().tobytes()).hexdigest(),
        "sum": float(t.double().sum()) if t.dtype not in (torch.bool,) else float(t.sum()),
    }


def dump(path):
    try:
        m = torch.jit.load(path, map_location="cpu")
    except Exception as e:  # noqa: BLE001 - the refusal is the datum
        return {"error": str(e).splitlines()[0]}
    iterators = torch._C._jit_debug_module_iterators(m._c)
    modules = [{"path": "", "type": m._c._type().qualified_name(), "methods": sorted(m._c._method_names())}]
    for name, sub in m.named_modules():
        if name:
            modules.append({"path": name, "type": sub._c._type().qualified_name(), "methods": sorted(sub._c._method_names())})
    attributes, tensors = [], []
    for name, value in iterators["named_attributes_r"]:
        if isinstance(value, torch.Tensor):
            tensors.append(tensor_row(name, value))
        elif isinstance(value, torch.jit.ScriptModule) or isinstance(value, torch._C.ScriptModule):
            continue
        else:
            v = plain(value)
            if v is not _SKIP:
                attributes.append({"path": name, "kind": type(value).__name__, "value": v})
    return {"modules": modules, "attributes": attributes, "tensors": tensors}


def main():
    root = sys.argv[1]
    result = {"generator": "eng/torchscript/dump-archive-contents.py", "torch": torch.__version__, "archives": {}}
    for entry in sorted(os.listdir(root)):
        folder = os.path.join(root, entry)
        if not os.path.isdir(folder) or entry.startswith("negative-"):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith((".pt", ".dat", ".pth")):
                result["archives"][entry + "/" + name] = dump(os.path.join(folder, name))
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
