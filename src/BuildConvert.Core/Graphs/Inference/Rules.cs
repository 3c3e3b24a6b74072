using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs.Inference;

/// <summary>Small building blocks the rule families share.</summary>
internal static class Rules
{
    /// <summary>Output 0 has input <paramref name="input"/>'s whole type (tensor, sequence or optional).</summary>
    public static InferenceFunction SameAsInput(int input = 0) => c => c.SetOutput(0, Strip(c.InputType(input)));

    /// <summary>Output 0 has input 0's shape and a fixed element type.</summary>
    public static InferenceFunction SameShape(DataType elementType) => c => c.SetOutput(0, elementType, c.InputShape(0));

    /// <summary>The type without denotations (a value's denotation is not inferred).</summary>
    public static OnnxType? Strip(OnnxType? type)
    {
        if (type is null)
        {
            return null;
        }

        return type.Kind switch
        {
            OnnxTypeKind.Tensor => OnnxType.Tensor(type.ElementType, type.Shape?.Select(ShapeMath.Plain).ToArray()),
            OnnxTypeKind.SparseTensor => OnnxType.Sparse(type.ElementType, type.Shape?.Select(ShapeMath.Plain).ToArray()),
            OnnxTypeKind.Sequence => OnnxType.Sequence(Strip(type.Element)),
            OnnxTypeKind.Optional => OnnxType.Optional(Strip(type.Element)),
            _ => type with { Denotation = null },
        };
    }

    /// <summary>The element type an optional <c>dtype</c>-like attribute names, or <paramref name="fallback"/>.</summary>
    public static DataType DataTypeAttribute(InferenceContext c, string name, DataType fallback) =>
        c.Node.Attribute(name) is { } a ? (DataType)a.Int : fallback;

    /// <summary>Per spatial axis values of an INTS attribute, or <paramref name="fallback"/> repeated.</summary>
    public static long[] Spatial(InferenceContext c, string attribute, int count, long fallback)
    {
        var values = c.Node.GetInts(attribute);
        if (values is null || values.Count == 0)
        {
            return Enumerable.Repeat(fallback, count).ToArray();
        }

        if (values.Count != count)
        {
            c.Fail($"attribute '{attribute}' has {values.Count} values, expected {count}");
        }

        return values.ToArray();
    }

    /// <summary>Normalizes and checks a list of axes against <paramref name="rank"/>; repeated axes fail.</summary>
    public static int[] Axes(InferenceContext c, IEnumerable<long> axes, int rank, string what = "axes")
    {
        var result = axes.Select(a => c.Axis(a, rank, what)).ToArray();
        if (result.Distinct().Count() != result.Length)
        {
            c.Fail($"{what} [{string.Join(",", axes)}] repeat an axis");
        }

        return result;
    }
}
