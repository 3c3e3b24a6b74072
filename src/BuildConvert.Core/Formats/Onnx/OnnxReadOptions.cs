namespace BuildConvert.Core.Formats.Onnx;

/// <summary>Options for <see cref="OnnxModelReader"/>. Limits are on by default.</summary>
public sealed record OnnxReadOptions
{
    /// <summary>The defaults: external data left external, recursion limit 100.</summary>
    public static OnnxReadOptions Default { get; } = new();

    /// <summary>
    /// When true, tensors stored as external data (<c>data_location = EXTERNAL</c>) are read into <c>raw_data</c>
    /// and their external references removed; when false (the default) they are left as they are, and no file beside
    /// the model is opened.
    /// </summary>
    public bool LoadExternalData { get; init; }

    /// <summary>Google.Protobuf's default nesting limit, the default of <see cref="RecursionLimit"/>.</summary>
    public const int ProtobufRecursionLimit = 100;

    /// <summary>
    /// How deeply messages may nest (each subgraph adds about three levels). Default 100. Files are parsed from a
    /// read-only memory mapping, which holds each weight once; with any other limit the streaming parser is used,
    /// which briefly buffers each large field a second time.
    /// </summary>
    public int RecursionLimit { get; init; } = ProtobufRecursionLimit;

    /// <summary>The largest model file accepted, in bytes (protobuf itself stops at 2 GiB - 1). Default: that limit.</summary>
    public long MaxModelBytes { get; init; } = int.MaxValue;
}
