using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.Core.Pipeline;

/// <summary>
/// A source model format the pipeline can read: its name (what <c>--format</c> and item metadata <c>Format</c> spell),
/// how to recognise its files, and how to import one into an ONNX <see cref="ModelProto"/>.
/// Implementations are stateless and safe to use from several conversions at once.
/// </summary>
public interface IModelFormat
{
    /// <summary>The format's name, lower case (e.g. <c>onnx</c>). Unique within a <see cref="FormatRegistry"/>.</summary>
    string Name { get; }

    /// <summary>A short human description, shown in the unknown-format error.</summary>
    string Description { get; }

    /// <summary>File extensions (with the dot, lower case) this format usually has; empty for folder formats.</summary>
    IReadOnlyList<string> Extensions { get; }

    /// <summary>
    /// Judges whether <paramref name="path"/> (a file or a folder) holds this format. Reads at most what it needs;
    /// never throws for unreadable or hostile content (that is simply <see cref="FormatMatch.None"/>).
    /// </summary>
    FormatMatch Detect(string path);

    /// <summary>
    /// The <see cref="OptionScope.Format"/> options this format reads: shared ones from <see cref="ConversionOptionTable"/>
    /// and its own (<see cref="ConversionOptionDescriptor.ForFormat"/>). Giving any other format option for this format
    /// is BCONV0005 before <see cref="Import"/> runs. Pipeline options (format, golden data, tolerances) need not be
    /// listed. Default: none.
    /// </summary>
    IReadOnlyList<ConversionOptionDescriptor> Options => Array.Empty<ConversionOptionDescriptor>();

    /// <summary>
    /// Reads the model at <paramref name="path"/> into the format's own representation (for ONNX the parsed proto with
    /// its external data; for TensorFlow a GraphDef, and so on). Problems with the file are the user's and carry
    /// BCONV1xxx codes. Reading applies no option and converts nothing.
    /// </summary>
    /// <exception cref="Diagnostics.BuildConvertException">The input is unreadable or invalid.</exception>
    SourceModel Import(string path, ConversionOptions options, CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks a source this format imported, before conversion; what it finds is the user's to fix (for ONNX the
    /// checker's findings on the input file). Errors stop the run as a failed model. Default: nothing to check.
    /// </summary>
    IReadOnlyList<Diagnostics.Diagnostic> CheckSource(SourceModel source) => Array.Empty<Diagnostics.Diagnostic>();

    /// <summary>
    /// Turns a model this format imported into the core graph, with <paramref name="options"/> applied: the format's op
    /// converters, then the options (opset, inputs/outputs, shapes), then the passes asked for. Problems found in the
    /// source are the user's; a model the converters cannot express is BCONV2xxx; an option the format cannot honour is
    /// BCONV0005, never silently ignored.
    /// </summary>
    /// <exception cref="Diagnostics.BuildConvertException">The model cannot be converted as asked.</exception>
    ConvertedModel Convert(SourceModel source, ConversionOptions options, CancellationToken cancellationToken = default);
}

/// <summary>How strongly a format recognised a path. The registry picks the strongest match.</summary>
public enum FormatMatch
{
    /// <summary>Not this format.</summary>
    None = 0,

    /// <summary>Only the extension fits; the content did not look like the format (it may be damaged).</summary>
    Extension = 1,

    /// <summary>The content is this format.</summary>
    Content = 2,
}

/// <summary>
/// A model as its format read it, before conversion. Formats derive their own type (holding a GraphDef, an archive,
/// a parsed ONNX proto) and hand it back to their <see cref="IModelFormat.Convert"/>.
/// </summary>
public abstract class SourceModel
{
    /// <summary>A source read from <paramref name="sourcePath"/> by the format named <paramref name="format"/>.</summary>
    protected SourceModel(string sourcePath, string baseDirectory, string format)
    {
        SourcePath = sourcePath;
        BaseDirectory = baseDirectory;
        Format = format;
    }

    /// <summary>The file or folder it was read from.</summary>
    public string SourcePath { get; }

    /// <summary>The folder relative paths in the source (external data) are resolved against.</summary>
    public string BaseDirectory { get; }

    /// <summary>The name of the format it was read from.</summary>
    public string Format { get; }

    /// <summary>Non-fatal diagnostics from reading.</summary>
    public IReadOnlyList<Diagnostics.Diagnostic> Warnings { get; init; } = Array.Empty<Diagnostics.Diagnostic>();

    /// <summary>Files besides <see cref="SourcePath"/> that reading used (external data, variables), as full paths, so
    /// that a build can treat them as inputs of the conversion.</summary>
    public IReadOnlyList<string> InputFiles { get; init; } = Array.Empty<string>();

    /// <summary>Whether the source kept tensors in external data files; the pipeline then writes them the same way.</summary>
    public bool HadExternalData { get; init; }

    /// <summary>Bytes of tensor data the source kept in external files.</summary>
    public long ExternalDataBytes { get; init; }

    /// <summary>What <c>inspect</c> shows: the source's inputs, outputs, operators and sizes.</summary>
    public abstract ModelSummary Summarize();
}

/// <summary>The result of <see cref="IModelFormat.Convert"/>: the core graph to write, and what the conversion did.</summary>
/// <param name="Model">The converted model (owned by the caller).</param>
/// <param name="Warnings">Non-fatal diagnostics from the conversion.</param>
/// <param name="Steps">One line per conversion step applied (for reports), e.g. <c>opset 9 -> 13: Upsample -> Resize ('up1')</c>.</param>
public sealed record ConvertedModel(Graphs.Model Model, IReadOnlyList<Diagnostics.Diagnostic> Warnings, IReadOnlyList<string> Steps);
