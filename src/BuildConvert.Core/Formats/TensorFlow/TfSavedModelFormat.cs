using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.Core.Formats.TensorFlow;

/// <summary>
/// TensorFlow SavedModels (TF1 and TF2, Keras models saved as SavedModels): a folder holding <c>saved_model.pb</c>
/// and <c>variables/</c>, or that <c>saved_model.pb</c> itself, recognised by content. The MetaGraph tagged
/// <c>serve</c> (else the only one) is read; the signature converted is <c>serving_default</c> unless the Signature
/// option names another.
/// </summary>
public sealed class TfSavedModelFormat : IModelFormat
{
    /// <summary>The format's name.</summary>
    public const string FormatName = "tf-savedmodel";

    /// <summary>The signature converted when none is named.</summary>
    public const string DefaultSignature = "serving_default";

    /// <summary>The file name of a SavedModel's graph.</summary>
    public const string GraphFileName = "saved_model.pb";

    /// <summary>Which SignatureDef of a SavedModel to convert.</summary>
    public static ConversionOptionDescriptor Signature { get; } = ConversionOptionDescriptor.ForFormat(
        "Signature", "--signature", OptionValueKind.Text,
        $"The SavedModel signature to convert (default {DefaultSignature}; 'buildconvert inspect' lists them).");

    private static readonly ConversionOptionDescriptor[] FormatOptions =
    {
        ConversionOptionTable.Opset, ConversionOptionTable.Inputs, ConversionOptionTable.Outputs,
        ConversionOptionTable.InputShapes, ConversionOptionTable.Optimize, Signature,
    };

    /// <inheritdoc />
    public string Name => FormatName;

    /// <inheritdoc />
    public string Description => "TensorFlow SavedModel folder";

    /// <inheritdoc />
    public IReadOnlyList<string> Extensions => Array.Empty<string>();

    /// <inheritdoc />
    public IReadOnlyList<ConversionOptionDescriptor> Options => FormatOptions;

    /// <inheritdoc />
    public FormatMatch Detect(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, GraphFileName) : path;
        if (File.Exists(file) && TfContentSniffer.Identify(file) == TfContentSniffer.Kind.SavedModel)
        {
            return FormatMatch.Content;
        }

        return Directory.Exists(path) && File.Exists(file) ? FormatMatch.Extension : FormatMatch.None;
    }

    /// <inheritdoc />
    public SourceModel Import(string path, ConversionOptions options, CancellationToken cancellationToken = default) =>
        Read(path, TfReadOptions.Default);

    /// <summary>Reads the SavedModel at <paramref name="path"/> (its folder or its saved_model.pb).</summary>
    /// <exception cref="BuildConvertException">BCONV1001/1002/1007, BCONV1200-1203 for an unreadable model.</exception>
    public static TfSavedModelSourceModel Read(string path, TfReadOptions readOptions)
    {
        ArgumentNullException.ThrowIfNull(readOptions);
        var file = Directory.Exists(path) ? Path.Combine(path, GraphFileName) : path;
        var folder = Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";
        var savedModel = TfProtoReader.Read(file, SavedModel.Parser, "SavedModel", readOptions);
        var metaGraphs = savedModel.MetaGraphs;
        var chosen = metaGraphs.FirstOrDefault(m => m.MetaInfoDef?.Tags.Contains("serve") == true)
            ?? (metaGraphs.Count == 1 ? metaGraphs[0] : null);
        if (chosen is null)
        {
            var tags = metaGraphs.Select(m => "[" + string.Join(",", m.MetaInfoDef?.Tags ?? Enumerable.Empty<string>()) + "]");
            throw BuildConvertException.Create(DiagnosticCodes.TfMetaGraphNotFound,
                metaGraphs.Count == 0
                    ? $"SavedModel '{file}' has no MetaGraph"
                    : $"SavedModel '{file}' has no MetaGraph tagged 'serve' and {metaGraphs.Count} MetaGraphs to choose from (tags {string.Join(" ", tags)})",
                file);
        }

        var graph = chosen.GraphDef ?? new GraphDef();
        var prefix = Path.Combine(folder, "variables", "variables");
        var inputFiles = new List<string>();
        if (File.Exists(prefix + ".index"))
        {
            inputFiles.Add(prefix + ".index");
            inputFiles.AddRange(Directory.EnumerateFiles(Path.Combine(folder, "variables"), "variables.data-*").OrderBy(f => f, StringComparer.Ordinal));
        }

        return new TfSavedModelSourceModel(file, folder, chosen, graph, readOptions, prefix) { InputFiles = inputFiles };
    }

    /// <inheritdoc />
    public ConvertedModel Convert(SourceModel source, ConversionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (source is not TfSavedModelSourceModel model)
        {
            throw new ArgumentException($"the {FormatName} format cannot convert a model read by '{source.Format}'", nameof(source));
        }

        return model.Convert(options, cancellationToken);
    }
}
