using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.Onnx;

/// <summary>
/// The ranks and element types an opset step needs, from declared types and constants, or worked out through the
/// producers for the common operators (a small local inference: enough for broadcasting and axis rewrites; null where it
/// cannot tell). Results are remembered per value for one conversion.
/// </summary>
internal sealed class ValueFacts
{
    private static readonly HashSet<string> SameAsFirstInput = new(StringComparer.Ordinal)
    {
        "Relu", "Sigmoid", "Tanh", "Abs", "Neg", "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Elu", "Selu",
        "LeakyRelu", "HardSigmoid", "Softplus", "Softsign", "PRelu", "Dropout", "BatchNormalization", "InstanceNormalization",
        "LRN", "Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool", "GlobalLpPool",
        "Softmax", "LogSoftmax", "Hardmax", "Clip", "Identity", "Erf", "Sin", "Cos", "Tan", "Pad", "Upsample", "Resize", "Transpose",
        "Tile", "Not", "Sign", "Round", "Celu", "Gelu", "HardSwish", "Mish", "Shrink", "ThresholdedRelu", "CumSum", "LpNormalization",
        "MeanVarianceNormalization", "DepthToSpace", "SpaceToDepth", "Slice", "Split", "ScatterElements", "Scatter", "ScatterND",
        "ReverseSequence", "Swish", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "LayerNormalization",
        "GroupNormalization", "RMSNormalization", "IsNaN", "IsInf",
    };

    private static readonly HashSet<string> Broadcasting = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual",
        "And", "Or", "Xor", "Mod", "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "Where", "PRelu",
    };

    private static readonly HashSet<string> Comparisons = new(StringComparer.Ordinal)
    {
        "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Not", "IsNaN", "IsInf",
    };

    private readonly Dictionary<Value, int?> ranks = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Value, DataType?> types = new(ReferenceEqualityComparer.Instance);

    /// <summary>The rank of <paramref name="value"/>, or null when it cannot be told.</summary>
    public int? Rank(Value? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Type is { IsTensor: true, Shape: { } shape })
        {
            return shape.Count;
        }

        if (value.ConstantValue is { } c)
        {
            return c.Dims.Length;
        }

        if (ranks.TryGetValue(value, out var known))
        {
            return known;
        }

        ranks[value] = null;
        var rank = InferRank(value);
        ranks[value] = rank;
        return rank;
    }

    /// <summary>The element type of <paramref name="value"/>, or null when it cannot be told.</summary>
    public DataType? ElementType(Value? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Type is { IsTensor: true } t && t.ElementType != DataType.Undefined)
        {
            return t.ElementType;
        }

        if (value.ConstantValue is { } c)
        {
            return c.ElementType;
        }

        if (types.TryGetValue(value, out var known))
        {
            return known;
        }

        types[value] = null;
        var type = InferType(value);
        types[value] = type;
        return type;
    }

    /// <summary>The shape when the value's type declares one.</summary>
    public static IReadOnlyList<Dim>? Shape(Value? value) =>
        value?.Type is { IsTensor: true, Shape: { } s } ? s : value?.ConstantValue is { } c ? c.Dims.Select(Dim.Of).ToArray() : null;

    private int? InferRank(Value value)
    {
        if (value.Producer is not { } p || !p.IsOnnxDomain)
        {
            return null;
        }

        var op = p.OpType;
        var x = p.Input(0);
        switch (op)
        {
            case "Gemm":
            case "Flatten":
                return 2;
            case "Shape":
                return 1;
            case "Size":
                return 0;
            case "Constant":
                return p.Attribute("value")?.Tensor?.Dims.Length;
            case "MatMul":
            {
                var (a, b) = (Rank(p.Input(0)), Rank(p.Input(1)));
                if (a is null || b is null)
                {
                    return null;
                }

                return a == 1 ? b - 1 : b == 1 ? a - 1 : Math.Max(a.Value, b.Value);
            }

            case "Reshape":
                return p.Input(1)?.ConstantValue is { } shape ? (int)shape.ElementCount : p.GetInts("shape")?.Count;
            case "Unsqueeze":
            {
                var axes = p.GetInts("axes") ?? p.Input(1)?.ConstantValue?.ToInt64s();
                return Rank(x) is { } r && axes is not null ? r + axes.Count : null;
            }

            case "Squeeze":
            {
                var axes = p.GetInts("axes") ?? p.Input(1)?.ConstantValue?.ToInt64s();
                return Rank(x) is { } r && axes is not null ? r - axes.Count : null;
            }

            case "Gather":
                return Rank(x) is { } rd && Rank(p.Input(1)) is { } ri ? rd + ri - 1 : null;
            case "Concat":
                return p.Inputs.Select(Rank).FirstOrDefault(r => r is not null);
            case "ArgMax":
            case "ArgMin":
                return Rank(x) is { } ra ? (p.GetInt("keepdims", 1) != 0 ? ra : ra - 1) : null;
            case "TopK":
                return Rank(x);
            case "ConstantOfShape":
                return Shape(x) is { Count: 1 } s && s[0].Value is { } n ? (int)n : null;
        }

        if (op.StartsWith("Reduce", StringComparison.Ordinal))
        {
            if (Rank(x) is not { } r)
            {
                return null;
            }

            if (p.GetInt("keepdims", 1) != 0)
            {
                return r;
            }

            var axes = p.GetInts("axes") ?? p.Input(1)?.ConstantValue?.ToInt64s();
            return axes is null || axes.Count == 0 ? (p.Input(1) is null ? 0 : null) : r - axes.Count;
        }

        if (Broadcasting.Contains(op))
        {
            if (p.HasAttribute("broadcast"))
            {
                return Rank(x);
            }

            var all = p.Inputs.Select(Rank).ToArray();
            return all.Length > 0 && all.All(r => r is not null) ? all.Max() : null;
        }

        return SameAsFirstInput.Contains(op) ? Rank(x) : null;
    }

    private DataType? InferType(Value value)
    {
        if (value.Producer is not { } p || !p.IsOnnxDomain)
        {
            return null;
        }

        var op = p.OpType;
        switch (op)
        {
            case "Shape":
            case "Size":
            case "ArgMax":
            case "ArgMin":
            case "NonZero":
                return DataType.Int64;
            case "Cast":
                return p.Attribute("to") is { Type: Formats.Onnx.Proto.AttributeProto.Types.AttributeType.Int } to ? (DataType)to.Int : null;
            case "CastLike":
                return ElementType(p.Input(1));
            case "Constant":
                return p.Attribute("value")?.Tensor?.ElementType;
            case "ConstantOfShape":
                return p.Attribute("value")?.Tensor?.ElementType ?? DataType.Float;
            case "Where":
                return ElementType(p.Input(1));
            case "TopK":
            case "MaxPool":
            case "Dropout":
                return value.ProducerIndex == 0 ? ElementType(p.Input(0)) : null;
        }

        if (Comparisons.Contains(op))
        {
            return DataType.Bool;
        }

        return SameAsFirstInput.Contains(op) || Broadcasting.Contains(op) || op is "Gemm" or "MatMul" or "Flatten" or "Reshape"
            or "Unsqueeze" or "Squeeze" or "Gather" or "Concat" or "Expand" or "GatherElements" or "GatherND" || op.StartsWith("Reduce", StringComparison.Ordinal)
            ? ElementType(p.Input(0))
            : null;
    }
}
