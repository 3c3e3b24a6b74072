using System.Buffers.Binary;
using System.Runtime.InteropServices;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Values;
using Google.Protobuf;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs;

/// <summary>
/// The contents of a constant tensor (an initializer or a tensor attribute), immutable. The bytes are never copied on
/// the way through the graph: a tensor read from a model keeps referring to the parsed message's buffer (or to its
/// typed fields, decoded only when asked), and a tensor a converter makes keeps referring to the memory it was given,
/// until the writer streams it out. Thread-safe for reading.
/// </summary>
public sealed class TensorData
{
    private readonly TensorProto? proto;
    private ReadOnlyMemory<byte>? bytes;
    private string[]? strings;

    private TensorData(DataType elementType, long[] dims, TensorProto? proto, ReadOnlyMemory<byte>? bytes, string[]? strings)
    {
        ElementType = elementType;
        Dims = dims;
        this.proto = proto;
        this.bytes = bytes;
        this.strings = strings;
    }

    /// <summary>The element type.</summary>
    public DataType ElementType { get; }

    /// <summary>The dimensions (empty for a scalar). Do not modify.</summary>
    public long[] Dims { get; }

    /// <summary>The number of elements.</summary>
    public long ElementCount => ElementTypes.ElementCount(Dims);

    /// <summary>The name the tensor had in the model it was read from (empty for tensors made in memory).</summary>
    public string SourceName => proto?.Name ?? "";

    /// <summary>Whether the tensor holds strings.</summary>
    public bool IsString => ElementType == DataType.String;

    /// <summary>Whether the data still lies in an external file (not loaded); such data cannot be read here.</summary>
    public bool IsExternal => proto is not null && ExternalDataReference.IsExternal(proto);

    /// <summary>The number of bytes the packed data takes (0 for strings).</summary>
    public long ByteCount => IsString ? 0 : ElementTypes.ByteCount(ElementType, ElementCount);

    /// <summary>
    /// The packed little-endian element bytes, as ONNX raw_data stores them. Shares the source's memory where the source
    /// was raw; typed-field tensors are decoded once, on first use.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor holds strings or external data that was not loaded.</exception>
    public ReadOnlyMemory<byte> Bytes
    {
        get
        {
            if (bytes is { } b)
            {
                return b;
            }

            if (IsString || IsExternal)
            {
                throw new InvalidOperationException(IsString ? "a string tensor has no packed bytes" : "the tensor's external data was not loaded");
            }

            var decoded = OnnxTensorCodec.ToTensorValue(proto!).Data;
            bytes = decoded;
            return decoded;
        }
    }

    /// <summary>The elements of a string tensor, in row-major order.</summary>
    /// <exception cref="InvalidOperationException">The tensor does not hold strings.</exception>
    public IReadOnlyList<string> Strings
    {
        get
        {
            if (!IsString)
            {
                throw new InvalidOperationException("not a string tensor");
            }

            return strings ??= OnnxTensorCodec.ToTensorValue(proto!).Strings ?? Array.Empty<string>();
        }
    }

    /// <summary>Wraps a tensor read from a model. The proto is owned by the tensor from now on and must not change.</summary>
    public static TensorData FromProto(TensorProto proto)
    {
        ArgumentNullException.ThrowIfNull(proto);
        var type = (DataType)proto.DataType;
        ReadOnlyMemory<byte>? raw = null;
        if (type != DataType.String && !ExternalDataReference.IsExternal(proto) && proto.RawData.Length > 0)
        {
            raw = proto.RawData.Memory;
        }

        return new TensorData(type, proto.Dims.ToArray(), proto, raw, null);
    }

    /// <summary>Wraps packed little-endian bytes (not copied: the caller must not change them afterwards).</summary>
    /// <exception cref="ArgumentException">The byte count does not match the type and dimensions.</exception>
    public static TensorData FromBytes(DataType elementType, long[] dims, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (elementType == DataType.String || !ElementTypes.IsDefined(elementType))
        {
            throw new ArgumentException($"element type {elementType} has no packed byte form", nameof(elementType));
        }

        var expected = ElementTypes.ByteCount(elementType, ElementTypes.ElementCount(dims));
        if (data.Length != expected)
        {
            throw new ArgumentException($"{data.Length} bytes given for a {ElementTypes.Name(elementType)} tensor of shape [{string.Join(",", dims)}], which needs {expected}", nameof(data));
        }

        return new TensorData(elementType, dims.ToArray(), null, data, null);
    }

    /// <summary>A string tensor.</summary>
    public static TensorData FromStrings(long[] dims, IReadOnlyList<string> values)
    {
        if (values.Count != ElementTypes.ElementCount(dims))
        {
            throw new ArgumentException($"{values.Count} strings for shape [{string.Join(",", dims)}]", nameof(values));
        }

        return new TensorData(DataType.String, dims.ToArray(), null, null, values.ToArray());
    }

    /// <summary>Wraps a decoded value (its memory is shared, not copied).</summary>
    public static TensorData FromValue(TensorValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.IsString
            ? FromStrings(value.Shape, value.Strings ?? Array.Empty<string>())
            : FromBytes(value.ElementType, value.Shape, value.Data);
    }

    /// <summary>An int64 tensor (1-D unless <paramref name="dims"/> is given).</summary>
    public static TensorData FromInt64s(ReadOnlySpan<long> values, long[]? dims = null) =>
        FromBytes(DataType.Int64, dims ?? new long[] { values.Length }, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>An int32 tensor (1-D unless <paramref name="dims"/> is given).</summary>
    public static TensorData FromInt32s(ReadOnlySpan<int> values, long[]? dims = null) =>
        FromBytes(DataType.Int32, dims ?? new long[] { values.Length }, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>A float32 tensor (1-D unless <paramref name="dims"/> is given).</summary>
    public static TensorData FromFloats(ReadOnlySpan<float> values, long[]? dims = null) =>
        FromBytes(DataType.Float, dims ?? new long[] { values.Length }, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>A float64 tensor (1-D unless <paramref name="dims"/> is given).</summary>
    public static TensorData FromDoubles(ReadOnlySpan<double> values, long[]? dims = null) =>
        FromBytes(DataType.Double, dims ?? new long[] { values.Length }, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>A scalar of <paramref name="elementType"/> holding <paramref name="value"/> (converted; bool is value != 0).</summary>
    public static TensorData Scalar(DataType elementType, double value) => Filled(elementType, Array.Empty<long>(), value);

    /// <summary>A tensor of <paramref name="dims"/> with every element <paramref name="value"/>.</summary>
    public static TensorData Filled(DataType elementType, long[] dims, double value)
    {
        var count = ElementTypes.ElementCount(dims);
        var size = ElementTypes.BitsPerElement(elementType) / 8;
        if (size == 0 || elementType is DataType.Complex64 or DataType.Complex128)
        {
            throw new ArgumentException($"Filled does not support {ElementTypes.Name(elementType)}", nameof(elementType));
        }

        var data = new byte[count * size];
        if (count > 0)
        {
            ElementWriter.Write(elementType, data.AsSpan(0, size), value);
            for (long i = 1; i < count; i++)
            {
                data.AsSpan(0, size).CopyTo(data.AsSpan((int)(i * size), size));
            }
        }

        return FromBytes(elementType, dims, data);
    }

    /// <summary>
    /// The elements as int64: integer and bool types exactly (uint64 above <see cref="long.MaxValue"/> wraps, as a C cast
    /// does; <see cref="FitsInt64"/> tells), floating types truncated toward zero.
    /// </summary>
    /// <exception cref="InvalidOperationException">Strings, complex or external data.</exception>
    public long[] ToInt64s()
    {
        var span = Bytes.Span;
        var count = (int)ElementCount;
        var result = new long[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = ElementType switch
            {
                DataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(span[(i * 8)..]),
                DataType.Uint64 => unchecked((long)BinaryPrimitives.ReadUInt64LittleEndian(span[(i * 8)..])),
                DataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(span[(i * 4)..]),
                DataType.Uint32 => BinaryPrimitives.ReadUInt32LittleEndian(span[(i * 4)..]),
                DataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(span[(i * 2)..]),
                DataType.Uint16 => BinaryPrimitives.ReadUInt16LittleEndian(span[(i * 2)..]),
                DataType.Int8 => unchecked((sbyte)span[i]),
                DataType.Uint8 => span[i],
                DataType.Bool => span[i] != 0 ? 1 : 0,
                _ => (long)ElementTypes.ReadAsDouble(ElementType, span, i),
            };
        }

        return result;
    }

    /// <summary>Whether <see cref="ToInt64s"/> is exact: an integer or bool type, and no uint64 element above <see cref="long.MaxValue"/>.</summary>
    public bool FitsInt64
    {
        get
        {
            switch (ElementType)
            {
                case DataType.Int64 or DataType.Int32 or DataType.Uint32 or DataType.Int16 or DataType.Uint16 or DataType.Int8 or DataType.Uint8 or DataType.Bool:
                    return !IsExternal;
                case DataType.Uint64 when !IsExternal:
                    var span = Bytes.Span;
                    for (var i = 0; i < ElementCount; i++)
                    {
                        if (BinaryPrimitives.ReadUInt64LittleEndian(span[(i * 8)..]) > long.MaxValue)
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>The elements converted to double (numeric and bool types).</summary>
    public double[] ToDoubles()
    {
        var span = Bytes.Span;
        var result = new double[ElementCount];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = ElementTypes.ReadAsDouble(ElementType, span, i);
        }

        return result;
    }

    /// <summary>The decoded value, sharing this tensor's memory.</summary>
    public TensorValue ToTensorValue(string name = "") =>
        IsString ? new TensorValue(name, ElementType, Dims.ToArray(), ReadOnlyMemory<byte>.Empty, Strings.ToArray())
                 : new TensorValue(name, ElementType, Dims.ToArray(), Bytes);

    /// <summary>
    /// The tensor as a proto named <paramref name="name"/>, sharing the data: the source proto itself when its name
    /// already matches, otherwise a new proto that refers to the same bytes (typed fields are carried over as they are,
    /// and external-data references are kept).
    /// </summary>
    public TensorProto ToProto(string name)
    {
        if (proto is not null)
        {
            if (proto.Name == name)
            {
                return proto;
            }

            var copy = proto.Clone();
            copy.Name = name;
            return copy;
        }

        if (IsString)
        {
            return OnnxTensorCodec.ToTensorProto(ToTensorValue(name));
        }

        var result = new TensorProto { Name = name, DataType = (int)ElementType, RawData = UnsafeByteOperations.UnsafeWrap(Bytes) };
        result.Dims.AddRange(Dims);
        return result;
    }

    /// <summary>Same type, dimensions and element bytes (or strings).</summary>
    public bool ContentEquals(TensorData other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ElementType != other.ElementType || !Dims.AsSpan().SequenceEqual(other.Dims) || IsExternal || other.IsExternal)
        {
            return false;
        }

        return IsString ? Strings.SequenceEqual(other.Strings) : Bytes.Span.SequenceEqual(other.Bytes.Span);
    }

    public override string ToString() => $"{ElementTypes.Name(ElementType)}[{string.Join(",", Dims)}]";
}
