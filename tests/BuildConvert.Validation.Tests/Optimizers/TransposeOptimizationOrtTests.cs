using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Optimizers;
using BuildConvert.Core.Values;
using Microsoft.ML.OnnxRuntime;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Validation.Tests.Optimizers;

/// <summary>
/// A small CNN laid out the way a TensorFlow (NHWC) conversion emits it (a Transpose pair around every Conv and
/// MaxPool) keeps its outputs through <see cref="GraphOptimizer"/> (compared with ONNX Runtime on the unoptimized
/// model) and ends with at most one Transpose at its input and one at its output.
/// </summary>
[TestClass]
public sealed class TransposeOptimizationOrtTests
{
    private static readonly long[] ToNchw = { 0, 3, 1, 2 };
    private static readonly long[] ToNhwc = { 0, 2, 3, 1 };

    private static TensorData Random(Random rng, params long[] dims)
    {
        var n = (int)dims.Aggregate(1L, (a, b) => a * b);
        return TensorData.FromFloats(Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray(), dims);
    }

    private static Model NhwcCnn()
    {
        var rng = new Random(3);
        var model = new Model(13, 8);
        var g = model.Graph;
        var b = new OpBuilder(g);
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 1, 6, 6, 3));
        Value Transpose(Value v, long[] perm) => b.Op("Transpose", new[] { v }, NodeAttribute.Of("perm", perm));
        Value Conv(Value nhwc, TensorData w, long pad) =>
            Transpose(b.Op("Conv", new[] { Transpose(nhwc, ToNchw), b.Const(w, "w") }, NodeAttribute.Of("pads", new[] { pad, pad, pad, pad })), ToNhwc);

        var c1 = Conv(x, Random(rng, 4, 3, 3, 3), 1);
        var r1 = b.Op("Relu", b.Op("Add", c1, b.Const(Random(rng, 4), "bias")));
        var c2 = Conv(r1, Random(rng, 4, 4, 1, 1), 0);
        var sum = b.Op("Add", r1, c2);
        var pooled = Transpose(b.Op("MaxPool", new[] { Transpose(sum, ToNchw) },
            NodeAttribute.Of("kernel_shape", new long[] { 2, 2 }), NodeAttribute.Of("strides", new long[] { 2, 2 })), ToNhwc);
        var y = b.Op("Mul", pooled, b.Const(TensorData.FromFloats(new[] { 2f }), "scale"));
        g.Rename(y, "y");
        y.Type = OnnxType.Tensor(DataType.Float, 1, 3, 3, 4);
        g.Outputs.Add(y);
        var mean = b.Op("ReduceMean", new[] { sum }, NodeAttribute.Of("axes", new long[] { 1, 2 }), NodeAttribute.Of("keepdims", 0L));
        g.Rename(mean, "features");
        mean.Type = OnnxType.Tensor(DataType.Float, 1, 4);
        g.Outputs.Add(mean);
        return model;
    }

    private static float[][] Run(Model model, TensorData input)
    {
        var bytes = OnnxModelWriter.ToBytes(OnnxGraphExporter.ToProto(model));
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(bytes, options);
        using var feed = OrtValueBridge.ToOrtValue(input.ToTensorValue("x"));
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, new[] { "x" }, new[] { feed }, new[] { "y", "features" });
        return results.Select(r => ((TensorValue)OrtValueBridge.FromOrtValue("o", r)).Data.ToArray())
            .Select(d => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(d).ToArray()).ToArray();
    }

    [TestMethod]
    public void AnNhwcCnnKeepsOneTransposeAtTheInputAndAtTheOutput()
    {
        var input = Random(new Random(11), 1, 6, 6, 3);
        var original = NhwcCnn();
        var expected = Run(original, input);
        Assert.AreEqual(6, original.AllNodes().Count(n => n.OpType == "Transpose"));

        var optimized = NhwcCnn();
        GraphOptimizer.Optimize(optimized);
        var g = optimized.Graph;
        var transposes = g.Nodes.Where(n => n.OpType == "Transpose").ToArray();
        Assert.IsLessThanOrEqualTo(2, transposes.Length, string.Join(", ", g.Nodes.Select(n => n.OpType)));
        Assert.IsTrue(transposes.All(t => t.Inputs[0]!.IsGraphInput || t.Outputs[0]!.Uses.All(u => u.Node.Outputs.Any(o => o!.IsGraphOutput)) || t.Outputs[0]!.IsGraphOutput),
            "the Transposes left sit at the input or next to an output");
        CollectionAssert.AreEqual(new[] { "y", "features" }, g.Outputs.Select(o => o.Name).ToArray());

        var actual = Run(optimized, input);
        for (var k = 0; k < expected.Length; k++)
        {
            Assert.HasCount(expected[k].Length, actual[k]);
            for (var i = 0; i < expected[k].Length; i++)
            {
                Assert.AreEqual(expected[k][i], actual[k][i], 1e-5f, $"output {k} element {i}");
            }
        }
    }
}
