namespace BuildConvert.Core.Formats.TorchScript;

/// <summary>Limits of the TorchScript archive reader. On by default; a message that hits one (BCONV1307) names it.</summary>
public sealed record TorchArchiveReadOptions
{
    /// <summary>The defaults.</summary>
    public static TorchArchiveReadOptions Default { get; } = new();

    /// <summary>The most entries the zip's central directory may list. Default 1,000,000.</summary>
    public int MaxEntries { get; init; } = 1_000_000;

    /// <summary>The largest size one deflated entry may inflate to, in bytes. Default 256 MiB (code files and pickles
    /// are small; PyTorch stores tensor storages uncompressed, and those are never inflated).</summary>
    public long MaxInflatedEntryBytes { get; init; } = 256L << 20;

    /// <summary>The most bytes all deflated entries read from one archive may inflate to together. Default 1 GiB.</summary>
    public long MaxInflatedTotalBytes { get; init; } = 1L << 30;

    /// <summary>The largest ratio of an entry's declared inflated size to its compressed size, for entries that inflate
    /// past <see cref="RatioFreeBytes"/>. Deflate cannot exceed about 1032:1; source code and pickles compress by less
    /// than 20:1. Default 200.</summary>
    public int MaxCompressionRatio { get; init; } = 200;

    /// <summary>Entries that inflate to at most this many bytes are not held to <see cref="MaxCompressionRatio"/>. Default 1 MiB.</summary>
    public long RatioFreeBytes { get; init; } = 1L << 20;

    /// <summary>How deeply pickled containers and objects may nest. Default 1,000.</summary>
    public int MaxPickleDepth { get; init; } = 1000;
}
