using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>
/// Models that are already ONNX: recognised by content (a protobuf <c>ModelProto</c> with <c>ir_version</c> and a graph,
/// see <see cref="OnnxContentSniffer"/>), weakly by the <c>.onnx</c> extension so that a damaged <c>.onnx</c> file gets
/// the reader's precise error rather than "unknown format". Import reads the model with its external data loaded
/// (after the reader has checked every external-data path) and applies the options that can be honoured.
/// </summary>
public sealed class OnnxModelFormat : IModelFormat
{
    /// <summary>The format's name.</summary>
    public const string FormatName = "onnx";

    private static readonly string[] FileExtensions = { ".onnx" };

    private static readonly ConversionOptionDescriptor[] FormatOptions =
    {
        ConversionOptionTable.Opset, ConversionOptionTable.Inputs, ConversionOptionTable.Outputs,
        ConversionOptionTable.InputShapes, ConversionOptionTable.Optimize,
    };

    /// <inheritdoc />
    public string Name => FormatName;

    /// <inheritdoc />
    public string Description => "ONNX model";

    /// <inheritdoc />
    public IReadOnlyList<string> Extensions => FileExtensions;

    /// <inheritdoc />
    public IReadOnlyList<ConversionOptionDescriptor> Options => FormatOptions;

    /// <inheritdoc />
    public FormatMatch Detect(string path)
    {
        if (!File.Exists(path))
        {
            return FormatMatch.None;
        }

        if (OnnxContentSniffer.LooksLikeModel(path))
        {
            return FormatMatch.Content;
        }

        return FileExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase) ? FormatMatch.Extension : FormatMatch.None;
    }

    /// <inheritdoc />
    public ImportedModel Import(string path, ConversionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var model = OnnxModelReader.Read(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var hadExternalData = UsesExternalData(model);
        var externalBytes = hadExternalData ? ModelSummary.FromModel(model).ExternalDataBytes : 0;
        var inputFiles = hadExternalData ? ExternalDataLoader.LoadAll(model, folder, path) : Array.Empty<string>();

        OnnxOptionApplier.Apply(model, options, path);
        return new ImportedModel(model, path, folder, FormatName, Array.Empty<Diagnostic>()) { HadExternalData = hadExternalData, ExternalDataBytes = externalBytes, InputFiles = inputFiles };
    }

    /// <summary>Whether <paramref name="model"/> as read keeps any tensor in external data.</summary>
    internal static bool UsesExternalData(ModelProto model) =>
        ModelTensors.All(model).Any(ExternalDataReference.IsExternal);
}
