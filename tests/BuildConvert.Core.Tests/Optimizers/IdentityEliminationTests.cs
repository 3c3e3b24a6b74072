using BuildConvert.Core.Graphs;
using BuildConvert.Core.Optimizers;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Optimizers;

[TestClass]
public sealed class IdentityEliminationTests
{
    [TestMethod]
    public void InnerIdentitiesAndInferenceDropoutsAreBypassed()
    {
        var model = new Model(13, 8);
        var g = model.Graph;
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 2));
        var relu = g.AddNode("Relu", new[] { x }).Outputs[0]!;
        var id = g.AddNode("Identity", new[] { relu }).Outputs[0]!;
        var drop = g.AddNode("Dropout", new[] { id }, 2).Outputs[0]!;
        g.Outputs.Add(g.AddNode("Neg", new[] { drop }).Outputs[0]!);

        var result = new IdentityElimination().Run(model);

        Assert.AreEqual(2, result.NodesRemoved);
        CollectionAssert.AreEqual(new[] { "Relu", "Neg" }, g.Nodes.Select(n => n.OpType).ToArray());
        Assert.AreSame(relu, g.Nodes[1].Inputs[0]);
    }

    [TestMethod]
    public void AGraphOutputIdentityHandsItsNameToTheProducer()
    {
        var model = new Model(13, 8);
        var g = model.Graph;
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 2));
        var relu = g.AddNode("Relu", new[] { x }).Outputs[0]!;
        var y = g.AddNode("Identity", new[] { relu }).Outputs[0]!;
        g.Rename(y, "y");
        g.Outputs.Add(y);

        new IdentityElimination().Run(model);

        Assert.AreEqual("Relu", g.Nodes.Single().OpType);
        Assert.AreEqual("y", g.Outputs[0].Name);
        Assert.AreSame(g.Nodes[0], g.Outputs[0].Producer);
    }

    [TestMethod]
    public void IdentitiesThatCarryANameBetweenInputsAndOutputsStay()
    {
        var model = new Model(13, 8);
        var g = model.Graph;
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 2));
        var passThrough = g.AddNode("Identity", new[] { x }).Outputs[0]!;
        var relu = g.AddNode("Relu", new[] { x }).Outputs[0]!;
        var second = g.AddNode("Identity", new[] { relu }).Outputs[0]!;
        g.Outputs.Add(passThrough);
        g.Outputs.Add(relu);
        g.Outputs.Add(second);
        var training = g.AddNode("Dropout", new[] { relu, null, g.AddInitializer("t", TensorData.Scalar(DataType.Bool, 1)) }).Outputs[0]!;
        g.Outputs.Add(training);

        Assert.IsFalse(new IdentityElimination().Run(model).Changed);
        Assert.HasCount(4, g.Nodes);
    }
}
