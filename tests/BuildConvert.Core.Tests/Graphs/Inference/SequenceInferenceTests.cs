using BuildConvert.Core.Graphs;
using static BuildConvert.Core.Tests.Graphs.Inference.SingleNode;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Graphs.Inference;

[TestClass]
public sealed class SequenceInferenceTests
{
    [TestMethod]
    public void SequencesCarryTheirElementType()
    {
        Assert.AreEqual(OnnxType.Sequence(F("?", 3)), new SingleNode(17).In(2, 3).In(4, 3).Infer("SequenceConstruct"));
        Assert.AreEqual(F(2, 3), new SingleNode(17).In(OnnxType.Sequence(F(2, 3))).In(T(DataType.Int64)).Infer("SequenceAt"));
        Assert.AreEqual(OnnxType.Sequence(OnnxType.Tensor(DataType.Int32)), new SingleNode(17).Attr("dtype", (long)DataType.Int32).Infer("SequenceEmpty"));
        Assert.AreEqual(T(DataType.Int64), new SingleNode(17).In(OnnxType.Sequence(F(2))).Infer("SequenceLength"));
        Assert.AreEqual(OnnxType.Sequence(F(2, 3)), new SingleNode(17).In(OnnxType.Sequence(F(2, 3))).In(2, 3).Infer("SequenceInsert"));
    }

    [TestMethod]
    public void SplitToSequenceAndConcatFromSequence()
    {
        Assert.AreEqual(OnnxType.Sequence(F(1, 4)), new SingleNode(17).In(6, 4).Infer("SplitToSequence"));
        Assert.AreEqual(OnnxType.Sequence(F(4)), new SingleNode(17).In(6, 4).Attr("keepdims", 0L).Infer("SplitToSequence"));
        Assert.AreEqual(OnnxType.Sequence(F(2, 4)), new SingleNode(17).In(6, 4).Scalar(DataType.Int64, 2).Infer("SplitToSequence"));
        Assert.AreEqual(F("?", 4), new SingleNode(17).In(OnnxType.Sequence(F(2, 4))).Attr("axis", 0L).Infer("ConcatFromSequence"));
        Assert.AreEqual(F(2, "?", 4), new SingleNode(17).In(OnnxType.Sequence(F(2, 4))).Attr("axis", 1L).Attr("new_axis", 1L).Infer("ConcatFromSequence"));
    }

    [TestMethod]
    public void Optionals()
    {
        Assert.AreEqual(OnnxType.Optional(F(3)), new SingleNode(18).In(3).Infer("Optional"));
        Assert.AreEqual(OnnxType.Optional(T(DataType.Int8, 2)), new SingleNode(18).Attr(NodeAttribute.Of("type", T(DataType.Int8, 2))).Infer("Optional"));
        Assert.AreEqual(F(3), new SingleNode(18).In(OnnxType.Optional(F(3))).Infer("OptionalGetElement"));
        Assert.AreEqual(T(DataType.Bool), new SingleNode(18).In(OnnxType.Optional(F(3))).Infer("OptionalHasElement"));
    }
}
