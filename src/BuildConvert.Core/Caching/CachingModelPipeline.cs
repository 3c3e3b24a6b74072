using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.Core.Caching;

/// <summary>
/// <see cref="ModelPipeline"/> in front of a <see cref="ConversionCache"/>: computes the request's <see cref="CacheKey"/>,
/// takes the key's cross-process lock (so two builds of one model convert it once: the second waits and restores),
/// restores a verified entry without converting or validating, and otherwise converts and stores the result when it
/// passed. A cache that cannot be used never fails a conversion: it becomes a warning (BCONV0011 lock timeout,
/// BCONV0012 damaged entry, BCONV0013 unusable folder) and the model is converted as without a cache. With no cache
/// it is the plain pipeline. Stateless: one instance may run many conversions at once.
/// </summary>
public sealed class CachingModelPipeline
{
    private readonly ModelPipeline pipeline;
    private readonly OptionCatalog catalog;
    private readonly CacheEnvironment environment;

    /// <summary>Makes a pipeline that uses <paramref name="cache"/> (none when null).</summary>
    /// <param name="pipeline">The pipeline that converts on a miss.</param>
    /// <param name="cache">The cache, or null to always convert.</param>
    /// <param name="catalog">The options the key normalizes (the formats' catalog).</param>
    /// <param name="environment">The tool and ONNX Runtime versions of this tool.</param>
    public CachingModelPipeline(ModelPipeline pipeline, ConversionCache? cache, OptionCatalog catalog, CacheEnvironment environment)
    {
        this.pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        this.catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        this.environment = environment ?? throw new ArgumentNullException(nameof(environment));
        Cache = cache;
    }

    /// <summary>The cache, or null.</summary>
    public ConversionCache? Cache { get; }

    /// <summary>How long to wait for another build converting the same model (default 10 minutes).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Converts <paramref name="request"/>, or restores it from the cache.</summary>
    /// <param name="request">What to convert and where to.</param>
    /// <param name="validator">Makes the validator; called only when a conversion with golden data actually runs.</param>
    /// <param name="cancellationToken">Stops the conversion (or the wait for the lock).</param>
    /// <returns>The result; <see cref="ConvertResult.Cached"/> tells a restored one.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public ConvertResult Convert(ConvertRequest request, Func<IModelValidator?> validator, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(validator);
        // Requests the pipeline refuses (missing input or golden data, the output being the input) get its diagnostics.
        if (Cache is null || (!File.Exists(request.InputPath) && !Directory.Exists(request.InputPath))
            || (request.Options.Golden is { } g && !Directory.Exists(g))
            || string.Equals(Path.GetFullPath(request.InputPath), Path.GetFullPath(request.OutputPath), StringComparison.Ordinal)
            || Directory.Exists(request.OutputPath))
        {
            return Run(request, validator, cancellationToken);
        }

        var warnings = new List<Diagnostic>();
        CacheKey key;
        CacheLock? held;
        try
        {
            key = CacheKey.Compute(request, catalog, environment);
            held = Cache.Lock(key, LockTimeout, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            warnings.Add(Unavailable(e));
            return WithWarnings(Run(request, validator, cancellationToken), warnings);
        }

        using (held)
        {
            if (held is null)
            {
                warnings.Add(DiagnosticCodes.CacheLockTimedOut.Create(
                    FormattableString.Invariant($"another build held the cache lock of '{request.InputPath}' in '{Cache.Root}' for more than {LockTimeout.TotalSeconds:0} s; converting it here"),
                    request.InputPath));
            }

            try
            {
                switch (Cache.TryRestore(key, request, out var restored))
                {
                    case CacheLookup.Hit:
                        return restored!;
                    case CacheLookup.Damaged:
                        warnings.Add(DiagnosticCodes.CacheEntryDamaged.Create(
                            $"the cache entry for '{request.InputPath}' ({Cache.EntryFolder(key)}) did not verify; it was removed and the model converted again",
                            request.InputPath));
                        break;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                warnings.Add(Unavailable(e));
            }

            var result = Run(request, validator, cancellationToken);
            try
            {
                Cache.Store(key, request, result);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                warnings.Add(Unavailable(e));
            }

            return WithWarnings(result, warnings);
        }

        Diagnostic Unavailable(Exception e) => DiagnosticCodes.CacheUnavailable.Create(
            $"the conversion cache '{Cache!.Root}' could not be used for '{request.InputPath}': {e.Message}", Cache.Root);
    }

    private ConvertResult Run(ConvertRequest request, Func<IModelValidator?> validator, CancellationToken cancellationToken) =>
        pipeline.Convert(request, request.Options.Golden is null ? null : validator(), cancellationToken);

    private static ConvertResult WithWarnings(ConvertResult result, IReadOnlyList<Diagnostic> warnings) =>
        warnings.Count == 0 ? result : result with { Diagnostics = warnings.Concat(result.Diagnostics).ToArray() };
}
