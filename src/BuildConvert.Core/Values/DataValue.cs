using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Values;

/// <summary>
/// A value flowing into or out of a model: a tensor, a sequence, an optional or a map. Golden data readers produce
/// these, validators compare them, and the ONNX Runtime bridge turns them into <c>OrtValue</c>s.
/// </summary>
public abstract record DataValue(string Name);

/// <summary>
/// A dense tensor. Numeric and bool elements are stored packed in little-endian byte order exactly as ONNX
/// <c>raw_data</c> stores them (bool as one byte 0/1; 4-bit and 2-bit types packed low nibble first); string tensors
/// use <see cref="Strings"/> instead of <see cref="Data"/>. The value does not copy the memory it is given.
/// </summary>
/// <param name="Name">The tensor's name (the graph input/output it belongs to), possibly empty.</param>
/// <param name="ElementType">The ONNX element type.</param>
/// <param name="Shape">The dimensions; empty for a scalar.</param>
/// <param name="Data">Packed little-endian element bytes (empty for strings).</param>
/// <param name="Strings">UTF-8 string elements in row-major order (null unless <paramref name="ElementType"/> is STRING).</param>
public sealed record TensorValue(
    string Name,
    TensorProto.Types.DataType ElementType,
    long[] Shape,
    ReadOnlyMemory<byte> Data,
    string[]? Strings = null) : DataValue(Name)
{
    /// <summary>Number of elements (product of the dimensions; 1 for a scalar).</summary>
    public long ElementCount => ElementTypes.ElementCount(Shape);

    public bool IsString => ElementType == TensorProto.Types.DataType.String;

    /// <summary>Makes a float32 tensor (convenience for tests and golden generation).</summary>
    public static TensorValue FromFloats(string name, long[] shape, ReadOnlySpan<float> values) =>
        new(name, TensorProto.Types.DataType.Float, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>Reads element <paramref name="index"/> (row-major) as a double. Not for strings or complex types.</summary>
    public double GetDouble(long index) => ElementTypes.ReadAsDouble(ElementType, Data.Span, index);

    public override string ToString() =>
        $"{Name}: {ElementType}[{string.Join(",", Shape)}]";
}

/// <summary>An ordered sequence of values (ONNX <c>seq(T)</c>).</summary>
/// <param name="ElementType">The element kind as in ONNX SequenceProto (1 tensor, 2 sparse tensor, 3 sequence, 4 map, 5 optional).</param>
public sealed record SequenceValue(string Name, int ElementType, IReadOnlyList<DataValue> Items) : DataValue(Name);

/// <summary>An optional value (ONNX <c>optional(T)</c>); <see cref="Value"/> is null when the optional is empty.</summary>
/// <param name="ElementType">The element kind as in ONNX OptionalProto (0 undefined, 1 tensor, 3 sequence, ...).</param>
public sealed record OptionalValue(string Name, int ElementType, DataValue? Value) : DataValue(Name);

/// <summary>A map (ONNX <c>map(K, V)</c>): keys as a 1-D tensor, values as a sequence of the same length.</summary>
public sealed record MapValue(string Name, TensorValue Keys, SequenceValue Values) : DataValue(Name);
