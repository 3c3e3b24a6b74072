using System.Buffers.Binary;
using System.Runtime.Intrinsics.X86;

namespace BuildConvert.Core.Formats.TensorFlow.Bundle;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) as TensorFlow and LevelDB compute it, and the masking they
/// apply to stored checksums (<c>((crc &gt;&gt; 15) | (crc &lt;&lt; 17)) + 0xa282ead8</c>) so that a CRC of data that
/// itself holds CRCs stays well distributed.
/// </summary>
internal static class Crc32C
{
    private const uint MaskDelta = 0xa282ead8u;
    private static readonly uint[] Table = MakeTable();

    /// <summary>The CRC of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Extend(0, data);

    /// <summary>The CRC of the data whose prefix has CRC <paramref name="crc"/>, followed by <paramref name="data"/>.</summary>
    public static uint Extend(uint crc, ReadOnlySpan<byte> data)
    {
        var state = ~crc;
        if (Sse42.X64.IsSupported)
        {
            ulong wide = state;
            while (data.Length >= 8)
            {
                wide = Sse42.X64.Crc32(wide, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }

            state = (uint)wide;
        }

        foreach (var b in data)
        {
            state = Table[(state ^ b) & 0xff] ^ (state >> 8);
        }

        return ~state;
    }

    /// <summary>The stored form of <paramref name="crc"/>.</summary>
    public static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + MaskDelta;

    /// <summary>The CRC a stored, masked value stands for.</summary>
    public static uint Unmask(uint masked)
    {
        var rotated = masked - MaskDelta;
        return (rotated >> 17) | (rotated << 15);
    }

    private static uint[] MakeTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
