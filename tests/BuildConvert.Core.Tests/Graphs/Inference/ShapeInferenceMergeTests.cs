using BuildConvert.Core.Graphs;
using BuildConvert.Core.Graphs.Inference;
using static BuildConvert.Core.Tests.Graphs.Inference.SingleNode;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Graphs.Inference;

/// <summary>How inferred types merge with declared ones, and the quantization and miscellaneous rules.</summary>
[TestClass]
public sealed class ShapeInferenceMergeTests
{
    [TestMethod]
    public void ADeclaredTypeIsNeverLoosenedButFilledIn()
    {
        var node = new SingleNode(17).In("N", 3);
        var (relu, _) = node.Run("Relu");
        relu.Outputs[0]!.Type = F(2, "?");
        var result = ShapeInference.Run(node.Model);
        Assert.AreEqual(F(2, 3), relu.Outputs[0]!.Type, "the declared 2 stays, the unknown becomes 3");
        Assert.IsTrue(result.IsClean, "a fixed declared size is compatible with a symbolic inferred one");
    }

    [TestMethod]
    public void ASymbolicDeclaredDimBecomesFixedWhenInferredFixed()
    {
        var merged = ShapeInference.Merge(F("B", 3), F(8, 3), new List<string>());
        Assert.AreEqual(F(8, 3), merged);
        Assert.AreEqual(F("B", 3), ShapeInference.Merge(F("B", 3), F("unk__0", 3), new List<string>()), "a declared name is kept over an inferred one");
        Assert.AreEqual(T(DataType.Int64, 2), ShapeInference.Merge(OnnxType.Tensor(DataType.Undefined, SingleNode.Shape(2)), T(DataType.Int64, "?"), new List<string>()));
    }

    [TestMethod]
    public void DisagreementsAreConflictsAndTheDeclaredTypeStays()
    {
        var node = new SingleNode(17).In(2, 3).In(3, 4);
        var (matmul, _) = node.Run("MatMul");
        var output = matmul.Outputs[0]!;
        output.Type = T(DataType.Int32, 2, 5, 1);
        var result = ShapeInference.Run(node.Model);
        Assert.AreEqual(T(DataType.Int32, 2, 5, 1), output.Type);
        var conflict = result.Conflicts.Single();
        Assert.AreSame(matmul, conflict.Node);
        Assert.AreSame(output, conflict.Value);
        Assert.AreEqual(F(2, 4), conflict.Inferred);
        StringAssert.Contains(conflict.Reason, "element type int32 declared, float inferred");
        StringAssert.Contains(conflict.Reason, "rank 3 declared, 2 inferred");

        output.Type = F(2, 5);
        var fixedDim = ShapeInference.Run(node.Model).Conflicts.Single();
        StringAssert.Contains(fixedDim.Reason, "dimension 1 is 5 declared, 4 inferred");
    }

    [TestMethod]
    public void QuantizationTypes()
    {
        Assert.AreEqual(T(DataType.Int8, "N", 4), new SingleNode(13).In("N", 4).In(F()).In(T(DataType.Int8)).Infer("QuantizeLinear"));
        Assert.AreEqual(T(DataType.Uint8, "N", 4), new SingleNode(13).In("N", 4).In(F()).Infer("QuantizeLinear"));
        Assert.AreEqual(T(DataType.Int16, 4), new SingleNode(21).In(4).In(F()).Attr("output_dtype", (long)DataType.Int16).Infer("QuantizeLinear"));
        Assert.AreEqual(F("N", 4), new SingleNode(13).In(T(DataType.Int8, "N", 4)).In(T(DataType.Float16)).Infer("DequantizeLinear"), "before 19: float");
        Assert.AreEqual(T(DataType.Float16, "N", 4), new SingleNode(19).In(T(DataType.Int8, "N", 4)).In(T(DataType.Float16)).Infer("DequantizeLinear"));
        var dynamic = new SingleNode(13).In(3, 4).InferAll("DynamicQuantizeLinear", 3);
        CollectionAssert.AreEqual(new[] { T(DataType.Uint8, 3, 4), F(), T(DataType.Uint8) }, dynamic);
        Assert.AreEqual(T(DataType.Int32, "N", 8, 5, 5), new SingleNode(13).In(T(DataType.Uint8, "N", 3, 7, 7)).In(T(DataType.Uint8, 8, 3, 3, 3)).Infer("ConvInteger"));
    }

    [TestMethod]
    public void GeneratorsLossesAndWindows()
    {
        Assert.AreEqual(T(DataType.Double, 2, 3), new SingleNode(17).Attr("shape", 2L, 3L).Attr("dtype", (long)DataType.Double).Infer("RandomNormal"));
        Assert.AreEqual(T(DataType.Int32, "B", 4), new SingleNode(17).In("B", 10).Attr("sample_size", 4L).Infer("Multinomial"));
        Assert.AreEqual(F(), new SingleNode(17).In("N", 5).In(T(DataType.Int64, "N")).Infer("NegativeLogLikelihoodLoss"));
        Assert.AreEqual(F("N"), new SingleNode(17).In("N", 5).In(T(DataType.Int64, "N")).Attr("reduction", "none").Infer("SoftmaxCrossEntropyLoss"));
        Assert.AreEqual(F(10), new SingleNode(17).Scalar(DataType.Int32, 10).Infer("HannWindow"));
        Assert.AreEqual(F(1, 5, 2), new SingleNode(17).In(1, 8, 1).Attr("onesided", 1L).Infer("DFT"), "RFFT keeps floor(n/2)+1");
    }
}
