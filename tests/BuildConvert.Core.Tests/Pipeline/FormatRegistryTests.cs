using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Tests.Pipeline;

[TestClass]
public sealed class FormatRegistryTests
{
    [TestMethod]
    public void Duplicate_format_names_fail_at_construction()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new FormatRegistry(new IModelFormat[] { new OnnxModelFormat(), new FakeFormat("ONNX", FormatMatch.None) }));

        StringAssert.Contains(error.Message, "'ONNX'");
    }

    [TestMethod]
    public void The_default_registry_knows_onnx_and_has_unique_names()
    {
        var registry = FormatRegistry.CreateDefault();

        Assert.IsNotNull(registry.Find("onnx"));
        Assert.AreEqual(registry.Formats.Count, registry.Formats.Select(f => f.Name.ToLowerInvariant()).Distinct().Count());
    }

    [TestMethod]
    public void A_corpus_model_is_detected_as_onnx_by_content_whatever_its_name()
    {
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;
        var renamed = Path.Combine(folder, "model.bin");
        File.Copy(PipelineTestFiles.Corpus("pytorch-converted/test_Conv2d/model.onnx"), renamed);

        var format = FormatRegistry.CreateDefault().Resolve(renamed, null);

        Assert.AreEqual("onnx", format.Name);
        Assert.AreEqual(FormatMatch.Content, format.Detect(renamed));
    }

    [TestMethod]
    public void Content_beats_extension()
    {
        var claimsEverything = new FakeFormat("other", FormatMatch.Extension);
        var registry = new FormatRegistry(new IModelFormat[] { claimsEverything, new OnnxModelFormat() });

        Assert.AreEqual("onnx", registry.Resolve(PipelineTestFiles.Corpus("node/test_abs/model.onnx"), null).Name);
    }

    [TestMethod]
    public void An_unrecognised_file_is_BCONV0004_listing_the_known_formats()
    {
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;
        var path = Path.Combine(folder, "readme.txt");
        File.WriteAllText(path, "not a model");

        var error = Assert.ThrowsExactly<BuildConvertException>(() => FormatRegistry.CreateDefault().Resolve(path, null));

        Assert.AreEqual("BCONV0004", error.Code);
        Assert.AreEqual(path, error.Diagnostics[0].File);
        StringAssert.Contains(error.Message, "known formats: onnx (ONNX model, .onnx)");
    }

    [TestMethod]
    public void A_damaged_onnx_file_still_goes_to_the_onnx_reader_for_a_precise_error()
    {
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;
        var bytes = File.ReadAllBytes(PipelineTestFiles.Corpus("pytorch-converted/test_Conv2d/model.onnx"));
        var path = Path.Combine(folder, "broken.onnx");
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());

        var format = FormatRegistry.CreateDefault().Resolve(path, null);

        Assert.AreEqual(FormatMatch.Extension, format.Detect(path));
        var error = Assert.ThrowsExactly<BuildConvertException>(() => format.Import(path, new ConversionOptions()));
        Assert.AreEqual("BCONV1003", error.Code);
    }

    [TestMethod]
    public void The_format_option_overrides_detection_and_unknown_names_are_BCONV0003()
    {
        var registry = FormatRegistry.CreateDefault();
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;
        var path = Path.Combine(folder, "data.txt");
        File.WriteAllText(path, "hello");

        Assert.AreEqual("onnx", registry.Resolve(path, "ONNX").Name);
        var error = Assert.ThrowsExactly<BuildConvertException>(() => registry.Resolve(path, "tflite"));
        Assert.AreEqual("BCONV0003", error.Code);
        StringAssert.Contains(error.Message, "'tflite'");
    }

    private sealed class FakeFormat : IModelFormat
    {
        private readonly FormatMatch match;

        public FakeFormat(string name, FormatMatch match)
        {
            Name = name;
            this.match = match;
        }

        public string Name { get; }

        public string Description => "fake";

        public IReadOnlyList<string> Extensions => Array.Empty<string>();

        public FormatMatch Detect(string path) => match;

        public SourceModel Import(string path, ConversionOptions options, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("not used");

        public ConvertedModel Convert(SourceModel source, ConversionOptions options, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("not used");
    }
}
