#!/usr/bin/python3
"""Writes a 1 GiB model at ai.onnx opset 6 (IR 3): four Gemm layers of 8192x8192 float32 weights (random, fixed seed),
every initializer also a graph input as IR 3 requires. Converting it to a newer opset rewrites every node (Gemm 6 -> 7
drops `broadcast`), so it measures peak memory of a whole conversion on a model of a size users do ship.

Usage: /usr/bin/python3 eng/bench/make-large-opset6.py OUT.onnx
Needs: python3-onnx, python3-numpy (Debian).
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SIZE = 8192
LAYERS = 4


def main(out):
    rng = np.random.default_rng(20261203)
    nodes, initializers = [], []
    x = "x"
    for i in range(LAYERS):
        initializers.append(numpy_helper.from_array(rng.standard_normal((SIZE, SIZE), dtype=np.float32) * 0.01, f"w{i}"))
        initializers.append(numpy_helper.from_array(np.zeros((1, SIZE), np.float32), f"b{i}"))
        nodes.append(helper.make_node("Gemm", [x, f"w{i}", f"b{i}"], [f"g{i}"], transB=1, broadcast=0, name=f"gemm{i}"))
        x = f"g{i}"
    graph = helper.make_graph(nodes, "large", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, SIZE])],
                              [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, SIZE])], initializers)
    graph.input.extend(helper.make_tensor_value_info(t.name, TensorProto.FLOAT, list(t.dims)) for t in initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 6)], producer_name="buildconvert-bench")
    model.ir_version = 3
    onnx.save(model, out)


if __name__ == "__main__":
    main(sys.argv[1])
