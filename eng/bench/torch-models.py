#!/usr/bin/python3
"""The models of the TorchScript conversion benchmark (eng/bench/torch-bench.sh), and the peer it is measured against.

Models (random-initialised weights from fixed seeds; nothing is downloaded), each saved with torch.jit.trace(...).save:
  resnet50      torchvision.models.resnet50(weights=None), input x 1x3x224x224
  mobilenet_v2  torchvision.models.mobilenet_v2(weights=None), input x 1x3x224x224
  transformer   torch.nn.TransformerEncoder: 6 layers of nn.TransformerEncoderLayer(d_model 512, 8 heads, feed-forward
                2048, batch_first), input src 1x128x512. Every layer's weights are drawn afresh (nn.TransformerEncoder
                deep-copies one layer, and torch.onnx.export would fold six identical copies into one set of
                initializers). Traced with autograd on, so that PyTorch 1.13 records the layer's ops (linear, bmm,
                softmax, layer_norm, ...) and not its inference fast path aten::_transformer_encoder_layer_fwd, which
                BuildConvert does not convert yet (BCONV2001).

Subcommands:
  make OUTDIR                         writes OUTDIR/<name>.pt, OUTDIR/<name>-golden/{inputs,outputs}.npz (the traced
                                      module's output on a seeded input) and OUTDIR/versions.json (versions, sizes,
                                      SHA-256, and the absolute tolerance `buildconvert verify` is to use per model)
  export NAME OUT.onnx [--archive PT] the peer: torch.onnx.export at opset 17 of the model built by the same code and
                                      seed (or, with --archive, of the saved archive loaded with torch.jit.load)

Usage: /usr/bin/python3 eng/bench/torch-models.py make DIR
       /usr/bin/python3 eng/bench/torch-models.py export NAME OUT.onnx [--archive DIR/NAME.pt]
"""

import argparse
import hashlib
import json
import os
import platform
import sys
import warnings

SEED = 20261205
OPSET = 17
# name: (input name, input shape, the output name BuildConvert gives a traced forward's single result)
MODELS = {
    "resnet50": ("x", (1, 3, 224, 224)),
    "mobilenet_v2": ("x", (1, 3, 224, 224)),
    "transformer": ("src", (1, 128, 512)),
}
OUTPUT = "output_0"


def build(torch, name):
    """The eager model, in eval mode, with weights drawn from SEED."""
    torch.manual_seed(SEED)
    if name in ("resnet50", "mobilenet_v2"):
        import torchvision
        return getattr(torchvision.models, name)(weights=None).eval()
    if name == "transformer":
        nn = torch.nn
        layer = nn.TransformerEncoderLayer(d_model=512, nhead=8, dim_feedforward=2048, batch_first=True)
        model = nn.TransformerEncoder(layer, num_layers=6)
        for block in model.layers:
            block.self_attn._reset_parameters()  # in_proj weight (biases to zero); out_proj is a Linear of its own
            block.self_attn.out_proj.reset_parameters()
            block.linear1.reset_parameters()
            block.linear2.reset_parameters()
        return model.eval()
    raise SystemExit(f"unknown model {name}; known: {', '.join(MODELS)}")


def example(torch, name):
    _, shape = MODELS[name]
    generator = torch.Generator().manual_seed(SEED + 1)
    return torch.randn(*shape, generator=generator)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def make(out):
    import numpy
    import torch
    import torchvision
    os.makedirs(out, exist_ok=True)
    record = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "numpy": numpy.__version__,
        "seed": SEED,
        "models": {},
    }
    for name, (input_name, shape) in MODELS.items():
        model = build(torch, name)
        x = example(torch, name)
        path = os.path.join(out, name + ".pt")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if name == "transformer":
                # Autograd on: the slow path (see the module docstring). check_trace would fail only because the two
                # traces name their mangled module classes differently.
                traced = torch.jit.trace(model, x, check_trace=False)
            else:
                with torch.no_grad():
                    traced = torch.jit.trace(model, x)
        traced.save(path + ".tmp")
        os.replace(path + ".tmp", path)
        kinds = sorted({node.kind() for node in torch.jit.load(path).inlined_graph.nodes()})
        with torch.no_grad():
            y = torch.jit.load(path)(x)
        golden = os.path.join(out, name + "-golden")
        os.makedirs(golden, exist_ok=True)
        numpy.savez(os.path.join(golden, "inputs.npz"), **{input_name: x.numpy()})
        numpy.savez(os.path.join(golden, "outputs.npz"), **{OUTPUT: y.numpy()})
        record["models"][name] = {
            "file": name + ".pt",
            "bytes": os.path.getsize(path),
            "sha256": sha256_of(path),
            "input": input_name,
            "shape": list(shape),
            "parameters": sum(p.numel() for p in model.parameters()),
            "traced_ops": kinds,
            "output_max_abs": float(y.abs().max()),
            # buildconvert verify's absolute tolerance for this model: 1e-6 of the output's largest magnitude (the
            # default 1e-5 would let anything pass for MobileNetV2, whose random-initialised outputs are about 1e-9).
            "atol": float(y.abs().max()) * 1e-6,
        }
        print(f"{path}: {os.path.getsize(path)} bytes, {record['models'][name]['parameters']} parameters, "
              f"{len(kinds)} distinct ops")
    with open(os.path.join(out, "versions.json"), "w") as stream:
        json.dump(record, stream, indent=2)


def export(name, target, archive):
    import torch
    input_name, _ = MODELS[name]
    model = torch.jit.load(archive) if archive else build(torch, name)
    x = example(torch, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (x,), target, opset_version=OPSET, input_names=[input_name], output_names=[OUTPUT])


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make_parser = commands.add_parser("make")
    make_parser.add_argument("out")
    export_parser = commands.add_parser("export")
    export_parser.add_argument("name", choices=sorted(MODELS))
    export_parser.add_argument("target")
    export_parser.add_argument("--archive")
    args = parser.parse_args(argv)
    if args.command == "make":
        make(args.out)
    else:
        export(args.name, args.target, args.archive)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
