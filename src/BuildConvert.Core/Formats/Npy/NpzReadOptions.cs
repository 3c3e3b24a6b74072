namespace BuildConvert.Core.Formats.Npy;

/// <summary>
/// Limits <see cref="NpzReader"/> enforces before inflating anything. The defaults suit golden data; raise them by
/// passing a new instance (e.g. <c>NpzReadOptions.Default with { MaxTotalBytes = ... }</c>).
/// </summary>
public sealed record NpzReadOptions
{
    /// <summary>The defaults: 4,096 entries, entries up to the largest tensor .NET can hold, 8 GiB in all, and a
    /// compression ratio of 200 past 16 MiB for entries whose size the model does not declare.</summary>
    public static NpzReadOptions Default { get; } = new();

    /// <summary>The most entries an archive may have.</summary>
    public int MaxEntries { get; init; } = 4096;

    /// <summary>The largest declared uncompressed size of one entry.</summary>
    public long MaxEntryBytes { get; init; } = Array.MaxLength;

    /// <summary>The largest sum of declared uncompressed sizes.</summary>
    public long MaxTotalBytes { get; init; } = 8L << 30;

    /// <summary>
    /// The largest ratio of declared uncompressed to compressed size of the entries whose size is not in
    /// <see cref="ExpectedDataBytes"/>, taken together, once they inflate past <see cref="MaxBytesAtAnyRatio"/>. Deflate
    /// tops out near 1,032:1 (long runs of one byte), so a limit at or above that never fires; 200 lets real tensors
    /// through (noisy floats compress about 1.1:1) and keeps a 2 MB archive below 400 MB inflated.
    /// </summary>
    public double MaxCompressionRatio { get; init; } = 200;

    /// <summary>How many bytes the entries whose size is not in <see cref="ExpectedDataBytes"/> may inflate to at any
    /// compression ratio (small all-zero tensors compress about 1,000:1). Default 16 MiB.</summary>
    public long MaxBytesAtAnyRatio { get; init; } = 16L << 20;

    /// <summary>
    /// The data bytes each key's value has, where the caller knows it (the model declares the value with a static shape
    /// and a fixed-size element type). An entry for such a key may declare at most that plus a header allowance, at any
    /// compression ratio (an all-zero output compresses about 1,000:1 and is fine when the model says it is that large).
    /// </summary>
    public IReadOnlyDictionary<string, long>? ExpectedDataBytes { get; init; }
}
