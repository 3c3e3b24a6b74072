using System.Security.Cryptography;
using System.Text.Json;
using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TorchScript;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Tests.Formats.TorchScript;

/// <summary>
/// Every TorchScript archive of the shared PyTorch corpus opens, and the object tree the reader builds is the one
/// PyTorch builds: eng/torchscript/archive-contents.json was written by eng/torchscript/dump-archive-contents.py with
/// Debian's PyTorch 1.13 (torch.jit.load), and lists each archive's modules, their classes and methods, every plain
/// attribute, and every tensor's dtype, shape and SHA-256 of its row-major bytes.
/// </summary>
[TestClass]
public sealed class TorchArchiveCorpusTests
{
    private static readonly string Corpus = Path.Combine(RepoPaths.Corpora, "pytorch");

    private static readonly Lazy<JsonElement> Oracle = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "eng", "torchscript", "archive-contents.json"))).RootElement.GetProperty("archives"));

    public static IEnumerable<object[]> Archives() =>
        Oracle.Value.EnumerateObject().Where(a => !a.Value.TryGetProperty("error", out _)).Select(a => new object[] { a.Name });

    [TestMethod]
    public void TheOracleCoversTheCorpus()
    {
        var archives = Directory.EnumerateDirectories(Corpus).Where(d => !Path.GetFileName(d).StartsWith("negative-", StringComparison.Ordinal))
            .SelectMany(d => Directory.EnumerateFiles(d).Where(f => f.EndsWith(".pt", StringComparison.Ordinal) || f.EndsWith(".dat", StringComparison.Ordinal)))
            .Select(f => Path.GetRelativePath(Corpus, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();
        Assert.IsGreaterThanOrEqualTo(11, archives.Length);
        CollectionAssert.AreEqual(archives, Oracle.Value.EnumerateObject().Select(a => a.Name).Order(StringComparer.Ordinal).ToArray(),
            "eng/torchscript/archive-contents.json is stale: rerun eng/torchscript/dump-archive-contents.py");
    }

    [TestMethod]
    [DynamicData(nameof(Archives))]
    public void TheTreeIsTheOnePyTorchReads(string archive)
    {
        var expected = Oracle.Value.GetProperty(archive);
        var program = TorchScriptProgram.Read(Path.Combine(Corpus, archive));
        var modules = new Dictionary<string, TorchObject>(StringComparer.Ordinal);
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        var tensors = new Dictionary<string, TorchTensorConstant>(StringComparer.Ordinal);
        Walk(program.Module, "", modules, attributes, tensors);

        foreach (var module in expected.GetProperty("modules").EnumerateArray())
        {
            var path = module.GetProperty("path").GetString()!;
            Assert.IsTrue(modules.TryGetValue(path, out var obj), $"{archive}: no module '{path}'");
            Assert.AreEqual(module.GetProperty("type").GetString(), obj.QualifiedName, $"{archive}: class of '{path}'");
        }

        Assert.HasCount(expected.GetProperty("modules").GetArrayLength(), modules, $"{archive}: modules");
        var rootMethods = expected.GetProperty("modules")[0].GetProperty("methods").EnumerateArray().Select(m => m.GetString()).Order(StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEqual(rootMethods, TorchScriptSignatures.RootMethods(program).Select(m => m.Name).Order(StringComparer.Ordinal).ToArray(), $"{archive}: root methods");

        foreach (var attribute in expected.GetProperty("attributes").EnumerateArray())
        {
            var path = attribute.GetProperty("path").GetString()!;
            Assert.IsTrue(attributes.TryGetValue(path, out var value), $"{archive}: no attribute '{path}'");
            Assert.AreEqual(Render(attribute.GetProperty("value")), Render(value), $"{archive}: attribute '{path}'");
        }

        Assert.HasCount(expected.GetProperty("attributes").GetArrayLength(), attributes, $"{archive}: plain attributes ({string.Join(", ", attributes.Keys)})");
        foreach (var tensor in expected.GetProperty("tensors").EnumerateArray())
        {
            var path = tensor.GetProperty("path").GetString()!;
            Assert.IsTrue(tensors.TryGetValue(path, out var ours), $"{archive}: no tensor '{path}'");
            Assert.AreEqual(tensor.GetProperty("dtype").GetString(), TorchDtypeName(ours.Data.ElementType), $"{archive}: dtype of '{path}'");
            CollectionAssert.AreEqual(tensor.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(), ours.Data.Dims, $"{archive}: shape of '{path}'");
            Assert.AreEqual(tensor.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(ours.Data.Bytes.Span)), $"{archive}: bytes of '{path}'");
        }

        Assert.HasCount(expected.GetProperty("tensors").GetArrayLength(), tensors, $"{archive}: tensors");
    }

    [TestMethod]
    public void Foo9CarriesItsIntAttributesAndLinearWeights()
    {
        var program = TorchScriptProgram.Read(Path.Combine(Corpus, "tchrs-foo9-residual-mlp", "foo9.pt"));
        Assert.AreEqual("model.scr", program.Archive.Root);
        Assert.AreEqual(3, program.Archive.Version);
        Assert.IsTrue(program.Module.TryGet("embedding_length", out var length));
        Assert.AreEqual(256L, length);
        Assert.IsTrue(program.Module.TryGet("max_distance", out var distance));
        Assert.AreEqual(4L, distance);
        Assert.IsTrue(program.Module.TryGet("input_linear", out var linear));
        var input = (TorchObject)linear!;
        Assert.AreEqual("__torch__.torch.nn.modules.linear.Linear", input.QualifiedName);
        Assert.IsTrue(input.TryGet("weight", out var weight));
        CollectionAssert.AreEqual(new long[] { 192, 512 }, ((TorchTensorConstant)weight!).Data.Dims);
        Assert.IsTrue(((TorchTensorConstant)weight).RequiresGrad);
        Assert.AreEqual("code/__torch__/torch/nn/modules/linear.py", program.CodeFileFor(input.QualifiedName));
        Assert.AreEqual("code/__torch__/models/regression/resfcl_concat.py", program.CodeFileFor(program.Module.QualifiedName));
        Assert.HasCount(9, program.Code);
        Assert.IsEmpty(program.Constants);
        // The storages were written with location cuda:0; the bytes are read all the same.
        Assert.HasCount(8, program.ModuleTensors());
    }

    [TestMethod]
    public void TheTritonArchiveExposesItsTracedInputs()
    {
        var program = TorchScriptProgram.Read(Path.Combine(Corpus, "triton-dict-output-mlp", "model.pt"));
        Assert.IsNotNull(program.TracedInputs);
        var forward = program.TracedInputs["forward"];
        Assert.HasCount(1, forward);
        var spec = (TorchTensorSpec)forward[0]!;
        Assert.AreEqual(Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Float, spec.ElementType);
        CollectionAssert.AreEqual(new long[] { 1, 10 }, spec.Shape.ToArray());
        Assert.IsNull(spec.Data, "torch.jit.save writes traced inputs without their data");
    }

    [TestMethod]
    public void TheVersion1ArchiveReadsIntoALegacyModule()
    {
        // Debian's PyTorch refuses this layout itself (the oracle records the refusal), so the expectations come from
        // the file: model.json names module 'test_model', its code file, and no parameters.
        StringAssert.Contains(Oracle.Value.GetProperty("torchjs-traced-add-2019/test_model.pt").GetProperty("error").GetString(), "Legacy model format");
        var program = TorchScriptProgram.Read(Path.Combine(Corpus, "torchjs-traced-add-2019", "test_model.pt"));
        Assert.AreEqual(1, program.Archive.Version);
        Assert.IsTrue(program.IsLegacyLayout);
        Assert.AreEqual("__legacy__.test_model", program.Module.QualifiedName);
        Assert.IsEmpty(program.Module.Attributes);
        Assert.AreEqual("code/test_model.py", program.CodeFileFor(program.Module.QualifiedName));
        var forward = TorchScriptSignatures.RootMethods(program).Single();
        Assert.AreEqual("forward", forward.Name);
        CollectionAssert.AreEqual(new[] { ("input1", "Tensor"), ("input2", "Tensor") }, forward.Parameters.ToArray());
        Assert.AreEqual("pytorch 1.0", program.Producer);
    }

    [TestMethod]
    [DataRow("negative-hls4ml-legacy-pickle/two_layer_model.pt", "BCONV1301", "a legacy torch.save pickle, not a TorchScript archive; save with torch.jit.script/trace(...).save")]
    [DataRow("negative-burn-state-dict/conv2d.pt", "BCONV1302", "a torch.save archive (weights), not TorchScript")]
    public void TheNegativesGetTheirCodedErrors(string file, string code, string message)
    {
        var path = Path.Combine(Corpus, file);
        var format = FormatRegistry.CreateDefault().Resolve(path, null);
        Assert.AreEqual("torchscript", format.Name);
        var e = Assert.ThrowsExactly<BuildConvertException>(() => format.Import(path, new ConversionOptions()));
        Assert.AreEqual(code, e.Code);
        StringAssert.Contains(e.Message, message);
    }

    [TestMethod]
    [DynamicData(nameof(Archives))]
    public void TheRegistryDetectsItByContentAndInspectSummarisesIt(string archive)
    {
        var path = Path.Combine(Corpus, archive);
        var format = new TorchScriptFormat();
        Assert.AreEqual(FormatMatch.Content, format.Detect(path));
        Assert.AreEqual("torchscript", FormatRegistry.CreateDefault().Resolve(path, null).Name);
        var summary = format.Import(path, new ConversionOptions()).Summarize();
        var expected = Oracle.Value.GetProperty(archive);
        Assert.AreEqual(expected.GetProperty("tensors").GetArrayLength(), summary.InitializerCount);
        Assert.AreEqual(expected.GetProperty("tensors").EnumerateArray().Sum(t => t.GetProperty("shape").EnumerateArray().Aggregate(1L, (a, d) => a * d.GetInt64())), summary.ParameterCount);
        StringAssert.StartsWith(summary.Details.Single(d => d.Key == "archive").Value, "TorchScript version 3");
    }

    private static void Walk(TorchObject obj, string path, Dictionary<string, TorchObject> modules, Dictionary<string, object?> attributes, Dictionary<string, TorchTensorConstant> tensors)
    {
        modules[path] = obj;
        foreach (var (name, value) in obj.Attributes)
        {
            var full = path.Length == 0 ? name : path + "." + name;
            switch (value)
            {
                case TorchObject child:
                    Walk(child, full, modules, attributes, tensors);
                    break;
                case TorchTensorConstant tensor:
                    tensors[full] = tensor;
                    break;
                default:
                    attributes[full] = value;
                    break;
            }
        }
    }

    private static string Render(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "None",
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        JsonValueKind.Number => value.TryGetInt64(out var l) ? l.ToString(System.Globalization.CultureInfo.InvariantCulture) : value.GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        JsonValueKind.String => "'" + value.GetString() + "'",
        JsonValueKind.Array => "[" + string.Join(", ", value.EnumerateArray().Select(Render)) + "]",
        _ => value.GetRawText(),
    };

    private static string Render(object? value) => value switch
    {
        TorchNone or null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        string s => "'" + s + "'",
        IReadOnlyList<object?> list => "[" + string.Join(", ", list.Select(Render)) + "]",
        _ => value.ToString() ?? "",
    };

    private static string TorchDtypeName(Core.Formats.Onnx.Proto.TensorProto.Types.DataType type) => type switch
    {
        Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Float => "float32",
        Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Double => "float64",
        Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Float16 => "float16",
        Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Int64 => "int64",
        Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Int32 => "int32",
        Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Bool => "bool",
        _ => type.ToString(),
    };
}
