namespace BuildConvert.Core.Formats.TensorFlow;

/// <summary>Limits of the TensorFlow readers. On by default; each message that hits one names it.</summary>
public sealed record TfReadOptions
{
    /// <summary>The defaults.</summary>
    public static TfReadOptions Default { get; } = new();

    /// <summary>The largest GraphDef or saved_model.pb accepted, in bytes (protobuf stops at 2 GiB - 1). Default: that.</summary>
    public long MaxModelBytes { get; init; } = int.MaxValue;

    /// <summary>How deeply protobuf messages may nest. Default 100 (Google.Protobuf's default).</summary>
    public int RecursionLimit { get; init; } = ProtobufRecursionLimit;

    /// <summary>Google.Protobuf's default nesting limit, which the mapped (zero-copy) reader uses.</summary>
    public const int ProtobufRecursionLimit = 100;

    /// <summary>How many levels of function calls are inlined before the reader gives up (BCONV1207). Default 32.</summary>
    public int MaxInlineDepth { get; init; } = 32;

    /// <summary>The largest variables.index accepted, in bytes. Default 256 MiB.</summary>
    public long MaxIndexBytes { get; init; } = 256L << 20;

    /// <summary>The largest single variable accepted, in bytes. Default: the largest .NET array.</summary>
    public long MaxVariableBytes { get; init; } = Array.MaxLength;

    /// <summary>The most nodes the flattened graph may have (calls inlined). Default 10 million.</summary>
    public int MaxNodes { get; init; } = 10_000_000;
}
