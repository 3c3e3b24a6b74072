using static BuildConvert.Validation.Tests.Converters.TensorFlow.TfOracleAssert;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// One-node tests of Converters/TensorFlow/Indexing/IndexingConverters.cs: each op converted and run by ONNX Runtime,
/// compared with TensorFlow.js running the same GraphDef on the same inputs (exact for integer and gathered values).
/// </summary>
[TestClass]
public sealed class IndexingConvertersTests
{
    private static readonly TfDataType I32 = TfDataType.DtInt32;
    private static readonly TfDataType Bool = TfDataType.DtBool;

    private static string StridedSlice(TfTestGraph g, string x, string begin, string end, string strides, long[] masks, TfDataType type, TfDataType index) =>
        g.Op("StridedSlice", new[] { x, begin, end, strides }, ("T", A.T(type)), ("Index", A.T(index)),
            ("begin_mask", A.Int(masks[0])), ("end_mask", A.Int(masks[1])), ("ellipsis_mask", A.Int(masks[2])),
            ("new_axis_mask", A.Int(masks[3])), ("shrink_axis_mask", A.Int(masks[4])));

    [TestMethod]
    [DataRow(new long[] { 1, 0, 2 }, new long[] { 3, 5, 6 }, new long[] { 1, 2, 1 }, new long[] { 0, 0, 0, 0, 0 }, DisplayName = "plain")]
    [DataRow(new long[] { 0, 4, 5 }, new long[] { 0, 0, 0 }, new long[] { 1, -1, -2 }, new long[] { 1, 1, 4 }, DisplayName = "negative strides, masks")]
    [DataRow(new long[] { -1, -2, -5 }, new long[] { 0, 0, 0 }, new long[] { -1, -1, -1 }, new long[] { 0, 4, 0, 0, 0 }, DisplayName = "negative begins")]
    [DataRow(new long[] { 2, 1, 3 }, new long[] { 0, 0, 0 }, new long[] { 1, 1, 1 }, new long[] { 0, 7, 0, 0, 0 }, DisplayName = "end_mask")]
    [DataRow(new long[] { 3, 3, 3 }, new long[] { 1, 1, 4 }, new long[] { 1, 1, 1 }, new long[] { 7, 0, 0, 0, 0 }, DisplayName = "begin_mask")]
    [DataRow(new long[] { 0, 1 }, new long[] { 0, 3 }, new long[] { 1, 1 }, new long[] { 0, 0, 1, 0, 0 }, DisplayName = "leading ellipsis")]
    [DataRow(new long[] { 1, 0 }, new long[] { 3, 0 }, new long[] { 1, 1 }, new long[] { 0, 0, 2, 0, 0 }, DisplayName = "trailing ellipsis")]
    [DataRow(new long[] { 0, 0, 1 }, new long[] { 0, 0, 3 }, new long[] { 1, 1, 1 }, new long[] { 1, 1, 0, 2, 0 }, DisplayName = "new axis")]
    [DataRow(new long[] { 1, 0, -1 }, new long[] { 2, 0, 0 }, new long[] { 1, 1, 1 }, new long[] { 0, 2, 0, 0, 5 }, DisplayName = "shrink, -1 included")]
    [DataRow(new long[] { 0, 0, 0 }, new long[] { 0, 0, 0 }, new long[] { 1, 1, 1 }, new long[] { 0, 0, 1, 2, 4 }, DisplayName = "ellipsis, new axis, shrink")]
    [DataRow(new long[] { 0, 2 }, new long[] { 0, 3 }, new long[] { 1, 1 }, new long[] { 0, 0, 1, 1, 2 }, DisplayName = "ellipsis wins over new axis")]
    [DataRow(new long[] { -10, 2, 0 }, new long[] { 10, 100, 4 }, new long[] { 1, 1, 3 }, new long[] { 0, 0, 0, 0, 0 }, DisplayName = "clamped forward")]
    [DataRow(new long[] { 10, -1, 30 }, new long[] { -10, -100, 1 }, new long[] { -1, -2, -3 }, new long[] { 0, 0, 0, 0, 0 }, DisplayName = "clamped backward")]
    [DataRow(new long[] { 1 }, new long[] { 3 }, new long[] { 1 }, new long[] { 0, 0, 0, 0, 0 }, DisplayName = "fewer entries than dims")]
    [DataRow(new long[] { 2, 0, 0, 0 }, new long[] { 3, 0, 0, 0 }, new long[] { 1, 1, 1, -1 }, new long[] { 0, 0, 0, 2, 1 }, DisplayName = "new axis between, reversed last")]
    public void StridedSliceMasks(long[] begin, long[] end, long[] strides, long[] masks)
    {
        var full = masks.Concat(new long[5]).Take(5).ToArray();
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(4, 5, 6));
        var i = g.Placeholder("i", I32, S(4, 5, 6), low: -100, high: 100);
        Matches(g, new[]
        {
            StridedSlice(g, x, g.Ints("b", begin), g.Ints("e", end), g.Ints("s", strides), full, F32, I32),
            StridedSlice(g, i, g.Ints("b2", begin), g.Ints("e2", end), g.Ints("s2", strides), full, I32, I32),
        }, atol: 0, rtol: 0, opsets: new[] { 13, 21 });
    }

    [TestMethod]
    [DataRow(new long[] { 1, 0, -1 }, new long[] { 3, 4, 0 }, new long[] { 0, 0, 0, 0, 4 }, DisplayName = "shrink last at -1")]
    [DataRow(new long[] { -3, 0, 1 }, new long[] { 100, 2, 5 }, new long[] { 0, 2, 0, 0, 0 }, DisplayName = "end mask, clamping")]
    [DataRow(new long[] { 0, 4, 2 }, new long[] { 0, 1, 0 }, new long[] { 1, 0, 4, 1, 0 }, DisplayName = "new axis at 0")]
    public void StridedSliceWithRunTimeBounds(long[] begin, long[] end, long[] masks)
    {
        var strides = masks[3] == 1 ? new long[] { 1, -1, 1 } : new long[] { 1, 1, 1 };
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(4, 5, 6));
        var b = g.Placeholder("begin", I32, S(3), begin.Select(v => (double)v).ToArray());
        var e = g.Placeholder("end", I32, S(3), end.Select(v => (double)v).ToArray());
        var model = Matches(g, new[] { StridedSlice(g, x, b, e, g.Ints("s", strides), masks, F32, I32) }, atol: 0, rtol: 0);
        Assert.IsTrue(model.Graph.Nodes.Any(n => n.OpType == "Slice"), "a run-time Slice");
    }

    [TestMethod]
    [DataRow(new long[] { 1, 0, 2 }, new long[] { 3, 5, 6 }, new long[] { 1, 2, 1 }, new long[] { 0, 0, 0, 0, 0 }, DisplayName = "plain")]
    [DataRow(new long[] { 0, 4, 5 }, new long[] { 0, 0, 0 }, new long[] { 1, -1, -2 }, new long[] { 1, 1, 4 }, DisplayName = "negative strides, masks")]
    [DataRow(new long[] { 3, 3, 3 }, new long[] { 1, 1, 4 }, new long[] { -1, 2, -1 }, new long[] { 7, 5, 0, 0, 0 }, DisplayName = "masks both ways")]
    [DataRow(new long[] { 10, -1, 30 }, new long[] { -10, -100, 1 }, new long[] { -1, -2, -3 }, new long[] { 0, 0, 0, 0, 0 }, DisplayName = "clamped backward")]
    [DataRow(new long[] { 1, 0, -1 }, new long[] { 2, 0, 0 }, new long[] { 1, 1, 1 }, new long[] { 0, 2, 0, 0, 5 }, DisplayName = "shrink, -1 included")]
    [DataRow(new long[] { 0, 0, 0 }, new long[] { 0, 0, 0 }, new long[] { 1, 1, -1 }, new long[] { 0, 4, 1, 2, 1 }, DisplayName = "ellipsis, new axis, shrink")]
    [DataRow(new long[] { 2, 0, 0, 0 }, new long[] { 3, 0, 0, 0 }, new long[] { 1, 1, 1, -1 }, new long[] { 0, 0, 0, 2, 1 }, DisplayName = "new axis between, reversed last")]
    public void StridedSliceWithRunTimeStrides(long[] begin, long[] end, long[] strides, long[] masks)
    {
        // The strides (and in the second slice the bounds as well) are placeholders: the mask bounds follow their signs at run time.
        var full = masks.Concat(new long[5]).Take(5).ToArray();
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(4, 5, 6));
        var i = g.Placeholder("i", I32, S(4, 5, 6), low: -100, high: 100);
        string Vector(string name, long[] v) => g.Placeholder(name, I32, S(v.Length), v.Select(e => (double)e).ToArray());
        var s = Vector("s", strides);
        var model = Matches(g, new[]
        {
            StridedSlice(g, x, g.Ints("b", begin), g.Ints("e", end), s, full, F32, I32),
            StridedSlice(g, i, Vector("b2", begin), Vector("e2", end), s, full, I32, I32),
        }, atol: 0, rtol: 0, opsets: new[] { 13, 21 });
        Assert.IsTrue(model.Graph.Nodes.Any(n => n.OpType == "Slice" && n.Inputs.Count == 5 && n.Inputs[4]!.ConstantValue is null), "run-time steps");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void StridedSliceShrinkBesideAReversedMaskedEntry(bool runTime)
    {
        // x[1, 0::-1, -1] of x = arange(120).reshape(4, 5, 6) is [x[1, 0, 5]] = [35] by TensorFlow's documented semantics
        // (a masked end with a negative stride runs to the front). TF.js 4.22 gives [1] here (a wrong element), so the
        // expected value is hand-computed.
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(4, 5, 6), Enumerable.Range(0, 120).Select(v => (double)v).ToArray());
        var strides = runTime ? g.Placeholder("s", I32, S(3), new double[] { 1, -1, 1 }) : g.Ints("s", 1, -1, 1);
        var y = StridedSlice(g, x, g.Ints("b", 1, 0, -1), g.Ints("e", 2, 0, 0), strides, new long[] { 0, 2, 0, 0, 5 }, F32, I32);
        foreach (var opset in new[] { 13, 21 })
        {
            var actual = RunOnnx(Convert(g, new[] { y }, opset), g)[0];
            CollectionAssert.AreEqual(new long[] { 1 }, actual.Shape.ToArray(), $"opset {opset}");
            Assert.AreEqual(35.0, actual.GetDouble(0), $"opset {opset}");
        }
    }

    [TestMethod]
    public void StridedSliceWithRunTimeStridesOfUnknownLengthIsACodedError()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(4, 5));
        var v = g.Placeholder("v", I32, S(2), new double[] { 0, 1 }, declaredShape: S(-1));
        var y = StridedSlice(g, x, v, v, v, new long[5], F32, I32);
        var error = Assert.ThrowsExactly<BuildConvert.Core.Diagnostics.BuildConvertException>(() => Convert(g, new[] { y }));
        Assert.AreEqual("BCONV2110", error.Code);
        StringAssert.Contains(error.Message, "input 3 (strides)");
        StringAssert.Contains(error.Message, "'stridedslice_0'");
    }

    [TestMethod]
    public void StridedSliceShrinksAVectorToAScalar()
    {
        // The tract / LSTM pattern: shape[0] and shape[-1] of a shape vector as scalars.
        var g = new TfTestGraph();
        var shape = g.Placeholder("shape", I32, S(3), new double[] { 3, 7, 5 });
        var first = StridedSlice(g, shape, g.Ints("b", 0), g.Ints("e", 1), g.Ints("s", 1), new long[] { 0, 0, 0, 0, 1 }, I32, I32);
        var last = StridedSlice(g, shape, g.Ints("b2", -1), g.Ints("e2", 0), g.Ints("s2", 1), new long[] { 0, 0, 0, 0, 1 }, I32, I32);
        Matches(g, new[] { first, last }, atol: 0, rtol: 0);
    }

    [TestMethod]
    public void StridedSliceZeroStrideIsACodedError()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(4, 5));
        var y = StridedSlice(g, x, g.Ints("b", 0, 0), g.Ints("e", 2, 2), g.Ints("s", 1, 0), new long[5], F32, I32);
        var error = Assert.ThrowsExactly<BuildConvert.Core.Diagnostics.BuildConvertException>(() => Convert(g, new[] { y }));
        StringAssert.Contains(error.Message, "stride 1 is 0");
        Assert.AreEqual("BCONV2101", error.Code);
    }

    [TestMethod]
    [DataRow(new long[] { 1, 0, 2 }, new long[] { 2, -1, 3 }, DisplayName = "size -1")]
    [DataRow(new long[] { 0, 0, 0 }, new long[] { -1, -1, -1 }, DisplayName = "everything")]
    [DataRow(new long[] { 3, 4, 5 }, new long[] { 1, 1, 1 }, DisplayName = "last element")]
    [DataRow(new long[] { 2, 1, 0 }, new long[] { 0, 2, 6 }, DisplayName = "empty")]
    public void SliceConstantAndRunTime(long[] begin, long[] size)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(4, 5, 6));
        var rb = g.Placeholder("begin", I32, S(3), begin.Select(v => (double)v).ToArray());
        var rs = g.Placeholder("size", I32, S(3), size.Select(v => (double)v).ToArray());
        Matches(g, new[]
        {
            g.Op("Slice", new[] { x, g.Ints("b", begin), g.Ints("s", size) }, ("T", A.T()), ("Index", A.T(I32))),
            g.Op("Slice", new[] { x, rb, rs }, ("T", A.T()), ("Index", A.T(I32))),
        }, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(0, 0)]
    [DataRow(1, 0)]
    [DataRow(-1, 0)]
    [DataRow(2, 0)]
    [DataRow(1, 1)]
    [DataRow(2, 1)]
    [DataRow(2, 2)]
    [DataRow(-1, -1)]
    public void GatherV2AxisAndBatchDims(int axis, int batchDims)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 4));
        var indexShape = batchDims switch { 0 => S(2, 2), 1 => S(2, 3), _ => S(2, 3, 2) };
        var high = new long[] { 2, 3, 4 }[axis < 0 ? axis + 3 : axis];
        var i = g.Placeholder("i", I32, indexShape, low: 0, high: high);
        var xi = g.Placeholder("xi", I32, S(2, 3, 4), low: -50, high: 50);
        Matches(g, new[]
        {
            g.Op("GatherV2", new[] { x, i, g.Const("axis", I32, S(), axis) }, ("Tparams", A.T()), ("Tindices", A.T(I32)), ("Taxis", A.T(I32)), ("batch_dims", A.Int(batchDims))),
            g.Op("GatherV2", new[] { xi, i, g.Const("axis2", I32, S(), axis) }, ("Tparams", A.T(I32)), ("Tindices", A.T(I32)), ("Taxis", A.T(I32)), ("batch_dims", A.Int(batchDims))),
        }, atol: 0, rtol: 0);
    }

    [TestMethod]
    public void GatherLegacyAndScalarIndex()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(5, 3));
        var i = g.Placeholder("i", I32, S(2, 2), new double[] { 4, 0, 2, 2 });
        Matches(g, new[]
        {
            g.Op("Gather", new[] { x, i }, ("Tparams", A.T()), ("Tindices", A.T(I32)), ("validate_indices", A.Bool(true))),
            g.Op("GatherV2", new[] { x, g.Const("k", I32, S(), 3), g.Const("axis", I32, S(), 0) }, ("Tparams", A.T()), ("Tindices", A.T(I32)), ("Taxis", A.T(I32))),
        }, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(new long[] { 3, 2 }, new double[] { 0, 1, 1, 3, 2, 0 }, DisplayName = "elements")]
    [DataRow(new long[] { 2, 1 }, new double[] { 2, 0 }, DisplayName = "rows")]
    [DataRow(new long[] { 2, 2, 3 }, new double[] { 0, 1, 2, 1, 3, 0, 2, 2, 1, 0, 0, 3 }, DisplayName = "batched elements")]
    public void GatherNd(long[] indexShape, double[] indices)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(3, 4, 4));
        var i = g.Placeholder("i", I32, indexShape, indices);
        var xi = g.Placeholder("xi", I32, S(3, 4, 4), low: -9, high: 9);
        Matches(g, new[]
        {
            g.Op("GatherNd", new[] { x, i }, ("Tparams", A.T()), ("Tindices", A.T(I32))),
            g.Op("GatherNd", new[] { xi, i }, ("Tparams", A.T(I32)), ("Tindices", A.T(I32))),
        }, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(4, 1.0, 0.0)]
    [DataRow(3, 5.0, -2.0)]
    [DataRow(2, 1.0, 0.0)] // TF.js refuses depth 1
    public void OneHotDepthAndValuesWithOutOfRangeIndices(int depth, double on, double off)
    {
        var g = new TfTestGraph();
        var i = g.Placeholder("i", I32, S(2, 4), new double[] { 0, 1, 3, -1, 2, 5, -3, 0 });
        Matches(g, new[]
        {
            g.Op("OneHot", new[] { i, g.Const("depth", I32, S(), depth), g.Const("on", F32, S(), on), g.Const("off", F32, S(), off) }, ("T", A.T()), ("TI", A.T(I32)), ("axis", A.Int(-1))),
            g.Op("OneHot", new[] { i, g.Const("depth2", I32, S(), depth), g.Const("on2", I32, S(), on), g.Const("off2", I32, S(), off) }, ("T", A.T(I32)), ("TI", A.T(I32)), ("axis", A.Int(-1))),
        }, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(4)]
    [DataRow(3)]
    [DataRow(6)]
    public void OneHotWithARunTimeDepth(int depth)
    {
        // TF.js ignores OneHot's axis (see OneHotAxisMatchesTheTransposedDefinition), so the axis is -1 here.
        var g = new TfTestGraph();
        var i = g.Placeholder("i", I32, S(2, 4), new double[] { 0, 1, 3, -1, 2, 5, -3, 0 });
        var d = g.Placeholder("depth", I32, S(), new double[] { depth });
        var on = g.Placeholder("on", F32, S(), new[] { 2.5 });
        Matches(g, new[]
        {
            g.Op("OneHot", new[] { i, d, on, g.Const("off", F32, S(), -1) }, ("T", A.T()), ("TI", A.T(I32)), ("axis", A.Int(-1))),
        }, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    public void OneHotAxisMatchesTheTransposedDefinition(int axis)
    {
        // TF.js's OneHot knows only axis -1: the reference is that, with the new last dimension moved to the axis.
        var values = new double[] { 0, 2, -1, 4, 1, 1 };
        var g = new TfTestGraph();
        var i = g.Placeholder("i", I32, S(2, 3), values);
        var y = g.Op("OneHot", new[] { i, g.Const("depth", I32, S(), 4), g.Const("on", F32, S(), 2), g.Const("off", F32, S(), -1) }, ("T", A.T()), ("TI", A.T(I32)), ("axis", A.Int(axis)));
        var r = new TfTestGraph();
        var ri = r.Placeholder("i", I32, S(2, 3), values);
        var last = r.Op("OneHot", new[] { ri, r.Const("depth", I32, S(), 4), r.Const("on", F32, S(), 2), r.Const("off", F32, S(), -1) }, ("T", A.T()), ("TI", A.T(I32)), ("axis", A.Int(-1)));
        var perm = axis == 0 ? new long[] { 2, 0, 1 } : new long[] { 0, 2, 1 };
        MatchesDefinition(g, y, r, r.Op("Transpose", new[] { last, r.Ints("perm", perm) }, ("T", A.T()), ("Tperm", A.T(I32))), atol: 0, rtol: 0);
    }

    [TestMethod]
    public void WhereGivesRowMajorCoordinates()
    {
        var g = new TfTestGraph();
        var b = g.Placeholder("b", Bool, S(3, 4));
        var f = g.Placeholder("f", F32, S(2, 3, 2), new double[] { 0, 1, -2, 0, 0, 0, 3, 0.5, 0, 0, 0, 7 });
        var model = Matches(g, new[]
        {
            g.Op("Where", new[] { b }, ("T", A.T(Bool))),
            g.Op("Where", new[] { f }, ("T", A.T())),
        }, atol: 0, rtol: 0, checkKind: true);
        var output = model.Graph.Outputs[0];
        Assert.AreEqual(Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Int64, output.Type!.ElementType, "Where returns int64 as TensorFlow does (TF.js: int32)");
    }

    [TestMethod]
    public void WhereOfNothingTrueIsEmpty()
    {
        var g = new TfTestGraph();
        var b = g.Placeholder("b", Bool, S(2, 2), new double[] { 0, 0, 0, 0 });
        Matches(g, new[] { g.Op("Where", new[] { b }, ("T", A.T(Bool))) }, atol: 0, rtol: 0);
    }

    [TestMethod]
    public void SelectOfSameShapesAndSelectV2Broadcasting()
    {
        var g = new TfTestGraph();
        var c = g.Placeholder("c", Bool, S(2, 3));
        var t = g.Placeholder("t", F32, S(2, 3));
        var e = g.Placeholder("e", F32, S(2, 3));
        var c2 = g.Placeholder("c2", Bool, S(3));
        var t2 = g.Placeholder("t2", I32, S(4, 1, 3), low: -9, high: 9);
        var e2 = g.Placeholder("e2", I32, S(1), new double[] { 100 });
        Matches(g, new[]
        {
            g.Op("Select", new[] { c, t, e }, ("T", A.T())),
            g.Op("SelectV2", new[] { c2, t2, e2 }, ("T", A.T(I32))),
            g.Op("SelectV2", new[] { c, t, g.Const("zero", F32, S(), 0) }, ("T", A.T())),
        }, atol: 0, rtol: 0);
    }

    [TestMethod]
    public void SelectWithARankOneConditionPicksRows()
    {
        // TF1 Select: a rank-1 condition chooses rows. TF.js broadcasts it NumPy-style instead, so the reference is the
        // definition: SelectV2 with the condition reshaped to [n, 1, 1].
        var cond = new double[] { 1, 0, 1, 0 };
        var g = new TfTestGraph();
        var c = g.Placeholder("c", Bool, S(4), cond);
        var t = g.Placeholder("t", F32, S(4, 2, 3));
        var e = g.Placeholder("e", F32, S(4, 2, 3));
        var y = g.Op("Select", new[] { c, t, e }, ("T", A.T()));
        var r = new TfTestGraph();
        var rc = r.Placeholder("c", Bool, S(4), cond);
        var rt = r.Placeholder("t", F32, S(4, 2, 3));
        var re = r.Placeholder("e", F32, S(4, 2, 3));
        var column = r.Op("Reshape", new[] { rc, r.Ints("shape", 4, 1, 1) }, ("T", A.T(Bool)), ("Tshape", A.T(I32)));
        MatchesDefinition(g, y, r, r.Op("SelectV2", new[] { column, rt, re }, ("T", A.T())), atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(3)]
    [DataRow(6)]
    public void TopKV2ValuesAndInt32Indices(int k)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(3, 6), new double[] { 1, 5, 3, 5, 2, 0, -1, -1, -1, -1, -1, -1, 9, 8, 7, 6, 5, 4 });
        var xi = g.Placeholder("xi", I32, S(2, 6), low: -5, high: 5);
        var top = g.Op("TopKV2", new[] { x, g.Const("k", I32, S(), k) }, ("T", A.T()), ("sorted", A.Bool(true)));
        var topi = g.Op("TopKV2", new[] { xi, g.Const("k2", I32, S(), k) }, ("T", A.T(I32)), ("sorted", A.Bool(true)));
        Matches(g, new[] { top, top.Replace(":0", ":1", StringComparison.Ordinal), topi, topi.Replace(":0", ":1", StringComparison.Ordinal) }, atol: 0, rtol: 0, opsets: new[] { 13, 21 });
    }

    [TestMethod]
    public void TopKV2WithARunTimeK()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 5));
        var k = g.Placeholder("k", I32, S(), new double[] { 2 });
        var top = g.Op("TopKV2", new[] { x, k }, ("T", A.T()), ("sorted", A.Bool(true)));
        Matches(g, new[] { top, top.Replace(":0", ":1", StringComparison.Ordinal) }, atol: 0, rtol: 0);
    }
}
