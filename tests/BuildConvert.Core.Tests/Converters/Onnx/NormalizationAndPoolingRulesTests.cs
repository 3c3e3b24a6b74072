using BuildConvert.Core.Converters.Onnx;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;
using BuildConvert.Core.Graphs;
using static BuildConvert.Core.Tests.Converters.Onnx.OpsetTestModels;

namespace BuildConvert.Core.Tests.Converters.Onnx;

[TestClass]
public sealed class NormalizationRulesTests
{
    private static (Model, Node) BatchNorm(long opset, int outputs, params NodeAttribute[] attributes)
    {
        var model = new Model(opset, 3);
        var g = model.Graph;
        var x = g.AddInput("x", Float(1, 2, 3, 3));
        // spatial=0 statistics have the shape of one sample (C x H x W); otherwise one value per channel.
        var perSample = attributes.Any(a => a.Name == "spatial" && a.Int == 0);
        var values = perSample ? Enumerable.Range(1, 18).Select(v => (float)v).ToArray() : new float[] { 1, 2 };
        var dims = perSample ? new long[] { 2, 3, 3 } : new long[] { 2 };
        var p = Enumerable.Range(0, 4).Select(i => g.AddInitializer("p" + i, TensorData.FromFloats(values, dims))).ToArray();
        var bn = g.AddNode("BatchNormalization", new[] { x }.Concat(p), outputs, attributes, name: "bn");
        g.Outputs.Add(bn.Outputs[0]!);
        return (model, bn);
    }

    [TestMethod]
    public void OldInferenceBatchNormLosesLegacyAttributesAndUnreadOutputs()
    {
        var (model, bn) = BatchNorm(6, 5, NodeAttribute.Of("is_test", 1L), NodeAttribute.Of("spatial", 1L), NodeAttribute.Of("epsilon", 1e-3f));
        ConvertChecked(model, 15);
        CollectionAssert.AreEqual(new[] { "epsilon" }, bn.Attributes.Select(a => a.Name).ToArray());
        Assert.HasCount(1, bn.Outputs);
    }

    [TestMethod]
    public void SpatialZeroIsRewrittenAsArithmetic()
    {
        var (model, bn) = BatchNorm(7, 1, NodeAttribute.Of("spatial", 0L));
        ConvertChecked(model, 13);
        Assert.AreEqual("Add", bn.OpType);
        Assert.Contains("Sqrt", model.Graph.Nodes.Select(n => n.OpType).ToArray());
    }

    [TestMethod]
    public void TrainingModeBatchNormCannotGoBelow14()
    {
        var (model, _) = BatchNorm(15, 1, NodeAttribute.Of("training_mode", 1L));
        StringAssert.Contains(ConvertFails(model, 13), "training_mode");
    }

    [TestMethod]
    public void DropoutRatioBecomesAnInputAndBack()
    {
        var (model, node) = Single(10, "Dropout", new[] { ("x", Float(4)) }, 1, NodeAttribute.Of("ratio", 0.25f));
        ConvertChecked(model, 13);
        Assert.AreEqual(0.25, node.Input(1)!.ConstantValue!.ToDoubles()[0]);
        ConvertChecked(model, 10);
        Assert.AreEqual(0.25f, node.GetFloat("ratio", 0));
        Assert.HasCount(1, node.Inputs);
    }

    [TestMethod]
    public void DropoutWithARunTimeTrainingSwitchCannotGoBelow12()
    {
        var model = new Model(13, 7);
        var g = model.Graph;
        var x = g.AddInput("x", Float(4));
        var t = g.AddInput("t", OnnxType.Tensor(DataType.Bool));
        var d = g.AddNode("Dropout", new[] { x, null, t }, name: "drop");
        g.Outputs.Add(d.Outputs[0]!);
        StringAssert.Contains(ConvertFails(model, 11), "training_mode");
    }
}

[TestClass]
public sealed class PoolingRulesTests
{
    [TestMethod]
    public void NewPoolingAttributesWithDefaultsDowngrade()
    {
        var (model, node) = Single(19, "AveragePool", new[] { ("x", Float(1, 1, 4, 4)) }, 1,
            NodeAttribute.Of("kernel_shape", new long[] { 2, 2 }), NodeAttribute.Of("dilations", new long[] { 1, 1 }));
        ConvertChecked(model, 9);
        Assert.IsFalse(node.HasAttribute("dilations"));
    }

    [TestMethod]
    public void MaxPoolWithReadIndicesCannotGoBelow8()
    {
        var (model, _) = Single(12, "MaxPool", new[] { ("x", Float(1, 1, 4, 4)) }, 2, NodeAttribute.Of("kernel_shape", new long[] { 2, 2 }));
        StringAssert.Contains(ConvertFails(model, 7), "Indices");
    }

    [TestMethod]
    public void CeilModeCannotGoBelow10()
    {
        var (model, _) = Single(12, "MaxPool", new[] { ("x", Float(1, 1, 5, 5)) }, 1, NodeAttribute.Of("kernel_shape", new long[] { 2, 2 }), NodeAttribute.Of("ceil_mode", 1L));
        StringAssert.Contains(ConvertFails(model, 9), "ceil_mode");
    }
}
