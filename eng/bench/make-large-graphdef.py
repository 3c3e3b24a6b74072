#!/usr/bin/python3
"""Writes a frozen TensorFlow GraphDef with 512 MiB of float32 weights: an MLP of LAYERS dense layers
(MatMul + BiasAdd + Relu, the last without Relu) on a Placeholder `x` of shape [-1, SIZE], every weight a `Const` node
whose value is in `tensor_content` (as tf.compat.v1.graph_util.convert_variables_to_constants writes them).

No TensorFlow is needed: the protobuf wire format is written directly (field numbers from
tensorflow/core/framework/{graph,node_def,attr_value,tensor,tensor_shape,types}.proto). Values are random with a fixed
seed, scaled so that activations stay of order one.

Usage: /usr/bin/python3 eng/bench/make-large-graphdef.py OUT.pb [--size N] [--layers L]
Needs: python3-numpy (Debian).
"""

import argparse
import sys

import numpy as np

DT_FLOAT = 1


def varint(value):
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def field_bytes(number, payload):
    return varint((number << 3) | 2) + varint(len(payload)) + payload


def field_str(number, text):
    return field_bytes(number, text.encode("utf-8"))


def shape_proto(dims):
    # TensorShapeProto: repeated Dim dim = 2; Dim.size = 1.
    return b"".join(field_bytes(2, field_varint(1, d)) for d in dims)


def attr_entry(key, attr_value):
    # map<string, AttrValue> entry: key = 1, value = 2.
    return field_bytes(5, field_str(1, key) + field_bytes(2, attr_value))


def attr_type(dtype):
    return field_varint(6, dtype)


def attr_shape(dims):
    return field_bytes(7, shape_proto(dims))


def attr_tensor(array):
    # TensorProto: dtype = 1, tensor_shape = 2, tensor_content = 4.
    tensor = field_varint(1, DT_FLOAT) + field_bytes(2, shape_proto(array.shape)) + field_bytes(4, array.astype("<f4").tobytes())
    return field_bytes(8, tensor)


def node(name, op, inputs=(), attrs=()):
    body = field_str(1, name) + field_str(2, op)
    body += b"".join(field_str(3, i) for i in inputs)
    body += b"".join(attr_entry(k, v) for k, v in attrs)
    return field_bytes(1, body)


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--size", type=int, default=8192)
    parser.add_argument("--layers", type=int, default=2)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(20261203)
    size = args.size
    with open(args.out, "wb") as out:
        out.write(node("x", "Placeholder", attrs=[("dtype", attr_type(DT_FLOAT)), ("shape", attr_shape([-1, size]))]))
        x = "x"
        for i in range(args.layers):
            w = (rng.standard_normal((size, size), dtype=np.float32) / np.sqrt(size)).astype(np.float32)
            b = rng.standard_normal(size, dtype=np.float32) * 0.01
            out.write(node(f"dense{i}/kernel", "Const", attrs=[("dtype", attr_type(DT_FLOAT)), ("value", attr_tensor(w))]))
            out.write(node(f"dense{i}/bias", "Const", attrs=[("dtype", attr_type(DT_FLOAT)), ("value", attr_tensor(b))]))
            out.write(node(f"dense{i}/MatMul", "MatMul", [x, f"dense{i}/kernel"],
                           [("T", attr_type(DT_FLOAT)), ("transpose_a", field_varint(5, 0)), ("transpose_b", field_varint(5, 0))]))
            out.write(node(f"dense{i}/BiasAdd", "BiasAdd", [f"dense{i}/MatMul", f"dense{i}/bias"],
                           [("T", attr_type(DT_FLOAT)), ("data_format", field_bytes(2, b"NHWC"))]))
            x = f"dense{i}/BiasAdd"
            if i + 1 < args.layers:
                out.write(node(f"dense{i}/Relu", "Relu", [x], [("T", attr_type(DT_FLOAT))]))
                x = f"dense{i}/Relu"
        out.write(node("y", "Identity", [x], [("T", attr_type(DT_FLOAT))]))
        # versions = 4: VersionDef.producer = 1.
        out.write(field_bytes(4, field_varint(1, 27)))
    print(f"wrote {args.out}: {args.layers} dense layers of {size}x{size}, input x:0 [-1,{size}], output y:0")


if __name__ == "__main__":
    main(sys.argv[1:])
