using System.Globalization;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs;

/// <summary>The kind of an ONNX value type.</summary>
public enum OnnxTypeKind
{
    /// <summary>A dense tensor.</summary>
    Tensor,

    /// <summary>A sparse tensor.</summary>
    SparseTensor,

    /// <summary><c>seq(T)</c>.</summary>
    Sequence,

    /// <summary><c>optional(T)</c>.</summary>
    Optional,

    /// <summary><c>map(K, V)</c>.</summary>
    Map,

    /// <summary>An opaque type (domain and name only).</summary>
    Opaque,
}

/// <summary>
/// The type of a value in the graph, immutable. Tensors carry an element type (<see cref="DataType.Undefined"/> when
/// unknown) and a shape (null when even the rank is unknown); containers carry their <see cref="Element"/> type.
/// </summary>
public sealed record OnnxType
{
    private OnnxType(OnnxTypeKind kind) => Kind = kind;

    /// <summary>What kind of type this is.</summary>
    public OnnxTypeKind Kind { get; }

    /// <summary>The element type of a (sparse) tensor, or the key type of a map.</summary>
    public DataType ElementType { get; private init; }

    /// <summary>The shape of a (sparse) tensor; null when the rank is unknown.</summary>
    public IReadOnlyList<Dim>? Shape { get; private init; }

    /// <summary>The element type of a sequence or optional, or the value type of a map.</summary>
    public OnnxType? Element { get; private init; }

    /// <summary>Opaque type domain and name.</summary>
    public string? OpaqueDomain { get; private init; }

    /// <inheritdoc cref="OpaqueDomain"/>
    public string? OpaqueName { get; private init; }

    /// <summary>The type's denotation (e.g. <c>IMAGE</c>), if any.</summary>
    public string? Denotation { get; init; }

    /// <summary>The rank when the shape is known.</summary>
    public int? Rank => Shape?.Count;

    /// <summary>Whether this is a dense tensor type.</summary>
    public bool IsTensor => Kind == OnnxTypeKind.Tensor;

    /// <summary>A dense tensor type.</summary>
    public static OnnxType Tensor(DataType elementType, IReadOnlyList<Dim>? shape = null) =>
        new(OnnxTypeKind.Tensor) { ElementType = elementType, Shape = shape?.ToArray() };

    /// <summary>A dense tensor type with fixed dimensions.</summary>
    public static OnnxType Tensor(DataType elementType, params long[] dims) =>
        Tensor(elementType, dims.Select(Dim.Of).ToArray());

    /// <summary>A sparse tensor type.</summary>
    public static OnnxType Sparse(DataType elementType, IReadOnlyList<Dim>? shape = null) =>
        new(OnnxTypeKind.SparseTensor) { ElementType = elementType, Shape = shape?.ToArray() };

    /// <summary><c>seq(element)</c>.</summary>
    public static OnnxType Sequence(OnnxType? element) => new(OnnxTypeKind.Sequence) { Element = element };

    /// <summary><c>optional(element)</c>.</summary>
    public static OnnxType Optional(OnnxType? element) => new(OnnxTypeKind.Optional) { Element = element };

    /// <summary><c>map(key, value)</c>.</summary>
    public static OnnxType Map(DataType key, OnnxType? value) => new(OnnxTypeKind.Map) { ElementType = key, Element = value };

    /// <summary>An opaque type.</summary>
    public static OnnxType Opaque(string domain, string name) => new(OnnxTypeKind.Opaque) { OpaqueDomain = domain, OpaqueName = name };

    /// <summary>This tensor type with another shape.</summary>
    public OnnxType WithShape(IReadOnlyList<Dim>? shape) => this with { Shape = shape?.ToArray() };

    /// <summary>This tensor type with another element type.</summary>
    public OnnxType WithElementType(DataType elementType) => this with { ElementType = elementType };

    /// <summary>Structural equality (shapes compared dimension by dimension).</summary>
    public bool Equals(OnnxType? other)
    {
        if (other is null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return Kind == other.Kind && ElementType == other.ElementType && OpaqueDomain == other.OpaqueDomain &&
            OpaqueName == other.OpaqueName && Denotation == other.Denotation && Equals(Element, other.Element) &&
            (Shape is null ? other.Shape is null : other.Shape is not null && Shape.SequenceEqual(other.Shape));
    }

    public override int GetHashCode() => HashCode.Combine(Kind, ElementType, Element, Shape?.Count ?? -1);

    /// <summary>ONNX's spelling: <c>tensor(float)</c>, <c>seq(tensor(int64))</c>, with the shape appended for tensors.</summary>
    public override string ToString() => Kind switch
    {
        OnnxTypeKind.Tensor => $"tensor({ElementTypes.Name(ElementType)}){ShapeText()}",
        OnnxTypeKind.SparseTensor => $"sparse_tensor({ElementTypes.Name(ElementType)}){ShapeText()}",
        OnnxTypeKind.Sequence => $"seq({Element?.ToString() ?? "?"})",
        OnnxTypeKind.Optional => $"optional({Element?.ToString() ?? "?"})",
        OnnxTypeKind.Map => $"map({ElementTypes.Name(ElementType)},{Element?.ToString() ?? "?"})",
        _ => $"opaque({OpaqueDomain},{OpaqueName})",
    };

    private string ShapeText() =>
        Shape is null ? "" : "[" + string.Join(",", Shape.Select(d => d.ToString())) + "]";

    /// <summary>Formats a shape for messages, e.g. <c>[N,3,224,224]</c>.</summary>
    public static string FormatShape(IReadOnlyList<Dim>? shape) =>
        shape is null ? "(unknown rank)" : "[" + string.Join(",", shape.Select(d => d.Value?.ToString(CultureInfo.InvariantCulture) ?? d.Symbol ?? "?")) + "]";
}
