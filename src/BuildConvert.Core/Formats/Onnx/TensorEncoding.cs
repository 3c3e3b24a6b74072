using System.Buffers.Binary;
using BuildConvert.Core.Formats.Onnx.Proto;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>Encodes a tensor's typed data fields into the little-endian <c>raw_data</c> layout.</summary>
internal static class TensorEncoding
{
    /// <summary>
    /// The tensor's data in raw_data layout, or null when it cannot be expressed that way here (strings, sub-byte
    /// types held in int32_data, or typed fields whose count does not match the dims).
    /// </summary>
    public static ReadOnlyMemory<byte>? ToRaw(TensorProto tensor)
    {
        if (!tensor.RawData.IsEmpty)
        {
            return tensor.RawData.Memory;
        }

        var count = TensorSizes.ElementCount(tensor);
        var bytes = TensorSizes.RawByteCount(tensor);
        if (count is null || bytes is null || bytes > Array.MaxLength)
        {
            return null;
        }

        var n = (int)count.Value;
        var type = (DataType)tensor.DataType;
        var output = new byte[bytes.Value];
        switch (type)
        {
            case DataType.Float or DataType.Complex64 when tensor.FloatData.Count == output.Length / 4:
                for (var i = 0; i < tensor.FloatData.Count; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(output.AsSpan(i * 4), tensor.FloatData[i]);
                }

                return output;
            case DataType.Double or DataType.Complex128 when tensor.DoubleData.Count == output.Length / 8:
                for (var i = 0; i < tensor.DoubleData.Count; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(output.AsSpan(i * 8), tensor.DoubleData[i]);
                }

                return output;
            case DataType.Int64 when tensor.Int64Data.Count == n:
                for (var i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(output.AsSpan(i * 8), tensor.Int64Data[i]);
                }

                return output;
            case DataType.Uint64 when tensor.Uint64Data.Count == n:
                for (var i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(output.AsSpan(i * 8), tensor.Uint64Data[i]);
                }

                return output;
            case DataType.Uint32 when tensor.Uint64Data.Count == n:
                for (var i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(i * 4), (uint)tensor.Uint64Data[i]);
                }

                return output;
            case DataType.Int32 when tensor.Int32Data.Count == n:
                for (var i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(output.AsSpan(i * 4), tensor.Int32Data[i]);
                }

                return output;
            case DataType.Int16 or DataType.Uint16 or DataType.Float16 or DataType.Bfloat16 when tensor.Int32Data.Count == n:
                for (var i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(i * 2), (ushort)tensor.Int32Data[i]);
                }

                return output;
            case DataType.Int8 or DataType.Uint8 or DataType.Bool or DataType.Float8E4M3Fn or DataType.Float8E4M3Fnuz
                or DataType.Float8E5M2 or DataType.Float8E5M2Fnuz or DataType.Float8E8M0 when tensor.Int32Data.Count == n:
                for (var i = 0; i < n; i++)
                {
                    output[i] = (byte)tensor.Int32Data[i];
                }

                return output;
            default:
                return null;
        }
    }

    /// <summary>Clears every data field of the tensor.</summary>
    public static void ClearData(TensorProto tensor)
    {
        tensor.RawData = Google.Protobuf.ByteString.Empty;
        tensor.FloatData.Clear();
        tensor.DoubleData.Clear();
        tensor.Int32Data.Clear();
        tensor.Int64Data.Clear();
        tensor.Uint64Data.Clear();
        tensor.StringData.Clear();
    }
}
