using System.IO.Compression;
using System.Text;

namespace BuildConvert.Core.Tests.Formats.Npy;

/// <summary>Hand-built hostile .npz archives (streamed, so even a huge member costs no memory to make).</summary>
internal static class NpzBombs
{
    /// <summary>The bytes of a version 1.0 .npy header for a float32 vector of <paramref name="count"/> elements.</summary>
    public static byte[] FloatVectorHeader(long count)
    {
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({count},), }}";
        var total = 10 + dict.Length + 1;
        var padded = (total + 63) / 64 * 64;
        var text = dict + new string(' ', padded - total) + "\n";
        var bytes = new byte[10 + text.Length];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }.CopyTo(bytes, 0);
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 2), (ushort)text.Length);
        Encoding.ASCII.GetBytes(text).CopyTo(bytes, 10);
        return bytes;
    }

    /// <summary>Writes an archive whose members are float32 vectors of zeros (deflated), keyed by name.</summary>
    public static void WriteZeros(string path, params (string Key, long Count)[] members)
    {
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        var chunk = new byte[1 << 20];
        foreach (var (key, count) in members)
        {
            var entry = zip.CreateEntry(key + ".npy", CompressionLevel.Optimal);
            using var stream = entry.Open();
            stream.Write(FloatVectorHeader(count));
            for (var left = count * 4; left > 0; left -= chunk.Length)
            {
                stream.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
            }
        }
    }
}
