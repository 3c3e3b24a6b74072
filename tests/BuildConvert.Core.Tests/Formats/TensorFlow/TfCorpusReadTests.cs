using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Formats.TensorFlow;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using BuildConvert.Core.Pipeline;
using OnnxType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Formats.TensorFlow;

[TestClass]
public sealed class TfCorpusReadTests
{
    private static readonly FormatRegistry Registry = FormatRegistry.CreateDefault();

    private static TfSourceModel Import(string entry)
    {
        var path = TfCorpus.PathOf(entry);
        return (TfSourceModel)Registry.Resolve(path, null).Import(path, new ConversionOptions());
    }

    private static TfGraph Build(string entry, string? signature = null, ConversionOptions? options = null)
    {
        options ??= new ConversionOptions();
        if (signature is not null)
        {
            options = TfSavedModelFormat.Signature.Apply(options, signature);
        }

        var graph = Import(entry).BuildGraph(options);
        AssertWellFormed(graph);
        return graph;
    }

    // Every input names a node of the graph, names are unique, every Const is either valued or a variable.
    private static void AssertWellFormed(TfGraph graph)
    {
        var names = graph.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        Assert.AreEqual(graph.Nodes.Count, names.Count, "node names are unique");
        foreach (var node in graph.Nodes)
        {
            foreach (var input in node.Input)
            {
                Assert.IsTrue(names.Contains(TfTensorRef.NodeOf(input)), $"{node.Name} ({node.Op}) input {input}");
            }

            Assert.IsFalse(node.Op is "PartitionedCall" or "StatefulPartitionedCall" or "ReadVariableOp" or "VarHandleOp" or "VariableV2", $"{node.Name} ({node.Op}) should have been resolved");
            if (node.Op == "Const")
            {
                Assert.IsTrue(node.Attr.ContainsKey("value") ^ graph.Variables.ContainsKey(node.Name), $"Const {node.Name}: value attribute xor variable");
            }
        }

        foreach (var binding in graph.Inputs)
        {
            var node = graph.Nodes.Single(n => n.Name == TfTensorRef.Parse(binding.Tensor)!.Value.Node);
            Assert.IsTrue(node.Op is "Placeholder" or "PlaceholderWithDefault", binding.Name);
        }

        foreach (var binding in graph.Outputs)
        {
            Assert.IsTrue(names.Contains(TfTensorRef.Parse(binding.Tensor)!.Value.Node), binding.Name);
        }
    }

    private static string[] Ops(TfGraph graph) => graph.Nodes.Select(n => n.Op).Distinct().OrderBy(o => o, StringComparer.Ordinal).ToArray();

    private static float Scalar(TfGraph graph, string node) => graph.Variables[node].ToDoubles() is [var v] ? (float)v : throw new AssertFailedException($"{node} is not a scalar");

    [TestMethod]
    public void EveryGraphDefEntryIsDetectedByContentAndReads()
    {
        foreach (var entry in TfCorpus.GraphDefs)
        {
            var path = TfCorpus.PathOf(entry);
            Assert.AreEqual(TfGraphDefFormat.FormatName, Registry.Resolve(path, null).Name, entry);
            Assert.AreEqual(FormatMatch.Content, new TfGraphDefFormat().Detect(path), entry);
            Assert.AreEqual(FormatMatch.None, new Core.Formats.Onnx.OnnxModelFormat().Detect(path), entry + " is not ONNX");
            var graph = Build(entry);
            Assert.IsTrue(graph.Outputs.Count > 0 && graph.Inputs.Count > 0, entry);
        }
    }

    [TestMethod]
    public void EverySavedModelEntryIsDetectedAndEverySignatureReads()
    {
        foreach (var entry in TfCorpus.SavedModels)
        {
            var path = TfCorpus.PathOf(entry);
            Assert.AreEqual(TfSavedModelFormat.FormatName, Registry.Resolve(path, null).Name, entry);
            Assert.AreEqual(TfSavedModelFormat.FormatName, Registry.Resolve(Path.Combine(path, "saved_model.pb"), null).Name, entry + "/saved_model.pb");
            var source = (TfSavedModelSourceModel)Import(entry);
            Assert.IsTrue(source.SignatureKeys.Count > 0, entry);
            foreach (var key in source.SignatureKeys)
            {
                var graph = Build(entry, key);
                Assert.IsTrue(graph.Outputs.Count > 0, $"{entry} {key}");
            }
        }
    }

    [TestMethod]
    public void OnnxModelsAreStillOnnx()
    {
        var model = Directory.EnumerateFiles(RepoPaths.OnnxBackend, "model.onnx", SearchOption.AllDirectories).FirstOrDefault();
        if (model is null)
        {
            Assert.Inconclusive("no ONNX backend model");
        }

        Assert.AreEqual("onnx", Registry.Resolve(model, null).Name);
        Assert.AreEqual(FormatMatch.None, new TfGraphDefFormat().Detect(model));
        Assert.AreEqual(FormatMatch.None, new TfSavedModelFormat().Detect(model));
    }

    [TestMethod]
    public void HalfPlusTwoReadsAAndBFromItsSnappyCompressedBundle()
    {
        // The index's data block is Snappy-compressed (compression byte 1 in its trailer): the Snappy path is exercised.
        var index = File.ReadAllBytes(Path.Combine(TfCorpus.PathOf(TfCorpus.HalfPlusTwo), "variables", "variables.index"));
        Assert.AreEqual((byte)1, index[FirstDataBlockEnd(index)]);

        var graph = Build(TfCorpus.HalfPlusTwo);
        CollectionAssert.AreEqual(new[] { "Add", "Const", "Identity", "Mul", "Placeholder" }, Ops(graph));
        Assert.AreEqual(0.5f, Scalar(graph, "a"));
        Assert.AreEqual(2f, Scalar(graph, "b"));
        Assert.AreEqual(OnnxType.Float, graph.Variables["a"].ElementType);
        var x = graph.Inputs.Single();
        Assert.AreEqual(("x", "x:0", DataType.DtFloat), (x.Name, x.Tensor, x.ElementType));
        CollectionAssert.AreEqual(new long[] { -1, 1 }, x.Shape!.ToArray());
        Assert.AreEqual(("y", "y:0"), (graph.Outputs.Single().Name, graph.Outputs.Single().Tensor));
        Assert.IsFalse(graph.Nodes.Any(n => n.Name == "c"), "c is not on the path of serving_default");

        var x2 = Build(TfCorpus.HalfPlusTwo, "regress_x2_to_y3");
        Assert.AreEqual("x2:0", x2.Inputs.Single().Tensor);
        CollectionAssert.AreEquivalent(new[] { "a2", "c2" }, x2.Variables.Keys.ToArray(), "y3 = a2 * x2 + c2");
    }

    [TestMethod]
    public void RegressionSavedModelAndFrozenGraphComputeTheSameLine()
    {
        var saved = Build(TfCorpus.RegressionSaved);
        CollectionAssert.AreEqual(new[] { "Add", "Const", "Identity", "Mul", "Placeholder" }, Ops(saved));
        Assert.IsFalse(saved.Nodes.Any(n => n.Op.StartsWith("Apply", StringComparison.Ordinal)), "training ops are pruned");
        var w = Scalar(saved, "W");
        var b = Scalar(saved, "b");
        Assert.AreEqual(2.1193342, (w * 5) + b, 0.2, "golden: X=5 -> pred ~ 2.119 (tf2onnx test_api)");

        var frozen = Build(TfCorpus.RegressionFrozen);
        Assert.AreEqual("X:0", frozen.Inputs.Single().Name);
        Assert.AreEqual("pred:0", frozen.Outputs.Single().Tensor);
        var frozenW = frozen.Nodes.Single(n => n.Name == "W").Attr["value"].Tensor;
        Assert.AreEqual(w, frozenW.FloatVal.Count > 0 ? frozenW.FloatVal[0] : BitConverter.ToSingle(frozenW.TensorContent.Span));
    }

    [TestMethod]
    public void MultiSignatureModelListsItsSignaturesAndReadsTheVariable()
    {
        var source = (TfSavedModelSourceModel)Import(TfCorpus.MultiSignature);
        CollectionAssert.AreEqual(new[] { "add", "get_const_matrix", "get_const_scalar", "get_const_vector", "get_variable" }, source.SignatureKeys.ToArray());
        var summary = source.Summarize();
        CollectionAssert.AreEqual(source.SignatureKeys.ToArray(), summary.Signatures.Select(s => s.Key).ToArray());
        CollectionAssert.AreEqual(new[] { "a", "b" }, summary.Signatures[0].Inputs.Select(i => i.Name).ToArray());

        var variable = Build(TfCorpus.MultiSignature, "get_variable");
        Assert.AreEqual(2f, Scalar(variable, variable.Variables.Keys.Single()));
        Assert.AreEqual("StatefulPartitionedCall/Identity:0", variable.Outputs.Single().Tensor);

        var add = Build(TfCorpus.MultiSignature, "add");
        CollectionAssert.AreEqual(new[] { "AddV2", "Identity", "Placeholder" }, Ops(add));
        Assert.IsNull(add.Inputs[0].Shape, "unknown rank stays unknown");
    }

    [TestMethod]
    public void Tf2VariablesComeThroughTheObjectGraph()
    {
        var three = Build(TfCorpus.TimesThree);
        Assert.AreEqual(3f, Scalar(three, three.Variables.Keys.Single()));
        CollectionAssert.AreEqual(new[] { "Const", "Identity", "Mul", "Placeholder" }, Ops(three));

        var int64 = Build(TfCorpus.Int64Multiply);
        Assert.AreEqual(OnnxType.Int64, int64.Variables.Values.First().ElementType);
        var product = int64.Variables.Values.Select(v => v.ToInt64s().Single()).Aggregate((p, v) => p * v);
        Assert.AreEqual(6L, product, "golden: [3,4] -> [18,24] = 6x");

        var keras = Build(TfCorpus.KerasSingleInput);
        Assert.AreEqual(6, keras.Variables.Count, "three Dense layers, kernel and bias each");
        CollectionAssert.AreEqual(new long[] { -1, 5 }, keras.Inputs.Single().Shape!.ToArray());
    }

    [TestMethod]
    public void KerasLstmKeepsItsLoopBodyInTheLibrary()
    {
        var graph = Build(TfCorpus.KerasLstm);
        var loop = graph.Nodes.Single(n => n.Op == "StatelessWhile");
        var names = graph.Library.Function.Select(f => f.Signature.Name).ToHashSet();
        Assert.IsTrue(names.Contains(loop.Attr["body"].Func.Name) && names.Contains(loop.Attr["cond"].Func.Name));
        Assert.IsFalse(graph.Nodes.Any(n => n.Op.StartsWith("CudnnRNN", StringComparison.Ordinal)), "the GPU path is not what serving_default computes");
    }

    [TestMethod]
    public void AScalarPlaceholderShapeInAVersion21OrOlderGraphMeansUnknownRank()
    {
        // multiplication.pb is a version-9 GraphDef whose Placeholders a and b carry an empty shape attribute: TensorFlow's
        // Placeholder shape function reads that as unknown rank for graphs of version 21 and older, and so does the reader.
        var graph = Build(TfCorpus.Multiplication);
        Assert.IsTrue(graph.Producer <= 21, $"producer {graph.Producer}");
        Assert.IsTrue(graph.Inputs.All(i => i.Shape is null), string.Join(", ", graph.Inputs.Select(i => $"{i.Name} [{string.Join(",", i.Shape ?? Array.Empty<long>())}]")));
        Assert.IsTrue(graph.Nodes.Single(n => n.Name == "a").Attr["shape"].Shape.UnknownRank);

        // A newer graph keeps a scalar placeholder scalar: the TF2 SavedModel whose signature declares x a scalar.
        var scalar = Build(TfCorpus.TimesThree);
        Assert.IsTrue(scalar.Producer > 21);
        Assert.AreEqual(0, scalar.Inputs.Single().Shape!.Count);
    }

    [TestMethod]
    public void FrozenGraphTakesNamedOutputsAndShapeOverrides()
    {
        var options = ConversionOptionsFor("--inputs", "X:0", "--outputs", "output:0", "--input-shapes", "X:0:N,784");
        var graph = Build(TfCorpus.FcLayers, options: options);
        CollectionAssert.AreEqual(new long[] { -1, 784 }, graph.Inputs.Single().Shape!.ToArray());
        var lstm = Build(TfCorpus.Lstm, options: ConversionOptionsFor("--outputs", "output:0", "--inputs", "X:0"));
        Assert.AreEqual(1, lstm.Inputs.Count);
    }

    [TestMethod]
    public void StatefulSignaturesKeepTheirAssignments()
    {
        Assert.IsTrue(Build(TfCorpus.Counter, "incr_counter").Nodes.Any(n => n.Op == "AssignAdd"), "the converter must see, and refuse, the state change");
        CollectionAssert.AreEqual(new[] { "Const" }, Ops(Build(TfCorpus.Counter, "get_counter")));
    }

    private static ConversionOptions ConversionOptionsFor(params string[] pairs)
    {
        var options = new ConversionOptions();
        var catalog = Registry.Options;
        for (var i = 0; i < pairs.Length; i += 2)
        {
            var descriptor = Core.Pipeline.Options.ConversionOptionTable.All.Single(d => d.CliName == pairs[i]);
            options = descriptor.ApplyText(options, pairs[i + 1], Core.Pipeline.Options.OptionSource.CommandLine);
        }

        return options;
    }

    internal static int FirstDataBlockEnd(byte[] index)
    {
        var footer = index.AsSpan(index.Length - 48);
        var p = 0;
        Varint(footer, ref p);
        Varint(footer, ref p);
        var indexOffset = (int)Varint(footer, ref p);
        var block = index.AsSpan(indexOffset);
        var q = 0;
        Varint(block, ref q);
        var nonShared = (int)Varint(block, ref q);
        Varint(block, ref q);
        q += nonShared;
        var offset = Varint(block, ref q);
        var size = Varint(block, ref q);
        return (int)(offset + size);
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
