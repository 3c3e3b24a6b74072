using BuildConvert.Core.Formats.Onnx.Proto;
using Google.Protobuf;

namespace BuildConvert.MSBuild.Tests.EndToEnd;

/// <summary>
/// End-to-end with TorchScript archives: <c>&lt;OnnxModel Include="model.pt" InputShapes="..." Golden="..." /&gt;</c> in
/// a real <c>dotnet build</c>, validated against PyTorch-computed goldens (tests/fixtures/torchscript) at two batch and
/// sequence sizes; a no-op rebuild converts nothing; a golden output that PyTorch did not compute fails the build with
/// BCONV4001 and keeps no output, and the next build tries again.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class TorchScriptBuildTests
{
    private static string Fixtures => Path.Combine(RepoPaths.Root, "tests", "fixtures", "torchscript");

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void TorchScriptArchives_ConvertAndValidate_AMismatchFailsTheBuildAndIsRetried()
    {
        var project = new TestProject(PackageFeed.Shared, nameof(TorchScriptArchives_ConvertAndValidate_AMismatchFailsTheBuildAndIsRetried));
        var models = Path.Combine(project.Directory, "models");
        Directory.CreateDirectory(models);
        File.Copy(Path.Combine(Fixtures, "layer_norm", "traced.pt"), Path.Combine(models, "layer_norm.pt"));
        File.Copy(Path.Combine(Fixtures, "transformer_encoder_layer", "scripted.pt"), Path.Combine(models, "encoder.pt"));
        project.CopyFolder(Path.Combine(Fixtures, "layer_norm", "traced.golden"), "golden/layer_norm");
        project.CopyFolder(Path.Combine(Fixtures, "transformer_encoder_layer", "scripted.golden"), "golden/encoder");
        project.Write("""
            <OnnxModel Include="models/layer_norm.pt" InputShapes="x:N,S,16" Golden="golden/layer_norm" />
            <OnnxModel Include="models/encoder.pt" InputShapes="src:N,S,32" Golden="golden/encoder" />
            """);

        var first = project.Build();
        Assert.IsTrue(first.Succeeded, first.ToString());
        CollectionAssert.AreEquivalent(new[] { "models/layer_norm.pt", "models/encoder.pt" }, TestProject.ConvertedItems(first).ToArray(), first.Output);
        StringAssert.Contains(first.Output, "models/layer_norm.pt: passed");
        StringAssert.Contains(first.Output, "models/encoder.pt: passed");
        var encoder = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(project.OutputFolder, "models", "encoder.onnx")));
        var dims = encoder.Graph.Input.Single().Type.TensorType.Shape.Dim;
        Assert.IsTrue(dims[0].HasDimParam && dims[1].HasDimParam && dims[2].DimValue == 32, "batch and sequence stay symbolic: " + dims);

        var second = project.Build();
        Assert.IsTrue(second.Succeeded, second.ToString());
        Assert.IsEmpty(TestProject.ConvertedItems(second), "a no-op rebuild converts nothing:\n" + second.Output);

        // Change one golden output element: the build must fail on that model, keep no output of it, and retry next time.
        var output = Path.Combine(project.Directory, "golden", "layer_norm", "test_data_set_1", "output_0.pb");
        var tensor = TensorProto.Parser.ParseFrom(File.ReadAllBytes(output));
        var bytes = tensor.RawData.ToByteArray();
        BitConverter.GetBytes(BitConverter.ToSingle(bytes, 0) + 0.5f).CopyTo(bytes, 0);
        tensor.RawData = Google.Protobuf.ByteString.CopyFrom(bytes);
        File.WriteAllBytes(output, tensor.ToByteArray());
        var third = project.Build();
        Assert.IsFalse(third.Succeeded, third.ToString());
        CollectionAssert.Contains(TestProject.Errors(third).Select(e => e.Code).ToArray(), "BCONV4001", third.Output);
        Assert.IsFalse(File.Exists(Path.Combine(project.OutputFolder, "models", "layer_norm.onnx")), "no output of the failed model is kept");
        var fourth = project.Build();
        Assert.IsFalse(fourth.Succeeded, "the failed validation is run again, not skipped:\n" + fourth.Output);
        CollectionAssert.Contains(TestProject.ConvertedItems(fourth).ToArray(), "models/layer_norm.pt", fourth.Output);
    }
}
