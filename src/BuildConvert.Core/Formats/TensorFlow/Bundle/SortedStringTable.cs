using System.Buffers.Binary;
using BuildConvert.Core.Diagnostics;
using Snappier;

namespace BuildConvert.Core.Formats.TensorFlow.Bundle;

/// <summary>
/// Reads a LevelDB-style sorted-string table, the format of a tensor bundle's <c>.index</c> file
/// (tensorflow/core/lib/io/table_format.txt): data blocks of prefix-compressed entries with restart points, each
/// block followed by a 5-byte trailer (compression type, masked CRC-32C of the block and the type byte), an index
/// block whose values are the data blocks' handles, and a 48-byte footer (metaindex and index handles as varints,
/// padding, the magic <c>0xdb4775248b80fb57</c>). Blocks may be Snappy-compressed. Every length and offset is checked
/// against the file before it is used.
/// </summary>
internal static class SortedStringTable
{
    /// <summary>The footer's magic number, little-endian in the file's last 8 bytes.</summary>
    public const ulong Magic = 0xdb4775248b80fb57UL;

    /// <summary>Footer size: two block handles (at most 20 bytes each), padding, the magic.</summary>
    public const int FooterSize = 48;

    /// <summary>Compression type byte of a plain block.</summary>
    public const byte NoCompression = 0;

    /// <summary>Compression type byte of a Snappy-compressed block.</summary>
    public const byte SnappyCompression = 1;

    private const int TrailerSize = 5;

    /// <summary>Largest uncompressed block accepted (TensorFlow writes blocks of a few KiB).</summary>
    private const int MaxBlockBytes = 64 << 20;

    /// <summary>Every entry of the table, in file order (sorted by key).</summary>
    /// <exception cref="BuildConvertException">BCONV1210 when the table is damaged; BCONV1214 for an unknown compression.</exception>
    public static IReadOnlyList<KeyValuePair<byte[], byte[]>> ReadAll(ReadOnlySpan<byte> file, string path)
    {
        if (file.Length < FooterSize)
        {
            throw Corrupt(path, $"the file has {file.Length} bytes, fewer than the {FooterSize}-byte footer");
        }

        var footer = file[^FooterSize..];
        if (BinaryPrimitives.ReadUInt64LittleEndian(footer[^8..]) != Magic)
        {
            throw Corrupt(path, "the footer's magic number is wrong (not a tensor bundle index, or truncated)");
        }

        var position = 0;
        _ = ReadHandle(footer, ref position, path); // metaindex: unused by tensor bundles
        var index = ReadHandle(footer, ref position, path);
        var indexBlock = ReadBlock(file, index, path, "index block");
        var entries = new List<KeyValuePair<byte[], byte[]>>();
        foreach (var (_, handleBytes) in ReadEntries(indexBlock, path, "index block"))
        {
            var handlePosition = 0;
            var handle = ReadHandle(handleBytes, ref handlePosition, path);
            var block = ReadBlock(file, handle, path, $"data block at offset {handle.Offset}");
            entries.AddRange(ReadEntries(block, path, $"data block at offset {handle.Offset}").Select(e => new KeyValuePair<byte[], byte[]>(e.Key, e.Value)));
        }

        return entries;
    }

    private readonly record struct BlockHandle(ulong Offset, ulong Size);

    private static BlockHandle ReadHandle(ReadOnlySpan<byte> data, ref int position, string path)
    {
        if (!TryReadVarint64(data, ref position, out var offset) || !TryReadVarint64(data, ref position, out var size))
        {
            throw Corrupt(path, "a block handle is not a pair of varints");
        }

        return new BlockHandle(offset, size);
    }

    private static byte[] ReadBlock(ReadOnlySpan<byte> file, BlockHandle handle, string path, string what)
    {
        var available = (ulong)(file.Length - FooterSize);
        if (handle.Offset > available || handle.Size > available - handle.Offset || TrailerSize > available - handle.Offset - handle.Size)
        {
            throw Corrupt(path, $"the {what} (offset {handle.Offset}, {handle.Size} bytes) lies past the end of the file");
        }

        var contents = file.Slice((int)handle.Offset, (int)handle.Size);
        var type = file[(int)(handle.Offset + handle.Size)];
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(file.Slice((int)(handle.Offset + handle.Size) + 1, 4));
        var crc = Crc32C.Extend(Crc32C.Compute(contents), stackalloc byte[] { type });
        if (Crc32C.Unmask(stored) != crc)
        {
            throw Corrupt(path, $"the {what} does not match its CRC-32C (stored 0x{Crc32C.Unmask(stored):x8}, computed 0x{crc:x8})");
        }

        switch (type)
        {
            case NoCompression:
                return contents.ToArray();
            case SnappyCompression:
                int length;
                try
                {
                    length = Snappy.GetUncompressedLength(contents);
                }
                catch (Exception e) when (e is InvalidDataException or ArgumentException)
                {
                    throw Corrupt(path, $"the Snappy-compressed {what} has no valid length header ({e.Message})");
                }

                if (length < 0 || length > MaxBlockBytes)
                {
                    throw Corrupt(path, $"the Snappy-compressed {what} claims {length} bytes uncompressed (limit {MaxBlockBytes})");
                }

                var output = new byte[length];
                try
                {
                    if (Snappy.Decompress(contents, output) != length)
                    {
                        throw Corrupt(path, $"the Snappy-compressed {what} decompresses to fewer bytes than its header says");
                    }
                }
                catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException)
                {
                    throw Corrupt(path, $"the Snappy-compressed {what} does not decompress ({e.Message})");
                }

                return output;
            default:
                throw BuildConvertException.Create(DiagnosticCodes.TfBundleUnsupported,
                    $"tensor bundle index '{path}': the {what} has compression type {type} (only 0, none, and 1, Snappy, exist)", path);
        }
    }

    private static List<(byte[] Key, byte[] Value)> ReadEntries(byte[] block, string path, string what)
    {
        if (block.Length < 4)
        {
            throw Corrupt(path, $"the {what} is shorter than its restart count");
        }

        var restarts = BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(block.Length - 4));
        if (restarts == 0 || restarts > (uint)(block.Length - 4) / 4)
        {
            throw Corrupt(path, $"the {what} has {restarts} restart points, which do not fit in its {block.Length} bytes");
        }

        var end = block.Length - 4 - (int)restarts * 4;
        var entries = new List<(byte[], byte[])>();
        var key = Array.Empty<byte>();
        var position = 0;
        while (position < end)
        {
            if (!TryReadVarint32(block, ref position, end, out var shared)
                || !TryReadVarint32(block, ref position, end, out var nonShared)
                || !TryReadVarint32(block, ref position, end, out var valueLength))
            {
                throw Corrupt(path, $"an entry of the {what} at byte {position} has a malformed header");
            }

            if (shared > key.Length || nonShared > end - position || valueLength > end - position - nonShared)
            {
                throw Corrupt(path, $"an entry of the {what} at byte {position} reaches past the block's end or shares more of the key than there is");
            }

            var next = new byte[shared + nonShared];
            key.AsSpan(0, (int)shared).CopyTo(next);
            block.AsSpan(position, (int)nonShared).CopyTo(next.AsSpan((int)shared));
            position += (int)nonShared;
            entries.Add((next, block.AsSpan(position, (int)valueLength).ToArray()));
            position += (int)valueLength;
            key = next;
        }

        return entries;
    }

    private static bool TryReadVarint32(ReadOnlySpan<byte> data, ref int position, int end, out uint value)
    {
        value = 0;
        if (!TryReadVarint64(data[..end], ref position, out var wide) || wide > uint.MaxValue)
        {
            return false;
        }

        value = (uint)wide;
        return true;
    }

    /// <summary>Reads a base-128 varint (at most 10 bytes).</summary>
    internal static bool TryReadVarint64(ReadOnlySpan<byte> data, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 70 && position < data.Length; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static BuildConvertException Corrupt(string path, string why) =>
        BuildConvertException.Create(DiagnosticCodes.TfBundleCorrupt, $"tensor bundle index '{path}': {why}", path);
}
