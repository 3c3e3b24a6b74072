using System.Globalization;
using System.Text.Json.Nodes;
using BuildConvert.Core.Checking;
using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.TensorFlow;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Values;
using Microsoft.ML.OnnxRuntime;
using OnnxModelProto = BuildConvert.Core.Formats.Onnx.Proto.ModelProto;
using OnnxType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// Every GraphDef and SavedModel of the TensorFlow corpus (one row per model and signature, <see cref="TfCorpusCases"/>)
/// through the real formats (<see cref="FormatRegistry.CreateDefault"/>: resolve, import, convert): the ONNX checker
/// accepts the result and ONNX Runtime's outputs match TensorFlow.js running the graph the reader produced (variables as
/// constants) on the same seeded inputs, at two batch sizes where a dimension is dynamic, and the golden values where the
/// corpus has them; or the conversion is refused with the row's code.
/// </summary>
[TestClass]
public sealed class TfCorpusTests
{
    private static readonly FormatRegistry Registry = FormatRegistry.CreateDefault();

    public TestContext TestContext { get; set; } = null!;

    public static IEnumerable<object[]> Rows => TfCorpusCases.All.Select(c => new object[] { c.Id });

    public static string CorpusRoot => Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, "..", "shared", "corpora", "tensorflow"));

    [TestMethod]
    public void EveryGraphDefAndSavedModelOfTheCorpusHasARow()
    {
        var manifest = File.ReadAllText(Path.Combine(RequireCorpus(), "MANIFEST.md"));
        var entries = manifest.Split('\n')
            .Where(l => l.StartsWith("| ", StringComparison.Ordinal) && (l.Contains("GraphDef", StringComparison.Ordinal) || l.Contains("SavedModel", StringComparison.Ordinal)))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries)[1])
            .ToArray();
        Assert.IsTrue(entries.Length >= 20, $"MANIFEST lists {entries.Length} TensorFlow entries");
        var covered = TfCorpusCases.All.Select(c => c.Entry.Split('/')[0]).ToHashSet(StringComparer.Ordinal);
        CollectionAssert.AreEquivalent(Array.Empty<string>(), entries.Where(e => !covered.Contains(e)).ToArray(), "entries without a row");

        // Every signature of every SavedModel has a row.
        foreach (var entry in TfCorpusCases.All.Select(c => c.Entry).Distinct().Where(e => Directory.Exists(Path.Combine(CorpusRoot, e))))
        {
            var path = Path.Combine(CorpusRoot, entry);
            var source = (TfSavedModelSourceModel)Registry.Resolve(path, null).Import(path, new ConversionOptions());
            var rows = TfCorpusCases.All.Where(c => c.Entry == entry).Select(c => c.Signature ?? TfSavedModelFormat.DefaultSignature).ToArray();
            CollectionAssert.AreEquivalent(source.SignatureKeys.ToArray(), rows, entry);
        }
    }

    [TestMethod]
    [DynamicData(nameof(Rows))]
    public void CorpusModel(string id)
    {
        var row = TfCorpusCases.All.Single(c => c.Id == id);
        var path = Path.Combine(RequireCorpus(), row.Entry);
        var options = OptionsFor(row);
        var format = Registry.Resolve(path, null);
        var source = format.Import(path, options);

        if (row.Expect == TfCorpusExpect.Refused)
        {
            var refusal = Assert.ThrowsExactly<BuildConvertException>(() => format.Convert(source, options));
            Assert.AreEqual(row.Code, refusal.Code, refusal.Message);
            foreach (var word in row.MessageContains)
            {
                StringAssert.Contains(refusal.Message, word);
            }

            Report(row, $"refused {refusal.Code} ({row.Reason})", null, null);
            return;
        }

        if (ConvertOrPending(row, format, source, options) is not { } converted)
        {
            return;
        }

        var proto = OnnxGraphExporter.ToProto(converted.Model);
        var errors = OnnxChecker.Check(proto, null).Where(d => d.Descriptor.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.IsEmpty(errors, "checker: " + string.Join("; ", errors.Select(e => e.Message)));
        var graph = ((TfSourceModel)source).BuildGraph(options);

        using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(OnnxModelWriter.ToBytes(proto), sessionOptions);
        double? tfjsError = null;
        var dynamic = false;
        if (row.Tfjs)
        {
            var inputs = Inputs(graph, proto, row);
            dynamic = inputs.Any(i => i.Shape.Contains(-1));
            foreach (var batch in dynamic ? row.Batches : new[] { 1 })
            {
                var feeds = Feeds(inputs, row, batch);
                var expected = TfjsOracle.Run(graph.Nodes, graph.Library, graph.Variables,
                    feeds.DistinctBy(f => f.Input.Tensor).Select(f => new OracleInput(FeedName(f.Input.Tensor), TfDataTypes.FromOnnx(f.Input.Type), f.Shape, f.Values, f.Strings)).ToArray(),
                    graph.Outputs.Select(o => o.Tensor).ToArray());
                var actual = RunOnnx(session, proto, feeds.Select(f => f.ToTensorValue()).ToArray());
                for (var k = 0; k < graph.Outputs.Count; k++)
                {
                    var error = TfOracleAssert.Compare(expected[k], actual[graph.Outputs[k].Name], row.Atol, row.Rtol,
                        $"{id} batch {batch.ToString(CultureInfo.InvariantCulture)}, output '{graph.Outputs[k].Name}' vs TF.js", checkKind: true);
                    tfjsError = System.Math.Max(tfjsError ?? 0, error);
                }

                if (row.Golden is { Rule: { } rule })
                {
                    CheckRule(row, rule, feeds, actual);
                }
            }
        }

        double? goldenError = null;
        if (row.Golden is { FromFile: true })
        {
            goldenError = CheckGoldenFile(row, path, session, proto, graph);
        }
        else if (row.Golden is { Rule: { } rule } && !row.Tfjs)
        {
            var feeds = Feeds(Inputs(graph, proto, row), row, row.Batches[^1]);
            CheckRule(row, rule, feeds, RunOnnx(session, proto, feeds.Select(f => f.ToTensorValue()).ToArray()));
        }
        else if (row.Golden is { Rule: not null })
        {
            goldenError = 0;
        }

        Report(row, dynamic ? $"converts (batch {row.Batches[0]} and {row.Batches[1]})" : "converts", tfjsError, goldenError);
    }

    /// <summary>
    /// The corpus CNNs converted from NHWC keep at most one Transpose at each graph input and output and none inside.
    /// Known gaps (the transpose pass does not yet push through them) are recorded per row: the count of interior
    /// Transposes must be the recorded one (more is a regression; fewer means the row is to be lowered).
    /// </summary>
    [TestMethod]
    [DataRow("mlnet-cifar-frozen", 1, "NHWC flatten (Reshape) before the dense MatMul: removing it needs the weight rows permuted")]
    [DataRow("mlnet-cifar-frozen-variadic", 1, "NHWC flatten (Reshape) before the dense MatMul: removing it needs the weight rows permuted")]
    [DataRow("mlnet-mnist-conv", 1, "NHWC flatten (Reshape) before the dense MatMul: removing it needs the weight rows permuted")]
    [DataRow("tract-hey-snips-v3", 6, "Conv1D as ExpandDims/Conv2D/Squeeze and dilation as SpaceToBatchND/BatchToSpaceND: the pass does not push through them")]
    [DataRow("tfnet-tf24/inference", 2, "Conv1D as ExpandDims/Conv2D/Squeeze: the pass does not push through ExpandDims/Squeeze")]
    public void CnnTransposes_OneAtEachInputAndOutput_InteriorOnesAsRecorded(string id, int knownInterior, string gap)
    {
        var row = TfCorpusCases.All.Single(c => c.Id == id);
        var path = Path.Combine(RequireCorpus(), row.Entry);
        var options = OptionsFor(row);
        var format = Registry.Resolve(path, null);
        var proto = OnnxGraphExporter.ToProto(format.Convert(format.Import(path, options), options).Model);
        Assert.IsTrue(proto.Graph.Node.Any(n => n.OpType == "Conv"), $"{id} is a CNN");
        var inputs = proto.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var outputs = proto.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var transposes = proto.Graph.Node.Where(n => n.OpType == "Transpose").ToArray();
        var atInputs = transposes.Where(t => inputs.Contains(t.Input[0])).GroupBy(t => t.Input[0]).ToArray();
        var atOutputs = transposes.Where(t => outputs.Contains(t.Output[0])).ToArray();
        var inside = transposes.Where(t => !inputs.Contains(t.Input[0]) && !outputs.Contains(t.Output[0])).Select(t => t.Name).ToArray();
        TestContext.WriteLine($"{id}: {transposes.Length} Transpose(s): {atInputs.Length} at inputs, {atOutputs.Length} at outputs, {inside.Length} inside");
        Assert.AreEqual(knownInterior, inside.Length, $"{id}: Transposes inside the graph (recorded: {knownInterior}; known gap: {gap}): {string.Join(", ", inside)}");
        foreach (var group in atInputs)
        {
            Assert.AreEqual(1, group.Count(), $"{id}: input {group.Key} has {group.Count()} Transposes");
        }

        Assert.IsLessThanOrEqualTo(outputs.Count, atOutputs.Length, $"{id}: at most one Transpose per output");
    }

    /// <summary>
    /// Converts. A row with pending ops must still be refused with BCONV2001 naming only them (the row documents the
    /// gap); once it converts the row fails, so that its Pending list is removed and the full check runs.
    /// </summary>
    private ConvertedModel? ConvertOrPending(TfCorpusCase row, IModelFormat format, SourceModel source, ConversionOptions options)
    {
        if (row.Pending.Length == 0)
        {
            return format.Convert(source, options);
        }

        BuildConvertException? refusal = null;
        try
        {
            format.Convert(source, options);
        }
        catch (BuildConvertException e)
        {
            refusal = e;
        }

        Assert.IsNotNull(refusal, $"{row.Id} converts now: remove its Pending ops ({string.Join(", ", row.Pending)}) so that the row is checked against TF.js");
        Assert.AreEqual(DiagnosticCodes.UnsupportedOperators.Code, refusal.Code, refusal.Message);
        var missing = row.Pending.Where(op => refusal.Message.Contains(op + " (", StringComparison.Ordinal)).ToArray();
        Assert.IsNotEmpty(missing, $"{row.Id}: refused for other ops than the pending ones: {refusal.Message}");
        Report(row, $"pending {string.Join(", ", missing)}", null, null);
        return null;
    }

    private static string RequireCorpus()
    {
        if (!Directory.Exists(CorpusRoot))
        {
            Assert.Inconclusive($"the TensorFlow corpus is not at {CorpusRoot}");
        }

        return CorpusRoot;
    }

    private static ConversionOptions OptionsFor(TfCorpusCase row)
    {
        var options = new ConversionOptions
        {
            Inputs = row.Inputs, Outputs = row.Outputs, Opset = row.Opset, InputShapes = InputShapeSpec.ParseList(row.InputShapes),
        };
        return row.Signature is { } signature ? TfSavedModelFormat.Signature.Apply(options, signature) : options;
    }

    private void Report(TfCorpusCase row, string status, double? tfjs, double? golden)
    {
        static string F(double? v) => v is { } d ? d.ToString("G3", CultureInfo.InvariantCulture) : "-";
        TestContext.WriteLine($"| {row.Id} | {row.Signature ?? "-"} | {status} | {F(tfjs)} | {F(golden)} |");
    }

    /// <summary>A graph input as ONNX has it: name, element type, the TensorFlow tensor it is, the shape to feed (-1 = batch).</summary>
    private sealed record CorpusInput(string Name, OnnxType Type, string Tensor, long[] Shape);

    private sealed record Feed(CorpusInput Input, long[] Shape, double[]? Values, string[]? Strings)
    {
        public TensorValue ToTensorValue() => Strings is { } s
            ? new TensorValue(Input.Name, OnnxType.String, Shape, ReadOnlyMemory<byte>.Empty, s)
            : new TensorValue(Input.Name, Input.Type, Shape, TfOracleAssert.Pack(Input.Type, Values!));
    }

    private static List<CorpusInput> Inputs(TfGraph graph, OnnxModelProto proto, TfCorpusCase row)
    {
        var list = new List<CorpusInput>();
        foreach (var input in proto.Graph.Input)
        {
            var binding = graph.Inputs.Single(b => b.Name == input.Name);
            var shape = row.Shapes.TryGetValue(input.Name, out var s) ? s : binding.Shape?.ToArray()
                ?? throw new AssertFailedException($"{row.Id}: input '{input.Name}' has no shape; give the row one");
            list.Add(new CorpusInput(input.Name, (OnnxType)input.Type.TensorType.ElemType, binding.Tensor, shape));
        }

        return list;
    }

    private static List<Feed> Feeds(IReadOnlyList<CorpusInput> inputs, TfCorpusCase row, int batch)
    {
        var random = new Random(row.Id.Aggregate(17, (h, c) => (h * 31) + c) + batch);
        var byTensor = new Dictionary<string, Feed>(StringComparer.Ordinal);
        var feeds = new List<Feed>();
        foreach (var input in inputs)
        {
            var shape = input.Shape.Select((d, i) => d >= 0 ? d : i == 0 ? batch : row.DynamicSize).ToArray();
            if (byTensor.TryGetValue(input.Tensor, out var same))
            {
                // Two signature inputs bound to one tensor take the same values.
                feeds.Add(same with { Input = input });
                continue;
            }

            var count = (int)shape.Aggregate(1L, (a, b) => a * b);
            Feed feed;
            if (input.Type == OnnxType.String)
            {
                feed = new Feed(input, shape, null, Enumerable.Range(0, count).Select(i => $"text {random.Next(100)} #{i}").ToArray());
            }
            else if (row.Fixed.TryGetValue(input.Name, out var fixedValues))
            {
                feed = new Feed(input, shape, fixedValues.Length == count ? fixedValues : Enumerable.Repeat(fixedValues[0], count).ToArray(), null);
            }
            else
            {
                var (low, high) = row.Range;
                var unsigned = input.Type is OnnxType.Uint8 or OnnxType.Uint16 or OnnxType.Uint32 or OnnxType.Uint64;
                if (unsigned || input.Type is OnnxType.Int8)
                {
                    (low, high) = (unsigned ? 0 : -100, 100);
                }

                var values = Enumerable.Range(0, count).Select(_ => input.Type switch
                {
                    OnnxType.Bool => random.Next(2),
                    OnnxType.Float or OnnxType.Double or OnnxType.Float16 or OnnxType.Bfloat16 => System.Math.Round(low + (random.NextDouble() * (high - low)), 3),
                    _ => System.Math.Floor(low + (random.NextDouble() * (high - low))),
                }).ToArray();
                feed = new Feed(input, shape, values, null);
            }

            byTensor[input.Tensor] = feed;
            feeds.Add(feed);
        }

        return feeds;
    }

    // TF.js feeds a placeholder by node name (its output 0).
    private static string FeedName(string tensor) => tensor.EndsWith(":0", StringComparison.Ordinal) ? tensor[..^2] : tensor;

    private static Dictionary<string, TensorValue> RunOnnx(InferenceSession session, OnnxModelProto proto, IReadOnlyList<TensorValue> feeds)
    {
        var values = new List<OrtValue>();
        try
        {
            var names = new List<string>();
            foreach (var name in session.InputNames)
            {
                var feed = feeds.Single(f => f.Name == name);
                values.Add(OrtValueBridge.ToOrtValue(feed));
                names.Add(name);
            }

            using var runOptions = new RunOptions();
            var outputNames = proto.Graph.Output.Select(o => o.Name).ToArray();
            using var results = session.Run(runOptions, names, values, outputNames);
            return results.Select((r, i) => (TensorValue)OrtValueBridge.FromOrtValue(outputNames[i], r)).ToDictionary(v => v.Name, StringComparer.Ordinal);
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    private static void CheckRule(TfCorpusCase row, Func<IReadOnlyDictionary<string, double[]>, IReadOnlyDictionary<string, double[]>> rule,
        IReadOnlyList<Feed> feeds, IReadOnlyDictionary<string, TensorValue> actual)
    {
        var expected = rule(feeds.ToDictionary(f => f.Input.Name, f => f.Values!, StringComparer.Ordinal));
        foreach (var (name, values) in expected)
        {
            var value = actual[name];
            var got = Enumerable.Range(0, (int)value.ElementCount).Select(i => value.GetDouble(i)).ToArray();
            Assert.HasCount(values.Length, got, $"{row.Id} output '{name}' vs {row.Golden!.Cite}");
            for (var i = 0; i < values.Length; i++)
            {
                Assert.AreEqual(values[i], got[i], 1e-5 + (1e-5 * System.Math.Abs(values[i])), $"{row.Id} output '{name}'[{i}] vs {row.Golden!.Cite}");
            }
        }
    }

    /// <summary>Runs golden.json's inputs and compares golden.json's outputs; returns the largest absolute difference.</summary>
    private static double CheckGoldenFile(TfCorpusCase row, string path, InferenceSession session, OnnxModelProto proto, TfGraph graph)
    {
        var folder = Directory.Exists(path) ? path : Path.GetDirectoryName(path)!;
        var file = Path.Combine(folder, "golden.json");
        if (!File.Exists(file))
        {
            file = Path.Combine(Path.GetDirectoryName(folder)!, "golden.json");
        }

        var golden = JsonNode.Parse(File.ReadAllText(file))!;
        var rtol = golden["rtol"]?.GetValue<double>() ?? 1e-6;
        var atol = golden["atol"]?.GetValue<double>() ?? 1e-6;
        var feeds = new List<TensorValue>();
        foreach (var (key, node) in golden["inputs"]!.AsObject())
        {
            var input = proto.Graph.Input.Single(i => Matches(i.Name, key, graph.Inputs));
            var (shape, values, strings) = Flatten(node!);
            var type = (OnnxType)input.Type.TensorType.ElemType;
            feeds.Add(strings is not null
                ? new TensorValue(input.Name, OnnxType.String, shape, ReadOnlyMemory<byte>.Empty, strings)
                : new TensorValue(input.Name, type, shape, TfOracleAssert.Pack(type, values)));
        }

        var actual = RunOnnx(session, proto, feeds);
        var max = 0.0;
        foreach (var (key, node) in golden["outputs"]!.AsObject())
        {
            var name = proto.Graph.Output.Single(o => Matches(o.Name, key, graph.Outputs)).Name;
            var (shape, values, strings) = Flatten(node!);
            var value = actual[name];
            if (strings is not null)
            {
                CollectionAssert.AreEqual(strings, value.Strings, $"{row.Id} output '{name}' vs golden.json");
                continue;
            }

            Assert.AreEqual(values.Length, (int)value.ElementCount, $"{row.Id} output '{name}' element count vs golden.json [{string.Join(",", shape)}]");
            for (var i = 0; i < values.Length; i++)
            {
                var diff = System.Math.Abs(value.GetDouble(i) - values[i]);
                Assert.IsTrue(diff <= atol + (rtol * System.Math.Abs(values[i])), $"{row.Id} output '{name}'[{i}]: onnx {value.GetDouble(i)} vs golden {values[i]}");
                max = System.Math.Max(max, diff);
            }
        }

        return max;
    }

    private static bool Matches(string onnxName, string key, IReadOnlyList<TfTensorBinding> bindings) =>
        onnxName == key || onnxName == key + ":0" || bindings.Any(b => b.Name == onnxName && (b.Tensor == key || b.Tensor == key + ":0"));

    private static (long[] Shape, double[] Values, string[]? Strings) Flatten(JsonNode node)
    {
        var shape = new List<long>();
        for (var n = node; n is JsonArray a; n = a.Count > 0 ? a[0] : null)
        {
            shape.Add(a.Count);
        }

        var leaves = new List<JsonNode>();
        void Walk(JsonNode n)
        {
            if (n is JsonArray a)
            {
                foreach (var item in a)
                {
                    Walk(item!);
                }
            }
            else
            {
                leaves.Add(n);
            }
        }

        Walk(node);
        if (leaves.Count > 0 && leaves[0].GetValueKind() == System.Text.Json.JsonValueKind.String)
        {
            return (shape.ToArray(), Array.Empty<double>(), leaves.Select(l => l.GetValue<string>()).ToArray());
        }

        return (shape.ToArray(), leaves.Select(l => l.GetValue<double>()).ToArray(), null);
    }
}
