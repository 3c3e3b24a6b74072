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
    /// Reads the model at <paramref name="path"/> and returns it as ONNX, with <paramref name="options"/> applied.
    /// An option the format cannot honour is a coded error (BCONV0005), never silently ignored.
    /// </summary>
    /// <exception cref="Diagnostics.BuildConvertException">The input is unreadable, invalid or an option cannot be honoured.</exception>
    ImportedModel Import(string path, ConversionOptions options, CancellationToken cancellationToken = default);
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
/// A model imported into ONNX. <see cref="Model"/> may refer to external data files relative to
/// <see cref="BaseDirectory"/>; the importer does not load such data into memory.
/// </summary>
/// <param name="Model">The ONNX model (owned by the caller from now on).</param>
/// <param name="SourcePath">The file or folder it was read from.</param>
/// <param name="BaseDirectory">The folder external data locations are relative to.</param>
/// <param name="Format">The name of the format it was read from.</param>
/// <param name="Warnings">Non-fatal diagnostics from the import.</param>
public sealed record ImportedModel(
    ModelProto Model,
    string SourcePath,
    string BaseDirectory,
    string Format,
    IReadOnlyList<Diagnostics.Diagnostic> Warnings)
{
    /// <summary>Bytes of tensor data the source kept in external data files (now loaded into <see cref="Model"/>).</summary>
    public long ExternalDataBytes { get; init; }

    /// <summary>Whether the source kept tensors in external data files; the pipeline then writes them the same way.</summary>
    public bool HadExternalData { get; init; }

    /// <summary>Files besides <see cref="SourcePath"/> the import read (external data), as full paths, so that a build
    /// can treat them as inputs of the conversion.</summary>
    public IReadOnlyList<string> InputFiles { get; init; } = Array.Empty<string>();

    /// <summary>The summary of the imported model, with external data counted as the source stored it.</summary>
    public ModelSummary Summarize() => ModelSummary.FromModel(Model) with { ExternalDataBytes = ExternalDataBytes };
}
