using BuildConvert.Core.Converters.Onnx;
using BuildConvert.Core.Graphs;
using static BuildConvert.Core.Tests.Converters.Onnx.OpsetTestModels;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Converters.Onnx;

[TestClass]
public sealed class AxesRulesTests
{
    [TestMethod]
    public void SqueezeAxesMoveToAnInputAndBack()
    {
        var (model, node) = Single(11, "Squeeze", new[] { ("x", Float(1, 3, 1)) }, 1, NodeAttribute.Of("axes", new long[] { 0, -1 }));
        ConvertChecked(model, 13);
        CollectionAssert.AreEqual(new long[] { 0, -1 }, node.Input(1)!.ConstantValue!.ToInt64s());
        ConvertChecked(model, 10);
        Assert.HasCount(1, node.Inputs);
        CollectionAssert.AreEqual(new long[] { 0, 2 }, node.GetInts("axes")!.ToArray(), "negative axes are made non-negative below 11");
    }

    [TestMethod]
    public void ReshapeShapeAttributeBecomesAnInput()
    {
        var (model, node) = Single(4, "Reshape", new[] { ("x", Float(2, 3)) }, 1, NodeAttribute.Of("shape", new long[] { 3, 2 }), NodeAttribute.Of("consumed_inputs", new long[] { 0 }));
        ConvertChecked(model, 13);
        Assert.IsEmpty(node.Attributes);
        CollectionAssert.AreEqual(new long[] { 3, 2 }, node.Input(1)!.ConstantValue!.ToInt64s());
    }

    [TestMethod]
    public void ReduceMeanAxesMoveAt18AndNoopWithEmptyAxesBecomesIdentity()
    {
        var (model, node) = Single(13, "ReduceMean", new[] { ("x", Float(2, 3)) }, 1, NodeAttribute.Of("axes", new long[] { 1 }), NodeAttribute.Of("keepdims", 0L));
        ConvertChecked(model, 18);
        CollectionAssert.AreEqual(new long[] { 1 }, node.Input(1)!.ConstantValue!.ToInt64s());

        var (noop, n2) = Single(18, "ReduceMax", new[] { ("x", Float(2, 3)) }, 1, NodeAttribute.Of("noop_with_empty_axes", 1L));
        ConvertChecked(noop, 17);
        Assert.AreEqual("Identity", n2.OpType);
    }

    [TestMethod]
    public void SplitGetsNumOutputsAt18AndUnevenSizesOnDowngrade()
    {
        var (model, node) = Single(13, "Split", new[] { ("x", Float(7, 2)) }, 3, NodeAttribute.Of("axis", 0L));
        ConvertChecked(model, 18);
        Assert.AreEqual(3, node.GetInt("num_outputs", 0));
        ConvertChecked(model, 13);
        CollectionAssert.AreEqual(new long[] { 3, 3, 1 }, node.Input(1)!.ConstantValue!.ToInt64s());
    }

    [TestMethod]
    public void PadAttributesBecomeInputsOfTheInputType()
    {
        var (model, node) = Single(2, "Pad", new[] { ("x", OnnxType.Tensor(DataType.Double, 2, 2)) }, 1,
            NodeAttribute.Of("pads", new long[] { 1, 0, 1, 0 }), NodeAttribute.Of("value", 1.5f));
        ConvertChecked(model, 11);
        CollectionAssert.AreEqual(new long[] { 1, 0, 1, 0 }, node.Input(1)!.ConstantValue!.ToInt64s());
        Assert.AreEqual(DataType.Double, node.Input(2)!.ConstantValue!.ElementType);
        Assert.AreEqual(1.5, node.Input(2)!.ConstantValue!.ToDoubles()[0]);
    }

    [TestMethod]
    public void PadAxesAreSpreadOverEveryAxisBelow18()
    {
        var model = new Model(18, 8);
        var g = model.Graph;
        var x = g.AddInput("x", Float(2, 3, 4));
        var pads = g.AddInitializer("pads", TensorData.FromInt64s(new long[] { 1, 2, 3, 4 }));
        var axes = g.AddInitializer("axes", TensorData.FromInt64s(new long[] { 0, -1 }));
        var pad = g.AddNode("Pad", new[] { x, pads, null, axes }, name: "n");
        g.Outputs.Add(pad.Outputs[0]!);
        ConvertChecked(model, 13);
        CollectionAssert.AreEqual(new long[] { 1, 0, 2, 3, 0, 4 }, pad.Input(1)!.ConstantValue!.ToInt64s());
        Assert.HasCount(2, pad.Inputs);
    }

    [TestMethod]
    public void SliceDowngradeNeedsConstantsAndUnitSteps()
    {
        var model = new Model(13, 7);
        var g = model.Graph;
        var x = g.AddInput("x", Float(8));
        var s = g.AddInitializer("s", TensorData.FromInt64s(new long[] { 1 }));
        var e = g.AddInitializer("e", TensorData.FromInt64s(new long[] { 6 }));
        var a = g.AddInitializer("a", TensorData.FromInt64s(new long[] { 0 }));
        var st = g.AddInitializer("st", TensorData.FromInt64s(new long[] { 2 }));
        var slice = g.AddNode("Slice", new[] { x, s, e, a, st }, name: "n");
        g.Outputs.Add(slice.Outputs[0]!);
        StringAssert.Contains(ConvertFails(model, 9), "no steps");
    }

    [TestMethod]
    public void TopKAndTileAttributesBecomeInputs()
    {
        var (model, node) = Single(9, "TopK", new[] { ("x", Float(5)) }, 2, NodeAttribute.Of("k", 2L));
        ConvertChecked(model, 11);
        CollectionAssert.AreEqual(new long[] { 2 }, node.Input(1)!.ConstantValue!.ToInt64s());

        var tileModel = new Model(5, 3);
        var g = tileModel.Graph;
        var x = g.AddInput("x", Float(2, 3));
        var tiles = g.AddInitializer("tiles", TensorData.FromInt64s(new long[] { 4 }));
        var axis = g.AddInitializer("axis", TensorData.FromInt64s(new long[] { 1 }));
        var tile = g.AddNode("Tile", new[] { x, tiles, axis }, name: "t");
        g.Outputs.Add(tile.Outputs[0]!);
        ConvertChecked(tileModel, 13);
        CollectionAssert.AreEqual(new long[] { 1, 4 }, tile.Input(1)!.ConstantValue!.ToInt64s());
        Assert.HasCount(2, tile.Inputs);
    }

    [TestMethod]
    public void ConcatGetsItsOldDefaultAxis()
    {
        var (model, node) = Single(3, "Concat", new[] { ("a", Float(2, 3)), ("b", Float(2, 3)) });
        ConvertChecked(model, 13);
        Assert.AreEqual(1, node.GetInt("axis", -9));
    }
}
