using System.Text.Json;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Tool.Commands;

/// <summary>
/// Models <c>verify</c> leaves out, each with a reason category. Two spellings are read:
/// a text file with one entry per line, <c>&lt;model folder&gt; &lt;category&gt; [reason]</c> (<c>#</c> starts a comment), or a
/// JSON document <c>{"skips": [{"test": "node/test_x", "category": "...", "reason": "..."}]}</c> (the conformance
/// manifest's form). An entry names a folder by its trailing path segments (<c>test_x</c> or <c>node/test_x</c>);
/// the longest match wins.
/// </summary>
internal sealed class SkipManifest
{
    private readonly Dictionary<string, SkipEntry> entries;

    private SkipManifest(Dictionary<string, SkipEntry> entries) => this.entries = entries;

    /// <summary>An empty manifest.</summary>
    public static SkipManifest Empty { get; } = new(new Dictionary<string, SkipEntry>(StringComparer.Ordinal));

    /// <summary>How many entries the manifest has.</summary>
    public int Count => entries.Count;

    /// <summary>Reads a manifest file.</summary>
    /// <exception cref="BuildConvertException">BCONV0002 when missing, BCONV0003 for a malformed or repeated entry.</exception>
    public static SkipManifest Load(string path)
    {
        if (!File.Exists(path))
        {
            throw BuildConvertException.Create(DiagnosticCodes.InputNotFound, $"skip manifest '{path}' does not exist", path);
        }

        var text = File.ReadAllText(path);
        var entries = new Dictionary<string, SkipEntry>(StringComparer.Ordinal);
        foreach (var (entry, where) in text.TrimStart().StartsWith('{') ? ParseJson(text, path) : ParseText(text, path))
        {
            if (!entries.TryAdd(entry.Model, entry))
            {
                throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"skip manifest repeats '{entry.Model}'", path, where);
            }
        }

        return new SkipManifest(entries);
    }

    /// <summary>The entry naming <paramref name="modelFolder"/> by its longest trailing path, or null.</summary>
    public SkipEntry? Find(string modelFolder)
    {
        var segments = Path.GetFullPath(modelFolder).Replace('\\', '/').TrimEnd('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var skip = 0; skip < segments.Length; skip++)
        {
            if (entries.TryGetValue(string.Join('/', segments.Skip(skip)), out var entry))
            {
                return entry;
            }
        }

        return null;
    }

    private static IEnumerable<(SkipEntry Entry, string Where)> ParseText(string text, string path)
    {
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
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
                throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"skip manifest line {lineNumber} needs '<model folder> <category> [reason]'", path, $"line {lineNumber}");
            }

            yield return (new SkipEntry(Normalize(parts[0]), parts[1], parts.Length > 2 ? parts[2].Trim() : ""), $"line {lineNumber}");
        }
    }

    private static IEnumerable<(SkipEntry Entry, string Where)> ParseJson(string text, string path)
    {
        var result = new List<(SkipEntry, string)>();
        try
        {
            using var document = JsonDocument.Parse(text);
            if (!document.RootElement.TryGetProperty("skips", out var skips) || skips.ValueKind != JsonValueKind.Array)
            {
                throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, "skip manifest JSON needs a \"skips\" array", path);
            }

            var index = 0;
            foreach (var item in skips.EnumerateArray())
            {
                var test = item.TryGetProperty("test", out var t) ? t.GetString() : null;
                var category = item.TryGetProperty("category", out var c) ? c.GetString() : null;
                var reason = item.TryGetProperty("reason", out var r) ? r.GetString() : null;
                if (string.IsNullOrWhiteSpace(test) || string.IsNullOrWhiteSpace(category))
                {
                    throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"skip manifest entry {index} needs \"test\" and \"category\"", path, $"skips[{index}]");
                }

                result.Add((new SkipEntry(Normalize(test), category, reason ?? ""), $"skips[{index}]"));
                index++;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"skip manifest is not valid JSON: {e.Message}", path);
        }

        return result;
    }

    private static string Normalize(string name) => name.Replace('\\', '/').Trim('/');
}

/// <summary>One skipped model: how the manifest names it, the reason category and free text.</summary>
internal sealed record SkipEntry(string Model, string Category, string Reason);
