using System.Reflection;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;
using BuildConvert.Tool.Tests.Infrastructure;
using BuildConvert.Tool.TorchOracle;

namespace BuildConvert.Tool.Tests.TorchOracle;

/// <summary>
/// <c>golden model.pt</c> and <c>convert --verify-source</c> through the LibTorch oracle process. The ONNX side of
/// --verify-source is torch.onnx.export of the same PyTorch module as the archive (tests/fixtures/torchscript/*/exported.onnx,
/// eng/torchscript/make-fixtures.py), standing in for the TorchScript converter until it lands.
/// </summary>
[TestClass]
public sealed class TorchOracleCommandTests
{
    private static readonly string OracleDll = typeof(TorchOracleCommandTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "TorchOracleDll").Value!;

    private static string Fixtures => Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "torchscript");

    private static ToolServices WithOracle(ToolServices services) => services with { CreateTorchOracle = () => new TorchOracleClient(OracleDll) };

    [TestMethod]
    public void GoldenOfAnArchiveWithoutTheOracleIsBconv4100()
    {
        using var temp = new TempFolder();
        var services = ToolServices.CreateDefault() with { CreateTorchOracle = () => new TorchOracleClient(Path.Combine(temp.Path, "nowhere")) };
        var result = Cli.Run(services, "golden", Path.Combine(Fixtures, "layer_norm", "traced.pt"), "-o", Path.Combine(temp.Path, "g"), "--input-shapes", "x:N,5,16", "--json");
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "BCONV4100");
        StringAssert.Contains(result.Stdout, "eng/publish-torch-oracle.sh");
        Assert.IsFalse(Directory.Exists(Path.Combine(temp.Path, "g")));
    }

    [TestMethod]
    public void GoldenOfAnArchiveWritesWhatPyTorchComputes()
    {
        // Inputs taken from PyTorch's own golden data: LibTorch's outputs must be PyTorch's.
        using var temp = new TempFolder();
        var golden = Path.Combine(Fixtures, "embedding", "scripted.golden");
        var output = Path.Combine(temp.Path, "g");
        var result = Cli.Run(WithOracle(ToolServices.CreateDefault()), "golden", Path.Combine(Fixtures, "embedding", "scripted.pt"), "-o", output, "--inputs-from", golden);
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var expected = OnnxTestLayout.Read(golden, null);
        var actual = OnnxTestLayout.Read(output, null);
        Assert.AreEqual(expected.Count, actual.Count);
        for (var n = 0; n < expected.Count; n++)
        {
            var comparison = TensorComparer.Compare("output_0", actual[n].Outputs[0], expected[n].Outputs[0], SourceVerifier.DefaultTolerance);
            Assert.IsTrue(comparison.Passed, $"{expected[n].Name}: max abs error {comparison.MaxAbsError}");
        }
    }

    [TestMethod]
    public void GoldenOfAnArchiveUsesInputShapesAndTypes()
    {
        using var temp = new TempFolder();
        var output = Path.Combine(temp.Path, "g");
        var result = Cli.Run(WithOracle(ToolServices.CreateDefault()), "golden", Path.Combine(Fixtures, "embedding", "traced.pt"), "-o", output,
            "--input-shapes", "ids:N,6", "--input-types", "ids:int64", "--seed", "5", "--json");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var written = OnnxTestLayout.Read(output, null);
        Assert.AreEqual(2, written.Count, "one data set per dynamic size (1 and 3)");
        var ids = (Core.Values.TensorValue)written[1].Inputs[0];
        Assert.AreEqual(TensorProto.Types.DataType.Int64, ids.ElementType);
        CollectionAssert.AreEqual(new long[] { 3, 6 }, ids.Shape);
        CollectionAssert.AreEqual(new long[] { 3, 4 }, ((Core.Values.TensorValue)written[1].Outputs[0]).Shape);
    }

    [TestMethod]
    public void GoldenOfAnArchiveWithoutAShapeSaysWhichParameter()
    {
        using var temp = new TempFolder();
        var result = Cli.Run(WithOracle(ToolServices.CreateDefault()), "golden", Path.Combine(Fixtures, "multihead_attention", "traced.pt"), "-o", Path.Combine(temp.Path, "g"), "--input-shapes", "query:1,5,32", "--json");
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "BCONV4105");
        StringAssert.Contains(result.Stdout, "'key'");
    }

    [TestMethod]
    [DataRow("layer_norm")]
    [DataRow("embedding")]
    [DataRow("lstm_batch_first")]
    [DataRow("gru_seq_first")]
    [DataRow("multihead_attention")]
    [DataRow("transformer_encoder_layer_norm_first_gelu")]
    public void SourceVerifierPassesForTheExportedPeer(string model)
    {
        var verifier = new SourceVerifier(new TorchOracleClient(OracleDll), ToolServices.CreateDefault().CreateValidator);
        var report = verifier.Verify(Path.Combine(Fixtures, model, "scripted.pt"), Path.Combine(Fixtures, model, "exported.onnx"), [], ToleranceSet.Default);
        Assert.IsTrue(report.Passed, string.Join("\n", report.Diagnostics));
        Assert.AreEqual(2, report.DataSets.Count, "the exported model's dynamic axes give two sizes");
    }

    [TestMethod]
    public void SourceVerifierFindsADifferentModel()
    {
        // Same interface (x [N,5,8] -> [N,5,24], [4,N,12]), different computation: an RNN archive against a GRU export.
        var verifier = new SourceVerifier(new TorchOracleClient(OracleDll), ToolServices.CreateDefault().CreateValidator);
        var report = verifier.Verify(Path.Combine(Fixtures, "rnn_tanh_batch_first", "traced.pt"), Path.Combine(Fixtures, "gru_batch_first", "exported.onnx"), [], ToleranceSet.Default);
        Assert.IsFalse(report.Passed);
        Assert.IsTrue(report.Diagnostics.Any(d => d.Code == "BCONV4001"), string.Join("\n", report.Diagnostics));
        Assert.AreEqual(1e-4, report.DataSets[0].Outputs[0].Tolerance.Rtol, "the source comparison's default rtol");
    }

    [TestMethod]
    public void ConvertVerifySourceValidatesBeforeCommitting()
    {
        using var temp = new TempFolder();
        var input = Path.Combine(temp.Path, "layer_norm.peer");
        File.Copy(Path.Combine(Fixtures, "layer_norm", "traced.pt"), input);
        var output = Path.Combine(temp.Path, "out.onnx");
        var services = WithOracle(new ToolServices(new FormatRegistry([new OnnxModelFormat(), new PeerFormat(Path.Combine(Fixtures, "layer_norm", "exported.onnx"))]), ToolServices.CreateDefault().CreateValidator));
        var result = Cli.Run(services, "convert", input, "-o", output, "--verify-source", "--input-shapes", "x:N,5,16", "--json");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "\"validation\"");
        Assert.IsTrue(File.Exists(output));
        Assert.AreEqual(2, result.Json().GetProperty("models")[0].GetProperty("validation").GetProperty("dataSets").GetArrayLength(), result.Stdout);
    }

    [TestMethod]
    [DataRow("lstm_batch_first", "scripted", "x:N,S,8")]
    [DataRow("transformer_encoder_layer", "traced", "src:N,S,32")]
    public void ConvertVerifySourceComparesOurConversionWithLibTorch(string model, string variant, string shapes)
    {
        // The engine's own TorchScript conversion, checked against LibTorch running the same archive on seeded inputs.
        using var temp = new TempFolder();
        var output = Path.Combine(temp.Path, "out.onnx");
        var result = Cli.Run(WithOracle(ToolServices.CreateDefault()), "convert", Path.Combine(Fixtures, model, variant + ".pt"), "-o", output,
            "--verify-source", "--input-shapes", shapes, "--json");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.IsTrue(File.Exists(output));
        Assert.AreEqual(2, result.Json().GetProperty("models")[0].GetProperty("validation").GetProperty("dataSets").GetArrayLength(), result.Stdout);
    }

    [TestMethod]
    public void ConvertVerifySourceLeavesNothingWhenTheConversionDiffers()
    {
        using var temp = new TempFolder();
        var input = Path.Combine(temp.Path, "rnn.peer");
        File.Copy(Path.Combine(Fixtures, "rnn_tanh_batch_first", "traced.pt"), input);
        var output = Path.Combine(temp.Path, "out.onnx");
        var services = WithOracle(new ToolServices(new FormatRegistry([new OnnxModelFormat(), new PeerFormat(Path.Combine(Fixtures, "gru_batch_first", "exported.onnx"))]), ToolServices.CreateDefault().CreateValidator));
        var result = Cli.Run(services, "convert", input, "-o", output, "--verify-source", "--input-shapes", "x:N,5,8", "--json");
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "BCONV4001");
        Assert.IsFalse(File.Exists(output));
    }

    [TestMethod]
    public void ConvertVerifySourceOfAnOnnxModelIsBconv4109()
    {
        using var temp = new TempFolder();
        var result = Cli.Run(WithOracle(ToolServices.CreateDefault()), "convert", TestPaths.SmallCnn, "-o", Path.Combine(temp.Path, "o.onnx"), "--verify-source", "--json");
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "BCONV4109");
    }

    /// <summary>A format standing in for the TorchScript converter: files ending <c>.peer</c> (a TorchScript archive)
    /// "convert" to a fixed ONNX model, the torch.onnx.export of the same module.</summary>
    private sealed class PeerFormat(string onnx) : IModelFormat
    {
        public string Name => "peer";

        public string Description => "test stand-in for the TorchScript converter";

        public IReadOnlyList<string> Extensions => [".peer"];

        public IReadOnlyList<ConversionOptionDescriptor> Options => [ConversionOptionTable.InputShapes];

        public FormatMatch Detect(string path) => path.EndsWith(".peer", StringComparison.Ordinal) && File.Exists(path) ? FormatMatch.Content : FormatMatch.None;

        public SourceModel Import(string path, ConversionOptions options, CancellationToken cancellationToken = default) =>
            new OnnxSourceModel(OnnxModelReader.Read(onnx), path, Path.GetDirectoryName(Path.GetFullPath(path))!, Name);

        public ConvertedModel Convert(SourceModel source, ConversionOptions options, CancellationToken cancellationToken = default) =>
            new(Core.Graphs.OnnxGraphImporter.FromProto(((OnnxSourceModel)source).Proto), Array.Empty<Diagnostic>(), Array.Empty<string>());
    }
}
