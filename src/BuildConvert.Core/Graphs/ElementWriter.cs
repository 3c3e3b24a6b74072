using System.Buffers.Binary;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs;

/// <summary>Writes one element of a byte-sized (or wider) numeric or bool type, the inverse of <see cref="ElementTypes.ReadAsDouble"/>.</summary>
public static class ElementWriter
{
    /// <summary>Writes <paramref name="value"/> as <paramref name="type"/> (little-endian) at the start of <paramref name="destination"/>.
    /// Integers are truncated toward zero and wrap like a C cast; bool is value != 0.</summary>
    /// <exception cref="ArgumentException">A type narrower than a byte, complex or string.</exception>
    public static void Write(DataType type, Span<byte> destination, double value)
    {
        switch (type)
        {
            case DataType.Float: BinaryPrimitives.WriteSingleLittleEndian(destination, (float)value); break;
            case DataType.Double: BinaryPrimitives.WriteDoubleLittleEndian(destination, value); break;
            case DataType.Float16: BinaryPrimitives.WriteHalfLittleEndian(destination, (Half)value); break;
            case DataType.Bfloat16: BinaryPrimitives.WriteUInt16LittleEndian(destination, ToBFloat16(value)); break;
            case DataType.Int8: destination[0] = unchecked((byte)(sbyte)ToInteger(value)); break;
            case DataType.Uint8: destination[0] = unchecked((byte)ToInteger(value)); break;
            case DataType.Bool: destination[0] = value != 0 ? (byte)1 : (byte)0; break;
            case DataType.Int16: BinaryPrimitives.WriteInt16LittleEndian(destination, unchecked((short)ToInteger(value))); break;
            case DataType.Uint16: BinaryPrimitives.WriteUInt16LittleEndian(destination, unchecked((ushort)ToInteger(value))); break;
            case DataType.Int32: BinaryPrimitives.WriteInt32LittleEndian(destination, unchecked((int)ToInteger(value))); break;
            case DataType.Uint32: BinaryPrimitives.WriteUInt32LittleEndian(destination, unchecked((uint)ToInteger(value))); break;
            case DataType.Int64: BinaryPrimitives.WriteInt64LittleEndian(destination, ToInteger(value)); break;
            case DataType.Uint64: BinaryPrimitives.WriteUInt64LittleEndian(destination, value >= 9.2233720368547758E18 ? (ulong)value : unchecked((ulong)ToInteger(value))); break;
            default: throw new ArgumentException($"cannot write a {ElementTypes.Name(type)} element from a double", nameof(type));
        }
    }

    /// <summary>Writes an int64 exactly as <paramref name="type"/> (integers wrap like a C cast; no round trip through double).</summary>
    public static void WriteInt64(DataType type, Span<byte> destination, long value)
    {
        switch (type)
        {
            case DataType.Int64: BinaryPrimitives.WriteInt64LittleEndian(destination, value); break;
            case DataType.Uint64: BinaryPrimitives.WriteUInt64LittleEndian(destination, unchecked((ulong)value)); break;
            case DataType.Int32: BinaryPrimitives.WriteInt32LittleEndian(destination, unchecked((int)value)); break;
            case DataType.Uint32: BinaryPrimitives.WriteUInt32LittleEndian(destination, unchecked((uint)value)); break;
            case DataType.Int16: BinaryPrimitives.WriteInt16LittleEndian(destination, unchecked((short)value)); break;
            case DataType.Uint16: BinaryPrimitives.WriteUInt16LittleEndian(destination, unchecked((ushort)value)); break;
            case DataType.Int8 or DataType.Uint8: destination[0] = unchecked((byte)value); break;
            case DataType.Bool: destination[0] = value != 0 ? (byte)1 : (byte)0; break;
            default: Write(type, destination, value); break;
        }
    }

    private static long ToInteger(double value)
    {
        if (double.IsNaN(value))
        {
            return 0;
        }

        var t = Math.Truncate(value);
        return t >= 9.2233720368547758E18 ? long.MaxValue : t <= -9.2233720368547758E18 ? long.MinValue : (long)t;
    }

    /// <summary>Rounds to bfloat16 (nearest even from float, as ONNX Runtime does); NaN becomes its quiet NaN 0x7FC1.</summary>
    public static ushort ToBFloat16(double value)
    {
        var f = (float)value;
        var bits = BitConverter.SingleToUInt32Bits(f);
        if (float.IsNaN(f))
        {
            return 0x7FC1;
        }

        // Round to nearest even on the dropped 16 bits.
        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }
}
