using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Converters.TorchScript;

/// <summary>
/// The TorchScript converter's contract without running models: the registry is consistent data whose every operator
/// exists in PyTorch 1.13's schemas, unsupported operators are reported together with counts (block nodes included),
/// the opset range is 13-21, and malformed signatures get their codes. (ONNX Runtime comparisons are in
/// BuildConvert.Validation.Tests/Converters/TorchScript.)
/// </summary>
[TestClass]
public sealed class TorchModelConverterTests
{
    private static readonly string SchemaFile = Path.Combine(RepoPaths.Root, "src", "BuildConvert.Core", "Converters", "TorchScript", "Schemas", "aten-schemas.txt");

    private static TorchValue Tensor(string name, params long[] shape) =>
        new() { Name = name, Type = TorchType.Tensor, ElementType = DataType.Float, Shape = shape.Select(Dim.Of).ToArray() };

    private static TorchValue Result(string name) => new() { Name = name, Type = TorchType.Tensor };

    private static TorchNode Node(string kind, TorchValue output, params TorchValue[] inputs) =>
        new() { Kind = kind, Inputs = inputs, Outputs = new[] { output } };

    private static TorchGraph Graph(IReadOnlyList<TorchValue> inputs, IReadOnlyList<TorchNode> nodes, params TorchValue[] outputs) => new()
    {
        Inputs = inputs, Nodes = nodes, Outputs = outputs, OutputNames = outputs.Select((_, k) => $"output_{k}").ToArray(),
    };

    [TestMethod]
    public void EveryRegisteredOperatorIsAPyTorchOperator()
    {
        var known = File.ReadLines(SchemaFile).Where(l => !l.StartsWith('#') && l.Contains('(', StringComparison.Ordinal))
            .Select(l => l[..l.IndexOf('(', StringComparison.Ordinal)])
            .Select(n => n.Contains('.', StringComparison.Ordinal) ? n[..n.IndexOf('.', StringComparison.Ordinal)] : n)
            .ToHashSet(StringComparer.Ordinal);
        // Structural kinds the IR has without a schema entry.
        known.UnionWith(new[] { "prim::Constant", "prim::ListConstruct", "prim::ListUnpack", "prim::TupleConstruct", "prim::If", "prim::Loop", "prim::unchecked_cast" });
        var missing = TorchModelConverter.Registry.Entries.Select(e => $"{e.Key.Domain}::{e.Key.OpType}").Where(k => !known.Contains(k)).Distinct().ToArray();
        Assert.IsEmpty(missing, "registered without a PyTorch 1.13 schema: " + string.Join(", ", missing));
    }

    [TestMethod]
    public void TheRegistryIsConsistentData()
    {
        var entries = TorchModelConverter.Registry.Entries;
        Assert.IsGreaterThan(250, entries.Count);
        Assert.IsTrue(entries.All(e => e.Key.Domain is "aten" or "prim"), "domains");
        Assert.IsTrue(entries.All(e => e.Key.MinOpset >= TorchModelConverter.MinOpset), "every converter emits for opset 13 and up");
        foreach (var op in new[] { "conv2d", "_convolution", "batch_norm", "relu_", "hardswish_", "max_pool2d", "adaptive_avg_pool2d", "linear", "addmm", "lstm", "gru", "cat", "flatten", "layer_norm", "embedding", "baddbmm", "masked_fill", "softmax", "_native_multi_head_attention", "size", "slice", "index" })
        {
            Assert.IsNotNull(TorchModelConverter.Registry.Resolve(op, 17, "aten"), op);
        }

        foreach (var op in new[] { "If", "Loop", "ListConstruct", "ListUnpack", "TupleConstruct", "TupleUnpack", "TupleIndex", "NumToTensor" })
        {
            Assert.IsNotNull(TorchModelConverter.Registry.Resolve(op, 13, "prim"), op);
        }
    }

    [TestMethod]
    public void EveryUnsupportedOperatorIsReportedAtOnceWithCounts()
    {
        var x = Tensor("x", 2);
        var a = Result("a");
        var b = Result("b");
        var c = Result("c");
        var inner = Result("inner");
        var d = Result("d");
        var block = new TorchBlock { Inputs = Array.Empty<TorchValue>(), Nodes = new[] { Node("aten::frobnicate", inner, x) }, Outputs = new[] { inner } };
        var other = new TorchBlock { Inputs = Array.Empty<TorchValue>(), Nodes = Array.Empty<TorchNode>(), Outputs = new[] { x } };
        var flag = new TorchValue { Name = "flag", Type = TorchType.Bool };
        var nodes = new[]
        {
            Node("aten::frobnicate", a, x), Node("aten::relu", b, a), Node("aten::frobnicate", c, b),
            new TorchNode { Kind = "prim::If", Inputs = new[] { flag }, Outputs = new[] { d }, Blocks = new[] { block, other } },
            Node("prim::MysteryOp", Result("e"), d),
        };
        var e = Assert.Throws<BuildConvertException>(() => TorchModelConverter.Convert(Graph(new[] { x, flag }, nodes, d), 17, "m.pt"));
        Assert.HasCount(1, e.Diagnostics);
        Assert.AreEqual("BCONV2001", e.Diagnostics[0].Code);
        var message = e.Diagnostics[0].Message;
        StringAssert.Contains(message, "2 TorchScript operator(s) used by 4 node(s)");
        StringAssert.Contains(message, "aten::frobnicate (3 nodes: 'a', 'c', 'inner')");
        StringAssert.Contains(message, "prim::MysteryOp (1 node: 'e')");
        Assert.AreEqual("m.pt", e.Diagnostics[0].File);
    }

    [TestMethod]
    [DataRow(12)]
    [DataRow(22)]
    public void OpsetsOutside13To21AreRefused(int opset)
    {
        var x = Tensor("x", 2);
        var e = Assert.Throws<BuildConvertException>(() => TorchModelConverter.Convert(Graph(new[] { x }, Array.Empty<TorchNode>(), x), opset, null));
        Assert.AreEqual("BCONV2003", e.Diagnostics[0].Code);
    }

    [TestMethod]
    [DataRow(13)]
    [DataRow(17)]
    [DataRow(21)]
    public void TheModelImportsTheTargetOpset(int opset)
    {
        var x = Tensor("x", 2, 3);
        var y = Result("y");
        var conversion = TorchModelConverter.Convert(Graph(new[] { x }, new[] { Node("aten::relu", y, x) }, y), opset, null);
        Assert.AreEqual(opset, conversion.Model.OpsetVersion(""));
        Assert.AreEqual("output_0", conversion.Model.Graph.Outputs.Single().Name);
        Assert.IsNotEmpty(conversion.Steps);
    }

    [TestMethod]
    public void AnInputOfUnknownRankIsRefused()
    {
        var x = new TorchValue { Name = "x", Type = TorchType.Tensor, ElementType = DataType.Float };
        var y = Result("y");
        var e = Assert.Throws<BuildConvertException>(() => TorchModelConverter.Convert(Graph(new[] { x }, new[] { Node("aten::relu", y, x) }, y), null, null));
        Assert.AreEqual("BCONV2203", e.Diagnostics[0].Code);
        StringAssert.Contains(e.Diagnostics[0].Message, "--input-shapes");
    }

    [TestMethod]
    public void ADimensionThatMustBeConstantNamesTheArgument()
    {
        var x = Tensor("x", 2, 3);
        var dim = new TorchValue { Name = "dim", Type = TorchType.Int };
        var y = Result("y");
        var e = Assert.Throws<BuildConvertException>(() => TorchModelConverter.Convert(Graph(new[] { x, dim }, new[] { Node("aten::softmax", y, x, dim, new TorchValue { Name = "n", Type = TorchType.NoneType, Constant = TorchNone.Instance }) }, y), null, null));
        Assert.AreEqual("BCONV2200", e.Diagnostics[0].Code);
        StringAssert.Contains(e.Diagnostics[0].Message, "node 'y' (aten::softmax), argument 1: dim must be known at conversion time");
    }

    [TestMethod]
    public void PromotionFollowsTorchResultType()
    {
        var f = DataType.Float;
        var d = DataType.Double;
        var i32 = DataType.Int32;
        var i64 = DataType.Int64;
        Assert.AreEqual(i32, TorchScalarTypes.ResultType(new[] { (i32, TorchOperandKind.Dimensioned), (i64, TorchOperandKind.ZeroDim) }));
        Assert.AreEqual(d, TorchScalarTypes.ResultType(new[] { (i32, TorchOperandKind.Dimensioned), (d, TorchOperandKind.ZeroDim) }));
        Assert.AreEqual(f, TorchScalarTypes.ResultType(new[] { (i32, TorchOperandKind.Dimensioned), (d, TorchOperandKind.Wrapped) }));
        Assert.AreEqual(f, TorchScalarTypes.ResultType(new[] { (f, TorchOperandKind.Dimensioned), (d, TorchOperandKind.ZeroDim) }));
        Assert.AreEqual(i64, TorchScalarTypes.ResultType(new[] { (DataType.Bool, TorchOperandKind.Dimensioned), (i64, TorchOperandKind.Wrapped) }));
        Assert.AreEqual(DataType.Int16, TorchScalarTypes.Promote(DataType.Uint8, DataType.Int8));
        Assert.AreEqual(f, TorchScalarTypes.Promote(DataType.Float16, DataType.Bfloat16));
    }
}
