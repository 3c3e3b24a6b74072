using BuildConvert.Core.Evaluation;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Values;
using Microsoft.ML.OnnxRuntime;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Validation.Tests.Evaluation;

/// <summary>
/// Every op of <see cref="ReferenceEvaluator"/> against ONNX Runtime: a one-node model whose inputs are graph inputs
/// (so ONNX Runtime's own kernel computes, not its constant folder) is run on the same tensors, and the results must
/// match: same element type and shape, integer and bool elements bit for bit, floats within 1 ulp-ish (rtol 1e-6).
/// </summary>
[TestClass]
public sealed class ReferenceEvaluatorOrtTests
{
    private static TensorData I64(long[] dims, params long[] v) => TensorData.FromInt64s(v, dims);

    private static TensorData I64(params long[] v) => TensorData.FromInt64s(v);

    private static TensorData I32(long[] dims, params int[] v) => TensorData.FromInt32s(v, dims);

    private static TensorData F32(long[] dims, params float[] v) => TensorData.FromFloats(v, dims);

    private static TensorData F64(long[] dims, params double[] v) => TensorData.FromDoubles(v, dims);

    private static TensorData Typed(DataType type, long[] dims, params double[] v)
    {
        var size = ElementTypes.BitsPerElement(type) / 8;
        var bytes = new byte[v.Length * size];
        for (var i = 0; i < v.Length; i++)
        {
            ElementWriter.Write(type, bytes.AsSpan(i * size, size), v[i]);
        }

        return TensorData.FromBytes(type, dims, bytes);
    }

    private static TensorData Bools(long[] dims, params bool[] v) => TensorData.FromBytes(DataType.Bool, dims, v.Select(b => b ? (byte)1 : (byte)0).ToArray());

    private static TensorData Scalar64(long v) => TensorData.FromInt64s(new[] { v }, Array.Empty<long>());

    private static TensorData ScalarF(float v) => TensorData.FromFloats(new[] { v }, Array.Empty<long>());

    private static readonly long[] S2x3 = { 2, 3 };
    private static readonly long[] S3 = { 3 };
    private static readonly long[] S1 = { 1 };
    private static readonly long[] S0 = Array.Empty<long>();

    private static NodeAttribute I(string name, long v) => NodeAttribute.Of(name, v);

    private static NodeAttribute A(string name, params long[] v) => NodeAttribute.Of(name, v);

    /// <summary>Runs the op both ways and compares; returns ONNX Runtime's outputs.</summary>
    private static void Same(string op, long opset, TensorData?[] inputs, params NodeAttribute[] attributes) =>
        SameWithOutputs(op, opset, 1, inputs, attributes);

    private static void SameWithOutputs(string op, long opset, int outputs, TensorData?[] inputs, params NodeAttribute[] attributes)
    {
        var model = new Model(opset, opset >= 21 ? 10 : opset >= 13 ? 7 : 6);
        var g = model.Graph;
        var values = new List<Value?>();
        for (var i = 0; i < inputs.Length; i++)
        {
            values.Add(inputs[i] is { } t ? g.AddInput($"in{i}", OnnxType.Tensor(t.ElementType, t.Dims)) : null);
        }

        var node = g.AddNode(op, values, outputs, attributes, name: "n");
        var label = $"{op}({string.Join(", ", inputs.Select(t => t?.ToString() ?? "-"))}) {string.Join(" ", attributes.Select(a => a.ToString()))} @{opset}";
        Assert.IsTrue(ReferenceEvaluator.TryEvaluate(node, inputs, out var ours), $"the evaluator refused {label}");
        for (var i = 0; i < outputs; i++)
        {
            node.Outputs[i]!.Type = OnnxType.Tensor(ours[i]!.ElementType);
            g.Outputs.Add(node.Outputs[i]!);
        }

        var bytes = OnnxModelWriter.ToBytes(OnnxGraphExporter.ToProto(model));
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(bytes, options);
        var feeds = new List<OrtValue>();
        try
        {
            var names = new List<string>();
            for (var i = 0; i < inputs.Length; i++)
            {
                if (inputs[i] is { } t)
                {
                    feeds.Add(OrtValueBridge.ToOrtValue(t.ToTensorValue($"in{i}")));
                    names.Add($"in{i}");
                }
            }

            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, names, feeds, session.OutputNames);
            for (var i = 0; i < outputs; i++)
            {
                var expected = (TensorValue)OrtValueBridge.FromOrtValue("o", results[i]);
                Compare(label, expected, ours[i]!);
            }
        }
        finally
        {
            foreach (var f in feeds)
            {
                f.Dispose();
            }
        }
    }

    private static void Compare(string label, TensorValue expected, TensorData actual)
    {
        Assert.AreEqual(expected.ElementType, actual.ElementType, $"{label}: element type");
        CollectionAssert.AreEqual(expected.Shape, actual.Dims, $"{label}: shape [{string.Join(",", expected.Shape)}] vs [{string.Join(",", actual.Dims)}]");
        if (!TensorMathIsFloat(actual.ElementType))
        {
            CollectionAssert.AreEqual(expected.Data.ToArray(), actual.Bytes.ToArray(), $"{label}: elements differ");
            return;
        }

        var a = actual.ToDoubles();
        for (var i = 0; i < a.Length; i++)
        {
            var e = expected.GetDouble(i);
            if (double.IsNaN(e) && double.IsNaN(a[i]))
            {
                continue;
            }

            var tolerance = actual.ElementType == DataType.Float16 ? 1e-3 : actual.ElementType == DataType.Float ? 1e-6 : 1e-12;
            Assert.IsTrue(e == a[i] || Math.Abs(e - a[i]) <= tolerance * Math.Abs(e), $"{label}: element {i}: ONNX Runtime {e}, ours {a[i]}");
        }
    }

    private static bool TensorMathIsFloat(DataType t) => t is DataType.Float or DataType.Double or DataType.Float16 or DataType.Bfloat16;

    [TestMethod]
    public void ShapeAndSize()
    {
        var x = F32(new long[] { 2, 3, 4 }, new float[24]);
        Same("Shape", 13, new[] { x });
        Same("Shape", 21, new[] { x }, I("start", 1));
        Same("Shape", 21, new[] { x }, I("start", -2), I("end", 10));
        Same("Shape", 21, new[] { x }, I("start", 2), I("end", 1));
        Same("Size", 13, new[] { x });
        Same("Size", 13, new[] { F32(new long[] { 0, 3 }) });
    }

    [TestMethod]
    public void GatherConcatAndSlice()
    {
        var data = I64(new long[] { 3, 2 }, 1, 2, 3, 4, 5, 6);
        Same("Gather", 13, new[] { data, I64(new long[] { 2 }, 2, -3) });
        Same("Gather", 13, new[] { data, I64(S0, -1) }, I("axis", 1));
        Same("Gather", 13, new[] { data, I32(new long[] { 2, 2 }, 0, 1, 1, 0) }, I("axis", -1));
        Same("Gather", 13, new[] { I64(4, 5, 6), Scalar64(1) });
        Same("Concat", 13, new[] { I64(1, 2), I64(3), I64(Array.Empty<long>()) }, I("axis", 0));
        Same("Concat", 13, new[] { F32(S2x3, 1, 2, 3, 4, 5, 6), F32(new long[] { 2, 1 }, 7, 8) }, I("axis", -1));
        var x = I64(new long[] { 3, 4 }, Enumerable.Range(0, 12).Select(i => (long)i).ToArray());
        Same("Slice", 13, new[] { x, I64(1), I64(long.MaxValue), I64(1), I64(2) });
        Same("Slice", 13, new[] { x, I64(-1, 10), I64(long.MinValue, -10), I64(0, 1), I64(-1, -3) });
        Same("Slice", 13, new[] { x, I64(0, 1), I64(-1, 3) });
        Same("Slice", 13, new[] { x, I64(5), I64(7), I64(1) });
        Same("Slice", 9, new[] { x }, A("starts", 1, 0), A("ends", 3, -1), A("axes", 1, 0));
        Same("Slice", 1, new[] { x }, A("starts", -2), A("ends", 1000));
    }

    [TestMethod]
    public void SqueezeUnsqueezeReshapeFlatten()
    {
        var x = F32(new long[] { 1, 3, 1 }, 1, 2, 3);
        Same("Squeeze", 13, new[] { x });
        Same("Squeeze", 13, new[] { x, I64(-1) });
        Same("Squeeze", 11, new[] { x }, A("axes", 0));
        Same("Unsqueeze", 13, new[] { x, I64(0, -1) });
        Same("Unsqueeze", 11, new[] { x }, A("axes", 1, 4));
        Same("Unsqueeze", 13, new[] { Scalar64(7), I64(0) });
        var y = I64(new long[] { 2, 3, 4 }, Enumerable.Range(0, 24).Select(i => (long)i).ToArray());
        Same("Reshape", 13, new[] { y, I64(0, -1) });
        Same("Reshape", 13, new[] { y, I64(4, 0, 2) });
        Same("Reshape", 14, new[] { F32(new long[] { 0, 3 }), I64(3, 0) }, I("allowzero", 1));
        Same("Reshape", 13, new[] { y, I64(-1) });
        Same("Flatten", 13, new[] { y }, I("axis", 0));
        Same("Flatten", 13, new[] { y }, I("axis", -1));
        Same("Flatten", 13, new[] { y });
    }

    [TestMethod]
    public void CastBetweenTypes()
    {
        var f = F32(new long[] { 6 }, 1.5f, -2.7f, 0f, 65504f, 1e-8f, 3.999f);
        foreach (var to in new[] { DataType.Int64, DataType.Int32, DataType.Int8, DataType.Uint8, DataType.Bool, DataType.Double, DataType.Float16, DataType.Bfloat16 })
        {
            var input = to is DataType.Int8 or DataType.Uint8 ? F32(new long[] { 4 }, 1.5f, 100.9f, 0f, 3.999f) : f;
            Same("Cast", 13, new[] { input }, I("to", (long)to));
        }

        var big = I64(long.MaxValue, long.MinValue, 300, -129, 16777217, 0);
        foreach (var to in new[] { DataType.Int32, DataType.Int8, DataType.Uint8, DataType.Int16, DataType.Uint16, DataType.Uint32, DataType.Float, DataType.Double, DataType.Float16, DataType.Bool })
        {
            Same("Cast", 13, new[] { big }, I("to", (long)to));
        }

        Same("Cast", 13, new[] { Bools(S3, true, false, true) }, I("to", (long)DataType.Float));
        Same("Cast", 13, new[] { Typed(DataType.Float16, S3, 0.5, -1024, 3.25) }, I("to", (long)DataType.Int32));
        Same("Cast", 13, new[] { F64(S3, 1e300, 0.1, double.NaN) }, I("to", (long)DataType.Float));
        Same("Cast", 13, new[] { F64(S3, 1.0000001, 0.1, -7) }, I("to", (long)DataType.Float16));
        Same("Cast", 19, new[] { I32(S3, 1, 2, 3) }, I("to", (long)DataType.Int64));
    }

    [TestMethod]
    public void ArithmeticWithBroadcasting()
    {
        var a = I64(new long[] { 2, 3 }, 7, -7, 8, -9, 0, 5);
        var b = I64(new long[] { 3 }, 2, 3, -4);
        foreach (var op in new[] { "Add", "Sub", "Mul", "Div" })
        {
            Same(op, 14, new[] { a, b });
            Same(op, 14, new[] { F32(S2x3, 1, 2.5f, -3, 4, 1e30f, -0f), F32(new long[] { 2, 1 }, 3, -0.1f) });
            Same(op, 14, new[] { I32(S3, int.MaxValue, int.MinValue, 5), I32(S1, 3) });
            Same(op, 14, new[] { Typed(DataType.Uint8, S3, 200, 3, 255), Typed(DataType.Uint8, S0, 7) });
            Same(op, 14, new[] { F64(S3, 1, 2, 3), F64(S0, 0.3) });
        }

        Same("Add", 14, new[] { Typed(DataType.Int8, S3, 127, -128, 1), Typed(DataType.Int8, S3, 1, -1, 1) });
        Same("Mod", 13, new[] { a, b });
        Same("Mod", 13, new[] { a, b }, I("fmod", 1));
        Same("Mod", 13, new[] { F32(S3, 5.5f, -5.5f, 7), F32(S3, 2, 2, -3) }, I("fmod", 1));
        Same("Mod", 13, new[] { I32(S3, -7, 7, -1), I32(S3, -3, -3, 5) });
        Same("Pow", 15, new[] { F32(S3, 2, 9, -3), F32(S3, 3, 0.5f, 2) });
        Same("Pow", 15, new[] { I64(2, 3, -5), I64(10, 3, 3) });
        Same("Pow", 15, new[] { F32(S3, 2, 9, 1.5f), I64(2, 0, 3) });
        Same("Pow", 7, new[] { F32(S3, 2, 9, 1.5f), F32(S1, 2) });
    }

    [TestMethod]
    public void UnaryMath()
    {
        var f = F32(new long[] { 6 }, -2.5f, -0.5f, 0, 0.5f, 2.5f, 9);
        foreach (var op in new[] { "Neg", "Abs", "Floor", "Ceil", "Sqrt", "Reciprocal", "Relu", "Sign" })
        {
            Same(op, 14, new[] { f });
        }

        foreach (var op in new[] { "Neg", "Abs", "Sign" })
        {
            Same(op, 14, new[] { I64(-3, 0, 4, long.MinValue) });
            Same(op, 14, new[] { I32(S3, -3, 0, 4) });
        }

        Same("Sqrt", 13, new[] { F64(S3, 2, 0, 1e-300) });
        Same("Abs", 13, new[] { Typed(DataType.Int8, S3, -128, -1, 5) });
    }

    [TestMethod]
    public void ComparisonLogicAndWhere()
    {
        var a = I64(new long[] { 2, 3 }, 1, 2, 3, 4, 5, 6);
        var b = I64(3, 2, 6);
        foreach (var op in new[] { "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual" })
        {
            Same(op, 16, new[] { a, b });
            Same(op, 16, new[] { F32(S3, 1, float.NaN, -0f), F32(S1, 0) });
        }

        Same("Equal", 13, new[] { Bools(S3, true, false, true), Bools(S1, true) });
        var p = Bools(new long[] { 2, 2 }, true, false, true, true);
        var q = Bools(new long[] { 2 }, false, true);
        foreach (var op in new[] { "And", "Or", "Xor" })
        {
            Same(op, 13, new[] { p, q });
        }

        Same("Not", 13, new[] { p });
        Same("Where", 16, new[] { Bools(S3, true, false, true), a, I64(S0, -1) });
        Same("Where", 16, new[] { Bools(new long[] { 2, 1 }, true, false), F32(S3, 1, 2, 3), F32(S1, 9) });
    }

    [TestMethod]
    public void VariadicMinMaxSumMean()
    {
        foreach (var op in new[] { "Min", "Max" })
        {
            Same(op, 13, new[] { I64(new long[] { 2, 2 }, 1, 5, -3, 8), I64(2, 4), I64(S0, 3) });
            Same(op, 13, new[] { I32(S3, 1, -2, 3), I32(S3, 0, 0, 9) });
        }

        foreach (var op in new[] { "Min", "Max", "Sum" })
        {
            Same(op, 13, new[] { F32(S3, 1, -2, 3) });
            Same(op, 13, new[] { F32(new long[] { 2, 1 }, 1, 5), F32(S3, 2, -4, 0), F32(S0, 3) });
            Same(op, 13, new[] { F64(S3, 1, -2, 3), F64(S1, 0.5) });
        }

        Same("Mean", 13, new[] { F32(S3, 1, -2, 3), F32(S1, 2) });
    }

    [TestMethod]
    public void RangeConstantOfShapeAndConstant()
    {
        Same("Range", 11, new[] { Scalar64(0), Scalar64(10), Scalar64(3) });
        Same("Range", 11, new[] { Scalar64(10), Scalar64(-3), Scalar64(-4) });
        Same("Range", 11, new[] { Scalar64(5), Scalar64(5), Scalar64(1) });
        Same("Range", 11, new[] { Scalar64(5), Scalar64(0), Scalar64(1) });
        Same("Range", 11, new[] { TensorData.FromInt32s(new[] { -3 }, S0), TensorData.FromInt32s(new[] { 4 }, S0), TensorData.FromInt32s(new[] { 2 }, S0) });
        Same("Range", 11, new[] { ScalarF(0.1f), ScalarF(1.05f), ScalarF(0.1f) });
        Same("Range", 11, new[] { F64(S0, 1), F64(S0, -2), F64(S0, -0.3) });
        Same("ConstantOfShape", 9, new[] { I64(2, 3) });
        Same("ConstantOfShape", 9, new[] { I64(Array.Empty<long>()) }, NodeAttribute.Of("value", I64(S1, 7)));
        Same("ConstantOfShape", 9, new[] { I64(3, 0) }, NodeAttribute.Of("value", F32(S1, 2.5f)));
        Same("ConstantOfShape", 20, new[] { I64(2) }, NodeAttribute.Of("value", Bools(S1, true)));
        Same("Constant", 13, Array.Empty<TensorData?>(), NodeAttribute.Of("value", F32(S2x3, 1, 2, 3, 4, 5, 6)));
        Same("Constant", 13, Array.Empty<TensorData?>(), NodeAttribute.Of("value_float", 1.5f));
        Same("Constant", 13, Array.Empty<TensorData?>(), NodeAttribute.Of("value_floats", new[] { 1.5f, -2f }));
        Same("Constant", 13, Array.Empty<TensorData?>(), NodeAttribute.Of("value_int", 42L));
        Same("Constant", 13, Array.Empty<TensorData?>(), NodeAttribute.Of("value_ints", new[] { 4L, 5L }));
    }

    [TestMethod]
    public void IdentityExpandTileTranspose()
    {
        var x = F32(new long[] { 2, 1, 3 }, 1, 2, 3, 4, 5, 6);
        Same("Identity", 16, new[] { x });
        Same("Expand", 13, new[] { x, I64(2, 4, 3) });
        Same("Expand", 13, new[] { x, I64(3, 1, 1, 1) });
        Same("Expand", 13, new[] { I64(S0, 5), I64(2, 2) });
        Same("Tile", 13, new[] { x, I64(1, 2, 2) });
        Same("Tile", 13, new[] { I64(1, 2), I64(3) });
        Same("Transpose", 13, new[] { x });
        Same("Transpose", 13, new[] { x }, A("perm", 1, 2, 0));
        Same("Transpose", 13, new[] { I64(new long[] { 2, 3, 2, 2 }, Enumerable.Range(0, 24).Select(i => (long)i).ToArray()) }, A("perm", 0, 3, 1, 2));
    }

    [TestMethod]
    public void Reductions()
    {
        var x = F32(new long[] { 2, 3, 2 }, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -12);
        var ints = I64(new long[] { 2, 3 }, 1, 2, 3, 4, 5, 6);
        foreach (var op in new[] { "ReduceSum", "ReduceProd", "ReduceMax", "ReduceMin", "ReduceMean" })
        {
            var attrOpset = op == "ReduceSum" ? 11 : 13;
            Same(op, attrOpset, new[] { x }, A("axes", 1));
            Same(op, attrOpset, new[] { x }, A("axes", 0, -1), I("keepdims", 0));
            Same(op, attrOpset, new[] { x });
            Same(op, 18, new[] { x, I64(-2) }, I("keepdims", 0));
            Same(op, 18, new[] { x });
            if (op != "ReduceMean")
            {
                Same(op, 18, new[] { ints, I64(1) });
            }
        }

        Same("ReduceSum", 13, new[] { x, I64(Array.Empty<long>()) }, I("noop_with_empty_axes", 1));
        Same("ReduceSum", 13, new[] { F32(new long[] { 2, 0 }), I64(1) });
        Same("ReduceProd", 18, new[] { F32(new long[] { 0, 2 }), I64(0) });
    }

    [TestMethod]
    public void MatMulShapes()
    {
        var a = F32(new long[] { 2, 3 }, 1, 2, 3, 4, 5, 6);
        var b = F32(new long[] { 3, 2 }, 0.5f, -1, 2, 0, 1, 3);
        Same("MatMul", 13, new[] { a, b });
        Same("MatMul", 13, new[] { F32(S3, 1, 2, 3), b });
        Same("MatMul", 13, new[] { a, F32(S3, 1, 2, 3) });
        Same("MatMul", 13, new[] { F32(S3, 1, 2, 3), F32(S3, 4, 5, 6) });
        Same("MatMul", 13, new[] { F32(new long[] { 2, 1, 2, 3 }, Enumerable.Range(0, 12).Select(i => (float)i).ToArray()), F32(new long[] { 3, 3, 1 }, Enumerable.Range(0, 9).Select(i => (float)i).ToArray()) });
        Same("MatMul", 13, new[] { I64(new long[] { 2, 2 }, 1, 2, 3, 4), I64(new long[] { 2, 1 }, 5, -6) });
        Same("MatMul", 13, new[] { I32(new long[] { 1, 2 }, 1, 2), I32(new long[] { 2, 2 }, 3, 4, 5, 6) });
        Same("MatMul", 13, new[] { F64(new long[] { 1, 2 }, 0.1, 0.2), F64(new long[] { 2, 1 }, 0.3, 0.4) });
    }

    [TestMethod]
    public void DropoutInInferenceIsIdentity()
    {
        Same("Dropout", 13, new[] { F32(S3, 1, 2, 3) });
        Same("Dropout", 10, new[] { F32(S3, 1, 2, 3) }, NodeAttribute.Of("ratio", 0.3f));
    }
}
