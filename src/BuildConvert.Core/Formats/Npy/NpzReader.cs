using System.IO.Compression;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Values;

namespace BuildConvert.Core.Formats.Npy;

/// <summary>
/// Reads NumPy <c>.npz</c> archives (zip files of <c>&lt;key&gt;.npy</c> entries, stored or deflated, as written by
/// <c>numpy.savez</c> and <c>numpy.savez_compressed</c>). Each entry becomes a <see cref="TensorValue"/> named by its key.
/// Entry names that escape the archive (<c>..</c> segments, absolute or drive paths), duplicate keys, too many entries,
/// and declared sizes or compression ratios past <see cref="NpzReadOptions"/> are rejected before inflating; an entry that
/// inflates to more or fewer bytes than declared is rejected while reading.
/// </summary>
public static class NpzReader
{
    /// <summary>The room allowed for a .npy header beside the data bytes a model declares (NumPy pads headers to 64-byte
    /// multiples; format 2.0 allows 4 GiB, but real headers are a few hundred bytes).</summary>
    private const long MaxHeaderBytes = 65536;

    /// <summary>Reads every array of an archive, in archive order.</summary>
    /// <param name="path">The <c>.npz</c> file.</param>
    /// <param name="options">Limits; null uses <see cref="NpzReadOptions.Default"/>.</param>
    /// <exception cref="BuildConvertException">BCONV1109 for a file that is not a readable zip; BCONV1110 for a rejected
    /// entry; BCONV1116 for an entry whose bytes do not match its CRC-32; BCONV1106-1108 for a bad array; BCONV1112 when
    /// the file cannot be opened; BCONV1113 for an empty or non-regular file (refused before opening).</exception>
    public static IReadOnlyList<TensorValue> Read(string path, NpzReadOptions? options = null)
    {
        using var stream = Open(path);
        return Read(stream, path, options);
    }

    /// <summary>
    /// The keys of an archive's arrays, in archive order, with entry names and counts checked as
    /// <see cref="Read(string, NpzReadOptions?)"/> does; sizes are not checked and nothing is inflated, so a caller can
    /// refuse keys it does not expect before reading anything.
    /// </summary>
    /// <exception cref="BuildConvertException">As <see cref="Read(string, NpzReadOptions?)"/>.</exception>
    public static IReadOnlyList<string> ReadKeys(string path, NpzReadOptions? options = null)
    {
        using var stream = Open(path);
        return Plan(stream, path, options ?? NpzReadOptions.Default, inflate: false).Keys;
    }

    /// <summary>Reads every array of an archive held in a seekable stream (not disposed).</summary>
    /// <param name="stream">The archive.</param>
    /// <param name="file">The archive's name for diagnostics.</param>
    /// <param name="options">Limits; null uses <see cref="NpzReadOptions.Default"/>.</param>
    /// <exception cref="BuildConvertException">As <see cref="Read(string, NpzReadOptions?)"/>.</exception>
    public static IReadOnlyList<TensorValue> Read(Stream stream, string file, NpzReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(file);
        return Plan(stream, file, options ?? NpzReadOptions.Default, inflate: true).Values;
    }

    private static FileStream Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return GoldenFileAccess.OpenRegular(path, long.MaxValue);
    }

    private static (List<string> Keys, List<TensorValue> Values) Plan(Stream stream, string file, NpzReadOptions options, bool inflate)
    {
        try
        {
            using var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var entries = archive.Entries;
            if (entries.Count > options.MaxEntries)
            {
                throw Rejected($"'{file}' has {entries.Count} entries, more than the limit of {options.MaxEntries}", file);
            }

            var planned = new List<(ZipArchiveEntry Entry, string Key)>(entries.Count);
            var keys = new HashSet<string>(StringComparer.Ordinal);
            long total = 0;
            var undeclared = new Undeclared();
            foreach (var entry in entries)
            {
                var name = entry.FullName;
                if (name.EndsWith('/') && entry.Length == 0)
                {
                    continue;
                }

                CheckName(name, file);
                if (!name.EndsWith(".npy", StringComparison.Ordinal))
                {
                    throw Rejected($"'{file}' entry '{name}' is not a .npy array", file);
                }

                var key = name[..^4];
                if (!keys.Add(key))
                {
                    throw Rejected($"'{file}' has two entries for the key '{key}'", file);
                }

                if (!inflate)
                {
                    planned.Add((entry, key));
                    continue;
                }

                if (entry.Length < 0 || entry.Length > options.MaxEntryBytes)
                {
                    throw Rejected($"'{file}' entry '{name}' declares {entry.Length} bytes, more than the limit of {options.MaxEntryBytes}", file);
                }

                CheckExpandedSize(entry, key, file, options, undeclared);
                total += entry.Length;
                if (total > options.MaxTotalBytes)
                {
                    throw Rejected($"'{file}' declares more than {options.MaxTotalBytes} uncompressed bytes in all", file);
                }

                planned.Add((entry, key));
            }

            var values = new List<TensorValue>(inflate ? planned.Count : 0);
            if (inflate)
            {
                foreach (var (entry, key) in planned)
                {
                    using var entryStream = entry.Open();
                    using var checksum = new Crc32Stream(entryStream);
                    var where = $"{file}:{entry.FullName}";
                    var value = NpyReader.Read(checksum, entry.Length, key, where);
                    if (checksum.Crc != entry.Crc32)
                    {
                        throw BuildConvertException.Create(DiagnosticCodes.NpzEntryCorrupt,
                            $"'{file}' entry '{entry.FullName}' inflates to bytes whose CRC-32 is {checksum.Crc:x8}, but the archive stores {entry.Crc32:x8}", file);
                    }

                    values.Add(value);
                }
            }

            return (planned.Select(p => p.Key).ToList(), values);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.NpzArchiveInvalid, $"'{file}' is not a readable .npz archive: {ex.Message}", file, inner: ex);
        }
    }

    /// <summary>
    /// An entry's declared size must fit what the model declares for its key (plus room for the .npy header) when the
    /// caller knows it; the other entries together may inflate to <see cref="NpzReadOptions.MaxBytesAtAnyRatio"/>, and
    /// past that not beyond <see cref="NpzReadOptions.MaxCompressionRatio"/> times their compressed size.
    /// </summary>
    private static void CheckExpandedSize(ZipArchiveEntry entry, string key, string file, NpzReadOptions options, Undeclared undeclared)
    {
        if (options.ExpectedDataBytes is { } expected && expected.TryGetValue(key, out var bytes))
        {
            var bound = bytes + MaxHeaderBytes;
            if (entry.Length > bound)
            {
                throw Rejected($"'{file}' entry '{entry.FullName}' declares {entry.Length} bytes, but the model's value '{key}' needs {bytes} (plus at most {MaxHeaderBytes} of .npy header)", file);
            }

            return;
        }

        undeclared.Bytes += entry.Length;
        undeclared.Compressed += entry.CompressedLength;
        if (undeclared.Bytes > options.MaxBytesAtAnyRatio && undeclared.Bytes > options.MaxCompressionRatio * Math.Max(1, undeclared.Compressed))
        {
            throw Rejected(
                $"'{file}' would inflate {undeclared.Compressed} bytes to {undeclared.Bytes} (up to entry '{entry.FullName}', of entries whose size the model does not declare), past the ratio limit of {options.MaxCompressionRatio}",
                file);
        }
    }

    /// <summary>The running totals of entries checked by ratio.</summary>
    private sealed class Undeclared
    {
        public long Bytes { get; set; }

        public long Compressed { get; set; }
    }

    /// <summary>Whether an entry name stays inside the archive: relative, no <c>..</c> or empty segment, no drive prefix
    /// (<c>C:/</c>); other colons are fine (TensorFlow names such as <c>x:0</c>).</summary>
    internal static bool IsSafeEntryName(string name)
    {
        if (name.Length == 0 || name[0] is '/' or '\\' || name.Contains('\0') || (name.Length >= 3 && char.IsAsciiLetter(name[0]) && name[1] == ':' && name[2] is '/' or '\\'))
        {
            return false;
        }

        foreach (var segment in name.Split('/', '\\'))
        {
            if (segment is ".." or "." || segment.Length == 0)
            {
                return false;
            }
        }

        return true;
    }

    private static void CheckName(string name, string file)
    {
        if (!IsSafeEntryName(name))
        {
            throw Rejected($"'{file}' has an entry named '{name}', which is empty, absolute or escapes the archive", file);
        }
    }

    private static BuildConvertException Rejected(string message, string file) =>
        BuildConvertException.Create(DiagnosticCodes.NpzEntryRejected, message, file);
}
