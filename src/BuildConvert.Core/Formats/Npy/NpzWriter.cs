using System.IO.Compression;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Values;

namespace BuildConvert.Core.Formats.Npy;

/// <summary>
/// Writes NumPy <c>.npz</c> archives: one <c>&lt;name&gt;.npy</c> entry per tensor (see <see cref="NpyWriter"/>), stored
/// like <c>numpy.savez</c> or deflated like <c>numpy.savez_compressed</c>. Entries carry a fixed timestamp, so equal
/// values give equal bytes.
/// </summary>
public static class NpzWriter
{
    private static readonly DateTimeOffset FixedTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes an archive through an <see cref="OutputSet"/> at <paramref name="path"/>, so a failure leaves no partial file.</summary>
    /// <param name="path">The <c>.npz</c> file.</param>
    /// <param name="values">The tensors; their names are the keys.</param>
    /// <param name="compressed">Deflate the entries (like <c>savez_compressed</c>).</param>
    /// <exception cref="BuildConvertException">BCONV1111 for a type NumPy cannot hold, a duplicate, empty or unsafe name;
    /// BCONV1112 for I/O errors.</exception>
    public static void Write(string path, IReadOnlyList<TensorValue> values, bool compressed = false)
    {
        EnsureWritable(values);
        NpyFile.Write(path, stream => Write(stream, values, compressed));
    }

    /// <summary>Writes an archive to <paramref name="stream"/> (not disposed).</summary>
    /// <exception cref="BuildConvertException">BCONV1111 for a type NumPy cannot hold or a duplicate, empty or unsafe name.</exception>
    public static void Write(Stream stream, IReadOnlyList<TensorValue> values, bool compressed = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(values);
        CheckNames(values);
        using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var value in values)
        {
            var entry = archive.CreateEntry(value.Name + ".npy", compressed ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
            entry.LastWriteTime = FixedTime;
            using var entryStream = entry.Open();
            NpyWriter.Write(entryStream, value);
        }
    }

    /// <summary>Checks that every value can be written (unique safe names, types NumPy can hold) without writing.</summary>
    /// <exception cref="BuildConvertException">BCONV1111 naming the first value that cannot be written.</exception>
    public static void EnsureWritable(IReadOnlyList<TensorValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckNames(values);
        foreach (var value in values)
        {
            if (!value.IsString && NpyDtype.DescrFor(value.ElementType) is null)
            {
                throw BuildConvertException.Create(DiagnosticCodes.GoldenValueNotWritable,
                    $"tensor '{value.Name}' has element type {ElementTypes.Name(value.ElementType)}, which NumPy files cannot hold", location: value.Name);
            }
        }
    }

    private static void CheckNames(IReadOnlyList<TensorValue> values)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (!NpzReader.IsSafeEntryName(value.Name + ".npy") || value.Name.Length == 0)
            {
                throw BuildConvertException.Create(DiagnosticCodes.GoldenValueNotWritable,
                    $"tensor name '{value.Name}' cannot be an .npz key (it is empty, has a '..' or empty path segment, a drive prefix or a leading '/')", location: value.Name);
            }

            if (!seen.Add(value.Name))
            {
                throw BuildConvertException.Create(DiagnosticCodes.GoldenValueNotWritable,
                    $"two tensors are named '{value.Name}'; .npz keys must be unique", location: value.Name);
            }
        }
    }
}
