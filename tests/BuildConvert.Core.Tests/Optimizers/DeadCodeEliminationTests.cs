using BuildConvert.Core.Graphs;
using BuildConvert.Core.Optimizers;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Optimizers;

[TestClass]
public sealed class DeadCodeEliminationTests
{
    [TestMethod]
    public void UnreadChainsAndInitializersGoInputsStay()
    {
        var model = new Model(17, 8);
        var g = model.Graph;
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 2));
        var unusedInput = g.AddInput("unused", OnnxType.Tensor(DataType.Float, 2));
        var w = g.AddInitializer("w", TensorData.FromFloats(new[] { 1f, 2f }));
        g.AddInitializer("never_read", TensorData.FromFloats(new[] { 3f }));
        var overridable = g.AddInitializer("overridable", TensorData.FromFloats(new[] { 3f }));
        g.Inputs.Add(overridable);
        var dead1 = g.AddNode("Mul", new[] { x, w }).Outputs[0]!;
        g.AddNode("Relu", new[] { dead1 });
        g.Outputs.Add(g.AddNode("Neg", new[] { x }).Outputs[0]!);

        var result = new DeadCodeElimination().Run(model);

        Assert.AreEqual(2, result.NodesRemoved);
        Assert.AreEqual(2, result.InitializersRemoved);
        Assert.AreEqual("Neg", g.Nodes.Single().OpType);
        CollectionAssert.AreEqual(new[] { x, unusedInput, overridable }, g.Inputs);
        CollectionAssert.AreEqual(new[] { overridable }, g.Initializers);
    }

    [TestMethod]
    public void DeadNodesInsideBodiesAndDeadIfsWithTheirOuterReadsGo()
    {
        var model = new Model(17, 8);
        var g = model.Graph;
        var cond = g.AddInput("cond", OnnxType.Tensor(DataType.Bool));
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 2));
        var onlyInDeadIf = g.AddNode("Neg", new[] { x }).Outputs[0]!;

        Graph Body(string name, Value read)
        {
            var body = g.CreateSubgraph(name);
            body.AddNode("Abs", new[] { read });
            body.Outputs.Add(body.AddNode("Identity", new[] { read }).Outputs[0]!);
            return body;
        }

        var liveIf = g.AddNode("If", new[] { cond }, 1, new[] { NodeAttribute.Of("then_branch", Body("t1", x)), NodeAttribute.Of("else_branch", Body("e1", x)) });
        g.AddNode("If", new[] { cond }, 1, new[] { NodeAttribute.Of("then_branch", Body("t2", onlyInDeadIf)), NodeAttribute.Of("else_branch", Body("e2", onlyInDeadIf)) });
        g.Outputs.Add(liveIf.Outputs[0]!);

        var result = new DeadCodeElimination().Run(model);

        Assert.AreEqual(6, result.NodesRemoved, "the four dead Abs (bodies first), the dead If, and the Neg only it read");
        Assert.AreSame(liveIf, g.Nodes.Single());
        Assert.IsTrue(liveIf.Subgraphs.All(s => s.Nodes.Single().OpType == "Identity"));
        Assert.IsEmpty(onlyInDeadIf.Uses);
    }

    [TestMethod]
    public void OuterValuesReturnedByABodyAreLive()
    {
        var model = new Model(17, 8);
        var g = model.Graph;
        var cond = g.AddInput("cond", OnnxType.Tensor(DataType.Bool));
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 2));
        var neg = g.AddNode("Neg", new[] { x }).Outputs[0]!;
        var then = g.CreateSubgraph("then");
        then.Outputs.Add(neg);
        var other = g.CreateSubgraph("else");
        other.Outputs.Add(x);
        var @if = g.AddNode("If", new[] { cond }, 1, new[] { NodeAttribute.Of("then_branch", then), NodeAttribute.Of("else_branch", other) });
        g.Outputs.Add(@if.Outputs[0]!);

        Assert.IsFalse(new DeadCodeElimination().Run(model).Changed);
        Assert.HasCount(2, g.Nodes);
    }
}
