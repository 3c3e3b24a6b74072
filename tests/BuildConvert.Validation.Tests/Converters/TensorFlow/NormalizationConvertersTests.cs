using static BuildConvert.Validation.Tests.Converters.TensorFlow.TfOracleAssert;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// One-node tests of Converters/TensorFlow/Nn/NormalizationConverters.cs against TensorFlow.js: FusedBatchNorm/V2/V3 in
/// inference (epsilon, NHWC, NCHW, the statistics outputs) and training mode, LRN with each attribute.
/// </summary>
[TestClass]
public sealed class NormalizationConvertersTests
{
    private static readonly TfDataType I32 = TfDataType.DtInt32;

    private static string[] Statistics(TfTestGraph g, int channels)
    {
        var scale = Enumerable.Range(0, channels).Select(i => 0.5 + (0.25 * i)).ToArray();
        var offset = Enumerable.Range(0, channels).Select(i => -0.3 + (0.2 * i)).ToArray();
        var mean = Enumerable.Range(0, channels).Select(i => 0.1 * (i - 1)).ToArray();
        var variance = Enumerable.Range(0, channels).Select(i => 0.5 + (0.7 * i)).ToArray();
        return new[]
        {
            g.Const("scale", F32, S(channels), scale), g.Const("offset", F32, S(channels), offset),
            g.Const("mean", F32, S(channels), mean), g.Const("variance", F32, S(channels), variance),
        };
    }

    private static string BatchNorm(TfTestGraph g, string op, string x, string format, float epsilon, bool training, int channels)
    {
        var attributes = new List<(string, Core.Formats.TensorFlow.Proto.AttrValue)>
        {
            ("T", A.T()), ("epsilon", A.Float(epsilon)), ("data_format", A.Str(format)), ("is_training", A.Bool(training)),
        };
        if (op != "FusedBatchNorm")
        {
            attributes.Add(("U", A.T()));
        }

        var inputs = new[] { x }.Concat(training ? Statistics(g, channels).Take(2).Concat(new[] { g.Const("e1", F32, S(0)), g.Const("e2", F32, S(0)) }) : Statistics(g, channels));
        return g.Op(op, inputs, attributes.ToArray());
    }

    [TestMethod]
    [DataRow("FusedBatchNorm", 0.001f)]
    [DataRow("FusedBatchNormV2", 0.0001f)]
    [DataRow("FusedBatchNormV3", 0.1f)]
    public void FusedBatchNormInferenceNhwc(string op, float epsilon)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 4, 3));
        var y = BatchNorm(g, op, x, "NHWC", epsilon, training: false, 3);
        Matches(g, new[] { y }, atol: 1e-5, rtol: 1e-5);
    }

    [TestMethod]
    public void FusedBatchNormStatisticsOutputsAreTheStoredOnes()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(1, 2, 2, 3));
        var y = BatchNorm(g, "FusedBatchNormV3", x, "NHWC", 0.001f, training: false, 3);
        var name = y[..^2];
        // TF.js computes y only; outputs 1-4 in inference are the mean and variance inputs, as TensorFlow's kernels return them.
        Matches(g, new[] { y }, atol: 1e-5, rtol: 1e-5);
        var outputs = RunOnnx(Convert(g, new[] { name + ":1", name + ":2", name + ":3", name + ":4" }), g);
        var mean = new[] { -0.1, 0, 0.1 };
        var variance = new[] { 0.5, 1.2, 1.9 };
        for (var k = 0; k < 4; k++)
        {
            var expected = k % 2 == 0 ? mean : variance;
            CollectionAssert.AreEqual(new long[] { 3 }, outputs[k].Shape);
            for (var i = 0; i < 3; i++)
            {
                Assert.AreEqual(expected[i], outputs[k].GetDouble(i), 1e-6, $"output {k + 1}[{i}]");
            }
        }
    }

    [TestMethod]
    public void FusedBatchNormNchwMatchesItsDefinition()
    {
        // TF.js's FusedBatchNorm ignores data_format (it broadcasts over the last dimension): the reference is the formula.
        var values = Enumerable.Range(0, 2 * 3 * 4 * 5).Select(i => ((i * 13 % 17) - 8) * 0.25).ToArray();
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 4, 5), values);
        var y = BatchNorm(g, "FusedBatchNormV3", x, "NCHW", 0.01f, training: false, 3);
        var r = new TfTestGraph();
        var rx = r.Placeholder("x", F32, S(2, 3, 4, 5), values);
        var s = Statistics(r, 3).Select(v => r.Op("Reshape", new[] { v, r.Ints("shape_" + v[..^2], 3, 1, 1) }, ("T", A.T()), ("Tshape", A.T(I32)))).ToArray();
        var t = ("T", A.T());
        var inv = r.Op("Rsqrt", new[] { r.Op("AddV2", new[] { s[3], r.Const("eps", F32, S(), 0.01) }, t) }, t);
        var normal = r.Op("Mul", new[] { r.Op("Sub", new[] { rx, s[2] }, t), inv }, t);
        var reference = r.Op("AddV2", new[] { r.Op("Mul", new[] { normal, s[0] }, t), s[1] }, t);
        MatchesDefinition(g, y, r, reference, atol: 1e-5, rtol: 1e-5);
    }

    [TestMethod]
    public void FusedBatchNormTrainingModeUsesTheBatchStatistics()
    {
        var values = Enumerable.Range(0, 2 * 3 * 4 * 3).Select(i => ((i * 7 % 19) - 9) * 0.3).ToArray();
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 4, 3), values);
        var y = BatchNorm(g, "FusedBatchNormV3", x, "NHWC", 0.001f, training: true, 3);
        var r = new TfTestGraph();
        var rx = r.Placeholder("x", F32, S(2, 3, 4, 3), values);
        var s = Statistics(r, 3);
        var t = ("T", A.T());
        var mean = r.Op("Mean", new[] { rx, r.Ints("axes1", 0, 1, 2) }, t, ("Tidx", A.T(I32)), ("keep_dims", A.Bool(true)));
        var centered = r.Op("Sub", new[] { rx, mean }, t);
        var variance = r.Op("Mean", new[] { r.Op("Mul", new[] { centered, centered }, t), r.Ints("axes2", 0, 1, 2) }, t, ("Tidx", A.T(I32)), ("keep_dims", A.Bool(true)));
        var inv = r.Op("Rsqrt", new[] { r.Op("AddV2", new[] { variance, r.Const("eps", F32, S(), 0.001) }, t) }, t);
        var reference = r.Op("AddV2", new[] { r.Op("Mul", new[] { r.Op("Mul", new[] { centered, inv }, t), s[0] }, t), s[1] }, t);
        MatchesDefinition(g, y, r, reference, atol: 1e-4, rtol: 1e-4);
    }

    [TestMethod]
    [DataRow(2, 1f, 1f, 0.5f)]
    [DataRow(5, 1f, 1f, 0.5f)]
    [DataRow(1, 2f, 0.1f, 0.75f)]
    [DataRow(0, 0.5f, 0.3f, 1f)]
    public void Lrn(int radius, float bias, float alpha, float beta)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 3, 7));
        var y = g.Op("LRN", new[] { x }, ("T", A.T()), ("depth_radius", A.Int(radius)), ("bias", A.Float(bias)), ("alpha", A.Float(alpha)), ("beta", A.Float(beta)));
        Matches(g, new[] { y }, atol: 1e-5, rtol: 1e-4);
    }
}
