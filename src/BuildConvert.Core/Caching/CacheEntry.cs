using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Caching;

/// <summary><c>manifest.json</c> of an entry, written last: the key and the SHA-256 of every stored file by name.</summary>
internal sealed record CacheManifest(int Version, string Key, IReadOnlyDictionary<string, string> Files);

/// <summary><c>result.json</c> of an entry: what a hit reports (the conversion's report, minus timings).</summary>
/// <param name="Dependencies">Files besides the input the import read, relative to the input's folder, with their SHA-256.</param>
internal sealed record CachedResult(
    string? Format,
    IReadOnlyList<string> Steps,
    ModelSummary? Summary,
    IReadOnlyList<DataSetResult>? Validation,
    IReadOnlyList<CachedDiagnostic> Diagnostics,
    IReadOnlyList<CachedFile> Dependencies);

/// <summary>A warning or message of a passing run; <paramref name="File"/> is relative to the input's folder, or null.</summary>
internal sealed record CachedDiagnostic(string Code, DiagnosticSeverity Severity, string Message, string? File, string? Location);

/// <summary>A file the conversion read, relative to the input's folder.</summary>
internal sealed record CachedFile(string Path, string Sha256);

/// <summary>What a lookup found.</summary>
public enum CacheLookup
{
    /// <summary>No entry for the key (or one whose recorded dependencies differ now).</summary>
    Miss,

    /// <summary>The entry was verified and its outputs restored.</summary>
    Hit,

    /// <summary>The entry failed verification; it was removed and must not be trusted.</summary>
    Damaged,
}
