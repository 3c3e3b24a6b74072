namespace BuildConvert.Core.Formats.Npy;

/// <summary>
/// Limits <see cref="NpzReader"/> enforces before inflating anything. The defaults suit golden data; raise them by
/// passing a new instance (e.g. <c>NpzReadOptions.Default with { MaxTotalBytes = ... }</c>).
/// </summary>
public sealed record NpzReadOptions
{
    /// <summary>The defaults: 4,096 entries, entries up to the largest tensor .NET can hold, 8 GiB in all, and a
    /// compression ratio of 1,100 (above what honest deflate can reach, about 1,032).</summary>
    public static NpzReadOptions Default { get; } = new();

    /// <summary>The most entries an archive may have.</summary>
    public int MaxEntries { get; init; } = 4096;

    /// <summary>The largest declared uncompressed size of one entry.</summary>
    public long MaxEntryBytes { get; init; } = Array.MaxLength;

    /// <summary>The largest sum of declared uncompressed sizes.</summary>
    public long MaxTotalBytes { get; init; } = 8L << 30;

    /// <summary>The largest ratio of declared uncompressed to compressed size, for entries above 64 KiB.</summary>
    public double MaxCompressionRatio { get; init; } = 1100;
}
