using static BuildConvert.Core.Tests.Graphs.Inference.SingleNode;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Graphs.Inference;

[TestClass]
public sealed class NeuralNetInferenceTests
{
    [TestMethod]
    public void ConvPadsStridesDilationsGroups()
    {
        Assert.AreEqual(F("N", 8, 224, 224), new SingleNode(11).In("N", 3, 224, 224).In(8, 3, 3, 3).Attr("pads", 1L, 1L, 1L, 1L).Infer("Conv"));
        Assert.AreEqual(F("N", 8, 112, 111), new SingleNode(11).In("N", 3, 224, 224).In(8, 3, 3, 5).Attr("pads", 1L, 1L, 1L, 1L).Attr("strides", 2L, 2L).Infer("Conv"));
        Assert.AreEqual(F(1, 4, 6), new SingleNode(11).In(1, 2, 10).In(4, 2, 3).Attr("dilations", new long[] { 2 }).Infer("Conv"), "effective kernel 5");
        Assert.AreEqual(F(1, 6, 5, 5), new SingleNode(11).In(1, 6, 7, 7).In(6, 2, 3, 3).Attr("group", 3L).Infer("Conv"));
        StringAssert.Contains(new SingleNode(11).In(1, 6, 7, 7).In(6, 4, 3, 3).Attr("group", 3L).Error("Conv"), "channels");
    }

    [TestMethod]
    public void ConvAutoPad()
    {
        Assert.AreEqual(F("N", 8, "H", "W"), new SingleNode(11).In("N", 3, "H", "W").In(8, 3, 3, 3).Attr("auto_pad", "SAME_UPPER").Infer("Conv"), "stride 1 keeps symbols");
        Assert.AreEqual(F(1, 8, 4, 3), new SingleNode(11).In(1, 3, 7, 5).In(8, 3, 3, 3).Attr("auto_pad", "SAME_LOWER").Attr("strides", 2L, 2L).Infer("Conv"));
        Assert.AreEqual(F(1, 8, 3, 2), new SingleNode(11).In(1, 3, 7, 5).In(8, 3, 3, 3).Attr("auto_pad", "VALID").Attr("strides", 2L, 2L).Infer("Conv"));
        Assert.AreEqual(F("N", 8, "?", "?"), new SingleNode(11).In("N", 3, "H", "W").In(8, 3, 3, 3).Infer("Conv"));
    }

    [TestMethod]
    public void ConvTransposeOutputPaddingAndShape()
    {
        Assert.AreEqual(F(1, 4, 10, 7), new SingleNode(11).In(1, 2, 3, 3).In(2, 2, 3, 3).Attr("strides", 3L, 2L).Attr("output_padding", 1L, 0L).Attr("group", 2L).Infer("ConvTranspose"));
        Assert.AreEqual(F(1, 2, 10, 8), new SingleNode(11).In(1, 1, 3, 3).In(1, 2, 3, 3).Attr("output_shape", 10L, 8L).Attr("strides", 3L, 2L).Infer("ConvTranspose"));
        Assert.AreEqual(F(1, 2, 6, 6), new SingleNode(11).In(1, 1, 3, 3).In(1, 2, 3, 3).Attr("auto_pad", "SAME_UPPER").Attr("strides", 2L, 2L).Infer("ConvTranspose"));
        Assert.AreEqual(F(1, 2, 5, 5), new SingleNode(11).In(1, 1, 3, 3).In(1, 2, 3, 3).Attr("pads", 0L, 0L, 0L, 0L).Infer("ConvTranspose"));
    }

    [TestMethod]
    public void PoolsWithCeilModeAndIndices()
    {
        var max = new SingleNode(12).In("N", 3, 5, 5).Attr("kernel_shape", 2L, 2L).Attr("strides", 2L, 2L).Attr("ceil_mode", 1L).InferAll("MaxPool", 2);
        Assert.AreEqual(F("N", 3, 3, 3), max[0]);
        Assert.AreEqual(T(DataType.Int64, "N", 3, 3, 3), max[1]);
        Assert.AreEqual(F(1, 1, 2, 2), new SingleNode(12).In(1, 1, 5, 5).Attr("kernel_shape", 2L, 2L).Attr("strides", 2L, 2L).Infer("MaxPool"), "floor by default");
        Assert.AreEqual(F(1, 1, 3), new SingleNode(19).In(1, 1, 4).Attr("kernel_shape", new long[] { 2 }).Attr("strides", new long[] { 2 }).Attr("pads", 1L, 1L).Attr("ceil_mode", 1L).Infer("AveragePool"),
            "windows start at -1, 1, 3");
        Assert.AreEqual(F(1, 1, 3), new SingleNode(19).In(1, 1, 5).Attr("kernel_shape", new long[] { 2 }).Attr("strides", new long[] { 2 }).Attr("pads", 1L, 1L).Attr("ceil_mode", 1L).Infer("AveragePool"),
            "a last window starting in the end padding is dropped");
        Assert.AreEqual(F(1, 2, 3, 3), new SingleNode(12).In(1, 2, 5, 5).Attr("kernel_shape", 3L, 3L).Attr("dilations", 2L, 2L).Attr("pads", 1L, 1L, 1L, 1L).Infer("MaxPool"));
        Assert.AreEqual(F("N", 3, 1, 1), new SingleNode(12).In("N", 3, 7, 7).Infer("GlobalAveragePool"));
        Assert.AreEqual(F("N", 3, 1), new SingleNode(12).In("N", 3, 7).Infer("GlobalMaxPool"));
        Assert.AreEqual(F(1, 1, 4, 4), new SingleNode(11).In(1, 1, 2, 2).In(T(DataType.Int64, 1, 1, 2, 2)).Attr("kernel_shape", 2L, 2L).Attr("strides", 2L, 2L).Infer("MaxUnpool"));
    }

    [TestMethod]
    public void BatchNormalizationOutputsOfEveryVersion()
    {
        var v9 = new SingleNode(9).In("N", 4, 5).In(4).In(4).In(4).In(4).InferAll("BatchNormalization", 5);
        Assert.AreEqual(F("N", 4, 5), v9[0]);
        CollectionAssert.AreEqual(Enumerable.Repeat(F(4), 4).ToArray(), v9.Skip(1).ToArray());
        var v15 = new SingleNode(15).In(T(DataType.Float16, 2, 3, 4)).In(T(DataType.Float16, 3)).In(T(DataType.Float16, 3)).In(3).In(3).Attr("training_mode", 1L).InferAll("BatchNormalization", 3);
        Assert.AreEqual(T(DataType.Float16, 2, 3, 4), v15[0]);
        Assert.AreEqual(F(3), v15[1], "running statistics have the type of the mean input");
    }

    [TestMethod]
    public void NormalizationsKeepTheInputAndLayerNormReducesTheTail()
    {
        var ln = new SingleNode(17).In(T(DataType.Float16, "B", 5, 8)).In(T(DataType.Float16, 8)).Attr("axis", -1L).InferAll("LayerNormalization", 3);
        Assert.AreEqual(T(DataType.Float16, "B", 5, 8), ln[0]);
        Assert.AreEqual(F("B", 5, 1), ln[1], "mean has the stash type");
        Assert.AreEqual(F("N", 3, 5, 5), new SingleNode(17).In("N", 3, 5, 5).In(3).In(3).Infer("InstanceNormalization"));
        Assert.AreEqual(F("N", 4, 5), new SingleNode(18).In("N", 4, 5).In(4).In(4).Attr("num_groups", 2L).Infer("GroupNormalization"));
        Assert.AreEqual(F("N", 4, 5, 5), new SingleNode(17).In("N", 4, 5, 5).Attr("size", 3L).Infer("LRN"));
    }

    [TestMethod]
    public void RecurrentLayersInBothLayouts()
    {
        var lstm = new SingleNode(14).In(7, "B", 10).In(2, 64, 10).In(2, 64, 16).Attr("hidden_size", 16L).Attr("direction", "bidirectional").InferAll("LSTM", 3);
        Assert.AreEqual(F(7, 2, "B", 16), lstm[0]);
        Assert.AreEqual(F(2, "B", 16), lstm[1]);
        Assert.AreEqual(F(2, "B", 16), lstm[2]);
        var gru = new SingleNode(14).In("B", 7, 10).In(1, 48, 10).In(1, 48, 16).Attr("hidden_size", 16L).Attr("layout", 1L).InferAll("GRU", 2);
        Assert.AreEqual(F("B", 7, 1, 16), gru[0]);
        Assert.AreEqual(F("B", 1, 16), gru[1]);
        Assert.AreEqual(F(7, 1, 3, 5), new SingleNode(14).In(7, 3, 2).In(1, 5, 2).In(1, 5, 5).InferAll("RNN", 2)[0], "hidden size from R");
    }

    [TestMethod]
    public void RoiAlignGridSampleCol2Im()
    {
        Assert.AreEqual(F(5, 3, 7, 7), new SingleNode(16).In(2, 3, 32, 32).In(5, 4).In(T(DataType.Int64, 5)).Attr("output_height", 7L).Attr("output_width", 7L).Infer("RoiAlign"));
        Assert.AreEqual(F("N", 3, 6, 9), new SingleNode(16).In("N", 3, 32, 32).In("N", 6, 9, 2).Infer("GridSample"));
        Assert.AreEqual(F(1, 1, 5, 5), new SingleNode(18).In(1, 4, 16).Ints(5, 5).Ints(2, 2).Infer("Col2Im"));
    }
}
