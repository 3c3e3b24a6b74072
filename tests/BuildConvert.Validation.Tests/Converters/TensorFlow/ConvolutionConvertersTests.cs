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
