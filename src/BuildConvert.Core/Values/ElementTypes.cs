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
    public static int BitsPerElement(DataType type) => type switch
    {
        DataType.Float or DataType.Int32 or DataType.Uint32 => 32,
        DataType.Double or DataType.Int64 or DataType.Uint64 or DataType.Complex64 => 64,
        DataType.Complex128 => 128,
        DataType.Float16 or DataType.Bfloat16 or DataType.Int16 or DataType.Uint16 => 16,
        DataType.Int8 or DataType.Uint8 or DataType.Bool or DataType.Float8E4M3Fn or DataType.Float8E4M3Fnuz
            or DataType.Float8E5M2 or DataType.Float8E5M2Fnuz or DataType.Float8E8M0 => 8,
        DataType.Int4 or DataType.Uint4 or DataType.Float4E2M1 => 4,
        DataType.Int2 or DataType.Uint2 => 2,
        _ => 0,
    };

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
    public static string Name(DataType type) => type switch
    {
        DataType.Float => "float",
        DataType.Double => "double",
        DataType.Float16 => "float16",
        DataType.Bfloat16 => "bfloat16",
        DataType.Int8 => "int8",
        DataType.Int16 => "int16",
        DataType.Int32 => "int32",
        DataType.Int64 => "int64",
        DataType.Uint8 => "uint8",
        DataType.Uint16 => "uint16",
        DataType.Uint32 => "uint32",
        DataType.Uint64 => "uint64",
        DataType.Bool => "bool",
        DataType.String => "string",
        DataType.Complex64 => "complex64",
        DataType.Complex128 => "complex128",
        DataType.Float8E4M3Fn => "float8e4m3fn",
        DataType.Float8E4M3Fnuz => "float8e4m3fnuz",
        DataType.Float8E5M2 => "float8e5m2",
        DataType.Float8E5M2Fnuz => "float8e5m2fnuz",
        DataType.Float8E8M0 => "float8e8m0",
        DataType.Uint4 => "uint4",
        DataType.Int4 => "int4",
        DataType.Float4E2M1 => "float4e2m1",
        DataType.Uint2 => "uint2",
        DataType.Int2 => "int2",
        _ => $"type{(int)type}",
    };

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
