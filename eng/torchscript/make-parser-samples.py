#!/usr/bin/env python3
"""Writes TorchScript samples for the TorchScript front end's tests (parser, schema binding, interpreter).

For every model below, scripted (torch.jit.script) and traced (torch.jit.trace on a small random input), in eval mode
with random initial weights (nothing is downloaded), it saves the archive in memory and writes, under OUTDIR/<name>.<mode>/:

    code/...py       the archive's serialized TorchScript source, byte for byte (every code/ entry ending in .py)
    module.json      the archive's data.pkl object tree (storages from data/): class names and attributes in pickle order, tensors as
                     {"tensor": {"dtype", "shape", "requires_grad", "values" (only when 16 elements or fewer)}}
    constants.json   the archive's constants.pkl tuple (the CONSTANTS.cN values; storages from constants/), same encoding
    sample.json      the method, the input specs (name, type, shape, dtype) and the output count the test interprets

With --archives the .pt files are kept as OUTDIR/<name>.<mode>.pt too. Models that do not script (or trace) in this
PyTorch are reported on stderr and skipped; the exit status is 1 when any model failed.

The pickles are read with a restricted Unpickler that builds plain data (the same allow-list idea as the C# reader):
module classes under __torch__ become attribute holders, tensors become descriptors.

Run with /usr/bin/python3 (Debian's python3-torch 1.13, python3-torchvision 0.14):
    /usr/bin/python3 eng/torchscript/make-parser-samples.py OUTDIR [--archives] [--only NAME[,NAME...]]

The committed subset in eng/torchscript/parser-samples/ was written by
    /usr/bin/python3 eng/torchscript/make-parser-samples.py eng/torchscript/parser-samples \
        --only resnet18,lstm,gru,transformer_encoder_layer,multihead_attention,embedding,layer_norm
"""
import argparse
import io
import json
import math
import os
import pickle
import sys
import zipfile

import torch
import torch.nn as nn
import torchvision.models as tvm

IMAGE = (1, 3, 64, 64)


def image_models():
    return [
        ("resnet18", lambda: tvm.resnet18()),
        ("mobilenet_v2", lambda: tvm.mobilenet_v2()),
        ("mobilenet_v3_small", lambda: tvm.mobilenet_v3_small()),
        ("squeezenet1_0", lambda: tvm.squeezenet1_0()),
        ("densenet121", lambda: tvm.densenet121()),
        ("shufflenet_v2_x0_5", lambda: tvm.shufflenet_v2_x0_5()),
        ("googlenet", lambda: tvm.googlenet(init_weights=True, aux_logits=False)),
        ("mnasnet0_5", lambda: tvm.mnasnet0_5()),
        ("efficientnet_b0", lambda: tvm.efficientnet_b0()),
        ("regnet_x_400mf", lambda: tvm.regnet_x_400mf()),
        ("vgg11", lambda: tvm.vgg11()),
        ("alexnet", lambda: tvm.alexnet()),
    ]


class Rnn(nn.Module):
    """An nn.LSTM/GRU/RNN with the default (zero) initial state, returning the output and the final state."""

    def __init__(self, inner):
        super().__init__()
        self.rnn = inner

    def forward(self, x):
        return self.rnn(x)


def sequence_models():
    return [
        ("lstm", lambda: nn.LSTM(8, 16, num_layers=2), [("input", "Tensor", [5, 2, 8], "float32")]),
        ("gru", lambda: nn.GRU(8, 16), [("input", "Tensor", [5, 2, 8], "float32")]),
        ("rnn", lambda: nn.RNN(8, 16, nonlinearity="tanh"), [("input", "Tensor", [5, 2, 8], "float32")]),
        ("transformer_encoder_layer", lambda: nn.TransformerEncoderLayer(16, 2, dim_feedforward=32),
         [("src", "Tensor", [5, 2, 16], "float32")]),
        ("multihead_attention", lambda: nn.MultiheadAttention(16, 2),
         [("query", "Tensor", [5, 2, 16], "float32"), ("key", "Tensor", [5, 2, 16], "float32"),
          ("value", "Tensor", [5, 2, 16], "float32")]),
        ("embedding", lambda: nn.Embedding(10, 4), [("input", "Tensor", [2, 3], "int64")]),
        ("layer_norm", lambda: nn.LayerNorm(8), [("input", "Tensor", [2, 3, 8], "float32")]),
    ]


def example(spec):
    _, _, shape, dtype = spec
    if dtype == "int64":
        return torch.randint(0, 10, shape)
    return torch.randn(shape)


# --- a restricted reader of the archive's pickles -------------------------------------------------------------------

class Obj:
    """An instance of a TorchScript class: NEWOBJ makes it, BUILD hands it the attribute dict."""
    qualname = ""
    state = None

    def __setstate__(self, state):
        self.state = state


class TensorDesc:
    def __init__(self, tensor, requires_grad):
        self.tensor = tensor
        self.requires_grad = requires_grad


def rebuild_tensor(storage, offset, size, stride, requires_grad=False, *_):
    t = torch.as_strided(storage, tuple(size), tuple(stride), offset) if storage.numel() else torch.zeros(tuple(size), dtype=storage.dtype)
    return TensorDesc(t, bool(requires_grad))


STORAGE_DTYPES = {
    "FloatStorage": torch.float32, "DoubleStorage": torch.float64, "HalfStorage": torch.float16,
    "BFloat16Storage": torch.bfloat16, "LongStorage": torch.int64, "IntStorage": torch.int32,
    "ShortStorage": torch.int16, "CharStorage": torch.int8, "ByteStorage": torch.uint8, "BoolStorage": torch.bool,
}


class ArchiveUnpickler(pickle.Unpickler):
    def __init__(self, data, archive, storages):
        super().__init__(io.BytesIO(data))
        self.archive = archive
        self.storages = storages
        self.classes = {}

    def find_class(self, module, name):
        if module.startswith("__torch__"):
            qualname = f"{module}.{name}"
            if qualname not in self.classes:
                self.classes[qualname] = type(name, (Obj,), {"qualname": qualname})
            return self.classes[qualname]
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return rebuild_tensor
        if module == "torch" and name in STORAGE_DTYPES:
            return STORAGE_DTYPES[name]
        if module == "collections" and name == "OrderedDict":
            return dict
        if module == "torch.jit._pickle" and name == "restore_type_tag":
            return lambda value, _type: value
        if module == "torch.jit._pickle" and name.startswith("build_"):
            return lambda value: value
        raise pickle.UnpicklingError(f"global {module}.{name} is not allowed")

    def persistent_load(self, pid):
        kind, dtype, key, _location, _numel = pid
        assert kind == "storage"
        raw = self.archive.read(f"{self.storages}{key}")
        return torch.frombuffer(bytearray(raw), dtype=dtype) if raw else torch.zeros(0, dtype=dtype)


def encode(value):
    if isinstance(value, Obj):
        state = value.state
        items = list(state.items()) if isinstance(state, dict) else [("__state__", state)]
        return {"object": value.qualname, "attributes": [[k, encode(v)] for k, v in items]}
    if isinstance(value, TensorDesc):
        t = value.tensor
        desc = {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "requires_grad": value.requires_grad}
        if t.numel() <= 16:
            desc["values"] = [encode(float(v) if t.dtype.is_floating_point else (bool(v) if t.dtype == torch.bool else int(v)))
                              for v in t.flatten().tolist()]
        return {"tensor": desc}
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return {"float": "nan"}
        if math.isinf(value):
            return {"float": "inf" if value > 0 else "-inf"}
        return {"float": value}
    if isinstance(value, tuple):
        return {"tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return {"list": [encode(v) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, torch.device):
        return {"device": str(value)}
    raise TypeError(f"cannot encode {type(value)}")


def write_sample(folder, archive_bytes, method, inputs, outputs, keep_archive):
    os.makedirs(folder, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as z:
        names = z.namelist()
        prefix = names[0].split("/")[0] + "/"
        for name in names:
            rel = name[len(prefix):]
            if rel.startswith("code/") and rel.endswith(".py"):
                path = os.path.join(folder, *rel.split("/"))
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(z.read(name))
        # data.pkl's storages are under data/, constants.pkl's under constants/.
        for pkl, storages, out in (("data.pkl", "data/", "module.json"), ("constants.pkl", "constants/", "constants.json")):
            value = ArchiveUnpickler(z.read(prefix + pkl), z, prefix + storages).load()
            with open(os.path.join(folder, out), "w") as f:
                json.dump(encode(value), f, indent=None, separators=(",", ":"))
                f.write("\n")
    with open(os.path.join(folder, "sample.json"), "w") as f:
        json.dump({"method": method, "inputs": [{"name": n, "type": t, "shape": s, "dtype": d} for n, t, s, d in inputs],
                   "outputs": outputs, "torch": torch.__version__}, f, indent=1)
        f.write("\n")
    if keep_archive:
        with open(folder + ".pt", "wb") as f:
            f.write(archive_bytes)


def count_outputs(result):
    if isinstance(result, (tuple, list)):
        return sum(count_outputs(r) for r in result)
    if isinstance(result, dict):
        return sum(count_outputs(r) for r in result.values())
    return 1


def main():
    # TorchScript writes a class's Final constants in set order: a fixed hash seed makes the output reproducible.
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, "PYTHONHASHSEED": "0"})
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir")
    parser.add_argument("--archives", action="store_true")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    torch.manual_seed(0)
    todo = [(n, f, [("x", "Tensor", list(IMAGE), "float32")]) for n, f in image_models()] + sequence_models()
    failed = []
    for name, make, inputs in todo:
        if only and name not in only:
            continue
        model = make().eval()
        examples = tuple(example(s) for s in inputs)
        with torch.no_grad():
            outputs = count_outputs(model(*examples))
        for mode in ("scripted", "traced"):
            try:
                with torch.no_grad():
                    module = torch.jit.script(model) if mode == "scripted" else torch.jit.trace(model, examples, check_trace=False)
                buffer = io.BytesIO()
                torch.jit.save(module, buffer)
                write_sample(os.path.join(args.outdir, f"{name}.{mode}"), buffer.getvalue(), "forward", inputs, outputs, args.archives)
                print(f"{name}.{mode}", flush=True)
            except Exception as e:  # noqa: BLE001 - report every model that fails, then fail
                failed.append(f"{name}.{mode}")
                print(f"{name}.{mode}: {type(e).__name__}: {e}".splitlines()[0], file=sys.stderr, flush=True)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
