using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.Tool.Tests.Infrastructure;

/// <summary>
/// A format registered only in tests (files ending <c>.fake</c>) with an option of its own, <c>Flavor</c>
/// (<c>--flavor</c>), as a SavedModel format would declare it. It imports a copy of small_cnn (or what
/// <paramref name="model"/> makes) and remembers the options it was given.
/// </summary>
internal sealed class FakeFormat(Func<ModelProto>? model = null) : IModelFormat
{
    public static readonly ConversionOptionDescriptor Flavor = ConversionOptionDescriptor.ForFormat(
        "Flavor", "--flavor", OptionValueKind.Text, "The flavor of the fake model to convert.");

    private readonly List<ConversionOptions> imports = new();

    public IReadOnlyList<ConversionOptions> Imports => imports;

    public string Name => "fake";

    public string Description => "fake test format";

    public IReadOnlyList<string> Extensions => new[] { ".fake" };

    public IReadOnlyList<ConversionOptionDescriptor> Options => new[] { Flavor, ConversionOptionTable.Optimize };

    public FormatMatch Detect(string path) => path.EndsWith(".fake", StringComparison.Ordinal) && File.Exists(path) ? FormatMatch.Content : FormatMatch.None;

    public SourceModel Import(string path, ConversionOptions options, CancellationToken cancellationToken = default)
    {
        lock (imports)
        {
            imports.Add(options);
        }

        var proto = model?.Invoke() ?? OnnxModelReader.Read(TestPaths.SmallCnn);
        return new OnnxSourceModel(proto, path, Path.GetDirectoryName(Path.GetFullPath(path))!, Name);
    }

    public ConvertedModel Convert(SourceModel source, ConversionOptions options, CancellationToken cancellationToken = default) =>
        new(BuildConvert.Core.Graphs.OnnxGraphImporter.FromProto(((OnnxSourceModel)source).Proto), Array.Empty<Diagnostic>(), Array.Empty<string>());

    public IReadOnlyList<Diagnostic> CheckSource(SourceModel source) =>
        BuildConvert.Core.Checking.OnnxChecker.Check(((OnnxSourceModel)source).Proto, source.SourcePath);

    /// <summary>The tool's services with this format registered after ONNX.</summary>
    public ToolServices Services() => new(new FormatRegistry(new IModelFormat[] { new OnnxModelFormat(), this }), ToolServices.CreateDefault().CreateValidator);
}
