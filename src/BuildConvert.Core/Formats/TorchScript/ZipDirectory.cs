using System.Buffers.Binary;
using System.Text;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Formats.TorchScript;

/// <summary>One entry of a zip's central directory, checked against its local header.</summary>
/// <param name="Name">The entry's name as stored (UTF-8), already checked by <see cref="ZipDirectory.CheckName"/>.</param>
/// <param name="Method">0 (stored) or 8 (deflated).</param>
/// <param name="Crc32">The CRC-32 of the uncompressed bytes.</param>
/// <param name="CompressedSize">Bytes of the entry's data in the file.</param>
/// <param name="UncompressedSize">Bytes once inflated (equal to <paramref name="CompressedSize"/> when stored).</param>
/// <param name="LocalHeaderOffset">Where its local header starts.</param>
/// <param name="DataOffset">Where its data starts (after the local header, its name and its extra field).</param>
internal sealed record ZipEntry(string Name, int Method, uint Crc32, long CompressedSize, long UncompressedSize, long LocalHeaderOffset, long DataOffset)
{
    public const int Stored = 0;
    public const int Deflated = 8;

    /// <summary>Whether the name is a folder record (ends with '/'), which carries no data PyTorch reads.</summary>
    public bool IsDirectory => Name.EndsWith('/');
}

/// <summary>
/// Reads a zip file's central directory (PKWARE APPNOTE 6.3: end of central directory record, the ZIP64 end record and
/// locator, central file headers, local file headers) from the bytes of the whole file, trusting nothing: every offset
/// and size is checked against the file before it is used, names are checked before anything looks them up, local
/// headers must agree with the central directory, and entries may not overlap each other or the directory (overlapping
/// entries are how the densest zip bombs work). Nothing is inflated here.
/// </summary>
internal static class ZipDirectory
{
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint CentralSignature = 0x02014b50;
    private const uint LocalSignature = 0x04034b50;
    private const int EndSize = 22;
    private const int CentralSize = 46;
    private const int LocalSize = 30;

    /// <summary>Whether <paramref name="tail"/> (the last bytes of a file, up to 65,557) ends with a zip end record.</summary>
    public static bool HasEndRecord(ReadOnlySpan<byte> tail) => FindEnd(tail) >= 0;

    /// <summary>Reads the entries of the zip <paramref name="file"/>, in central-directory order.</summary>
    /// <exception cref="BuildConvertException">BCONV1300/1303/1304/1305/1306/1307/1308 for a file that is not a sound zip.</exception>
    public static IReadOnlyList<ZipEntry> Read(ReadOnlySpan<byte> file, string path, TorchArchiveReadOptions options)
    {
        var end = FindEnd(file);
        if (end < 0)
        {
            throw NotAZip(file, path);
        }

        var record = file.Slice(end);
        var disk = U16(record, 4);
        var directoryDisk = U16(record, 6);
        long diskEntries = U16(record, 8);
        long entries = U16(record, 10);
        long directorySize = U32(record, 12);
        long directoryOffset = U32(record, 16);
        if (entries == 0xFFFF || directorySize == 0xFFFFFFFF || directoryOffset == 0xFFFFFFFF)
        {
            (disk, directoryDisk, diskEntries, entries, directorySize, directoryOffset) = ReadZip64End(file, end, path);
        }

        if (disk != 0 || directoryDisk != 0 || diskEntries != entries)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveUnsupportedEntry, $"'{path}' is one part of a multi-disk (split) zip archive", path);
        }

        if (entries > options.MaxEntries)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveLimitExceeded,
                $"'{path}' lists {entries} zip entries, more than the limit of {options.MaxEntries} (TorchArchiveReadOptions.MaxEntries)", path);
        }

        if (directoryOffset > end || directorySize > end - directoryOffset)
        {
            throw directoryOffset + directorySize > file.Length || directoryOffset > file.Length
                ? BuildConvertException.Create(DiagnosticCodes.TorchArchiveTruncated, $"'{path}': the zip central directory ({directorySize} bytes at offset {directoryOffset}) lies past the end of the file ({file.Length} bytes)", path)
                : BuildConvertException.Create(DiagnosticCodes.TorchArchiveCorrupt, $"'{path}': the zip central directory ({directorySize} bytes at offset {directoryOffset}) overlaps its end record at offset {end}", path);
        }

        if (entries * CentralSize > directorySize)
        {
            throw Corrupt(path, $"the zip end record promises {entries} entries, but the central directory has only {directorySize} bytes");
        }

        var directory = file.Slice((int)directoryOffset, (int)directorySize);
        var list = new List<ZipEntry>((int)entries);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var position = 0;
        for (long i = 0; i < entries; i++)
        {
            var entry = ReadCentral(file, directory, ref position, directoryOffset, path, i);
            if (!names.Add(entry.Name))
            {
                throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveDuplicateEntry, $"'{path}' has two zip entries named '{entry.Name}'", path, entry.Name);
            }

            list.Add(entry);
        }

        if (position != directory.Length)
        {
            throw Corrupt(path, $"the zip central directory has {directory.Length - position} bytes after its {entries} entries");
        }

        // Entries must not overlap one another nor the central directory.
        var byOffset = list.OrderBy(e => e.LocalHeaderOffset).ToArray();
        for (var i = 0; i < byOffset.Length; i++)
        {
            var limit = i + 1 < byOffset.Length ? byOffset[i + 1].LocalHeaderOffset : directoryOffset;
            if (byOffset[i].DataOffset + byOffset[i].CompressedSize > limit)
            {
                throw Corrupt(path, $"zip entry '{byOffset[i].Name}' overlaps {(i + 1 < byOffset.Length ? $"entry '{byOffset[i + 1].Name}'" : "the central directory")}");
            }
        }

        return list;
    }

    /// <summary>
    /// Checks that <paramref name="name"/> is a relative path that cannot leave the archive's folder: forward slashes
    /// only, no empty, '.' or '..' segment (a trailing '/' marks a folder), no leading '/', no drive letter, no control
    /// character. Returns why not, or null.
    /// </summary>
    public static string? CheckName(string name)
    {
        if (name.Length == 0)
        {
            return "it is empty";
        }

        foreach (var c in name)
        {
            if (c < 0x20 || c == 0x7F)
            {
                return c == 0 ? "it contains a NUL character" : "it contains a control character";
            }

            if (c == '\\')
            {
                return "it contains a backslash";
            }
        }

        if (name[0] == '/')
        {
            return "it is an absolute path";
        }

        if (name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0]))
        {
            return "it starts with a drive letter";
        }

        var segments = name.EndsWith('/') ? name[..^1].Split('/') : name.Split('/');
        foreach (var segment in segments)
        {
            if (segment is "..")
            {
                return "it has a '..' segment";
            }

            if (segment is "." or "")
            {
                return segment.Length == 0 ? "it has an empty segment ('//')" : "it has a '.' segment";
            }
        }

        return null;
    }

    private static ZipEntry ReadCentral(ReadOnlySpan<byte> file, ReadOnlySpan<byte> directory, ref int position, long directoryOffset, string path, long index)
    {
        if (directory.Length - position < CentralSize || U32(directory, position) != CentralSignature)
        {
            throw Corrupt(path, $"central directory record {index} (offset {directoryOffset + position}) has no central file header signature");
        }

        var header = directory.Slice(position, CentralSize);
        var flags = U16(header, 8);
        var method = U16(header, 10);
        var crc = U32(header, 16);
        long compressed = U32(header, 20);
        long uncompressed = U32(header, 24);
        var nameLength = U16(header, 28);
        var extraLength = U16(header, 30);
        var commentLength = U16(header, 32);
        long startDisk = U16(header, 34);
        long localOffset = U32(header, 42);
        if (directory.Length - position - CentralSize < nameLength + extraLength + commentLength)
        {
            throw Corrupt(path, $"central directory record {index} runs past the end of the central directory");
        }

        var nameBytes = directory.Slice(position + CentralSize, nameLength);
        var extra = directory.Slice(position + CentralSize + nameLength, extraLength);
        position += CentralSize + nameLength + extraLength + commentLength;
        string name;
        try
        {
            name = new UTF8Encoding(false, true).GetString(nameBytes);
        }
        catch (DecoderFallbackException e)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveUnsafeEntryName, $"'{path}': zip entry {index}'s name is not valid UTF-8", path, inner: e);
        }

        if (CheckName(name) is { } why)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveUnsafeEntryName, $"'{path}': zip entry '{name}' is refused: {why}", path, name);
        }

        if (compressed == 0xFFFFFFFF || uncompressed == 0xFFFFFFFF || localOffset == 0xFFFFFFFF || startDisk == 0xFFFF)
        {
            ReadZip64Extra(extra, ref uncompressed, ref compressed, ref localOffset, ref startDisk, path, name);
        }

        if ((flags & 0x41) != 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveUnsupportedEntry, $"'{path}': zip entry '{name}' is encrypted", path, name);
        }

        if (method is not (ZipEntry.Stored or ZipEntry.Deflated))
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveUnsupportedEntry, $"'{path}': zip entry '{name}' uses compression method {method} (only 0, stored, and 8, deflated, are read)", path, name);
        }

        if (startDisk != 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveUnsupportedEntry, $"'{path}': zip entry '{name}' starts on disk {startDisk} of a split archive", path, name);
        }

        if (method == ZipEntry.Stored && compressed != uncompressed)
        {
            throw Corrupt(path, $"stored zip entry '{name}' declares {compressed} stored bytes but {uncompressed} uncompressed ones");
        }

        if (localOffset > directoryOffset || directoryOffset - localOffset < LocalSize)
        {
            throw Corrupt(path, $"zip entry '{name}''s local header offset {localOffset} is not before the central directory (offset {directoryOffset})");
        }

        var local = file.Slice((int)localOffset);
        if (U32(local, 0) != LocalSignature)
        {
            throw Corrupt(path, $"zip entry '{name}' has no local file header signature at offset {localOffset}");
        }

        var localMethod = U16(local, 8);
        var localNameLength = U16(local, 26);
        var localExtraLength = U16(local, 28);
        var dataOffset = localOffset + LocalSize + localNameLength + localExtraLength;
        if (dataOffset > directoryOffset)
        {
            throw Corrupt(path, $"zip entry '{name}''s local header runs into the central directory");
        }

        if (localMethod != method || !local.Slice(LocalSize, localNameLength).SequenceEqual(nameBytes))
        {
            throw Corrupt(path, $"zip entry '{name}''s local header (offset {localOffset}) disagrees with the central directory on its {(localMethod != method ? "compression method" : "name")}");
        }

        if (compressed > file.Length - dataOffset)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveTruncated,
                $"'{path}': zip entry '{name}' declares {compressed} bytes at offset {dataOffset}, past the end of the file ({file.Length} bytes)", path, name);
        }

        return new ZipEntry(name, method, crc, compressed, uncompressed, localOffset, dataOffset);
    }

    private static void ReadZip64Extra(ReadOnlySpan<byte> extra, ref long uncompressed, ref long compressed, ref long localOffset, ref long startDisk, string path, string name)
    {
        var position = 0;
        while (extra.Length - position >= 4)
        {
            var id = U16(extra, position);
            var size = U16(extra, position + 2);
            if (extra.Length - position - 4 < size)
            {
                break;
            }

            var field = extra.Slice(position + 4, size);
            position += 4 + size;
            if (id != 0x0001)
            {
                continue;
            }

            var at = 0;
            if (uncompressed == 0xFFFFFFFF)
            {
                uncompressed = Zip64Value(field, ref at, path, name);
            }

            if (compressed == 0xFFFFFFFF)
            {
                compressed = Zip64Value(field, ref at, path, name);
            }

            if (localOffset == 0xFFFFFFFF)
            {
                localOffset = Zip64Value(field, ref at, path, name);
            }

            if (startDisk == 0xFFFF)
            {
                if (field.Length - at < 4)
                {
                    throw Corrupt(path, $"zip entry '{name}''s ZIP64 extra field is too short");
                }

                startDisk = U32(field, at);
            }

            return;
        }

        throw Corrupt(path, $"zip entry '{name}' needs a ZIP64 extra field for its sizes or offset and has none");
    }

    private static long Zip64Value(ReadOnlySpan<byte> field, ref int at, string path, string name)
    {
        if (field.Length - at < 8)
        {
            throw Corrupt(path, $"zip entry '{name}''s ZIP64 extra field is too short");
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(field.Slice(at));
        at += 8;
        if (value > long.MaxValue)
        {
            throw Corrupt(path, $"zip entry '{name}''s ZIP64 extra field holds an impossible size or offset ({value})");
        }

        return (long)value;
    }

    private static (int Disk, int DirectoryDisk, long DiskEntries, long Entries, long Size, long Offset) ReadZip64End(ReadOnlySpan<byte> file, int end, string path)
    {
        if (end < 20 || U32(file, end - 20) != Zip64LocatorSignature)
        {
            throw Corrupt(path, "the zip end record asks for a ZIP64 end record, but there is no ZIP64 locator before it");
        }

        var offset = BinaryPrimitives.ReadUInt64LittleEndian(file.Slice(end - 20 + 8));
        if (offset > (ulong)(end - 20) || (ulong)(end - 20) - offset < 56 || U32(file, (int)offset) != Zip64EndSignature)
        {
            throw Corrupt(path, $"the ZIP64 locator points at offset {offset}, where there is no ZIP64 end record");
        }

        var record = file.Slice((int)offset, 56);
        var diskEntries = BinaryPrimitives.ReadUInt64LittleEndian(record.Slice(24));
        var entries = BinaryPrimitives.ReadUInt64LittleEndian(record.Slice(32));
        var size = BinaryPrimitives.ReadUInt64LittleEndian(record.Slice(40));
        var directoryOffset = BinaryPrimitives.ReadUInt64LittleEndian(record.Slice(48));
        if (entries > int.MaxValue || diskEntries > int.MaxValue || size > (ulong)file.Length || directoryOffset > (ulong)file.Length)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveTruncated,
                $"'{path}': the ZIP64 end record declares {entries} entries in {size} bytes at offset {directoryOffset}, more than the file holds ({file.Length} bytes)", path);
        }

        return ((int)U32(record, 16), (int)U32(record, 20), (long)diskEntries, (long)entries, (long)size, (long)directoryOffset);
    }

    // The end record is the last 22 bytes unless a comment (at most 65,535 bytes) follows it; the comment length must
    // reach the end of the file exactly.
    private static int FindEnd(ReadOnlySpan<byte> file)
    {
        if (file.Length < EndSize)
        {
            return -1;
        }

        var lowest = Math.Max(0, file.Length - EndSize - 0xFFFF);
        for (var at = file.Length - EndSize; at >= lowest; at--)
        {
            if (U32(file, at) == EndSignature && at + EndSize + U16(file, at + 20) == file.Length)
            {
                return at;
            }
        }

        return -1;
    }

    private static BuildConvertException NotAZip(ReadOnlySpan<byte> file, string path)
    {
        if (TorchArchive.IsLegacyTorchSave(file))
        {
            return BuildConvertException.Create(DiagnosticCodes.TorchLegacyPickle,
                $"'{path}' is a legacy torch.save pickle, not a TorchScript archive; save with torch.jit.script/trace(...).save", path);
        }

        if (file.Length >= 4 && U32(file, 0) == LocalSignature)
        {
            return BuildConvertException.Create(DiagnosticCodes.TorchArchiveTruncated, $"'{path}' starts like a zip archive but has no end of central directory record: it is truncated", path);
        }

        return BuildConvertException.Create(DiagnosticCodes.TorchArchiveNotZip, $"'{path}' is not a zip archive (no end of central directory record), so it is not a TorchScript archive", path);
    }

    private static BuildConvertException Corrupt(string path, string what) =>
        BuildConvertException.Create(DiagnosticCodes.TorchArchiveCorrupt, $"'{path}': {what}", path);

    private static int U16(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt16LittleEndian(s.Slice(at, 2));

    private static uint U32(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt32LittleEndian(s.Slice(at, 4));
}
