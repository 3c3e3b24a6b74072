using BuildConvert.Core.Diagnostics;
using static BuildConvert.Validation.Tests.Converters.TensorFlow.TfOracleAssert;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// One-node tests of Converters/TensorFlow/Math/ReductionConverters.cs against TensorFlow.js: scalar and vector axes,
/// negative axes, keep_dims, empty axes (no reduction), run-time axes, integer and bool inputs, ArgMax/ArgMin output types.
/// </summary>
[TestClass]
public sealed class ReductionConvertersTests
{
    private static readonly TfDataType I32 = TfDataType.DtInt32;

    private static string Reduce(TfTestGraph g, string op, string x, string axes, bool keep, TfDataType type) =>
        g.Op(op, new[] { x, axes }, ("T", A.T(type)), ("Tidx", A.T(I32)), ("keep_dims", A.Bool(keep)));

    [TestMethod]
    [DataRow("Sum", new long[] { 1 }, false)]
    [DataRow("Sum", new long[] { 0, 2 }, true)]
    [DataRow("Mean", new long[] { -1 }, false)]
    [DataRow("Mean", new long[] { 0, 1, 2 }, true)]
    [DataRow("Max", new long[] { 1, -1 }, false)]
    [DataRow("Min", new long[] { 0 }, true)]
    [DataRow("Prod", new long[] { 2 }, false)]
    [DataRow("Sum", new long[] { }, false)]
    [DataRow("Max", new long[] { }, true)]
    public void FloatReductions(string op, long[] axes, bool keep)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 4), low: -2, high: 2);
        Matches(g, new[] { Reduce(g, op, x, g.Ints("axes", axes), keep, F32) }, atol: 1e-5, rtol: 1e-5, opsets: new[] { 13, 18 });
    }

    [TestMethod]
    [DataRow("Sum")]
    [DataRow("Max")]
    [DataRow("Min")]
    [DataRow("Prod")]
    public void ScalarAxisOnIntegers(string op)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", I32, S(3, 4), low: -5, high: 9);
        Matches(g, new[] { Reduce(g, op, x, g.Const("axis", I32, S(), 1), false, I32) }, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(new long[] { 1 }, false)]
    [DataRow(new long[] { 0, 1 }, true)]
    public void IntegerMeanIsTheSumDividedByTheCount(long[] axes, bool keep)
    {
        // TF.js's Mean of int32 returns float32; TensorFlow's stays int32 (the sum divided by the count, truncated). The
        // reference is Sum / count in TF.js, whose integer Div floors: the values are non-negative, so both agree.
        var values = Enumerable.Range(0, 12).Select(i => (double)(i * 5 % 7)).ToArray();
        var g = new TfTestGraph();
        var x = g.Placeholder("x", I32, S(3, 4), values);
        var y = Reduce(g, "Mean", x, g.Ints("axes", axes), keep, I32);
        var r = new TfTestGraph();
        var rx = r.Placeholder("x", I32, S(3, 4), values);
        var count = axes.Aggregate(1L, (a, d) => a * (d == 0 ? 3 : 4));
        var reference = r.Op("Div", new[] { Reduce(r, "Sum", rx, r.Ints("axes", axes), keep, I32), r.Const("n", I32, S(), count) }, ("T", A.T(I32)));
        MatchesDefinition(g, y, r, reference, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow("Sum")]
    [DataRow("Max")]
    [DataRow("Mean")]
    public void RunTimeAxes(string op)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 4));
        var axes = g.Placeholder("axes", I32, S(2), new double[] { 0, -1 });
        Matches(g, new[] { Reduce(g, op, x, axes, true, F32) }, atol: 1e-5, rtol: 1e-5, opsets: new[] { 18 });
    }

    [TestMethod]
    public void RunTimeEmptyAxesReduceNothing()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3));
        var axes = g.Placeholder("axes", I32, S(0), Array.Empty<double>(), declaredShape: S(-1));
        // The result's rank is only known at run time (an ONNX graph output needs one): the test reads values and shapes.
        var outputs = new List<string>();
        foreach (var op in new[] { "Sum", "Max" })
        {
            var y = Reduce(g, op, x, axes, false, F32);
            outputs.Add(g.Op("Reshape", new[] { y, g.Ints("flat_" + op, -1) }, ("T", A.T()), ("Tshape", A.T(I32))));
            outputs.Add(g.Op("Shape", new[] { y }, ("T", A.T()), ("out_type", A.T(I32))));
        }

        Matches(g, outputs, atol: 0, rtol: 0, opsets: new[] { 18 });
    }

    [TestMethod]
    public void RunTimeAxesBelowOpset18AreACodedError()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3));
        var axes = g.Placeholder("axes", I32, S(1), new double[] { 0 });
        var y = Reduce(g, "Max", x, axes, false, F32);
        var e = Assert.ThrowsExactly<BuildConvertException>(() => Convert(g, new[] { y }, 17));
        Assert.AreEqual(DiagnosticCodes.TensorFlowConstantRequired.Code, e.Diagnostics[0].Code);
        StringAssert.Contains(e.Message, "opset 18");
        StringAssert.Contains(e.Message, "input 1 (reduction_indices)");
        StringAssert.Contains(e.Message, "(Max)");
    }

    [TestMethod]
    [DataRow("All", new long[] { 1 }, false)]
    [DataRow("Any", new long[] { 1 }, true)]
    [DataRow("All", new long[] { 0, 1 }, false)]
    [DataRow("Any", new long[] { -2 }, false)]
    [DataRow("All", new long[] { }, false)]
    public void LogicalReductions(string op, long[] axes, bool keep)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", TfDataType.DtBool, S(3, 4), new double[] { 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0 });
        Matches(g, new[] { g.Op(op, new[] { x, g.Ints("axes", axes) }, ("Tidx", A.T(I32)), ("keep_dims", A.Bool(keep))) }, atol: 0, rtol: 0);
    }

    [TestMethod]
    public void LogicalReductionsOfAnEmptyDimension()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", TfDataType.DtBool, S(2, 0), Array.Empty<double>(), declaredShape: S(2, -1));
        var any = g.Op("Any", new[] { x, g.Ints("a2", 1) }, ("Tidx", A.T(I32)), ("keep_dims", A.Bool(false)));
        Matches(g, new[] { any }, atol: 0, rtol: 0);

        // TensorFlow's All of nothing is true (NumPy's too); TF.js returns false. The reference is not(any(not x)).
        var all = g.Op("All", new[] { x, g.Ints("a1", 1) }, ("Tidx", A.T(I32)), ("keep_dims", A.Bool(false)));
        var r = new TfTestGraph();
        var rx = r.Placeholder("x", TfDataType.DtBool, S(2, 0), Array.Empty<double>(), declaredShape: S(2, -1));
        var notAny = r.Op("Any", new[] { r.Op("LogicalNot", new[] { rx }), r.Ints("a", 1) }, ("Tidx", A.T(I32)), ("keep_dims", A.Bool(false)));
        MatchesDefinition(g, all, r, r.Op("LogicalNot", new[] { notAny }), atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow("ArgMax", 1, TfDataType.DtInt64)]
    [DataRow("ArgMax", -1, TfDataType.DtInt32)]
    [DataRow("ArgMin", 0, TfDataType.DtInt64)]
    [DataRow("ArgMin", 2, TfDataType.DtInt32)]
    public void ArgReductions(string op, int dimension, TfDataType output)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(3, 4, 5));
        var y = g.Op(op, new[] { x, g.Const("dim", I32, S(), dimension) }, ("T", A.T()), ("Tidx", A.T(I32)), ("output_type", A.T(output)));
        var model = Matches(g, new[] { y }, atol: 0, rtol: 0);
        Assert.AreEqual(output == TfDataType.DtInt64 ? Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Int64 : Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Int32,
            model.Graph.Outputs[0].Type!.ElementType);
    }

    [TestMethod]
    public void ArgMaxOfTiesIsTheFirstIndex()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", I32, S(2, 4), new double[] { 1, 3, 3, 0, 2, 2, 2, 2 });
        var max = g.Op("ArgMax", new[] { x, g.Const("d1", I32, S(), 1) }, ("T", A.T(I32)), ("Tidx", A.T(I32)), ("output_type", A.T(TfDataType.DtInt64)));
        var min = g.Op("ArgMin", new[] { x, g.Const("d2", I32, S(), 1) }, ("T", A.T(I32)), ("Tidx", A.T(I32)), ("output_type", A.T(TfDataType.DtInt64)));
        Matches(g, new[] { max, min }, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(new long[] { 1 }, false)]
    [DataRow(new long[] { 0, -1 }, true)]
    public void EuclideanNormMatchesItsDefinition(long[] axes, bool keep)
    {
        // TF.js has no EuclideanNorm: the reference is sqrt(sum(x * x)).
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(3, 4));
        var y = Reduce(g, "EuclideanNorm", x, g.Ints("axes", axes), keep, F32);
        var r = new TfTestGraph();
        var rx = r.Placeholder("x", F32, S(3, 4));
        var sq = r.Op("Mul", new[] { rx, rx }, ("T", A.T()));
        var reference = r.Op("Sqrt", new[] { Reduce(r, "Sum", sq, r.Ints("axes", axes), keep, F32) }, ("T", A.T()));
        MatchesDefinition(g, y, r, reference, atol: 1e-5, rtol: 1e-5);
    }
}
