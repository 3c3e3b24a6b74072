using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>Moves a tensor's data between its typed fields and the little-endian <c>raw_data</c> layout.</summary>
internal static class TensorEncoding
{
    /// <summary>
    /// The tensor's data in raw_data layout, or null when it cannot be expressed that way (strings, or typed fields whose
    /// count does not match the dims). Decoding is <see cref="OnnxTensorCodec"/>'s, so every element type it reads is covered.
    /// </summary>
    public static ReadOnlyMemory<byte>? ToRaw(TensorProto tensor)
    {
        if (!tensor.RawData.IsEmpty)
        {
            return tensor.RawData.Memory;
        }

        if ((DataType)tensor.DataType == DataType.String)
        {
            return null;
        }

        try
        {
            return OnnxTensorCodec.ToTensorValue(tensor).Data;
        }
        catch (BuildConvertException)
        {
            return null;
        }
    }

    /// <summary>Removes every data field of <paramref name="tensor"/> (raw and typed).</summary>
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
