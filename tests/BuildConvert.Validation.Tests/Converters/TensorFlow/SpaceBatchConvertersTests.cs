using static BuildConvert.Validation.Tests.Converters.TensorFlow.TfOracleAssert;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// One-node tests of Converters/TensorFlow/Nn/SpaceBatchConverters.cs against TensorFlow.js: SpaceToBatchND and
/// BatchToSpaceND with one and two block dimensions, trailing dimensions, constant and run-time paddings/crops, and the
/// SpaceToBatchND → Conv2D → BatchToSpaceND pattern, which must become one dilated Conv.
/// </summary>
[TestClass]
public sealed class SpaceBatchConvertersTests
{
    private static readonly TfDataType I32 = TfDataType.DtInt32;

    private static string Pairs(TfTestGraph g, string name, params long[] values) =>
        g.Const(name, I32, S(values.Length / 2, 2), values.Select(v => (double)v).ToArray());

    private static double[] Ramp(int n, double scale) => Enumerable.Range(0, n).Select(i => ((i * 7 % 11) - 5) * scale).ToArray();

    [TestMethod]
    [DataRow(new long[] { 2, 5, 6, 3 }, new long[] { 2, 3 }, new long[] { 1, 0, 0, 0 })]
    [DataRow(new long[] { 2, 4, 3, 2 }, new long[] { 2 }, new long[] { 1, 1 })]
    [DataRow(new long[] { 1, 4, 4, 1 }, new long[] { 2, 2 }, new long[] { 0, 0, 0, 0 })]
    [DataRow(new long[] { 3, 3, 5 }, new long[] { 4 }, new long[] { 2, 3 })]
    public void SpaceToBatchND(long[] shape, long[] block, long[] paddings)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, shape);
        var y = g.Op("SpaceToBatchND", new[] { x, g.Ints("block", block), Pairs(g, "paddings", paddings) }, ("T", A.T()), ("Tblock_shape", A.T(I32)), ("Tpaddings", A.T(I32)));
        Matches(g, new[] { y }, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(new long[] { 6, 2, 3, 2 }, new long[] { 2, 3 }, new long[] { 0, 1, 1, 1 })]
    [DataRow(new long[] { 4, 3, 2 }, new long[] { 2 }, new long[] { 0, 0 })]
    [DataRow(new long[] { 8, 2, 2, 1 }, new long[] { 2, 2 }, new long[] { 1, 0, 0, 2 })]
    public void BatchToSpaceND(long[] shape, long[] block, long[] crops)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, shape);
        var y = g.Op("BatchToSpaceND", new[] { x, g.Ints("block", block), Pairs(g, "crops", crops) }, ("T", A.T()), ("Tblock_shape", A.T(I32)), ("Tcrops", A.T(I32)));
        Matches(g, new[] { y }, atol: 0, rtol: 0);
    }

    [TestMethod]
    public void RunTimePaddingsAndCrops()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 5, 4, 3), declaredShape: S(-1, -1, 4, 3));
        var paddings = g.Placeholder("paddings", I32, S(2, 2), new double[] { 1, 0, 0, 2 });
        var crops = g.Placeholder("crops", I32, S(2, 2), new double[] { 0, 1, 1, 0 });
        var block = g.Ints("block", 2, 3);
        var stb = g.Op("SpaceToBatchND", new[] { x, block, paddings }, ("T", A.T()), ("Tblock_shape", A.T(I32)), ("Tpaddings", A.T(I32)));
        var bts = g.Op("BatchToSpaceND", new[] { stb, block, crops }, ("T", A.T()), ("Tblock_shape", A.T(I32)), ("Tcrops", A.T(I32)));
        Matches(g, new[] { stb, bts }, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow("Conv2D", new long[] { 2, 3, 2, 2 }, new long[] { 0, 1, 0, 0 })]
    [DataRow("Conv2D", new long[] { 1, 2, 2, 2 }, new long[] { 0, 0, 0, 0 })]
    [DataRow("DepthwiseConv2dNative", new long[] { 2, 3, 2, 2 }, new long[] { 0, 1, 0, 0 })]
    [DataRow("Conv2D", new long[] { 0, 1, 0, 0 }, new long[] { 1, 0, 0, 0 })]
    public void DilatedConvolutionPatternBecomesOneDilatedConv(string op, long[] paddings, long[] crops)
    {
        // tf.nn.atrous_conv2d / Keras Conv2D(dilation_rate=2) as TensorFlow writes them.
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(1, 9, 10, 3));
        var block = g.Ints("block", 2, 2);
        var stb = g.Op("SpaceToBatchND", new[] { x, block, Pairs(g, "paddings", paddings) }, ("T", A.T()), ("Tblock_shape", A.T(I32)), ("Tpaddings", A.T(I32)));
        var filter = op == "Conv2D" ? g.Const("w", F32, S(3, 3, 3, 4), Ramp(108, 0.1)) : g.Const("w", F32, S(3, 3, 3, 2), Ramp(54, 0.1));
        var conv = g.Op(op, new[] { stb, filter }, ("T", A.T()), ("strides", A.Ints(1, 1, 1, 1)), ("padding", A.Str("VALID")), ("dilations", A.Ints(1, 1, 1, 1)), ("data_format", A.Str("NHWC")));
        var y = g.Op("BatchToSpaceND", new[] { conv, block, Pairs(g, "crops", crops) }, ("T", A.T()), ("Tblock_shape", A.T(I32)), ("Tcrops", A.T(I32)));
        var model = Matches(g, new[] { y }, atol: 1e-4, rtol: 1e-4);
        var ops = string.Join(", ", model.Graph.Nodes.Select(n => n.OpType));
        var convs = model.Graph.Nodes.Where(n => n.OpType == "Conv").ToArray();
        Assert.HasCount(1, convs, ops);
        CollectionAssert.AreEqual(new long[] { 2, 2 }, convs[0].GetInts("dilations")!.ToArray(), ops);
        var folded = Enumerable.Range(0, 4).All(i => paddings[i] >= crops[i]);
        Assert.AreEqual(folded, !model.Graph.Nodes.Any(n => n.OpType is "Pad" or "Slice"), ops);
        Assert.IsFalse(model.Graph.Nodes.Any(n => n.OpType == "Reshape"), ops);
    }
}
