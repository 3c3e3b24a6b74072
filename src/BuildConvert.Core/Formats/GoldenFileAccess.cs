using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Formats;

/// <summary>
/// Opens golden data files (ONNX test layout <c>.pb</c>, NumPy <c>.npy</c> and <c>.npz</c>) so that a hostile file can
/// neither block nor grow without end: the file (after following links) must be a non-empty regular file no larger than
/// the caller's limit, decided from metadata before it is opened (opening a FIFO blocks; FIFOs and devices report a
/// length of 0); and the opened stream's length is checked again.
/// </summary>
internal static class GoldenFileAccess
{
    /// <summary>Opens <paramref name="path"/> for reading.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The largest size accepted.</param>
    /// <returns>The stream; the caller disposes it.</returns>
    /// <exception cref="BuildConvertException">BCONV1113 for an empty or non-regular file; BCONV1115 past
    /// <paramref name="maxBytes"/>; BCONV1112 when it cannot be opened.</exception>
    public static FileStream OpenRegular(string path, long maxBytes)
    {
        long length;
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                info = File.ResolveLinkTarget(path, returnFinalTarget: true) as FileInfo ?? info;
            }

            if (!info.Exists)
            {
                throw BuildConvertException.Create(DiagnosticCodes.GoldenFileIoError, $"cannot read '{path}': the file does not exist", path);
            }

            length = info.Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenFileIoError, $"cannot read '{path}': {ex.Message}", path, inner: ex);
        }

        CheckLength(path, length, maxBytes);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenFileIoError, $"cannot read '{path}': {ex.Message}", path, inner: ex);
        }

        try
        {
            CheckLength(path, stream.CanSeek ? stream.Length : 0, maxBytes);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        return stream;
    }

    /// <summary>Reads the whole of <paramref name="path"/> (see <see cref="OpenRegular"/>).</summary>
    /// <exception cref="BuildConvertException">As <see cref="OpenRegular"/>.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        using var stream = OpenRegular(path, maxBytes);
        var bytes = new byte[stream.Length];
        try
        {
            stream.ReadExactly(bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenFileIoError, $"cannot read '{path}': {ex.Message}", path, inner: ex);
        }

        return bytes;
    }

    /// <summary>
    /// Refuses <paramref name="path"/>, a data set folder or file inside <paramref name="root"/>, when it or a folder
    /// between it and <paramref name="root"/> is a symbolic link resolving outside <paramref name="root"/>.
    /// </summary>
    /// <exception cref="BuildConvertException">BCONV1114.</exception>
    public static void RequireInside(string root, string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var relative = Path.GetRelativePath(full, Path.GetFullPath(path));
        if (relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            return;
        }

        var current = full;
        foreach (var segment in relative.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, segment);
            FileSystemInfo? target;
            try
            {
                FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
                if (info.LinkTarget is null)
                {
                    continue;
                }

                target = info.ResolveLinkTarget(returnFinalTarget: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw BuildConvertException.Create(DiagnosticCodes.GoldenFileIoError, $"cannot resolve the link '{current}': {ex.Message}", current, inner: ex);
            }

            var resolved = target is null ? null : Path.GetFullPath(target.FullName);
            if (resolved is null || !resolved.StartsWith(full + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw BuildConvertException.Create(DiagnosticCodes.GoldenPathOutsideFolder,
                    $"'{current}' is a symbolic link to '{resolved ?? target?.FullName ?? "?"}', outside the golden folder '{full}'", current);
            }
        }
    }

    private static void CheckLength(string path, long length, long maxBytes)
    {
        if (length <= 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenFileNotRegular,
                $"golden file '{path}' is empty (0 bytes) or not a regular file (a FIFO, a device or a link to one)", path);
        }

        if (length > maxBytes)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenFileTooLarge,
                $"golden file '{path}' has {length} bytes, more than the limit of {maxBytes}", path);
        }
    }
}
