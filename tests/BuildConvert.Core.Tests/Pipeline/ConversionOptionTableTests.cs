using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.Core.Tests.Pipeline;

/// <summary>The options contract: each option declared once, parsed by one parser whatever surface gave the text.</summary>
[TestClass]
public sealed class ConversionOptionTableTests
{
    private static readonly OptionSource Cli = OptionSource.CommandLine;
    private static readonly OptionSource Item = OptionSource.Item("models/a.onnx", "/p/models/a.onnx");

    [TestMethod]
    public void TheCommandLineAndTheItemMetadata_GetTheSameValuesFromTheSameText()
    {
        foreach (var source in new[] { Cli, Item })
        {
            var options = new ConversionOptions();
            options = ConversionOptionTable.Opset.ApplyText(options, " 17 ", source);
            options = ConversionOptionTable.Rtol.ApplyText(options, "1e-4", source);
            options = ConversionOptionTable.Atol.ApplyText(options, "0", source);
            options = ConversionOptionTable.Tolerance.ApplyText(options, "y=1e-3,0; z=0,1e-2", source);
            options = ConversionOptionTable.Inputs.ApplyText(options, "b, a", source);
            options = ConversionOptionTable.InputShapes.ApplyText(options, "a:N,4", source);
            options = ConversionOptionTable.Optimize.ApplyText(options, "True", source);

            Assert.AreEqual(17, options.Opset);
            Assert.AreEqual(1e-4, options.Tolerances.Global.Rtol);
            Assert.AreEqual(0, options.Tolerances.Global.Atol);
            Assert.AreEqual(1e-3, options.Tolerances.For("y").Rtol);
            Assert.AreEqual(1e-2, options.Tolerances.For("z").Atol);
            CollectionAssert.AreEqual(new[] { "b", "a" }, options.Inputs.ToArray());
            Assert.AreEqual("a:N,4", options.InputShapes.Single().ToString());
            Assert.IsTrue(options.Optimize);
            Assert.AreEqual(true, options.Get(ConversionOptionTable.Optimize));
        }
    }

    [TestMethod]
    [DataRow("Opset", "x", "an opset version such as 17")]
    [DataRow("Opset", "0", "must be a positive whole number")]
    [DataRow("Rtol", "tight", "a number such as 1e-4")]
    [DataRow("Atol", "-1", "must be a finite number >= 0")]
    [DataRow("Tolerance", "nonsense", "name=rtol,atol")]
    [DataRow("Tolerance", "y=1,1;y=2,2", "gives output 'y' twice")]
    [DataRow("InputShapes", "a:4,x-y", "not a number or a symbol")]
    [DataRow("Optimize", "yes", "true or false")]
    public void AMalformedValue_IsBCONV0003_InTheSpellingOfWhereItCameFrom(string name, string text, string why)
    {
        var option = FormatRegistry.CreateDefault().Options.Find(name)!;

        var cli = Assert.ThrowsExactly<BuildConvertException>(() => option.Parse(text, Cli));
        var item = Assert.ThrowsExactly<BuildConvertException>(() => option.Parse(text, Item));

        Assert.AreEqual("BCONV0003", cli.Code);
        Assert.AreEqual("BCONV0003", item.Code);
        StringAssert.StartsWith(cli.Message, $"{option.CliName} '{text}': ");
        StringAssert.StartsWith(item.Message, $"<OnnxModel> 'models/a.onnx': {option.Name} '{text}': ");
        StringAssert.Contains(cli.Message, why);
        StringAssert.Contains(item.Message, why);
        Assert.AreEqual("/p/models/a.onnx", item.Diagnostics[0].File);
    }

    [TestMethod]
    public void EveryOption_HasOneSpellingPerSurface_DerivedFromItsName()
    {
        var catalog = FormatRegistry.CreateDefault().Options;
        Assert.AreEqual(catalog.All.Count, catalog.All.Select(o => o.CliName).Distinct().Count());
        Assert.AreEqual("inputShapes", ConversionOptionTable.InputShapes.RequestKey);
        Assert.AreEqual("--input-shapes", ConversionOptionTable.InputShapes.CliName);
        Assert.AreEqual("BuildConvertOptimize", ConversionOptionTable.Optimize.ProjectPropertyName);
        CollectionAssert.AreEquivalent(new[] { "onnx", "tf-graphdef", "tf-savedmodel", "torchscript" }, catalog.FormatsUsing(ConversionOptionTable.Optimize).ToArray());
        CollectionAssert.Contains(catalog.ForCommand(OptionCommands.Verify).ToArray(), ConversionOptionTable.Rtol);
        CollectionAssert.DoesNotContain(catalog.ForCommand(OptionCommands.Verify).ToArray(), ConversionOptionTable.Opset);
        Assert.IsFalse(catalog.ForwardedByTask.Contains(ConversionOptionTable.Golden), "the task resolves Golden and sends it under the protocol's own key");
    }

    [TestMethod]
    public void AFormatsOwnOption_JoinsTheCatalog_AndTwoOptionsCannotShareASpelling()
    {
        var signature = ConversionOptionDescriptor.ForFormat("Signature", "--signature", OptionValueKind.Text, "The signature to convert.");
        var registry = new FormatRegistry(new IModelFormat[] { new OnnxModelFormat(), new OptionFormat("savedmodel", signature) });

        Assert.AreSame(signature, registry.Options.Find("signature"));
        CollectionAssert.AreEqual(new[] { "savedmodel" }, registry.Options.FormatsUsing(signature).ToArray());
        var options = signature.ApplyText(new ConversionOptions(), "serving_default", Cli);
        Assert.AreEqual("serving_default", options.Get(signature));
        Assert.IsTrue(signature.IsSet(options));

        var clash = ConversionOptionDescriptor.ForFormat("Opset", "--opset2", OptionValueKind.Integer, "Another opset.");
        var error = Assert.ThrowsExactly<ArgumentException>(() => new FormatRegistry(new IModelFormat[] { new OnnxModelFormat(), new OptionFormat("x", clash) }));
        StringAssert.Contains(error.Message, "'Opset'");
        var cliClash = ConversionOptionDescriptor.ForFormat("Version", "--opset", OptionValueKind.Integer, "Clashes on the command line.");
        Assert.ThrowsExactly<ArgumentException>(() => new FormatRegistry(new IModelFormat[] { new OnnxModelFormat(), new OptionFormat("y", cliClash) }));
        Assert.ThrowsExactly<ArgumentException>(() => ConversionOptionDescriptor.ForFormat("signature", "--signature", OptionValueKind.Text, "lower case"));
    }

    [TestMethod]
    public void AnOptionTheFormatDoesNotTake_IsBCONV0005BeforeImport_AndTheRunStopsAtImport()
    {
        using var folder = new ScratchFolder();
        var input = Bytes(folder, "m.fake", new byte[] { 1 });
        var format = new OptionFormat("fake");
        var pipeline = new ModelPipeline(new FormatRegistry(new IModelFormat[] { new OnnxModelFormat(), format }));

        var result = pipeline.Convert(new ConvertRequest(input, Path.Combine(folder.Path, "out.onnx"), new ConversionOptions { Opset = 17, Optimize = true }), null);

        Assert.IsFalse(result.Succeeded);
        CollectionAssert.AreEqual(new[] { "BCONV0005", "BCONV0005" }, result.Diagnostics.Select(d => d.Code).ToArray());
        StringAssert.Contains(result.Diagnostics[0].Message, "--opset / Opset is not used by the 'fake' format (it applies to: onnx)");
        StringAssert.Contains(result.Diagnostics[1].Message, "--optimize / Optimize");
        Assert.AreEqual(new StageFailure(PipelineStage.Import, FaultKind.Input), result.Failure);
        Assert.AreEqual(PipelineOutcome.Error, result.Outcome);
        Assert.AreEqual(0, format.Imports, "import never ran");
    }

    [TestMethod]
    public void OptimizeIsTakenByTheOnnxFormat()
    {
        using var folder = new ScratchFolder();
        var input = PipelineTestFiles.Write(PipelineTestFiles.AddRelu(), folder.Path, "in.onnx");

        var result = new ModelPipeline().Convert(new ConvertRequest(input, Path.Combine(folder.Path, "out.onnx"), new ConversionOptions { Optimize = true }), null);

        Assert.IsTrue(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.IsNull(result.Failure);
        Assert.AreEqual(PipelineOutcome.Passed, result.Outcome);
    }

    /// <summary>A fake format that declares the given options and imports a small ONNX model.</summary>
    private sealed class OptionFormat : IModelFormat
    {
        private readonly ConversionOptionDescriptor[] options;

        public OptionFormat(string name, params ConversionOptionDescriptor[] options)
        {
            Name = name;
            this.options = options;
        }

        public int Imports { get; private set; }

        public string Name { get; }

        public string Description => "fake";

        public IReadOnlyList<string> Extensions => new[] { "." + Name };

        public IReadOnlyList<ConversionOptionDescriptor> Options => options;

        public FormatMatch Detect(string path) => Path.GetExtension(path) == "." + Name ? FormatMatch.Content : FormatMatch.None;

        public SourceModel Import(string path, ConversionOptions options, CancellationToken cancellationToken = default)
        {
            Imports++;
            return new OnnxSourceModel(PipelineTestFiles.AddRelu(), path, Path.GetDirectoryName(path)!, Name);
        }

        public ConvertedModel Convert(SourceModel source, ConversionOptions options, CancellationToken cancellationToken = default) =>
            new(BuildConvert.Core.Graphs.OnnxGraphImporter.FromProto(((OnnxSourceModel)source).Proto), Array.Empty<Diagnostic>(), Array.Empty<string>());
    }

    private static string Bytes(ScratchFolder folder, string name, byte[] bytes)
    {
        var path = Path.Combine(folder.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
