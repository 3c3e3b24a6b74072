using BuildConvert.Core.Checking;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Tests.Pipeline;

[TestClass]
public sealed class ModelPipelineTests
{
    [TestMethod]
    public void A_corpus_model_is_converted_checked_and_committed()
    {
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;
        var output = Path.Combine(folder, "sub", "conv.onnx");

        var result = new ModelPipeline().Convert(
            new ConvertRequest(PipelineTestFiles.Corpus("pytorch-converted/test_Conv2d/model.onnx"), output, new ConversionOptions()), null);

        Assert.IsTrue(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.AreEqual(Path.GetFullPath(output), result.OutputPath);
        Assert.AreEqual("onnx", result.Format);
        CollectionAssert.AreEqual(new[] { "detect", "import", "check-source", "convert", "check", "write", "commit" }, result.Timings.Select(t => t.Stage).ToArray());
        Assert.IsNull(result.Validation);
        CollectionAssert.AreEqual(new[] { "conv.onnx" }, Directory.GetFiles(Path.Combine(folder, "sub")).Select(Path.GetFileName).ToArray());
        Assert.HasCount(0, OnnxChecker.CheckFile(output));
        var source = OnnxModelReader.Read(PipelineTestFiles.Corpus("pytorch-converted/test_Conv2d/model.onnx"));
        Assert.AreEqual(source, OnnxModelReader.Read(output), "an ONNX model passes through unchanged");
    }

    [TestMethod]
    public void Validation_sees_the_written_model_before_it_is_committed()
    {
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;
        var input = PipelineTestFiles.Write(PipelineTestFiles.AddRelu(), folder, "in.onnx");
        var output = Path.Combine(folder, "out.onnx");
        var validator = new RecordingValidator(passed: true, output);

        var result = new ModelPipeline().Convert(new ConvertRequest(input, output, new ConversionOptions { Golden = folder }), validator);

        Assert.IsTrue(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.IsTrue(validator.SawModel, "the validator got a readable model file");
        Assert.IsFalse(validator.OutputExistedDuringValidation);
        Assert.AreSame(validator.Report, result.Validation);
        Assert.IsTrue(File.Exists(output));
    }

    [TestMethod]
    public void A_failed_validation_commits_nothing_and_removes_the_stale_output()
    {
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;
        var input = PipelineTestFiles.Write(PipelineTestFiles.AddRelu(), folder, "in.onnx");
        var output = Path.Combine(folder, "out.onnx");
        File.WriteAllText(output, "stale output of an earlier build");
        File.WriteAllText(output + ".data", "stale data");

        var result = new ModelPipeline().Convert(
            new ConvertRequest(input, output, new ConversionOptions { Golden = folder }), new RecordingValidator(passed: false, output));

        Assert.IsFalse(result.Succeeded);
        Assert.IsNull(result.OutputPath);
        Assert.IsFalse(File.Exists(output));
        Assert.IsFalse(File.Exists(output + ".data"));
        Assert.AreEqual("BCONV4001", result.Diagnostics.Single(d => d.Severity == DiagnosticSeverity.Error).Code);
        CollectionAssert.AreEquivalent(new[] { "in.onnx" }, Directory.GetFiles(folder).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void A_checker_error_blames_the_input_and_commits_nothing()
    {
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;
        var model = PipelineTestFiles.AddRelu();
        model.Graph.Node[1].Input[0] = "undefined_value";
        var input = PipelineTestFiles.Write(model, folder, "in.onnx");
        var output = Path.Combine(folder, "out.onnx");

        var result = new ModelPipeline().Convert(new ConvertRequest(input, output, new ConversionOptions()), null);

        Assert.IsFalse(result.Succeeded);
        var error = result.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error);
        StringAssert.StartsWith(error.Code, "BCONV3");
        Assert.AreEqual(input, error.File);
        Assert.IsNotNull(result.Summary);
        CollectionAssert.AreEquivalent(new[] { "in.onnx" }, Directory.GetFiles(folder).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void A_checker_error_on_the_converted_model_blames_the_converter()
    {
        using var scratch = new ScratchFolder();
        var input = Path.Combine(scratch.Path, "in.fake");
        File.WriteAllText(input, "fake");
        var output = Path.Combine(scratch.Path, "out.onnx");
        var pipeline = new ModelPipeline(new FormatRegistry(new IModelFormat[] { new BrokenConverterFormat() }));

        var result = pipeline.Convert(new ConvertRequest(input, output, new ConversionOptions()), null);

        Assert.IsFalse(result.Succeeded);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.IsTrue(errors.Length > 0);
        Assert.IsTrue(errors.All(e => e.Code == "BCONV2004"), string.Join("\n", errors.Select(e => e.ToString())));
        StringAssert.Contains(errors[0].Message, "BCONV3");
        Assert.AreEqual("check", result.Timings[^1].Stage);
        Assert.IsFalse(File.Exists(output));
    }

    /// <summary>A format whose converter makes a model that reads a value nothing defines.</summary>
    private sealed class BrokenConverterFormat : IModelFormat
    {
        public string Name => "broken";

        public string Description => "a converter with a bug";

        public IReadOnlyList<string> Extensions => new[] { ".fake" };

        public FormatMatch Detect(string path) => FormatMatch.Content;

        public SourceModel Import(string path, ConversionOptions options, CancellationToken cancellationToken = default) =>
            new FakeSource(path);

        public ConvertedModel Convert(SourceModel source, ConversionOptions options, CancellationToken cancellationToken = default)
        {
            var model = new BuildConvert.Core.Graphs.Model(17, 8);
            var g = model.Graph;
            var x = g.AddInput("x", BuildConvert.Core.Graphs.OnnxType.Tensor(BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Float, 2));
            var relu = g.AddNode("Relu", new[] { x });
            relu.SetInput(0, g.NewValue("nothing_defines_this"));
            g.Outputs.Add(relu.Outputs[0]!);
            relu.Outputs[0]!.Type = x.Type;
            return new ConvertedModel(model, Array.Empty<Diagnostic>(), Array.Empty<string>());
        }

        private sealed class FakeSource : SourceModel
        {
            public FakeSource(string path)
                : base(path, Path.GetDirectoryName(path)!, "broken")
            {
            }

            public override ModelSummary Summarize() => ModelSummary.FromModel(new BuildConvert.Core.Formats.Onnx.Proto.ModelProto());
        }
    }

    [TestMethod]
    public void Writing_is_deterministic()
    {
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;
        var input = PipelineTestFiles.Corpus("pytorch-operator/test_operator_params/model.onnx");
        var pipeline = new ModelPipeline();

        var first = pipeline.Convert(new ConvertRequest(input, Path.Combine(folder, "a.onnx"), new ConversionOptions()), null);
        var second = pipeline.Convert(new ConvertRequest(input, Path.Combine(folder, "b.onnx"), new ConversionOptions()), null);

        Assert.IsTrue(first.Succeeded && second.Succeeded);
        CollectionAssert.AreEqual(File.ReadAllBytes(first.OutputPath!), File.ReadAllBytes(second.OutputPath!));
    }

    [TestMethod]
    public void The_input_cannot_be_its_own_output()
    {
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;
        var input = PipelineTestFiles.Write(PipelineTestFiles.AddRelu(), folder, "in.onnx");

        var result = new ModelPipeline().Convert(new ConvertRequest(input, input, new ConversionOptions()), null);

        Assert.IsFalse(result.Succeeded);
        Assert.AreEqual("BCONV0003", result.Diagnostics[0].Code);
        Assert.IsTrue(File.Exists(input), "the input is never deleted");
    }

    [TestMethod]
    public void A_missing_input_is_BCONV0002_and_removes_the_stale_output()
    {
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;

        var output = Path.Combine(folder, "out.onnx");
        File.WriteAllText(output, "stale");

        var result = new ModelPipeline().Convert(new ConvertRequest(Path.Combine(folder, "nope.onnx"), output, new ConversionOptions()), null);

        Assert.IsFalse(result.Succeeded);
        Assert.AreEqual("BCONV0002", result.Diagnostics[0].Code);
        Assert.IsFalse(File.Exists(output), "even a missing input removes the stale output");
    }

    [TestMethod]
    public void Cancellation_leaves_nothing()
    {
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;
        var input = PipelineTestFiles.Write(PipelineTestFiles.AddRelu(), folder, "in.onnx");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsExactly<OperationCanceledException>(() =>
            new ModelPipeline().Convert(new ConvertRequest(input, Path.Combine(folder, "out.onnx"), new ConversionOptions()), null, cancelled.Token));

        CollectionAssert.AreEquivalent(new[] { "in.onnx" }, Directory.GetFiles(folder).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    [DataRow("data-file-is-a-folder", "out.onnx.data", DisplayName = "the commit's rename of the data file fails")]
    [DataRow("folder-is-a-file", "sub", DisplayName = "the output folder cannot be made")]
    public void A_write_error_names_the_output_and_never_the_staging_name(string blocker, string expectedName)
    {
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;
        var input = PipelineTestFiles.Write(PipelineTestFiles.AddRelu(), folder, "in.onnx");
        string output;
        if (blocker == "data-file-is-a-folder")
        {
            output = Path.Combine(folder, "out.onnx");
            Directory.CreateDirectory(output + ".data");
        }
        else
        {
            File.WriteAllText(Path.Combine(folder, "sub"), "a file where the output folder should be");
            output = Path.Combine(folder, "sub", "out.onnx");
        }

        var result = new ModelPipeline().Convert(new ConvertRequest(input, output, new ConversionOptions()) { ExternalData = true }, null);

        Assert.IsFalse(result.Succeeded);
        var error = result.Diagnostics.Single(d => d.Severity == DiagnosticSeverity.Error);
        Assert.AreEqual("BCONV0006", error.Code, error.ToString());
        Assert.AreEqual(output, error.File);
        StringAssert.Contains(error.Message, "'" + Path.Combine(folder, expectedName) + "'");
        Assert.IsFalse(error.Message.Contains(".staging", StringComparison.Ordinal), error.Message);
        Assert.IsFalse(File.Exists(output));
        CollectionAssert.AreEquivalent(new[] { "in.onnx", Path.GetFileName(blocker == "data-file-is-a-folder" ? output + ".data" : Path.Combine(folder, "sub")) },
            Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).ToArray(), "no staging folder is left");
    }

    [TestMethod]
    public void Golden_data_without_a_validator_is_caller_misuse()
    {
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;
        var input = PipelineTestFiles.Write(PipelineTestFiles.AddRelu(), folder, "in.onnx");

        Assert.ThrowsExactly<InvalidOperationException>(() =>
            new ModelPipeline().Convert(new ConvertRequest(input, Path.Combine(folder, "out.onnx"), new ConversionOptions { Golden = folder }), null));
    }

    private sealed class RecordingValidator : IModelValidator
    {
        private readonly bool passed;
        private readonly string output;

        public RecordingValidator(bool passed, string output)
        {
            this.passed = passed;
            this.output = output;
        }

        public bool SawModel { get; private set; }

        public bool OutputExistedDuringValidation { get; private set; }

        public ValidationReport? Report { get; private set; }

        public ValidationReport Validate(string modelPath, string goldenFolder, ToleranceSet tolerances, CancellationToken cancellationToken = default)
        {
            SawModel = OnnxModelReader.Read(modelPath).Graph.Node.Count == 2;
            OutputExistedDuringValidation = File.Exists(output);
            var comparison = new OutputComparison("z", passed, null, 8, passed ? 0 : 1, passed ? 0 : 0.5, passed ? 0 : 1, null, null, null, 0.5, 1, tolerances.For("z"), null);
            var diagnostics = passed
                ? Array.Empty<Diagnostic>()
                : new[] { new DiagnosticDescriptor("BCONV4001", DiagnosticSeverity.Error, "mismatch", "test").Create("output 'z' differs", goldenFolder) };
            Report = new ValidationReport(modelPath, new[] { new DataSetResult("test_data_set_0", new[] { comparison }) }, diagnostics);
            return Report;
        }
    }
}
