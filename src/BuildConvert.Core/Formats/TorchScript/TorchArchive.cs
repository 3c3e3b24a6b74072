using System.IO.Compression;
using System.Text;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Formats.TorchScript;

/// <summary>
/// A TorchScript archive as a container: the zip PyTorch's <c>torch.jit.save</c> writes (caffe2/serialize's
/// PyTorchStreamWriter), opened read-only. The file is mapped once; entries PyTorch stores uncompressed (the tensor
/// storages <c>data/&lt;key&gt;</c>, 64-byte aligned) are handed out as slices of the mapping, never copied; deflated
/// entries (code files, debug pickles) are inflated once, within <see cref="TorchArchiveReadOptions"/>' limits, and kept.
/// Every entry lies under one top-level folder, the root (<c>foo/</c>, <c>model.scr/</c>); the names this class takes and
/// gives are relative to it (<c>data.pkl</c>, <c>code/__torch__.py</c>). Nothing is ever written to disk or extracted.
/// Thread-safe; the mapping is released by the garbage collector once neither the archive nor any slice it handed out
/// is referenced.
/// </summary>
public sealed class TorchArchive
{
    /// <summary>The highest archive format version read (PyTorch 1.13 writes 3 for most models, 2.x up to 10).</summary>
    public const int MaxVersion = 10;

    /// <summary>The largest archive read: the mapping is one <see cref="ReadOnlyMemory{T}"/>.</summary>
    public const long MaxArchiveBytes = int.MaxValue;

    // The pickle torch.save (legacy, before the zip format) writes first: the magic number 0x1950a86a20f9469cfc6c as a
    // LONG1 of protocol 2.
    private static readonly byte[] LegacyMagic = { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19 };

    private readonly ReadOnlyMemory<byte> file;
    private readonly Dictionary<string, ZipEntry> entries;
    private readonly Dictionary<string, ReadOnlyMemory<byte>> inflated = new(StringComparer.Ordinal);
    private readonly object gate = new();
    private long inflatedTotal;

    private TorchArchive(string path, ReadOnlyMemory<byte> file, string root, Dictionary<string, ZipEntry> entries, TorchArchiveReadOptions options)
    {
        Path = path;
        this.file = file;
        Root = root;
        this.entries = entries;
        Options = options;
        EntryNames = entries.Keys.Order(StringComparer.Ordinal).ToArray();
        Version = ReadVersion(out var versionEntry);
        VersionEntry = versionEntry;
        IsBigEndian = ReadByteOrder();
    }

    /// <summary>The file it was read from.</summary>
    public string Path { get; }

    /// <summary>The top-level folder every entry lies in, without the slash (<c>foo</c>, <c>model.scr</c>).</summary>
    public string Root { get; }

    /// <summary>The archive format version (from <c>.data/version</c> when present, else <c>version</c>), 1 to <see cref="MaxVersion"/>.</summary>
    public int Version { get; }

    /// <summary>The entry the version was read from (<c>version</c> or <c>.data/version</c>).</summary>
    public string VersionEntry { get; }

    /// <summary>Whether the <c>byteorder</c> entry says <c>big</c> (storages are then byte-swapped as tensors are built);
    /// archives without one (PyTorch before 1.12) are little-endian.</summary>
    public bool IsBigEndian { get; }

    /// <summary>The limits it is read with.</summary>
    public TorchArchiveReadOptions Options { get; }

    /// <summary>Every file entry (folder records left out), relative to <see cref="Root"/>, in ordinal order.</summary>
    public IReadOnlyList<string> EntryNames { get; }

    /// <summary>The serialized TorchScript source files (<c>code/**.py</c>; their <c>.debug_pkl</c> companions left out), in ordinal order.</summary>
    public IReadOnlyList<string> CodeFiles => EntryNames.Where(n => n.StartsWith("code/", StringComparison.Ordinal) && n.EndsWith(".py", StringComparison.Ordinal)).ToArray();

    /// <summary>The user's extra files (<c>torch.jit.save(..., _extra_files=...)</c>), the names under <c>extra/</c>.</summary>
    public IReadOnlyList<string> ExtraFiles => EntryNames.Where(n => n.StartsWith("extra/", StringComparison.Ordinal)).ToArray();

    /// <summary>Whether the archive has the entry <paramref name="name"/> (relative to the root).</summary>
    public bool Contains(string name) => entries.ContainsKey(name);

    /// <summary>The uncompressed size of entry <paramref name="name"/>, or -1 when there is none.</summary>
    public long SizeOf(string name) => entries.TryGetValue(name, out var e) ? e.UncompressedSize : -1;

    /// <summary>Whether entry <paramref name="name"/> is stored uncompressed (so <see cref="Read"/> returns a slice of the mapping).</summary>
    public bool IsStored(string name) => entries.TryGetValue(name, out var e) && e.Method == ZipEntry.Stored;

    /// <summary>Opens the archive at <paramref name="path"/>.</summary>
    /// <exception cref="BuildConvertException">BCONV1300-1311 when the file is not a sound TorchScript zip.</exception>
    public static TorchArchive Open(string path, TorchArchiveReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= TorchArchiveReadOptions.Default;
        var length = new FileInfo(path).Length;
        if (length > MaxArchiveBytes)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveLimitExceeded,
                $"'{path}' has {length} bytes; archives larger than {MaxArchiveBytes} bytes (2 GiB) are not read yet", path);
        }

        if (length < 22)
        {
            var head = File.ReadAllBytes(path);
            throw IsLegacyTorchSave(head)
                ? BuildConvertException.Create(DiagnosticCodes.TorchLegacyPickle, $"'{path}' is a legacy torch.save pickle, not a TorchScript archive; save with torch.jit.script/trace(...).save", path)
                : BuildConvertException.Create(DiagnosticCodes.TorchArchiveNotZip, $"'{path}' has {length} bytes, too few for a zip archive, so it is not a TorchScript archive", path);
        }

        ReadOnlyMemory<byte> mapped;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
        {
            mapped = MappedProtobuf.Map(stream, 0, length);
        }

        return Open(mapped, path, options);
    }

    /// <summary>Opens an archive held in memory (<paramref name="path"/> names it in messages).</summary>
    /// <exception cref="BuildConvertException">BCONV1300-1311 when the bytes are not a sound TorchScript zip.</exception>
    public static TorchArchive Open(ReadOnlyMemory<byte> bytes, string path, TorchArchiveReadOptions? options = null)
    {
        options ??= TorchArchiveReadOptions.Default;
        var list = ZipDirectory.Read(bytes.Span, path, options);
        var files = list.Where(e => !e.IsDirectory).ToList();
        if (files.Count == 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveLayout, $"'{path}' is a zip archive without files", path);
        }

        var roots = list.Select(e => e.Name.Split('/')[0]).Distinct(StringComparer.Ordinal).ToArray();
        if (roots.Length != 1 || files.Any(e => !e.Name.Contains('/', StringComparison.Ordinal)))
        {
            var shown = string.Join(", ", list.Select(e => e.Name.Contains('/', StringComparison.Ordinal) ? e.Name.Split('/')[0] + "/" : e.Name).Distinct(StringComparer.Ordinal).Take(5).Select(r => $"'{r}'"));
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveLayout,
                $"'{path}': a TorchScript archive keeps every entry in one top-level folder, but this zip has {shown} at its top level", path);
        }

        var root = roots[0];
        var byName = files.ToDictionary(e => e.Name[(root.Length + 1)..], StringComparer.Ordinal);
        return new TorchArchive(path, bytes, root, byName, options);
    }

    /// <summary>Whether <paramref name="head"/> (a file's first bytes) starts like a legacy (pre-zip) torch.save pickle.</summary>
    public static bool IsLegacyTorchSave(ReadOnlySpan<byte> head) => head.StartsWith(LegacyMagic);

    /// <summary>
    /// The bytes of entry <paramref name="name"/> (relative to the root): a slice of the mapped file when stored, the
    /// inflated bytes (inflated on first use, CRC-checked, then kept) when deflated.
    /// </summary>
    /// <exception cref="BuildConvertException">BCONV1309 when there is no such entry; BCONV1304/1307 when it does not inflate within the limits.</exception>
    public ReadOnlyMemory<byte> Read(string name)
    {
        if (!entries.TryGetValue(name, out var entry))
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveLayout, $"'{Path}' has no entry '{Root}/{name}'", Path, name);
        }

        var stored = file.Slice((int)entry.DataOffset, (int)entry.CompressedSize);
        if (entry.Method == ZipEntry.Stored)
        {
            return stored;
        }

        lock (gate)
        {
            if (inflated.TryGetValue(name, out var done))
            {
                return done;
            }

            var bytes = Inflate(entry, stored);
            inflated[name] = bytes;
            return bytes;
        }
    }

    /// <summary>Reads entry <paramref name="name"/> as UTF-8 text, after checking its CRC-32 when it is stored.</summary>
    /// <exception cref="BuildConvertException">As <see cref="Read"/>; BCONV1304 for bytes that are not UTF-8 or do not match the CRC.</exception>
    public string ReadText(string name)
    {
        var bytes = ReadChecked(name);
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes.Span);
        }
        catch (DecoderFallbackException e)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveCorrupt, $"'{Path}': entry '{Root}/{name}' is not UTF-8 text", Path, name, inner: e);
        }
    }

    /// <summary>As <see cref="Read"/>, and checks a stored entry's CRC-32 too (for the small records: pickles, code,
    /// version; tensor storages are not checked, so that they need not be paged in to be mapped).</summary>
    /// <exception cref="BuildConvertException">As <see cref="Read"/>; BCONV1304 when the bytes do not match the CRC.</exception>
    public ReadOnlyMemory<byte> ReadChecked(string name)
    {
        var bytes = Read(name);
        var entry = entries[name];
        if (entry.Method == ZipEntry.Stored && Crc32.Compute(bytes.Span) != entry.Crc32)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveCorrupt, $"'{Path}': entry '{Root}/{name}' does not match its CRC-32 (the file is damaged)", Path, name);
        }

        return bytes;
    }

    private ReadOnlyMemory<byte> Inflate(ZipEntry entry, ReadOnlyMemory<byte> compressed)
    {
        var name = entry.Name;
        if (entry.UncompressedSize > Options.MaxInflatedEntryBytes)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveLimitExceeded,
                $"'{Path}': entry '{name}' would inflate to {entry.UncompressedSize} bytes, more than the limit of {Options.MaxInflatedEntryBytes} (TorchArchiveReadOptions.MaxInflatedEntryBytes)", Path, name);
        }

        if (entry.UncompressedSize > Options.RatioFreeBytes && entry.UncompressedSize > Math.Max(1, entry.CompressedSize) * Options.MaxCompressionRatio)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveLimitExceeded,
                $"'{Path}': entry '{name}' declares {entry.UncompressedSize} bytes from {entry.CompressedSize} compressed ones, a ratio above {Options.MaxCompressionRatio}:1 (TorchArchiveReadOptions.MaxCompressionRatio): a zip bomb", Path, name);
        }

        if (inflatedTotal + entry.UncompressedSize > Options.MaxInflatedTotalBytes)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveLimitExceeded,
                $"'{Path}': inflating entry '{name}' would bring the archive's inflated entries to {inflatedTotal + entry.UncompressedSize} bytes, more than the limit of {Options.MaxInflatedTotalBytes} (TorchArchiveReadOptions.MaxInflatedTotalBytes)", Path, name);
        }

        // Never trust the declared size: the buffer has exactly that many bytes, and one byte more from the stream is an error.
        var buffer = new byte[entry.UncompressedSize];
        int read;
        bool more;
        try
        {
            using var stream = new DeflateStream(new MemoryReadStream(compressed), CompressionMode.Decompress);
            read = 0;
            while (read < buffer.Length)
            {
                var n = stream.Read(buffer, read, buffer.Length - read);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            Span<byte> probe = stackalloc byte[1];
            more = stream.Read(probe) > 0;
        }
        catch (InvalidDataException e)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveCorrupt, $"'{Path}': entry '{name}' is not valid deflate data ({e.Message})", Path, name, inner: e);
        }

        if (more || read != buffer.Length)
        {
            throw BuildConvertException.Create(more ? DiagnosticCodes.TorchArchiveLimitExceeded : DiagnosticCodes.TorchArchiveCorrupt,
                $"'{Path}': entry '{name}' inflates to {(more ? "more than" : read.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes, but its central directory record declares {entry.UncompressedSize}", Path, name);
        }

        if (Crc32.Compute(buffer) != entry.Crc32)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveCorrupt, $"'{Path}': entry '{name}' does not match its CRC-32 (the file is damaged)", Path, name);
        }

        inflatedTotal += buffer.Length;
        return buffer;
    }

    private int ReadVersion(out string entry)
    {
        entry = Contains(".data/version") ? ".data/version" : "version";
        if (!Contains(entry))
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveLayout,
                $"'{Path}' has no version record ('{Root}/version' or '{Root}/.data/version'): it is not a TorchScript archive", Path);
        }

        if (SizeOf(entry) > 64)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveVersionUnsupported, $"'{Path}': '{Root}/{entry}' has {SizeOf(entry)} bytes, not a version number", Path, entry);
        }

        var text = ReadText(entry).Trim();
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) || version < 1 || version > MaxVersion)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveVersionUnsupported,
                $"'{Path}': archive format version '{text}' (from '{Root}/{entry}') is not one of 1 to {MaxVersion}", Path, entry);
        }

        return version;
    }

    private bool ReadByteOrder()
    {
        if (!Contains("byteorder"))
        {
            return false;
        }

        var text = SizeOf("byteorder") <= 16 ? ReadText("byteorder").Trim() : "(too long)";
        return text switch
        {
            "little" => false,
            "big" => true,
            _ => throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveByteOrder, $"'{Path}': '{Root}/byteorder' says '{text}', not 'little' or 'big'", Path, "byteorder"),
        };
    }

    /// <summary>A read-only, non-seeking stream over memory (the compressed bytes of one entry).</summary>
    private sealed class MemoryReadStream : Stream
    {
        private readonly ReadOnlyMemory<byte> memory;
        private int position;

        public MemoryReadStream(ReadOnlyMemory<byte> memory) => this.memory = memory;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => memory.Length;

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, memory.Length - position);
            memory.Span.Slice(position, n).CopyTo(buffer);
            position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>CRC-32 (ISO-HDLC, the zip checksum: reflected polynomial 0xEDB88320).</summary>
internal static class Crc32
{
    private static readonly uint[] Table = MakeTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] MakeTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
