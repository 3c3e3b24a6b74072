using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Caching;

/// <summary>
/// A content-addressed store of passing conversions in one folder, safe to share between builds, processes and
/// machines (CI cache steps copy it as plain files). An entry, <c>v1/entries/&lt;2 hex&gt;/&lt;key&gt;/</c>, holds the
/// converted model (<c>model</c>), its external data (<c>model.data</c>) when there is one, the report
/// (<c>result.json</c>) and <c>manifest.json</c> with the SHA-256 of each. Entries are built in <c>v1/tmp/</c> and
/// renamed into place whole; a read hashes every file it uses and treats any difference as a damaged entry (removed,
/// never used). Callers serialize work on one key with <see cref="Lock"/>. Stateless apart from the folder: one
/// instance may serve many conversions at once.
/// </summary>
public sealed class ConversionCache
{
    private const string ModelFile = "model";
    private const string DataFile = "model.data";
    private const string ResultFile = "result.json";
    private const string ManifestFile = "manifest.json";
    private const string KeyFile = "key.txt";

    /// <summary>Makes a cache over <paramref name="root"/> (created on first store).</summary>
    public ConversionCache(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The cache folder.</summary>
    public string Root { get; }

    private string Layout => Path.Combine(Root, "v" + CacheKey.FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The folder of the entry for <paramref name="key"/> (it may not exist).</summary>
    public string EntryFolder(CacheKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Path.Combine(Layout, "entries", key.Hash[..2], key.Hash);
    }

    /// <summary>Takes the cross-process lock of <paramref name="key"/>; null when it was held past <paramref name="timeout"/>.</summary>
    /// <exception cref="IOException">The cache folder cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The cache folder cannot be written.</exception>
    public CacheLock? Lock(CacheKey key, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return CacheLock.TryAcquire(Path.Combine(Layout, "locks", key.Hash + ".lock"), timeout, cancellationToken);
    }

    /// <summary>
    /// Looks <paramref name="key"/> up and, on a verified hit, puts its model (and data file) at the request's output
    /// path through the pipeline's <see cref="Formats.OutputSet"/> (staged beside it, data file first, a stale data file
    /// removed), so nothing half-copied is ever at the output.
    /// </summary>
    /// <param name="key">The request's key.</param>
    /// <param name="request">The conversion the key was computed from.</param>
    /// <param name="result">On a hit, the restored result (<see cref="ConvertResult.Cached"/> true).</param>
    /// <returns>Whether it was a hit, a miss, or a damaged entry (which is removed).</returns>
    /// <exception cref="IOException">The output could not be written (the cache is fine; the caller converts).</exception>
    /// <exception cref="UnauthorizedAccessException">The output could not be written.</exception>
    public CacheLookup TryRestore(CacheKey key, ConvertRequest request, out ConvertResult? result)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(request);
        result = null;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var entry = EntryFolder(key);
        if (!Directory.Exists(entry))
        {
            return CacheLookup.Miss;
        }

        CacheManifest manifest;
        CachedResult cached;
        try
        {
            manifest = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(entry, ManifestFile)), CacheJson.Context.CacheManifest)
                ?? throw new JsonException("empty manifest");
            var resultBytes = File.ReadAllBytes(Path.Combine(entry, ResultFile));
            if (manifest.Version != CacheKey.FormatVersion || manifest.Key != key.Hash
                || manifest.Files is null || !manifest.Files.ContainsKey(ModelFile)
                || !manifest.Files.TryGetValue(ResultFile, out var resultHash) || resultHash != CacheKey.Hex(SHA256.HashData(resultBytes)))
            {
                return Damaged(entry);
            }

            cached = JsonSerializer.Deserialize(resultBytes, CacheJson.Context.CachedResult) ?? throw new JsonException("empty result");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return Damaged(entry);
        }

        var baseFolder = InputFolder(request.InputPath);
        var dependencies = new List<string>();
        foreach (var dependency in cached.Dependencies ?? Array.Empty<CachedFile>())
        {
            var full = Path.GetFullPath(Path.Combine(baseFolder, dependency.Path));
            if (!File.Exists(full) || CacheKey.HashFile(full) != dependency.Sha256)
            {
                return CacheLookup.Miss;
            }

            dependencies.Add(full);
        }

        using var outputs = ModelPipeline.OutputSetFor(request.OutputPath);
        var output = outputs.FinalPath(outputs.Members[^1]);
        outputs.Open();
        try
        {
            var hasData = manifest.Files.ContainsKey(DataFile);
            if (CopyHashing(Path.Combine(entry, ModelFile), outputs.Stage(outputs.Members[^1])) != manifest.Files[ModelFile]
                || (hasData && CopyHashing(Path.Combine(entry, DataFile), outputs.Stage(outputs.Members[0])) != manifest.Files[DataFile]))
            {
                return Damaged(entry);
            }
        }
        catch (FileNotFoundException)
        {
            return Damaged(entry);
        }

        outputs.Commit();

        var diagnostics = (cached.Diagnostics ?? Array.Empty<CachedDiagnostic>())
            .Select(d => ToDiagnostic(d, baseFolder))
            .ToArray();
        var validation = cached.Validation is null ? null : new ValidationReport(output, cached.Validation, Array.Empty<Diagnostic>());
        result = new ConvertResult(true, diagnostics, request.InputPath, output, cached.Format, cached.Summary, validation,
            new[] { new StageTiming("cache", System.Diagnostics.Stopwatch.GetElapsedTime(started)) })
        {
            InputFiles = dependencies,
            Steps = cached.Steps ?? Array.Empty<string>(),
            Cached = true,
        };
        return CacheLookup.Hit;
    }

    /// <summary>
    /// Stores a passing <paramref name="result"/> under <paramref name="key"/>, replacing an entry already there.
    /// A result that did not pass, or whose output is gone, is not stored.
    /// </summary>
    /// <returns>True when the entry was stored.</returns>
    /// <exception cref="IOException">The cache folder cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The cache folder cannot be written.</exception>
    public bool Store(CacheKey key, ConvertRequest request, ConvertResult result)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(result);
        if (!result.Succeeded || result.Outcome != PipelineOutcome.Passed || result.Cached || result.OutputPath is not { } output || !File.Exists(output))
        {
            return false;
        }

        var baseFolder = InputFolder(request.InputPath);
        var temp = Path.Combine(Layout, "tmp", $"{key.Hash[..8]}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                [ModelFile] = CopyHashing(output, Path.Combine(temp, ModelFile)),
            };
            if (File.Exists(output + ".data"))
            {
                files[DataFile] = CopyHashing(output + ".data", Path.Combine(temp, DataFile));
            }

            var cached = new CachedResult(
                result.Format,
                result.Steps,
                result.Summary,
                result.Validation?.DataSets,
                result.Diagnostics.Select(d => new CachedDiagnostic(d.Code, d.Severity, d.Message, Relative(baseFolder, d.File), d.Location)).ToArray(),
                result.InputFiles.Select(f => new CachedFile(Path.GetRelativePath(baseFolder, f).Replace('\\', '/'), CacheKey.HashFile(f))).ToArray());
            var resultBytes = JsonSerializer.SerializeToUtf8Bytes(cached, CacheJson.Context.CachedResult);
            File.WriteAllBytes(Path.Combine(temp, ResultFile), resultBytes);
            files[ResultFile] = CacheKey.Hex(SHA256.HashData(resultBytes));
            File.WriteAllText(Path.Combine(temp, KeyFile), key.Text, new UTF8Encoding(false));
            File.WriteAllBytes(Path.Combine(temp, ManifestFile),
                JsonSerializer.SerializeToUtf8Bytes(new CacheManifest(CacheKey.FormatVersion, key.Hash, files), CacheJson.Context.CacheManifest));

            var entry = EntryFolder(key);
            Directory.CreateDirectory(Path.GetDirectoryName(entry)!);
            TryDelete(entry);
            try
            {
                Directory.Move(temp, entry);
            }
            catch (IOException) when (Directory.Exists(entry))
            {
                // Another writer (without the lock: it timed out) put the same key in place first.
                return false;
            }

            return true;
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <summary>The folder relative paths of an entry are taken against: the input's folder, or a folder input itself.</summary>
    internal static string InputFolder(string input)
    {
        var full = Path.GetFullPath(input);
        return Directory.Exists(full) ? full : Path.GetDirectoryName(full)!;
    }

    private static Diagnostic ToDiagnostic(CachedDiagnostic d, string baseFolder)
    {
        var descriptor = DiagnosticCodes.Find(d.Code) ?? DiagnosticCodes.ModelSummary;
        var file = d.File is null ? null : Path.GetFullPath(Path.Combine(baseFolder, d.File));
        return new Diagnostic(descriptor, d.Message, file, d.Location) { Severity = d.Severity };
    }

    private static string? Relative(string baseFolder, string? file)
    {
        if (file is null)
        {
            return null;
        }

        var relative = Path.GetRelativePath(baseFolder, Path.GetFullPath(file));
        return Path.IsPathRooted(relative) || relative.StartsWith("..", StringComparison.Ordinal) ? null : relative.Replace('\\', '/');
    }

    private static string CopyHashing(string source, string destination)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
        using (var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                output.Write(buffer, 0, read);
            }
        }

        return CacheKey.Hex(hash.GetHashAndReset());
    }

    private static CacheLookup Damaged(string entry)
    {
        TryDelete(entry);
        return CacheLookup.Damaged;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary folder or entry; the next store of the key replaces it.
        }
    }
}
