using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Values;
using OnnxDataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;
using TensorShapeProto = BuildConvert.Core.Formats.TensorFlow.Proto.TensorShapeProto;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;
using TfTensorProto = BuildConvert.Core.Formats.TensorFlow.Proto.TensorProto;

namespace BuildConvert.Core.Converters.TensorFlow;

/// <summary>
/// Decodes a TensorFlow <c>TensorProto</c> (<c>tensorflow/core/framework/tensor.proto</c>) into the core's
/// <see cref="TensorData"/>, following TensorFlow's own rules (<c>Tensor::FromProto</c>): a non-empty
/// <c>tensor_content</c> holds the packed little-endian elements and is shared, not copied; otherwise the typed field of
/// the dtype holds them (<c>float_val</c>, <c>double_val</c>, <c>int_val</c> for 32-bit and narrower integers,
/// <c>int64_val</c>, <c>bool_val</c>, <c>half_val</c> with the bit patterns of half, bfloat16 and float8 values,
/// <c>uint32_val</c>, <c>uint64_val</c>, <c>scomplex_val</c>/<c>dcomplex_val</c> as (real, imaginary) pairs,
/// <c>string_val</c>), and when it holds fewer values than the shape has elements the last value repeats (none at
/// all means zeros). int4/uint4 elements, one per byte in TensorFlow, are packed two per byte as ONNX stores them.
/// Every size is checked before anything is allocated. Stateless and thread-safe.
/// </summary>
public static class TfTensorCodec
{
    /// <summary>The largest tensor decoded from typed fields, in bytes (what one ONNX tensor in a protobuf can hold).</summary>
    public const long MaxTypedBytes = int.MaxValue;

    /// <summary>Decodes <paramref name="tensor"/>, the value of node <paramref name="nodeName"/> (named in errors).</summary>
    /// <exception cref="BuildConvertException">BCONV2102 when the tensor is malformed or its dtype has no ONNX form.</exception>
    public static TensorData ToTensorData(TfTensorProto tensor, string nodeName)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var tfType = TfDataTypes.BaseType(tensor.Dtype);
        var type = TfDataTypes.ToOnnx(tfType) ?? throw Invalid(nodeName, $"dtype {TfDataTypes.Name(tensor.Dtype)} has no ONNX form");
        var dims = Dims(tensor.TensorShape, nodeName);
        var count = ElementCount(dims, nodeName);
        if (type == OnnxDataType.String)
        {
            return Strings(tensor, dims, count, nodeName);
        }

        var tfSize = TensorFlowElementBytes(type);
        if (!tensor.TensorContent.IsEmpty)
        {
            if (tensor.TensorContent.Length != count * tfSize)
            {
                throw Invalid(nodeName, $"tensor_content has {tensor.TensorContent.Length} bytes, and a {TfDataTypes.Name(tfType)} tensor of shape {Shape(dims)} needs {count * tfSize}");
            }

            return type is OnnxDataType.Int4 or OnnxDataType.Uint4
                ? TensorData.FromBytes(type, dims, PackNibbles(tensor.TensorContent.Span, count))
                : TensorData.FromBytes(type, dims, tensor.TensorContent.Memory);
        }

        return Typed(tensor, type, dims, count, nodeName);
    }

    /// <summary>The dimensions of a fully known shape.</summary>
    /// <exception cref="BuildConvertException">BCONV2102 for an unknown rank or a negative dimension.</exception>
    public static long[] Dims(TensorShapeProto? shape, string nodeName)
    {
        if (shape is null)
        {
            return Array.Empty<long>();
        }

        if (shape.UnknownRank)
        {
            throw Invalid(nodeName, "the tensor's shape has an unknown rank");
        }

        var dims = new long[shape.Dim.Count];
        for (var i = 0; i < dims.Length; i++)
        {
            dims[i] = shape.Dim[i].Size;
            if (dims[i] < 0)
            {
                throw Invalid(nodeName, $"dimension {i} of the tensor's shape is {dims[i]}; a constant needs every size");
            }
        }

        return dims;
    }

    private static long ElementCount(long[] dims, string nodeName)
    {
        long count = 1;
        foreach (var d in dims)
        {
            if (d != 0 && count > MaxTypedBytes / d)
            {
                throw Invalid(nodeName, $"the tensor's shape {Shape(dims)} has more elements than a tensor may hold ({MaxTypedBytes})");
            }

            count *= d;
        }

        return count;
    }

    /// <summary>Bytes per element in TensorFlow's packed layout (int4 takes a byte; complex types both parts).</summary>
    private static int TensorFlowElementBytes(OnnxDataType type) =>
        type is OnnxDataType.Int4 or OnnxDataType.Uint4 ? 1 : ElementTypes.BitsPerElement(type) / 8;

    private static TensorData Strings(TfTensorProto tensor, long[] dims, long count, string nodeName)
    {
        var given = tensor.StringVal;
        if (given.Count > count)
        {
            throw Invalid(nodeName, $"string_val has {given.Count} values for {count} elements");
        }

        var values = new string[count];
        for (long i = 0; i < count; i++)
        {
            values[i] = given.Count == 0 ? "" : Encoding.UTF8.GetString(given[(int)System.Math.Min(i, given.Count - 1)].Span);
        }

        return TensorData.FromStrings(dims, values);
    }

    private static TensorData Typed(TfTensorProto t, OnnxDataType type, long[] dims, long count, string nodeName)
    {
        // Each case: how many values the typed field has, and how to write value k (an index into it) at an offset.
        (int Given, string Field, int PerElement) source = type switch
        {
            OnnxDataType.Float => (t.FloatVal.Count, "float_val", 1),
            OnnxDataType.Double => (t.DoubleVal.Count, "double_val", 1),
            OnnxDataType.Int64 => (t.Int64Val.Count, "int64_val", 1),
            OnnxDataType.Bool => (t.BoolVal.Count, "bool_val", 1),
            OnnxDataType.Uint32 => (t.Uint32Val.Count, "uint32_val", 1),
            OnnxDataType.Uint64 => (t.Uint64Val.Count, "uint64_val", 1),
            OnnxDataType.Float16 or OnnxDataType.Bfloat16 or OnnxDataType.Float8E5M2 or OnnxDataType.Float8E4M3Fn
                or OnnxDataType.Float8E4M3Fnuz or OnnxDataType.Float8E5M2Fnuz => (t.HalfVal.Count, "half_val", 1),
            OnnxDataType.Complex64 => (t.ScomplexVal.Count, "scomplex_val", 2),
            OnnxDataType.Complex128 => (t.DcomplexVal.Count, "dcomplex_val", 2),
            _ => (t.IntVal.Count, "int_val", 1),
        };

        if (source.Given % source.PerElement != 0)
        {
            throw Invalid(nodeName, $"{source.Field} has {source.Given} values; a complex tensor needs (real, imaginary) pairs");
        }

        var givenElements = source.Given / source.PerElement;
        if (givenElements > count)
        {
            throw Invalid(nodeName, $"{source.Field} has {givenElements} values for {count} elements");
        }

        var packed = type is OnnxDataType.Int4 or OnnxDataType.Uint4;
        var elementBytes = packed ? 1 : ElementTypes.BitsPerElement(type) / 8;
        if (count * elementBytes > MaxTypedBytes)
        {
            throw Invalid(nodeName, $"the tensor would take {count * elementBytes} bytes, more than a tensor may hold ({MaxTypedBytes})");
        }

        var bytes = new byte[count * elementBytes];
        var span = bytes.AsSpan();
        for (long i = 0; i < count && givenElements > 0; i++)
        {
            var k = (int)System.Math.Min(i, givenElements - 1);
            var at = span.Slice((int)(i * elementBytes), elementBytes);
            if (i >= givenElements && i > 0)
            {
                span.Slice((int)((i - 1) * elementBytes), elementBytes).CopyTo(at);
                continue;
            }

            switch (type)
            {
                case OnnxDataType.Float: BinaryPrimitives.WriteSingleLittleEndian(at, t.FloatVal[k]); break;
                case OnnxDataType.Double: BinaryPrimitives.WriteDoubleLittleEndian(at, t.DoubleVal[k]); break;
                case OnnxDataType.Int64: BinaryPrimitives.WriteInt64LittleEndian(at, t.Int64Val[k]); break;
                case OnnxDataType.Bool: at[0] = t.BoolVal[k] ? (byte)1 : (byte)0; break;
                case OnnxDataType.Uint32: BinaryPrimitives.WriteUInt32LittleEndian(at, t.Uint32Val[k]); break;
                case OnnxDataType.Uint64: BinaryPrimitives.WriteUInt64LittleEndian(at, t.Uint64Val[k]); break;
                case OnnxDataType.Float16 or OnnxDataType.Bfloat16: BinaryPrimitives.WriteUInt16LittleEndian(at, unchecked((ushort)t.HalfVal[k])); break;
                case OnnxDataType.Float8E5M2 or OnnxDataType.Float8E4M3Fn or OnnxDataType.Float8E4M3Fnuz or OnnxDataType.Float8E5M2Fnuz:
                    at[0] = unchecked((byte)t.HalfVal[k]);
                    break;
                case OnnxDataType.Complex64:
                    BinaryPrimitives.WriteSingleLittleEndian(at, t.ScomplexVal[2 * k]);
                    BinaryPrimitives.WriteSingleLittleEndian(at[4..], t.ScomplexVal[(2 * k) + 1]);
                    break;
                case OnnxDataType.Complex128:
                    BinaryPrimitives.WriteDoubleLittleEndian(at, t.DcomplexVal[2 * k]);
                    BinaryPrimitives.WriteDoubleLittleEndian(at[8..], t.DcomplexVal[(2 * k) + 1]);
                    break;
                default:
                    WriteInt(type, at, t.IntVal[k]);
                    break;
            }
        }

        return TensorData.FromBytes(type, dims, packed ? PackNibbles(bytes, count) : bytes);
    }

    private static void WriteInt(OnnxDataType type, Span<byte> at, int value)
    {
        switch (type)
        {
            case OnnxDataType.Int32: BinaryPrimitives.WriteInt32LittleEndian(at, value); break;
            case OnnxDataType.Int16 or OnnxDataType.Uint16: BinaryPrimitives.WriteUInt16LittleEndian(at, unchecked((ushort)value)); break;
            default: at[0] = unchecked((byte)value); break;
        }
    }

    /// <summary>int4/uint4 values, one per byte, packed two per byte (the first in the low nibble), as ONNX stores them.</summary>
    private static byte[] PackNibbles(ReadOnlySpan<byte> unpacked, long count)
    {
        var packed = new byte[(count + 1) / 2];
        for (var i = 0; i < count; i++)
        {
            var nibble = unpacked[i] & 0x0F;
            packed[i / 2] |= (byte)((i & 1) == 0 ? nibble : nibble << 4);
        }

        return packed;
    }

    private static string Shape(long[] dims) => "[" + string.Join(",", dims.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    private static BuildConvertException Invalid(string nodeName, string why) =>
        BuildConvertException.Create(DiagnosticCodes.TensorFlowTensorInvalid, $"node '{nodeName}' (Const), attribute 'value': {why}");
}
