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
    /// <summary>Reads every array of an archive, in archive order.</summary>
    /// <param name="path">The <c>.npz</c> file.</param>
    /// <param name="options">Limits; null uses <see cref="NpzReadOptions.Default"/>.</param>
    /// <exception cref="BuildConvertException">BCONV1109 for a file that is not a readable zip; BCONV1110 for a rejected
    /// entry; BCONV1106-1108 for a bad array; BCONV1112 when the file cannot be opened.</exception>
    public static IReadOnlyList<TensorValue> Read(string path, NpzReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenFileIoError, $"cannot read '{path}': {ex.Message}", path, inner: ex);
        }

        using (stream)
        {
            return Read(stream, path, options);
        }
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
        options ??= NpzReadOptions.Default;
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

                if (entry.Length < 0 || entry.Length > options.MaxEntryBytes)
                {
                    throw Rejected($"'{file}' entry '{name}' declares {entry.Length} bytes, more than the limit of {options.MaxEntryBytes}", file);
                }

                if (entry.Length > 65536 && entry.Length > options.MaxCompressionRatio * Math.Max(1, entry.CompressedLength))
                {
                    throw Rejected($"'{file}' entry '{name}' would inflate {entry.CompressedLength} bytes to {entry.Length}, past the ratio limit of {options.MaxCompressionRatio}", file);
                }

                total += entry.Length;
                if (total > options.MaxTotalBytes)
                {
                    throw Rejected($"'{file}' declares more than {options.MaxTotalBytes} uncompressed bytes in all", file);
                }

                planned.Add((entry, key));
            }

            var result = new List<TensorValue>(planned.Count);
            foreach (var (entry, key) in planned)
            {
                using var entryStream = entry.Open();
                result.Add(NpyReader.Read(entryStream, entry.Length, key, $"{file}:{entry.FullName}"));
            }

            return result;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.NpzArchiveInvalid, $"'{file}' is not a readable .npz archive: {ex.Message}", file, inner: ex);
        }
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
