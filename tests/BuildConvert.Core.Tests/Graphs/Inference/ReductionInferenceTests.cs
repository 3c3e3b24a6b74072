using static BuildConvert.Core.Tests.Graphs.Inference.SingleNode;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Graphs.Inference;

[TestClass]
public sealed class ReductionInferenceTests
{
    [TestMethod]
    public void AxesAsAttributeBeforeTheirVersionAndAsInputAfter()
    {
        Assert.AreEqual(F("N", 1, 4), new SingleNode(12).In("N", 3, 4).Attr("axes", new long[] { 1 }).Infer("ReduceSum"));
        Assert.AreEqual(F("N", 1, 4), new SingleNode(13).In("N", 3, 4).Ints(1).Infer("ReduceSum"));
        Assert.AreEqual(F("N", 4), new SingleNode(17).In("N", 3, 4).Attr("axes", new long[] { -2 }).Attr("keepdims", 0L).Infer("ReduceMean"));
        Assert.AreEqual(F("N", 4), new SingleNode(18).In("N", 3, 4).Ints(-2).Attr("keepdims", 0L).Infer("ReduceMax"));
    }

    [TestMethod]
    public void NoAxesReducesEverythingUnlessNoop()
    {
        Assert.AreEqual(F(1, 1), new SingleNode(18).In(3, 4).Infer("ReduceL2"));
        Assert.AreEqual(F(), new SingleNode(18).In(3, 4).Attr("keepdims", 0L).Infer("ReduceProd"));
        Assert.AreEqual(F(3, 4), new SingleNode(18).In(3, 4).Ints().Attr("noop_with_empty_axes", 1L).Infer("ReduceLogSumExp"));
        Assert.AreEqual(F("?", "?"), new SingleNode(18).In(3, 4).In(T(DataType.Int64, 1)).Infer("ReduceMin"), "run-time axes with keepdims keep the rank");
    }

    [TestMethod]
    public void ArgMaxGivesInt64()
    {
        Assert.AreEqual(T(DataType.Int64, "N", 1), new SingleNode(13).In("N", 5).Attr("axis", 1L).Infer("ArgMax"));
        Assert.AreEqual(T(DataType.Int64, 5), new SingleNode(13).In("N", 5).Attr("keepdims", 0L).Infer("ArgMin"));
    }
}
