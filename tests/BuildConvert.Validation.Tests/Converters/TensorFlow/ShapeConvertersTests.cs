using BuildConvert.Core.Diagnostics;
using static BuildConvert.Validation.Tests.Converters.TensorFlow.TfOracleAssert;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// One-node tests of Converters/TensorFlow/Shapes/ShapeConverters.cs against TensorFlow.js: constant and run-time
/// shapes, -1 and empty dimensions, a dynamic batch, negative axes, every output of the multi-output ops.
/// </summary>
[TestClass]
public sealed class ShapeConvertersTests
{
    private static readonly TfDataType I32 = TfDataType.DtInt32;

    private static (string, Core.Formats.TensorFlow.Proto.AttrValue) T(TfDataType type) => ("T", A.T(type));

    private static string Out(string tensor, int k) => tensor[..tensor.LastIndexOf(':')] + ":" + k;

    [TestMethod]
    [DataRow(new long[] { 4, -1 })]
    [DataRow(new long[] { -1 })]
    [DataRow(new long[] { 2, 3, 1, 4 })]
    [DataRow(new long[] { 1, -1, 6 })]
    public void ReshapeWithAConstantShape(long[] shape)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 4));
        Matches(g, new[] { g.Op("Reshape", new[] { x, g.Ints("shape", shape) }, T(F32), ("Tshape", A.T(I32))) }, atol: 0, rtol: 0, opsets: new[] { 13, 17 });
    }

    [TestMethod]
    public void ReshapeWithADynamicBatch()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(3, 2, 5), declaredShape: S(-1, 2, 5));
        Matches(g, new[] { g.Op("Reshape", new[] { x, g.Ints("shape", -1, 10) }, T(F32), ("Tshape", A.T(I32))) }, atol: 0, rtol: 0);
    }

    [TestMethod]
    public void ReshapeWithARunTimeShape()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", I32, S(2, 6), low: -9, high: 9);
        var shape = g.Placeholder("shape", I32, S(3), new double[] { 3, -1, 2 });
        Matches(g, new[] { g.Op("Reshape", new[] { x, shape }, T(I32), ("Tshape", A.T(I32))) }, atol: 0, rtol: 0, opsets: new[] { 13, 17 });
    }

    private static readonly int[] AllOpsets = { 13, 14, 17, 21 };

    [TestMethod]
    [DataRow(new long[] { 3, 0 }, false)]
    [DataRow(new long[] { 0, 3 }, false)]
    [DataRow(new long[] { 1, 0, 2 }, false)]
    [DataRow(new long[] { 3, 0 }, true)]
    [DataRow(new long[] { 0, 0 }, true)]
    [DataRow(new long[] { 2, 0, 0, 1 }, true)]
    public void ReshapeToAnEmptyDimension(long[] shape, bool runTime)
    {
        // A size-0 dimension is declared unknown: TF.js reads a declared 0 as "no size".
        foreach (var type in new[] { F32, I32, TfDataType.DtBool })
        {
            var g = new TfTestGraph();
            var x = g.Placeholder("x", type, S(0, 3), Array.Empty<double>(), declaredShape: S(-1, 3));
            var s = runTime ? g.Placeholder("shape", I32, S(shape.Length), shape.Select(d => (double)d).ToArray()) : g.Ints("shape", shape);
            Matches(g, new[] { g.Op("Reshape", new[] { x, s }, T(type), ("Tshape", A.T(I32))) }, opsets: AllOpsets);
        }
    }

    [TestMethod]
    [DataRow(new long[] { -1, 6 }, false)]
    [DataRow(new long[] { 3, -1 }, false)]
    [DataRow(new long[] { -1 }, true)]
    [DataRow(new long[] { 2, -1, 3 }, true)]
    public void ReshapeOfAnEmptyTensorInfersMinusOneAsZero(long[] shape, bool runTime)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(0, 3, 2), Array.Empty<double>(), declaredShape: S(-1, 3, 2));
        var s = runTime ? g.Placeholder("shape", I32, S(shape.Length), shape.Select(d => (double)d).ToArray()) : g.Ints("shape", shape);
        Matches(g, new[] { g.Op("Reshape", new[] { x, s }, T(F32), ("Tshape", A.T(I32))) }, opsets: AllOpsets);
    }

    [TestMethod]
    [DataRow(new long[] { 2, 0, 5 }, false, new long[] { 2, 0, -1 }, false, new long[] { 2, 0, 5 })]
    [DataRow(new long[] { 2, 0, 5 }, true, new long[] { 2, 0, -1 }, false, new long[] { 2, 0, 5 })]
    [DataRow(new long[] { 2, 0, 5 }, false, new long[] { -1, 0 }, true, new long[] { 10, 0 })]
    [DataRow(new long[] { 0, 6 }, true, new long[] { 0, -1 }, false, new long[] { 0, 6 })]
    [DataRow(new long[] { 0, 6 }, true, new long[] { 0, -1, 2 }, true, new long[] { 0, 3, 2 })]
    [DataRow(new long[] { 0, 4, 0, 3 }, true, new long[] { 3, 0, -1 }, true, new long[] { 3, 0, 4 })]
    public void ReshapeWithAZeroAndMinusOneSkipsZeroSizes(long[] input, bool dynamic, long[] shape, bool runTime, long[] expected)
    {
        // TF.js refuses a -1 beside a 0 ("Cannot infer the missing size ... when there are 0 elements"), so the expected shapes
        // are hand-computed from TensorFlow's kernel (core/kernels/reshape_op.h): when the shape has a 0, the -1 is the
        // product of the input's non-zero sizes over the product of the shape's other non-zero sizes.
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, input, Array.Empty<double>(), declaredShape: dynamic ? input.Select(_ => -1L).ToArray() : input);
        var s = runTime ? g.Placeholder("shape", I32, S(shape.Length), shape.Select(d => (double)d).ToArray()) : g.Ints("shape", shape);
        var y = g.Op("Reshape", new[] { x, s }, T(F32), ("Tshape", A.T(I32)));
        foreach (var opset in AllOpsets)
        {
            var actual = RunOnnx(Convert(g, new[] { y }, opset), g)[0];
            CollectionAssert.AreEqual(expected, actual.Shape.ToArray(), $"opset {opset}: [{string.Join(",", actual.Shape)}]");
        }
    }

    [TestMethod]
    [DataRow(3)]
    [DataRow(0)]
    public void ReshapeToTheBatchAndMinusOneAtRunTime(int batch)
    {
        // reshape(x, [tf.shape(x)[0], -1]): at batch 0 TensorFlow gives [0, 12], TF.js refuses (see above), so that case is
        // checked against the hand-computed shape; the non-empty batch against TF.js.
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(batch, 3, 4), declaredShape: S(-1, 3, 4));
        var shape = g.Op("Shape", new[] { x }, T(F32), ("out_type", A.T(I32)));
        var first = g.Op("StridedSlice", new[] { shape, g.Ints("b", 0), g.Ints("e", 1), g.Ints("st", 1) },
            T(I32), ("Index", A.T(I32)), ("shrink_axis_mask", A.Int(1)));
        var target = g.Op("Pack", new[] { first, g.Const("m1", I32, S(), -1) }, T(I32), ("N", A.Int(2)), ("axis", A.Int(0)));
        var y = g.Op("Reshape", new[] { x, target }, T(F32), ("Tshape", A.T(I32)));
        if (batch > 0)
        {
            Matches(g, new[] { y }, atol: 0, rtol: 0, opsets: AllOpsets);
            return;
        }

        foreach (var opset in AllOpsets)
        {
            CollectionAssert.AreEqual(new long[] { 0, 12 }, RunOnnx(Convert(g, new[] { y }, opset), g)[0].Shape.ToArray(), $"opset {opset}");
        }
    }

    [TestMethod]
    public void ReshapeWithoutAZeroOrMinusOneNeedsNoResolving()
    {
        // Shape ops only where a 0 may meet a -1: a run-time shape built from a constant without 0 is a plain Reshape.
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 6), declaredShape: S(-1, 6));
        var shape = g.Op("Shape", new[] { x }, T(F32), ("out_type", A.T(I32)));
        var first = g.Op("StridedSlice", new[] { shape, g.Ints("b", 0), g.Ints("e", 1), g.Ints("st", 1) },
            T(I32), ("Index", A.T(I32)), ("shrink_axis_mask", A.Int(1)));
        var target = g.Op("Pack", new[] { first, g.Const("three", I32, S(), 3), g.Const("two", I32, S(), 2) }, T(I32), ("N", A.Int(3)), ("axis", A.Int(0)));
        var y = g.Op("Reshape", new[] { x, target }, T(F32), ("Tshape", A.T(I32)));
        var model = Matches(g, new[] { y }, atol: 0, rtol: 0, opsets: AllOpsets);
        Assert.IsFalse(model.Graph.Nodes.Any(n => n.OpType is "Where" or "If"), "no -1 to resolve");
    }

    [TestMethod]
    [DataRow(new long[] { })]
    [DataRow(new long[] { 0 })]
    [DataRow(new long[] { -1, 2 })]
    public void Squeeze(long[] dims)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(1, 3, 1, 2, 1));
        Matches(g, new[] { g.Op("Squeeze", new[] { x }, T(F32), ("squeeze_dims", A.Ints(dims))) }, atol: 0, rtol: 0);
    }

    [TestMethod]
    public void SqueezeOfADynamicShapeDropsTheOnesAtRunTime()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(1, 3, 1), declaredShape: S(-1, 3, -1));
        var y = g.Op("Squeeze", new[] { x }, T(F32), ("squeeze_dims", A.Ints()));
        // The rank is only known at run time (an ONNX graph output needs one), so the test reads the values and the shape.
        var flat = g.Op("Reshape", new[] { y, g.Ints("flat", -1) }, T(F32), ("Tshape", A.T(I32)));
        Matches(g, new[] { flat, g.Op("Shape", new[] { y }, T(F32), ("out_type", A.T(I32))) }, atol: 0, rtol: 0);
    }

    [TestMethod]
    public void SqueezeOfASizeTwoDimensionIsACodedError()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3));
        var y = g.Op("Squeeze", new[] { x }, T(F32), ("squeeze_dims", A.Ints(0)));
        var e = Assert.ThrowsExactly<BuildConvertException>(() => Convert(g, new[] { y }));
        Assert.AreEqual(DiagnosticCodes.TensorFlowNodeInvalid.Code, e.Diagnostics[0].Code);
        StringAssert.Contains(e.Message, "squeeze_dims");
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(2)]
    [DataRow(-1)]
    [DataRow(-3)]
    public void ExpandDims(int axis)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(3, 4));
        var y = g.Op("ExpandDims", new[] { x, g.Const("axis", I32, S(), axis) }, T(F32), ("Tdim", A.T(I32)));
        Matches(g, new[] { y }, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(-1)]
    [DataRow(-3)]
    public void ExpandDimsWithARunTimeAxis(int axis)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", I32, S(3, 4), low: -9, high: 9);
        var a = g.Placeholder("axis", I32, S(), new double[] { axis });
        Matches(g, new[] { g.Op("ExpandDims", new[] { x, a }, T(I32), ("Tdim", A.T(I32))) }, atol: 0, rtol: 0);
    }

    [TestMethod]
    public void ConcatV2WithARunTimeAxisIsACodedError()
    {
        var g = new TfTestGraph();
        var a = g.Placeholder("a", F32, S(2, 3));
        var axis = g.Placeholder("axis", I32, S(), new double[] { 0 });
        var y = g.OpNamed("cat", "ConcatV2", new[] { a, a, axis }, T(F32), ("N", A.Int(2)), ("Tidx", A.T(I32)));
        var e = Assert.ThrowsExactly<BuildConvertException>(() => Convert(g, new[] { y }));
        Assert.AreEqual(DiagnosticCodes.TensorFlowConstantRequired.Code, e.Diagnostics[0].Code);
        StringAssert.Contains(e.Message, "node 'cat' (ConcatV2): input 2 (axis)");
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(-1)]
    public void ConcatV2AndConcat(int axis)
    {
        var g = new TfTestGraph();
        var a = g.Placeholder("a", F32, S(2, 3));
        var b = g.Placeholder("b", F32, S(2, 3));
        var c = g.Placeholder("c", F32, S(2, 3));
        var v2 = g.Op("ConcatV2", new[] { a, b, c, g.Const("axis", I32, S(), axis) }, T(F32), ("N", A.Int(3)), ("Tidx", A.T(I32)));
        Matches(g, new[] { v2 }, atol: 0, rtol: 0);
    }

    [TestMethod]
    public void ConcatV2OfIntegersWithAnEmptyPart()
    {
        var g = new TfTestGraph();
        var a = g.Placeholder("a", I32, S(2, 0), Array.Empty<double>(), declaredShape: S(2, -1));
        var b = g.Placeholder("b", I32, S(2, 3), low: -5, high: 5);
        var y = g.Op("ConcatV2", new[] { a, b, b, g.Const("axis", I32, S(), 1) }, T(I32), ("N", A.Int(3)), ("Tidx", A.T(I32)));
        Matches(g, new[] { y }, atol: 0, rtol: 0);
    }

    [TestMethod]
    public void LegacyConcatTakesTheAxisFirst()
    {
        var g = new TfTestGraph();
        var a = g.Placeholder("a", F32, S(2, 3));
        var b = g.Placeholder("b", F32, S(1, 3));
        var y = g.Op("Concat", new[] { g.Const("dim", I32, S(), 0), a, b }, T(F32), ("N", A.Int(2)));
        Matches(g, new[] { y }, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(-1)]
    public void Pack(int axis)
    {
        var g = new TfTestGraph();
        var a = g.Placeholder("a", F32, S(2, 3));
        var b = g.Placeholder("b", F32, S(2, 3));
        Matches(g, new[] { g.Op("Pack", new[] { a, b, a }, T(F32), ("N", A.Int(3)), ("axis", A.Int(axis))) }, atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(0, 2)]
    [DataRow(1, 3)]
    [DataRow(-1, 4)]
    public void UnpackEveryOutput(int axis, int num)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 4));
        var y = g.Op("Unpack", new[] { x }, T(F32), ("num", A.Int(num)), ("axis", A.Int(axis)));
        Matches(g, Enumerable.Range(0, num).Select(k => Out(y, k)).ToArray(), atol: 0, rtol: 0, opsets: new[] { 13, 18 });
    }

    [TestMethod]
    [DataRow(0, 2)]
    [DataRow(-1, 3)]
    [DataRow(1, 1)]
    public void Split(int axis, int count)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(4, 6));
        var y = g.Op("Split", new[] { g.Const("dim", I32, S(), axis), x }, T(F32), ("num_split", A.Int(count)));
        Matches(g, Enumerable.Range(0, count).Select(k => Out(y, k)).ToArray(), atol: 0, rtol: 0, opsets: new[] { 13, 18 });
    }

    [TestMethod]
    [DataRow(new long[] { 1, 2, 3 }, false)]
    [DataRow(new long[] { 2, -1, 1 }, false)]
    [DataRow(new long[] { 2, -1 }, true)]
    [DataRow(new long[] { 1, -1, 3 }, true)]
    [DataRow(new long[] { 0, 6 }, false)]
    public void SplitV(long[] sizes, bool dynamic)
    {
        // TF.js resolves a -1 wrongly when it is the first size (its sum starts from that -1), so the -1s here are not first.
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 6), declaredShape: dynamic ? S(2, -1) : S(2, 6));
        var y = g.Op("SplitV", new[] { x, g.Ints("sizes", sizes), g.Const("dim", I32, S(), -1) }, T(F32), ("num_split", A.Int(sizes.Length)), ("Tlen", A.T(I32)));
        Matches(g, Enumerable.Range(0, sizes.Length).Select(k => Out(y, k)).ToArray(), atol: 0, rtol: 0);
    }

    [TestMethod]
    [DataRow(new long[] { 1, 2, 3 }, false)]
    [DataRow(new long[] { 2, -1, 1 }, false)]
    [DataRow(new long[] { 4, -1 }, true)]
    [DataRow(new long[] { 0, 6 }, true)]
    public void SplitVWithRunTimeSizes(long[] sizes, bool dynamic)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 6), declaredShape: dynamic ? S(2, -1) : S(2, 6));
        var s = g.Placeholder("sizes", I32, S(sizes.Length), sizes.Select(v => (double)v).ToArray());
        var y = g.Op("SplitV", new[] { x, s, g.Const("dim", I32, S(), 1) }, T(F32), ("num_split", A.Int(sizes.Length)), ("Tlen", A.T(I32)));
        Matches(g, Enumerable.Range(0, sizes.Length).Select(k => Out(y, k)).ToArray(), atol: 0, rtol: 0, opsets: new[] { 13, 18 });
    }

    [TestMethod]
    public void ShapeAndShapeNOfADynamicInput()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(3, 2, 5), declaredShape: S(-1, 2, -1));
        var z = g.Placeholder("z", I32, S(7));
        var shape32 = g.Op("Shape", new[] { x }, T(F32), ("out_type", A.T(I32)));
        var shape64 = g.Op("Shape", new[] { x }, T(F32), ("out_type", A.T(TfDataType.DtInt64)));
        var model = Matches(g, new[] { shape32, shape64, g.Op("Shape", new[] { z }, T(I32), ("out_type", A.T(I32))) }, atol: 0, rtol: 0);
        Assert.AreEqual(Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Int64, model.Graph.Outputs[1].Type!.ElementType);
        Assert.AreEqual(Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Int32, model.Graph.Outputs[0].Type!.ElementType);
    }

    [TestMethod]
    public void ShapeNGivesEachInputsShape()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(3, 2, 5), declaredShape: S(-1, 2, -1));
        var z = g.Placeholder("z", I32, S(7));
        var n = g.Op("ShapeN", new[] { x, z }, T(F32), ("N", A.Int(2)), ("out_type", A.T(I32)));
        // TF.js's ShapeN returns float32 whatever out_type says; TensorFlow returns out_type (the values are compared).
        Matches(g, new[] { n, Out(n, 1) }, atol: 0, rtol: 0, checkKind: false);
    }

    [TestMethod]
    public void FillWithConstantAndRunTimeOperands()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 4), declaredShape: S(-1, 4));
        var v = g.Placeholder("v", F32, S(), new[] { 2.5 });
        var dims = g.Op("Shape", new[] { x }, T(F32), ("out_type", A.T(I32)));
        var constant = g.Op("Fill", new[] { g.Ints("dims", 2, 3), g.Const("value", I32, S(), 7) }, T(I32), ("index_type", A.T(I32)));
        var runtime = g.Op("Fill", new[] { dims, v }, T(F32), ("index_type", A.T(I32)));
        var empty = g.Op("Fill", new[] { g.Ints("dims0", 0, 3), g.Const("one", F32, S(), 1) }, T(F32), ("index_type", A.T(I32)));
        Matches(g, new[] { constant, runtime, empty }, atol: 0, rtol: 0);
    }
}
