using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript.Math;

/// <summary>
/// Activations, softmax and dropout (https://pytorch.org/docs/1.13/nn.functional.html#non-linear-activation-functions),
/// each with PyTorch's definition: <c>relu6</c>/<c>hardtanh</c> clamp; <c>hardsigmoid</c> is relu6(x + 3) / 6 and
/// <c>hardswish</c> x times it; <c>gelu</c> with approximate 'none' (erf) or 'tanh'; <c>elu</c> with alpha, scale and
/// input_scale; <c>softplus</c> with beta and its linear threshold; <c>softmax</c>/<c>log_softmax</c> cast to the dtype
/// argument first. Dropout in evaluation mode is the identity; with train=True it is refused (BCONV2202).
/// </summary>
internal static class ActivationConverters
{
    public static void Register(OpConverterRegistry<TorchOpHandler> r)
    {
        r.Op("aten::relu", Relu, inPlace: true);
        r.Op("aten::relu6", c => Clamp(c, 0, 6), inPlace: true);
        r.Op("aten::hardtanh", c => Clamp(c, c.Double(1, "min_val"), c.Double(2, "max_val")), inPlace: true);
        r.Op("aten::sigmoid", c => ElementwiseConverters.Unary(c, x => c.Builder.Op("Sigmoid", x)), inPlace: true);
        r.Op("aten::tanh", c => ElementwiseConverters.Unary(c, x => c.Builder.Op("Tanh", x)), inPlace: true);
        r.Op("aten::hardsigmoid", c => FloatOnly(c, x => HardSigmoid(c.Builder, x)), "HardSigmoid(alpha=1/6, beta=1/2)", inPlace: true);
        r.Op("aten::hardswish", c => FloatOnly(c, x => c.Builder.Op("Mul", x, HardSigmoid(c.Builder, x))), inPlace: true);
        r.Op("aten::silu", c => FloatOnly(c, x => c.Builder.Op("Mul", x, c.Builder.Op("Sigmoid", x))), inPlace: true);
        r.Op("aten::mish", c => FloatOnly(c, x => c.Builder.Op("Mul", x, c.Builder.Op("Tanh", c.Builder.Op("Softplus", x)))), inPlace: true);
        r.Op("aten::gelu", Gelu, "approximate 'none' and 'tanh'; ONNX Gelu from opset 20", inPlace: true);
        r.Op("aten::elu", Elu, "alpha, scale, input_scale", inPlace: true);
        r.Op("aten::selu", c => FloatOnly(c, x => c.Builder.Op("Selu", x)), inPlace: true);
        r.Op("aten::celu", c => FloatOnly(c, x => c.Builder.Op("Celu", new[] { x }, NodeAttribute.Of("alpha", (float)c.Double(1, "alpha")))), inPlace: true);
        r.Op("aten::leaky_relu", c => FloatOnly(c, x => c.Builder.Op("LeakyRelu", new[] { x }, NodeAttribute.Of("alpha", (float)c.Double(1, "negative_slope")))), inPlace: true);
        r.Op("aten::prelu", Prelu);
        r.Op("aten::softplus", Softplus, "beta and threshold");
        r.Op("aten::log_sigmoid", c => FloatOnly(c, x => c.Builder.Op("Neg", c.Builder.Op("Softplus", c.Builder.Op("Neg", x)))));
        r.Op("aten::threshold", Threshold, inPlace: true);
        r.Op("aten::hardshrink", c => Shrink(c, true));
        r.Op("aten::softshrink", c => Shrink(c, false));
        r.Op("aten::glu", Glu);
        r.Op("aten::softmax", c => Softmax(c, "Softmax"), "dtype cast first");
        r.Op("aten::log_softmax", c => Softmax(c, "LogSoftmax"), "dtype cast first");
        foreach (var name in new[] { "dropout", "feature_dropout", "alpha_dropout", "feature_alpha_dropout" })
        {
            r.Op("aten::" + name, Dropout, "identity with train=False; train=True is refused (BCONV2202)", inPlace: true);
        }
    }

    private static void FloatOnly(TorchNodeContext c, Func<Value, Value> f)
    {
        var x = c.Tensor(0);
        if (!TorchScalarTypes.IsFloating(c.ElementType(x)))
        {
            throw c.Error($"{c.Kind} takes floating-point tensors, and the input is {c.ElementType(x)}");
        }

        c.SetOutput(0, f(x));
    }

    private static Value HardSigmoid(OpBuilder b, Value x) =>
        b.Op("HardSigmoid", new[] { x }, NodeAttribute.Of("alpha", 1f / 6), NodeAttribute.Of("beta", 0.5f));

    private static void Relu(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var type = c.ElementType(x);
        if (type == DataType.Bool)
        {
            throw c.Error("relu of a bool tensor is not supported by PyTorch");
        }

        c.SetOutput(0, TorchScalarTypes.IsFloating(type) ? c.Builder.Op("Relu", x) : c.Builder.Op("Max", x, c.Builder.Scalar(type, 0)));
    }

    private static void Clamp(TorchNodeContext c, double min, double max)
    {
        var x = c.Tensor(0);
        var type = c.ElementType(x);
        var b = c.Builder;
        c.SetOutput(0, b.Op("Min", b.Op("Max", x, b.Scalar(type, min)), b.Scalar(type, max)));
    }

    private static void Gelu(TorchNodeContext c)
    {
        var approximate = c.InputCount > 1 ? c.String(1, "approximate") : "none";
        if (approximate is not ("none" or "tanh"))
        {
            throw c.Error($"approximate '{approximate}' is not one of 'none' and 'tanh'");
        }

        FloatOnly(c, x => GeluOf(c, x, approximate));
    }

    /// <summary>gelu(<paramref name="x"/>) with approximate 'none' (erf) or 'tanh': ONNX Gelu from opset 20, spelled out below it.</summary>
    internal static Value GeluOf(TorchNodeContext c, Value x, string approximate)
    {
        var b = c.Builder;
        if (c.Opset >= 20)
        {
            return b.Op("Gelu", new[] { x }, NodeAttribute.Of("approximate", approximate));
        }

        var type = c.ElementType(x);
        var half = b.Scalar(type, 0.5);
        var one = b.Scalar(type, 1);
        Value inner;
        if (approximate == "none")
        {
            inner = b.Op("Erf", b.Op("Mul", x, b.Scalar(type, 1 / System.Math.Sqrt(2))));
        }
        else
        {
            var cube = b.Op("Mul", b.Op("Mul", x, x), x);
            var poly = b.Op("Add", x, b.Op("Mul", cube, b.Scalar(type, 0.044715)));
            inner = b.Op("Tanh", b.Op("Mul", poly, b.Scalar(type, System.Math.Sqrt(2 / System.Math.PI))));
        }

        return b.Op("Mul", b.Op("Mul", x, half), b.Op("Add", inner, one));
    }

    private static void Elu(TorchNodeContext c)
    {
        var alpha = c.Double(1, "alpha");
        var scale = c.InputCount > 2 ? c.Double(2, "scale") : 1;
        var inputScale = c.InputCount > 3 ? c.Double(3, "input_scale") : 1;
        FloatOnly(c, x =>
        {
            var b = c.Builder;
            if (scale == 1 && inputScale == 1)
            {
                return b.Op("Elu", new[] { x }, NodeAttribute.Of("alpha", (float)alpha));
            }

            // scale * x for x > 0; scale * alpha * (exp(x * input_scale) - 1) otherwise.
            var type = c.ElementType(x);
            var negative = b.Op("Mul", b.Op("Sub", b.Op("Exp", b.Op("Mul", x, b.Scalar(type, inputScale))), b.Scalar(type, 1)), b.Scalar(type, alpha));
            var chosen = b.Op("Where", b.Op("Greater", x, b.Scalar(type, 0)), x, negative);
            return b.Op("Mul", chosen, b.Scalar(type, scale));
        });
    }

    private static void Prelu(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var weight = c.Tensor(1);
        var rank = c.Rank(x, "prelu");
        var count = TorchNodeContext.ShapeOf(weight) is { } ws && ws.All(d => d.IsFixed) ? ws.Aggregate(1L, (a, d) => a * d.Value!.Value) : -1;
        if (count != 1 && rank >= 2)
        {
            // One slope per channel (dimension 1): [C] broadcast as [C, 1, ..., 1].
            weight = c.Builder.Reshape(weight, new long[] { -1 }.Concat(Enumerable.Repeat(1L, rank - 2)).ToArray());
        }

        c.SetOutput(0, c.Builder.Op("PRelu", x, c.CastTo(weight, c.ElementType(x))));
    }

    private static void Softplus(TorchNodeContext c)
    {
        var beta = c.Double(1, "beta");
        var threshold = c.Double(2, "threshold");
        FloatOnly(c, x =>
        {
            var b = c.Builder;
            var type = c.ElementType(x);
            var scaled = beta == 1 ? x : b.Op("Mul", x, b.Scalar(type, beta));
            var soft = b.Op("Softplus", scaled);
            if (beta != 1)
            {
                soft = b.Op("Div", soft, b.Scalar(type, beta));
            }

            // PyTorch reverts to the identity where beta * x > threshold.
            return b.Op("Where", b.Op("Greater", scaled, b.Scalar(type, threshold)), x, soft);
        });
    }

    private static void Threshold(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var type = c.ElementType(x);
        var b = c.Builder;
        c.SetOutput(0, b.Op("Where", b.Op("Greater", x, c.TensorOf(1, type)), x, c.TensorOf(2, type)));
    }

    private static void Shrink(TorchNodeContext c, bool hard)
    {
        var lambda = (float)c.Double(1, "lambd");
        FloatOnly(c, x => c.Builder.Op("Shrink", new[] { x }, NodeAttribute.Of("lambd", lambda), NodeAttribute.Of("bias", hard ? 0f : lambda)));
    }

    private static void Glu(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "glu");
        var axis = c.Axis(c.Int(1, "dim"), rank);
        var size = c.RequireDim(x, axis, "glu");
        if (size % 2 != 0)
        {
            throw c.Error($"glu halves dimension {axis}, and its size {size} is odd");
        }

        var halves = c.Builder.Split(x, axis, new[] { size / 2, size / 2 }, 2);
        c.SetOutput(0, c.Builder.Op("Mul", halves[0], c.Builder.Op("Sigmoid", halves[1])));
    }

    private static void Softmax(TorchNodeContext c, string op)
    {
        var x = c.Tensor(0);
        if (c.DType(2) is { } dtype)
        {
            x = c.CastTo(x, dtype);
        }
        else if (!TorchScalarTypes.IsFloating(c.ElementType(x)))
        {
            throw c.Error($"{c.Kind} takes floating-point tensors (or a dtype argument), and the input is {c.ElementType(x)}");
        }

        var rank = c.Rank(x, c.Kind);
        var axis = c.Axis(c.Int(1, "dim"), rank);
        if (rank == 0)
        {
            var b = c.Builder;
            var one = b.Unsqueeze(x, new long[] { 0 });
            c.SetOutput(0, b.Squeeze(b.Op(op, new[] { one }, NodeAttribute.Of("axis", 0L)), new long[] { 0 }));
            return;
        }

        c.SetOutput(0, c.Builder.Op(op, new[] { x }, NodeAttribute.Of("axis", (long)axis)));
    }

    private static void Dropout(TorchNodeContext c)
    {
        if (c.Bool(2, "train"))
        {
            throw Diagnostics.BuildConvertException.Create(Diagnostics.DiagnosticCodes.TorchScriptTrainingMode,
                $"{c.Where()}: dropout with train=True draws random masks; call model.eval() before tracing or scripting", location: c.Name);
        }

        c.SetOutput(0, c.Builder.Op("Identity", c.Tensor(0)));
    }
}
