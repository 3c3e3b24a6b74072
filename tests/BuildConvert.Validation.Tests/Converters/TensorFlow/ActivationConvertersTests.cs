using static BuildConvert.Validation.Tests.Converters.TensorFlow.TfOracleAssert;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>One-node tests of Converters/TensorFlow/Math/ActivationConverters.cs against TensorFlow.js.</summary>
[TestClass]
public sealed class ActivationConvertersTests
{
    [TestMethod]
    [DataRow("Relu")]
    [DataRow("Relu6")]
    [DataRow("Elu")]
    [DataRow("Selu")]
    [DataRow("Sigmoid")]
    [DataRow("Tanh")]
    [DataRow("Softplus")]
    [DataRow("Softmax")]
    [DataRow("LogSoftmax")]
    public void ActivationsMatch(string op)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 5), low: -8, high: 8);
        Matches(g, new[] { g.Op(op, new[] { x }, ("T", A.T())) }, atol: 1e-5, rtol: 1e-5, opsets: new[] { 13, 17, 21 });
    }

    [TestMethod]
    public void LeakyReluUsesAlphaAndItsDefault()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(4, 4), low: -5, high: 5);
        Matches(g, new[]
        {
            g.Op("LeakyRelu", new[] { x }, ("T", A.T()), ("alpha", A.Float(0.01f))),
            g.Op("LeakyRelu", new[] { x }, ("T", A.T())),
        });
    }

    [TestMethod]
    public void ReluOfIntegers()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", TfDataType.DtInt32, S(6), new double[] { -3, -1, 0, 1, 5, -100 });
        Matches(g, new[] { g.Op("Relu", new[] { x }, ("T", A.T(TfDataType.DtInt32))) }, opsets: new[] { 13, 14, 17 });
    }

    [TestMethod]
    public void SoftsignFollowsItsDefinition()
    {
        // TF.js lacks Softsign: x / (1 + |x|).
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(3, 4), low: -6, high: 6);
        var output = g.Op("Softsign", new[] { x }, ("T", A.T()));
        var r = new TfTestGraph();
        var rx = r.Placeholder("x", F32, S(3, 4), low: -6, high: 6);
        var one = r.Const("one", F32, S(), 1);
        var reference = r.Op("RealDiv", new[] { rx, r.Op("AddV2", new[] { one, r.Op("Abs", new[] { rx }, ("T", A.T())) }, ("T", A.T())) }, ("T", A.T()));
        MatchesDefinition(g, output, r, reference);
    }
}
