using System.Buffers.Binary;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Values;
using Google.Protobuf;
using Google.Protobuf.Collections;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>
/// Converts between ONNX value protos (<see cref="TensorProto"/>, <see cref="SequenceProto"/>, <see cref="OptionalProto"/>,
/// <see cref="MapProto"/>) and <see cref="DataValue"/>s. Reading accepts every element type in raw_data (little-endian)
/// or in its typed field (float_data, int32_data, int64_data, double_data, uint64_data, string_data) and checks that the
/// data agrees with the dimensions; writing always uses raw_data for numeric and bool tensors so output bytes are
/// deterministic. Errors in the data are <see cref="BuildConvertException"/>s with codes BCONV1103-1105.
/// </summary>
/// <remarks>
/// Spec: https://github.com/onnx/onnx/blob/main/onnx/onnx.proto (TensorProto field comments). Tensors read from raw_data
/// share the proto's immutable byte buffer; tensors read from typed fields get one new array.
/// </remarks>
public static partial class OnnxTensorCodec
{
    /// <summary>
    /// Decodes a dense tensor. The result's <see cref="TensorValue.Data"/> shares <paramref name="proto"/>'s raw_data
    /// buffer when that is used (protobuf byte strings are immutable), otherwise it is a new little-endian array.
    /// string_data elements are decoded as UTF-8 (invalid sequences become U+FFFD); bool elements from int32_data
    /// become 0/1; narrower types taken from int32_data or uint64_data keep their low bits.
    /// </summary>
    /// <param name="proto">The tensor.</param>
    /// <param name="name">The name to give the value; null uses the proto's name.</param>
    /// <param name="file">The file the proto came from, for diagnostics.</param>
    /// <exception cref="BuildConvertException">BCONV1103 when the data does not match the type and dimensions;
    /// BCONV1104 for an undefined or unknown type, external data or segments.</exception>
    public static TensorValue ToTensorValue(TensorProto proto, string? name = null, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(proto);
        var label = Label(proto.Name, name);
        var type = (DataType)proto.DataType;
        if (!ElementTypes.IsDefined(type))
        {
            throw BuildConvertException.Create(DiagnosticCodes.TensorTypeUnsupported,
                $"tensor {label} has data_type {proto.DataType}, which is not a defined ONNX element type", file, label);
        }

        if (proto.DataLocation == TensorProto.Types.DataLocation.External || proto.ExternalData.Count > 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TensorTypeUnsupported,
                $"tensor {label} stores its data externally; golden tensors must hold their data inline", file, label);
        }

        if (proto.Segment is not null)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TensorTypeUnsupported,
                $"tensor {label} is a segment of a larger tensor, which golden data does not support", file, label);
        }

        var shape = proto.Dims.ToArray();
        var count = CountElements(shape, label, file);
        var field = SingleDataField(proto, label, file);

        if (type == DataType.String)
        {
            if (field is not (DataField.None or DataField.String))
            {
                throw WrongField(label, type, field, "string_data", file);
            }

            if (proto.StringData.Count != count)
            {
                throw SizeMismatch(label, $"{count} elements", $"{proto.StringData.Count} strings in string_data", file);
            }

            var strings = new string[proto.StringData.Count];
            for (var i = 0; i < strings.Length; i++)
            {
                strings[i] = proto.StringData[i].ToStringUtf8();
            }

            return new TensorValue(name ?? proto.Name, type, shape, ReadOnlyMemory<byte>.Empty, strings);
        }

        var byteCount = ElementTypes.ByteCount(type, count);
        if (field == DataField.None)
        {
            if (count != 0)
            {
                throw SizeMismatch(label, $"{count} elements", "no data field", file);
            }

            return new TensorValue(name ?? proto.Name, type, shape, ReadOnlyMemory<byte>.Empty);
        }

        if (field == DataField.Raw)
        {
            if (proto.RawData.Length != byteCount)
            {
                throw SizeMismatch(label, $"{byteCount} bytes of raw_data for {count} {ElementTypes.Name(type)} elements",
                    $"{proto.RawData.Length} bytes", file);
            }

            return new TensorValue(name ?? proto.Name, type, shape, proto.RawData.Memory);
        }

        var data = DecodeTypedField(proto, type, field, count, byteCount, label, file);
        return new TensorValue(name ?? proto.Name, type, shape, data);
    }

    /// <summary>
    /// Encodes a dense tensor: numeric and bool data in raw_data (sharing <paramref name="value"/>'s memory, which the
    /// caller must not change while the proto is in use), strings in string_data as UTF-8.
    /// </summary>
    /// <param name="value">The tensor.</param>
    /// <param name="name">The proto's name; null uses the value's name.</param>
    /// <exception cref="ArgumentException">The value is inconsistent (data length, string count, undefined type).</exception>
    public static TensorProto ToTensorProto(TensorValue value, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!ElementTypes.IsDefined(value.ElementType))
        {
            throw new ArgumentException($"tensor '{value.Name}' has undefined element type {(int)value.ElementType}", nameof(value));
        }

        var count = value.ElementCount;
        var proto = new TensorProto { Name = name ?? value.Name, DataType = (int)value.ElementType };
        proto.Dims.AddRange(value.Shape);
        if (value.IsString)
        {
            var strings = value.Strings ?? Array.Empty<string>();
            if (strings.Length != count)
            {
                throw new ArgumentException($"string tensor '{value.Name}' has {strings.Length} strings for {count} elements", nameof(value));
            }

            foreach (var s in strings)
            {
                proto.StringData.Add(ByteString.CopyFromUtf8(s));
            }

            return proto;
        }

        var byteCount = ElementTypes.ByteCount(value.ElementType, count);
        if (value.Data.Length != byteCount)
        {
            throw new ArgumentException(
                $"tensor '{value.Name}' has {value.Data.Length} data bytes; {count} {ElementTypes.Name(value.ElementType)} elements need {byteCount}",
                nameof(value));
        }

        if (byteCount > 0)
        {
            proto.RawData = UnsafeByteOperations.UnsafeWrap(value.Data);
        }

        return proto;
    }

    private enum DataField
    {
        None,
        Raw,
        Float,
        Int32,
        String,
        Int64,
        Double,
        Uint64,
    }

    private static string Label(string protoName, string? name)
    {
        var n = name ?? protoName;
        return n.Length == 0 ? "(unnamed)" : $"'{n}'";
    }

    private static long CountElements(long[] shape, string label, string? file)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw BuildConvertException.Create(DiagnosticCodes.TensorDataInvalid,
                    $"tensor {label} has negative dimension {d} in dims [{string.Join(",", shape)}]", file, label);
            }

            if (d != 0 && count > long.MaxValue / 128 / d)
            {
                throw BuildConvertException.Create(DiagnosticCodes.TensorDataInvalid,
                    $"tensor {label} has dims [{string.Join(",", shape)}] whose element count overflows", file, label);
            }

            count *= d;
        }

        return count;
    }

    private static DataField SingleDataField(TensorProto proto, string label, string? file)
    {
        var found = DataField.None;
        var names = new List<string>(1);
        void Note(bool present, DataField field, string fieldName)
        {
            if (present)
            {
                found = field;
                names.Add(fieldName);
            }
        }

        Note(proto.RawData.Length > 0, DataField.Raw, "raw_data");
        Note(proto.FloatData.Count > 0, DataField.Float, "float_data");
        Note(proto.Int32Data.Count > 0, DataField.Int32, "int32_data");
        Note(proto.StringData.Count > 0, DataField.String, "string_data");
        Note(proto.Int64Data.Count > 0, DataField.Int64, "int64_data");
        Note(proto.DoubleData.Count > 0, DataField.Double, "double_data");
        Note(proto.Uint64Data.Count > 0, DataField.Uint64, "uint64_data");
        if (names.Count > 1)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TensorDataInvalid,
                $"tensor {label} sets more than one data field ({string.Join(", ", names)}); exactly one may hold the elements", file, label);
        }

        return found;
    }

    private static DataField TypedFieldFor(DataType type) => ElementTypeTable.Find(type)?.Field switch
    {
        TypedDataField.Float => DataField.Float,
        TypedDataField.Double => DataField.Double,
        TypedDataField.Int64 => DataField.Int64,
        TypedDataField.Uint64 => DataField.Uint64,
        TypedDataField.String => DataField.String,
        _ => DataField.Int32,
    };

    private static string FieldName(DataField field) => field switch
    {
        DataField.Raw => "raw_data",
        DataField.Float => "float_data",
        DataField.Int32 => "int32_data",
        DataField.String => "string_data",
        DataField.Int64 => "int64_data",
        DataField.Double => "double_data",
        DataField.Uint64 => "uint64_data",
        _ => "no field",
    };

    private static byte[] DecodeTypedField(TensorProto proto, DataType type, DataField field, long count, long byteCount, string label, string? file)
    {
        var expectedField = TypedFieldFor(type);
        if (field != expectedField)
        {
            throw WrongField(label, type, field, FieldName(expectedField), file);
        }

        var bits = ElementTypes.BitsPerElement(type);
        switch (field)
        {
            case DataField.Float:
            {
                var perElement = type == DataType.Complex64 ? 2 : 1;
                CheckCount(proto.FloatData.Count, count * perElement, "float_data", label, type, count, file);
                var result = new byte[byteCount];
                var span = result.AsSpan();
                for (var i = 0; i < proto.FloatData.Count; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(span.Slice(i * 4), proto.FloatData[i]);
                }

                return result;
            }

            case DataField.Double:
            {
                var perElement = type == DataType.Complex128 ? 2 : 1;
                CheckCount(proto.DoubleData.Count, count * perElement, "double_data", label, type, count, file);
                var result = new byte[byteCount];
                var span = result.AsSpan();
                for (var i = 0; i < proto.DoubleData.Count; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(span.Slice(i * 8), proto.DoubleData[i]);
                }

                return result;
            }

            case DataField.Int64:
            {
                CheckCount(proto.Int64Data.Count, count, "int64_data", label, type, count, file);
                var result = new byte[byteCount];
                var span = result.AsSpan();
                for (var i = 0; i < proto.Int64Data.Count; i++)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(span.Slice(i * 8), proto.Int64Data[i]);
                }

                return result;
            }

            case DataField.Uint64:
            {
                CheckCount(proto.Uint64Data.Count, count, "uint64_data", label, type, count, file);
                var result = new byte[byteCount];
                var span = result.AsSpan();
                for (var i = 0; i < proto.Uint64Data.Count; i++)
                {
                    if (bits == 32)
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(span.Slice(i * 4), unchecked((uint)proto.Uint64Data[i]));
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt64LittleEndian(span.Slice(i * 8), proto.Uint64Data[i]);
                    }
                }

                return result;
            }

            default:
                return DecodeInt32Field(proto.Int32Data, type, bits, count, byteCount, label, file);
        }
    }

    private static byte[] DecodeInt32Field(RepeatedField<int> values, DataType type, int bits, long count, long byteCount, string label, string? file)
    {
        // 8-bit and wider types keep one element per entry; 4-bit and 2-bit types keep one packed byte per entry.
        var expected = bits >= 8 ? count : byteCount;
        CheckCount(values.Count, expected, "int32_data", label, type, count, file);
        var result = new byte[byteCount];
        var span = result.AsSpan();
        for (var i = 0; i < values.Count; i++)
        {
            var v = values[i];
            switch (bits)
            {
                case 32:
                    BinaryPrimitives.WriteInt32LittleEndian(span.Slice(i * 4), v);
                    break;
                case 16:
                    BinaryPrimitives.WriteUInt16LittleEndian(span.Slice(i * 2), unchecked((ushort)v));
                    break;
                default:
                    span[i] = type == DataType.Bool ? (byte)(v != 0 ? 1 : 0) : unchecked((byte)v);
                    break;
            }
        }

        return result;
    }

    private static void CheckCount(int actual, long expected, string fieldName, string label, DataType type, long count, string? file)
    {
        if (actual != expected)
        {
            throw SizeMismatch(label, $"{expected} entries in {fieldName} for {count} {ElementTypes.Name(type)} elements", $"{actual}", file);
        }
    }

    private static BuildConvertException SizeMismatch(string label, string expected, string actual, string? file) =>
        BuildConvertException.Create(DiagnosticCodes.TensorDataInvalid,
            $"tensor {label}: expected {expected}, found {actual}", file, label);

    private static BuildConvertException WrongField(string label, DataType type, DataField field, string expected, string? file) =>
        BuildConvertException.Create(DiagnosticCodes.TensorDataInvalid,
            $"tensor {label} of type {ElementTypes.Name(type)} stores its elements in {FieldName(field)}; this type uses {expected} or raw_data",
            file, label);
}
