using System.Buffers.Binary;
using BuildConvert.Core.Formats.Onnx.Proto;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Values;

/// <summary>Facts about ONNX element types: sizes, names, and reading elements as numbers.</summary>
public static class ElementTypes
{
    /// <summary>
    /// Size in bits of one element as stored in <c>raw_data</c> (4 for int4/uint4/float4, 2 for int2/uint2);
    /// 0 for STRING and UNDEFINED.
    /// </summary>
    public static int BitsPerElement(DataType type) => ElementTypeTable.Find(type)?.Bits ?? 0;

    /// <summary>Whether <paramref name="type"/> is a known, non-UNDEFINED element type.</summary>
    public static bool IsDefined(DataType type) => type != DataType.Undefined && Enum.IsDefined(type);

    /// <summary>The byte count of <paramref name="elementCount"/> packed elements, or -1 for strings/undefined.</summary>
    public static long ByteCount(DataType type, long elementCount)
    {
        var bits = BitsPerElement(type);
        if (bits == 0)
        {
            return -1;
        }

        return checked((elementCount * bits + 7) / 8);
    }

    /// <summary>Product of dimensions (1 for a scalar). Throws <see cref="OverflowException"/> on overflow and
    /// <see cref="ArgumentException"/> on a negative dimension.</summary>
    public static long ElementCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"negative dimension {d}", nameof(shape));
            }

            count = checked(count * d);
        }

        return count;
    }

    /// <summary>The lower-case name ONNX uses in type strings, e.g. <c>float</c>, <c>int64</c>, <c>float16</c>.</summary>
    public static string Name(DataType type) => ElementTypeTable.Find(type)?.Name ?? $"type{(int)type}";

    /// <summary>
    /// Reads element <paramref name="index"/> of packed little-endian data as a double (the real part for complex types).
    /// Supports every numeric type and bool whose element is at least one byte wide, plus int4/uint4.
    /// </summary>
    public static double ReadAsDouble(DataType type, ReadOnlySpan<byte> data, long index)
    {
        checked
        {
            switch (type)
            {
                case DataType.Float: return BinaryPrimitives.ReadSingleLittleEndian(data.Slice((int)(index * 4)));
                case DataType.Double: return BinaryPrimitives.ReadDoubleLittleEndian(data.Slice((int)(index * 8)));
                case DataType.Float16: return (double)BinaryPrimitives.ReadHalfLittleEndian(data.Slice((int)(index * 2)));
                case DataType.Bfloat16:
                    return BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(data.Slice((int)(index * 2))) << 16);
                case DataType.Int8: return unchecked((sbyte)data[(int)index]);
                case DataType.Uint8: return data[(int)index];
                case DataType.Bool: return data[(int)index] != 0 ? 1 : 0;
                case DataType.Int16: return BinaryPrimitives.ReadInt16LittleEndian(data.Slice((int)(index * 2)));
                case DataType.Uint16: return BinaryPrimitives.ReadUInt16LittleEndian(data.Slice((int)(index * 2)));
                case DataType.Int32: return BinaryPrimitives.ReadInt32LittleEndian(data.Slice((int)(index * 4)));
                case DataType.Uint32: return BinaryPrimitives.ReadUInt32LittleEndian(data.Slice((int)(index * 4)));
                case DataType.Int64: return BinaryPrimitives.ReadInt64LittleEndian(data.Slice((int)(index * 8)));
                case DataType.Uint64: return BinaryPrimitives.ReadUInt64LittleEndian(data.Slice((int)(index * 8)));
                case DataType.Complex64: return BinaryPrimitives.ReadSingleLittleEndian(data.Slice((int)(index * 8)));
                case DataType.Complex128: return BinaryPrimitives.ReadDoubleLittleEndian(data.Slice((int)(index * 16)));
                case DataType.Int4:
                {
                    var b = data[(int)(index / 2)];
                    var nibble = (index % 2 == 0) ? b & 0x0F : b >> 4;
                    return nibble >= 8 ? nibble - 16 : nibble;
                }

                case DataType.Uint4:
                {
                    var b = data[(int)(index / 2)];
                    return (index % 2 == 0) ? b & 0x0F : b >> 4;
                }

                default:
                    throw new NotSupportedException($"reading {Name(type)} elements as numbers is not supported");
            }
        }
    }
}
