namespace BuildConvert.Core.Formats.Onnx;

/// <summary>Options for <see cref="OnnxModelWriter"/>.</summary>
public sealed record OnnxWriteOptions
{
    /// <summary>The defaults: everything inline in one file.</summary>
    public static OnnxWriteOptions Default { get; } = new();

    /// <summary>
    /// When true, tensors of at least <see cref="ExternalDataThreshold"/> bytes are written to a data file beside the
    /// model (<see cref="ExternalDataFileName"/>) and referenced with <c>location</c>/<c>offset</c>/<c>length</c>.
    /// Tensors that are already external are written unchanged.
    /// </summary>
    public bool ExternalData { get; init; }

    /// <summary>The smallest tensor, in bytes, that goes to the data file. Default 1024.</summary>
    public long ExternalDataThreshold { get; init; } = 1024;

    /// <summary>The data file's name, relative to the model's folder; default <c>&lt;model file name&gt;.data</c>.</summary>
    public string? ExternalDataFileName { get; init; }

    /// <summary>Every tensor in the data file starts at a multiple of this many bytes (a power of two). Default 64.</summary>
    public int ExternalDataAlignment { get; init; } = 64;
}
