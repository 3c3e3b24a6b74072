using static BuildConvert.Validation.Tests.Converters.TensorFlow.TfOracleAssert;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// One-node tests of Converters/TensorFlow/Nn/ConvolutionConverters.cs against TensorFlow.js (SAME padding on odd
/// sizes, strides, dilations, VALID and EXPLICIT), and a small NHWC conv net whose converted graph keeps at most one
/// Transpose at its input and one at its output.
/// </summary>
[TestClass]
public sealed class ConvolutionConvertersTests
{
    private static double[] Ramp(int n, double scale) => Enumerable.Range(0, n).Select(i => ((i * 7 % 11) - 5) * scale).ToArray();

    [TestMethod]
    [DataRow("SAME", 1, 1, 7)]
    [DataRow("SAME", 2, 1, 7)]
    [DataRow("SAME", 2, 1, 8)]
    [DataRow("SAME", 3, 1, 7)]
    [DataRow("VALID", 2, 1, 7)]
    [DataRow("SAME", 1, 2, 7)]
    [DataRow("VALID", 1, 2, 8)]
    public void Conv2DNhwc(string padding, int stride, int dilation, int size)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(1, size, size + 1, 3));
        var w = g.Const("w", F32, S(3, 2, 3, 4), Ramp(72, 0.1));
        var y = g.Op("Conv2D", new[] { x, w }, ("T", A.T()), ("strides", A.Ints(1, stride, stride, 1)), ("padding", A.Str(padding)),
            ("dilations", A.Ints(1, dilation, dilation, 1)), ("data_format", A.Str("NHWC")));
        Matches(g, new[] { y }, atol: 1e-4, rtol: 1e-4);
    }

    [TestMethod]
    public void Conv2DExplicitPaddings()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(1, 5, 6, 2));
        var w = g.Const("w", F32, S(3, 3, 2, 2), Ramp(36, 0.1));
        var y = g.Op("Conv2D", new[] { x, w }, ("T", A.T()), ("strides", A.Ints(1, 2, 1, 1)), ("padding", A.Str("EXPLICIT")),
            ("explicit_paddings", A.Ints(0, 0, 1, 2, 0, 1, 0, 0)), ("dilations", A.Ints(1, 1, 1, 1)));
        Matches(g, new[] { y }, atol: 1e-4, rtol: 1e-4);
    }

    [TestMethod]
    [DataRow("NDHWC", "SAME", 1)]
    [DataRow("NDHWC", "SAME", 2)]
    [DataRow("NDHWC", "VALID", 2)]
    public void Conv3D(string format, string padding, int stride)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(1, 5, 6, 7, 2));
        var w = g.Const("w", F32, S(2, 3, 3, 2, 3), Ramp(108, 0.1));
        var y = g.Op("Conv3D", new[] { x, w }, ("T", A.T()), ("strides", A.Ints(1, stride, stride, 1, 1)), ("padding", A.Str(padding)),
            ("dilations", A.Ints(1, 1, 1, 1, 1)), ("data_format", A.Str(format)));
        Matches(g, new[] { y }, atol: 1e-4, rtol: 1e-4);
    }

    [TestMethod]
    public void Conv3DChannelsFirstMatchesTheTransposedChannelsLastConvolution()
    {
        // TF.js runs Conv3D in NDHWC only: the reference transposes around an NDHWC Conv3D.
        var values = Ramp(2 * 4 * 5 * 6, 0.3);
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(1, 2, 4, 5, 6), values);
        var y = g.Op("Conv3D", new[] { x, g.Const("w", F32, S(3, 2, 2, 2, 3), Ramp(72, 0.1)) }, ("T", A.T()), ("strides", A.Ints(1, 1, 1, 2, 1)),
            ("padding", A.Str("SAME")), ("dilations", A.Ints(1, 1, 1, 1, 1)), ("data_format", A.Str("NCDHW")));
        var r = new TfTestGraph();
        var rx = r.Placeholder("x", F32, S(1, 2, 4, 5, 6), values);
        var t = r.Op("Transpose", new[] { rx, r.Ints("p1", 0, 2, 3, 4, 1) }, ("T", A.T()), ("Tperm", A.T(Core.Formats.TensorFlow.Proto.DataType.DtInt32)));
        var conv = r.Op("Conv3D", new[] { t, r.Const("w", F32, S(3, 2, 2, 2, 3), Ramp(72, 0.1)) }, ("T", A.T()), ("strides", A.Ints(1, 1, 2, 1, 1)),
            ("padding", A.Str("SAME")), ("dilations", A.Ints(1, 1, 1, 1, 1)), ("data_format", A.Str("NDHWC")));
        var back = r.Op("Transpose", new[] { conv, r.Ints("p2", 0, 4, 1, 2, 3) }, ("T", A.T()), ("Tperm", A.T(Core.Formats.TensorFlow.Proto.DataType.DtInt32)));
        MatchesDefinition(g, y, r, back, atol: 1e-4, rtol: 1e-4);
    }

    [TestMethod]
    [DataRow("SAME", 1, 1, 1)]
    [DataRow("SAME", 2, 1, 2)]
    [DataRow("VALID", 2, 1, 3)]
    [DataRow("SAME", 1, 2, 2)]
    [DataRow("VALID", 1, 2, 1)]
    public void DepthwiseConv2dNative(string padding, int stride, int dilation, int multiplier)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 7, 8, 3));
        var w = g.Const("w", F32, S(3, 3, 3, multiplier), Ramp(27 * multiplier, 0.1));
        var y = g.Op("DepthwiseConv2dNative", new[] { x, w }, ("T", A.T()), ("strides", A.Ints(1, stride, stride, 1)), ("padding", A.Str(padding)),
            ("dilations", A.Ints(1, dilation, dilation, 1)), ("data_format", A.Str("NHWC")));
        Matches(g, new[] { y }, atol: 1e-4, rtol: 1e-4);
    }

    [TestMethod]
    public void DepthwiseConv2dNativeExplicitPaddings()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(1, 5, 6, 2));
        var w = g.Const("w", F32, S(2, 3, 2, 2), Ramp(24, 0.1));
        var y = g.Op("DepthwiseConv2dNative", new[] { x, w }, ("T", A.T()), ("strides", A.Ints(1, 1, 2, 1)), ("padding", A.Str("EXPLICIT")),
            ("explicit_paddings", A.Ints(0, 0, 1, 0, 2, 1, 0, 0)), ("dilations", A.Ints(1, 1, 1, 1)), ("data_format", A.Str("NHWC")));
        Matches(g, new[] { y }, atol: 1e-4, rtol: 1e-4);
    }

    [TestMethod]
    [DataRow("SAME", 2, 7)]
    [DataRow("SAME", 2, 8)]
    [DataRow("SAME", 3, 7)]
    [DataRow("VALID", 2, 7)]
    [DataRow("VALID", 2, 8)]
    [DataRow("VALID", 1, 6)]
    [DataRow("SAME", 1, 5)]
    public void Conv2DBackpropInput(string padding, int stride, int size)
    {
        // The output has exactly input_sizes, including the rows a stride skipped (output_padding).
        var g = new TfTestGraph();
        var h = size;
        var wd = size + 1;
        long Out(long n) => padding == "SAME" ? (n + stride - 1) / stride : ((n - 3) / stride) + 1;
        var dy = g.Placeholder("dy", F32, S(2, Out(h), Out(wd), 4));
        var filter = g.Const("w", F32, S(3, 3, 3, 4), Ramp(108, 0.1));
        var y = g.Op("Conv2DBackpropInput", new[] { g.Ints("sizes", 2, h, wd, 3), filter, dy }, ("T", A.T()), ("strides", A.Ints(1, stride, stride, 1)),
            ("padding", A.Str(padding)), ("dilations", A.Ints(1, 1, 1, 1)), ("data_format", A.Str("NHWC")));
        Matches(g, new[] { y }, atol: 1e-4, rtol: 1e-4);
    }

    [TestMethod]
    [DataRow("MaxPool", "SAME", 2, 3)]
    [DataRow("MaxPool", "VALID", 2, 2)]
    [DataRow("AvgPool", "SAME", 2, 3)]
    [DataRow("AvgPool", "SAME", 1, 3)]
    [DataRow("AvgPool", "VALID", 2, 2)]
    public void PoolsNhwc(string op, string padding, int stride, int k)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 7, 6, 3));
        var y = g.Op(op, new[] { x }, ("T", A.T()), ("ksize", A.Ints(1, k, k, 1)), ("strides", A.Ints(1, stride, stride, 1)),
            ("padding", A.Str(padding)), ("data_format", A.Str("NHWC")));
        Matches(g, new[] { y }, atol: 1e-5, rtol: 1e-5);
    }

    /// <summary>
    /// SAME with spatial sizes known only at run time becomes ONNX auto_pad SAME_UPPER (total padding
    /// max((ceil(in / s) - 1) * s + (k - 1) * d + 1 - in, 0), the extra element at the end, as TensorFlow pads); each case
    /// runs one converted model at two spatial sizes, odd and even, against TF.js.
    /// </summary>
    [TestMethod]
    [DataRow("Conv2D", 2, 1, 3, 2)]
    [DataRow("Conv2D", 3, 1, 2, 4)]
    [DataRow("Conv2D", 1, 2, 3, 2)]
    [DataRow("Conv2D", 2, 1, 4, 3)]
    [DataRow("Conv2D", 1, 3, 2, 5)]
    [DataRow("DepthwiseConv2dNative", 2, 1, 3, 2)]
    [DataRow("DepthwiseConv2dNative", 3, 1, 2, 3)]
    [DataRow("DepthwiseConv2dNative", 1, 2, 3, 2)]
    [DataRow("MaxPool", 2, 1, 3, 0)]
    [DataRow("MaxPool", 3, 1, 2, 0)]
    [DataRow("AvgPool", 2, 1, 3, 0)]
    [DataRow("AvgPool", 3, 1, 4, 0)]
    [DataRow("AvgPool", 2, 1, 2, 0)]
    public void SameWithDynamicSpatialSizesIsSameUpper(string op, int stride, int dilation, int k, int outOrMultiplier)
    {
        foreach (var (h, w) in new[] { (7, 8), (10, 5), (4, 9) })
        {
            var g = new TfTestGraph();
            var x = g.Placeholder("x", F32, S(2, h, w, 3), declaredShape: S(-1, -1, -1, 3));
            var t = ("T", A.T());
            var strides = ("strides", A.Ints(1, stride, stride, 1));
            var same = ("padding", A.Str("SAME"));
            var y = op switch
            {
                "Conv2D" => g.Op(op, new[] { x, g.Const("w", F32, S(k, k + 1, 3, outOrMultiplier), Ramp(k * (k + 1) * 3 * outOrMultiplier, 0.1)) },
                    t, strides, same, ("dilations", A.Ints(1, dilation, dilation, 1))),
                "DepthwiseConv2dNative" => g.Op(op, new[] { x, g.Const("w", F32, S(k, k, 3, outOrMultiplier), Ramp(k * k * 3 * outOrMultiplier, 0.1)) },
                    t, strides, same, ("dilations", A.Ints(1, dilation, dilation, 1))),
                _ => g.Op(op, new[] { x }, t, strides, same, ("ksize", A.Ints(1, k, k + 1, 1))),
            };
            var model = Matches(g, new[] { y }, atol: 1e-4, rtol: 1e-4, opsets: new[] { 13, 21 });
            var node = model.Graph.Nodes.Single(n => n.OpType is "Conv" or "MaxPool" or "AveragePool");
            // Stride 1 pads (k - 1) * d whatever the size: fixed pads. Otherwise (no dilation here) auto_pad.
            Assert.AreEqual(stride == 1 ? "" : "SAME_UPPER", node.GetString("auto_pad", ""), $"{h}x{w}: auto_pad");
        }
    }

    [TestMethod]
    [DataRow("Conv2D", 2, 2)]
    [DataRow("Conv2D", 3, 2)]
    [DataRow("DepthwiseConv2dNative", 2, 3)]
    public void SameWithStrideAndDilationAndDynamicSizesPadsAtRunTime(string op, int stride, int dilation)
    {
        // ONNX Runtime refuses auto_pad with dilations, and TF.js refuses a stride beside a dilation, so the reference is
        // the op's definition written with ops TF.js runs: TensorFlow's SAME padding (total max((ceil(in / s) - 1) * s +
        // (k - 1) * d + 1 - in, 0), the smaller half before) as an explicit Pad, the dilated convolution with stride 1,
        // and every s-th output ([::s], which is what a stride keeps).
        const int k = 3;
        foreach (var (h, w) in new[] { (7, 8), (10, 5) })
        {
            var values = Ramp(2 * h * w * 2, 0.3);
            long[] Pads(long n)
            {
                var total = System.Math.Max((((n + stride - 1) / stride) - 1) * stride + ((k - 1) * dilation) + 1 - n, 0);
                return new[] { total / 2, total - (total / 2) };
            }

            TfTestGraph Build(bool reference, out string y)
            {
                var g = new TfTestGraph();
                var x = g.Placeholder("x", F32, S(2, h, w, 2), values, declaredShape: reference ? null : S(-1, -1, -1, 2));
                var filter = g.Const("w", F32, S(k, k, 2, 2), Ramp(k * k * 4, 0.1));
                var dil = ("dilations", A.Ints(1, dilation, dilation, 1));
                if (!reference)
                {
                    y = g.Op(op, new[] { x, filter }, ("T", A.T()), ("strides", A.Ints(1, stride, stride, 1)), ("padding", A.Str("SAME")), dil);
                    return g;
                }

                var (ph, pw) = (Pads(h), Pads(w));
                var padded = g.Op("Pad", new[] { x, g.Const("p", Core.Formats.TensorFlow.Proto.DataType.DtInt32, S(4, 2), 0, 0, ph[0], ph[1], pw[0], pw[1], 0, 0) },
                    ("T", A.T()), ("Tpaddings", A.T(Core.Formats.TensorFlow.Proto.DataType.DtInt32)));
                var conv = g.Op(op, new[] { padded, filter }, ("T", A.T()), ("strides", A.Ints(1, 1, 1, 1)), ("padding", A.Str("VALID")), dil);
                y = g.Op("StridedSlice", new[] { conv, g.Ints("b", 0, 0, 0, 0), g.Ints("e", 0, 0, 0, 0), g.Ints("s", 1, stride, stride, 1) },
                    ("T", A.T()), ("Index", A.T(Core.Formats.TensorFlow.Proto.DataType.DtInt32)), ("begin_mask", A.Int(15)), ("end_mask", A.Int(15)));
                return g;
            }

            var graph = Build(false, out var output);
            var definition = Build(true, out var referenceOutput);
            MatchesDefinition(graph, output, definition, referenceOutput, atol: 1e-4, rtol: 1e-4);
        }
    }

    [TestMethod]
    [DataRow("Conv2D", 2)]
    [DataRow("Conv2D", 3)]
    [DataRow("DepthwiseConv2dNative", 2)]
    public void ExplicitPaddingsWithDynamicSpatialSizes(string op, int stride)
    {
        foreach (var (h, w) in new[] { (7, 6), (4, 9) })
        {
            var g = new TfTestGraph();
            var x = g.Placeholder("x", F32, S(1, h, w, 2), declaredShape: S(-1, -1, -1, 2));
            var filter = g.Const("w", F32, S(3, 2, 2, 2), Ramp(24, 0.1));
            var y = g.Op(op, new[] { x, filter }, ("T", A.T()), ("strides", A.Ints(1, stride, 1, 1)), ("padding", A.Str("EXPLICIT")),
                ("explicit_paddings", A.Ints(0, 0, 2, 1, 0, 3, 0, 0)), ("dilations", A.Ints(1, 1, 1, 1)));
            Matches(g, new[] { y }, atol: 1e-4, rtol: 1e-4, opsets: new[] { 13, 21 });
        }
    }

    [TestMethod]
    public void AConvNetKeepsAtMostOneTransposeAtTheInputAndTheOutput()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(1, 9, 9, 3));
        // Real graphs always carry dilations (TF.js needs the attribute).
        var t = ("T", A.T());
        var c1 = g.Op("Conv2D", new[] { x, g.Const("w1", F32, S(3, 3, 3, 4), Ramp(108, 0.05)) }, t, ("strides", A.Ints(1, 1, 1, 1)), ("padding", A.Str("SAME")), ("dilations", A.Ints(1, 1, 1, 1)));
        var r1 = g.Op("Relu", new[] { g.Op("BiasAdd", new[] { c1, g.Const("b1", F32, S(4), 0.1, -0.2, 0.3, 0) }, t) }, t);
        var p1 = g.Op("MaxPool", new[] { r1 }, t, ("ksize", A.Ints(1, 2, 2, 1)), ("strides", A.Ints(1, 2, 2, 1)), ("padding", A.Str("SAME")));
        var c2 = g.Op("Conv2D", new[] { p1, g.Const("w2", F32, S(3, 3, 4, 4), Ramp(144, 0.05)) }, t, ("strides", A.Ints(1, 1, 1, 1)), ("padding", A.Str("VALID")), ("dilations", A.Ints(1, 1, 1, 1)));
        var y = g.Op("Relu", new[] { g.Op("AddV2", new[] { c2, g.Const("b2", F32, S(4), 0.5, 0, -0.5, 1) }, t) }, t);
        var model = Matches(g, new[] { y }, atol: 1e-4, rtol: 1e-4);
        var transposes = model.Graph.Nodes.Where(n => n.OpType == "Transpose").ToArray();
        Assert.IsLessThanOrEqualTo(2, transposes.Length, string.Join(", ", model.Graph.Nodes.Select(n => n.OpType)));
        Assert.IsTrue(transposes.All(n => n.Inputs[0]!.IsGraphInput || n.Outputs[0]!.IsGraphOutput), "the Transposes left sit at the input or the output");
    }
}
