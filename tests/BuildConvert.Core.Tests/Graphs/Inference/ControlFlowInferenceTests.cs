using BuildConvert.Core.Graphs;
using BuildConvert.Core.Graphs.Inference;
using static BuildConvert.Core.Tests.Graphs.Inference.SingleNode;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Graphs.Inference;

[TestClass]
public sealed class ControlFlowInferenceTests
{
    [TestMethod]
    public void IfOutputsAreWhatBothBranchesAgreeOn()
    {
        var model = new Model(17);
        var g = model.Graph;
        var cond = g.AddInput("cond", T(DataType.Bool));
        var x = g.AddInput("x", F("N", 3));
        var then = g.CreateSubgraph("then");
        then.Outputs.Add(then.AddNode("Relu", new[] { x }).Outputs[0]!);
        var otherwise = g.CreateSubgraph("else");
        otherwise.Outputs.Add(otherwise.AddNode("Concat", new[] { x, x }, attributes: new[] { NodeAttribute.Of("axis", 0L) }).Outputs[0]!);
        var node = g.AddNode("If", new[] { cond }, attributes: new[] { NodeAttribute.Of("then_branch", then), NodeAttribute.Of("else_branch", otherwise) });
        var result = ShapeInference.Run(model);
        Assert.IsTrue(result.IsClean);
        Assert.AreEqual(F("N", 3), then.Outputs[0].Type, "branch bodies see outer values");
        Assert.AreEqual(F("?", 3), node.Outputs[0]!.Type);
    }

    [TestMethod]
    public void LoopTypesItsBodyAndStacksScanOutputs()
    {
        var model = new Model(17);
        var g = model.Graph;
        var trip = g.AddInitializer("trip", TensorData.Scalar(DataType.Int64, 5));
        var init = g.AddInput("init", F(2));
        var body = g.CreateSubgraph("body");
        body.AddInput("i", null);
        var condIn = body.AddInput("cond_in", null);
        var carried = body.AddInput("acc", null);
        var sum = body.AddNode("Add", new[] { carried, carried }).Outputs[0]!;
        var cast = body.AddNode("Cast", new[] { body.Inputs[0] }, attributes: new[] { NodeAttribute.Of("to", (long)DataType.Float) }).Outputs[0]!;
        body.Outputs.AddRange(new[] { condIn, sum, cast });
        var loop = g.AddNode("Loop", new Value?[] { trip, null, init }, 2, new[] { NodeAttribute.Of("body", body) });
        var result = ShapeInference.Run(model);
        Assert.IsTrue(result.IsClean, string.Join("; ", result.Errors));
        Assert.AreEqual(T(DataType.Int64), body.Inputs[0].Type, "iteration number");
        Assert.AreEqual(F(2), carried.Type);
        Assert.AreEqual(F(2), loop.Outputs[0]!.Type);
        Assert.AreEqual(F(5), loop.Outputs[1]!.Type, "a constant trip count without a condition runs exactly M times");
    }

    [TestMethod]
    public void LoopCarriedShapesThatChangeAreWidened()
    {
        var model = new Model(17);
        var g = model.Graph;
        var init = g.AddInput("init", F(1));
        var body = g.CreateSubgraph("body");
        body.AddInput("i", null);
        var condIn = body.AddInput("cond_in", null);
        var carried = body.AddInput("acc", null);
        var grown = body.AddNode("Concat", new[] { carried, carried }, attributes: new[] { NodeAttribute.Of("axis", 0L) }).Outputs[0]!;
        body.Outputs.AddRange(new[] { condIn, grown });
        var loop = g.AddNode("Loop", new Value?[] { g.AddInput("m", T(DataType.Int64)), g.AddInput("c", T(DataType.Bool)), init }, 1, new[] { NodeAttribute.Of("body", body) });
        var result = ShapeInference.Run(model);
        Assert.IsTrue(result.IsClean, string.Join("; ", result.Errors.Concat<object>(result.Conflicts)));
        Assert.AreEqual(F("?"), carried.Type, "[1] then [2] then ...: the length is unknown");
        Assert.AreEqual(F("?"), loop.Outputs[0]!.Type);
    }

    [TestMethod]
    public void ScanSlicesInputsAndStacksOutputs()
    {
        var model = new Model(17);
        var g = model.Graph;
        var state = g.AddInput("state", F(4, 2));
        var sequence = g.AddInput("seq", F(4, 7, 2));
        var body = g.CreateSubgraph("body");
        var s = body.AddInput("s", null);
        var item = body.AddInput("item", null);
        var next = body.AddNode("Add", new[] { s, item }).Outputs[0]!;
        var copy = body.AddNode("Identity", new[] { next }).Outputs[0]!;
        body.Outputs.AddRange(new[] { next, copy });
        var scan = g.AddNode("Scan", new[] { state, sequence }, 2, new[]
        {
            NodeAttribute.Of("body", body), NodeAttribute.Of("num_scan_inputs", 1L),
            NodeAttribute.Of("scan_input_axes", new long[] { 1 }), NodeAttribute.Of("scan_output_axes", new long[] { -1 }),
        });
        var result = ShapeInference.Run(model);
        Assert.IsTrue(result.IsClean, string.Join("; ", result.Errors.Concat<object>(result.Conflicts)));
        Assert.AreEqual(F(4, 2), item.Type, "the scan axis is removed from the body input");
        Assert.AreEqual(F(4, 2), scan.Outputs[0]!.Type);
        Assert.AreEqual(F(4, 2, 7), scan.Outputs[1]!.Type, "the sequence length goes at scan_output_axes");
    }
}
