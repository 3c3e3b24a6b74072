using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TorchScript;
using BuildConvert.Core.Formats.TorchScript.FrontEnd;
using BuildConvert.Core.Graphs;
using static BuildConvert.Core.Tests.Formats.TorchScript.TorchScriptSamples;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Formats.TorchScript.FrontEnd;

/// <summary>Every corpus archive's method through the front end, with the module trees written out by hand from
/// what each archive's code declares (the archive reader that reads data.pkl is tested on its own).</summary>
[TestClass]
public sealed class TorchFrontEndCorpusTests
{
    private static TorchObject Plain(string qualifiedName) => Module(qualifiedName, ("training", false), ("_is_full_backward_hook", TorchNone.Instance));

    private static TorchGraph Build(string entry, TorchObject root, string method, params TorchInputSpec[] inputs) =>
        TorchFrontEnd.Build(root, CorpusCode(entry), Array.Empty<object?>(), method, inputs, CancellationToken.None);

    private static string[] Kinds(TorchGraph g) => g.Nodes.Select(n => n.Kind).ToArray();

    [TestMethod]
    public void Foo2TracedTuple()
    {
        var g = Build("tchrs-foo2-traced-tuple", Plain("__torch__.Foo2"), "forward", TorchInputSpec.Tensor("x"), TorchInputSpec.Tensor("y"));
        CollectionAssert.AreEqual(new[] { "aten::mul", "aten::add", "aten::sub" }, Kinds(g));
        Assert.AreEqual("x,y", string.Join(",", g.Inputs.Select(i => i.Name)));
        Assert.AreEqual("output_0,output_1", string.Join(",", g.OutputNames));
        var mul = g.Nodes[0];
        Assert.AreSame(g.Inputs[0], mul.Inputs[0]);
        Assert.AreEqual(2L, mul.Inputs[1].Constant);
        // add.Tensor has a keyword-only alpha: filled in with its default.
        var add = g.Nodes[1];
        Assert.HasCount(3, add.Inputs);
        Assert.AreSame(mul.Outputs[0], add.Inputs[0]);
        Assert.AreEqual(1L, add.Inputs[2].Constant);
        Assert.AreSame(add.Outputs[0], g.Outputs[0]);
        Assert.AreSame(g.Nodes[2].Outputs[0], g.Outputs[1]);
        StringAssert.StartsWith(add.SourceRange, "foo2/code/__torch__.py:");
    }

    [TestMethod]
    public void Foo3LoopIsALoopWithAnIfWhenTheLengthIsDynamic()
    {
        var x = new TorchInputSpec("x", TorchType.Tensor, [Dim.Sym("N")], DataType.Float);
        var g = Build("tchrs-foo3-loop", Plain("__torch__.Foo3"), "forward", x);
        CollectionAssert.AreEqual(new[] { "aten::select", "aten::size", "prim::Loop" }, Kinds(g));
        var loop = g.Nodes[2];
        Assert.AreSame(g.Nodes[1].Outputs[0], loop.Inputs[0], "the trip count is x.size(0)");
        Assert.AreEqual(true, loop.Inputs[1].Constant);
        Assert.AreSame(g.Nodes[0].Outputs[0], loop.Inputs[2], "the carried product starts at x[0]");
        var body = loop.Blocks.Single();
        Assert.HasCount(2, body.Inputs);
        CollectionAssert.AreEqual(new[] { "aten::Bool", "prim::If" }, body.Nodes.Select(n => n.Kind).ToArray());
        var ifNode = body.Nodes[1];
        Assert.HasCount(2, ifNode.Blocks);
        CollectionAssert.AreEqual(new[] { "aten::select", "aten::mul" }, ifNode.Blocks[0].Nodes.Select(n => n.Kind).ToArray());
        Assert.IsEmpty(ifNode.Blocks[1].Nodes);
        Assert.AreSame(body.Inputs[1], ifNode.Blocks[1].Outputs[0], "the else branch keeps the product");
        Assert.AreSame(ifNode.Outputs[0], body.Outputs[1]);
        Assert.AreSame(loop.Outputs[0], g.Outputs.Single());
        Assert.AreEqual(TorchType.Bool, body.Nodes[0].Outputs[0].Type);
    }

    [TestMethod]
    public void Foo3LoopUnrollsWhenTheLengthIsStatic()
    {
        var g = Build("tchrs-foo3-loop", Plain("__torch__.Foo3"), "forward", TorchInputSpec.Tensor("x", 5));
        // result = x[0]; for i in 1..4: result *= x[i] (i == 0 folds away).
        CollectionAssert.AreEqual(
            new[] { "aten::select", "aten::select", "aten::mul", "aten::select", "aten::mul", "aten::select", "aten::mul", "aten::select", "aten::mul" },
            Kinds(g));
        Assert.AreEqual(4L, g.Nodes[^2].Inputs[2].Constant);
        Assert.AreSame(g.Nodes[^1].Outputs[0], g.Outputs.Single());
    }

    [TestMethod]
    public void Foo4FlattensTheTupleInput()
    {
        var g = Build("tchrs-foo4-scalar-tuple", Plain("__torch__.Foo4"), "forward");
        Assert.AreEqual("x.0,x.1,x.2", string.Join(",", g.Inputs.Select(i => i.Name)));
        Assert.AreEqual("float,float,int", string.Join(",", g.Inputs.Select(i => i.Type)));
        CollectionAssert.AreEqual(new[] { "aten::mul", "aten::add" }, Kinds(g));
        // float * int and float + float: the scalar overloads.
        Assert.AreSame(g.Inputs[1], g.Nodes[0].Inputs[0]);
        Assert.AreSame(g.Inputs[2], g.Nodes[0].Inputs[1]);
        Assert.HasCount(2, g.Nodes[1].Inputs);
        Assert.AreEqual(TorchType.Float, g.Outputs.Single().Type);
    }

    [TestMethod]
    public void Foo7MethodsOtherThanForward()
    {
        var root = Plain("__torch__.TorchScriptExample");
        var code = CorpusCode("tchrs-foo7-class-methods");
        var make = TorchFrontEnd.Build(root, code, [], "make_input_object", [TorchInputSpec.Tensor("foo", 3), TorchInputSpec.Tensor("bar", 3)]);
        Assert.IsEmpty(make.Nodes);
        Assert.AreEqual("foo,bar", string.Join(",", make.OutputNames));
        Assert.AreSame(make.Inputs[0], make.Outputs[0]);
        Assert.AreSame(make.Inputs[1], make.Outputs[1]);

        var add = TorchFrontEnd.Build(root, code, [], "add_them", []);
        Assert.AreEqual("data.foo,data.bar", string.Join(",", add.Inputs.Select(i => i.Name)));
        CollectionAssert.AreEqual(new[] { "aten::add" }, Kinds(add));

        var e = Assert.ThrowsExactly<BuildConvertException>(() => TorchFrontEnd.Build(root, code, [], "forward", []));
        Assert.AreEqual(DiagnosticCodes.TorchScriptMethodNotFound.Code, e.Code);
        StringAssert.Contains(e.Message, "add_them, make_input_object");
    }

    [TestMethod]
    public void Foo9ResidualMlpInlinesModuleListsAndSequentials()
    {
        TorchObject Linear(string mangle, int i, int o) => TorchScriptSamples.Linear($"__torch__.torch.nn.modules.linear{mangle}.Linear", i, o);
        TorchObject Relu() => Plain("__torch__.torch.nn.modules.activation.ReLU");
        TorchObject Block() => Module("__torch__.torch.nn.modules.container.Sequential", ("training", false),
            ("0", Module("__torch__.models.util.ResidualLayer", ("training", false), ("module", Linear(".___torch_mangle_0", 192, 192)))),
            ("1", Relu()));
        var root = Module("__torch__.models.regression.resfcl_concat.RegResFClConcatModel",
            ("training", false), ("embedding_length", 256L), ("max_distance", 10L), ("num_hidden_layers", 2L), ("hidden_length", 192L),
            ("input_linear", Linear("", 512, 192)), ("input_values", Relu()),
            ("hidden_layers", Module("__torch__.torch.nn.modules.container.ModuleList", ("training", false), ("0", Block()), ("1", Block()))),
            ("output_linear", Linear(".___torch_mangle_1", 192, 1)),
            ("output_values", Plain("__torch__.torch.nn.modules.flatten.Flatten")));
        var g = Build("tchrs-foo9-residual-mlp", root, "forward",
            new TorchInputSpec("s", TorchType.Tensor, [Dim.Sym("N"), Dim.Of(500)], DataType.Float), TorchInputSpec.Tensor("t", 2, 12));
        CollectionAssert.AreEqual(
            new[]
            {
                "prim::ListConstruct", "aten::cat", "aten::linear", "aten::relu",
                "aten::linear", "aten::add", "aten::relu", "aten::linear", "aten::add", "aten::relu",
                "aten::linear", "aten::flatten",
            },
            Kinds(g));
        var first = g.Nodes[2];
        Assert.AreEqual("input_linear.weight", first.Inputs[1].Name);
        Assert.IsInstanceOfType<TorchTensorConstant>(first.Inputs[1].Constant);
        Assert.AreEqual("hidden_layers.1.0.module.bias", g.Nodes[7].Inputs[2].Name);
        Assert.AreEqual("N,192", string.Join(",", g.Nodes[3].Outputs[0].Shape!));
        // Flatten(start_dim=0, end_dim=-1) of [N, 1].
        CollectionAssert.AreEqual(new object[] { 0L, -1L }, g.Nodes[^1].Inputs.Skip(1).Select(i => i.Constant).ToArray());
    }

    [TestMethod]
    public void TritonDictOutputNamesTheOutputsByKey()
    {
        var root = Module("__torch__.DictOutputModel", ("training", false),
            ("fc1", TorchScriptSamples.Linear("__torch__.torch.nn.modules.linear.Linear", 10, 16)),
            ("fc2", TorchScriptSamples.Linear("__torch__.torch.nn.modules.linear.___torch_mangle_0.Linear", 16, 20)),
            ("fc3", TorchScriptSamples.Linear("__torch__.torch.nn.modules.linear.___torch_mangle_1.Linear", 16, 5)));
        var g = Build("triton-dict-output-mlp", root, "forward", new TorchInputSpec("x", TorchType.Tensor, [Dim.Sym("N"), Dim.Of(10)], DataType.Float));
        CollectionAssert.AreEqual(new[] { "aten::linear", "aten::linear", "aten::linear" }, Kinds(g));
        CollectionAssert.AreEqual(new[] { "logits", "embeddings" }, g.OutputNames.ToArray());
        Assert.AreEqual("N,20", string.Join(",", g.Outputs[0].Shape!));
        Assert.AreEqual("N,5", string.Join(",", g.Outputs[1].Shape!));
    }

    [TestMethod]
    public void TorchSharpExportedMethods()
    {
        var root = Module("__torch__.MyModule", ("training", false), ("p", Tensor([10], requiresGrad: true)));
        var code = CorpusCode("torchsharp-exported-methods");
        var forward = TorchFrontEnd.Build(root, code, [], "forward", [TorchInputSpec.Tensor("x", 10), TorchInputSpec.Tensor("y", 10)]);
        CollectionAssert.AreEqual(new[] { "aten::add", "aten::sub" }, Kinds(forward));
        var predict = TorchFrontEnd.Build(root, code, [], "predict", [TorchInputSpec.Tensor("x", 10)]);
        Assert.AreEqual("p", predict.Nodes.Single().Inputs[1].Name);
        var addScalar = TorchFrontEnd.Build(root, code, [], "add_scalar", [TorchInputSpec.Tensor("x", 10)]);
        Assert.AreEqual("i", addScalar.Inputs[1].Name);
        Assert.AreEqual(TorchType.Int, addScalar.Inputs[1].Type);
        // Tensor + int: aten::add.Scalar(self, other, alpha=1).
        Assert.AreSame(addScalar.Inputs[1], addScalar.Nodes.Single().Inputs[1]);
        Assert.HasCount(3, addScalar.Nodes.Single().Inputs);
    }

    [TestMethod]
    public void TorchSharpScriptedMvLinearInlinesAFunction()
    {
        var root = Module("__torch__.MyModule", ("training", false), ("weight", Tensor([2, 6])),
            ("linear", TorchScriptSamples.Linear("__torch__.torch.nn.modules.linear.Linear", 2, 6)));
        var g = Build("torchsharp-scripted-mv-linear", root, "forward", TorchInputSpec.Tensor("input", 6));
        CollectionAssert.AreEqual(new[] { "aten::mv", "aten::linear" }, Kinds(g));
        Assert.AreEqual("6", string.Join(",", g.Outputs[0].Shape!));
    }

    [TestMethod]
    public void TorchSharpFuncAddDjlIdentityAndTheLegacyArchive()
    {
        var add = Build("torchsharp-func-add", Module("__torch__.PlaceholderModule", ("training", false)), "forward", TorchInputSpec.Tensor("x", 10), TorchInputSpec.Tensor("y", 10));
        CollectionAssert.AreEqual(new[] { "aten::add" }, Kinds(add));

        var identity = Build("djl-identity", Plain("__torch__.IValueProcessing"), "forward", TorchInputSpec.Tensor("tokenized_data", 2, 3));
        Assert.IsEmpty(identity.Nodes);
        Assert.AreSame(identity.Inputs[0], identity.Outputs[0]);

        // A 2019 archive (model.json, code/test_model.py with top-level defs): add(input1, input2, alpha=1).
        var legacy = Build("torchjs-traced-add-2019", Module("test_model"), "forward", TorchInputSpec.Tensor("input1", 1, 4), TorchInputSpec.Tensor("input2", 1, 4));
        var node = legacy.Nodes.Single();
        Assert.AreEqual("aten::add", node.Kind);
        Assert.AreEqual(1L, node.Inputs[2].Constant);
        Assert.AreEqual("1,4", string.Join(",", legacy.Outputs[0].Shape!));
    }
}
