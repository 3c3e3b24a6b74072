using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Tool.Commands;

/// <summary>
/// A list of models <c>verify</c> leaves out, with a reason for each. One entry per line:
/// <c>&lt;folder name or relative path&gt; &lt;category&gt; [free text]</c>; <c>#</c> starts a comment.
/// </summary>
internal sealed class SkipManifest
{
    private readonly Dictionary<string, SkipEntry> entries;

    private SkipManifest(Dictionary<string, SkipEntry> entries) => this.entries = entries;

    /// <summary>An empty manifest.</summary>
    public static SkipManifest Empty { get; } = new(new Dictionary<string, SkipEntry>(StringComparer.Ordinal));

    /// <summary>Reads a manifest file.</summary>
    /// <exception cref="BuildConvertException">BCONV0002 when missing, BCONV0003 for a malformed or repeated entry.</exception>
    public static SkipManifest Load(string path)
    {
        if (!File.Exists(path))
        {
            throw BuildConvertException.Create(DiagnosticCodes.InputNotFound, $"skip manifest '{path}' does not exist", path);
        }

        var entries = new Dictionary<string, SkipEntry>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var hash = raw.IndexOf('#');
            var line = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2)
            {
                throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"line {lineNumber} needs '<model> <category> [reason]'", path, $"line {lineNumber}");
            }

            var key = parts[0].Replace('\\', '/').TrimEnd('/');
            if (!entries.TryAdd(key, new SkipEntry(key, parts[1], parts.Length > 2 ? parts[2] : "")))
            {
                throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"line {lineNumber} repeats '{key}'", path, $"line {lineNumber}");
            }
        }

        return new SkipManifest(entries);
    }

    /// <summary>The entry for a model folder, matched by its path relative to the walk's root, then by its name.</summary>
    public SkipEntry? Find(string root, string modelFolder)
    {
        var relative = Path.GetRelativePath(root, modelFolder).Replace('\\', '/');
        return entries.GetValueOrDefault(relative) ?? entries.GetValueOrDefault(Path.GetFileName(modelFolder.TrimEnd('/', '\\')));
    }
}

/// <summary>One skipped model: how it is named, the reason category and free text.</summary>
internal sealed record SkipEntry(string Model, string Category, string Reason);
