using System.Runtime.InteropServices;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Values;
using BuildConvert.Validation.Tests.TestModels;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Validation.Tests;

[TestClass]
public sealed class GoldenGeneratorTests
{
    private string folder = null!;

    [TestInitialize]
    public void Create() => folder = TestPaths.NewTempFolder();

    [TestCleanup]
    public void Delete() => Directory.Delete(folder, recursive: true);

    private static float[] Floats(DataValue v) => MemoryMarshal.Cast<byte, float>(((TensorValue)v).Data.Span).ToArray();

    [TestMethod]
    public void DynamicDimensionsGetTwoDataSetsAndOutputsAreComputed()
    {
        var model = OnnxModels.WriteToTemp(OnnxModels.DoubleAndSquare(), folder);
        var sets = new GoldenGenerator().Generate(model, new GoldenGenerationOptions { Seed = 5 });

        Assert.HasCount(2, sets);
        Assert.AreEqual("test_data_set_0", sets[0].Name);
        CollectionAssert.AreEqual(new long[] { 1, 2 }, ((TensorValue)sets[0].Inputs[0]).Shape);
        CollectionAssert.AreEqual(new long[] { 3, 2 }, ((TensorValue)sets[1].Inputs[0]).Shape);
        foreach (var set in sets)
        {
            var x = Floats(set.Inputs[0]);
            Assert.IsTrue(x.All(v => v >= -1 && v < 1));
            Assert.AreEqual("y", set.Outputs[0].Name);
            Assert.AreEqual("z", set.Outputs[1].Name);
            CollectionAssert.AreEqual(x.Select(v => v + v).ToArray(), Floats(set.Outputs[0]));
            CollectionAssert.AreEqual(x.Select(v => v * v).ToArray(), Floats(set.Outputs[1]));
        }
    }

    [TestMethod]
    public void TheSeedMakesDataReproducible()
    {
        var model = OnnxModels.WriteToTemp(OnnxModels.DoubleAndSquare(), folder);
        var generator = new GoldenGenerator();
        var a = generator.Generate(model, new GoldenGenerationOptions { Seed = 1 });
        var b = generator.Generate(model, new GoldenGenerationOptions { Seed = 1 });
        var c = generator.Generate(model, new GoldenGenerationOptions { Seed = 2 });
        CollectionAssert.AreEqual(Floats(a[1].Inputs[0]), Floats(b[1].Inputs[0]));
        CollectionAssert.AreNotEqual(Floats(a[1].Inputs[0]), Floats(c[1].Inputs[0]));
    }

    [TestMethod]
    public void InputShapesFixOrKeepDynamicDimensions()
    {
        var model = OnnxModels.WriteToTemp(OnnxModels.DoubleAndSquare(), folder);
        var fixedN = new GoldenGenerator().Generate(model, new GoldenGenerationOptions { InputShapes = InputShapeSpec.ParseList("x:4,2") });
        Assert.HasCount(1, fixedN);
        CollectionAssert.AreEqual(new long[] { 4, 2 }, ((TensorValue)fixedN[0].Inputs[0]).Shape);

        var sizes = new GoldenGenerator().Generate(model, new GoldenGenerationOptions { InputShapes = InputShapeSpec.ParseList("0:N,2"), DynamicSizes = [2, 5] });
        CollectionAssert.AreEqual(new long[] { 2, 2 }, ((TensorValue)sizes[0].Inputs[0]).Shape);
        CollectionAssert.AreEqual(new long[] { 5, 2 }, ((TensorValue)sizes[1].Inputs[0]).Shape);
    }

    [TestMethod]
    public void BadInputShapesAreCodedErrors()
    {
        var model = OnnxModels.WriteToTemp(OnnxModels.DoubleAndSquare(), folder);
        var unknown = Assert.ThrowsExactly<BuildConvertException>(() =>
            new GoldenGenerator().Generate(model, new GoldenGenerationOptions { InputShapes = InputShapeSpec.ParseList("nope:1,2") }));
        Assert.AreEqual(DiagnosticCodes.GoldenGenerationFailed.Code, unknown.Code);
        StringAssert.Contains(unknown.Message, "nope");

        var rank = Assert.ThrowsExactly<BuildConvertException>(() =>
            new GoldenGenerator().Generate(model, new GoldenGenerationOptions { InputShapes = InputShapeSpec.ParseList("x:1,2,3") }));
        Assert.AreEqual(DiagnosticCodes.GoldenGenerationFailed.Code, rank.Code);

        // x is declared [N, 2]: a shape that contradicts the fixed dimension is refused before ONNX Runtime runs.
        var contradiction = Assert.ThrowsExactly<BuildConvertException>(() =>
            new GoldenGenerator().Generate(model, new GoldenGenerationOptions { InputShapes = InputShapeSpec.ParseList("x:4,3") }));
        Assert.AreEqual(DiagnosticCodes.GoldenGenerationFailed.Code, contradiction.Code);
        StringAssert.Contains(contradiction.Message, "dimension 1 of input 'x' as 3, but the model fixes it at 2");
    }

    [TestMethod]
    public void GivenInputsAreUsed()
    {
        var model = OnnxModels.WriteToTemp(OnnxModels.DoubleAndSquare(), folder);
        var x = TensorValue.FromFloats("", [2, 2], [1, 2, 3, 4]);
        var sets = new GoldenGenerator().Generate(model, new GoldenGenerationOptions { Inputs = [[x]] });
        Assert.HasCount(1, sets);
        Assert.AreEqual("x", sets[0].Inputs[0].Name);
        CollectionAssert.AreEqual(new float[] { 2, 4, 6, 8 }, Floats(sets[0].Outputs[0]));
        CollectionAssert.AreEqual(new float[] { 1, 4, 9, 16 }, Floats(sets[0].Outputs[1]));
    }

    [TestMethod]
    public void IntegerAndBoolInputsAreSmallAndValid()
    {
        var model = OnnxModels.WriteToTemp(OnnxModels.SingleNode("Not", [("b", OnnxModels.Tensor(DataType.Bool, 3, 3))], [("nb", OnnxModels.Tensor(DataType.Bool, 3, 3))]), folder);
        var set = new GoldenGenerator().Generate(model, new GoldenGenerationOptions())[0];
        var b = ((TensorValue)set.Inputs[0]).Data.ToArray();
        var nb = ((TensorValue)set.Outputs[0]).Data.ToArray();
        Assert.IsTrue(b.All(v => v <= 1));
        CollectionAssert.AreEqual(b.Select(v => (byte)(1 - v)).ToArray(), nb);
    }

    [TestMethod]
    public void WrittenGoldenDataReadsBackAndValidates()
    {
        var model = OnnxModels.WriteToTemp(OnnxModels.DoubleAndSquare(), folder);
        var golden = Path.Combine(folder, "golden");
        var written = new GoldenGenerator().GenerateTo(model, golden, new GoldenGenerationOptions { Seed = 3 });
        Assert.IsTrue(File.Exists(Path.Combine(golden, "test_data_set_1", "output_1.pb")));

        var read = GoldenData.Load(golden, null);
        Assert.HasCount(2, read);
        CollectionAssert.AreEqual(Floats(written[1].Outputs[1]), Floats(read[1].Outputs[1]));

        var report = new OrtModelValidator().Validate(model, golden, ToleranceSet.Default);
        Assert.IsTrue(report.Passed, string.Join("\n", report.Diagnostics));
        Assert.HasCount(2, report.DataSets);
    }

    [TestMethod]
    public void UnsupportedInputTypesAreCodedErrors()
    {
        var model = OnnxModels.WriteToTemp(OnnxModels.Identity(OnnxModels.Tensor(DataType.Float8E4M3Fn, 2)), folder);
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => new GoldenGenerator().Generate(model, new GoldenGenerationOptions()));
        Assert.AreEqual(DiagnosticCodes.UnsupportedRuntimeType.Code, ex.Code);
    }

    [TestMethod]
    public void CorpusInputsRegenerateTheCorpusOutputs()
    {
        foreach (var name in new[] { "test_optional_has_element_empty_optional_input", "test_sequence_insert_at_back", "test_add_bcast", "test_string_concat_utf8" })
        {
            var dir = Path.Combine(TestPaths.OnnxBackendCorpus, "node", name);
            var modelPath = Path.Combine(dir, "model.onnx");
            var corpus = GoldenData.Load(dir, Core.Formats.Onnx.OnnxModelReader.Read(modelPath));
            var regenerated = Path.Combine(folder, name);
            new GoldenGenerator().GenerateTo(modelPath, regenerated, new GoldenGenerationOptions { Inputs = corpus.Select(d => d.Inputs).ToArray() });
            var report = new OrtModelValidator().Validate(modelPath, regenerated, new ToleranceSet(new Tolerance(0, 0), new Dictionary<string, Tolerance>()));
            Assert.IsTrue(report.Passed, name + ": " + string.Join("\n", report.Diagnostics));
            var againstCorpus = new OrtModelValidator().Validate(modelPath, dir, new ToleranceSet(new Tolerance(1e-3, 1e-7), new Dictionary<string, Tolerance>()));
            Assert.IsTrue(againstCorpus.Passed, name);
        }
    }
}
