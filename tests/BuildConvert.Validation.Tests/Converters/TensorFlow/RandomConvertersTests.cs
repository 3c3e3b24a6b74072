using static BuildConvert.Validation.Tests.Converters.TensorFlow.TfOracleAssert;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// Tests of Converters/TensorFlow/Random/RandomConverters.cs. Random values cannot match TensorFlow.js element by
/// element (different generators), so the oracle comparison is TF1 dropout at keep_prob = 1, where Floor(keep_prob + U)
/// is 1 for every U in [0, 1) and the output is deterministic; the distribution is checked on ONNX Runtime's samples.
/// </summary>
[TestClass]
public sealed class RandomConvertersTests
{
    private static readonly TfDataType I32 = TfDataType.DtInt32;

    /// <summary>x / keep_prob * Floor(keep_prob + RandomUniform(shape)), as tf.nn.dropout wrote it in TF1.</summary>
    private static string Dropout(TfTestGraph g, string x, string keepProb, string shape, long seed)
    {
        var u = g.Op("RandomUniform", new[] { shape }, ("T", A.T(I32)), ("dtype", A.T()), ("seed", A.Int(seed)), ("seed2", A.Int(0)));
        var floor = g.Op("Floor", new[] { g.Op("Add", new[] { keepProb, u }, ("T", A.T())) }, ("T", A.T()));
        return g.Op("Mul", new[] { g.Op("RealDiv", new[] { x, keepProb }, ("T", A.T())), floor }, ("T", A.T()));
    }

    [TestMethod]
    [DataRow(0L)]
    [DataRow(87654321L)]
    public void DropoutAtKeepProbOneIsTheIdentity(long seed)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3));
        var keep = g.Placeholder("keep_prob", F32, S(), new[] { 1.0 });
        var runTimeShape = g.Placeholder("shape", I32, S(2), new double[] { 2, 3 });
        var model = Matches(g, new[]
        {
            Dropout(g, x, keep, g.Ints("shape_c", 2, 3), seed),
            Dropout(g, x, keep, runTimeShape, seed),
        }, atol: 0, rtol: 0, opsets: new[] { 13, 21 });
        var ops = model.Graph.Nodes.Select(n => n.OpType).ToArray();
        CollectionAssert.Contains(ops, "RandomUniform", "a constant shape");
        CollectionAssert.Contains(ops, "RandomUniformLike", "a run-time shape");
    }

    [TestMethod]
    public void SamplesAreUniformOnZeroToOne()
    {
        var g = new TfTestGraph();
        var u = g.Op("RandomUniform", new[] { g.Ints("shape", 100, 100) }, ("T", A.T(I32)), ("dtype", A.T()), ("seed", A.Int(0)), ("seed2", A.Int(0)));
        var x = g.Placeholder("x", F32, S(1), new[] { 0.0 });
        var y = g.Op("AddV2", new[] { u, x }, ("T", A.T()));
        var model = Convert(g, new[] { y });
        var values = RunOnnx(model, g)[0];
        CollectionAssert.AreEqual(new long[] { 100, 100 }, values.Shape.ToArray());
        var samples = Enumerable.Range(0, 10000).Select(i => values.GetDouble(i)).ToArray();
        Assert.IsTrue(samples.All(v => v is >= 0 and < 1), "every sample in [0, 1)");
        var mean = samples.Average();
        var belowQuarter = samples.Count(v => v < 0.25) / 10000.0;
        Assert.IsLessThan(0.02, System.Math.Abs(mean - 0.5), $"mean {mean}");
        Assert.IsLessThan(0.02, System.Math.Abs(belowQuarter - 0.25), $"fraction below 0.25: {belowQuarter}");
    }
}
