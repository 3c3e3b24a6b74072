using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Graphs;

[TestClass]
public sealed class GraphEditingTests
{
    [TestMethod]
    public void UsesFollowInputEditsAndReplacement()
    {
        var model = new Model(17);
        var g = model.Graph;
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 2, 3));
        var relu = g.AddNode("Relu", new[] { x });
        var y = relu.Outputs[0]!;
        var neg = g.AddNode("Neg", new[] { y });
        g.Outputs.Add(neg.Outputs[0]!);

        Assert.AreEqual(1, x.Uses.Count);
        Assert.AreSame(relu, y.Producer);
        g.ReplaceAllUses(y, x);
        Assert.AreEqual(0, y.Uses.Count);
        Assert.AreEqual(2, x.Uses.Count);
        g.RemoveNode(relu);
        Assert.AreEqual(1, g.Nodes.Count);
        Assert.IsNull(g.Find(y.Name), "a removed node's outputs are forgotten");
        Assert.AreEqual(1, x.Uses.Count);
    }

    [TestMethod]
    public void RemovingANodeWhoseOutputIsReadFails()
    {
        var model = new Model(17);
        var g = model.Graph;
        var x = g.AddInput("x", null);
        var a = g.AddNode("Relu", new[] { x });
        g.AddNode("Neg", new[] { a.Outputs[0] });
        Assert.ThrowsExactly<InvalidOperationException>(() => g.RemoveNode(a));
    }

    [TestMethod]
    public void NewNamesAreUniqueAcrossSubgraphs()
    {
        var model = new Model(17);
        var g = model.Graph;
        var x = g.AddInput("x", null);
        var sub = g.CreateSubgraph("body");
        var inner = sub.NewValue("x");
        var outer = g.NewValue("x");
        Assert.AreNotEqual("x", inner.Name);
        Assert.AreNotEqual(inner.Name, outer.Name);
        Assert.AreEqual("x", x.Name);
    }

    [TestMethod]
    public void TopologicalSortIsStableAndSeesSubgraphReads()
    {
        var model = new Model(17);
        var g = model.Graph;
        var x = g.AddInput("x", null);
        var cond = g.AddInput("c", null);
        // An If whose branch reads a value produced by a node placed after it.
        var thenBranch = g.CreateSubgraph("then");
        var elseBranch = g.CreateSubgraph("else");
        var ifNode = g.AddNode("If", new[] { cond }, 1, new[] { NodeAttribute.Of("then_branch", thenBranch), NodeAttribute.Of("else_branch", elseBranch) });
        var late = g.AddNode("Relu", new[] { x });
        thenBranch.Outputs.Add(thenBranch.AddNode("Identity", new[] { late.Outputs[0] }).Outputs[0]!);
        elseBranch.Outputs.Add(elseBranch.AddNode("Identity", new[] { x }).Outputs[0]!);
        var unrelated = g.AddNode("Neg", new[] { x });
        Assert.IsTrue(g.SortTopologically());
        CollectionAssert.AreEqual(new[] { late, ifNode, unrelated }, g.Nodes.ToArray());
        var use = late.Outputs[0]!.Uses.Single();
        Assert.AreSame(thenBranch, use.Node.Owner, "the branch's read is a use of the outer value");
    }

    [TestMethod]
    public void RemovingANodeWithABodyDropsTheBodysReadsOfOuterValues()
    {
        var model = new Model(17);
        var g = model.Graph;
        var x = g.AddInput("x", null);
        var cond = g.AddInput("c", null);
        var thenBranch = g.CreateSubgraph("then");
        var elseBranch = g.CreateSubgraph("else");
        thenBranch.Outputs.Add(thenBranch.AddNode("Relu", new[] { x }).Outputs[0]!);
        elseBranch.Outputs.Add(elseBranch.AddNode("Neg", new[] { x }).Outputs[0]!);
        var ifNode = g.AddNode("If", new[] { cond }, 1, new[] { NodeAttribute.Of("then_branch", thenBranch), NodeAttribute.Of("else_branch", elseBranch) });
        Assert.AreEqual(2, x.Uses.Count);

        g.RemoveNode(ifNode);

        Assert.AreEqual(0, x.Uses.Count, "no stale use from a removed branch keeps x alive");
        Assert.AreEqual(0, cond.Uses.Count);
    }

    [TestMethod]
    public void ACycleIsReported()
    {
        var model = new Model(17);
        var g = model.Graph;
        var a = g.AddNode("Relu", new Value?[] { null });
        var b = g.AddNode("Neg", new[] { a.Outputs[0] });
        a.SetInput(0, b.Outputs[0]);
        Assert.IsFalse(g.SortTopologically());
    }

    [TestMethod]
    public void BuilderUsesTheTargetOpsetsForm()
    {
        foreach (var (opset, asInput) in new[] { (11L, false), (13L, true) })
        {
            var model = new Model(opset);
            var b = new OpBuilder(model.Graph);
            var x = model.Graph.AddInput("x", OnnxType.Tensor(DataType.Float, 1, 3));
            var y = b.Squeeze(x, new long[] { 0 });
            var node = y.Producer!;
            Assert.AreEqual(asInput ? 2 : 1, node.Inputs.Count, $"opset {opset}");
            Assert.AreEqual(!asInput, node.HasAttribute("axes"), $"opset {opset}");
            if (asInput)
            {
                CollectionAssert.AreEqual(new long[] { 0 }, node.Inputs[1]!.ConstantValue!.ToInt64s());
            }
        }
    }

    [TestMethod]
    public void BuilderRefusesARuntimeValueWhereTheOpsetNeedsAConstant()
    {
        var model = new Model(11);
        var b = new OpBuilder(model.Graph);
        var x = model.Graph.AddInput("x", null);
        var axes = model.Graph.AddInput("axes", null);
        var e = Assert.ThrowsExactly<BuildConvert.Core.Diagnostics.BuildConvertException>(() => b.Reduce("ReduceSum", x, axes));
        Assert.AreEqual("BCONV2002", e.Code);
        StringAssert.Contains(e.Message, "constant");
    }
}
