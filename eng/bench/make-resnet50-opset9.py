#!/usr/bin/python3
"""Writes a full-size ResNet-50 (torchvision layout, ~25.6 M parameters, ~98 MB) at ai.onnx opset 9 with onnx.helper.

The graph is what exporters wrote at opset 9: Conv, BatchNormalization (no `spatial`), Relu, MaxPool, Add,
GlobalAveragePool, Flatten and Gemm, plus an Upsample-free head; weights are random from a fixed seed (nothing is
downloaded). It is the input of the opset-conversion benchmark (eng/bench/opset-bench.sh), where it is converted to
opset 13 by `buildconvert convert --opset 13` and by onnx.version_converter side by side.

Usage: /usr/bin/python3 eng/bench/make-resnet50-opset9.py OUT.onnx [--seed N]
Needs: python3-onnx, python3-numpy (Debian).
"""

import argparse
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 20261203


class Builder:
    def __init__(self, rng):
        self.rng = rng
        self.nodes = []
        self.inits = []
        self.count = 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}_{self.count}"

    def weight(self, prefix, shape, scale=None):
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
        scale = scale if scale is not None else (2.0 / fan_in) ** 0.5
        value = (self.rng.standard_normal(shape) * scale).astype(np.float32)
        name = self.name(prefix)
        self.inits.append(numpy_helper.from_array(value, name))
        return name

    def conv_bn(self, x, cin, cout, k, stride, relu=True):
        w = self.weight("conv_w", (cout, cin, k, k))
        y = self.name("conv")
        self.nodes.append(helper.make_node("Conv", [x, w], [y], kernel_shape=[k, k], strides=[stride, stride],
                                           pads=[k // 2] * 4, name=y))
        scale = self.weight("bn_scale", (cout,), 0.1)
        self.inits[-1] = numpy_helper.from_array((1 + self.rng.standard_normal(cout) * 0.1).astype(np.float32), scale)
        bias = self.weight("bn_bias", (cout,), 0.1)
        mean = self.weight("bn_mean", (cout,), 0.1)
        var = self.name("bn_var")
        self.inits.append(numpy_helper.from_array((0.5 + self.rng.random(cout)).astype(np.float32), var))
        z = self.name("bn")
        self.nodes.append(helper.make_node("BatchNormalization", [y, scale, bias, mean, var], [z], epsilon=1e-5, name=z))
        if not relu:
            return z
        r = self.name("relu")
        self.nodes.append(helper.make_node("Relu", [z], [r], name=r))
        return r

    def bottleneck(self, x, cin, width, stride):
        cout = width * 4
        a = self.conv_bn(x, cin, width, 1, 1)
        b = self.conv_bn(a, width, width, 3, stride)
        c = self.conv_bn(b, width, cout, 1, 1, relu=False)
        shortcut = x
        if stride != 1 or cin != cout:
            shortcut = self.conv_bn(x, cin, cout, 1, stride, relu=False)
        s = self.name("add")
        self.nodes.append(helper.make_node("Add", [c, shortcut], [s], name=s))
        r = self.name("relu")
        self.nodes.append(helper.make_node("Relu", [s], [r], name=r))
        return r, cout


def build(seed):
    rng = np.random.default_rng(seed)
    b = Builder(rng)
    x = b.conv_bn("input", 3, 64, 7, 2)
    p = b.name("maxpool")
    b.nodes.append(helper.make_node("MaxPool", [x], [p], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], name=p))
    x, c = p, 64
    for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for i in range(blocks):
            x, c = b.bottleneck(x, c, width, stride if i == 0 else 1)
    g = b.name("gap")
    b.nodes.append(helper.make_node("GlobalAveragePool", [x], [g], name=g))
    f = b.name("flatten")
    b.nodes.append(helper.make_node("Flatten", [g], [f], axis=1, name=f))
    w = b.weight("fc_w", (1000, 2048))
    bias = b.weight("fc_b", (1000,), 0.01)
    b.nodes.append(helper.make_node("Gemm", [f, w, bias], ["logits"], transB=1, name="fc"))
    graph = helper.make_graph(
        b.nodes, "resnet50",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 224, 224])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 1000])],
        b.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 9)], producer_name="buildconvert-bench")
    model.ir_version = 4
    onnx.checker.check_model(model)
    return model


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    model = build(args.seed)
    onnx.save(model, args.out)
    params = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
    print(f"wrote {args.out}: {len(model.graph.node)} nodes, {params} parameters")


if __name__ == "__main__":
    main(sys.argv[1:])
