using BuildConvert.Core.Checking;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Graphs.Inference;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Graphs.Inference;

[TestClass]
public sealed class InferenceRegistryTests
{
    [TestMethod]
    public void EveryKeyIsAPublishedOperatorVersion()
    {
        var schemas = OperatorSchemaRegistry.Default;
        var wrong = InferenceRegistry.Default.Keys
            .Where(k => !schemas.GetVersions(k.Domain, k.OpType).Any(s => s.SinceVersion == k.SinceVersion))
            .Select(k => k.ToString()).ToArray();
        Assert.AreEqual(0, wrong.Length, $"keys that are not published operator versions: {string.Join(", ", wrong)}");
    }

    [TestMethod]
    public void CoversAtLeast150DefaultDomainOperators()
    {
        var onnx = InferenceRegistry.Default.Operators.Count(o => o.Domain.Length == 0);
        Console.WriteLine($"{InferenceRegistry.Default.Keys.Count} rules, {onnx} ai.onnx operators, {InferenceRegistry.Default.Operators.Count} in all");
        Assert.IsTrue(onnx >= 150, $"only {onnx} ai.onnx operators have a rule");
    }

    [TestMethod]
    public void RegisteringAKeyTwiceFails()
    {
        Assert.ThrowsExactly<InvalidOperationException>(() => InferenceRegistry.Create(b =>
        {
            b.Add("Relu", 6, _ => { });
            b.Add("Relu", 6, _ => { });
        }));
    }

    [TestMethod]
    public void TheVersionInForceAtTheModelsOpsetIsChosen()
    {
        // Squeeze takes axes as an attribute before 13 and as an input from 13.
        // [1,3,1,1,4] squeezed at {0,2} is [3,1,4]; ignoring the axes (squeezing every 1) would give [3,4].
        foreach (var (opset, expected) in new[] { (11L, new long[] { 3, 1, 4 }), (13L, new long[] { 3, 1, 4 }) })
        {
            var model = new Model(opset);
            var g = model.Graph;
            var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 1, 3, 1, 1, 4));
            var node = opset < 13
                ? g.AddNode("Squeeze", new[] { x }, attributes: new[] { NodeAttribute.Of("axes", new long[] { 0, 2 }) })
                : g.AddNode("Squeeze", new[] { x, g.AddInitializer("axes", TensorData.FromInt64s(new long[] { 0, 2 })) });
            ShapeInference.Run(model);
            Assert.AreEqual(OnnxType.Tensor(DataType.Float, expected), node.Outputs[0]!.Type, $"opset {opset}");
        }
    }

    [TestMethod]
    public void UnknownOperatorsAreListedAndLeaveOutputsAlone()
    {
        var model = new Model(17);
        var g = model.Graph;
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 2));
        var custom = g.AddNode("FusedThing", new[] { x }, domain: "com.example");
        var relu = g.AddNode("Relu", new[] { custom.Outputs[0] });
        var result = ShapeInference.Run(model);
        Assert.IsNull(custom.Outputs[0]!.Type);
        Assert.IsTrue(relu.Outputs[0]!.Type is null or { ElementType: DataType.Undefined }, "nothing is known of the custom op's output");
        Assert.AreEqual(1, result.NodesWithoutRule.Count);
        Assert.AreEqual(1, result.OperatorsWithoutRule["com.example.FusedThing"]);
        Assert.IsTrue(result.IsClean);
    }
}
