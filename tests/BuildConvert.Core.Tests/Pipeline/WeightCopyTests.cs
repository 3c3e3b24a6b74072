using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Pipeline;
using Google.Protobuf;
using TfProto = BuildConvert.Core.Formats.TensorFlow.Proto;

namespace BuildConvert.Core.Tests.Pipeline;

/// <summary>
/// Weights are not copied on the way through the pipeline: the readers leave them in the mapped source file, and the
/// graph, passes, check and write add no copy. (The bound leaves room for everything that is not a weight.)
/// </summary>
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
        Assert.IsTrue(allocated < weightBytes * 0.1, $"converting a model with {weightBytes >> 20} MiB of weights allocated {allocated >> 20} MiB");
        Assert.IsTrue(new FileInfo(output).Length > weightBytes);
    }

    [TestMethod]
    public void ConvertingAFrozenGraphDefAllocatesNoCopyOfItsConstants()
    {
        using var scratch = new ScratchFolder();
        const int weightBytes = 64 << 20;
        var blob = new byte[weightBytes];
        new Random(6).NextBytes(blob);
        for (var i = 3; i < blob.Length; i += 4)
        {
            blob[i] &= 0x3F; // finite floats
        }

        var graph = new TfProto.GraphDef();
        graph.Node.Add(TfNode("x", "Placeholder", ("dtype", new TfProto.AttrValue { Type = TfProto.DataType.DtFloat }),
            ("shape", new TfProto.AttrValue { Shape = Shape(weightBytes / 4) })));
        var tensor = new TfProto.TensorProto { Dtype = TfProto.DataType.DtFloat, TensorShape = Shape(weightBytes / 4), TensorContent = ByteString.CopyFrom(blob) };
        graph.Node.Add(TfNode("w", "Const", ("dtype", new TfProto.AttrValue { Type = TfProto.DataType.DtFloat }), ("value", new TfProto.AttrValue { Tensor = tensor })));
        graph.Node.Add(TfNode("y", "AddV2", ("T", new TfProto.AttrValue { Type = TfProto.DataType.DtFloat })).WithInputs("x", "w"));
        var input = Path.Combine(scratch.Path, "frozen.pb");
        File.WriteAllBytes(input, graph.ToByteArray());
        blob = null;
        graph = null;
        tensor = null;
        var output = Path.Combine(scratch.Path, "out.onnx");
        var pipeline = new ModelPipeline();
        var options = new ConversionOptions { Inputs = new[] { "x:0" }, Outputs = new[] { "y:0" } };

        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = pipeline.Convert(new ConvertRequest(input, output, options), null);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.IsTrue(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.AreEqual("tf-graphdef", result.Format);
        Assert.IsTrue(allocated < weightBytes * 0.1, $"converting a GraphDef with {weightBytes >> 20} MiB of constants allocated {allocated >> 20} MiB");
        Assert.IsTrue(new FileInfo(output).Length > weightBytes);
    }

    private static TfProto.TensorShapeProto Shape(params long[] dims)
    {
        var shape = new TfProto.TensorShapeProto();
        shape.Dim.AddRange(dims.Select(d => new TfProto.TensorShapeProto.Types.Dim { Size = d }));
        return shape;
    }

    private static TfProto.NodeDef TfNode(string name, string op, params (string Key, TfProto.AttrValue Value)[] attrs)
    {
        var node = new TfProto.NodeDef { Name = name, Op = op };
        foreach (var (key, value) in attrs)
        {
            node.Attr[key] = value;
        }

        return node;
    }
}

internal static class TfNodeExtensions
{
    public static BuildConvert.Core.Formats.TensorFlow.Proto.NodeDef WithInputs(this BuildConvert.Core.Formats.TensorFlow.Proto.NodeDef node, params string[] inputs)
    {
        node.Input.AddRange(inputs);
        return node;
    }
}
