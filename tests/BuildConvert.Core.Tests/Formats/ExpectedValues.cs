using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Formats;

/// <summary>
/// Compares a decoded tensor with values written by a fixture script (numpy / onnx as the oracle). Element encodings:
/// <c>int</c> decimal strings, <c>float</c> Python repr, <c>bits</c> hex bit patterns, <c>complex</c> [re, im] reprs,
/// <c>string</c> hex of the UTF-8 bytes.
/// </summary>
internal static class ExpectedValues
{
    /// <summary>Returns null when <paramref name="actual"/> matches, else a description of the first difference.</summary>
    public static string? Compare(TensorValue actual, long[] shape, string kind, JsonElement values)
    {
        if (!shape.SequenceEqual(actual.Shape))
        {
            return $"shape [{string.Join(",", actual.Shape)}], expected [{string.Join(",", shape)}]";
        }

        var expected = values.EnumerateArray().ToArray();
        if (expected.Length != actual.ElementCount)
        {
            return $"{actual.ElementCount} elements, expected {expected.Length}";
        }

        for (var i = 0; i < expected.Length; i++)
        {
            var problem = CompareElement(actual, i, kind, expected[i]);
            if (problem is not null)
            {
                return $"element {i}: {problem}";
            }
        }

        return null;
    }

    private static string? CompareElement(TensorValue t, int i, string kind, JsonElement e)
    {
        var data = t.Data.Span;
        switch (kind)
        {
            case "int":
            {
                var want = Int128.Parse(e.GetString()!, CultureInfo.InvariantCulture);
                Int128 got = t.ElementType switch
                {
                    DataType.Int8 => (sbyte)data[i],
                    DataType.Uint8 => data[i],
                    DataType.Bool => data[i],
                    DataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(data[(i * 2)..]),
                    DataType.Uint16 => BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..]),
                    DataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(data[(i * 4)..]),
                    DataType.Uint32 => BinaryPrimitives.ReadUInt32LittleEndian(data[(i * 4)..]),
                    DataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(data[(i * 8)..]),
                    DataType.Uint64 => BinaryPrimitives.ReadUInt64LittleEndian(data[(i * 8)..]),
                    _ => throw new InvalidOperationException($"int comparison for {t.ElementType}"),
                };
                return got == want ? null : $"{got} != {want}";
            }

            case "float":
                return t.ElementType == DataType.Float
                    ? SameFloat(BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]), e.GetString()!)
                    : SameDouble(BinaryPrimitives.ReadDoubleLittleEndian(data[(i * 8)..]), e.GetString()!);
            case "complex":
            {
                var parts = e.EnumerateArray().Select(x => x.GetString()!).ToArray();
                if (t.ElementType == DataType.Complex64)
                {
                    return SameFloat(BinaryPrimitives.ReadSingleLittleEndian(data[(i * 8)..]), parts[0])
                        ?? SameFloat(BinaryPrimitives.ReadSingleLittleEndian(data[(i * 8 + 4)..]), parts[1]);
                }

                return SameDouble(BinaryPrimitives.ReadDoubleLittleEndian(data[(i * 16)..]), parts[0])
                    ?? SameDouble(BinaryPrimitives.ReadDoubleLittleEndian(data[(i * 16 + 8)..]), parts[1]);
            }

            case "bits":
            {
                var want = ulong.Parse(e.GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                var bits = ElementTypes.BitsPerElement(t.ElementType);
                ulong got = bits switch
                {
                    16 => BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..]),
                    8 => data[i],
                    4 => (ulong)((data[i / 2] >> (i % 2 * 4)) & 0xF),
                    2 => (ulong)((data[i / 4] >> (i % 4 * 2)) & 0x3),
                    _ => throw new InvalidOperationException($"bits comparison for {t.ElementType}"),
                };
                return got == want ? null : $"bits {got:x} != {want:x}";
            }

            case "string":
            {
                var got = Convert.ToHexString(Encoding.UTF8.GetBytes(t.Strings![i])).ToLowerInvariant();
                var want = e.GetString()!;
                return got == want ? null : $"string bytes {got} != {want}";
            }

            default:
                throw new InvalidOperationException($"unknown kind {kind}");
        }
    }

    public static double ParseRepr(string repr) => repr switch
    {
        "nan" => double.NaN,
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(repr, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string? SameFloat(float got, string repr)
    {
        var want = (float)ParseRepr(repr);
        if (float.IsNaN(want) && float.IsNaN(got))
        {
            return null;
        }

        return BitConverter.SingleToInt32Bits(got) == BitConverter.SingleToInt32Bits(want) ? null : $"{got:R} != {repr}";
    }

    private static string? SameDouble(double got, string repr)
    {
        var want = ParseRepr(repr);
        if (double.IsNaN(want) && double.IsNaN(got))
        {
            return null;
        }

        return BitConverter.DoubleToInt64Bits(got) == BitConverter.DoubleToInt64Bits(want) ? null : $"{got:R} != {repr}";
    }
}
