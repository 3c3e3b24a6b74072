using BuildConvert.Core.Graphs;
using BuildConvert.Core.Graphs.Inference;
using static BuildConvert.Core.Tests.Graphs.Inference.SingleNode;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Graphs.Inference;

[TestClass]
public sealed class TensorShapeInferenceTests
{
    [TestMethod]
    public void ReshapeCopiesZerosAndSolvesMinusOne()
    {
        Assert.AreEqual(F("N", 3, 8), new SingleNode(13).In("N", 3, 2, 4).Ints(0, 0, -1).Infer("Reshape"));
        Assert.AreEqual(F(6, 4), new SingleNode(13).In(2, 3, 4).Ints(-1, 4).Infer("Reshape"));
        Assert.AreEqual(F(0, 4), new SingleNode(14).In(0, 4).Ints(0, 4).Attr("allowzero", 1L).Infer("Reshape"));
        Assert.AreEqual(F(2, 12), new SingleNode(4).In(2, 3, 4).Attr("shape", 2L, 12L).Infer("Reshape"), "Reshape-1 takes the shape as an attribute");
        StringAssert.Contains(new SingleNode(13).In(2, 3).Ints(4, 2).Error("Reshape"), "cannot reshape");
    }

    [TestMethod]
    public void ReshapeOfShapeArithmeticKeepsTheSymbolicBatch()
    {
        // Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])): the batch stays N, the rest is solved.
        var model = new Model(13);
        var g = model.Graph;
        var x = g.AddInput("x", F("N", 3, 4));
        var shape = g.AddNode("Shape", new[] { x }).Outputs[0];
        var batch = g.AddNode("Gather", new[] { shape, g.AddInitializer("zero", TensorData.Scalar(DataType.Int64, 0)) }).Outputs[0];
        var batch1 = g.AddNode("Unsqueeze", new[] { batch, g.AddInitializer("axes", TensorData.FromInt64s(new long[] { 0 })) }).Outputs[0];
        var target = g.AddNode("Concat", new[] { batch1, g.AddInitializer("minus1", TensorData.FromInt64s(new long[] { -1 })) },
            attributes: new[] { NodeAttribute.Of("axis", 0L) }).Outputs[0];
        var reshaped = g.AddNode("Reshape", new[] { x, target }).Outputs[0]!;
        var result = ShapeInference.Run(model);
        Assert.IsTrue(result.IsClean);
        Assert.AreEqual(F("N", 12), reshaped.Type);
        Assert.AreEqual(T(DataType.Int64, 2), target!.Type);
    }

    [TestMethod]
    public void ShapeArithmeticThroughMulAndSliceFeedsExpand()
    {
        var model = new Model(13);
        var g = model.Graph;
        var x = g.AddInput("x", F("B", 1, 5));
        var shape = g.AddNode("Shape", new[] { x }).Outputs[0];
        var head = g.AddNode("Slice", new[] { shape, g.AddInitializer("s", TensorData.FromInt64s(new long[] { 0 })), g.AddInitializer("e", TensorData.FromInt64s(new long[] { 1 })) }).Outputs[0];
        var doubled = g.AddNode("Mul", new[] { g.AddInitializer("two", TensorData.FromInt64s(new long[] { 1, 4, 1 })), g.AddInitializer("one", TensorData.FromInt64s(new long[] { 1 })) }).Outputs[0];
        var target = g.AddNode("Concat", new[] { head, g.AddNode("Slice", new[] { doubled, g.AddInitializer("s1", TensorData.FromInt64s(new long[] { 1 })), g.AddInitializer("e1", TensorData.FromInt64s(new long[] { 3 })) }).Outputs[0] },
            attributes: new[] { NodeAttribute.Of("axis", 0L) }).Outputs[0];
        var expanded = g.AddNode("Expand", new[] { x, target }).Outputs[0]!;
        ShapeInference.Run(model);
        Assert.AreEqual(F("B", 4, 5), expanded.Type);
    }

    [TestMethod]
    public void FlattenSqueezeUnsqueezeTranspose()
    {
        Assert.AreEqual(F(6, 4), new SingleNode(13).In(2, 3, 4).Attr("axis", -1L).Infer("Flatten"));
        Assert.AreEqual(F(1, 24), new SingleNode(13).In(2, 3, 4).Attr("axis", 0L).Infer("Flatten"));
        Assert.AreEqual(F("N", 4), new SingleNode(11).In("N", 1, 4).Attr("axes", new long[] { 1 }).Infer("Squeeze"));
        Assert.AreEqual(F("N", 4), new SingleNode(13).In("N", 1, 4).Ints(-2).Infer("Squeeze"));
        Assert.AreEqual(F(3), new SingleNode(13).In(1, 3, 1).Infer("Squeeze"), "no axes: every 1 goes");
        Assert.IsNull(new SingleNode(13).In("N", 3).Infer("Squeeze")!.Shape, "no axes and a symbolic dim: the rank is unknown");
        StringAssert.Contains(new SingleNode(13).In(2, 3).Ints(0).Error("Squeeze"), "cannot be squeezed");
        Assert.AreEqual(F(1, "N", 1, 4), new SingleNode(13).In("N", 4).Ints(0, -2).Infer("Unsqueeze"));
        Assert.AreEqual(F("N", 1, 4), new SingleNode(11).In("N", 4).Attr("axes", new long[] { 1 }).Infer("Unsqueeze"));
        Assert.AreEqual(F(4, "N", 3), new SingleNode(13).In("N", 3, 4).Attr("perm", 2L, 0L, 1L).Infer("Transpose"));
        Assert.AreEqual(F(4, 3, "N"), new SingleNode(13).In("N", 3, 4).Infer("Transpose"), "the default reverses");
    }

    [TestMethod]
    public void ConcatAddsTheAxisAndUnifiesTheRest()
    {
        Assert.AreEqual(F("N", 7), new SingleNode(13).In("N", 3).In("?", 4).Attr("axis", 1L).Infer("Concat"));
        Assert.AreEqual(F("?", 3), new SingleNode(13).In("N", 3).In("M", 3).Attr("axis", 0L).Infer("Concat"));
        StringAssert.Contains(new SingleNode(13).In(2, 3).In(2, 3, 1).Attr("axis", 0L).Error("Concat"), "different ranks");
        StringAssert.Contains(new SingleNode(13).In(2, 3).In(2, 4).Attr("axis", 0L).Error("Concat"), "dimension 1");
    }

    [TestMethod]
    public void SplitBySizesEvenlyAndByNumOutputs()
    {
        var sizes = new SingleNode(13).In("N", 6).Ints(2, 4).Attr("axis", 1L).InferAll("Split", 2);
        CollectionAssert.AreEqual(new[] { F("N", 2), F("N", 4) }, sizes);
        var attr = new SingleNode(11).In(6, "N").Attr("split", 1L, 5L).InferAll("Split", 2);
        CollectionAssert.AreEqual(new[] { F(1, "N"), F(5, "N") }, attr);
        CollectionAssert.AreEqual(new[] { F(2, 3), F(2, 3) }, new SingleNode(13).In(2, 6).Attr("axis", 1L).InferAll("Split", 2));
        CollectionAssert.AreEqual(new[] { F(3), F(3), F(1) }, new SingleNode(18).In(7).Attr("num_outputs", 3L).InferAll("Split", 3), "the last chunk is smaller");
        StringAssert.Contains(new SingleNode(13).In(7).Error("Split", 2), "evenly");
    }

    [TestMethod]
    public void ExpandTilePad()
    {
        Assert.AreEqual(F(2, "N", 4), new SingleNode(13).In("N", 1).Ints(2, 1, 4).Infer("Expand"));
        Assert.AreEqual(F("N", 6), new SingleNode(13).In("N", 3).Ints(1, 2).Infer("Tile"));
        Assert.AreEqual(F(4, 9), new SingleNode(13).In(2, 3).Ints(1, 2, 1, 4).Infer("Pad"));
        Assert.AreEqual(F(2, 5), new SingleNode(2).In(2, 3).Attr("pads", 0L, 1L, 0L, 1L).Infer("Pad"));
        Assert.AreEqual(F("N", 10), new SingleNode(18).In("N", 3).Ints(3, 4).Omitted().Ints(-1).Infer("Pad"), "Pad-18 pads only the listed axes");
    }

    [TestMethod]
    public void ShapeSizeConstantOfShapeConstantRange()
    {
        Assert.AreEqual(T(DataType.Int64, 3), new SingleNode(13).In("N", 3, 4).Infer("Shape"));
        Assert.AreEqual(T(DataType.Int64, 2), new SingleNode(15).In("N", 3, 4).Attr("start", 1L).Infer("Shape"));
        Assert.AreEqual(T(DataType.Int64, 1), new SingleNode(15).In("N", 3, 4).Attr("start", -2L).Attr("end", -1L).Infer("Shape"));
        Assert.AreEqual(T(DataType.Int64), new SingleNode(13).In("N", 3).Infer("Size"));
        Assert.AreEqual(F(2, 3), new SingleNode(13).Ints(2, 3).Infer("ConstantOfShape"));
        Assert.AreEqual(T(DataType.Int32, 4), new SingleNode(13).Ints(4).Attr(NodeAttribute.Of("value", TensorData.FromInt32s(new[] { 7 }))).Infer("ConstantOfShape"));
        Assert.AreEqual(T(DataType.Int64, 3), new SingleNode(13).Attr("value_ints", 1L, 2L, 3L).Infer("Constant"));
        Assert.AreEqual(F(), new SingleNode(13).Attr("value_float", 1f).Infer("Constant"));
        Assert.AreEqual(T(DataType.Int64, 4), new SingleNode(13).Scalar(DataType.Int64, 10).Scalar(DataType.Int64, 2).Scalar(DataType.Int64, -2).Infer("Range"));
        Assert.AreEqual(F(3), new SingleNode(13).Scalar(DataType.Float, 0).Scalar(DataType.Float, 1).Scalar(DataType.Float, 0.4).Infer("Range"));
        var dynamic = new SingleNode(13).In(T(DataType.Int64)).Scalar(DataType.Int64, 9).Scalar(DataType.Int64, 1).Infer("Range")!;
        Assert.IsTrue(dynamic.Shape![0].Symbol!.StartsWith("unk__", StringComparison.Ordinal), "a data-dependent length is a fresh symbol");
    }

    [TestMethod]
    public void ResizeAndUpsample()
    {
        Assert.AreEqual(F("N", 3, 8, 12), new SingleNode(13).In("N", 3, 4, 6).Omitted().Floats(1, 1, 2, 2).Infer("Resize"));
        Assert.AreEqual(F(1, 3, 5, 7), new SingleNode(13).In(1, 3, 4, 6).Omitted().Omitted().Ints(1, 3, 5, 7).Infer("Resize"));
        Assert.AreEqual(F(1, 3, 2, 3), new SingleNode(10).In(1, 3, 4, 6).Floats(1, 1, 0.6f, 0.6f).Infer("Resize"), "floor(4 × 0.6) = 2");
        Assert.AreEqual(F(1, 3, 5, 8), new SingleNode(18).In(1, 3, 4, 6).Omitted().Omitted().Ints(5, 10)
            .Attr("axes", 2L, 3L).Attr("keep_aspect_ratio_policy", "not_larger").Infer("Resize"), "scale min(5/4, 10/6) = 1.25");
        Assert.AreEqual(F(1, 3, 7, 10), new SingleNode(18).In(1, 3, 4, 6).Omitted().Omitted().Ints(5, 10)
            .Attr("axes", 2L, 3L).Attr("keep_aspect_ratio_policy", "not_smaller").Infer("Resize"), "scale max(5/4, 10/6) = 5/3");
        Assert.AreEqual(F(1, 1, 4, 6), new SingleNode(7).In(1, 1, 2, 3).Attr(NodeAttribute.Of("scales", new[] { 1f, 1f, 2f, 2f })).Infer("Upsample"));
        Assert.AreEqual(F(1, 1, 4, 9), new SingleNode(9).In(1, 1, 2, 3).Floats(1, 1, 2, 3).Infer("Upsample"));
    }

    [TestMethod]
    public void DepthToSpaceAndBack()
    {
        Assert.AreEqual(F("N", 2, 6, 8), new SingleNode(13).In("N", 8, 3, 4).Attr("blocksize", 2L).Infer("DepthToSpace"));
        Assert.AreEqual(F("N", 32, 3, 4), new SingleNode(13).In("N", 8, 6, 8).Attr("blocksize", 2L).Infer("SpaceToDepth"));
    }
}
