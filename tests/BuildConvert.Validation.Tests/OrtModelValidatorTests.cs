using System.Runtime.InteropServices;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Values;
using BuildConvert.Validation.Tests.TestModels;
using Google.Protobuf;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Validation.Tests;

[TestClass]
public sealed class OrtModelValidatorTests
{
    private string folder = null!;
    private string model = null!;
    private string golden = null!;
    private IReadOnlyList<GoldenDataSet> sets = null!;

    [TestInitialize]
    public void Create()
    {
        folder = TestPaths.NewTempFolder();
        model = OnnxModels.WriteToTemp(OnnxModels.DoubleAndSquare(), folder);
        golden = Path.Combine(folder, "golden");
        sets = new GoldenGenerator().GenerateTo(model, golden, new GoldenGenerationOptions { Seed = 11 });
    }

    [TestCleanup]
    public void Delete() => Directory.Delete(folder, recursive: true);

    private static ValidationReport Validate(string modelPath, string goldenFolder, ToleranceSet? tolerances = null) =>
        new OrtModelValidator(intraOpThreads: 1).Validate(modelPath, goldenFolder, tolerances ?? ToleranceSet.Default);

    private static float[] Floats(DataValue v) => MemoryMarshal.Cast<byte, float>(((TensorValue)v).Data.Span).ToArray();

    /// <summary>Writes a copy of the generated golden data with output 1 (z) of data set 1 replaced.</summary>
    private string WriteWithOutput(DataValue z)
    {
        var tampered = Path.Combine(folder, "tampered");
        OnnxTestLayout.Write(tampered, [sets[0], sets[1] with { Outputs = [sets[1].Outputs[0], z] }]);
        return tampered;
    }

    [TestMethod]
    public void GeneratedGoldenDataPasses()
    {
        var report = Validate(model, golden);
        Assert.IsTrue(report.Passed, string.Join("\n", report.Diagnostics));
        Assert.IsEmpty(report.Diagnostics);
        Assert.HasCount(2, report.DataSets);
        Assert.IsTrue(report.DataSets.All(d => d.Outputs.Count == 2 && d.Outputs.All(o => o.ElementCount > 0)));
        Assert.AreEqual(0, report.WorstAbsError);
    }

    [TestMethod]
    public void ATamperedOutputIsAMismatchPointingAtTheGoldenFile()
    {
        var z = Floats(sets[1].Outputs[1]);
        z[3] += 0.5f;
        var tampered = WriteWithOutput(TensorValue.FromFloats("z", [3, 2], z));

        var report = Validate(model, tampered);
        Assert.IsFalse(report.Passed);
        var d = report.Diagnostics.Single();
        Assert.AreEqual("BCONV4001", d.Code);
        Assert.AreEqual(Path.Combine(tampered, "test_data_set_1", "output_1.pb"), d.File);
        Assert.AreEqual("z", d.Location);
        StringAssert.Contains(d.Message, "output 'z'");
        StringAssert.Contains(d.Message, "1 of 6 elements");
        StringAssert.Contains(d.Message, "worst at [1,1]");
        StringAssert.Contains(d.Message, "would pass with atol=");
        var comparison = report.DataSets[1].Outputs[1];
        Assert.AreEqual(0.5, comparison.MaxAbsError, 1e-6);
        Assert.IsTrue(report.DataSets[0].Passed);

        var loose = new ToleranceSet(Tolerance.Default, new Dictionary<string, Tolerance> { ["z"] = new(0, 0.51) });
        Assert.IsTrue(Validate(model, tampered, loose).Passed);
    }

    [TestMethod]
    public void ShapeAndTypeMismatchesHaveTheirOwnCodes()
    {
        var shape = Validate(model, WriteWithOutput(TensorValue.FromFloats("z", [2, 3], Floats(sets[1].Outputs[1]))));
        Assert.AreEqual("BCONV4002", shape.Diagnostics.Single().Code);
        StringAssert.Contains(shape.Diagnostics[0].Message, "shape is [3,2], expected [2,3]");

        var doubles = Floats(sets[1].Outputs[1]).Select(f => (double)f).ToArray();
        var type = Validate(model, WriteWithOutput(new TensorValue("z", DataType.Double, [3, 2], MemoryMarshal.AsBytes(doubles.AsSpan()).ToArray())));
        Assert.AreEqual("BCONV4003", type.Diagnostics.Single().Code);
    }

    [TestMethod]
    public void AnExtraGoldenOutputIsMissingFromTheModel()
    {
        var extra = Path.Combine(folder, "extra");
        OnnxTestLayout.Write(extra, [sets[0] with { Outputs = [.. sets[0].Outputs, TensorValue.FromFloats("w", [1], [1])] }]);
        var report = Validate(model, extra);
        var d = report.Diagnostics.Single();
        Assert.AreEqual("BCONV4004", d.Code);
        StringAssert.EndsWith(d.File, "output_2.pb");
    }

    [TestMethod]
    public void GoldenInputsMustMatchModelInputs()
    {
        var extra = Path.Combine(folder, "extra-input");
        OnnxTestLayout.Write(extra, [sets[0] with { Inputs = [.. sets[0].Inputs, TensorValue.FromFloats("q", [1], [1])] }]);
        Assert.AreEqual("BCONV4005", Validate(model, extra).Diagnostics.Single().Code);

        var wrongType = Path.Combine(folder, "int-input");
        OnnxTestLayout.Write(wrongType, [sets[0] with { Inputs = [new TensorValue("x", DataType.Int64, [1, 2], new byte[16])] }]);
        var report = Validate(model, wrongType);
        Assert.AreEqual("BCONV4005", report.Diagnostics.Single().Code);
        StringAssert.Contains(report.Diagnostics[0].Message, "int64");

        var none = Path.Combine(folder, "no-input");
        OnnxTestLayout.Write(none, [sets[0] with { Inputs = [] }]);
        var noInput = Validate(model, none);
        Assert.AreEqual(1, noInput.Diagnostics.Count, string.Join("\n", noInput.Diagnostics));
        StringAssert.Contains(noInput.Diagnostics[0].Message, "model input 'x' has no golden value");
    }

    [TestMethod]
    public void AnOperatorOnnxRuntimeLacksIsNotImplemented()
    {
        var path = OnnxModels.WriteToTemp(OnnxModels.SingleNode("NoSuchOp", [("x", OnnxModels.Tensor(DataType.Float, 2))], [("y", OnnxModels.Tensor(DataType.Float, 2))]), Path.Combine(folder, "unknown"));
        OnnxTestLayout.Write(Path.GetDirectoryName(path)!, [new GoldenDataSet("s", [TensorValue.FromFloats("x", [2], [1, 2])], [TensorValue.FromFloats("y", [2], [1, 2])])]);
        var report = Validate(path, Path.GetDirectoryName(path)!);
        Assert.AreEqual("BCONV4007", report.Diagnostics.Single().Code);
        Assert.AreEqual(path, report.Diagnostics[0].File);
    }

    [TestMethod]
    public void AModelOnnxRuntimeRejectsIsALoadFailure()
    {
        var bad = OnnxModels.Graph([("Add", ["x", "i"], ["y"])],
            [("x", OnnxModels.Tensor(DataType.Float, 2)), ("i", OnnxModels.Tensor(DataType.Int64, 2))], [("y", OnnxModels.Tensor(DataType.Float, 2))]);
        var path = OnnxModels.WriteToTemp(bad, Path.Combine(folder, "badtypes"));
        var report = Validate(path, golden);
        Assert.AreEqual("BCONV4006", report.Diagnostics.Single().Code);
    }

    [TestMethod]
    public void ARunTimeFailureIsCoded()
    {
        var reshape = OnnxModels.Graph([("Reshape", ["x", "s"], ["y"])],
            [("x", OnnxModels.Tensor(DataType.Float, -1)), ("s", OnnxModels.Tensor(DataType.Int64, 1))], [("y", OnnxModels.Tensor(DataType.Float, -1))]);
        var path = OnnxModels.WriteToTemp(reshape, Path.Combine(folder, "reshape"));
        var data = Path.Combine(folder, "reshape", "golden");
        OnnxTestLayout.Write(data, [new GoldenDataSet("s",
            [TensorValue.FromFloats("x", [3], [1, 2, 3]), new TensorValue("s", DataType.Int64, [1], BitConverter.GetBytes(4L))],
            [TensorValue.FromFloats("y", [4], [1, 2, 3, 4])])]);
        var report = Validate(path, data);
        var d = report.Diagnostics.Single();
        Assert.AreEqual("BCONV4008", d.Code);
        StringAssert.Contains(d.Message, "test_data_set_0");
    }

    [TestMethod]
    public void UnreadableModelsAndGoldenFoldersAreDiagnosticsNotExceptions()
    {
        var corrupt = Path.Combine(folder, "corrupt.onnx");
        File.WriteAllBytes(corrupt, [0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2]);
        var report = Validate(corrupt, golden);
        Assert.IsFalse(report.Passed);
        StringAssert.StartsWith(report.Diagnostics.Single().Code, "BCONV10");

        var missing = Validate(Path.Combine(folder, "nope.onnx"), golden);
        StringAssert.StartsWith(missing.Diagnostics.Single().Code, "BCONV10");

        var noGolden = Validate(model, Path.Combine(folder, "no-such-golden"));
        Assert.AreEqual("BCONV1100", noGolden.Diagnostics.Single().Code);

        var brokenFile = Path.Combine(folder, "broken");
        OnnxTestLayout.Write(brokenFile, [sets[0]]);
        File.WriteAllBytes(Path.Combine(brokenFile, "test_data_set_0", "output_0.pb"), [0x0A, 0xFF]);
        StringAssert.StartsWith(Validate(model, brokenFile).Diagnostics.Single().Code, "BCONV11");
    }

    [TestMethod]
    public void ExternalDataOutsideTheModelFolderIsRejectedBeforeOnnxRuntimeReadsIt()
    {
        var weights = new TensorProto { Name = "w", DataType = (int)DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        weights.Dims.Add(2);
        weights.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "../../etc/passwd" });
        var graph = OnnxModels.Graph([("Add", ["x", "w"], ["y"])], [("x", OnnxModels.Tensor(DataType.Float, 2))], [("y", OnnxModels.Tensor(DataType.Float, 2))]);
        graph.Graph.Initializer.Add(weights);
        var dir = Path.Combine(folder, "escape");
        var path = OnnxModels.WriteToTemp(graph, dir);
        OnnxTestLayout.Write(dir, [new GoldenDataSet("s", [TensorValue.FromFloats("x", [2], [1, 2])], [TensorValue.FromFloats("y", [2], [1, 2])])]);
        var report = Validate(path, dir);
        Assert.IsFalse(report.Passed);
        Assert.IsEmpty(report.DataSets);
        StringAssert.StartsWith(report.Diagnostics[0].Code, "BCONV1");
        StringAssert.Contains(report.Diagnostics[0].Message, "passwd");
    }

    [TestMethod]
    public void OptionalOutputsAndSequencesFromTheCorpusPass()
    {
        foreach (var name in new[] { "test_optional_get_element_optional_sequence", "test_identity_sequence", "test_optional_has_element_empty_optional_input", "test_sequence_insert_at_back", "test_strnormalizer_nostopwords_nochangecase" })
        {
            var dir = Path.Combine(TestPaths.OnnxBackendCorpus, "node", name);
            var report = Validate(Path.Combine(dir, "model.onnx"), dir, new ToleranceSet(new Tolerance(1e-3, 1e-7), new Dictionary<string, Tolerance>()));
            Assert.IsTrue(report.Passed, name + ": " + string.Join("\n", report.Diagnostics));
            Assert.IsTrue(report.DataSets.Single().Outputs.Count > 0, name);
        }
    }

    [TestMethod]
    public void ValidatorIsSafeToUseFromSeveralThreads()
    {
        var validator = new OrtModelValidator(intraOpThreads: 1);
        var results = new bool[8];
        Parallel.For(0, results.Length, i => results[i] = validator.Validate(model, golden, ToleranceSet.Default).Passed);
        Assert.IsTrue(results.All(r => r));
    }

    [TestMethod]
    public void CancellationStopsALongRun()
    {
        // A Loop of 2^40 iterations would run for hours; the token stops it through RunOptions.Terminate.
        var body = new GraphProto { Name = "body" };
        body.Input.Add(new ValueInfoProto { Name = "i", Type = OnnxModels.Tensor(DataType.Int64) });
        body.Input.Add(new ValueInfoProto { Name = "c", Type = OnnxModels.Tensor(DataType.Bool) });
        body.Input.Add(new ValueInfoProto { Name = "v", Type = OnnxModels.Tensor(DataType.Float, 1) });
        var add = new NodeProto { OpType = "Add", Name = "add" };
        add.Input.AddRange(["v", "v"]);
        add.Output.Add("v2");
        var keep = new NodeProto { OpType = "Identity", Name = "keep" };
        keep.Input.Add("c");
        keep.Output.Add("c2");
        body.Node.AddRange([add, keep]);
        body.Output.Add(new ValueInfoProto { Name = "c2", Type = OnnxModels.Tensor(DataType.Bool) });
        body.Output.Add(new ValueInfoProto { Name = "v2", Type = OnnxModels.Tensor(DataType.Float, 1) });
        var loop = OnnxModels.Graph([("Loop", ["n", "cond", "x"], ["y"])],
            [("n", OnnxModels.Tensor(DataType.Int64)), ("cond", OnnxModels.Tensor(DataType.Bool)), ("x", OnnxModels.Tensor(DataType.Float, 1))],
            [("y", OnnxModels.Tensor(DataType.Float, 1))]);
        loop.Graph.Node[0].Attribute.Add(new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graph, G = body });
        var dir = Path.Combine(folder, "loop");
        var path = OnnxModels.WriteToTemp(loop, dir);
        OnnxTestLayout.Write(dir, [new GoldenDataSet("s",
            [new TensorValue("n", DataType.Int64, [], BitConverter.GetBytes(1L << 40)), new TensorValue("cond", DataType.Bool, [], new byte[] { 1 }), TensorValue.FromFloats("x", [1], [1])],
            [TensorValue.FromFloats("y", [1], [0])])]);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsExactly<OperationCanceledException>(() => new OrtModelValidator(1).Validate(path, dir, ToleranceSet.Default, timeout.Token));
        Assert.IsLessThan(30, clock.Elapsed.TotalSeconds);
    }
}
