using System.Buffers.Binary;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Evaluation;

/// <summary>
/// Element decoding/encoding and index arithmetic for <see cref="ReferenceEvaluator"/>. Integers (and bool) are handled
/// as <see cref="long"/> and wrapped to their type's width like a C++ cast; floating types as <see cref="double"/>
/// rounded to the type after every operation, which for +, -, *, / and sqrt equals the type's own IEEE result.
/// </summary>
internal static class TensorMath
{
    public static bool IsFloat(DataType t) => t is DataType.Float or DataType.Double or DataType.Float16 or DataType.Bfloat16;

    public static bool IsSignedInteger(DataType t) => t is DataType.Int8 or DataType.Int16 or DataType.Int32 or DataType.Int64;

    public static bool IsUnsignedInteger(DataType t) => t is DataType.Uint8 or DataType.Uint16 or DataType.Uint32 or DataType.Uint64;

    public static bool IsInteger(DataType t) => IsSignedInteger(t) || IsUnsignedInteger(t);

    /// <summary>Numeric or bool types whose elements take whole bytes (what the evaluator computes on).</summary>
    public static bool IsSupported(DataType t) => IsFloat(t) || IsInteger(t) || t == DataType.Bool;

    /// <summary>Bytes per element; 0 for strings and sub-byte types (which only byte-moving ops refuse).</summary>
    public static int ElementSize(DataType t)
    {
        var bits = ElementTypes.BitsPerElement(t);
        return bits % 8 == 0 ? bits / 8 : 0;
    }

    public static long Count(long[] shape) => ElementTypes.ElementCount(shape);

    public static long[] Strides(long[] shape)
    {
        var s = new long[shape.Length];
        long acc = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= shape[i];
        }

        return s;
    }

    /// <summary>Integer (and bool) elements; false for other types or a uint64 above <see cref="long.MaxValue"/>.</summary>
    public static bool TryReadInts(TensorData t, out long[] values)
    {
        values = t.FitsInt64 ? t.ToInt64s() : Array.Empty<long>();
        return t.FitsInt64;
    }

    /// <summary>Floating elements as doubles (exact); false for other types.</summary>
    public static bool TryReadReals(TensorData t, out double[] values)
    {
        values = Array.Empty<double>();
        if (!IsFloat(t.ElementType) || t.IsExternal)
        {
            return false;
        }

        var span = t.Bytes.Span;
        var n = (int)t.ElementCount;
        var result = new double[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = ElementTypes.ReadAsDouble(t.ElementType, span, i);
        }

        values = result;
        return true;
    }

    /// <summary>Wraps <paramref name="v"/> to <paramref name="t"/>'s width (two's complement), as a C++ cast does.</summary>
    public static long Wrap(DataType t, long v) => t switch
    {
        DataType.Int8 => unchecked((sbyte)v),
        DataType.Uint8 => unchecked((byte)v),
        DataType.Int16 => unchecked((short)v),
        DataType.Uint16 => unchecked((ushort)v),
        DataType.Int32 => unchecked((int)v),
        DataType.Uint32 => unchecked((uint)v),
        DataType.Bool => v != 0 ? 1 : 0,
        _ => v,
    };

    /// <summary>Rounds <paramref name="v"/> to the nearest value of floating type <paramref name="t"/>.</summary>
    public static double Round(DataType t, double v) => t switch
    {
        DataType.Float => (float)v,
        DataType.Float16 => (double)(Half)v,
        DataType.Bfloat16 => BFloat16ToDouble(ElementWriter.ToBFloat16(v)),
        _ => v,
    };

    public static TensorData FromInts(DataType t, long[] shape, long[] values)
    {
        if (!IsInteger(t) && t != DataType.Bool)
        {
            throw new ArgumentException($"{t} is not an integer type", nameof(t));
        }

        return Write(t, shape, values.Length, (span, i) => ElementWriter.WriteInt64(t, span, values[i]));
    }

    public static TensorData FromReals(DataType t, long[] shape, double[] values)
    {
        if (!IsFloat(t))
        {
            throw new ArgumentException($"{t} is not a floating type", nameof(t));
        }

        return Write(t, shape, values.Length, (span, i) => ElementWriter.Write(t, span, values[i]));
    }

    private static TensorData Write(DataType t, long[] shape, int count, ElementWrite write)
    {
        var size = ElementSize(t);
        var bytes = new byte[count * size];
        for (var i = 0; i < count; i++)
        {
            write(bytes.AsSpan(i * size, size), i);
        }

        return TensorData.FromBytes(t, shape, bytes);
    }

    private delegate void ElementWrite(Span<byte> destination, int index);


    public static double BFloat16ToDouble(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>The numpy broadcast of two shapes, or null when they do not broadcast.</summary>
    public static long[]? Broadcast(long[] a, long[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var result = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            var db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
            {
                return null;
            }

            result[i] = da == 1 ? db : da;
        }

        return result;
    }

    /// <summary>For every element of <paramref name="outShape"/>, the flat index of the element of <paramref name="inShape"/> it reads.</summary>
    public static int[] BroadcastMap(long[] inShape, long[] outShape)
    {
        var n = (int)Count(outShape);
        var map = new int[n];
        var rank = outShape.Length;
        var offset = rank - inShape.Length;
        var inStrides = Strides(inShape);
        var strides = new long[rank];
        for (var i = 0; i < inShape.Length; i++)
        {
            strides[i + offset] = inShape[i] == 1 ? 0 : inStrides[i];
        }

        var index = new long[rank];
        long flat = 0;
        for (var k = 0; k < n; k++)
        {
            map[k] = (int)flat;
            for (var d = rank - 1; d >= 0; d--)
            {
                index[d]++;
                flat += strides[d];
                if (index[d] < outShape[d])
                {
                    break;
                }

                flat -= strides[d] * index[d];
                index[d] = 0;
            }
        }

        return map;
    }

    /// <summary>Gathers elements (whole bytes each) of <paramref name="source"/> by flat index into a new tensor.</summary>
    public static TensorData GatherBytes(TensorData source, long[] shape, ReadOnlySpan<int> indices)
    {
        var size = ElementSize(source.ElementType);
        var from = source.Bytes.Span;
        var bytes = new byte[indices.Length * size];
        for (var i = 0; i < indices.Length; i++)
        {
            from.Slice(indices[i] * size, size).CopyTo(bytes.AsSpan(i * size, size));
        }

        return TensorData.FromBytes(source.ElementType, shape, bytes);
    }

    /// <summary>Normalizes a possibly negative axis; false when it is out of range.</summary>
    public static bool TryAxis(long axis, int rank, out int result)
    {
        result = (int)(axis < 0 ? axis + rank : axis);
        return axis >= -rank && axis < rank;
    }
}
