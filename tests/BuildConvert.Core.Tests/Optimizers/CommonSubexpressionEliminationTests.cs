using BuildConvert.Core.Graphs;
using BuildConvert.Core.Optimizers;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Optimizers;

[TestClass]
public sealed class CommonSubexpressionEliminationTests
{
    [TestMethod]
    public void IdenticalConstantsMergeDifferentOnesDoNot()
    {
        var model = new Model(13, 8);
        var g = model.Graph;
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 2));
        var a = g.AddInitializer("a", TensorData.FromFloats(new[] { 1f, 2f }));
        var b = g.AddInitializer("b", TensorData.FromFloats(new[] { 1f, 2f }));
        var c = g.AddNode("Constant", Array.Empty<Value>(), 1, new[] { NodeAttribute.Of("value", TensorData.FromFloats(new[] { 1f, 2f })) }).Outputs[0]!;
        var d = g.AddInitializer("d", TensorData.FromInt32s(new[] { 1, 2 }));
        var e = g.AddInitializer("e", TensorData.FromFloats(new[] { 1f, 2f }, new long[] { 1, 2 }));
        foreach (var v in new[] { a, b, c, d, e })
        {
            g.Outputs.Add(g.AddNode("Mul", new[] { x, v }).Outputs[0]!);
        }

        var result = new CommonSubexpressionElimination(mergeNodes: false).Run(model);

        Assert.AreEqual(1, result.InitializersRemoved);
        Assert.AreEqual(1, result.NodesRemoved);
        var read = g.Nodes.Where(n => n.OpType == "Mul").Select(n => n.Inputs[1]!.Name).ToArray();
        CollectionAssert.AreEqual(new[] { "a", "a", "a", "d", "e" }, read);
    }

    [TestMethod]
    public void IdenticalNodesMergeButNotRandomOnesOrGraphOutputs()
    {
        var model = new Model(13, 8);
        var g = model.Graph;
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 2));
        var r1 = g.AddNode("Relu", new[] { x }).Outputs[0]!;
        var r2 = g.AddNode("Relu", new[] { x }).Outputs[0]!;
        var l1 = g.AddNode("LeakyRelu", new[] { x }, 1, new[] { NodeAttribute.Of("alpha", 0.1f) }).Outputs[0]!;
        var l2 = g.AddNode("LeakyRelu", new[] { x }, 1, new[] { NodeAttribute.Of("alpha", 0.2f) }).Outputs[0]!;
        var n1 = g.AddNode("RandomNormalLike", new[] { x }).Outputs[0]!;
        var n2 = g.AddNode("RandomNormalLike", new[] { x }).Outputs[0]!;
        g.Outputs.Add(g.AddNode("Sum", new[] { r1, r2, l1, l2, n1, n2 }).Outputs[0]!);
        var o1 = g.AddNode("Neg", new[] { x }).Outputs[0]!;
        var o2 = g.AddNode("Neg", new[] { x }).Outputs[0]!;
        g.Outputs.Add(o1);
        g.Outputs.Add(o2);

        var result = new CommonSubexpressionElimination().Run(model);

        Assert.AreEqual(1, result.NodesRemoved);
        var sum = g.Nodes.Single(n => n.OpType == "Sum");
        Assert.AreSame(sum.Inputs[0], sum.Inputs[1]);
        Assert.AreNotSame(sum.Inputs[2], sum.Inputs[3]);
        Assert.AreNotSame(sum.Inputs[4], sum.Inputs[5]);
        Assert.HasCount(3, g.Outputs);
    }
}
