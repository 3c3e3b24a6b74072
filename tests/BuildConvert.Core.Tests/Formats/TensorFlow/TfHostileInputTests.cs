using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TensorFlow;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Tests.Formats.Onnx;
using Google.Protobuf;

namespace BuildConvert.Core.Tests.Formats.TensorFlow;

[TestClass]
public sealed class TfHostileInputTests
{
    private static string Code(Action action)
    {
        try
        {
            action();
        }
        catch (BuildConvertException e)
        {
            return e.Code + ": " + e.Message;
        }

        throw new AssertFailedException("no diagnostic");
    }

    private static void Convert(string savedModel, string? signature = null)
    {
        var options = signature is null ? new ConversionOptions() : TfSavedModelFormat.Signature.Apply(new ConversionOptions(), signature);
        TfSavedModelFormat.Read(savedModel, TfReadOptions.Default).BuildGraph(options);
    }

    [TestMethod]
    public void TruncatedGraphDefIsBconv1200()
    {
        using var temp = new TempFolder();
        var bytes = File.ReadAllBytes(TfCorpus.PathOf(TfCorpus.KerasTf1Frozen));
        File.WriteAllBytes(temp.File("cut.pb"), bytes[..(bytes.Length / 2)]);
        StringAssert.StartsWith(Code(() => TfGraphDefFormat.Read(temp.File("cut.pb"), TfReadOptions.Default)), "BCONV1200");
    }

    [TestMethod]
    public void FlippedVariableByteIsAChecksumMismatch()
    {
        using var temp = new TempFolder();
        var folder = TfCorpus.CopySavedModel(TfCorpus.MnistLr, temp.Path);
        var shard = Path.Combine(folder, "variables", "variables.data-00000-of-00001");
        var bytes = File.ReadAllBytes(shard);
        bytes[100] ^= 0x40;
        File.WriteAllBytes(shard, bytes);
        StringAssert.StartsWith(Code(() => Convert(folder)), "BCONV1211");
    }

    [TestMethod]
    public void MissingShardIsBconv1212()
    {
        using var temp = new TempFolder();
        var folder = TfCorpus.CopySavedModel(TfCorpus.HalfPlusTwo, temp.Path);
        File.Delete(Path.Combine(folder, "variables", "variables.data-00000-of-00001"));
        var message = Code(() => Convert(folder));
        StringAssert.StartsWith(message, "BCONV1212");
        StringAssert.Contains(message, "variables.data-00000-of-00001");
    }

    [TestMethod]
    public void TruncatedShardIsOutOfRange()
    {
        using var temp = new TempFolder();
        var folder = TfCorpus.CopySavedModel(TfCorpus.MnistLr, temp.Path);
        var shard = Path.Combine(folder, "variables", "variables.data-00000-of-00001");
        File.WriteAllBytes(shard, File.ReadAllBytes(shard)[..1000]);
        StringAssert.StartsWith(Code(() => Convert(folder)), "BCONV1213");
    }

    [TestMethod]
    public void DamagedIndexBlockIsBconv1210()
    {
        using var temp = new TempFolder();
        var folder = TfCorpus.CopySavedModel(TfCorpus.HalfPlusTwo, temp.Path);
        var index = Path.Combine(folder, "variables", "variables.index");
        var bytes = File.ReadAllBytes(index);
        bytes[3] ^= 0x01; // inside the (Snappy-compressed) data block: its CRC no longer matches
        File.WriteAllBytes(index, bytes);
        StringAssert.StartsWith(Code(() => Convert(folder)), "BCONV1210");

        bytes = File.ReadAllBytes(TfCorpus.PathOf(TfCorpus.HalfPlusTwo) + "/variables/variables.index");
        bytes[^1] ^= 0xff;
        File.WriteAllBytes(index, bytes);
        StringAssert.Contains(Code(() => Convert(folder)), "magic");
    }

    [TestMethod]
    public void MissingServingDefaultListsTheSignatures()
    {
        var message = Code(() => Convert(TfCorpus.PathOf(TfCorpus.Tf24)));
        StringAssert.StartsWith(message, "BCONV1204");
        StringAssert.Contains(message, "inference");
        var named = Code(() => Convert(TfCorpus.PathOf(TfCorpus.MultiSignature), "nope"));
        StringAssert.Contains(named, "add, get_const_matrix, get_const_scalar, get_const_vector, get_variable");
        Convert(TfCorpus.PathOf(TfCorpus.Tf24), "inference");
    }

    [TestMethod]
    public void MissingVariablesFolderIsBconv1209()
    {
        using var temp = new TempFolder();
        var folder = TfCorpus.CopySavedModel(TfCorpus.HalfPlusTwo, temp.Path);
        Directory.Delete(Path.Combine(folder, "variables"), recursive: true);
        StringAssert.StartsWith(Code(() => Convert(folder)), "BCONV1209");
    }

    [TestMethod]
    public void UnknownOutputNameIsBconv1205()
    {
        var options = ConversionOptions() with { Outputs = new[] { "nothing:0" } };
        StringAssert.StartsWith(Code(() => TfGraphDefFormat.Read(TfCorpus.PathOf(TfCorpus.Plus3), TfReadOptions.Default).BuildGraph(options)), "BCONV1205");
    }

    private static ConversionOptions ConversionOptions() => new();

    // --- function inlining, on graphs built here -------------------------------------------------------------------

    private static NodeDef Node(string name, string op, params string[] inputs)
    {
        var node = new NodeDef { Name = name, Op = op };
        node.Input.AddRange(inputs);
        return node;
    }

    private static NodeDef Call(string name, string function, params string[] inputs)
    {
        var node = Node(name, "PartitionedCall", inputs);
        node.Attr["f"] = new AttrValue { Func = new NameAttrList { Name = function } };
        var tout = new AttrValue.Types.ListValue();
        tout.Type.Add(DataType.DtFloat);
        node.Attr["Tout"] = new AttrValue { List = tout };
        return node;
    }

    private static FunctionDef Function(string name, string[] args, string ret, params NodeDef[] body)
    {
        var f = new FunctionDef { Signature = new OpDef { Name = name } };
        f.Signature.InputArg.AddRange(args.Select(a => new OpDef.Types.ArgDef { Name = a, Type = DataType.DtFloat }));
        f.Signature.OutputArg.Add(new OpDef.Types.ArgDef { Name = "out", Type = DataType.DtFloat });
        f.NodeDef.AddRange(body);
        f.Ret["out"] = ret;
        return f;
    }

    private static string Save(TempFolder temp, GraphDef graph)
    {
        var path = temp.File("graph.pb");
        File.WriteAllBytes(path, graph.ToByteArray());
        return path;
    }

    [TestMethod]
    public void SplitOutputsInAFunctionBodyAreFlattenedByTheTable()
    {
        using var temp = new TempFolder();
        var split = Node("s", "Split", "axis:output:0", "x");
        split.Attr["num_split"] = new AttrValue { I = 3 };
        var graph = new GraphDef { Library = new FunctionDefLibrary() };
        graph.Library.Function.Add(Function("f", new[] { "x" }, "n:z:0",
            Node("axis", "Const"), split, Node("n", "Neg", "s:output:2")));
        graph.Node.Add(Node("in", "Placeholder"));
        graph.Node.Add(Call("call", "f", "in"));
        graph.Node.Add(Node("result", "Identity", "call"));
        var path = Save(temp, graph);
        Assert.AreEqual(TfGraphDefFormat.FormatName, FormatRegistry.CreateDefault().Resolve(path, null).Name);
        var flat = TfGraphDefFormat.Read(path, TfReadOptions.Default).BuildGraph(new ConversionOptions());
        Assert.AreEqual("call/s:2", flat.Nodes.Single(n => n.Name == "call/n").Input.Single());
        CollectionAssert.AreEqual(new[] { "call/axis", "in" }, flat.Nodes.Single(n => n.Name == "call/s").Input.ToArray());
        Assert.AreEqual("call/n", flat.Nodes.Single(n => n.Name == "result").Input.Single());
        Assert.AreEqual("result:0", flat.Outputs.Single().Tensor);
    }

    [TestMethod]
    public void AnUnknownMultiOutputOpInABodyIsBconv1208()
    {
        using var temp = new TempFolder();
        var graph = new GraphDef { Library = new FunctionDefLibrary() };
        graph.Library.Function.Add(Function("f", new[] { "x" }, "add:z:0",
            Node("m", "MysteryOp", "x"), Node("add", "AddV2", "m:first:0", "m:second:0")));
        graph.Node.Add(Node("in", "Placeholder"));
        graph.Node.Add(Call("call", "f", "in"));
        graph.Node.Add(Node("result", "Identity", "call"));
        var message = Code(() => TfGraphDefFormat.Read(Save(temp, graph), TfReadOptions.Default).BuildGraph(new ConversionOptions()));
        StringAssert.StartsWith(message, "BCONV1208");
        StringAssert.Contains(message, "MysteryOp");
    }

    [TestMethod]
    public void RecursiveCallsStopAtTheDepthLimit()
    {
        using var temp = new TempFolder();
        var graph = new GraphDef { Library = new FunctionDefLibrary() };
        graph.Library.Function.Add(Function("f", new[] { "x" }, "again:output:0", Call("again", "f", "x")));
        graph.Node.Add(Node("in", "Placeholder"));
        graph.Node.Add(Call("call", "f", "in"));
        graph.Node.Add(Node("result", "Identity", "call"));
        StringAssert.StartsWith(Code(() => TfGraphDefFormat.Read(Save(temp, graph), TfReadOptions.Default).BuildGraph(new ConversionOptions())), "BCONV1207");
    }
}
