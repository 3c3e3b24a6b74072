using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using Google.Protobuf;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// TensorFlow.js 4.22 (pure JavaScript, CPU backend, installed into eng/tfjs/node_modules by
/// eng/install-prerequisites.sh) run on a <see cref="TfTestGraph"/>: the graph is written as graph-model JSON (the
/// GraphDef in protobuf-JSON form, each Const's value moved into weightSpecs/weightData as the TF.js converter does) and
/// eng/tfjs/run-graph.js executes it. TF.js computes in float32/int32/bool: int64 constants and inputs travel as int32,
/// float64 as float32.
/// </summary>
internal static class TfjsOracle
{
    public static string Folder => Path.Combine(TestPaths.RepoRoot, "eng", "tfjs");

    /// <summary>Marks the test inconclusive when TensorFlow.js is not installed.</summary>
    public static void RequireInstalled()
    {
        if (!File.Exists(Path.Combine(Folder, "node_modules", "@tensorflow", "tfjs", "package.json")))
        {
            Assert.Inconclusive("TensorFlow.js is not installed in eng/tfjs/node_modules; run bash eng/install-prerequisites.sh (CI does)");
        }
    }

    /// <summary>Runs the graph on its placeholders' values and returns <paramref name="outputs"/>.</summary>
    public static IReadOnlyList<OracleTensor> Run(TfTestGraph graph, IReadOnlyList<string> outputs) =>
        Run(graph.Nodes, graph.Library, new Dictionary<string, BuildConvert.Core.Graphs.TensorData>(), graph.Placeholders, outputs);

    /// <summary>
    /// Runs a graph given as nodes (graph-level references), its function library and the values of Const nodes that
    /// hold variables (a reader's <see cref="TfGraph"/>), fed with <paramref name="feeds"/> (by placeholder node name).
    /// </summary>
    public static IReadOnlyList<OracleTensor> Run(IEnumerable<NodeDef> nodes, FunctionDefLibrary library,
        IReadOnlyDictionary<string, BuildConvert.Core.Graphs.TensorData> variables, IEnumerable<TfPlaceholder> feeds, IReadOnlyList<string> outputs)
    {
        RequireInstalled();
        var request = Request(nodes, library, variables, feeds, outputs);
        var folder = TestPaths.NewTempFolder();
        try
        {
            var requestPath = Path.Combine(folder, "request.json");
            var responsePath = Path.Combine(folder, "response.json");
            File.WriteAllText(requestPath, request.ToJsonString());
            var start = new ProcessStartInfo("node") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(Folder, "run-graph.js"));
            start.ArgumentList.Add(requestPath);
            start.ArgumentList.Add(responsePath);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(120_000))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("TensorFlow.js did not finish within 120 s");
            }

            Assert.AreEqual(0, process.ExitCode, $"node run-graph.js failed: {stderr.Result}");
            var response = JsonNode.Parse(File.ReadAllText(responsePath))!;
            if (response["error"] is { } error)
            {
                Assert.Fail($"TensorFlow.js could not run the graph: {error.GetValue<string>()}");
            }

            return response["outputs"]!.AsArray().Select(o => new OracleTensor(
                o!["name"]!.GetValue<string>(),
                o["dtype"]!.GetValue<string>(),
                o["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray(),
                Decode(o["dtype"]!.GetValue<string>(), Convert.FromBase64String(o["data"]?.GetValue<string>() ?? "")))).ToArray();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The request: graph-model JSON, weights, inputs and outputs.</summary>
    private static JsonObject Request(IEnumerable<NodeDef> nodes, FunctionDefLibrary library,
        IReadOnlyDictionary<string, BuildConvert.Core.Graphs.TensorData> variables, IEnumerable<TfPlaceholder> feeds, IReadOnlyList<string> outputs)
    {
        var weightSpecs = new JsonArray();
        using var weights = new MemoryStream();
        var def = new GraphDef { Versions = new VersionDef { Producer = 1 } };
        foreach (var node in nodes)
        {
            def.Node.Add(node.Op == "Const" ? Weight(node) : node);
        }

        // Function bodies keep their nodes; their Consts' values go to the weights too (one map, by node name).
        if (library.Function.Count > 0)
        {
            def.Library = library.Clone();
            foreach (var function in def.Library.Function)
            {
                for (var i = 0; i < function.NodeDef.Count; i++)
                {
                    if (function.NodeDef[i].Op == "Const")
                    {
                        function.NodeDef[i] = Weight(function.NodeDef[i]);
                    }
                }
            }
        }

        NodeDef Weight(NodeDef node)
        {
            var tensor = node.Attr.TryGetValue("value", out var value) ? value.Tensor : null;
            var data = variables.TryGetValue(node.Name, out var variable) ? variable : TfTensorCodec.ToTensorData(tensor!, node.Name);
            tensor ??= new TensorProto { Dtype = node.Attr["dtype"].Type, TensorShape = A.Shape(data.Dims).Shape };
            var (dtype, bytes) = ToTfjs(data);
            weights.Write(bytes);
            weightSpecs.Add(new JsonObject
            {
                ["name"] = node.Name,
                ["shape"] = new JsonArray(data.Dims.Select(d => (JsonNode)d).ToArray()),
                ["dtype"] = dtype,
            });

            // TF.js takes the value from the weights; the node keeps its dtype and shape only.
            var stripped = node.Clone();
            stripped.Attr["value"] = new AttrValue { Tensor = new TensorProto { Dtype = tensor.Dtype, TensorShape = tensor.TensorShape } };
            return stripped;
        }

        var inputs = new JsonArray();
        foreach (var p in feeds)
        {
            var (dtype, bytes) = ToTfjs(p.Type, p.Values);
            inputs.Add(new JsonObject
            {
                ["name"] = p.Name,
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(p.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data"] = Convert.ToBase64String(bytes),
            });
        }

        return new JsonObject
        {
            ["modelTopology"] = JsonNode.Parse(JsonFormatter.Default.Format(def)),
            ["weightSpecs"] = weightSpecs,
            ["weightData"] = Convert.ToBase64String(weights.ToArray()),
            ["inputs"] = inputs,
            ["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)o).ToArray()),
        };
    }

    private static (string Dtype, byte[] Bytes) ToTfjs(BuildConvert.Core.Graphs.TensorData data)
    {
        var tf = TfDataTypes.FromOnnx(data.ElementType);
        return ToTfjs(tf, data.ToDoubles());
    }

    private static (string Dtype, byte[] Bytes) ToTfjs(TfDataType type, IReadOnlyList<double> values) => type switch
    {
        TfDataType.DtFloat or TfDataType.DtDouble or TfDataType.DtHalf or TfDataType.DtBfloat16 => ("float32", TfTestGraph.Pack(TfDataType.DtFloat, values)),
        TfDataType.DtBool => ("bool", TfTestGraph.Pack(TfDataType.DtBool, values)),
        _ => ("int32", TfTestGraph.Pack(TfDataType.DtInt32, values)),
    };

    private static double[] Decode(string dtype, byte[] bytes) => dtype switch
    {
        "float32" => Enumerable.Range(0, bytes.Length / 4).Select(i => (double)BitConverter.ToSingle(bytes, i * 4)).ToArray(),
        "int32" => Enumerable.Range(0, bytes.Length / 4).Select(i => (double)BitConverter.ToInt32(bytes, i * 4)).ToArray(),
        "bool" => bytes.Select(b => (double)b).ToArray(),
        _ => throw new InvalidOperationException($"TensorFlow.js returned dtype {dtype}"),
    };
}

/// <summary>One output as TensorFlow.js computed it (values widened to double).</summary>
internal sealed record OracleTensor(string Name, string Dtype, long[] Shape, double[] Values);
