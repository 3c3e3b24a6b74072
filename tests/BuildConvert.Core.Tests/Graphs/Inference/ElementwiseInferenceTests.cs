using BuildConvert.Core.Graphs;
using static BuildConvert.Core.Tests.Graphs.Inference.SingleNode;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Graphs.Inference;

[TestClass]
public sealed class ElementwiseInferenceTests
{
    [TestMethod]
    public void BroadcastingMergesSymbolsAndPrefersFixedSizes()
    {
        Assert.AreEqual(F("N", 4, 3), new SingleNode(17).In("N", 1, 3).In(1, 4, 1).Infer("Add"));
        Assert.AreEqual(F("N", 5), new SingleNode(17).In("N", 5).In("N", 1).Infer("Mul"));
        Assert.AreEqual(F(7, 2), new SingleNode(17).In("N", 2).In(7, 1).Infer("Sub"), "fixed vs symbolic gives the fixed size");
        Assert.AreEqual(F("?", 2), new SingleNode(17).In("N", 2).In("M", 2).Infer("Div"), "two different symbols give an unknown size");
        Assert.AreEqual(F(2, 3, 4), new SingleNode(17).In(3, 4).In(2, 1, 1).Infer("Pow"));
        Assert.AreEqual(F(3), new SingleNode(17).In().In(3).Infer("Add"), "a scalar broadcasts");
    }

    [TestMethod]
    public void IncompatibleShapesAreAnErrorNotAnException()
    {
        StringAssert.Contains(new SingleNode(17).In(2, 3).In(4, 3).Error("Add"), "cannot be broadcast");
    }

    [TestMethod]
    public void BeforeOpset7TheOutputHasTheFirstInputsShape()
    {
        Assert.AreEqual(F(2, 3, 4), new SingleNode(6).In(2, 3, 4).In(3).Attr("broadcast", 1L).Attr("axis", 1L).Infer("Add"));
    }

    [TestMethod]
    public void ComparisonsAndLogicGiveBool()
    {
        Assert.AreEqual(T(DataType.Bool, "N", 3), new SingleNode(17).In("N", 1).In(3).Infer("Greater"));
        Assert.AreEqual(T(DataType.Bool, 2), new SingleNode(17).In(T(DataType.Bool, 2)).In(T(DataType.Bool, 1)).Infer("And"));
        Assert.AreEqual(T(DataType.Bool, 4), new SingleNode(17).In(4).Infer("IsNaN"));
        Assert.AreEqual(T(DataType.Bool, 4), new SingleNode(9).In(T(DataType.Bool, 4)).Infer("Not"));
    }

    [TestMethod]
    public void WhereBroadcastsThreeInputsAndTakesTheValueType()
    {
        Assert.AreEqual(T(DataType.Int32, 2, "B", 3), new SingleNode(17).In(T(DataType.Bool, "B", 1)).In(T(DataType.Int32, 2, 1, 3)).In(T(DataType.Int32, 1)).Infer("Where"));
    }

    [TestMethod]
    public void CastTakesTheTypeFromItsAttributeOrFromTheOtherInput()
    {
        Assert.AreEqual(T(DataType.Int64, "N", 2), new SingleNode(17).In("N", 2).Attr("to", (long)DataType.Int64).Infer("Cast"));
        Assert.AreEqual(T(DataType.Double, "N", 2), new SingleNode(1).In("N", 2).Attr("to", "DOUBLE").Infer("Cast"), "Cast-1 names the type");
        Assert.AreEqual(T(DataType.Float16, 5), new SingleNode(17).In(5).In(T(DataType.Float16)).Infer("CastLike"));
    }

    [TestMethod]
    public void UnaryOperatorsKeepShapeAndType()
    {
        foreach (var op in new[] { "Relu", "Sigmoid", "Gelu", "Mish", "Celu", "Elu", "Selu", "HardSigmoid", "Softmax", "LogSoftmax", "Hardmax", "Clip", "CumSum", "Trilu", "Erf" })
        {
            var opset = op == "Gelu" ? 20 : 18;
            Assert.AreEqual(F("N", 3, 5), new SingleNode(opset).In("N", 3, 5).Infer(op), op);
        }
    }

    [TestMethod]
    public void VariadicOperatorsBroadcastFromOpset8()
    {
        Assert.AreEqual(F(2, 3), new SingleNode(13).In(3).In(2, 1).In(1).Infer("Max"));
        Assert.AreEqual(F(2, 3), new SingleNode(13).In(2, 3).In(3).Infer("Mean"));
    }

    [TestMethod]
    public void DropoutMaskIsBoolFromOpset10()
    {
        var types = new SingleNode(13).In("N", 4).InferAll("Dropout", 2);
        Assert.AreEqual(F("N", 4), types[0]);
        Assert.AreEqual(T(DataType.Bool, "N", 4), types[1]);
        Assert.AreEqual(F("N", 4), new SingleNode(7).In("N", 4).InferAll("Dropout", 2)[1]);
    }

    [TestMethod]
    public void ModAndBitShiftBroadcast()
    {
        Assert.AreEqual(T(DataType.Int32, 3, 2), new SingleNode(13).In(T(DataType.Int32, 3, 1)).In(T(DataType.Int32, 2)).Infer("Mod"));
        Assert.AreEqual(T(DataType.Uint8, 4), new SingleNode(13).In(T(DataType.Uint8, 4)).In(T(DataType.Uint8, 1)).Infer("BitShift"));
    }

    [TestMethod]
    public void LikeGeneratorsUseTheirDtypeAttributeOrTheInput()
    {
        Assert.AreEqual(T(DataType.Double, 2, 3), new SingleNode(17).In(2, 3).Attr("dtype", (long)DataType.Double).Infer("RandomUniformLike"));
        Assert.AreEqual(F(4, 4), new SingleNode(17).In(4, 4).Infer("EyeLike"));
        Assert.AreEqual(T(DataType.Bool, 2), new SingleNode(17).In(2).Attr("dtype", (long)DataType.Bool).Infer("Bernoulli"));
    }
}
