using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Converters.TensorFlow.Math;

/// <summary>
/// Activations (https://www.tensorflow.org/api_docs/python/tf/raw_ops): <c>Relu</c>, <c>Relu6</c>, <c>Elu</c>,
/// <c>Selu</c>, <c>LeakyRelu</c> (<c>alpha</c>, default 0.2), <c>Sigmoid</c>, <c>Tanh</c>, <c>Softplus</c>,
/// <c>Softsign</c>, and <c>Softmax</c>/<c>LogSoftmax</c> over the last dimension (ONNX 13's single-axis form).
/// </summary>
internal static class ActivationConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("Relu", 13, Relu, "integers: Max(x, 0) below opset 14");
        r.Add("Relu6", 13, Relu6);
        r.Add("Elu", 13, Unary("Elu"));
        r.Add("Selu", 13, Selu);
        r.Add("LeakyRelu", 13, LeakyRelu);
        r.Add("Sigmoid", 13, Unary("Sigmoid"));
        r.Add("Tanh", 13, Unary("Tanh"));
        r.Add("Softplus", 13, Unary("Softplus"));
        r.Add("Softsign", 13, Unary("Softsign"));
        r.Add("Softmax", 13, LastAxis("Softmax"));
        r.Add("LogSoftmax", 13, LastAxis("LogSoftmax"));
    }

    private static TfOpHandler Unary(string onnx) => c => c.SetOutput(0, c.Builder.Op(onnx, c.Input(0)));

    /// <summary>Relu(x) = max(x, 0); ONNX Relu takes integers from opset 14.</summary>
    private static void Relu(TfNodeContext c)
    {
        var type = c.InputElementType(0);
        c.SetOutput(0, ElementwiseConverters.IsFloat(type) || c.Opset >= 14
            ? c.Builder.Op("Relu", c.Input(0))
            : c.Builder.Op("Max", c.Input(0), c.Builder.Scalar(type, 0)));
    }

    /// <summary>Relu6(x) = min(max(x, 0), 6).</summary>
    private static void Relu6(TfNodeContext c)
    {
        var type = c.InputElementType(0);
        c.SetOutput(0, c.Builder.Clip(c.Input(0), c.Builder.Scalar(type, 0), c.Builder.Scalar(type, 6)));
    }

    /// <summary>Selu(x) = scale * (x if x > 0 else alpha * (exp(x) - 1)), with TensorFlow's constants.</summary>
    private static void Selu(TfNodeContext c) =>
        c.SetOutput(0, c.Builder.Op("Selu", new[] { c.Input(0) },
            NodeAttribute.Of("alpha", 1.6732632423543772f), NodeAttribute.Of("gamma", 1.0507009873554805f)));

    /// <summary>LeakyRelu(x, alpha = 0.2) = x if x > 0 else alpha * x.</summary>
    private static void LeakyRelu(TfNodeContext c) =>
        c.SetOutput(0, c.Builder.Op("LeakyRelu", new[] { c.Input(0) }, NodeAttribute.Of("alpha", c.Float("alpha", 0.2f))));

    /// <summary>Softmax/LogSoftmax(logits) over the last dimension.</summary>
    private static TfOpHandler LastAxis(string onnx) => c =>
        c.SetOutput(0, c.Builder.Op(onnx, new[] { c.Input(0) }, NodeAttribute.Of("axis", -1L)));
}
