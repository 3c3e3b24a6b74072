using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Formats.TensorFlow.Proto;

namespace BuildConvert.Core.Formats.TensorFlow;

/// <summary>Small helpers over <see cref="NodeDef"/>s: shallow copies (attribute values shared, so weights are never
/// copied) and attribute reads.</summary>
internal static class TfNodes
{
    /// <summary>A new node named <paramref name="name"/> with <paramref name="inputs"/> and the attributes of
    /// <paramref name="node"/> (the same <see cref="AttrValue"/> objects).</summary>
    public static NodeDef Copy(NodeDef node, string name, IEnumerable<string> inputs)
    {
        var copy = new NodeDef { Name = name, Op = node.Op, Device = node.Device };
        copy.Input.AddRange(inputs);
        copy.Attr.Add(node.Attr);
        return copy;
    }

    /// <summary>The type attribute <paramref name="name"/>, or <see cref="DataType.DtInvalid"/>.</summary>
    public static DataType TypeAttr(NodeDef node, string name) =>
        node.Attr.TryGetValue(name, out var v) && v.ValueCase == AttrValue.ValueOneofCase.Type ? v.Type : DataType.DtInvalid;

    /// <summary>The string attribute <paramref name="name"/>, or null.</summary>
    public static string? StringAttr(NodeDef node, string name) =>
        node.Attr.TryGetValue(name, out var v) && v.ValueCase == AttrValue.ValueOneofCase.S ? v.S.ToStringUtf8() : null;

    /// <summary>The element type of output <paramref name="index"/> as the node's attributes tell it, or
    /// <see cref="DataType.DtInvalid"/> when they do not.</summary>
    public static DataType OutputType(NodeDef node, int index)
    {
        foreach (var name in new[] { "dtype", "T", "out_type", "DstT", "Tout", "output_type", "type" })
        {
            if (!node.Attr.TryGetValue(name, out var v))
            {
                continue;
            }

            if (v.ValueCase == AttrValue.ValueOneofCase.Type)
            {
                return TfDataTypes.BaseType(v.Type);
            }

            if (v.ValueCase == AttrValue.ValueOneofCase.List && index < v.List.Type.Count)
            {
                return TfDataTypes.BaseType(v.List.Type[index]);
            }
        }

        return DataType.DtInvalid;
    }

    /// <summary>The shape of output <paramref name="index"/> from the <c>_output_shapes</c> attribute, or null.</summary>
    public static IReadOnlyList<long>? OutputShape(NodeDef node, int index) =>
        node.Attr.TryGetValue("_output_shapes", out var v) && v.ValueCase == AttrValue.ValueOneofCase.List && index < v.List.Shape.Count
            ? Dims(v.List.Shape[index])
            : null;

    /// <summary>The dimensions of <paramref name="shape"/> (-1 dynamic), or null for an unknown rank.</summary>
    public static IReadOnlyList<long>? Dims(TensorShapeProto? shape) =>
        shape is null || shape.UnknownRank ? null : shape.Dim.Select(d => d.Size < 0 ? -1 : d.Size).ToArray();

    /// <summary>A shape proto of <paramref name="dims"/> (null: unknown rank).</summary>
    public static TensorShapeProto ShapeProto(IReadOnlyList<long>? dims)
    {
        var shape = new TensorShapeProto();
        if (dims is null)
        {
            shape.UnknownRank = true;
        }
        else
        {
            shape.Dim.AddRange(dims.Select(d => new TensorShapeProto.Types.Dim { Size = d }));
        }

        return shape;
    }
}
