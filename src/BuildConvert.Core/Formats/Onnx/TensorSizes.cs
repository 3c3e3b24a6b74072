using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>Sizes derived from a tensor's dims and data type, computed without overflow.</summary>
public static class TensorSizes
{
    /// <summary>
    /// The number of elements (1 for a scalar), or null when a dim is negative or the product overflows.
    /// </summary>
    public static long? ElementCount(TensorProto tensor)
    {
        long count = 1;
        foreach (var d in tensor.Dims)
        {
            if (d < 0)
            {
                return null;
            }

            try
            {
                count = checked(count * d);
            }
            catch (OverflowException)
            {
                return null;
            }
        }

        return count;
    }

    /// <summary>
    /// The number of bytes <c>raw_data</c> must hold for the tensor (packed sub-byte types rounded up), or null for
    /// strings, unknown types, negative dims or overflow.
    /// </summary>
    public static long? RawByteCount(TensorProto tensor)
    {
        var count = ElementCount(tensor);
        var type = (DataType)tensor.DataType;
        if (count is null || !Enum.IsDefined(type) || type is DataType.String or DataType.Undefined)
        {
            return null;
        }

        var bits = ElementTypes.BitsPerElement(type);
        if (bits == 0 || count.Value > (long.MaxValue - 7) / bits)
        {
            return null;
        }

        return (count.Value * bits + 7) / 8;
    }
}
