using static BuildConvert.Validation.Tests.Converters.TensorFlow.TfOracleAssert;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// One-node tests of Converters/TensorFlow/Shapes/LayoutConverters.cs against TensorFlow.js (same GraphDef, same inputs,
/// converted model run by ONNX Runtime); InvertPermutation, which TF.js lacks, against its definition (argsort).
/// </summary>
[TestClass]
public sealed class LayoutConvertersTests
{
    private static readonly TfDataType I32 = TfDataType.DtInt32;

    [TestMethod]
    [DataRow(new long[] { 0, 1, 2 })]
    [DataRow(new long[] { 2, 0, 1 })]
    [DataRow(new long[] { 1, 2, 0 })]
    public void TransposeByAConstantPerm(long[] perm)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 4));
        var i = g.Placeholder("i", I32, S(2, 3, 4), low: -9, high: 9);
        Matches(g, new[]
        {
            g.Op("Transpose", new[] { x, g.Ints("p", perm) }, ("T", A.T()), ("Tperm", A.T(I32))),
            g.Op("Transpose", new[] { i, g.Ints("p2", perm) }, ("T", A.T(I32)), ("Tperm", A.T(I32))),
        }, atol: 0, rtol: 0);
    }

    [TestMethod]
    public void TransposeWithARunTimePermIsACodedError()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3));
        var p = g.Placeholder("p", I32, S(2), new double[] { 1, 0 });
        var y = g.Op("Transpose", new[] { x, p }, ("T", A.T()), ("Tperm", A.T(I32)));
        var error = Assert.ThrowsExactly<BuildConvert.Core.Diagnostics.BuildConvertException>(() => Convert(g, new[] { y }));
        Assert.AreEqual("BCONV2110", error.Code);
        StringAssert.Contains(error.Message, "node 'transpose_0' (Transpose): input 1 (perm)");
    }

    [TestMethod]
    public void TileAndBroadcastTo()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 1, 3));
        var i = g.Placeholder("i", I32, S(3), low: -9, high: 9);
        var m = g.Placeholder("m", I32, S(3), new double[] { 1, 2, 2 });
        Matches(g, new[]
        {
            g.Op("Tile", new[] { x, g.Ints("reps", 2, 3, 1) }, ("T", A.T()), ("Tmultiples", A.T(I32))),
            g.Op("Tile", new[] { x, m }, ("T", A.T()), ("Tmultiples", A.T(I32))),
            g.Op("BroadcastTo", new[] { x, g.Ints("shape", 4, 2, 5, 3) }, ("T", A.T()), ("Tidx", A.T(I32))),
            g.Op("BroadcastTo", new[] { i, g.Ints("shape2", 2, 3) }, ("T", A.T(I32)), ("Tidx", A.T(I32))),
        }, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(0, 10, 3)]
    [DataRow(10, 0, -3)]
    [DataRow(-4, 5, 1)]
    [DataRow(5, 5, 1)]
    public void RangeOfInts(int start, int limit, int delta)
    {
        var g = new TfTestGraph();
        Matches(g, new[]
        {
            g.Op("Range", new[] { g.Const("s", I32, S(), start), g.Const("l", I32, S(), limit), g.Const("d", I32, S(), delta) }, ("Tidx", A.T(I32))),
        }, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(0.0, 1.0, 0.25)]
    [DataRow(2.5, -1.0, -0.75)]
    [DataRow(-1.0, 1.05, 0.1)]
    public void RangeOfFloatsAtRunTime(double start, double limit, double delta)
    {
        var g = new TfTestGraph();
        var s = g.Placeholder("s", F32, S(), new[] { start });
        var l = g.Placeholder("l", F32, S(), new[] { limit });
        var d = g.Placeholder("d", F32, S(), new[] { delta });
        Matches(g, new[] { g.Op("Range", new[] { s, l, d }, ("Tidx", A.T())) }, atol: 1e-6, rtol: 1e-6);
    }

    [TestMethod]
    public void SizeAndRank()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 4));
        var dynamic = g.Placeholder("d", F32, S(5, 2), declaredShape: S(-1, 2));
        Matches(g, new[]
        {
            g.Op("Size", new[] { x }, ("T", A.T()), ("out_type", A.T(I32))),
            g.Op("Size", new[] { dynamic }, ("T", A.T()), ("out_type", A.T(I32))),
            g.Op("Rank", new[] { x }, ("T", A.T())),
            g.Op("Rank", new[] { dynamic }, ("T", A.T())),
        }, atol: 0, rtol: 0);
    }

    [TestMethod]
    public void PadAndPadV2()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3));
        var i = g.Placeholder("i", I32, S(2, 3), low: -9, high: 9);
        var p = g.Placeholder("p", I32, S(2, 2), new double[] { 0, 2, 1, 1 });
        var paddings = g.Const("paddings", I32, S(2, 2), 1, 0, 2, 3);
        Matches(g, new[]
        {
            g.Op("Pad", new[] { x, paddings }, ("T", A.T()), ("Tpaddings", A.T(I32))),
            g.Op("Pad", new[] { x, p }, ("T", A.T()), ("Tpaddings", A.T(I32))),
            g.Op("PadV2", new[] { x, paddings, g.Const("v", F32, S(), -1.5) }, ("T", A.T()), ("Tpaddings", A.T(I32))),
            g.Op("PadV2", new[] { i, p, g.Const("vi", I32, S(), 7) }, ("T", A.T(I32)), ("Tpaddings", A.T(I32))),
        }, atol: 0, rtol: 0, opsets: new[] { 13, 21 });
    }

    [TestMethod]
    [DataRow("REFLECT", new double[] { 1, 2, 2, 1, 0, 0 }, false)]
    [DataRow("SYMMETRIC", new double[] { 1, 2, 3, 3, 0, 1 }, false)]
    [DataRow("SYMMETRIC", new double[] { 0, 0, 4, 1, 2, 0 }, false)]
    [DataRow("REFLECT", new double[] { 0, 0, 0, 3, 1, 1 }, false)]
    [DataRow("REFLECT", new double[] { 1, 2, 2, 1, 0, 0 }, true)]
    [DataRow("SYMMETRIC", new double[] { 1, 2, 3, 3, 0, 1 }, true)]
    [DataRow("SYMMETRIC", new double[] { 0, 0, 4, 1, 2, 0 }, true)]
    [DataRow("SYMMETRIC", new double[] { 3, 0, 0, 4, 0, 0 }, true)]
    public void MirrorPadModes(string mode, double[] paddings, bool runTime)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(3, 4, 2));
        var i = g.Placeholder("i", I32, S(3, 4, 2), low: -9, high: 9);
        var p = runTime ? g.Placeholder("p", I32, S(3, 2), paddings) : g.Const("p", I32, S(3, 2), paddings);
        Matches(g, new[]
        {
            g.Op("MirrorPad", new[] { x, p }, ("T", A.T()), ("Tpaddings", A.T(I32)), ("mode", A.Str(mode))),
            g.Op("MirrorPad", new[] { i, p }, ("T", A.T(I32)), ("Tpaddings", A.T(I32)), ("mode", A.Str(mode))),
        }, atol: 0, rtol: 0, opsets: new[] { 13, 18, 21 });
    }

    [TestMethod]
    [DataRow(new long[] { 0 }, false)]
    [DataRow(new long[] { 1, 2 }, false)]
    [DataRow(new long[] { -1 }, false)]
    [DataRow(new long[] { }, false)]
    [DataRow(new long[] { 0 }, true)]
    [DataRow(new long[] { -1, 0 }, true)]
    [DataRow(new long[] { 0, 1, 2 }, true)]
    public void ReverseV2(long[] axes, bool runTime)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 4));
        var i = g.Placeholder("i", I32, S(2, 3, 4), low: -9, high: 9);
        string Axes(string name) => runTime ? g.Placeholder(name, I32, S(axes.Length), axes.Select(a => (double)a).ToArray()) : g.Ints(name, axes);
        Matches(g, new[]
        {
            g.Op("ReverseV2", new[] { x, Axes("a") }, ("T", A.T()), ("Tidx", A.T(I32))),
            g.Op("ReverseV2", new[] { i, Axes("a2") }, ("T", A.T(I32)), ("Tidx", A.T(I32))),
        }, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void InvertPermutationIsArgsort(bool constant)
    {
        // TF.js has no InvertPermutation; for a permutation p the inverse is argsort(p), TopKV2(-p, n)'s indices in TF.js.
        var perm = new double[] { 3, 0, 4, 1, 2 };
        var g = new TfTestGraph();
        var p = constant ? g.Const("p", I32, S(5), perm) : g.Placeholder("p", I32, S(5), perm);
        var y = g.Op("InvertPermutation", new[] { p }, ("T", A.T(I32)));
        var r = new TfTestGraph();
        var rp = r.Placeholder("p", I32, S(5), perm);
        var top = r.Op("TopKV2", new[] { r.Op("Neg", new[] { rp }, ("T", A.T(I32))), r.Const("k", I32, S(), 5) }, ("T", A.T(I32)), ("sorted", A.Bool(true)));
        MatchesDefinition(g, y, r, top.Replace(":0", ":1", StringComparison.Ordinal), atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(0, false, false)]
    [DataRow(1, false, false)]
    [DataRow(1, true, false)]
    [DataRow(1, false, true)]
    [DataRow(1, true, true)]
    public void CumsumExclusiveReverse(int axis, bool exclusive, bool reverse)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(3, 4));
        var i = g.Placeholder("i", I32, S(3, 4), low: -9, high: 9);
        Matches(g, new[]
        {
            g.Op("Cumsum", new[] { x, g.Const("axis", I32, S(), axis) }, ("T", A.T()), ("Tidx", A.T(I32)), ("exclusive", A.Bool(exclusive)), ("reverse", A.Bool(reverse))),
            g.Op("Cumsum", new[] { i, g.Const("axis2", I32, S(), axis) }, ("T", A.T(I32)), ("Tidx", A.T(I32)), ("exclusive", A.Bool(exclusive)), ("reverse", A.Bool(reverse))),
        }, atol: 1e-5, rtol: 1e-5);
    }

    [TestMethod]
    public void CumsumNegativeAxisCountsFromTheEnd()
    {
        // TF.js's Cumsum mishandles a negative axis (its output shape comes back undefined): the reference is axis 1 of the rank-2 input.
        var values = Enumerable.Range(0, 12).Select(v => (double)((v * 7 % 11) - 5)).ToArray();
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(3, 4), values);
        var y = g.Op("Cumsum", new[] { x, g.Const("axis", I32, S(), -1) }, ("T", A.T()), ("Tidx", A.T(I32)), ("exclusive", A.Bool(true)), ("reverse", A.Bool(true)));
        var r = new TfTestGraph();
        var rx = r.Placeholder("x", F32, S(3, 4), values);
        var ry = r.Op("Cumsum", new[] { rx, r.Const("axis", I32, S(), 1) }, ("T", A.T()), ("Tidx", A.T(I32)), ("exclusive", A.Bool(true)), ("reverse", A.Bool(true)));
        MatchesDefinition(g, y, r, ry, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow("ij,jk->ik", new long[] { 2, 3 }, new long[] { 3, 4 })]
    [DataRow("bij,bjk->bik", new long[] { 2, 2, 3 }, new long[] { 2, 3, 4 })]
    [DataRow("ij,kj->ik", new long[] { 2, 3 }, new long[] { 4, 3 })]
    [DataRow("i,j->ij", new long[] { 3 }, new long[] { 4 })]
    [DataRow("ij, j -> i", new long[] { 3, 4 }, new long[] { 4 })]
    public void EinsumOfTwoOperands(string equation, long[] a, long[] b)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, a);
        var y = g.Placeholder("y", F32, b);
        Matches(g, new[] { g.Op("Einsum", new[] { x, y }, ("T", A.T()), ("N", A.Int(2)), ("equation", A.Str(equation))) }, atol: 1e-5, rtol: 1e-5);
    }

    [TestMethod]
    public void ClipByValueWithScalarBounds()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3));
        var i = g.Placeholder("i", I32, S(6), low: -9, high: 9);
        Matches(g, new[]
        {
            g.Op("ClipByValue", new[] { x, g.Const("min", F32, S(), -1), g.Const("max", F32, S(), 1.5) }, ("T", A.T())),
            g.Op("ClipByValue", new[] { i, g.Const("imin", I32, S(), -3), g.Const("imax", I32, S(), 4) }, ("T", A.T(I32))),
        }, atol: 0, rtol: 0);
    }

    [TestMethod]
    public void ClipByValueWithTensorBoundsIsMaximumThenMinimum()
    {
        // TensorFlow allows bounds of t's shape; TF.js reads them as scalars, so the reference is the documented
        // definition, Minimum(Maximum(t, min), max).
        TfTestGraph Inputs(out string x, out string lo, out string hi)
        {
            var graph = new TfTestGraph();
            x = graph.Placeholder("x", F32, S(2, 3));
            lo = graph.Placeholder("lo", F32, S(2, 3), low: -2, high: 0);
            hi = graph.Placeholder("hi", F32, S(2, 3), low: 0, high: 2);
            return graph;
        }

        var g = Inputs(out var x, out var lo, out var hi);
        var y = g.Op("ClipByValue", new[] { x, lo, hi }, ("T", A.T()));
        var r = Inputs(out x, out lo, out hi);
        var ry = r.Op("Minimum", new[] { r.Op("Maximum", new[] { x, lo }, ("T", A.T())), hi }, ("T", A.T()));
        MatchesDefinition(g, y, r, ry, atol: 0, rtol: 0);
    }

    [TestMethod]
    public void IsFiniteOfSpecialValues()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(6), new[] { double.NaN, 1, double.PositiveInfinity, double.NegativeInfinity, -0.0, 3e38 });
        Matches(g, new[] { g.Op("IsFinite", new[] { x }, ("T", A.T())) }, atol: 0, rtol: 0);
    }
}
