using BuildConvert.Core.Converters.Onnx;
using BuildConvert.Core.Graphs;
using static BuildConvert.Core.Tests.Converters.Onnx.OpsetTestModels;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Converters.Onnx;

[TestClass]
public sealed class ElementwiseRulesTests
{
    [TestMethod]
    public void OldBroadcastWithAxisAppendsTrailingOnesToAConstant()
    {
        var model = new Model(5, 3);
        var g = model.Graph;
        var x = g.AddInput("x", Float(2, 3, 4, 5));
        var bias = g.AddInitializer("bias", TensorData.FromFloats(new float[] { 1, 2, 3 }));
        var add = g.AddNode("Add", new[] { x, bias }, attributes: new[] { NodeAttribute.Of("broadcast", 1L), NodeAttribute.Of("axis", 1L), NodeAttribute.Of("consumed_inputs", new long[] { 0 }) }, name: "n");
        g.Outputs.Add(add.Outputs[0]!);
        var result = ConvertChecked(model, 13);
        Assert.IsEmpty(add.Attributes);
        CollectionAssert.AreEqual(new long[] { 3, 1, 1 }, add.Input(1)!.ConstantValue!.Dims);
        Assert.IsTrue(result.Steps.Any(s => s.OpType == "Add" && s.To == 7));
        Assert.IsFalse(g.Initializers.Contains(bias), "the unused original initializer is removed");
    }

    [TestMethod]
    public void OldBroadcastWithAnUnknownRankReshapesAtRunTime()
    {
        var model = new Model(6, 3);
        var g = model.Graph;
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, (IReadOnlyList<Dim>?)null));
        var b = g.AddInput("b", Float(3));
        var mul = g.AddNode("Mul", new[] { x, b }, attributes: new[] { NodeAttribute.Of("broadcast", 1L), NodeAttribute.Of("axis", 1L) }, name: "n");
        g.Outputs.Add(mul.Outputs[0]!);
        ConvertChecked(model, 13);
        Assert.AreEqual("Reshape", mul.Input(1)!.Producer!.OpType);
    }

    [TestMethod]
    public void OldBroadcastWithoutAxisIsNumpyBroadcasting()
    {
        var (model, node) = Single(6, "Sub", new[] { ("a", Float(2, 3)), ("b", Float(3)) }, 1, NodeAttribute.Of("broadcast", 1L));
        ConvertChecked(model, 7);
        Assert.IsEmpty(node.Attributes);
        Assert.AreEqual("b", node.Input(1)!.Name);
    }

    [TestMethod]
    public void PReluPerChannelSlopeIsAlignedAtAxisOne()
    {
        var model = new Model(6, 3);
        var g = model.Graph;
        var x = g.AddInput("x", Float(1, 3, 4, 4));
        var slope = g.AddInitializer("slope", TensorData.FromFloats(new float[] { 0.1f, 0.2f, 0.3f }));
        var prelu = g.AddNode("PRelu", new[] { x, slope }, name: "n");
        g.Outputs.Add(prelu.Outputs[0]!);
        ConvertChecked(model, 17);
        CollectionAssert.AreEqual(new long[] { 3, 1, 1 }, prelu.Input(1)!.ConstantValue!.Dims);
    }

    [TestMethod]
    public void PReluSingleSlopeAndTwoDimensionalInputAreLeftAlone()
    {
        var (model, node) = Single(6, "PRelu", new[] { ("x", Float(2, 3)), ("s", Float(3)) });
        ConvertChecked(model, 9);
        Assert.AreEqual("s", node.Input(1)!.Name);
    }

    [TestMethod]
    public void CeluDowngradeOfDoubleIsSpelledWithElementaryOperators()
    {
        var (model, node) = Single(28, "Celu", new[] { ("x", OnnxType.Tensor(DataType.Double, 4)) }, 1, NodeAttribute.Of("alpha", 2f));
        ConvertChecked(model, 26);
        Assert.AreEqual("Add", node.OpType);
        CollectionAssert.IsSubsetOf(new[] { "Exp", "Div", "Min", "Max", "Mul", "Sub" }, model.Graph.Nodes.Select(n => n.OpType).ToArray());
    }

    [TestMethod]
    public void CeluDowngradeOfFloatChangesNothing()
    {
        var (model, node) = Single(28, "Celu", new[] { ("x", Float(4)) });
        ConvertChecked(model, 26);
        Assert.AreEqual("Celu", node.OpType);
        Assert.HasCount(1, model.Graph.Nodes);
    }

    [TestMethod]
    public void VariadicDowngradeBelow8NeedsEqualShapes()
    {
        var (ok, _) = Single(13, "Max", new[] { ("a", Float(2, 3)), ("b", Float(2, 3)) });
        OnnxOpsetConverter.Convert(ok, 7);
        var (bad, _) = Single(13, "Max", new[] { ("a", Float(2, 3)), ("b", Float(3)) });
        StringAssert.Contains(ConvertFails(bad, 7), "same shape");
    }
}
