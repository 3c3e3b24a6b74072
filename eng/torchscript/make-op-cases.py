#!/usr/bin/python3
"""Writes the ATen one-op cases the TorchScript converter tests run (tests/BuildConvert.Validation.Tests/Converters/TorchScript/AtenCases).

Each case is one ATen operator overload called through torch.ops.aten.<op>.<overload> on seeded inputs, with every
schema argument filled in positionally (defaults from the schema, as the TorchScript front end fills them), and the
results PyTorch computes. Per family: <family>.json (the cases: operator, arguments as typed descriptors, which tensors
are graph inputs and which are constants, the results) and <family>.npz (the tensors: <case>__<key>).

Run with Debian's PyTorch 1.13: /usr/bin/python3 eng/torchscript/make-op-cases.py
The output is generated; never edit it by hand.
"""

import json
import math
import os
import sys
import zlib

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "BuildConvert.Validation.Tests",
                   "Converters", "TorchScript", "AtenCases")

DTYPE_CODES = {
    torch.uint8: 0, torch.int8: 1, torch.int16: 2, torch.int32: 3, torch.int64: 4, torch.float16: 5,
    torch.float32: 6, torch.float64: 7, torch.bool: 11, torch.bfloat16: 15,
}

f32, f64, i64, i32, u8, b8 = torch.float32, torch.float64, torch.int64, torch.int32, torch.uint8, torch.bool


class In:
    """A tensor the ONNX graph takes as an input."""

    def __init__(self, t):
        self.t = t


class W:
    """A tensor known at conversion time (a parameter or buffer: a TorchTensorConstant)."""

    def __init__(self, t):
        self.t = t


families = {}
_gen = None


def gen(name):
    global _gen
    _gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))


def rand(*shape, dtype=f32, low=-3.0, high=3.0):
    x = torch.rand(*shape, generator=_gen, dtype=torch.float64) * (high - low) + low
    if dtype in (f32, f64, torch.float16):
        return x.to(dtype)
    if dtype == b8:
        return x > (low + high) / 2
    return torch.floor(x).to(dtype)


def away(*shape, dtype=f32, low=0.5, high=3.0):
    """Values with |v| in [low, high), both signs (divisors)."""
    m = rand(*shape, dtype=torch.float64, low=low, high=high)
    s = rand(*shape, dtype=torch.float64, low=0, high=1) > 0.5
    v = torch.where(s, m, -m)
    return v.to(dtype) if dtype.is_floating_point else torch.where(s, torch.ceil(m), -torch.ceil(m)).to(dtype)


def describe(value, arrays, prefix, counter):
    if isinstance(value, (In, W)):
        key = f"a{counter[0]}"
        counter[0] += 1
        arrays[f"{prefix}__{key}"] = value.t.numpy()
        return {"t": "tensor", "key": key, "input": isinstance(value, In)}
    if isinstance(value, torch.Tensor):
        raise ValueError("wrap tensors in In(...) or W(...)")
    if value is None:
        return {"t": "none"}
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, int):
        return {"t": "int", "v": value}
    if isinstance(value, float):
        return {"t": "float", "v": value}
    if isinstance(value, str):
        return {"t": "str", "v": value}
    if isinstance(value, torch.dtype):
        return {"t": "int", "v": DTYPE_CODES[value]}
    if isinstance(value, torch.device):
        return {"t": "device", "v": str(value)}
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, bool) for v in value) and value:
            return {"t": "list", "items": [describe(v, arrays, prefix, counter) for v in value]}
        if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return {"t": "ints", "v": list(value)}
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            return {"t": "floats", "v": [float(v) for v in value]}
        return {"t": "list", "items": [describe(v, arrays, prefix, counter) for v in value]}
    raise ValueError(f"cannot describe {value!r}")


def unwrap(value):
    if isinstance(value, (In, W)):
        return value.t
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def case(family, name, target, args, kwargs=None, rtol=1e-4, atol=1e-5, opsets=None, used=None):
    """target: 'op.overload'; args: positional values; kwargs: by name. Fills the schema's defaults."""
    kwargs = kwargs or {}
    op_name, overload = target.split(".") if "." in target else (target, "default")
    packet = getattr(torch.ops.aten, op_name)
    op = getattr(packet, overload)
    schema = op._schema
    full = []
    call_args = []
    call_kwargs = {}
    for i, a in enumerate(schema.arguments):
        if i < len(args) and not a.kwarg_only:
            v = args[i]
            call_args.append(unwrap(v))
        elif a.name in kwargs:
            v = kwargs[a.name]
            if a.kwarg_only:
                call_kwargs[a.name] = unwrap(v)
            else:
                call_args.append(unwrap(v))
        elif a.has_default_value():
            v = a.default_value
            if a.kwarg_only:
                call_kwargs[a.name] = v
            else:
                call_args.append(v)
        else:
            raise ValueError(f"{name}: argument {a.name} of {target} is required")
        full.append(v)
    result = op(*call_args, **call_kwargs)
    arrays = {}
    prefix = name
    counter = [0]
    described = [describe(v, arrays, prefix, counter) for v in full]
    results = result if isinstance(result, tuple) else (result,)
    outs = []
    for k, r in enumerate(results):
        if r is None:
            # An undefined tensor (e.g. the weights of _native_multi_head_attention with need_weights=False): the
            # case must leave it out of "used".
            if used is None or k in used:
                raise ValueError(f"{name}: result {k} is undefined; list the used results")
            outs.append({"t": "none"})
        elif isinstance(r, torch.Tensor):
            arrays[f"{prefix}__r{k}"] = r.numpy()
            outs.append({"t": "tensor", "key": f"r{k}"})
        elif isinstance(r, list):
            keys = []
            for j, item in enumerate(r):
                arrays[f"{prefix}__r{k}_{j}"] = item.numpy()
                keys.append(f"r{k}_{j}")
            outs.append({"t": "list", "keys": keys})
        elif isinstance(r, bool):
            arrays[f"{prefix}__r{k}"] = np.array(r)
            outs.append({"t": "bool", "key": f"r{k}"})
        elif isinstance(r, int):
            arrays[f"{prefix}__r{k}"] = np.array(r, dtype=np.int64)
            outs.append({"t": "int", "key": f"r{k}"})
        elif isinstance(r, float):
            arrays[f"{prefix}__r{k}"] = np.array(r, dtype=np.float64)
            outs.append({"t": "float", "key": f"r{k}"})
        else:
            raise ValueError(f"{name}: result {k} is {type(r)}")
    entry = {"name": name, "op": "aten::" + op_name, "overload": overload, "args": described, "results": outs,
             "rtol": rtol, "atol": atol}
    if opsets:
        entry["opsets"] = opsets
    if used is not None:
        entry["used"] = used
    fam = families.setdefault(family, ([], {}))
    if any(c["name"] == name for c in fam[0]):
        raise ValueError(f"duplicate case {name}")
    fam[0].append(entry)
    fam[1].update(arrays)


def C(family, name, target, make, kwargs=None, **options):
    gen(name)
    args = make()
    case(family, name, target, args, kwargs, **options)


# ---------------------------------------------------------------- elementwise
E = "elementwise"
for ov, mk in [
    ("add.Tensor", lambda: [In(rand(2, 3, 4)), In(rand(3, 1))]),
    ("sub.Tensor", lambda: [In(rand(2, 3)), In(rand(2, 3))]),
    ("mul.Tensor", lambda: [In(rand(4, 1)), In(rand(1, 5))]),
    ("div.Tensor", lambda: [In(rand(2, 3)), In(away(2, 3))]),
]:
    C(E, ov.replace(".", "_") + "_f32_broadcast", ov, mk, opsets=[13, 17, 21])
C(E, "add_tensor_alpha", "add.Tensor", lambda: [In(rand(3, 4)), In(rand(3, 4))], {"alpha": 2.5})
C(E, "add_tensor_int_alpha", "add.Tensor", lambda: [In(rand(3, 4, dtype=i64)), In(rand(3, 4, dtype=i64))], {"alpha": 3})
C(E, "sub_tensor_alpha", "sub.Tensor", lambda: [In(rand(3, 4)), In(rand(4))], {"alpha": -0.5})
C(E, "rsub_scalar", "rsub.Scalar", lambda: [In(rand(3, 4)), 1.0])
C(E, "rsub_tensor_alpha", "rsub.Tensor", lambda: [In(rand(3, 4)), In(rand(3, 4))], {"alpha": 2})
C(E, "add_bool_bool", "add.Tensor", lambda: [In(rand(6, dtype=b8)), In(rand(6, dtype=b8))])
C(E, "mul_bool_bool", "mul.Tensor", lambda: [In(rand(6, dtype=b8)), In(rand(6, dtype=b8))])
# Promotion: dimensioned vs 0-dim vs wrapped numbers, across categories.
C(E, "add_i32_i64_zero_dim", "add.Tensor", lambda: [In(rand(5, dtype=i32)), In(torch.tensor(7, dtype=i64))])
C(E, "add_i32_f64_zero_dim", "add.Tensor", lambda: [In(rand(5, dtype=i32)), In(torch.tensor(0.25, dtype=f64))])
C(E, "add_f32_f64_zero_dim", "add.Tensor", lambda: [In(rand(5)), In(torch.tensor(0.25, dtype=f64))])
C(E, "add_i64_f32_tensors", "add.Tensor", lambda: [In(rand(2, 3, dtype=i64)), In(rand(2, 3))])
C(E, "add_u8_i8", "add.Tensor", lambda: [In(rand(4, dtype=u8, low=0, high=9)), In(rand(4, dtype=torch.int8))])
C(E, "add_bool_i64", "add.Tensor", lambda: [In(rand(4, dtype=b8)), In(rand(4, dtype=i64))])
C(E, "add_scalar_int_on_i32", "add.Scalar", lambda: [In(rand(5, dtype=i32)), 3])
C(E, "add_scalar_float_on_i32", "add.Scalar", lambda: [In(rand(5, dtype=i32)), 2.5])
C(E, "add_scalar_float_on_f64", "add.Scalar", lambda: [In(rand(5, dtype=f64)), 2.5])
# TorchScript has no bool Scalars (its number type is int or float), so no case passes a bool where the schema says Scalar.
C(E, "mul_scalar_int_on_bool", "mul.Scalar", lambda: [In(rand(5, dtype=b8)), 3])
C(E, "mul_tensor_f32_i64", "mul.Tensor", lambda: [In(rand(3)), In(rand(3, dtype=i64))])
for mode in [None, "trunc", "floor"]:
    m = mode or "none"
    C(E, f"div_mode_{m}_f32", "div.Tensor_mode", lambda: [In(rand(2, 6, low=-9, high=9)), In(away(6))], {"rounding_mode": mode})
    C(E, f"div_mode_{m}_i64", "div.Tensor_mode",
      lambda: [In(torch.tensor([[7, -7, 7, -7, 0, 9], [5, -5, 1, -1, 8, -8]])), In(torch.tensor([2, 2, -2, -2, 3, -4]))], {"rounding_mode": mode})
    C(E, f"div_scalar_mode_{m}_i32", "div.Scalar_mode", lambda: [In(torch.tensor([7, -7, 0, 5, -9], dtype=i32)), -2], {"rounding_mode": mode})
C(E, "div_int_true", "div.Tensor", lambda: [In(torch.tensor([7, -7, 1, 0])), In(torch.tensor([2, 2, -3, 5]))])
C(E, "div_scalar_float", "div.Scalar", lambda: [In(rand(4)), 0.3])
C(E, "floor_divide_i64", "floor_divide.default", lambda: [In(torch.tensor([7, -7, 7, -7, 0, -1])), In(torch.tensor([2, 2, -2, -2, 3, 5]))])
C(E, "floor_divide_f32", "floor_divide.default", lambda: [In(rand(8, low=-9, high=9)), In(away(8))])
C(E, "floor_divide_scalar_i64", "floor_divide.Scalar", lambda: [In(torch.tensor([7, -7, 0, 5])), -3])
C(E, "remainder_i64", "remainder.Tensor", lambda: [In(torch.tensor([7, -7, 7, -7, 0, 6])), In(torch.tensor([3, 3, -3, -3, 4, -4]))])
C(E, "remainder_f32", "remainder.Tensor", lambda: [In(rand(8, low=-9, high=9)), In(away(8))])
C(E, "remainder_scalar_i32", "remainder.Scalar", lambda: [In(torch.tensor([7, -7, 0, 5], dtype=i32)), -3])
C(E, "remainder_scalar_tensor", "remainder.Scalar_Tensor", lambda: [5, In(torch.tensor([3, -3, 2, -2]))])
C(E, "fmod_i64", "fmod.Tensor", lambda: [In(torch.tensor([7, -7, 7, -7])), In(torch.tensor([3, 3, -3, -3]))])
C(E, "fmod_f32_scalar", "fmod.Scalar", lambda: [In(rand(6, low=-9, high=9)), 2.5])
C(E, "pow_tensor_tensor", "pow.Tensor_Tensor", lambda: [In(rand(2, 3, low=0.1, high=3)), In(rand(2, 3, low=-2, high=2))])
C(E, "pow_tensor_scalar_int", "pow.Tensor_Scalar", lambda: [In(rand(2, 3)), 2])
C(E, "pow_tensor_scalar_float", "pow.Tensor_Scalar", lambda: [In(rand(2, 3, low=0.1, high=3)), 0.5])
C(E, "pow_i64_scalar", "pow.Tensor_Scalar", lambda: [In(rand(5, dtype=i64, low=-4, high=4)), 3])
C(E, "pow_i64_scalar_float", "pow.Tensor_Scalar", lambda: [In(rand(5, dtype=i64, low=1, high=4)), 0.5])
C(E, "pow_scalar_tensor", "pow.Scalar", lambda: [2.0, In(rand(5))])
for op, lo, hi in [("neg", -3, 3), ("abs", -3, 3), ("sqrt", 0, 9), ("rsqrt", 0.1, 9), ("exp", -3, 3), ("log", 0.05, 9), ("log2", 0.05, 9),
                   ("log10", 0.05, 9), ("log1p", -0.9, 9), ("expm1", -2, 2), ("reciprocal", 0.2, 3), ("sin", -3, 3), ("cos", -3, 3),
                   ("tan", -1.2, 1.2), ("asin", -0.99, 0.99), ("acos", -0.99, 0.99), ("atan", -3, 3), ("sinh", -2, 2), ("cosh", -2, 2),
                   ("tanh", -3, 3), ("erf", -2, 2), ("sigmoid", -6, 6), ("floor", -3, 3), ("ceil", -3, 3), ("round", -3, 3), ("trunc", -3, 3),
                   ("frac", -3, 3), ("sign", -3, 3), ("square", -3, 3)]:
    C(E, f"{op}_f32", f"{op}.default", lambda lo=lo, hi=hi: [In(rand(3, 4, low=lo, high=hi))])
for op in ["sqrt", "exp", "sigmoid", "abs", "neg", "floor", "square", "sign"]:
    C(E, f"{op}_i64", f"{op}.default", lambda: [In(rand(6, dtype=i64, low=0 if op == "sqrt" else -4, high=5))])
C(E, "round_half_even", "round.default", lambda: [In(torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999]))])
C(E, "round_decimals", "round.decimals", lambda: [In(rand(6) * 10)], {"decimals": 2})
C(E, "atan2_f32", "atan2.default", lambda: [In(rand(8)), In(torch.tensor([1.0, -1.0, 0.0, -2.0, 2.0, -0.5, 0.5, 3.0]))])
for ov, mk in [
    ("clamp.default", lambda: [In(rand(3, 4)), -1.0, 1.5]),
    ("clamp.default", lambda: [In(rand(3, 4)), None, 0.5]),
    ("clamp.default", lambda: [In(rand(3, 4)), -0.5, None]),
    ("clamp.default", lambda: [In(rand(6, dtype=i64)), 0, 2]),
    ("clamp.default", lambda: [In(rand(6, dtype=i64)), 0.5, None]),
    ("clamp.Tensor", lambda: [In(rand(3, 4)), In(rand(4, low=-2, high=0)), In(rand(3, 1, low=0, high=2))]),
    ("clamp.Tensor", lambda: [In(rand(3, 4)), None, In(rand(4))]),
    ("clamp_min.default", lambda: [In(rand(3, 4)), 0.25]),
    ("clamp_max.default", lambda: [In(rand(3, 4)), 0.25]),
    ("clamp_min.default", lambda: [In(rand(5, dtype=i64)), 1.5]),
]:
    gen(ov)
    name = f"{ov.split('.')[0]}_{len([c for c in families.get(E, ([], {}))[0] if c['op'].endswith(ov.split('.')[0])])}"
    C(E, name, ov, mk)
for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
    C(E, f"{op}_tensor_f32", f"{op}.Tensor", lambda: [In(torch.tensor([[1.0, 2, 3], [-1, 0, 5]])), In(torch.tensor([1.0, 3, 2]))])
    C(E, f"{op}_scalar_i64", f"{op}.Scalar", lambda: [In(torch.tensor([1, 2, 3, -1])), 2])
    C(E, f"{op}_i32_f32", f"{op}.Tensor", lambda: [In(torch.tensor([1, 2, 3], dtype=i32)), In(torch.tensor([1.5, 2.0, 2.5]))])
C(E, "lt_bool", "lt.Tensor", lambda: [In(torch.tensor([True, False, True, False])), In(torch.tensor([True, True, False, False]))])
for op in ["logical_and", "logical_or", "logical_xor"]:
    C(E, f"{op}_bool", f"{op}.default", lambda: [In(rand(6, dtype=b8)), In(rand(6, dtype=b8))])
    C(E, f"{op}_f32_i64", f"{op}.default", lambda: [In(torch.tensor([0.0, 1.5, 0.0, -2.0])), In(torch.tensor([0, 0, 3, 1]))])
C(E, "logical_not_f32", "logical_not.default", lambda: [In(torch.tensor([0.0, 1.5, -0.0, 2.0]))])
C(E, "bitwise_and_bool", "bitwise_and.Tensor", lambda: [In(rand(6, dtype=b8)), In(rand(6, dtype=b8))])
C(E, "bitwise_or_i64", "bitwise_or.Tensor", lambda: [In(torch.tensor([1, 2, 12, -1])), In(torch.tensor([4, 3, 10, 5]))], opsets=[18, 21])
C(E, "bitwise_not_i32", "bitwise_not.default", lambda: [In(torch.tensor([0, 1, -1, 7], dtype=i32))], opsets=[13, 18])
C(E, "isnan_f32", "isnan.default", lambda: [In(torch.tensor([1.0, float("nan"), 0.0]))])
C(E, "isinf_f32", "isinf.default", lambda: [In(torch.tensor([1.0, float("inf"), -float("inf")]))])
C(E, "isfinite_i64", "isfinite.default", lambda: [In(torch.tensor([1, 2]))])
C(E, "where_self", "where.self", lambda: [In(rand(3, 4, dtype=b8)), In(rand(3, 4)), In(rand(4))])
C(E, "where_promote", "where.self", lambda: [In(rand(4, dtype=b8)), In(rand(4, dtype=i64)), In(rand(4))])
C(E, "where_scalar_other", "where.ScalarOther", lambda: [In(rand(4, dtype=b8)), In(rand(4)), 0.0])
C(E, "where_scalar_self_i32", "where.ScalarSelf", lambda: [In(rand(4, dtype=b8)), 1, In(rand(4, dtype=i32))])
C(E, "where_scalar_scalar_int", "where.Scalar", lambda: [In(rand(4, dtype=b8)), 1, 0])
C(E, "where_scalar_scalar_float", "where.Scalar", lambda: [In(rand(4, dtype=b8)), 1.5, 0])
C(E, "masked_fill_scalar", "masked_fill.Scalar", lambda: [In(rand(2, 3, 4)), In(rand(3, 1, dtype=b8)), -1e9])
C(E, "masked_fill_scalar_int_truncates", "masked_fill.Scalar", lambda: [In(rand(4, dtype=i64)), In(rand(4, dtype=b8)), 2.7])
C(E, "masked_fill_tensor", "masked_fill.Tensor", lambda: [In(rand(2, 3)), In(rand(2, 3, dtype=b8)), In(torch.tensor(5.0))])
C(E, "maximum_f32", "maximum.default", lambda: [In(rand(2, 3)), In(rand(3))])
C(E, "minimum_i64_f32", "minimum.default", lambda: [In(rand(3, dtype=i64)), In(rand(3))])
C(E, "lerp_scalar", "lerp.Scalar", lambda: [In(rand(4)), In(rand(4)), 0.3])
C(E, "addcmul", "addcmul.default", lambda: [In(rand(4)), In(rand(4)), In(rand(4))], {"value": 0.5})
C(E, "addcdiv", "addcdiv.default", lambda: [In(rand(4)), In(rand(4)), In(away(4))], {"value": 2})

# ---------------------------------------------------------------- activations
A = "activations"
for op, extra in [("relu", []), ("relu6", []), ("hardtanh", [-0.5, 2.0]), ("hardsigmoid", []), ("hardswish", []), ("silu", []),
                  ("mish", []), ("selu", []), ("celu", [0.7]), ("leaky_relu", [0.2]), ("elu", []), ("elu", [0.5, 2.0, 1.5]),
                  ("softplus", []), ("softplus", [2.0, 1.0]), ("log_sigmoid", []), ("hardshrink", [0.5]),
                  ("softshrink", [0.5]), ("threshold", [0.1, -2.0])]:
    name = f"{op}_{len(extra)}"
    C(A, name, f"{op}.default", lambda extra=extra: [In(rand(3, 5, low=-8, high=8))] + extra)
C(A, "relu_i64", "relu.default", lambda: [In(rand(6, dtype=i64))])
C(A, "gelu_none", "gelu.default", lambda: [In(rand(3, 5))], opsets=[13, 17, 20, 21])
C(A, "gelu_tanh", "gelu.default", lambda: [In(rand(3, 5))], {"approximate": "tanh"}, opsets=[13, 17, 20, 21])
C(A, "prelu_channels", "prelu.default", lambda: [In(rand(2, 3, 4, 4)), W(rand(3, low=0, high=0.5))])
C(A, "prelu_single", "prelu.default", lambda: [In(rand(2, 3, 4)), W(torch.tensor([0.25]))])
C(A, "glu_dim1", "glu.default", lambda: [In(rand(2, 6, 3)), 1])
for op in ["softmax", "log_softmax"]:
    C(A, f"{op}_last", f"{op}.int", lambda: [In(rand(2, 3, 5)), -1])
    C(A, f"{op}_dim1", f"{op}.int", lambda: [In(rand(2, 3, 5)), 1])
    C(A, f"{op}_dtype", f"{op}.int", lambda: [In(rand(2, 5)), 1, torch.float64])
    C(A, f"{op}_int_dtype", f"{op}.int", lambda: [In(rand(2, 5, dtype=i64)), 0, torch.float32])
for op in ["dropout", "feature_dropout", "alpha_dropout"]:
    C(A, f"{op}_eval", f"{op}.default", lambda: [In(rand(2, 3, 4)), 0.5, False])

# ---------------------------------------------------------------- reductions
R = "reductions"
C(R, "sum_all", "sum.default", lambda: [In(rand(2, 3, 4))])
C(R, "sum_all_i32", "sum.default", lambda: [In(rand(2, 3, dtype=i32))])
C(R, "sum_all_bool", "sum.default", lambda: [In(rand(2, 3, dtype=b8))])
C(R, "sum_dim_keep", "sum.dim_IntList", lambda: [In(rand(2, 3, 4)), [1, -1], True])
C(R, "sum_dim_none", "sum.dim_IntList", lambda: [In(rand(2, 3, 4)), None])
C(R, "sum_dim_empty", "sum.dim_IntList", lambda: [In(rand(2, 3, 4)), []])
C(R, "sum_dim_dtype", "sum.dim_IntList", lambda: [In(rand(2, 3, dtype=i32)), [0]], {"dtype": torch.float64})
C(R, "mean_all", "mean.default", lambda: [In(rand(2, 3, 4))])
C(R, "mean_dims", "mean.dim", lambda: [In(rand(2, 3, 4, 5)), [-1, -2], True])
C(R, "mean_dim_nokeep", "mean.dim", lambda: [In(rand(2, 3, 4)), [1]])
C(R, "mean_dtype", "mean.dim", lambda: [In(rand(2, 3, dtype=i64)), [1]], {"dtype": torch.float32})
C(R, "prod_all_i64", "prod.default", lambda: [In(rand(2, 3, dtype=i64, low=-3, high=4))])
C(R, "prod_dim", "prod.dim_int", lambda: [In(rand(2, 3, 4, low=0.5, high=1.5)), 1, True])
C(R, "amax_dims", "amax.default", lambda: [In(rand(2, 3, 4)), [0, 2]])
C(R, "amin_all", "amin.default", lambda: [In(rand(2, 3, 4)), []])
C(R, "amax_keep_i64", "amax.default", lambda: [In(rand(2, 3, dtype=i64)), [1], True])
C(R, "max_all", "max.default", lambda: [In(rand(3, 4))])
C(R, "min_all_i32", "min.default", lambda: [In(rand(3, 4, dtype=i32))])
C(R, "max_dim", "max.dim", lambda: [In(rand(3, 4, 5)), 1])
C(R, "max_dim_keep_neg", "max.dim", lambda: [In(rand(3, 4, 5)), -1, True])
C(R, "min_dim", "min.dim", lambda: [In(rand(3, 4)), 0])
C(R, "max_other", "max.other", lambda: [In(rand(3, 4)), In(rand(4))])
C(R, "argmax_dim", "argmax.default", lambda: [In(rand(3, 4)), 1])
C(R, "argmax_none", "argmax.default", lambda: [In(rand(3, 4))])
C(R, "argmin_keep", "argmin.default", lambda: [In(rand(3, 4)), 0, True])
C(R, "var_unbiased", "var.default", lambda: [In(rand(3, 4))])
C(R, "var_dim_biased", "var.dim", lambda: [In(rand(3, 4)), [1], False, True])
C(R, "var_correction", "var.correction", lambda: [In(rand(3, 4, 5)), [0, 2]], {"correction": 2, "keepdim": False})
C(R, "std_dim", "std.dim", lambda: [In(rand(3, 4)), [0]])
C(R, "std_all", "std.default", lambda: [In(rand(3, 4)), False])
C(R, "logsumexp_dim", "logsumexp.default", lambda: [In(rand(3, 4, low=-20, high=20)), [1]])
C(R, "logsumexp_keep", "logsumexp.default", lambda: [In(rand(3, 4)), [0, 1], True])
C(R, "all_dim", "all.dim", lambda: [In(rand(3, 4, dtype=b8)), 1])
C(R, "any_all_f32", "any.default", lambda: [In(torch.tensor([[0.0, 0.0], [0.0, 1.0]]))])
C(R, "all_all_i64", "all.default", lambda: [In(torch.tensor([1, 2, 0]))])
C(R, "cumsum_f32", "cumsum.default", lambda: [In(rand(3, 4)), 1])
C(R, "cumsum_i32", "cumsum.default", lambda: [In(rand(3, 4, dtype=i32)), -2])

# ---------------------------------------------------------------- matmul
M = "matmul"
for a, b in [((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((2, 3, 4), (4,)), ((4,), (2, 4, 5)),
             ((2, 1, 3, 4), (5, 4, 2)), ((3, 4), (2, 4, 5))]:
    name = "matmul_" + "x".join(map(str, a)) + "_" + "x".join(map(str, b))
    C(M, name, "matmul.default", lambda a=a, b=b: [In(rand(*a)), In(rand(*b))])
C(M, "matmul_i64", "matmul.default", lambda: [In(rand(2, 3, dtype=i64)), In(rand(3, 2, dtype=i64))])
C(M, "mm", "mm.default", lambda: [In(rand(3, 4)), W(rand(4, 5))])
C(M, "bmm", "bmm.default", lambda: [In(rand(2, 3, 4)), In(rand(2, 4, 5))])
C(M, "mv", "mv.default", lambda: [In(rand(3, 4)), In(rand(4))])
C(M, "dot", "dot.default", lambda: [In(rand(4)), In(rand(4))])
C(M, "linear_2d", "linear.default", lambda: [In(rand(3, 4)), W(rand(5, 4)), W(rand(5))], opsets=[13, 21])
C(M, "linear_3d", "linear.default", lambda: [In(rand(2, 3, 4)), W(rand(5, 4)), W(rand(5))])
C(M, "linear_nobias", "linear.default", lambda: [In(rand(2, 3, 4)), W(rand(5, 4))])
C(M, "linear_1d", "linear.default", lambda: [In(rand(4)), W(rand(5, 4)), W(rand(5))])
C(M, "addmm", "addmm.default", lambda: [W(rand(5)), In(rand(3, 4)), W(rand(4, 5))], {"beta": 0.5, "alpha": 2.0})
C(M, "addmm_default", "addmm.default", lambda: [In(rand(3, 5)), In(rand(3, 4)), In(rand(4, 5))])
C(M, "addmm_beta0", "addmm.default", lambda: [In(torch.full((3, 5), float("nan"))), In(rand(3, 4)), In(rand(4, 5))], {"beta": 0})
C(M, "baddbmm", "baddbmm.default", lambda: [In(rand(2, 3, 5)), In(rand(2, 3, 4)), In(rand(2, 4, 5))], {"beta": 0.0, "alpha": 0.125})
C(M, "baddbmm_broadcast", "baddbmm.default", lambda: [In(rand(1, 3, 5)), In(rand(2, 3, 4)), In(rand(2, 4, 5))], {"beta": 1.0, "alpha": 1.0})
C(M, "einsum_bij_bjk", "einsum.default", lambda: [" bij, bjk -> bik", [In(rand(2, 3, 4)), In(rand(2, 4, 5))]])

# ---------------------------------------------------------------- convolution and pooling
N = "nn"
C(N, "conv2d_basic", "conv2d.default", lambda: [In(rand(1, 3, 7, 7)), W(rand(4, 3, 3, 3) * 0.3), W(rand(4))], opsets=[13, 17, 21])
C(N, "conv2d_stride_pad_dil", "conv2d.default", lambda: [In(rand(2, 4, 9, 8)), W(rand(6, 2, 3, 2) * 0.3), None, [2, 1], [1, 2], [2, 1], 2])
C(N, "conv2d_depthwise", "conv2d.default", lambda: [In(rand(1, 4, 6, 6)), W(rand(4, 1, 3, 3)), W(rand(4)), [1, 1], [1, 1], [1, 1], 4])
C(N, "conv2d_same", "conv2d.padding", lambda: [In(rand(1, 2, 6, 7)), W(rand(3, 2, 4, 3) * 0.3), W(rand(3)), [1, 1], "same", [1, 2]])
C(N, "conv2d_valid", "conv2d.padding", lambda: [In(rand(1, 2, 6, 7)), W(rand(3, 2, 3, 3) * 0.3), None, [2, 2], "valid"])
C(N, "conv2d_unbatched", "conv2d.default", lambda: [In(rand(3, 5, 5)), W(rand(2, 3, 3, 3) * 0.3)])
C(N, "conv1d", "conv1d.default", lambda: [In(rand(2, 3, 10)), W(rand(4, 3, 3) * 0.3), W(rand(4)), [2], [1], [1], 1])
C(N, "conv1d_same_even_kernel", "conv1d.padding", lambda: [In(rand(1, 2, 9)), W(rand(2, 2, 4) * 0.3), None, [1], "same", [1]])
C(N, "conv3d", "conv3d.default", lambda: [In(rand(1, 2, 4, 5, 5)), W(rand(3, 2, 2, 3, 3) * 0.3), W(rand(3)), [1, 2, 1], [0, 1, 1]])
C(N, "convolution_generic", "_convolution.default", lambda: [In(rand(1, 3, 6, 6)), W(rand(4, 3, 3, 3) * 0.3), W(rand(4)), [1, 1], [1, 1], [1, 1], False, [0, 0], 1, False, False, True, True])
C(N, "convolution_generic_transposed", "_convolution.default", lambda: [In(rand(1, 4, 5, 5)), W(rand(4, 2, 3, 3) * 0.3), W(rand(2)), [2, 2], [1, 1], [1, 1], True, [1, 1], 1, False, False, True, True])
C(N, "conv_transpose2d", "conv_transpose2d.input", lambda: [In(rand(1, 4, 5, 6)), W(rand(4, 3, 3, 3) * 0.3), W(rand(3)), [2, 2], [1, 0], [1, 0], 1, [1, 1]])
C(N, "conv_transpose2d_groups_dil", "conv_transpose2d.input", lambda: [In(rand(1, 4, 5, 5)), W(rand(4, 1, 3, 3) * 0.3), None, [1, 1], [1, 1], [0, 0], 2, [2, 2]])
C(N, "conv_transpose1d", "conv_transpose1d.default", lambda: [In(rand(2, 3, 7)), W(rand(3, 2, 4) * 0.3), W(rand(2)), [3], [1], [2]])
for ceil in [False, True]:
    tag = "ceil" if ceil else "floor"
    C(N, f"max_pool2d_{tag}", "max_pool2d.default", lambda ceil=ceil: [In(rand(1, 2, 7, 8)), [3, 3], [2, 2], [1, 0], [1, 1], ceil])
    C(N, f"max_pool2d_dil_{tag}", "max_pool2d.default", lambda ceil=ceil: [In(rand(1, 2, 9, 9)), [2, 3], [2, 2], [0, 1], [2, 1], ceil])
    C(N, f"avg_pool2d_{tag}_include", "avg_pool2d.default", lambda ceil=ceil: [In(rand(1, 2, 7, 8)), [3, 3], [2, 2], [1, 1], ceil, True])
    C(N, f"avg_pool2d_{tag}_exclude", "avg_pool2d.default", lambda ceil=ceil: [In(rand(1, 2, 7, 8)), [3, 3], [2, 2], [1, 1], ceil, False])
    C(N, f"avg_pool2d_{tag}_divisor", "avg_pool2d.default", lambda ceil=ceil: [In(rand(1, 2, 7, 8)), [3, 2], [2, 2], [1, 1], ceil, True, 5])
C(N, "max_pool2d_default_stride", "max_pool2d.default", lambda: [In(rand(2, 3, 6, 6)), [2, 2]])
C(N, "max_pool2d_unbatched", "max_pool2d.default", lambda: [In(rand(3, 6, 6)), [2, 2]])
C(N, "max_pool1d", "max_pool1d.default", lambda: [In(rand(2, 3, 11)), [3], [2], [1], [1], True])
C(N, "max_pool3d", "max_pool3d.default", lambda: [In(rand(1, 2, 5, 5, 5)), [2, 2, 2], [2, 2, 2], [0, 0, 0], [1, 1, 1], True])
C(N, "max_pool2d_with_indices", "max_pool2d_with_indices.default", lambda: [In(rand(2, 2, 7, 7)), [3, 3], [2, 2], [1, 1], [1, 1], True])
C(N, "avg_pool1d", "avg_pool1d.default", lambda: [In(rand(2, 3, 11)), [3], [2], [1], True, True])
C(N, "avg_pool3d", "avg_pool3d.default", lambda: [In(rand(1, 2, 5, 6, 5)), [2, 3, 2], [2, 2, 2], [1, 1, 0], False, False])
for out in [[1, 1], [2, 2], [3, 3], [7, 7], [2, 3], [5, 4]]:
    C(N, f"adaptive_avg_pool2d_{out[0]}x{out[1]}", "adaptive_avg_pool2d.default", lambda out=out: [In(rand(2, 3, 7, 6)), out])
    C(N, f"adaptive_max_pool2d_{out[0]}x{out[1]}_values", "adaptive_max_pool2d.default", lambda out=out: [In(rand(2, 3, 7, 6)), out], used=[0])
for out in [[1, 1], [2, 3], [6, 2]]:
    C(N, f"adaptive_max_pool2d_{out[0]}x{out[1]}_indices", "adaptive_max_pool2d.default", lambda out=out: [In(rand(2, 3, 6, 6)), out])
C(N, "adaptive_avg_pool2d_divisible", "adaptive_avg_pool2d.default", lambda: [In(rand(1, 2, 8, 6)), [4, 3]])
C(N, "adaptive_avg_pool1d", "adaptive_avg_pool1d.default", lambda: [In(rand(2, 3, 10)), [4]])
C(N, "adaptive_avg_pool3d", "adaptive_avg_pool3d.default", lambda: [In(rand(1, 2, 5, 4, 6)), [2, 3, 4]])
C(N, "adaptive_avg_pool2d_unbatched", "adaptive_avg_pool2d.default", lambda: [In(rand(3, 5, 5)), [2, 2]])

# ---------------------------------------------------------------- normalization
C(N, "batch_norm_eval", "batch_norm.default", lambda: [In(rand(2, 3, 4, 4)), W(rand(3)), W(rand(3)), W(rand(3)), W(rand(3, low=0.5, high=2)), False, 0.1, 1e-5, True])
C(N, "batch_norm_eval_noaffine", "batch_norm.default", lambda: [In(rand(2, 3, 5)), None, None, W(rand(3)), W(rand(3, low=0.5, high=2)), False, 0.1, 1e-3, True])
C(N, "batch_norm_1d_rank2", "batch_norm.default", lambda: [In(rand(4, 3)), W(rand(3)), W(rand(3)), W(rand(3)), W(rand(3, low=0.5, high=2)), False, 0.1, 1e-5, True])
C(N, "batch_norm_training", "batch_norm.default", lambda: [In(rand(4, 3, 2, 2)), W(rand(3)), W(rand(3)), W(torch.zeros(3)), W(torch.ones(3)), True, 0.1, 1e-5, True])
C(N, "instance_norm", "instance_norm.default", lambda: [In(rand(2, 3, 4, 5)), W(rand(3)), W(rand(3)), None, None, True, 0.1, 1e-5, True])
C(N, "instance_norm_noaffine", "instance_norm.default", lambda: [In(rand(2, 3, 6)), None, None, None, None, True, 0.1, 1e-5, True])
C(N, "layer_norm_last", "layer_norm.default", lambda: [In(rand(2, 3, 8)), [8], W(rand(8)), W(rand(8))], opsets=[13, 17, 21])
C(N, "layer_norm_two_dims", "layer_norm.default", lambda: [In(rand(2, 3, 4)), [3, 4], W(rand(3, 4)), None, 1e-3], opsets=[13, 17])
C(N, "layer_norm_noaffine", "layer_norm.default", lambda: [In(rand(2, 5)), [5]], opsets=[13, 17])
C(N, "group_norm", "group_norm.default", lambda: [In(rand(2, 6, 3, 3)), 3, W(rand(6)), W(rand(6))])
C(N, "group_norm_noaffine_3d", "group_norm.default", lambda: [In(rand(2, 4, 5)), 2])
C(N, "embedding", "embedding.default", lambda: [W(rand(10, 4)), In(torch.tensor([[1, 3, 0], [9, 2, -1 + 10]]))])
C(N, "embedding_padding_idx", "embedding.default", lambda: [W(rand(10, 4)), In(torch.tensor([0, 3, 0])), 0])


def rnn_case(name, op, mode, layers, bidirectional, batch_first, has_biases=True, input_size=3, hidden=4, seq=5, batch=2):
    gen(name)
    module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn_tanh": torch.nn.RNN, "rnn_relu": torch.nn.RNN}[mode]
    kwargs = {"nonlinearity": "relu" if mode == "rnn_relu" else "tanh"} if mode.startswith("rnn") else {}
    torch.manual_seed(zlib.crc32(name.encode()))
    m = module(input_size, hidden, num_layers=layers, bias=has_biases, batch_first=batch_first, bidirectional=bidirectional, **kwargs)
    dirs = 2 if bidirectional else 1
    x = rand(batch, seq, input_size) if batch_first else rand(seq, batch, input_size)
    h0 = rand(layers * dirs, batch, hidden, low=-1, high=1)
    params = [W(p.detach().clone()) for p in m._flat_weights]
    if mode == "lstm":
        c0 = rand(layers * dirs, batch, hidden, low=-1, high=1)
        args = [In(x), [In(h0), In(c0)], params, has_biases, layers, 0.0, False, bidirectional, batch_first]
    else:
        args = [In(x), In(h0), params, has_biases, layers, 0.0, False, bidirectional, batch_first]
    case(N, name, op, args)


for mode, op in [("lstm", "lstm.input"), ("gru", "gru.input"), ("rnn_tanh", "rnn_tanh.input"), ("rnn_relu", "rnn_relu.input")]:
    rnn_case(f"{mode}_1layer", op, mode, 1, False, False)
    rnn_case(f"{mode}_2layer_bidirectional_batch_first", op, mode, 2, True, True)
rnn_case("lstm_nobias_3layer", "lstm.input", "lstm", 3, False, False, has_biases=False)
rnn_case("gru_bidirectional", "gru.input", "gru", 1, True, False)


def padding_mask(b, s, lengths):
    """[b, s] key padding mask, True past each row's length."""
    return torch.arange(s).unsqueeze(0) >= torch.tensor(lengths).unsqueeze(1)


def attention_mask(kind, b, heads, l, lengths=None):
    """(mask, mask_type) for the fused attention ops: None, a [B, S] key padding mask (bool, float or uint8;
    nonzero = masked), mask_type 2 with the same [B, S] mask, or a [B, H, L, S] mask (every query keeps key 0 unless
    the case wants a fully masked row)."""
    if kind is None:
        return None, None
    lengths = lengths or [max(1, l - 1 - (i % max(1, l - 1))) for i in range(b)]
    pad = padding_mask(b, l, lengths)
    if kind == "padding":
        return pad, 1
    if kind == "padding_float":
        # Nonzero floats of either sign (and -inf) mask; 0.0 and -0.0 keep.
        values = torch.where(pad, torch.tensor([0.5, -float("inf"), -2.0] * l)[:l].expand(b, l), torch.tensor(-0.0))
        return values.to(f32), 1
    if kind == "padding_uint8":
        return pad.to(u8), 1
    if kind == "padding_type2":
        return pad, 2
    if kind == "full_row_masked":
        pad = pad.clone()
        pad[0, :] = True
        return pad, 1
    if kind in ("dense", "dense_type2"):
        dense = rand(b, heads, l, l, low=0, high=1) > 0.6
        dense[..., 0] = False
        return dense, 1 if kind == "dense" else 2
    raise ValueError(kind)


def mha_case(name, mask_kind=None, embed=8, heads=2, b=2, l=5, need_weights=True, average=True, cross=False, dtype=f32):
    """_native_multi_head_attention on a random nn.MultiheadAttention's parameters (batch_first [B, L, E])."""
    gen(name)
    torch.manual_seed(zlib.crc32(name.encode()))
    m = torch.nn.MultiheadAttention(embed, heads, batch_first=True).to(dtype)
    with torch.no_grad():
        m.in_proj_bias.uniform_(-0.5, 0.5, generator=_gen)
        m.out_proj.bias.uniform_(-0.5, 0.5, generator=_gen)
    q = rand(b, l, embed, dtype=dtype)
    kv = rand(b, l, embed, dtype=dtype) if cross else None
    mask, mask_type = attention_mask(mask_kind, b, heads, l)
    query = In(q)
    key = In(kv) if cross else query
    args = [query, key, key, embed, heads, W(m.in_proj_weight.detach().clone()), W(m.in_proj_bias.detach().clone()),
            W(m.out_proj.weight.detach().clone()), W(m.out_proj.bias.detach().clone()), In(mask) if mask is not None else None,
            need_weights, average, mask_type]
    case(N, name, "_native_multi_head_attention.default", args, rtol=1e-4, atol=1e-5, used=None if need_weights else [0])


mha_case("native_mha_nomask")
mha_case("native_mha_key_padding", "padding")
mha_case("native_mha_key_padding_float", "padding_float")
mha_case("native_mha_key_padding_uint8", "padding_uint8")
mha_case("native_mha_key_padding_mask_type2", "padding_type2")
mha_case("native_mha_dense_mask", "dense", need_weights=True, average=False)
mha_case("native_mha_dense_mask_type2", "dense_type2")
mha_case("native_mha_fully_masked_row_nan", "full_row_masked")
mha_case("native_mha_no_weights", "padding", need_weights=False)
mha_case("native_mha_per_head_weights", "padding", average=False)
mha_case("native_mha_cross_same_shape", "padding", cross=True)
mha_case("native_mha_1head", "padding", embed=6, heads=1, l=4)
mha_case("native_mha_4heads", "padding", embed=16, heads=4, b=3, l=6)
mha_case("native_mha_8heads_dim2", None, embed=16, heads=8, b=1, l=3, average=False)
mha_case("native_mha_3heads_odd", "padding", embed=12, heads=3, b=2, l=4)
mha_case("native_mha_f64", "padding", dtype=f64)


def encoder_case(name, norm_first, gelu, mask_kind=None, embed=8, heads=2, ffn=12, b=2, l=5, eps=1e-5, opsets=None):
    """_transformer_encoder_layer_fwd on a random nn.TransformerEncoderLayer's parameters (the op is batch-first:
    [B, L, E]); layer-norm affines randomised so that they are not the identity."""
    gen(name)
    torch.manual_seed(zlib.crc32(name.encode()))
    layer = torch.nn.TransformerEncoderLayer(embed, heads, ffn, dropout=0.0, activation="gelu" if gelu else "relu",
                                             norm_first=norm_first, batch_first=True, layer_norm_eps=eps)
    with torch.no_grad():
        for p in [layer.self_attn.in_proj_bias, layer.self_attn.out_proj.bias, layer.linear1.bias, layer.linear2.bias,
                  layer.norm1.bias, layer.norm2.bias]:
            p.uniform_(-0.5, 0.5, generator=_gen)
        for p in [layer.norm1.weight, layer.norm2.weight]:
            p.uniform_(0.5, 1.5, generator=_gen)
    a = layer.self_attn
    mask, mask_type = attention_mask(mask_kind, b, heads, l)
    P = lambda t: W(t.detach().clone())  # noqa: E731
    args = [In(rand(b, l, embed)), embed, heads, P(a.in_proj_weight), P(a.in_proj_bias), P(a.out_proj.weight), P(a.out_proj.bias),
            gelu, norm_first, eps, P(layer.norm1.weight), P(layer.norm1.bias), P(layer.norm2.weight), P(layer.norm2.bias),
            P(layer.linear1.weight), P(layer.linear1.bias), P(layer.linear2.weight), P(layer.linear2.bias),
            In(mask) if mask is not None else None, mask_type]
    case(N, name, "_transformer_encoder_layer_fwd.default", args, rtol=1e-4, atol=1e-5, opsets=opsets)


for nf in (False, True):
    for gelu in (False, True):
        tag = f"{'norm_first' if nf else 'post_norm'}_{'gelu' if gelu else 'relu'}"
        encoder_case(f"encoder_layer_{tag}", nf, gelu, opsets=[13, 17, 21])
        encoder_case(f"encoder_layer_{tag}_key_padding", nf, gelu, "padding")
encoder_case("encoder_layer_key_padding_float", False, False, "padding_float")
encoder_case("encoder_layer_key_padding_mask_type2", True, True, "padding_type2")
encoder_case("encoder_layer_dense_mask", True, False, "dense", opsets=[13, 17])
encoder_case("encoder_layer_1head", False, True, "padding", embed=6, heads=1, ffn=10)
encoder_case("encoder_layer_4heads", True, True, "padding", embed=16, heads=4, ffn=24, b=3, l=6)
encoder_case("encoder_layer_8heads_eps", False, False, None, embed=32, heads=8, ffn=16, b=2, l=3, eps=1e-3)
encoder_case("encoder_layer_batch1_len1", True, True, None, b=1, l=1)

# ---------------------------------------------------------------- shapes
S = "shapes"
C(S, "view_minus_one", "view.default", lambda: [In(rand(2, 3, 4)), [2, -1]], opsets=[13, 21])
C(S, "reshape_flat", "reshape.default", lambda: [In(rand(2, 3, 4)), [-1]])
C(S, "reshape_zero_size", "reshape.default", lambda: [In(rand(0, 3)), [3, 0]], opsets=[14, 17])
C(S, "view_as", "view_as.default", lambda: [In(rand(2, 6)), In(rand(3, 4))])
C(S, "flatten_from1", "flatten.using_ints", lambda: [In(rand(2, 3, 4, 5)), 1])
C(S, "flatten_middle", "flatten.using_ints", lambda: [In(rand(2, 3, 4, 5)), 1, 2])
C(S, "flatten_all", "flatten.using_ints", lambda: [In(rand(2, 3, 4))])
C(S, "flatten_scalar", "flatten.using_ints", lambda: [In(torch.tensor(3.0))])
C(S, "flatten_negative", "flatten.using_ints", lambda: [In(rand(2, 3, 4, 5)), -3, -2])
C(S, "unflatten", "unflatten.int", lambda: [In(rand(2, 12, 3)), 1, [3, -1]])
C(S, "permute", "permute.default", lambda: [In(rand(2, 3, 4)), [2, 0, -2]])
C(S, "transpose", "transpose.int", lambda: [In(rand(2, 3, 4)), 0, -1])
C(S, "t_2d", "t.default", lambda: [In(rand(2, 3))])
C(S, "t_1d", "t.default", lambda: [In(rand(3))])
C(S, "movedim", "movedim.intlist", lambda: [In(rand(2, 3, 4, 5)), [0, 1], [-1, 0]])
C(S, "contiguous", "contiguous.default", lambda: [In(rand(2, 3))])
C(S, "clone", "clone.default", lambda: [In(rand(2, 3, dtype=i64))])
C(S, "unsqueeze_neg", "unsqueeze.default", lambda: [In(rand(2, 3)), -1])
C(S, "unsqueeze_0", "unsqueeze.default", lambda: [In(rand(2, 3)), 0])
C(S, "squeeze_all", "squeeze.default", lambda: [In(rand(1, 3, 1, 2))])
C(S, "squeeze_dim", "squeeze.dim", lambda: [In(rand(1, 3, 1, 2)), 2])
C(S, "squeeze_dim_not_one", "squeeze.dim", lambda: [In(rand(1, 3, 1, 2)), 1])
C(S, "expand", "expand.default", lambda: [In(rand(3, 1)), [2, -1, 4]])
C(S, "expand_as", "expand_as.default", lambda: [In(rand(1, 4)), In(rand(3, 4))])
C(S, "repeat", "repeat.default", lambda: [In(rand(2, 3)), [2, 1, 3]])
C(S, "repeat_same_rank", "repeat.default", lambda: [In(rand(2, 3, dtype=i64)), [3, 2]])
C(S, "cat_dim1", "cat.default", lambda: [[In(rand(2, 3)), In(rand(2, 1)), W(rand(2, 2))], 1])
C(S, "cat_promote", "cat.default", lambda: [[In(rand(2, dtype=i64)), In(rand(3))], 0])
C(S, "cat_skips_empty", "cat.default", lambda: [[In(rand(2, 3)), In(torch.zeros(0)), In(rand(1, 3))], 0])
C(S, "cat_negative", "cat.default", lambda: [[In(rand(2, 3)), In(rand(2, 3))], -1])
C(S, "stack_0", "stack.default", lambda: [[In(rand(2, 3)), In(rand(2, 3))]])
C(S, "stack_last", "stack.default", lambda: [[In(rand(2, 3)), In(rand(2, 3)), In(rand(2, 3))], -1])
C(S, "chunk_even", "chunk.default", lambda: [In(rand(6, 4)), 3])
C(S, "chunk_uneven", "chunk.default", lambda: [In(rand(5, 4)), 3, 0])
C(S, "chunk_fewer", "chunk.default", lambda: [In(rand(2, 6)), 4, 1])
C(S, "split_size", "split.Tensor", lambda: [In(rand(7, 2)), 3])
C(S, "split_sizes", "split.sizes", lambda: [In(rand(2, 7)), [2, 5], -1])
C(S, "split_with_sizes", "split_with_sizes.default", lambda: [In(rand(6, 2)), [1, 2, 3]])
C(S, "unbind_1", "unbind.int", lambda: [In(rand(2, 3, 4)), 1])
C(S, "channel_shuffle", "channel_shuffle.default", lambda: [In(rand(1, 6, 2, 2)), 3])
C(S, "pixel_shuffle", "pixel_shuffle.default", lambda: [In(rand(1, 8, 2, 3)), 2])
C(S, "pixel_unshuffle", "pixel_unshuffle.default", lambda: [In(rand(1, 2, 4, 6)), 2])
C(S, "flip", "flip.default", lambda: [In(rand(2, 3, 4)), [0, -1]])
C(S, "roll", "roll.default", lambda: [In(rand(3, 4)), [1, -3], [0, 1]])
C(S, "roll_flat", "roll.default", lambda: [In(rand(3, 4)), [5]])
C(S, "narrow", "narrow.default", lambda: [In(rand(4, 5)), 1, 1, 3])
C(S, "narrow_negative_start", "narrow.default", lambda: [In(rand(4, 5)), 0, -3, 2])

# ---------------------------------------------------------------- indexing
X = "indexing"
C(X, "slice_basic", "slice.Tensor", lambda: [In(rand(5, 6)), 1, 1, 5, 2])
C(X, "slice_none_start", "slice.Tensor", lambda: [In(rand(5, 6)), 0, None, 3])
C(X, "slice_none_end", "slice.Tensor", lambda: [In(rand(5, 6)), 0, 2, None])
C(X, "slice_negative", "slice.Tensor", lambda: [In(rand(5, 6)), -1, -4, -1])
C(X, "slice_max_end", "slice.Tensor", lambda: [In(rand(5, 6)), 1, 0, 9223372036854775807, 3])
C(X, "slice_empty", "slice.Tensor", lambda: [In(rand(5, 6)), 1, 4, 2])
C(X, "slice_clamped", "slice.Tensor", lambda: [In(rand(5, 6)), 0, -100, 100])
C(X, "select", "select.int", lambda: [In(rand(3, 4, 5)), 1, 2])
C(X, "select_negative", "select.int", lambda: [In(rand(3, 4, 5)), -1, -2])
C(X, "index_single", "index.Tensor", lambda: [In(rand(5, 4)), [In(torch.tensor([4, 0, -1, 2]))]])
C(X, "index_second_dim", "index.Tensor", lambda: [In(rand(3, 5, 2)), [None, In(torch.tensor([[1, 0], [4, 3]]))]])
C(X, "index_two_adjacent", "index.Tensor", lambda: [In(rand(3, 4, 5, 2)), [None, In(torch.tensor([0, 2, 3])), In(torch.tensor([[4], [1]]))]])
C(X, "index_two_separated", "index.Tensor", lambda: [In(rand(3, 4, 5)), [In(torch.tensor([0, 2])), None, In(torch.tensor([1, 4]))]])
C(X, "index_two_leading", "index.Tensor", lambda: [In(rand(3, 4, 5)), [In(torch.tensor([0, 2, 1])), In(torch.tensor([1, 3, 0]))]])
C(X, "index_bool_mask", "index.Tensor", lambda: [In(rand(3, 4)), [In(torch.tensor([[True, False, True, False], [False, False, True, True], [True, True, False, False]]))]])
C(X, "index_bool_rows", "index.Tensor", lambda: [In(rand(4, 3)), [In(torch.tensor([True, False, True, True]))]])
C(X, "index_select", "index_select.default", lambda: [In(rand(4, 5)), 1, In(torch.tensor([4, 0, 0]))])
C(X, "gather", "gather.default", lambda: [In(rand(3, 4)), 1, In(torch.tensor([[0, 3], [1, 1], [2, 0]]))])
C(X, "take", "take.default", lambda: [In(rand(3, 4)), In(torch.tensor([[0, 11], [5, 3]]))])
C(X, "masked_select", "masked_select.default", lambda: [In(rand(3, 4)), In(rand(4, dtype=b8))])
C(X, "nonzero", "nonzero.default", lambda: [In(torch.tensor([[0, 1.5], [2, 0], [3, 4]]))])

# ---------------------------------------------------------------- creation and casts
K = "creation"
C(K, "zeros_default", "zeros.default", lambda: [[2, 3]])
C(K, "ones_i64", "ones.default", lambda: [[3]], {"dtype": torch.int64})
C(K, "zeros_bool", "zeros.default", lambda: [[2, 2]], {"dtype": torch.bool})
C(K, "full_int", "full.default", lambda: [[2, 3], 7])
C(K, "full_float", "full.default", lambda: [[2], 1.5])
C(K, "full_dtype", "full.default", lambda: [[2, 2], 2.9], {"dtype": torch.int32})
C(K, "zeros_like", "zeros_like.default", lambda: [In(rand(2, 3, dtype=i32))])
C(K, "ones_like_dtype", "ones_like.default", lambda: [In(rand(2, 3))], {"dtype": torch.float64})
C(K, "full_like", "full_like.default", lambda: [In(rand(2, 3)), -2])
C(K, "full_like_i64_float", "full_like.default", lambda: [In(rand(2, 3, dtype=i64)), 2.5])
C(K, "new_zeros", "new_zeros.default", lambda: [In(rand(2, dtype=f64)), [3, 1]])
C(K, "new_full", "new_full.default", lambda: [In(rand(2, dtype=i32)), [2], 4])
for ov, args, kw in [
    ("arange.default", [5], {}),
    ("arange.default", [5.5], {}),
    ("arange.start", [-3, 4], {}),
    ("arange.start_step", [0, 1, 0.1], {}),
    ("arange.start_step", [10, 0, -3], {}),
    ("arange.start_step", [0.5, 4, 1], {"dtype": torch.int64}),
    ("arange.start", [1, 6], {"dtype": torch.float64}),
]:
    name = "arange_" + "_".join(str(a).replace(".", "p").replace("-", "m") for a in args) + ("_dtype" if kw else "")
    C(K, name, ov, lambda args=args: list(args), kw)
C(K, "linspace", "linspace.default", lambda: [0.0, 1.0, 7])
C(K, "scalar_tensor", "scalar_tensor.default", lambda: [2.5])
for dt in [f64, i64, i32, u8, b8, torch.float16, torch.int8, torch.int16]:
    C(K, f"to_dtype_{str(dt).split('.')[1]}", "to.dtype", lambda: [In(rand(6, low=-2, high=250) if dt == u8 else rand(6, low=-5, high=5)), dt])
C(K, "to_dtype_from_i64", "to.dtype", lambda: [In(rand(6, dtype=i64)), f32])
C(K, "to_dtype_from_bool", "to.dtype", lambda: [In(rand(6, dtype=b8)), f32])
C(K, "to_f32_i64_truncates", "to.dtype", lambda: [In(torch.tensor([-1.7, -0.5, 0.5, 2.9])), i64])
C(K, "to_device", "to.device", lambda: [In(rand(4)), torch.device("cpu"), i64])
C(K, "to_other", "to.other", lambda: [In(rand(4)), In(rand(2, dtype=f64))])
C(K, "to_dtype_layout", "to.dtype_layout", lambda: [In(rand(4))], {"dtype": f64})
C(K, "type_as", "type_as.default", lambda: [In(rand(4)), In(rand(2, dtype=i32))])
C(K, "fill_scalar", "fill.Scalar", lambda: [In(rand(2, 3)), 3])
C(K, "copy", "copy.default", lambda: [In(rand(2, 3)), In(rand(3, dtype=i64))])


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith((".json", ".npz")):
            os.remove(os.path.join(OUT, name))
    total = 0
    for family, (cases, arrays) in sorted(families.items()):
        with open(os.path.join(OUT, family + ".json"), "w") as f:
            json.dump({"generator": "eng/torchscript/make-op-cases.py", "torch": torch.__version__, "cases": cases}, f, indent=1)
            f.write("\n")
        np.savez_compressed(os.path.join(OUT, family + ".npz"), **arrays)
        total += len(cases)
        print(f"{family}: {len(cases)} cases, {len(arrays)} arrays")
    print(f"{total} cases in {OUT}")


if __name__ == "__main__":
    main()
