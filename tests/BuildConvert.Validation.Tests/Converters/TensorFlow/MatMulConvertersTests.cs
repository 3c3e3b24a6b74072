using static BuildConvert.Validation.Tests.Converters.TensorFlow.TfOracleAssert;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>One-node tests of Converters/TensorFlow/Math/MatMulConverters.cs against TensorFlow.js.</summary>
[TestClass]
public sealed class MatMulConvertersTests
{
    [TestMethod]
    [DataRow(false, false)]
    [DataRow(true, false)]
    [DataRow(false, true)]
    [DataRow(true, true)]
    public void MatMulTransposes(bool ta, bool tb)
    {
        var g = new TfTestGraph();
        var a = g.Placeholder("a", F32, ta ? S(4, 3) : S(3, 4));
        var b = g.Placeholder("b", F32, tb ? S(5, 4) : S(4, 5));
        Matches(g, new[] { g.Op("MatMul", new[] { a, b }, ("T", A.T()), ("transpose_a", A.Bool(ta)), ("transpose_b", A.Bool(tb))) });
    }

    [TestMethod]
    public void MatMulWithAConstantWeight()
    {
        var g = new TfTestGraph();
        var a = g.Placeholder("a", F32, S(2, 3));
        var w = g.Const("w", F32, S(3, 2), 1, -2, 0.5, 3, -1, 0.25);
        Matches(g, new[] { g.Op("MatMul", new[] { a, w }, ("T", A.T()), ("transpose_b", A.Bool(false))) });
    }

    [TestMethod]
    [DataRow("BatchMatMul", false, false)]
    [DataRow("BatchMatMul", true, true)]
    [DataRow("BatchMatMulV2", false, true)]
    [DataRow("BatchMatMulV2", true, false)]
    public void BatchMatMulAdjoints(string op, bool adjX, bool adjY)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, adjX ? S(2, 4, 3) : S(2, 3, 4));
        var y = g.Placeholder("y", F32, adjY ? S(2, 5, 4) : S(2, 4, 5));
        Matches(g, new[] { g.Op(op, new[] { x, y }, ("T", A.T()), ("adj_x", A.Bool(adjX)), ("adj_y", A.Bool(adjY))) });
    }

    [TestMethod]
    [DataRow(new long[] { 3, 2, 4 }, new long[] { 1, 4, 5 })]
    [DataRow(new long[] { 2, 3, 4 }, new long[] { 4, 5 })]
    [DataRow(new long[] { 2, 2, 3, 4 }, new long[] { 2, 4, 5 })]
    public void BatchMatMulV2Broadcasts(long[] xShape, long[] yShape)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, xShape);
        var y = g.Placeholder("y", F32, yShape);
        Matches(g, new[] { g.Op("BatchMatMulV2", new[] { x, y }, ("T", A.T()), ("adj_y", A.Bool(false))) });
    }

    [TestMethod]
    public void BatchMatMulV3CastsToTout()
    {
        // TF.js has no BatchMatMulV3; the reference is BatchMatMulV2 on the same inputs (the same product when Ta = Tb = Tout).
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 4, 3));
        var y = g.Placeholder("y", F32, S(2, 4, 5));
        var output = g.Op("BatchMatMulV3", new[] { x, y }, ("Ta", A.T()), ("Tb", A.T()), ("Tout", A.T()), ("adj_x", A.Bool(true)));
        var r = new TfTestGraph();
        var rx = r.Placeholder("x", F32, S(2, 4, 3));
        var ry = r.Placeholder("y", F32, S(2, 4, 5));
        MatchesDefinition(g, output, r, r.Op("BatchMatMulV2", new[] { rx, ry }, ("T", A.T()), ("adj_x", A.Bool(true))));
    }

    [TestMethod]
    public void BiasAddNhwcAlongTheLastDimension()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 3, 4));
        var b = g.Const("b", F32, S(4), 1, -1, 10, 0.5);
        Matches(g, new[] { g.Op("BiasAdd", new[] { x, b }, ("T", A.T()), ("data_format", A.Str("NHWC"))) });
    }

    [TestMethod]
    public void BiasAddNchwAlongDimensionOne()
    {
        // TF.js's BiasAdd ignores data_format; the reference adds the bias reshaped to [C, 1, 1].
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 4, 3, 3));
        var b = g.Const("b", F32, S(4), 1, -1, 10, 0.5);
        var output = g.Op("BiasAdd", new[] { x, b }, ("T", A.T()), ("data_format", A.Str("NCHW")));
        var r = new TfTestGraph();
        var rx = r.Placeholder("x", F32, S(2, 4, 3, 3));
        var rb = r.Const("b", F32, S(4, 1, 1), 1, -1, 10, 0.5);
        MatchesDefinition(g, output, r, r.Op("AddV2", new[] { rx, rb }, ("T", A.T())));
    }

    [TestMethod]
    public void BiasAddOnAMatrix()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(3, 4));
        var b = g.Const("b", F32, S(4), 1, -1, 10, 0.5);
        Matches(g, new[] { g.Op("BiasAdd", new[] { x, b }, ("T", A.T())) });
    }
}
