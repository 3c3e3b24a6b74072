#!/usr/bin/python3
"""Builds onnx-backend-skips.json from a conformance run's failure dump.

Usage (from the repository root):
  BUILDCONVERT_CONFORMANCE_DUMP=/tmp/dump.tsv dotnet test tests/BuildConvert.Validation.Tests -c Release \
      --filter FullyQualifiedName~EveryModelPasses
  /usr/bin/python3 tests/BuildConvert.Validation.Tests/Conformance/make_skip_manifest.py /tmp/dump.tsv

The dump has one line per failing test: "<folder>/<test>\t<codes>\t<first message>". Failures are classified by the
diagnostic code and ONNX Runtime's message; the element types in a reason are read from the model with onnx
(Debian's python3-onnx 1.12). Failures with a numeric mismatch (BCONV4001) or a run-time rejection (BCONV4008) are only
accepted when listed in REVIEWED below, where each was examined by hand: anything else stops the script, because it may
be a bug of ours rather than of ONNX Runtime.
"""
import json
import re
import sys

import onnx

CORPUS = "../shared/corpora/onnx-backend/"
OUT = "tests/BuildConvert.Validation.Tests/Conformance/onnx-backend-skips.json"

CATEGORIES = {
    "ort-not-implemented": "ONNX Runtime 1.31 (CPU) has no kernel for the operator at this opset and element types, refuses the "
                           "opset as unreleased, or rejects an attribute value it does not implement (BCONV4007).",
    "training-op": "A training operator (ai.onnx.preview.training domain or gradients); ONNX Runtime's inference build has "
                   "no kernel for it (BCONV4007).",
    "ort-numerical-deviation": "ONNX Runtime computes in float32 and its result differs from the float64 reference by more "
                               "than rtol=1e-3/atol=1e-7, typically on elements whose expected value is (near) zero (BCONV4001).",
    "ort-behaviour-differs": "ONNX Runtime's kernel gives a different answer than the ONNX reference, or rejects inputs the "
                             "specification allows: a known difference of ONNX Runtime, not of BuildConvert (BCONV4001/4008).",
    "random-op": "The output depends on a random number generator, so ONNX Runtime cannot reproduce the reference's "
                 "values (BCONV4001).",
    "unsupported-dtype-in-ort-csharp": "The model's inputs or outputs use float8, float4, 4-bit or 2-bit element types, which "
                                       "the ONNX Runtime .NET API (TensorElementType) cannot represent (BCONV4009).",
    "ort-csharp-api-limit": "The golden data needs a value ONNX Runtime's API cannot create (an empty sequence) (BCONV4009).",
}

REVIEWED = {
    "node/test_attention_4d_diff_heads_mask4d_padded_kv": ("ort-behaviour-differs",
        "ORT 1.31's Attention(23) rejects a 4-D attn_mask whose last dimension is shorter than past+current sequence "
        "length ('inconsistent total_sequence_length'); the spec pads such masks"),
    "node/test_attention_4d_with_past_and_present_qk_matmul_bias_3d_mask_causal": ("ort-behaviour-differs",
        "qk_matmul_output: ORT writes -3.4028235e38 (lowest float) at masked positions where the reference has -inf"),
    "node/test_attention_4d_with_past_and_present_qk_matmul_bias_4d_mask_causal": ("ort-behaviour-differs",
        "qk_matmul_output: ORT writes -3.4028235e38 (lowest float) at masked positions where the reference has -inf"),
    "node/test_maxunpool_export_with_output_shape": ("ort-behaviour-differs",
        "ORT's MaxUnpool with an explicit output_shape scatters to different positions than the reference (8 of 25 "
        "elements differ by the full value)"),
    "node/test_resize_downsample_scales_cubic_align_corners": ("ort-behaviour-differs",
        "ORT's Resize(cubic, align_corners) when downsampling samples other source coordinates than the reference "
        "(8 of 9 elements differ, up to 1.05)"),
    "node/test_resize_downsample_scales_linear_align_corners": ("ort-behaviour-differs",
        "ORT's Resize(linear, align_corners) when downsampling gives 4 where the reference gives 3.142857"),
    "node/test_training_dropout": ("random-op", "Dropout with training_mode=true draws its mask from ORT's RNG, not numpy's"),
    "node/test_training_dropout_default": ("random-op", "Dropout with training_mode=true draws its mask from ORT's RNG, not numpy's"),
    "node/test_training_dropout_default_mask": ("random-op", "Dropout with training_mode=true draws its mask from ORT's RNG, not numpy's"),
    "node/test_training_dropout_mask": ("random-op", "Dropout with training_mode=true draws its mask from ORT's RNG, not numpy's"),
}
for name in ["test_dft", "test_dft_axis", "test_dft_axis_opset19", "test_dft_inverse", "test_dft_inverse_opset19",
             "test_dft_irfft", "test_dft_irfft_opset19", "test_dft_opset19", "test_dft_rfft", "test_dft_rfft_opset19"]:
    REVIEWED["node/" + name] = ("ort-numerical-deviation",
        "ORT's float32 DFT leaves errors up to ~3e-4 on outputs whose exact value is 0 (relative error elsewhere <= 6e-5); "
        "atol=1e-7 cannot absorb them")
for name in ["test_stft", "test_stft_with_window"]:
    REVIEWED["node/" + name] = ("ort-numerical-deviation",
        "ORT's float32 STFT leaves errors up to ~8e-5 on outputs whose exact value is 0; atol=1e-7 cannot absorb them")

TYPE_NAMES = {1: "float", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 8: "string",
              9: "bool", 10: "float16", 11: "double", 12: "uint32", 13: "uint64", 14: "complex64", 15: "complex128",
              16: "bfloat16", 17: "float8e4m3fn", 18: "float8e4m3fnuz", 19: "float8e5m2", 20: "float8e5m2fnuz",
              21: "uint4", 22: "int4", 23: "float4e2m1", 24: "float8e8m0", 25: "uint2", 26: "int2"}
CSHARP_TYPES = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16}


def elem_types(t, acc):
    kind = t.WhichOneof("value")
    if kind == "tensor_type":
        acc.add(t.tensor_type.elem_type)
    elif kind == "sequence_type":
        elem_types(t.sequence_type.elem_type, acc)
    elif kind == "optional_type":
        elem_types(t.optional_type.elem_type, acc)
    elif kind == "map_type":
        acc.add(t.map_type.key_type)
        elem_types(t.map_type.value_type, acc)


def io_types(model):
    acc = set()
    for v in list(model.graph.input) + list(model.graph.output):
        elem_types(v.type, acc)
    return acc


def classify(test, codes, message):
    if test in REVIEWED:
        return REVIEWED[test]
    model = onnx.load(CORPUS + test + "/model.onnx", load_external_data=False)
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0)
    types = ", ".join(sorted(TYPE_NAMES.get(t, str(t)) for t in io_types(model)))
    if "BCONV4009" in codes:
        unsupported = sorted(TYPE_NAMES.get(t, str(t)) for t in io_types(model) if t not in CSHARP_TYPES)
        if unsupported:
            return ("unsupported-dtype-in-ort-csharp",
                    f"inputs/outputs use {', '.join(unsupported)}, which ORT's .NET TensorElementType cannot represent")
        if "empty sequence" in message:
            inp = re.search(r"input '([^']*)'", message)
            return ("ort-csharp-api-limit",
                    f"golden input '{inp.group(1) if inp else '?'}' is an empty sequence; ORT's API (OrtCreateValue) cannot create one")
    if "BCONV4007" in codes:
        m = re.search(r"Opset (\d+) is under development", message)
        if m:
            return ("ort-not-implemented",
                    f"imports ai.onnx opset {m.group(1)}; ORT 1.31 supports released opsets up to 26 and refuses it as under development")
        m = re.search(r"([A-Za-z.]+):([A-Za-z]+)\(-?\d+\) is not a registered function/op", message)
        if m:
            if m.group(1) == "ai.onnx.preview.training":
                return ("training-op", f"{m.group(1)}:{m.group(2)} is a training operator; ORT's inference build does not register it")
            return ("ort-not-implemented", f"ORT 1.31 does not register the operator {m.group(1)}:{m.group(2)}")
        m = re.search(r"(?:Could not find an implementation for|Failed to find kernel for) ([A-Za-z]+)\((\d+)\)", message)
        if m:
            op, version = m.group(1), int(m.group(2))
            if opset <= 6:
                return ("ort-not-implemented",
                        f"old model (ai.onnx opset {opset}): ORT 1.31 dropped its {op}({version}) kernel; the model's opset "
                        f"would have to be raised, which this test must not do")
            if "Gradient" in message:
                return ("training-op", f"gradient graph: ORT has no kernel for {op}({version})")
            return ("ort-not-implemented", f"ORT 1.31's CPU provider has no {op}({version}) kernel for element types {types}")
        m = re.search(r"([A-Za-z ]+ \(layout == 1\) are not supported)", message)
        if m:
            return ("ort-not-implemented", f"ORT 1.31's recurrent kernels reject layout=1: '{m.group(1).strip()}'")
        m = re.search(r"(Non per-tensor quantization is not supported)", message)
        if m:
            return ("ort-not-implemented", f"ORT 1.31's ConvInteger accepts only a per-tensor weight zero point: '{m.group(1)}'")
    raise SystemExit(f"unclassified failure, examine it (it may be our bug): {test}\t{codes}\t{message[:400]}")


def main():
    skips = []
    for line in open(sys.argv[1], encoding="utf-8"):
        test, codes, message = line.rstrip("\n").split("\t", 2)
        category, reason = classify(test, codes.split(","), message)
        skips.append({"test": test, "category": category, "reason": reason})
    skips.sort(key=lambda s: s["test"])
    manifest = {
        "runtime": "Microsoft.ML.OnnxRuntime 1.31.1",
        "rtol": 1e-3,
        "atol": 1e-7,
        "toleranceNote": "rtol=1e-3, atol=1e-7 as onnx/backend/test/loader uses when a test has no data.json "
                         "(none of these folders has one); NaN equals NaN.",
        "categories": CATEGORIES,
        "skips": skips,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write("\n")
    counts = {}
    for s in skips:
        counts[s["category"]] = counts.get(s["category"], 0) + 1
    print(len(skips), "skips:", counts)


if __name__ == "__main__":
    main()
