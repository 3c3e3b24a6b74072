using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using Google.Protobuf;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Core.Tests.Converters.TensorFlow;

/// <summary>
/// The TensorFlow converter's framework: opset range, the all-at-once unsupported and not-inference errors, attribute
/// errors naming node/op/attribute, inputs with symbolic dimensions, pass-through plumbing, and the registry as data.
/// (Numerical agreement with TensorFlow.js is tested in BuildConvert.Validation.Tests/Converters/TensorFlow.)
/// </summary>
[TestClass]
public sealed class TfModelConverterTests
{
    private static NodeDef Node(string name, string op, params string[] inputs)
    {
        var node = new NodeDef { Name = name, Op = op };
        node.Input.AddRange(inputs);
        node.Attr["T"] = new AttrValue { Type = TfDataType.DtFloat };
        return node;
    }

    private static NodeDef Placeholder(string name)
    {
        var node = new NodeDef { Name = name, Op = "Placeholder" };
        node.Attr["dtype"] = new AttrValue { Type = TfDataType.DtFloat };
        return node;
    }

    private static TfGraph Graph(IEnumerable<NodeDef> nodes, string output, params long[] inputShape) => new()
    {
        Nodes = nodes.ToArray(),
        Inputs = new[] { new TfTensorBinding("x", "x:0", TfDataType.DtFloat, inputShape.Length == 0 ? new long[] { -1, 3 } : inputShape) },
        Outputs = new[] { new TfTensorBinding(output, output, TfDataType.DtInvalid, null) },
    };

    private static TfConversion Convert(TfGraph graph, int? opset = null) => TfModelConverter.Convert(graph, opset, "model.pb");

    [TestMethod]
    [DataRow(12)]
    [DataRow(22)]
    public void AnOpsetOutside13To21IsRefused(int opset)
    {
        var graph = Graph(new[] { Placeholder("x"), Node("y", "Relu", "x") }, "y:0");
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => Convert(graph, opset));
        Assert.AreEqual("BCONV2003", ex.Code);
        StringAssert.Contains(ex.Message, "13 to 21");
    }

    [TestMethod]
    public void InputsOfUnknownRankAreRefusedTogetherWithTheOptionThatFixesThem()
    {
        // onnx.checker requires a shape on every main-graph tensor input ("Field 'shape' of 'type' is required but missing"),
        // so an unranked input is refused by name instead of producing a model the checker rejects (BCONV2004/BCONV3024).
        var graph = new TfGraph
        {
            Nodes = new[] { Placeholder("a"), Placeholder("b"), Node("c", "Mul", "a", "b") },
            Inputs = new[]
            {
                new TfTensorBinding("a:0", "a:0", TfDataType.DtFloat, null),
                new TfTensorBinding("b:0", "b:0", TfDataType.DtFloat, null),
            },
            Outputs = new[] { new TfTensorBinding("c:0", "c:0", TfDataType.DtInvalid, null) },
        };
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => Convert(graph));
        Assert.AreEqual("BCONV2104", ex.Code);
        StringAssert.Contains(ex.Message, "2 inputs 'a:0', 'b:0' of unknown rank");
        StringAssert.Contains(ex.Message, "--input-shapes");
        StringAssert.Contains(ex.Message, "a:0:N;b:0:N");

        var ranked = new TfGraph
        {
            Nodes = graph.Nodes,
            Inputs = new[] { new TfTensorBinding("a:0", "a:0", TfDataType.DtFloat, new long[] { -1 }), new TfTensorBinding("b:0", "b:0", TfDataType.DtFloat, Array.Empty<long>()) },
            Outputs = graph.Outputs,
        };
        var output = Convert(ranked).Model.Graph.Outputs.Single();
        Assert.AreEqual(1, output.Type!.Rank, "the output's rank follows from the inputs'");
    }

    [TestMethod]
    public void TwoInputsNamingOneTensorBecomeOneOnnxInputWithANote()
    {
        // mlnet-types-test's signature binds u16 and i16 to the tensor i16:0. Two ONNX inputs would make the caller feed
        // both while the graph reads one of them.
        var graph = new TfGraph
        {
            Nodes = new[] { Placeholder("x"), Node("y", "Relu", "x") },
            Inputs = new[]
            {
                new TfTensorBinding("first", "x:0", TfDataType.DtFloat, new long[] { -1, 2 }),
                new TfTensorBinding("second", "x", TfDataType.DtFloat, new long[] { -1, 2 }),
            },
            Outputs = new[] { new TfTensorBinding("y", "y:0", TfDataType.DtInvalid, null) },
        };
        var conversion = Convert(graph);
        Assert.AreEqual("first", conversion.Model.Graph.Inputs.Single().Name);
        Assert.AreEqual("first", conversion.Model.Graph.Nodes.Single(n => n.OpType == "Relu").Input(0)!.Name);
        var note = conversion.Warnings.Single();
        Assert.AreEqual("BCONV2006", note.Code);
        StringAssert.Contains(note.Message, "input 'second' is the tensor x, already the input 'first'");
    }

    [TestMethod]
    public void TheDefaultOpsetIs17AndDynamicSizesBecomeSymbols()
    {
        var model = Convert(Graph(new[] { Placeholder("x"), Node("y", "Relu", "x") }, "y:0")).Model;
        Assert.AreEqual(17, model.OpsetVersion());
        var input = model.Graph.Inputs.Single();
        Assert.AreEqual("x", input.Name);
        Assert.IsNotNull(input.Type!.Shape![0].Symbol);
        Assert.AreEqual(3L, input.Type.Shape[1].Value);
        var output = model.Graph.Outputs.Single();
        Assert.AreEqual("y:0", output.Name);
        Assert.AreEqual("Relu", output.Producer!.OpType);
        Assert.AreEqual(input.Type.Shape[0].Symbol, output.Type!.Shape![0].Symbol, "the batch symbol flows to the output");
    }

    [TestMethod]
    public void EveryUnsupportedOpIsReportedAtOnceBeforeConverting()
    {
        var nodes = new[]
        {
            Placeholder("x"), Node("a", "FancyOp", "x"), Node("b", "FancyOp", "a"), Node("c", "OtherOp", "b"),
            Node("d", "BiasAdd", "c", "c"),
        };
        nodes[4].Attr["data_format"] = new AttrValue { S = ByteString.CopyFromUtf8("bogus") };
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => Convert(Graph(nodes, "d:0")));
        Assert.AreEqual("BCONV2001", ex.Code);
        StringAssert.Contains(ex.Message, "FancyOp (2 nodes: 'a', 'b')");
        StringAssert.Contains(ex.Message, "OtherOp (1 node: 'c')");
        Assert.AreEqual("model.pb", ex.Diagnostics[0].File);
    }

    [TestMethod]
    public void OpsTheOutputsDoNotNeedAreNotConverted()
    {
        var model = Convert(Graph(new[] { Placeholder("x"), Node("y", "Relu", "x"), Node("unused", "FancyOp", "x") }, "y:0")).Model;
        Assert.AreEqual(1, model.Graph.Nodes.Count);
    }

    [TestMethod]
    public void TrainingAndStatefulOpsAreNotInferenceOpsEvenThroughControlEdges()
    {
        var nodes = new[]
        {
            Placeholder("x"), Node("w", "VariableV2"), Node("step", "ApplyGradientDescent", "w", "x", "x"),
            Node("inc", "AssignAdd", "w", "x"), Node("y", "Mul", "x", "inc"), Node("z", "Relu", "y", "^step"),
        };
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => Convert(Graph(nodes, "z:0")));
        Assert.AreEqual("BCONV2100", ex.Code);
        StringAssert.Contains(ex.Message, "AssignAdd (1 node: 'inc')");
        StringAssert.Contains(ex.Message, "ApplyGradientDescent (1 node: 'step')");
        StringAssert.Contains(ex.Message, "VariableV2");
    }

    [TestMethod]
    public void AnAttributeErrorNamesTheNodeTheOpAndTheAttribute()
    {
        var bias = new NodeDef { Name = "b", Op = "Const" };
        bias.Attr["dtype"] = new AttrValue { Type = TfDataType.DtFloat };
        bias.Attr["value"] = new AttrValue { Tensor = new TensorProto { Dtype = TfDataType.DtFloat, TensorShape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dim { Size = 3 } } } } };
        var add = Node("add", "BiasAdd", "x", "b");
        add.Attr["data_format"] = new AttrValue { S = ByteString.CopyFromUtf8("HWCN") };
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => Convert(Graph(new[] { Placeholder("x"), bias, add }, "add:0")));
        Assert.AreEqual("BCONV2101", ex.Code);
        StringAssert.Contains(ex.Message, "node 'add' (BiasAdd), attribute 'data_format': 'HWCN' is not supported");
        Assert.AreEqual("model.pb", ex.Diagnostics[0].File);
    }

    [TestMethod]
    public void AnUnboundPlaceholderTheOutputsNeedIsAnError()
    {
        var graph = Graph(new[] { Placeholder("x"), Placeholder("other"), Node("y", "AddV2", "x", "other") }, "y:0");
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => Convert(graph));
        Assert.AreEqual("BCONV2101", ex.Code);
        StringAssert.Contains(ex.Message, "node 'other' (Placeholder)");
    }

    [TestMethod]
    public void PlumbingAddsNoNodesAndAnOutputThatIsAnInputGetsAnIdentity()
    {
        var nodes = new[] { Placeholder("x"), Node("i", "Identity", "x"), Node("s", "StopGradient", "i"), Node("n", "Snapshot", "s") };
        var model = Convert(Graph(nodes, "n:0")).Model;
        var node = model.Graph.Nodes.Single();
        Assert.AreEqual("Identity", node.OpType);
        Assert.AreEqual("x", node.Inputs[0]!.Name);
        Assert.AreEqual("n:0", model.Graph.Outputs.Single().Name);
    }

    [TestMethod]
    public void TheRegistryIsConsistentData()
    {
        var entries = TfModelConverter.Registry.Entries;
        Assert.IsNotEmpty(entries);
        foreach (var e in entries)
        {
            Assert.IsTrue(e.Key.MinOpset is >= TfModelConverter.MinOpset and <= TfModelConverter.MaxOpset, e.Key.ToString());
            Assert.IsFalse(TfOpFamilies.IsNotInference(e.Key.OpType), $"{e.Key.OpType} is registered and also listed as not an inference op");
        }

        foreach (var op in new[] { "AddV2", "MatMul", "BiasAdd", "Relu", "Softmax", "Cast", "Identity", "Const", "Placeholder", "BatchMatMulV2" })
        {
            Assert.IsNotNull(TfModelConverter.Registry.Resolve(op, 17), op);
        }
    }
}
