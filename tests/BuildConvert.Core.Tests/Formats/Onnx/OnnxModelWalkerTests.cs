using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Tests.Formats.Onnx;

[TestClass]
public sealed class OnnxModelWalkerTests
{
    /// <summary>A main graph whose one node holds a subgraph, whose node holds a subgraph, ... <paramref name="levels"/>
    /// levels below the main graph; each graph has one node and one initializer.</summary>
    private static ModelProto Nested(int levels)
    {
        GraphProto Level(int i) => new()
        {
            Name = $"g{i}",
            Initializer = { new TensorProto { Name = $"w{i}", DataType = 1, Dims = { 1 }, FloatData = { i } } },
        };

        var main = Level(0);
        var current = main;
        for (var i = 1; i <= levels; i++)
        {
            var sub = Level(i);
            current.Node.Add(new NodeProto { Name = $"if{i}", OpType = "If", Attribute = { new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = sub } } });
            current = sub;
        }

        current.Node.Add(new NodeProto { Name = "leaf", OpType = "Identity" });
        return new ModelProto { Graph = main };
    }

    [TestMethod]
    public void WalksEveryLevelUpToTheCap()
    {
        var model = Nested(OnnxModelWalker.DefaultMaxDepth);
        var steps = OnnxModelWalker.Walk(model).ToList();
        Assert.AreEqual(OnnxModelWalker.DefaultMaxDepth + 1, steps.Count(s => s.Node is null));
        Assert.AreEqual(OnnxModelWalker.DefaultMaxDepth + 1, steps.Count(s => s.Node is not null));
        Assert.AreEqual(OnnxModelWalker.DefaultMaxDepth, steps.Max(s => s.Depth));
        Assert.AreEqual(OnnxModelWalker.DefaultMaxDepth + 1, ModelSummary.FromModel(model).NodeCount);
        Assert.AreEqual(OnnxModelWalker.DefaultMaxDepth + 1, ModelTensors.All(model).Count());
    }

    [TestMethod]
    public void PastTheCapIsCodedNotSilent()
    {
        var model = Nested(OnnxModelWalker.DefaultMaxDepth + 1);
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => OnnxModelWalker.Walk(model).ToList());
        Assert.AreEqual(DiagnosticCodes.NestingTooDeep.Code, ex.Code);
        StringAssert.Contains(ex.Message, "g65");
        Assert.AreEqual(DiagnosticCodes.NestingTooDeep.Code,
            Assert.ThrowsExactly<BuildConvertException>(() => ModelSummary.FromModel(model)).Code);
        Assert.AreEqual(DiagnosticCodes.NestingTooDeep.Code,
            Assert.ThrowsExactly<BuildConvertException>(() => ModelTensors.All(model).ToList()).Code);

        var reported = new List<Diagnostic>();
        var steps = OnnxModelWalker.Walk(model, tooDeep: reported.Add).ToList();
        Assert.AreEqual(1, reported.Count);
        Assert.AreEqual(OnnxModelWalker.DefaultMaxDepth + 1, steps.Count(s => s.Node is null));
    }

    [TestMethod]
    public void VeryDeepNestingNeitherOverflowsNorHangs()
    {
        var model = Nested(100_000);
        var reported = new List<Diagnostic>();
        Assert.AreEqual(100_001, OnnxModelWalker.Walk(model, maxDepth: 200_000).Count(s => s.Node is not null));
        OnnxModelWalker.Walk(model, maxDepth: 10, tooDeep: reported.Add).ToList();
        Assert.AreEqual(1, reported.Count);
    }

    [TestMethod]
    public void FunctionBodiesAndTheirSubgraphsAreWalked()
    {
        var inner = Nested(2).Graph;
        var model = new ModelProto
        {
            Graph = new GraphProto { Name = "main" },
            Functions =
            {
                new FunctionProto
                {
                    Name = "f", Domain = "local",
                    Node = { new NodeProto { OpType = "If", Attribute = { new AttributeProto { Name = "then_branch", G = inner } } } },
                },
            },
        };
        var steps = OnnxModelWalker.Walk(model).ToList();
        Assert.AreEqual(1 + 3, steps.Count(s => s.Node is not null));
        Assert.AreEqual(3, steps.Max(s => s.Depth));
        Assert.AreEqual(4, OnnxModelWalker.Nodes(model.Functions[0].Node).Count());
    }
}
