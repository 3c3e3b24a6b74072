#!/usr/bin/python3
"""Golden data computed by PyTorch for the TorchScript archives of the shared corpus (../shared/corpora/pytorch).

Run with Debian's python3-torch 1.13.1 and python3-onnx 1.12:
    /usr/bin/python3 eng/torchscript/make-corpus-goldens.py tests/fixtures/torchscript-corpus
Each archive listed below is loaded with torch.jit.load (read-only, from the corpus folder) and its method is run on
the inputs given here (seeded: torch.Generator(20251204)); <entry>/golden/ receives the ONNX test layout, flattened as
make-fixtures.py flattens (tuples in order, dict values in insertion order named by key, None left out), and
manifest.json says what each entry ran. Entries whose inputs or outputs TorchSharp 0.107 cannot carry (a tuple
parameter, a dict result, a class object) are still written. Not listed: torchjs-traced-add-2019 (archive format 1,
model.json: PyTorch 1.13 refuses it, "Legacy model format is not supported"), tchrs-foo4 (its tuple parameter is
covered by the oracle's coded error), tchrs-foo7 (class-object methods) and the two negative entries; the oracle tests give each the
coded error it must get. Written even where TorchSharp cannot carry the values, so the converter can be checked
against PyTorch where LibTorch through .NET cannot.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
fixtures = __import__("make-fixtures")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpora", "pytorch")
SEED = 20251204

# entry: (archive, method, [(name, kind, shape)]) with kind "float32" (uniform [-1, 1)) or "int64" (uniform [0, 100)).
ENTRIES = {
    "torchsharp-scripted-mv-linear": ("scripted.script.dat", "forward", [("input", "float32", [6])]),
    "torchsharp-func-add": ("func.script.dat", "forward", [("x", "float32", [10]), ("y", "float32", [10])]),
    "torchsharp-exported-methods": ("exported.method.dat", "forward", [("x", "float32", [10]), ("y", "float32", [10])]),
    "tchrs-foo2-traced-tuple": ("foo2.pt", "forward", [("x", "int64", []), ("y", "int64", [])]),
    "tchrs-foo3-loop": ("foo3.pt", "forward", [("x", "float32", [5])]),
    "tchrs-foo9-residual-mlp": ("foo9.pt", "forward", [("s", "float32", [3, 256]), ("t", "float32", [3, 256])]),
    "triton-dict-output-mlp": ("model.pt", "forward", [("x", "float32", [2, 10])]),
    "djl-identity": ("identity.pt", "forward", [("tokenized_data", "float32", [2, 7])]),
}


def main():
    out_root = os.path.abspath(sys.argv[1])
    manifest = {"generator": "eng/torchscript/make-corpus-goldens.py", "torch": torch.__version__, "seed": SEED, "entries": []}
    for name, (archive, method, inputs) in ENTRIES.items():
        generator = torch.Generator().manual_seed(SEED)
        values = [(n, torch.rand(shape, generator=generator) * 2 - 1 if kind == "float32"
                   else torch.randint(0, 100, shape, generator=generator, dtype=torch.int64)) for n, kind, shape in inputs]
        module = torch.jit.load(os.path.join(CORPUS, name, archive), map_location="cpu").eval()
        with torch.no_grad():
            outputs = fixtures.flat_outputs(getattr(module, method)(*[t for _, t in values]))
        fixtures.write_golden(os.path.join(out_root, name, "golden"), [(values, outputs)])
        manifest["entries"].append({
            "name": name, "archive": archive, "method": method,
            "inputs": [{"name": n, "dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape)} for n, t in values],
            "outputs": [{"name": n, "dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape)} for n, t in outputs],
        })
        print(f"{name}: {len(outputs)} output(s)", file=sys.stderr)
    with open(os.path.join(out_root, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
