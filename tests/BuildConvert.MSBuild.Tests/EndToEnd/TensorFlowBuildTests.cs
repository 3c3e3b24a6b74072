using BuildConvert.Core.Formats.Npy;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Values;

namespace BuildConvert.MSBuild.Tests.EndToEnd;

/// <summary>
/// End-to-end with TensorFlow models: a frozen GraphDef (<c>.pb</c>, with Inputs/Outputs) and a SavedModel folder as
/// <c>&lt;OnnxModel&gt;</c> items in a real <c>dotnet build</c>, each validated against golden data the test writes as
/// npz from the corpus's golden.json values; then the incremental rules (a no-op rebuild converts nothing, a touched file
/// inside the SavedModel's variables folder re-converts that item only).
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class TensorFlowBuildTests
{
    private static PackageFeed? feed;

    private static PackageFeed Feed => feed ?? throw new InvalidOperationException("the package feed was not created");

    private static string TfCorpus => Path.Combine(RepoPaths.Corpora, "tensorflow");

    [ClassInitialize]
    public static void PackOnce(TestContext context) => feed = PackageFeed.Shared;

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void GraphDefAndSavedModel_ConvertAndValidate_NoOpRebuildConvertsNothing_TouchedVariablesReconvertOnlyTheSavedModel()
    {
        if (!Directory.Exists(TfCorpus))
        {
            Assert.Inconclusive($"the TensorFlow corpus is not at {TfCorpus}");
        }

        var project = new TestProject(Feed, nameof(GraphDefAndSavedModel_ConvertAndValidate_NoOpRebuildConvertsNothing_TouchedVariablesReconvertOnlyTheSavedModel));
        var models = Path.Combine(project.Directory, "models");
        Directory.CreateDirectory(models);
        File.Copy(Path.Combine(TfCorpus, "tract-plus3", "plus3.pb"), Path.Combine(models, "plus3.pb"));
        project.CopyFolder(Path.Combine(TfCorpus, "tfjs-node-times-three-float"), "models/times_three");
        File.Delete(Path.Combine(models, "times_three", "golden.json"));

        // tract-plus3/golden.json states the rule y = x + 3 (no values): inputs chosen here, outputs by the rule.
        var x = new[] { -1.5f, 0f, 2.25f, 7f, 100f, -3f };
        var plus3Golden = Path.Combine(project.Directory, "golden", "plus3");
        Directory.CreateDirectory(plus3Golden);
        NpzWriter.Write(Path.Combine(plus3Golden, "inputs.npz"), new[] { TensorValue.FromFloats("input:0", new long[] { 2, 3 }, x) });
        NpzWriter.Write(Path.Combine(plus3Golden, "outputs.npz"), new[] { TensorValue.FromFloats("output:0", new long[] { 2, 3 }, x.Select(v => v + 3).ToArray()) });

        // tfjs-node-times-three-float/golden.json: x = [1, 2, 3] -> output_0 = [3, 6, 9], beside the folder as times_three.golden.
        var timesGolden = Path.Combine(models, "times_three.golden");
        Directory.CreateDirectory(timesGolden);
        NpzWriter.Write(Path.Combine(timesGolden, "inputs.npz"), new[] { TensorValue.FromFloats("x", new long[] { 3 }, new[] { 1f, 2f, 3f }) });
        NpzWriter.Write(Path.Combine(timesGolden, "outputs.npz"), new[] { TensorValue.FromFloats("output_0", new long[] { 3 }, new[] { 3f, 6f, 9f }) });

        // plus3's Placeholder has no shape, so the item gives its rank (BCONV2104 otherwise). times_three's signature
        // declares x a scalar while its upstream test (and golden.json) feeds a vector: the item says so (BCONV4005 otherwise).
        project.Write("""
            <OnnxModel Include="models/plus3.pb" Inputs="input:0" Outputs="output:0" InputShapes="input:0:N,3" Golden="golden/plus3" />
            <OnnxModel Include="models/times_three" InputShapes="x:N" />
            """);

        var first = project.Build();
        var request = Path.Combine(project.IntermediateFolder, "request.json");
        Assert.IsTrue(first.Succeeded, first + (File.Exists(request) ? "\nrequest.json:\n" + File.ReadAllText(request) : ""));
        CollectionAssert.AreEquivalent(new[] { "models/plus3.pb", "models/times_three" }, TestProject.ConvertedItems(first).ToArray(), first.Output);
        StringAssert.Contains(first.Output, "models/plus3.pb: passed");
        StringAssert.Contains(first.Output, "models/times_three: passed");
        var plus3 = Path.Combine(project.OutputFolder, "models", "plus3.onnx");
        var times = Path.Combine(project.OutputFolder, "models", "times_three.onnx");
        AssertIsOnnxModel(plus3, "Add");
        AssertIsOnnxModel(times, "Mul");
        var plus3Intermediate = Path.Combine(project.IntermediateFolder, "models", "plus3.onnx");
        var timesIntermediate = Path.Combine(project.IntermediateFolder, "models", "times_three.onnx");
        var written = (File.GetLastWriteTimeUtc(plus3Intermediate), File.GetLastWriteTimeUtc(timesIntermediate));

        var second = project.Build();
        Assert.IsTrue(second.Succeeded, second.ToString());
        Assert.IsEmpty(TestProject.ConvertedItems(second), "a no-op rebuild converts nothing:\n" + second.Output);
        StringAssert.Contains(second.Output, "BuildConvert: all 2 model(s) are up to date.");
        Assert.AreEqual(written, (File.GetLastWriteTimeUtc(plus3Intermediate), File.GetLastWriteTimeUtc(timesIntermediate)), "nothing was rewritten");

        File.SetLastWriteTimeUtc(Path.Combine(models, "times_three", "variables", "variables.index"), DateTime.UtcNow.AddSeconds(5));
        var third = project.Build();
        Assert.IsTrue(third.Succeeded, third.ToString());
        CollectionAssert.AreEqual(new[] { "models/times_three" }, TestProject.ConvertedItems(third).ToArray(), "a touched variables file re-converts its SavedModel only:\n" + third.Output);
        Assert.AreEqual(written.Item1, File.GetLastWriteTimeUtc(plus3Intermediate), "the GraphDef was not converted again");
    }

    private static void AssertIsOnnxModel(string path, string op)
    {
        Assert.IsTrue(File.Exists(path), path + " was not produced");
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.IsTrue(model.Graph.Node.Any(n => n.OpType == op), $"{path} has no {op} node");
    }
}
