using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>
/// The rules that keep external data inside the model's folder. Every rule is decided from the location string and
/// file-system metadata only (lstat-like queries), before any external file is opened: absolute paths, <c>..</c>
/// segments, symbolic links on the way, anything resolving outside the folder, and anything that is not an existing
/// regular file are rejected. Both <c>/</c> and <c>\</c> count as separators, so a model is judged the same on every OS.
/// The reader and the checker share this one implementation.
/// </summary>
public static class ExternalDataLocation
{
    /// <summary>
    /// Checks the rules that need no file system (empty, NUL characters, absolute, <c>..</c>).
    /// Returns null when the location passes them, otherwise the diagnostic.
    /// </summary>
    public static Diagnostic? CheckSyntax(string location, string tensorName, string? file)
    {
        var where = $"tensor '{tensorName}'";
        if (string.IsNullOrEmpty(location) || location.Contains('\0'))
        {
            return DiagnosticCodes.ExternalDataInvalidReference.Create(
                $"tensor '{tensorName}' has an empty or malformed external data location", file, where);
        }

        if (IsAbsolute(location))
        {
            return DiagnosticCodes.ExternalDataAbsolutePath.Create(
                $"tensor '{tensorName}': external data location '{location}' is an absolute path; it must be relative to the model's folder",
                file, where);
        }

        foreach (var segment in Segments(location))
        {
            if (segment == "..")
            {
                return DiagnosticCodes.ExternalDataParentSegment.Create(
                    $"tensor '{tensorName}': external data location '{location}' contains '..' and could point outside the model's folder",
                    file, where);
            }
        }

        return null;
    }

    /// <summary>
    /// Applies every rule and, when all pass, returns the full path of the data file in <paramref name="fullPath"/>.
    /// Does not open the file. <paramref name="modelDirectory"/> is the folder holding the model.
    /// </summary>
    /// <returns>Null when the location is acceptable; otherwise the diagnostic (codes BCONV1010 to BCONV1015).</returns>
    public static Diagnostic? Resolve(string modelDirectory, string location, string tensorName, string? file, out string? fullPath)
    {
        fullPath = null;
        var syntax = CheckSyntax(location, tensorName, file);
        if (syntax is not null)
        {
            return syntax;
        }

        var where = $"tensor '{tensorName}'";
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelDirectory));
        var current = root;
        foreach (var segment in Segments(location))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            current = Path.Combine(current, segment);
            var info = new FileInfo(current);
            var exists = info.Exists || Directory.Exists(current);
            if (exists && info.LinkTarget is not null)
            {
                return DiagnosticCodes.ExternalDataSymbolicLink.Create(
                    $"tensor '{tensorName}': external data location '{location}' goes through the symbolic link '{current}'",
                    file, where);
            }
        }

        var full = Path.GetFullPath(current);
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return DiagnosticCodes.ExternalDataOutsideModelFolder.Create(
                $"tensor '{tensorName}': external data location '{location}' resolves to '{full}', outside the model's folder '{root}'",
                file, where);
        }

        if (!File.Exists(full) || Directory.Exists(full))
        {
            return DiagnosticCodes.ExternalDataFileMissing.Create(
                $"tensor '{tensorName}': external data file '{full}' does not exist or is not a regular file",
                file, where);
        }

        fullPath = full;
        return null;
    }

    private static bool IsAbsolute(string location) =>
        location[0] is '/' or '\\'
        || (location.Length >= 2 && location[1] == ':' && char.IsAsciiLetter(location[0]))
        || Path.IsPathRooted(location);

    private static string[] Segments(string location) => location.Split('/', '\\');
}
