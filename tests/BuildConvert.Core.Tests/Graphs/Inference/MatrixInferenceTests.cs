using static BuildConvert.Core.Tests.Graphs.Inference.SingleNode;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Graphs.Inference;

[TestClass]
public sealed class MatrixInferenceTests
{
    [TestMethod]
    public void GemmTransposes()
    {
        Assert.AreEqual(F("M", 5), new SingleNode(13).In("M", 3).In(3, 5).Infer("Gemm"));
        Assert.AreEqual(F(4, 6), new SingleNode(13).In(3, 4).In(6, 3).Attr("transA", 1L).Attr("transB", 1L).Infer("Gemm"));
        StringAssert.Contains(new SingleNode(13).In(2, 3).In(4, 5).Error("Gemm"), "inner dimensions");
    }

    [TestMethod]
    public void MatMulVectorsAndBatches()
    {
        Assert.AreEqual(F("B", 2, 3, 5), new SingleNode(13).In("B", 1, 3, 4).In(2, 4, 5).Infer("MatMul"));
        Assert.AreEqual(F(5), new SingleNode(13).In(4).In(4, 5).Infer("MatMul"));
        Assert.AreEqual(F(3), new SingleNode(13).In(3, 4).In(4).Infer("MatMul"));
        Assert.AreEqual(F(), new SingleNode(13).In(4).In(4).Infer("MatMul"));
        StringAssert.Contains(new SingleNode(13).In(2, 3).In(4, 5).Error("MatMul"), "inner dimensions");
        Assert.AreEqual(T(DataType.Int32, 2, 5), new SingleNode(13).In(T(DataType.Uint8, 2, 4)).In(T(DataType.Int8, 4, 5)).Infer("MatMulInteger"));
    }

    [TestMethod]
    public void QLinearMatMulTakesTheOutputZeroPointType()
    {
        var node = new SingleNode(13).In(T(DataType.Uint8, 2, 4)).In(F()).In(T(DataType.Uint8)).In(T(DataType.Int8, 4, 3)).In(F()).In(T(DataType.Int8)).In(F()).In(T(DataType.Int8));
        Assert.AreEqual(T(DataType.Int8, 2, 3), node.Infer("QLinearMatMul"));
    }

    [TestMethod]
    public void EinsumParsesTheEquation()
    {
        Assert.AreEqual(F("B", 3, 5), new SingleNode(12).In("B", 3, 4).In("B", 4, 5).Attr("equation", "bij,bjk->bik").Infer("Einsum"));
        Assert.AreEqual(F(5, 3), new SingleNode(12).In(3, 5).Attr("equation", "ij->ji").Infer("Einsum"));
        Assert.AreEqual(F(), new SingleNode(12).In(4, 4).Attr("equation", "ii").Infer("Einsum"), "implicit output: labels seen once, none here");
        Assert.AreEqual(F(2, 7, 3, 5), new SingleNode(12).In(2, 7, 3, 4).In(4, 5).Attr("equation", "...ij,jk->...ik").Infer("Einsum"));
        Assert.AreEqual(F(3, 5), new SingleNode(12).In(3, 4).In(4, 5).Attr("equation", "ij,jk").Infer("Einsum"), "implicit output sorted: i, k");
    }

    [TestMethod]
    public void DetDropsTheMatrixDims()
    {
        Assert.AreEqual(F("B"), new SingleNode(13).In("B", 3, 3).Infer("Det"));
    }
}
