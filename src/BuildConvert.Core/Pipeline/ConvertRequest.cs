namespace BuildConvert.Core.Pipeline;

/// <summary>One conversion: read <paramref name="InputPath"/>, write ONNX to <paramref name="OutputPath"/>.</summary>
/// <param name="InputPath">The source model file or folder.</param>
/// <param name="OutputPath">The <c>.onnx</c> file to produce; its folder is created when missing.</param>
/// <param name="Options">The shared options (format, opset, inputs, outputs, input shapes, golden data, tolerances).</param>
public sealed record ConvertRequest(string InputPath, string OutputPath, ConversionOptions Options)
{
    /// <summary>
    /// Write tensors of at least 1 KiB to <c>&lt;output&gt;.data</c> beside the model. Null (the default) keeps the
    /// source's choice: external data when the source model used it.
    /// </summary>
    public bool? ExternalData { get; init; }
}
