using static BuildConvert.Core.Tests.Graphs.Inference.SingleNode;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Graphs.Inference;

[TestClass]
public sealed class IndexingInferenceTests
{
    [TestMethod]
    public void SliceClampsStepsAndKeepsUntouchedSymbols()
    {
        Assert.AreEqual(F("N", 2, 5), new SingleNode(13).In("N", 10, 5).Ints(1, 0).Ints(3, 100).Ints(1, 2).Infer("Slice"));
        Assert.AreEqual(F("N", 4, 2), new SingleNode(13).In("N", 10, 5).Ints(1, -4).Ints(9, 100).Ints(1, 2).Ints(2, 3).Infer("Slice"), "steps 2 and 3");
        Assert.AreEqual(F(5), new SingleNode(13).In(10).Ints(-1).Ints(long.MinValue).Ints(0).Ints(-2).Infer("Slice"), "negative step from the end");
        Assert.AreEqual(F(3, 2), new SingleNode(9).In(5, 2).Attr("starts", new long[] { 1 }).Attr("ends", new long[] { -1 }).Infer("Slice"), "Slice-1 takes attributes");
        Assert.AreEqual(F("N", 4), new SingleNode(13).In("N", 4).Ints(0).Ints(long.MaxValue).Ints(0).Infer("Slice"), "the whole axis keeps its symbol");
        Assert.AreEqual(F("?", 4), new SingleNode(13).In("N", 4).Ints(1).Ints(long.MaxValue).Ints(0).Infer("Slice"));
    }

    [TestMethod]
    public void GatherFamily()
    {
        Assert.AreEqual(F("N", 2, 3, 5), new SingleNode(13).In("N", 4, 5).In(T(DataType.Int64, 2, 3)).Attr("axis", 1L).Infer("Gather"));
        Assert.AreEqual(F(5), new SingleNode(13).In(4, 5).Scalar(DataType.Int64, 1).Infer("Gather"));
        Assert.AreEqual(F(2, 2), new SingleNode(13).In(3, 3).In(T(DataType.Int64, 2, 2)).Infer("GatherElements"));
        Assert.AreEqual(F(2, 4), new SingleNode(13).In(3, 5, 4).In(T(DataType.Int64, 2, 2)).Infer("GatherND"));
        Assert.AreEqual(F(2, 4), new SingleNode(13).In(2, 5, 4).In(T(DataType.Int64, 2, 1)).Attr("batch_dims", 1L).Infer("GatherND"));
        Assert.AreEqual(F(3, 3), new SingleNode(13).In(3, 3).In(T(DataType.Int64, 2, 3)).In(2, 3).Infer("ScatterElements"));
    }

    [TestMethod]
    public void DataDependentSizesAreFreshSymbols()
    {
        var nonZero = new SingleNode(13).In(3, 4).Infer("NonZero")!;
        Assert.AreEqual(DataType.Int64, nonZero.ElementType);
        Assert.AreEqual(2L, nonZero.Shape![0].Value, "one row per input dimension");
        Assert.AreEqual("unk__0", nonZero.Shape[1].Symbol);

        var node = new SingleNode(13);
        node.Graph.AddInput("taken", OnnxTypeWithSymbol("unk__0"));
        var nms = node.In(T(DataType.Float, 1, 6, 4)).In(1, 1, 6).Infer("NonMaxSuppression")!;
        Assert.AreEqual("unk__1", nms.Shape![0].Symbol, "fresh names avoid the model's symbols");
        Assert.AreEqual(3L, nms.Shape[1].Value);
    }

    private static BuildConvert.Core.Graphs.OnnxType OnnxTypeWithSymbol(string symbol) => F(symbol);

    [TestMethod]
    public void UniqueOutputs()
    {
        var flat = new SingleNode(13).In(2, 3).InferAll("Unique", 4);
        Assert.AreEqual(1, flat[0]!.Rank);
        Assert.AreEqual(T(DataType.Int64, 6), flat[2], "inverse indices index the flattened input");
        Assert.IsTrue(flat[0]!.Shape![0].SameAs(flat[1]!.Shape![0]) && flat[0]!.Shape![0].SameAs(flat[3]!.Shape![0]), "one symbol for the unique count");
        var axis = new SingleNode(13).In(2, 3).Attr("axis", 1L).InferAll("Unique", 4);
        Assert.AreEqual(2L, axis[0]!.Shape![0].Value);
        Assert.AreEqual(T(DataType.Int64, 3), axis[2]);
    }

    [TestMethod]
    public void TopKOneHotCompress()
    {
        var topk = new SingleNode(11).In("N", 10).Ints(3).InferAll("TopK", 2);
        Assert.AreEqual(F("N", 3), topk[0]);
        Assert.AreEqual(T(DataType.Int64, "N", 3), topk[1]);
        Assert.AreEqual(F(2, 5), new SingleNode(1).In(10, 5).Attr("k", 2L).Attr("axis", 0L).InferAll("TopK", 2)[0]);
        Assert.AreEqual(F(2, 10, 3), new SingleNode(11).In(T(DataType.Int64, 2, 3)).Scalar(DataType.Int64, 10).In(2).Attr("axis", 1L).Infer("OneHot"));
        Assert.AreEqual(F(2, 3, 10), new SingleNode(11).In(T(DataType.Int64, 2, 3)).Scalar(DataType.Int64, 10).In(2).Infer("OneHot"));
        var compress = new SingleNode(11).In(3, 2);
        var condition = compress.Graph.AddInitializer("cond", BuildConvert.Core.Graphs.TensorData.FromBytes(DataType.Bool, new long[] { 3 }, new byte[] { 1, 0, 1 }));
        var node = compress.Graph.AddNode("Compress", new[] { compress.Graph.Inputs[0], condition }, attributes: new[] { BuildConvert.Core.Graphs.NodeAttribute.Of("axis", 0L) });
        BuildConvert.Core.Graphs.Inference.ShapeInference.Run(compress.Model);
        Assert.AreEqual(F(2, 2), node.Outputs[0]!.Type, "a constant condition selects a known count");
        Assert.AreEqual("unk__0", new SingleNode(11).In(3, 2).In(T(DataType.Bool, 3)).Infer("Compress")!.Shape![0].Symbol, "no axis: flattened, data-dependent");
    }
}
