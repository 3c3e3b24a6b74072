using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.Core.Caching;

/// <summary>The versions that make one tool's outputs differ from another's; part of every cache key.</summary>
/// <param name="ToolVersion">The buildconvert tool's version.</param>
/// <param name="RuntimeVersion">The ONNX Runtime version that validates (empty where none is used).</param>
public sealed record CacheEnvironment(string ToolVersion, string RuntimeVersion);

/// <summary>
/// The content address of one conversion: SHA-256 over a text that names the cache format, the tool and ONNX Runtime
/// versions, the output's file name (a model written with external data names its data file after it), the external-data
/// choice, every option that is set (from the option catalog, as canonical JSON; the golden folder's path is not, its
/// files are), and the relative path, length and SHA-256 of every file of the input (a file, or every file under a
/// folder input) and of the golden folder. Paths are relative, so two clones of one project get the same key. Files the
/// import reads besides the input (external data elsewhere) are not known before import: the cache entry records them
/// with their hashes and a lookup whose recorded files differ is a miss (<see cref="ConversionCache"/>).
/// </summary>
/// <param name="Hash">64 lower-case hex digits.</param>
/// <param name="Text">What was hashed, one line per part (stored in the entry, for diagnosing misses).</param>
public sealed record CacheKey(string Hash, string Text)
{
    /// <summary>The version of the key text and entry layout; a change makes every older entry a miss.</summary>
    public const int FormatVersion = 1;

    /// <summary>Computes the key of <paramref name="request"/>.</summary>
    /// <param name="request">The conversion; its input must exist.</param>
    /// <param name="catalog">The options to normalize (the shared table plus every format's own).</param>
    /// <param name="environment">The tool and runtime versions.</param>
    /// <exception cref="IOException">An input or golden file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">An input or golden file cannot be read.</exception>
    public static CacheKey Compute(ConvertRequest request, OptionCatalog catalog, CacheEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(environment);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"buildconvert-cache {FormatVersion}\n");
        text.Append("tool ").Append(environment.ToolVersion).Append('\n');
        text.Append("runtime ").Append(environment.RuntimeVersion).Append('\n');
        text.Append("output-name ").Append(Path.GetFileName(request.OutputPath)).Append('\n');
        text.Append("external-data ").Append(request.ExternalData switch { null => "source", true => "true", false => "false" }).Append('\n');
        foreach (var option in catalog.All)
        {
            // The golden folder counts by its files' content (below), not its path; a time limit changes no result.
            if (ReferenceEquals(option, ConversionOptionTable.Golden) || ReferenceEquals(option, ConversionOptionTable.Timeout)
                || !option.IsSet(request.Options))
            {
                continue;
            }

            text.Append("option ").Append(option.Name).Append(' ').Append(Canonical(option.GetValue(request.Options))).Append('\n');
        }

        AppendFiles(text, "input", request.InputPath);
        if (request.Options.Golden is { } golden)
        {
            AppendFiles(text, "golden", golden);
        }

        var all = text.ToString();
        return new CacheKey(Hex(SHA256.HashData(Encoding.UTF8.GetBytes(all))), all);
    }

    /// <summary>The SHA-256 of a file's bytes, as lower-case hex.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static string HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Hex(SHA256.HashData(stream));
    }

    /// <summary>Lower-case hex of <paramref name="bytes"/>.</summary>
    internal static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>The files of a path: itself when it is a file, else every file under it, in ordinal order of relative path.</summary>
    internal static IReadOnlyList<(string Relative, string Full)> FilesOf(string path)
    {
        if (File.Exists(path))
        {
            return new[] { (Path.GetFileName(path), Path.GetFullPath(path)) };
        }

        return Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false })
            .Select(f => (Path.GetRelativePath(path, f).Replace('\\', '/'), Path.GetFullPath(f)))
            .OrderBy(f => f.Item1, StringComparer.Ordinal)
            .ToArray();
    }

    private static void AppendFiles(StringBuilder text, string role, string path)
    {
        foreach (var (relative, full) in FilesOf(path))
        {
            var length = new FileInfo(full).Length;
            // A JSON string, as JsonSerializer writes one, without its reflection serializer's warm-up in a fresh tool process.
            text.Append(role).Append(" \"").Append(JsonEncodedText.Encode(relative).Value).Append("\" ")
                .Append(length.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(HashFile(full)).Append('\n');
        }
    }

    /// <summary>An option value as JSON with object keys in ordinal order, so equal values give equal text.</summary>
    private static string Canonical(object? value)
    {
        var node = value is null ? null : JsonSerializer.SerializeToNode(value, CacheJson.TypeOf(value.GetType()));
        return Sort(node)?.ToJsonString(CacheJson.Context.Options) ?? "null";
    }

    private static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sort(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sort).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };
}
