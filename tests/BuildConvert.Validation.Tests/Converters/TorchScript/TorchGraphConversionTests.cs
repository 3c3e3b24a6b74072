using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Validation.Tests.Converters.TorchScript;

/// <summary>
/// Multi-node TorchScript graphs through <see cref="TorchModelConverter"/> and ONNX Runtime: prim::If and prim::Loop as
/// ONNX If/Loop (blocks reading outer values, carried tensors and ints), shape arithmetic on a dynamic batch dimension
/// (aten::size results as int64 values, run at two batch sizes), in-place forms, and the coded refusals. Expected values
/// are the ops' definitions computed here on the same inputs.
/// </summary>
[TestClass]
public sealed class TorchGraphConversionTests
{
    private static TensorValue Floats(string name, long[] shape, Func<int, float> f) =>
        TensorValue.FromFloats(name, shape, Enumerable.Range(0, (int)shape.Aggregate(1L, (a, d) => a * d)).Select(f).ToArray());

    private static TensorValue Int(string name, long value) => TensorData.FromInt64s(new[] { value }, Array.Empty<long>()).ToTensorValue(name);

    private static TensorValue Bool(string name, bool value) => TensorData.Scalar(DataType.Bool, value ? 1 : 0).ToTensorValue(name);

    private static float[] Values(TensorValue t) => Enumerable.Range(0, (int)t.ElementCount).Select(i => (float)t.GetDouble(i)).ToArray();

    [TestMethod]
    [DataRow(13)]
    [DataRow(17)]
    [DataRow(21)]
    public void IfWithARuntimeConditionBecomesOnnxIf(int opset)
    {
        // y = x + 1 if flag else x * w (w a constant the else block reads from the outer scope); also an int result.
        var g = new TorchTestGraph();
        var x = g.Input("x", DataType.Float, 2, 3);
        var flag = g.ScalarInput("flag", TorchType.Bool);
        var w = g.Tensor(TensorData.FromFloats(new float[] { 2, 3, 4 }, new long[] { 3 }), "w");
        var thenBlock = g.Block(Array.Empty<TorchValue>(), () => new[] { g.Op("aten::add", x, g.Const(1L), g.Const(1L)), g.Const(7L) });
        var elseBlock = g.Block(Array.Empty<TorchValue>(), () => new[] { g.Op("aten::mul", x, w), g.Op("aten::size", TorchType.Int, x, g.Const(1L)) });
        var results = g.Node("prim::If", new[] { TorchType.Tensor, TorchType.Int }, new[] { flag }, new[] { thenBlock, elseBlock });
        var model = TorchOnnxRunner.Convert(g.Build(results), opset);
        Assert.IsTrue(model.Graph.Nodes.Any(n => n.OpType == "If"), "an ONNX If");
        var input = Floats("x", new long[] { 2, 3 }, i => i - 2.5f);
        foreach (var taken in new[] { true, false })
        {
            var output = TorchOnnxRunner.Run(model, new[] { input, Bool("flag", taken) });
            var expected = Values(input).Select((v, i) => taken ? v + 1 : v * new float[] { 2, 3, 4 }[i % 3]).ToArray();
            CollectionAssert.AreEqual(expected, Values(output[0]), $"flag={taken}");
            Assert.AreEqual(taken ? 7.0 : 3.0, output[1].GetDouble(0));
            Assert.AreEqual(DataType.Int64, output[1].ElementType);
        }
    }

    [TestMethod]
    public void AConstantConditionInlinesTheTakenBlock()
    {
        var g = new TorchTestGraph();
        var x = g.Input("x", DataType.Float, 3);
        var thenBlock = g.Block(Array.Empty<TorchValue>(), () => new[] { g.Op("aten::neg", x) });
        var elseBlock = g.Block(Array.Empty<TorchValue>(), () => new[] { g.Op("aten::unknown_op_never_converted", x) });
        var y = g.Node("prim::If", new[] { TorchType.Tensor }, new[] { g.Const(true) }, new[] { thenBlock, elseBlock })[0];
        // The unsupported op sits in the block not taken, yet the whole graph is checked first: it is reported.
        var e = Assert.Throws<BuildConvertException>(() => TorchModelConverter.Convert(g.Build(y), null, null));
        Assert.AreEqual("BCONV2001", e.Diagnostics[0].Code);

        var h = new TorchTestGraph();
        var hx = h.Input("x", DataType.Float, 3);
        var a = h.Block(Array.Empty<TorchValue>(), () => new[] { h.Op("aten::neg", hx) });
        var b = h.Block(Array.Empty<TorchValue>(), () => new[] { h.Op("aten::exp", hx) });
        var hy = h.Node("prim::If", new[] { TorchType.Tensor }, new[] { h.Const(false) }, new[] { a, b })[0];
        var model = TorchOnnxRunner.Convert(h.Build(hy));
        Assert.IsFalse(model.Graph.Nodes.Any(n => n.OpType == "If"));
        var output = TorchOnnxRunner.Run(model, new[] { Floats("x", new long[] { 3 }, i => i) });
        CollectionAssert.AreEqual(new[] { 1f, MathF.Exp(1), MathF.Exp(2) }, Values(output[0]));
    }

    [TestMethod]
    public void ABranchThatRaisesIsDropped()
    {
        var g = new TorchTestGraph();
        var x = g.Input("x", DataType.Float, 2);
        var flag = g.ScalarInput("flag", TorchType.Bool);
        var raise = g.Block(Array.Empty<TorchValue>(), () =>
        {
            g.Node("prim::RaiseException", Array.Empty<TorchType>(), new[] { g.Const("ValueError: bad input"), g.None() });
            return new[] { g.Op("prim::Uninitialized") };
        });
        var ok = g.Block(Array.Empty<TorchValue>(), () => new[] { g.Op("aten::relu", x) });
        var y = g.Node("prim::If", new[] { TorchType.Tensor }, new[] { flag }, new[] { raise, ok })[0];
        var model = TorchOnnxRunner.Convert(g.Build(y));
        var output = TorchOnnxRunner.Run(model, new[] { Floats("x", new long[] { 2 }, i => i - 1), Bool("flag", false) });
        CollectionAssert.AreEqual(new[] { 0f, 0f }, Values(output[0]));
    }

    [TestMethod]
    [DataRow(13)]
    [DataRow(21)]
    public void ForLoopCarriesATensorAndAnInt(int opset)
    {
        // for i in range(n): x = x * 2 + i; total += i   (n a graph input; the body reads the outer constant 2)
        var g = new TorchTestGraph();
        var x = g.Input("x", DataType.Float, 2, 2);
        var n = g.ScalarInput("n", TorchType.Int);
        var i = g.Value(TorchType.Int, "i");
        var xc = g.Value(TorchType.Tensor, "x_carried");
        var total = g.Value(TorchType.Int, "total_carried");
        var body = g.Block(new[] { i, xc, total }, () =>
        {
            var doubled = g.Op("aten::mul", xc, g.Const(2L));
            var next = g.Op("aten::add", doubled, g.Op("prim::NumToTensor", i), g.Const(1L));
            var sum = g.Op("aten::add", TorchType.Int, total, i);
            return new[] { g.Const(true), next, sum };
        });
        var results = g.Node("prim::Loop", new[] { TorchType.Tensor, TorchType.Int }, new[] { n, g.Const(true), x, g.Const(0L) }, new[] { body });
        var model = TorchOnnxRunner.Convert(g.Build(results), opset);
        Assert.IsTrue(model.Graph.Nodes.Any(node => node.OpType == "Loop"));
        foreach (var trips in new[] { 0L, 1L, 4L })
        {
            var input = Floats("x", new long[] { 2, 2 }, k => k * 0.5f);
            var output = TorchOnnxRunner.Run(model, new[] { input, Int("n", trips) });
            var expected = Values(input);
            for (var k = 0; k < trips; k++)
            {
                expected = expected.Select(v => (v * 2) + k).ToArray();
            }

            CollectionAssert.AreEqual(expected, Values(output[0]), $"n={trips}");
            Assert.AreEqual(trips * (trips - 1) / 2, (long)output[1].GetDouble(0));
        }
    }

    [TestMethod]
    public void WhileLoopStopsOnItsCondition()
    {
        // while x.sum() < 100: x = x * 3   (trip count 2^63-1, the condition computed in the body)
        var g = new TorchTestGraph();
        var x = g.Input("x", DataType.Float, 3);
        var i = g.Value(TorchType.Int);
        var xc = g.Value(TorchType.Tensor);
        var first = g.Op("aten::Bool", TorchType.Bool, g.Op("aten::lt", g.Op("aten::sum", x, g.None()), g.Const(100L)));
        var body = g.Block(new[] { i, xc }, () =>
        {
            var next = g.Op("aten::mul", xc, g.Const(3L));
            var go = g.Op("aten::Bool", TorchType.Bool, g.Op("aten::lt", g.Op("aten::sum", next, g.None()), g.Const(100L)));
            return new[] { go, next };
        });
        var y = g.Node("prim::Loop", new[] { TorchType.Tensor }, new[] { g.Const(long.MaxValue), first, x }, new[] { body })[0];
        var model = TorchOnnxRunner.Convert(g.Build(y));
        var output = TorchOnnxRunner.Run(model, new[] { Floats("x", new long[] { 3 }, k => k + 1) });
        CollectionAssert.AreEqual(new[] { 27f, 54f, 81f }, Values(output[0]));
    }

    [TestMethod]
    public void SizesOfADynamicBatchAreRuntimeInts()
    {
        // n = x.size(0); y = x.view(n, -1) * n; flat = x.flatten(1) ; numel = x.numel()
        var g = new TorchTestGraph();
        var x = g.Input("x", DataType.Float, new[] { Dim.Sym("N"), Dim.Of(3), Dim.Of(4) });
        var n = g.Op("aten::size", TorchType.Int, x, g.Const(0L));
        var view = g.Op("aten::view", x, g.List(TorchType.Int, n, g.Const(-1L)));
        var scaled = g.Op("aten::mul", view, g.Op("prim::NumToTensor", n));
        var numel = g.Op("aten::numel", TorchType.Int, x);
        var half = g.Op("aten::floordiv", TorchType.Int, numel, g.Const(-5L));
        var model = TorchOnnxRunner.Convert(g.Build(scaled, half));
        foreach (var batch in new[] { 2L, 5L })
        {
            var input = Floats("x", new long[] { batch, 3, 4 }, k => k);
            var output = TorchOnnxRunner.Run(model, new[] { input });
            CollectionAssert.AreEqual(new[] { batch, 12L }, output[0].Shape);
            CollectionAssert.AreEqual(Values(input).Select(v => v * batch).ToArray(), Values(output[0]));
            Assert.AreEqual((long)Math.Floor(batch * 12 / -5.0), (long)output[1].GetDouble(0), "Python floor division of a negative divisor");
        }
    }

    [TestMethod]
    public void InPlaceFormsKeepSelfsDtype()
    {
        // x (float32) .add_(y int64) stays float32; relu_ is relu: [-2.5, -1.5, -0.5] + [1, -4, 2] -> [0, 0, 1.5].
        var g = new TorchTestGraph();
        var x = g.Input("x", DataType.Float, 3);
        var y = g.Input("y", DataType.Int64, 3);
        var z = g.Op("aten::add_", x, y, g.Const(1L));
        var r = g.Op("aten::relu_", z);
        var model = TorchOnnxRunner.Convert(g.Build(r));
        var output = TorchOnnxRunner.Run(model, new[]
        {
            Floats("x", new long[] { 3 }, k => k - 2.5f), TensorData.FromInt64s(new long[] { 1, -4, 2 }).ToTensorValue("y"),
        });
        Assert.AreEqual(DataType.Float, output[0].ElementType);
        CollectionAssert.AreEqual(new[] { 0f, 0f, 1.5f }, Values(output[0]));
    }

    [TestMethod]
    public void WeightsBecomeNamedInitializersOnce()
    {
        var g = new TorchTestGraph();
        var x = g.Input("x", DataType.Float, 2, 4);
        var w = g.Tensor(TensorData.FromFloats(Enumerable.Range(0, 12).Select(i => i * 0.1f).ToArray(), new long[] { 3, 4 }), "self.fc.weight");
        var a = g.Op("aten::linear", x, w, g.None());
        var b = g.Op("aten::linear", g.Op("aten::neg", x), w, g.None());
        var model = TorchOnnxRunner.Convert(g.Build(a, b));
        Assert.AreEqual(1, model.Graph.Initializers.Count(i => i.Name.StartsWith("self.fc.weight", StringComparison.Ordinal)),
            string.Join(", ", model.Graph.Initializers.Select(i => i.Name)));
    }

    [TestMethod]
    public void DropoutInTrainingModeIsRefused()
    {
        var g = new TorchTestGraph();
        var x = g.Input("x", DataType.Float, 3);
        var y = g.Op("aten::dropout", x, g.Const(0.5), g.Const(true));
        var e = Assert.Throws<BuildConvertException>(() => TorchModelConverter.Convert(g.Build(y), null, "model.pt"));
        Assert.AreEqual("BCONV2202", e.Diagnostics[0].Code);
        Assert.AreEqual("model.pt", e.Diagnostics[0].File);
    }

    [TestMethod]
    public void ComplexDtypesAreRefused()
    {
        var g = new TorchTestGraph();
        var x = g.Input("x", DataType.Float, 3);
        var y = g.Op("aten::to", x, g.Const(9L), g.Const(false), g.Const(false), g.None());
        var e = Assert.Throws<BuildConvertException>(() => TorchModelConverter.Convert(g.Build(y), null, null));
        Assert.AreEqual("BCONV2201", e.Diagnostics[0].Code);
        StringAssert.Contains(e.Diagnostics[0].Message, "complex64");
    }

    [TestMethod]
    public void AdaptiveMaxIndicesOfOverlappingBinsAreRefused()
    {
        var g = new TorchTestGraph();
        var x = g.Input("x", DataType.Float, 1, 2, 7, 6);
        var r = g.Node("aten::adaptive_max_pool2d", new[] { TorchType.Tensor, TorchType.Tensor }, new[] { x, g.Ints(3, 4) });
        var e = Assert.Throws<BuildConvertException>(() => TorchModelConverter.Convert(g.Build(r), null, null));
        Assert.AreEqual("BCONV2205", e.Diagnostics[0].Code);
    }
    /// <summary>_native_multi_head_attention (embed 4, 2 heads) on x [2, 3, 4] with <paramref name="mask"/> and <paramref name="maskType"/>.</summary>
    private static TorchGraph FusedAttention(Func<TorchTestGraph, TorchValue> mask, long? maskType = null, bool encoderLayer = false)
    {
        var g = new TorchTestGraph();
        var x = g.Input("x", DataType.Float, 2, 3, 4);
        TorchValue W(params long[] shape) => g.Tensor(TensorData.FromFloats(new float[shape.Aggregate(1L, (a, d) => a * d)], shape));
        var m = mask(g);
        var t = maskType is { } type ? g.Const(type) : g.None();
        if (encoderLayer)
        {
            var y = g.Op("aten::_transformer_encoder_layer_fwd", x, g.Const(4L), g.Const(2L), W(12, 4), W(12), W(4, 4), W(4), g.Const(false), g.Const(true),
                g.Const(1e-5), W(4), W(4), W(4), W(4), W(8, 4), W(8), W(4, 8), W(4), m, t);
            return g.Build(y);
        }

        var r = g.Node("aten::_native_multi_head_attention", new[] { TorchType.Tensor, TorchType.Tensor },
            new[] { x, x, x, g.Const(4L), g.Const(2L), W(12, 4), W(12), W(4, 4), W(4), m, g.Const(true), g.Const(true), t });
        return g.Build(r);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void FusedAttentionSrcMaskIsRefused(bool encoderLayer)
    {
        // mask_type 0 (an [L, S] src_mask): PyTorch 1.13's CPU kernel rejects it, so there is no reference to convert it to.
        var graph = FusedAttention(g => g.Input("mask", DataType.Bool, 3, 3), 0L, encoderLayer);
        var e = Assert.Throws<BuildConvertException>(() => TorchModelConverter.Convert(graph, null, null));
        Assert.AreEqual("BCONV2205", e.Diagnostics[0].Code);
        StringAssert.Contains(e.Diagnostics[0].Message, "mask_type 0");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void FusedAttentionMaskWithoutMaskTypeIsInvalid(bool encoderLayer)
    {
        var graph = FusedAttention(g => g.Input("mask", DataType.Bool, 2, 3), null, encoderLayer);
        var e = Assert.Throws<BuildConvertException>(() => TorchModelConverter.Convert(graph, null, null));
        Assert.AreEqual("BCONV2200", e.Diagnostics[0].Code);
        StringAssert.Contains(e.Diagnostics[0].Message, "Mask Type should be defined");
    }

    [TestMethod]
    [DataRow(3L, 3L)]
    [DataRow(2L, 4L)]
    public void FusedAttentionMaskOfAnotherShapeIsInvalid(long rows, long columns)
    {
        // A [L, S] mask where L != B, or a [B, S'] mask with S' != S: PyTorch raises; so does the converter.
        var graph = FusedAttention(g => g.Input("mask", DataType.Bool, rows, columns), 1L);
        var e = Assert.Throws<BuildConvertException>(() => TorchModelConverter.Convert(graph, null, null));
        Assert.AreEqual("BCONV2200", e.Diagnostics[0].Code);
    }
}
