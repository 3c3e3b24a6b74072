using BuildConvert.Core.Converters.Onnx;
using BuildConvert.Core.Graphs;
using static BuildConvert.Core.Tests.Converters.Onnx.OpsetTestModels;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Converters.Onnx;

[TestClass]
public sealed class RecurrentRulesTests
{
    [TestMethod]
    public void BatchFirstLayoutIsTransposedBelow14AndOutputsKeepTheirNames()
    {
        var model = new Model(14, 7);
        var g = model.Graph;
        var x = g.AddInput("x", Float(2, 5, 3));
        var w = g.AddInput("w", Float(1, 4, 3));
        var r = g.AddInput("r", Float(1, 4, 4));
        var rnn = g.AddNode("RNN", new[] { x, w, r }, 2, new[] { NodeAttribute.Of("hidden_size", 4L), NodeAttribute.Of("layout", 1L) }, name: "rnn");
        g.Outputs.Add(rnn.Outputs[0]!);
        g.Outputs.Add(rnn.Outputs[1]!);
        var names = g.Outputs.Select(o => o.Name).ToArray();
        ConvertChecked(model, 13);
        CollectionAssert.AreEqual(names, g.Outputs.Select(o => o.Name).ToArray());
        Assert.IsTrue(g.Outputs.All(o => o.Producer!.OpType == "Transpose"));
        Assert.AreEqual("Transpose", rnn.Input(0)!.Producer!.OpType);
        Assert.IsFalse(rnn.HasAttribute("layout"));
    }
}

[TestClass]
public sealed class MiscRulesTests
{
    [TestMethod]
    public void CastTypeNameBecomesANumberAndBack()
    {
        var (model, node) = Single(5, "Cast", new[] { ("x", Float(2)) }, 1, NodeAttribute.Of("to", "INT64"));
        ConvertChecked(model, 13);
        Assert.AreEqual((long)DataType.Int64, node.GetInt("to", 0));
        OnnxOpsetConverter.Convert(model, 5);
        Assert.AreEqual("INT64", node.GetString("to", ""));
    }

    [TestMethod]
    public void ClipBoundsBecomeInputsOfTheInputType()
    {
        var (model, node) = Single(6, "Clip", new[] { ("x", OnnxType.Tensor(DataType.Double, 3)) }, 1, NodeAttribute.Of("min", -1f));
        ConvertChecked(model, 13);
        Assert.HasCount(2, node.Inputs);
        Assert.AreEqual(DataType.Double, node.Input(1)!.ConstantValue!.ElementType);
        ConvertChecked(model, 10);
        Assert.AreEqual(-1f, node.GetFloat("min", 0));
        Assert.IsFalse(node.HasAttribute("max"));
    }

    [TestMethod]
    public void ShapeStartEndBecomesASliceBelow15()
    {
        var (model, node) = Single(15, "Shape", new[] { ("x", Float(2, 3, 4)) }, 1, NodeAttribute.Of("start", 1L));
        var name = model.Graph.Outputs[0].Name;
        ConvertChecked(model, 14);
        Assert.AreEqual(name, model.Graph.Outputs[0].Name);
        Assert.AreEqual("Slice", model.Graph.Outputs[0].Producer!.OpType);
        Assert.IsFalse(node.HasAttribute("start"));
    }

    [TestMethod]
    public void Float16RangeIsComputedInFloatBelow27()
    {
        var h = OnnxType.Tensor(DataType.Float16);
        var (model, node) = Single(27, "Range", new[] { ("a", h), ("b", h), ("c", h) });
        ConvertChecked(model, 26);
        Assert.IsTrue(node.Inputs.All(i => i!.Producer!.OpType == "Cast"));
        Assert.AreEqual("Cast", model.Graph.Outputs[0].Producer!.OpType);
    }

    [TestMethod]
    public void ScatterBecomesScatterElementsAndBack()
    {
        var (model, node) = Single(9, "Scatter", new[] { ("d", Float(3)), ("i", OnnxType.Tensor(DataType.Int64, 1)), ("u", Float(1)) });
        ConvertChecked(model, 11);
        Assert.AreEqual("ScatterElements", node.OpType);
        OnnxOpsetConverter.Convert(model, 9);
        Assert.AreEqual("Scatter", node.OpType);
    }

    [TestMethod]
    public void OperatorsNewerThanTheTargetAreRefused()
    {
        var (model, _) = Single(28, "SwiGLU", new[] { ("x", Float(2, 4)) });
        StringAssert.Contains(ConvertFails(model, 26), "does not exist before opset 28");
    }
}
