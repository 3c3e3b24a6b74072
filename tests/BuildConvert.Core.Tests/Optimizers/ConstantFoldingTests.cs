using BuildConvert.Core.Graphs;
using BuildConvert.Core.Optimizers;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Optimizers;

[TestClass]
public sealed class ConstantFoldingTests
{
    [TestMethod]
    public void ShapeArithmeticOnAStaticInputFoldsIntoOneInitializer()
    {
        var model = new Model(17, 8);
        var g = model.Graph;
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 2, 3, 4));
        var b = new OpBuilder(g);
        var shape = b.Op("Shape", x);
        var gathered = b.Op("Gather", new[] { shape, b.Int64s(0) }, NodeAttribute.Of("axis", 0L));
        var concat = b.Op("Concat", new[] { gathered, b.Int64s(-1) }, NodeAttribute.Of("axis", 0L));
        var reshaped = b.Op("Reshape", x, concat);
        g.Outputs.Add(reshaped);

        var result = new ConstantFolding().Run(model);
        new DeadCodeElimination().Run(model);

        Assert.AreEqual(3, result.NodesRemoved);
        Assert.HasCount(1, g.Nodes);
        var reshape = g.Nodes[0];
        Assert.AreEqual("Reshape", reshape.OpType);
        CollectionAssert.AreEqual(new long[] { 2, -1 }, reshape.Inputs[1]!.ConstantValue!.ToInt64s());
        Assert.HasCount(1, g.Initializers, "unused initializers are gone after DCE");
    }

    [TestMethod]
    public void AFoldedGraphOutputKeepsItsName()
    {
        var model = new Model(17, 8);
        var g = model.Graph;
        var b = new OpBuilder(g);
        var sum = b.Op("Add", b.Int64s(1, 2), b.Int64s(10, 20));
        g.Rename(sum, "result");
        g.Outputs.Add(sum);

        new ConstantFolding().Run(model);

        Assert.IsEmpty(g.Nodes);
        Assert.AreEqual("result", g.Outputs[0].Name);
        CollectionAssert.AreEqual(new long[] { 11, 22 }, g.Outputs[0].ConstantValue!.ToInt64s());
    }

    [TestMethod]
    public void ConstantNodesBecomeInitializersButStayNodesUnderIr3()
    {
        foreach (var ir in new long[] { 8, 3 })
        {
            var model = new Model(6, ir);
            var g = model.Graph;
            var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 2));
            var c = g.AddNode("Constant", Array.Empty<Value>(), 1, new[] { NodeAttribute.Of("value", TensorData.FromFloats(new[] { 1f, 2f })) }).Outputs[0]!;
            var c2 = g.AddNode("Constant", Array.Empty<Value>(), 1, new[] { NodeAttribute.Of("value", TensorData.FromFloats(new[] { 3f, 4f })) }).Outputs[0]!;
            var folded = g.AddNode("Mul", new[] { c, c2 }).Outputs[0]!;
            g.Outputs.Add(g.AddNode("Add", new[] { x, folded }).Outputs[0]!);

            new ConstantFolding().Run(model);
            new DeadCodeElimination().Run(model);

            var add = g.Nodes.Single(n => n.OpType == "Add");
            CollectionAssert.AreEqual(new[] { 3.0, 8.0 }, add.Inputs[1]!.ConstantValue!.ToDoubles());
            if (ir == 8)
            {
                Assert.HasCount(1, g.Nodes);
                Assert.IsTrue(add.Inputs[1]!.IsInitializer);
            }
            else
            {
                Assert.AreEqual("Constant", add.Inputs[1]!.Producer!.OpType, "IR 3 initializers would have to be overridable graph inputs");
                Assert.IsEmpty(g.Initializers);
            }
        }
    }

    [TestMethod]
    public void NonConstantRandomAndOverridableInputsAreLeftAlone()
    {
        var model = new Model(17, 8);
        var g = model.Graph;
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, new[] { Dim.Sym("N") }));
        var overridable = g.AddInitializer("w", TensorData.FromFloats(new[] { 1f }));
        g.Inputs.Add(overridable);
        var b = new OpBuilder(g);
        g.Outputs.Add(b.Op("Shape", x));
        g.Outputs.Add(b.Op("Neg", overridable));
        g.Outputs.Add(b.Op("RandomUniform", Array.Empty<Value>(), NodeAttribute.Of("shape", new long[] { 2 })));

        var result = new ConstantFolding().Run(model);

        Assert.IsFalse(result.Changed);
        Assert.HasCount(3, g.Nodes);
    }

    [TestMethod]
    public void ABigConstantOfShapeIsNotMaterialized()
    {
        var model = new Model(17, 8);
        var g = model.Graph;
        var b = new OpBuilder(g);
        var small = b.Op("ConstantOfShape", b.Int64s(4));
        var big = b.Op("ConstantOfShape", b.Int64s(1024, 1024));
        g.Outputs.Add(small);
        g.Outputs.Add(big);

        new ConstantFolding().Run(model);

        Assert.HasCount(1, g.Nodes);
        Assert.AreEqual(big, g.Nodes[0].Outputs[0]);
    }

    [TestMethod]
    public void NodesInsideSubgraphsFoldWithOuterConstants()
    {
        var model = new Model(17, 8);
        var g = model.Graph;
        var cond = g.AddInput("cond", OnnxType.Tensor(DataType.Bool));
        var outer = g.AddInitializer("outer", TensorData.FromInt64s(new long[] { 5 }));
        var then = g.CreateSubgraph("then");
        var t = then.AddNode("Add", new Value[] { outer, outer }).Outputs[0]!;
        then.Outputs.Add(t);
        var other = g.CreateSubgraph("else");
        other.Outputs.Add(other.AddNode("Identity", new Value[] { outer }).Outputs[0]!);
        var @if = g.AddNode("If", new[] { cond }, 1, new[] { NodeAttribute.Of("then_branch", then), NodeAttribute.Of("else_branch", other) });
        g.Outputs.Add(@if.Outputs[0]!);

        new ConstantFolding().Run(model);

        Assert.IsEmpty(then.Nodes);
        Assert.AreEqual(10, then.Outputs[0].ConstantValue!.ToInt64s()[0]);
        Assert.HasCount(1, g.Nodes, "the If itself is not folded");
    }
}
