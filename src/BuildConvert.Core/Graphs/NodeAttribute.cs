using System.Text;
using BuildConvert.Core.Formats.Onnx.Proto;
using AttributeType = BuildConvert.Core.Formats.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace BuildConvert.Core.Graphs;

/// <summary>
/// One attribute of a node, immutable (the graph it may hold is the exception: a subgraph is mutable like any graph).
/// Exactly the payload that matches <see cref="Type"/> is set. Strings are kept as bytes, as ONNX stores them;
/// <see cref="Text"/> decodes UTF-8. Make attributes with the named factories.
/// </summary>
public sealed record NodeAttribute
{
    private NodeAttribute(string name, AttributeType type)
    {
        Name = name;
        Type = type;
    }

    /// <summary>The attribute's name.</summary>
    public string Name { get; init; }

    /// <summary>The attribute's type.</summary>
    public AttributeType Type { get; }

    /// <summary>INT payload.</summary>
    public long Int { get; private init; }

    /// <summary>FLOAT payload.</summary>
    public float Float { get; private init; }

    /// <summary>STRING payload (raw bytes).</summary>
    public byte[]? Bytes { get; private init; }

    /// <summary>INTS payload.</summary>
    public IReadOnlyList<long> Ints { get; private init; } = Array.Empty<long>();

    /// <summary>FLOATS payload.</summary>
    public IReadOnlyList<float> Floats { get; private init; } = Array.Empty<float>();

    /// <summary>STRINGS payload (raw bytes each).</summary>
    public IReadOnlyList<byte[]> StringList { get; private init; } = Array.Empty<byte[]>();

    /// <summary>TENSOR payload.</summary>
    public TensorData? Tensor { get; private init; }

    /// <summary>TENSORS payload.</summary>
    public IReadOnlyList<TensorData> Tensors { get; private init; } = Array.Empty<TensorData>();

    /// <summary>GRAPH payload.</summary>
    public Graph? Graph { get; private init; }

    /// <summary>GRAPHS payload.</summary>
    public IReadOnlyList<Graph> Graphs { get; private init; } = Array.Empty<Graph>();

    /// <summary>TYPE_PROTO payload.</summary>
    public OnnxType? TypeValue { get; private init; }

    /// <summary>TYPE_PROTOS payload.</summary>
    public IReadOnlyList<OnnxType> TypeValues { get; private init; } = Array.Empty<OnnxType>();

    /// <summary>SPARSE_TENSOR payload, carried through as read.</summary>
    public SparseTensorProto? SparseTensor { get; private init; }

    /// <summary>SPARSE_TENSORS payload, carried through as read.</summary>
    public IReadOnlyList<SparseTensorProto> SparseTensors { get; private init; } = Array.Empty<SparseTensorProto>();

    /// <summary>In a function body: the caller's attribute this one refers to.</summary>
    public string? RefAttrName { get; init; }

    /// <summary>The attribute's doc string.</summary>
    public string? DocString { get; init; }

    /// <summary>The STRING payload decoded as UTF-8.</summary>
    public string Text => Bytes is null ? "" : Encoding.UTF8.GetString(Bytes);

    /// <summary>The STRINGS payload decoded as UTF-8.</summary>
    public IReadOnlyList<string> Texts => StringList.Select(s => Encoding.UTF8.GetString(s)).ToArray();

    public static NodeAttribute Of(string name, long value) => new(name, AttributeType.Int) { Int = value };

    public static NodeAttribute Of(string name, float value) => new(name, AttributeType.Float) { Float = value };

    public static NodeAttribute Of(string name, string value) => new(name, AttributeType.String) { Bytes = Encoding.UTF8.GetBytes(value) };

    public static NodeAttribute OfBytes(string name, byte[] value) => new(name, AttributeType.String) { Bytes = value };

    public static NodeAttribute Of(string name, IEnumerable<long> values) => new(name, AttributeType.Ints) { Ints = values.ToArray() };

    public static NodeAttribute Of(string name, IEnumerable<float> values) => new(name, AttributeType.Floats) { Floats = values.ToArray() };

    public static NodeAttribute Of(string name, IEnumerable<string> values) =>
        new(name, AttributeType.Strings) { StringList = values.Select(v => Encoding.UTF8.GetBytes(v)).ToArray() };

    public static NodeAttribute OfByteStrings(string name, IEnumerable<byte[]> values) => new(name, AttributeType.Strings) { StringList = values.ToArray() };

    public static NodeAttribute Of(string name, TensorData value) => new(name, AttributeType.Tensor) { Tensor = value };

    public static NodeAttribute Of(string name, IEnumerable<TensorData> values) => new(name, AttributeType.Tensors) { Tensors = values.ToArray() };

    public static NodeAttribute Of(string name, Graph value) => new(name, AttributeType.Graph) { Graph = value };

    public static NodeAttribute Of(string name, IEnumerable<Graph> values) => new(name, AttributeType.Graphs) { Graphs = values.ToArray() };

    public static NodeAttribute Of(string name, OnnxType value) => new(name, AttributeType.TypeProto) { TypeValue = value };

    public static NodeAttribute Of(string name, IEnumerable<OnnxType> values) => new(name, AttributeType.TypeProtos) { TypeValues = values.ToArray() };

    public static NodeAttribute Of(string name, SparseTensorProto value) => new(name, AttributeType.SparseTensor) { SparseTensor = value };

    public static NodeAttribute Of(string name, IEnumerable<SparseTensorProto> values) => new(name, AttributeType.SparseTensors) { SparseTensors = values.ToArray() };

    /// <summary>An attribute of undefined type that only refers to a caller's attribute (function bodies).</summary>
    public static NodeAttribute Reference(string name, AttributeType type, string refAttrName) => new(name, type) { RefAttrName = refAttrName };

    /// <summary>The subgraphs this attribute holds (GRAPH or GRAPHS), possibly none.</summary>
    public IEnumerable<Graph> Subgraphs => Graph is not null ? new[] { Graph } : Graphs;

    /// <summary>Whether two attributes carry the same name, type and payload (subgraphs compared by reference).</summary>
    public bool SameAs(NodeAttribute other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Name != other.Name || Type != other.Type || RefAttrName != other.RefAttrName)
        {
            return false;
        }

        return Type switch
        {
            AttributeType.Int => Int == other.Int,
            AttributeType.Float => BitConverter.SingleToInt32Bits(Float) == BitConverter.SingleToInt32Bits(other.Float),
            AttributeType.String => (Bytes ?? Array.Empty<byte>()).AsSpan().SequenceEqual(other.Bytes ?? Array.Empty<byte>()),
            AttributeType.Ints => Ints.SequenceEqual(other.Ints),
            AttributeType.Floats => Floats.Select(BitConverter.SingleToInt32Bits).SequenceEqual(other.Floats.Select(BitConverter.SingleToInt32Bits)),
            AttributeType.Strings => StringList.Count == other.StringList.Count && StringList.Zip(other.StringList).All(p => p.First.AsSpan().SequenceEqual(p.Second)),
            AttributeType.Tensor => Tensor is not null && other.Tensor is not null && Tensor.ContentEquals(other.Tensor),
            AttributeType.Tensors => Tensors.Count == other.Tensors.Count && Tensors.Zip(other.Tensors).All(p => p.First.ContentEquals(p.Second)),
            AttributeType.Graph => ReferenceEquals(Graph, other.Graph),
            AttributeType.Graphs => Graphs.SequenceEqual(other.Graphs),
            AttributeType.TypeProto => Equals(TypeValue, other.TypeValue),
            AttributeType.TypeProtos => TypeValues.SequenceEqual(other.TypeValues),
            _ => false,
        };
    }

    public override string ToString() => Type switch
    {
        AttributeType.Int => $"{Name}={Int}",
        AttributeType.Float => $"{Name}={Float.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        AttributeType.String => $"{Name}='{Text}'",
        AttributeType.Ints => $"{Name}=[{string.Join(",", Ints)}]",
        _ => $"{Name}:{Type}",
    };
}
