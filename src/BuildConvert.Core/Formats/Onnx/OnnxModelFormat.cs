using BuildConvert.Core.Checking;
using BuildConvert.Core.Converters.Onnx;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Optimizers;
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
    public SourceModel Import(string path, ConversionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var model = OnnxModelReader.Read(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var hadExternalData = UsesExternalData(model);
        // The one summary of the source, taken while external tensors still say where their data is (sizes come from
        // dims, so loading the data changes nothing else in it).
        var summary = ModelSummary.FromModel(model);
        var inputFiles = hadExternalData ? ExternalDataLoader.LoadAll(model, folder, path) : Array.Empty<string>();
        return new OnnxSourceModel(model, path, folder, summary)
        {
            HadExternalData = hadExternalData, ExternalDataBytes = summary.ExternalDataBytes, InputFiles = inputFiles,
        };
    }

    /// <summary>The ONNX checker on the file as read (external-data paths included).</summary>
    /// <inheritdoc />
    public IReadOnlyList<Diagnostic> CheckSource(SourceModel source) =>
        OnnxChecker.Check(((OnnxSourceModel)source).Proto, source.SourcePath);

    /// <summary>
    /// The ONNX conversion (the pipeline has checked the source first, through <see cref="CheckSource"/>): the options are applied, the proto becomes the core graph (sharing its weights), and with
    /// <see cref="ConversionOptions.Opset"/> the graph is converted to that ai.onnx opset (<see cref="OnnxOpsetConverter"/>), and
    /// with <see cref="ConversionOptions.Optimize"/> the passes of <see cref="GraphOptimizer"/> run.
    /// </summary>
    /// <inheritdoc />
    public ConvertedModel Convert(SourceModel source, ConversionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (source is not OnnxSourceModel onnx)
        {
            throw new ArgumentException($"the onnx format cannot convert a model read by '{source.Format}'", nameof(source));
        }

        var proto = onnx.Proto;
        cancellationToken.ThrowIfCancellationRequested();
        OnnxOptionApplier.Apply(proto, options, source.SourcePath);
        var model = OnnxGraphImporter.FromProto(proto);
        var steps = new List<string>();
        var warnings = new List<Diagnostic>();
        if (options.Opset is { } opset && opset != model.OpsetVersion())
        {
            var conversion = OnnxOpsetConverter.Convert(model, opset, source.SourcePath);
            steps.Add($"opset {conversion.SourceOpset} -> {conversion.TargetOpset}: {conversion.Steps.Count} node step(s)");
            steps.AddRange(conversion.Steps.Select(s => $"  {s.OpType} {s.From} -> {s.To}, {s.Node}: {s.Change}"));
            warnings.AddRange(conversion.Warnings.Select(w => DiagnosticCodes.ConversionNote.Create(w, source.SourcePath)));
        }

        if (options.Optimize)
        {
            OptimizationReport report;
            try
            {
                report = GraphOptimizer.Optimize(model);
            }
            catch (Exception e) when (e is not (BuildConvertException or OutOfMemoryException or OperationCanceledException))
            {
                throw BuildConvertException.Create(DiagnosticCodes.ConversionStepFailed,
                    $"the optimizer failed ({e.GetType().Name}: {e.Message})", source.SourcePath, inner: e);
            }

            steps.Add($"optimize: {report}");
        }

        return new ConvertedModel(model, warnings, steps);
    }

    /// <summary>Whether <paramref name="model"/> as read keeps any tensor in external data.</summary>
    internal static bool UsesExternalData(ModelProto model) =>
        ModelTensors.All(model).Any(ExternalDataReference.IsExternal);
}

/// <summary>An ONNX model as read: the parsed proto with its external data loaded.</summary>
public sealed class OnnxSourceModel : SourceModel
{
    /// <summary>Wraps <paramref name="proto"/>, read from <paramref name="sourcePath"/> (by <paramref name="format"/>, onnx unless said).</summary>
    public OnnxSourceModel(ModelProto proto, string sourcePath, string baseDirectory, string format = OnnxModelFormat.FormatName)
        : base(sourcePath, baseDirectory, format)
    {
        Proto = proto ?? throw new ArgumentNullException(nameof(proto));
    }

    internal OnnxSourceModel(ModelProto proto, string sourcePath, string baseDirectory, ModelSummary summary)
        : this(proto, sourcePath, baseDirectory)
    {
        this.summary = summary;
    }

    private ModelSummary? summary;

    /// <summary>The parsed model (owned by the source; conversion shares its weights).</summary>
    public ModelProto Proto { get; }

    /// <inheritdoc />
    /// <remarks>Computed once: at import, or on the first call for a source made without a summary.</remarks>
    public override ModelSummary Summarize() =>
        summary ??= ModelSummary.FromModel(Proto) with { ExternalDataBytes = ExternalDataBytes };
}
