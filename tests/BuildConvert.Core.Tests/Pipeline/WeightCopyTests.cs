using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Pipeline;
using Google.Protobuf;

namespace BuildConvert.Core.Tests.Pipeline;

/// <summary>Weights are held once on the way through the pipeline: read, graph, passes, check and write add no copy.</summary>
[TestClass]
[DoNotParallelize]
public sealed class WeightCopyTests
{
    [TestMethod]
    public void ConvertingAllocatesAboutOneCopyOfTheWeights()
    {
        using var scratch = new ScratchFolder();
        const int weightBytes = 64 << 20;
        var model = PipelineTestFiles.AddRelu();
        var rng = new Random(5);
        var blob = new byte[weightBytes];
        rng.NextBytes(blob);
        var w = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(blob) };
        w.Dims.Add(weightBytes / 4);
        model.Graph.Initializer.Add(w);
        var input = PipelineTestFiles.Write(model, scratch.Path, "big.onnx");
        blob = null;
        w = null;
        model = null;
        var output = Path.Combine(scratch.Path, "out.onnx");
        var pipeline = new ModelPipeline();

        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = pipeline.Convert(new ConvertRequest(input, output, new ConversionOptions()), null);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.IsTrue(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.IsTrue(allocated < weightBytes * 1.3, $"converting a model with {weightBytes >> 20} MiB of weights allocated {allocated >> 20} MiB");
        Assert.IsTrue(new FileInfo(output).Length > weightBytes);
    }
}
