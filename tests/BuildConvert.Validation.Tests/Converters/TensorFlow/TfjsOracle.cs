using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using BuildConvert.Core.Graphs;
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
        Run(graph.Nodes, graph.Library, new Dictionary<string, TensorData>(StringComparer.Ordinal), graph.Placeholders, outputs);

    /// <summary>
    /// Runs a graph given as nodes (graph-level references), its function library and the values of Const nodes that
    /// hold variables (a reader's <see cref="TfGraph"/>), fed with <paramref name="feeds"/> (by placeholder node name).
    /// </summary>
    public static IReadOnlyList<OracleTensor> Run(IEnumerable<NodeDef> nodes, FunctionDefLibrary library,
        IReadOnlyDictionary<string, TensorData> variables, IEnumerable<TfPlaceholder> feeds, IReadOnlyList<string> outputs) =>
        Run(nodes, library, variables, feeds.Select(p => new OracleInput(p.Name, p.Type, p.Shape, p.Values, null)).ToArray(), outputs);

    /// <summary>
    /// As above, with inputs that may be string tensors (<see cref="OracleInput.Strings"/>). A Const's value is its
    /// <c>value</c> attribute, or its entry in <paramref name="variables"/> when the reader moved it there.
    /// </summary>
    public static IReadOnlyList<OracleTensor> Run(IEnumerable<NodeDef> nodes, FunctionDefLibrary library,
        IReadOnlyDictionary<string, TensorData> variables, IReadOnlyList<OracleInput> inputs, IReadOnlyList<string> outputs)
    {
        RequireInstalled();
        var request = Request(nodes, library, variables, inputs, outputs);
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
                o["dtype"]!.GetValue<string>() == "string" ? Array.Empty<double>() : Decode(o["dtype"]!.GetValue<string>(), Convert.FromBase64String(o["data"]?.GetValue<string>() ?? "")))
            {
                Strings = o["strings"]?.AsArray().Select(v => v!.GetValue<string>()).ToArray(),
            }).ToArray();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The request: graph-model JSON, weights, inputs and outputs.</summary>
    private static JsonObject Request(IEnumerable<NodeDef> nodes, FunctionDefLibrary library,
        IReadOnlyDictionary<string, TensorData> variables, IReadOnlyList<OracleInput> inputs, IReadOnlyList<string> outputs)
    {
        var weightSpecs = new JsonArray();
        using var weights = new MemoryStream();
        var def = new GraphDef { Versions = new VersionDef { Producer = 1 } };
        foreach (var node in nodes)
        {
            def.Node.Add(node.Op == "Const" ? Weight(node) : WithDefaults(node));
        }

        // Function bodies keep their nodes; their Consts' values go to the weights too (one map, by node name).
        if (library.Function.Count > 0)
        {
            def.Library = library.Clone();
            foreach (var function in def.Library.Function)
            {
                for (var i = 0; i < function.NodeDef.Count; i++)
                {
                    function.NodeDef[i] = function.NodeDef[i].Op == "Const" ? Weight(function.NodeDef[i]) : WithDefaults(function.NodeDef[i]);
                }
            }
        }

        NodeDef Weight(NodeDef node)
        {
            var tensor = node.Attr.TryGetValue("value", out var value) ? value.Tensor : null;
            var data = variables.TryGetValue(node.Name, out var variable) ? variable : TfTensorCodec.ToTensorData(tensor!, node.Name);
            tensor ??= new TensorProto { Dtype = node.Attr["dtype"].Type, TensorShape = A.Shape(data.Dims).Shape };
            var (dtype, bytes) = data.IsString ? ("string", PackStrings(data.Strings)) : ToTfjs(data);
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

        var feeds = new JsonArray();
        foreach (var p in inputs)
        {
            var feed = new JsonObject
            {
                ["name"] = p.Name,
                ["shape"] = new JsonArray(p.Shape.Select(d => (JsonNode)d).ToArray()),
            };
            if (p.Strings is { } strings)
            {
                feed["dtype"] = "string";
                feed["strings"] = new JsonArray(strings.Select(v => (JsonNode)v).ToArray());
            }
            else
            {
                var (dtype, bytes) = ToTfjs(p.Type, p.Values!);
                feed["dtype"] = dtype;
                feed["data"] = Convert.ToBase64String(bytes);
            }

            feeds.Add(feed);
        }

        return new JsonObject
        {
            ["modelTopology"] = JsonNode.Parse(JsonFormatter.Default.Format(def)),
            ["weightSpecs"] = weightSpecs,
            ["weightData"] = Convert.ToBase64String(weights.ToArray()),
            ["inputs"] = feeds,
            ["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)o).ToArray()),
        };
    }

    // TensorFlow's op registry fills in attributes a GraphDef leaves at their default before the TF.js converter writes a
    // graph model; TF.js reads them without a fallback. The defaults of the attributes TF.js reads (TensorFlow op defs).
    private static NodeDef WithDefaults(NodeDef node)
    {
        var defaults = node.Op switch
        {
            "Conv2D" or "DepthwiseConv2dNative" or "Conv2DBackpropInput" => new[] { ("dilations", Ints(1, 1, 1, 1)), ("data_format", Text("NHWC")) },
            "Conv3D" => new[] { ("dilations", Ints(1, 1, 1, 1, 1)), ("data_format", Text("NDHWC")) },
            "MaxPool" or "AvgPool" or "BiasAdd" or "FusedBatchNorm" or "FusedBatchNormV3" => new[] { ("data_format", Text("NHWC")) },
            _ => Array.Empty<(string, AttrValue)>(),
        };
        if (defaults.All(d => node.Attr.ContainsKey(d.Item1)))
        {
            return node;
        }

        var copy = node.Clone();
        foreach (var (name, value) in defaults)
        {
            if (!copy.Attr.ContainsKey(name))
            {
                copy.Attr[name] = value;
            }
        }

        return copy;

        static AttrValue Ints(params long[] values)
        {
            var list = new AttrValue.Types.ListValue();
            list.I.AddRange(values);
            return new AttrValue { List = list };
        }

        static AttrValue Text(string value) => new() { S = ByteString.CopyFromUtf8(value) };
    }

    // TF.js's string weights: each element as a little-endian uint32 byte length, then its UTF-8 bytes.
    private static byte[] PackStrings(IReadOnlyList<string> values)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        foreach (var v in values)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(v);
            writer.Write((uint)bytes.Length);
            writer.Write(bytes);
        }

        writer.Flush();
        return stream.ToArray();
    }

    private static (string Dtype, byte[] Bytes) ToTfjs(TensorData data)
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

/// <summary>One output as TensorFlow.js computed it (values widened to double; string tensors in <see cref="Strings"/>).</summary>
internal sealed record OracleTensor(string Name, string Dtype, long[] Shape, double[] Values)
{
    /// <summary>The elements of a string tensor (null otherwise).</summary>
    public string[]? Strings { get; init; }
}

/// <summary>One placeholder fed to TensorFlow.js: numeric values, or strings for a string placeholder.</summary>
internal sealed record OracleInput(string Name, TfDataType Type, long[] Shape, double[]? Values, string[]? Strings);
