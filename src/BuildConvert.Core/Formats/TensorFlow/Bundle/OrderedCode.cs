namespace BuildConvert.Core.Formats.TensorFlow.Bundle;

/// <summary>
/// The order-preserving key encoding TensorFlow uses for the table keys of variable slices
/// (tensorflow/core/lib/strings/ordered_code.h; <c>checkpoint::EncodeTensorNameSlice</c>): the number 0, the
/// variable's name, its rank, then each extent's start and length (-1 for "the whole dimension").
/// </summary>
internal static class OrderedCode
{
    // The header bits of a signed number's encoding of each length (ordered_code.cc, kLengthToHeaderBits).
    private static readonly byte[,] LengthToHeaderBits =
    {
        { 0, 0 }, { 0x80, 0 }, { 0xc0, 0 }, { 0xe0, 0 }, { 0xf0, 0 }, { 0xf8, 0 }, { 0xfc, 0 }, { 0xfe, 0 }, { 0xff, 0 },
        { 0xff, 0x80 }, { 0xff, 0xc0 },
    };

    /// <summary>The table key of the slice of <paramref name="name"/> with the given extents.</summary>
    public static byte[] EncodeTensorNameSlice(string name, IReadOnlyList<(long Start, long Length)> extents)
    {
        var key = new List<byte>();
        WriteNumIncreasing(key, 0);
        WriteString(key, System.Text.Encoding.UTF8.GetBytes(name));
        WriteNumIncreasing(key, (ulong)extents.Count);
        foreach (var (start, length) in extents)
        {
            WriteSignedNumIncreasing(key, start);
            WriteSignedNumIncreasing(key, length);
        }

        return key.ToArray();
    }

    internal static void WriteNumIncreasing(List<byte> dest, ulong value)
    {
        var bytes = 0;
        for (var v = value; v != 0; v >>= 8)
        {
            bytes++;
        }

        dest.Add((byte)bytes);
        for (var i = bytes - 1; i >= 0; i--)
        {
            dest.Add((byte)(value >> (8 * i)));
        }
    }

    internal static void WriteString(List<byte> dest, ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            switch (b)
            {
                case 0x00:
                    dest.Add(0x00);
                    dest.Add(0xff);
                    break;
                case 0xff:
                    dest.Add(0xff);
                    dest.Add(0x00);
                    break;
                default:
                    dest.Add(b);
                    break;
            }
        }

        dest.Add(0x00);
        dest.Add(0x01);
    }

    internal static void WriteSignedNumIncreasing(List<byte> dest, long value)
    {
        var x = value < 0 ? ~(ulong)value : (ulong)value;
        if (x < 64)
        {
            dest.Add((byte)(LengthToHeaderBits[1, 0] ^ (byte)value));
            return;
        }

        // The smallest length whose payload (7 bits per byte, less the sign bit) holds x.
        var length = 2;
        while (length < 10 && x >= 1UL << ((7 * length) - 1))
        {
            length++;
        }

        Span<byte> buffer = stackalloc byte[10];
        var sign = value < 0 ? (byte)0xff : (byte)0;
        buffer[0] = sign;
        buffer[1] = sign;
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(buffer[2..], value);
        var begin = buffer[(10 - length)..];
        begin[0] ^= LengthToHeaderBits[length, 0];
        begin[1] ^= LengthToHeaderBits[length, 1];
        foreach (var b in begin)
        {
            dest.Add(b);
        }
    }
}
