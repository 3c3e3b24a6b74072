using BuildConvert.Core.Graphs;
using BuildConvert.Core.Optimizers;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Optimizers;

[TestClass]
public sealed class TransposeOptimizationTests
{
    private static NodeAttribute Perm(params long[] p) => NodeAttribute.Of("perm", p);

    private static int Transposes(Model m) => m.AllNodes().Count(n => n.OpType == "Transpose");

    [TestMethod]
    public void InversePairsCancelAndChainsCompose()
    {
        var model = new Model(13, 8);
        var g = model.Graph;
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 1, 2, 3, 4));
        var t1 = g.AddNode("Transpose", new[] { x }, 1, new[] { Perm(0, 2, 3, 1) }).Outputs[0]!;
        var t2 = g.AddNode("Transpose", new[] { t1 }, 1, new[] { Perm(0, 3, 1, 2) }).Outputs[0]!;
        var relu = g.AddNode("Relu", new[] { t2 }).Outputs[0]!;
        var t3 = g.AddNode("Transpose", new[] { relu }, 1, new[] { Perm(1, 0, 2, 3) }).Outputs[0]!;
        var t4 = g.AddNode("Transpose", new[] { t3 }, 1, new[] { Perm(0, 1, 3, 2) }).Outputs[0]!;
        g.Outputs.Add(t4);

        new PassPipeline(new IGraphPass[] { new TransposeOptimization(), new DeadCodeElimination() }).Run(model);

        CollectionAssert.AreEqual(new[] { "Relu", "Transpose" }, g.Nodes.Select(n => n.OpType).ToArray());
        Assert.AreSame(x, g.Nodes[0].Inputs[0]);
        CollectionAssert.AreEqual(new long[] { 1, 0, 3, 2 }, g.Nodes[1].GetInts("perm")!.ToArray());
        Assert.AreEqual(t4.Name, g.Outputs[0].Name);
    }

    [TestMethod]
    public void PushedThroughABinaryOpWithAConstantThePermutedConstantBroadcastsTheSame()
    {
        var model = new Model(13, 8);
        var g = model.Graph;
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 1, 3, 2, 2));
        var nhwc = g.AddNode("Transpose", new[] { x }, 1, new[] { Perm(0, 2, 3, 1) }).Outputs[0]!;
        var bias = g.AddInitializer("bias", TensorData.FromFloats(new[] { 1f, 2f, 3f }));
        var added = g.AddNode("Add", new[] { nhwc, bias }).Outputs[0]!;
        var nchw = g.AddNode("Transpose", new[] { added }, 1, new[] { Perm(0, 3, 1, 2) }).Outputs[0]!;
        g.Rename(nchw, "y");
        g.Outputs.Add(nchw);

        new PassPipeline(new IGraphPass[] { new TransposeOptimization(), new DeadCodeElimination() }).Run(model);

        var add = g.Nodes.Single();
        Assert.AreEqual("Add", add.OpType);
        Assert.AreSame(x, add.Inputs[0]);
        CollectionAssert.AreEqual(new long[] { 1, 3, 1, 1 }, add.Inputs[1]!.ConstantValue!.Dims);
        Assert.AreEqual("y", g.Outputs[0].Name);
        Assert.AreSame(add, g.Outputs[0].Producer);
    }

    [TestMethod]
    public void BinaryOpsOfEquallyTransposedInputsAndConcatAndReductionsMoveTheTranspose()
    {
        var model = new Model(13, 8);
        var g = model.Graph;
        var a = g.AddInput("a", OnnxType.Tensor(DataType.Float, 1, 3, 4, 5));
        var b = g.AddInput("b", OnnxType.Tensor(DataType.Float, 1, 3, 4, 5));
        var ta = g.AddNode("Transpose", new[] { a }, 1, new[] { Perm(0, 2, 3, 1) }).Outputs[0]!;
        var tb = g.AddNode("Transpose", new[] { b }, 1, new[] { Perm(0, 2, 3, 1) }).Outputs[0]!;
        var sum = g.AddNode("Add", new[] { ta, tb }).Outputs[0]!;
        var tc = g.AddNode("Transpose", new[] { a }, 1, new[] { Perm(0, 2, 3, 1) }).Outputs[0]!;
        var cat = g.AddNode("Concat", new[] { sum, tc }, 1, new[] { NodeAttribute.Of("axis", 3L) }).Outputs[0]!;
        var mean = g.AddNode("ReduceMean", new[] { cat }, 1, new[] { NodeAttribute.Of("axes", new long[] { 1, 2 }), NodeAttribute.Of("keepdims", 0L) }).Outputs[0]!;
        g.Outputs.Add(mean);

        new PassPipeline(new IGraphPass[] { new TransposeOptimization(), new DeadCodeElimination() }).Run(model);

        Assert.AreEqual(0, Transposes(model));
        Assert.AreEqual(1L, g.Nodes.Single(n => n.OpType == "Concat").GetInt("axis", -1));
        CollectionAssert.AreEqual(new long[] { 2, 3 }, g.Nodes.Single(n => n.OpType == "ReduceMean").GetInts("axes")!.ToArray());
    }

    [TestMethod]
    public void ATransposeWithOtherReadersOrBeforeAGraphOutputStays()
    {
        var model = new Model(13, 8);
        var g = model.Graph;
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 2, 3));
        var t = g.AddNode("Transpose", new[] { x }, 1, new[] { Perm(1, 0) }).Outputs[0]!;
        var y = g.AddInput("y", OnnxType.Tensor(DataType.Float, 3, 2));
        g.Outputs.Add(g.AddNode("Add", new[] { t, y }).Outputs[0]!);
        g.Outputs.Add(t);

        Assert.IsFalse(new TransposeOptimization().Run(model).Changed);
        Assert.AreEqual(1, Transposes(model));
    }
}
