using BuildConvert.Core.Evaluation;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Evaluation;

/// <summary>What the evaluator refuses (results are compared with ONNX Runtime in BuildConvert.Validation.Tests).</summary>
[TestClass]
public sealed class ReferenceEvaluatorTests
{
    private static bool Try(string op, long opset, TensorData?[] inputs, params NodeAttribute[] attributes)
    {
        var model = new Model(opset, 8);
        var g = model.Graph;
        var values = inputs.Select((t, i) => t is null ? null : g.AddInput($"in{i}", null)).ToArray();
        var node = g.AddNode(op, values, 1, attributes);
        return ReferenceEvaluator.TryEvaluate(node, inputs, out _);
    }

    [TestMethod]
    public void RefusesWhatItCannotComputeExactly()
    {
        var ints = TensorData.FromInt64s(new long[] { 1, 2 });
        var zeros = TensorData.FromInt64s(new long[] { 0, 1 });
        Assert.IsFalse(Try("Div", 13, new[] { ints, zeros }), "integer division by zero");
        Assert.IsFalse(Try("Mod", 13, new[] { ints, zeros }), "integer modulo by zero");
        Assert.IsFalse(Try("Mod", 13, new[] { TensorData.FromFloats(new[] { 1f }), TensorData.FromFloats(new[] { 1f }) }), "float Mod needs fmod=1");
        Assert.IsFalse(Try("Cast", 13, new[] { TensorData.FromFloats(new[] { float.NaN }) }, NodeAttribute.Of("to", (long)DataType.Int32)), "NaN to int");
        Assert.IsFalse(Try("Cast", 13, new[] { TensorData.FromFloats(new[] { 3e9f }) }, NodeAttribute.Of("to", (long)DataType.Int32)), "out of range");
        Assert.IsFalse(Try("Max", 13, new[] { TensorData.FromFloats(new[] { float.NaN }), TensorData.FromFloats(new[] { 1f }) }), "NaN in Max");
        Assert.IsFalse(Try("Conv", 13, new[] { ints, ints }), "unknown op");
        Assert.IsFalse(Try("Add", 13, new[] { ints, TensorData.FromInt64s(new long[] { 1, 2, 3 }) }), "shapes that do not broadcast");
        Assert.IsFalse(Try("Gather", 13, new[] { ints, TensorData.FromInt64s(new long[] { 2 }) }), "index out of range");
        Assert.IsFalse(Try("Add", 13, new[] { ints, TensorData.FromInt32s(new[] { 1, 2 }) }), "mixed element types");
        Assert.IsFalse(Try("Squeeze", 13, new[] { ints, TensorData.FromInt64s(new long[] { 0 }) }), "squeezing a dimension that is not 1");
        Assert.IsFalse(Try("Dropout", 13, new[] { ints, null, TensorData.Scalar(DataType.Bool, 1) }), "training mode");
    }

    [TestMethod]
    public void NeverBuildsAResultPastTheLimits()
    {
        Assert.IsFalse(Try("ConstantOfShape", 13, new[] { TensorData.FromInt64s(new long[] { 1L << 20, 1L << 20 }) }));
        Assert.IsFalse(Try("Range", 13, new[] { TensorData.Scalar(DataType.Int64, 0), TensorData.Scalar(DataType.Int64, long.MaxValue), TensorData.Scalar(DataType.Int64, 1) }));
        Assert.IsFalse(Try("Expand", 13, new[] { TensorData.Scalar(DataType.Float, 1), TensorData.FromInt64s(new long[] { 4096, 4096 }) }));
        var model = new Model(13, 8);
        var node = model.Graph.AddNode("ConstantOfShape", new[] { model.Graph.AddInput("s", null) });
        Assert.IsFalse(ReferenceEvaluator.TryEvaluate(node, new[] { TensorData.FromInt64s(new long[] { 100 }) }, new EvaluationLimits(MaxElements: 99), out _));
        Assert.IsTrue(ReferenceEvaluator.TryEvaluate(node, new[] { TensorData.FromInt64s(new long[] { 99 }) }, new EvaluationLimits(MaxElements: 99), out var ok));
        Assert.AreEqual(99, ok[0]!.ElementCount);
    }

    [TestMethod]
    public void OpsetOneToSixBroadcastAttributesAreHonoured()
    {
        // Add-6 with broadcast=1, axis=0: B of shape [2] lines up with A's first axis (ONNX Runtime has no Add-6 kernel to compare with).
        var model = new Model(6, 3);
        var g = model.Graph;
        var node = g.AddNode("Add", new[] { g.AddInput("a", null), g.AddInput("b", null) }, 1,
            new[] { NodeAttribute.Of("broadcast", 1L), NodeAttribute.Of("axis", 0L) });
        var a = TensorData.FromInt64s(new long[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 });
        Assert.IsTrue(ReferenceEvaluator.TryEvaluate(node, new[] { a, TensorData.FromInt64s(new long[] { 10, 20 }) }, out var r));
        CollectionAssert.AreEqual(new long[] { 11, 12, 13, 24, 25, 26 }, r[0]!.ToInt64s());
        node.RemoveAttribute("broadcast");
        Assert.IsFalse(ReferenceEvaluator.TryEvaluate(node, new[] { a, TensorData.FromInt64s(new long[] { 10, 20 }) }, out _), "without broadcast=1 the shapes must match");
    }
}
