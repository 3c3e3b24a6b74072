using BuildConvert.Core.Converters.Onnx;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;
using BuildConvert.Core.Graphs;
using static BuildConvert.Core.Tests.Converters.Onnx.OpsetTestModels;

namespace BuildConvert.Core.Tests.Converters.Onnx;

[TestClass]
public sealed class ResizeRulesTests
{
    [TestMethod]
    public void UpsampleBecomesResizeWithUpsamplesSampling()
    {
        var (model, node) = Single(7, "Upsample", new[] { ("x", Float(1, 1, 2, 2)) }, 1,
            NodeAttribute.Of("scales", new[] { 1f, 1f, 2f, 2f }), NodeAttribute.Of("mode", "nearest"));
        var result = ConvertChecked(model, 13);
        Assert.AreEqual("Resize", node.OpType);
        Assert.AreEqual("asymmetric", node.GetString("coordinate_transformation_mode", ""));
        Assert.AreEqual("floor", node.GetString("nearest_mode", ""));
        Assert.IsNull(node.Input(1), "the empty roi is omitted from 13");
        CollectionAssert.AreEqual(new[] { 1.0, 1, 2, 2 }, node.Input(2)!.ConstantValue!.ToDoubles());
        CollectionAssert.AreEqual(new[] { 9, 10, 11, 13 }, result.Steps.Select(s => s.To).ToArray());
    }

    [TestMethod]
    public void ResizeWithHalfPixelCannotGoBelow11()
    {
        var model = new Model(13, 7);
        var g = model.Graph;
        var x = g.AddInput("x", Float(1, 1, 2, 2));
        var scales = g.AddInitializer("scales", TensorData.FromFloats(new[] { 1f, 1f, 2f, 2f }));
        var resize = g.AddNode("Resize", new[] { x, null, scales }, attributes: new[] { NodeAttribute.Of("mode", "linear") }, name: "r");
        g.Outputs.Add(resize.Outputs[0]!);
        StringAssert.Contains(ConvertFails(model, 10), "half_pixel");
    }

    [TestMethod]
    public void AsymmetricFloorResizeGoesBackToUpsample()
    {
        var model = new Model(11, 6);
        var g = model.Graph;
        var x = g.AddInput("x", Float(1, 1, 2, 2));
        var roi = g.AddInitializer("roi", TensorData.FromFloats(Array.Empty<float>()));
        var scales = g.AddInitializer("scales", TensorData.FromFloats(new[] { 1f, 1f, 2f, 2f }));
        var resize = g.AddNode("Resize", new[] { x, roi, scales }, attributes: new[]
        {
            NodeAttribute.Of("coordinate_transformation_mode", "asymmetric"), NodeAttribute.Of("nearest_mode", "floor"),
        }, name: "r");
        g.Outputs.Add(resize.Outputs[0]!);
        ConvertChecked(model, 9);
        Assert.AreEqual("Upsample", resize.OpType);
        Assert.HasCount(2, resize.Inputs);
    }
}

[TestClass]
public sealed class SoftmaxRulesTests
{
    [TestMethod]
    public void OldSoftmaxOverTheLastAxisOnlyGetsAnExplicitAxis()
    {
        var (model, node) = Single(11, "Softmax", new[] { ("x", Float(2, 5)) });
        ConvertChecked(model, 13);
        Assert.AreEqual("Softmax", node.OpType);
        Assert.AreEqual(-1, node.GetInt("axis", 0));
    }

    [TestMethod]
    public void OldSoftmaxOverSeveralAxesFlattensAndReshapes()
    {
        var (model, node) = Single(11, "LogSoftmax", new[] { ("x", Float(2, 3, 4)) }, 1, NodeAttribute.Of("axis", 1L));
        ConvertChecked(model, 13);
        Assert.AreEqual("Reshape", node.OpType);
        var inner = node.Input(0)!.Producer!;
        Assert.AreEqual("LogSoftmax", inner.OpType);
        Assert.AreEqual("Flatten", inner.Input(0)!.Producer!.OpType);
        Assert.AreEqual(1, inner.Input(0)!.Producer!.GetInt("axis", 0));
        Assert.AreEqual("Shape", node.Input(1)!.Producer!.OpType);
        Assert.AreEqual("y" is var _ ? model.Graph.Outputs[0] : null, node.Outputs[0], "the node keeps its output");
    }

    [TestMethod]
    public void NewSoftmaxOverAMiddleAxisTransposesOnDowngrade()
    {
        var (model, node) = Single(13, "Softmax", new[] { ("x", Float(2, 3, 4)) }, 1, NodeAttribute.Of("axis", 1L));
        ConvertChecked(model, 12);
        Assert.AreEqual("Transpose", node.OpType);
        CollectionAssert.AreEqual(new long[] { 0, 2, 1 }, node.GetInts("perm")!.ToArray());
    }

    [TestMethod]
    public void NewSoftmaxOverAMiddleAxisOfUnknownRankCannotGoDown()
    {
        var (model, _) = Single(13, "Hardmax", new[] { ("x", OnnxType.Tensor(DataType.Float, (IReadOnlyList<Dim>?)null)) }, 1, NodeAttribute.Of("axis", 1L));
        StringAssert.Contains(ConvertFails(model, 11), "rank");
    }
}
