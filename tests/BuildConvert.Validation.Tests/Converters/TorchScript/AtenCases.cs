using System.Collections.Concurrent;
using System.Text.Json;
using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Formats.Npy;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Values;

namespace BuildConvert.Validation.Tests.Converters.TorchScript;

/// <summary>
/// The one-op cases eng/torchscript/make-op-cases.py wrote with PyTorch 1.13 (AtenCases/&lt;family&gt;.json and .npz):
/// each is an ATen overload with every argument positional (schema defaults filled in, as the front end fills them),
/// seeded inputs, and PyTorch's results. <see cref="Run"/> builds the one-node <see cref="TorchGraph"/> (tensor lists
/// through prim::ListConstruct, list results through prim::ListUnpack), converts it at each of the case's opsets, runs
/// it with ONNX Runtime and compares with PyTorch.
/// </summary>
internal static class AtenCases
{
    private static readonly ConcurrentDictionary<string, (Dictionary<string, JsonElement> Cases, Dictionary<string, TensorValue> Arrays)> Families = new();

    public static string Folder => Path.Combine(TestPaths.RepoRoot, "tests", "BuildConvert.Validation.Tests", "Converters", "TorchScript", "AtenCases");

    /// <summary>The case names of <paramref name="family"/>, as test data rows.</summary>
    public static IEnumerable<object[]> Names(string family) => Load(family).Cases.Keys.Select(k => new object[] { k });

    /// <summary>Every case of <paramref name="family"/>.</summary>
    public static IReadOnlyDictionary<string, JsonElement> Cases(string family) => Load(family).Cases;

    private static (Dictionary<string, JsonElement> Cases, Dictionary<string, TensorValue> Arrays) Load(string family) => Families.GetOrAdd(family, f =>
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, f + ".json")));
        var cases = document.RootElement.GetProperty("cases").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone());
        var arrays = NpzReader.Read(Path.Combine(Folder, f + ".npz")).ToDictionary(t => t.Name);
        return (cases, arrays);
    });

    /// <summary>Converts and runs case <paramref name="name"/> of <paramref name="family"/> at its opsets (default 17) and compares with PyTorch.</summary>
    public static void Run(string family, string name, int[]? opsets = null)
    {
        var (cases, arrays) = Load(family);
        var c = cases[name];
        var g = new TorchTestGraph();
        var feeds = new List<TensorValue>();
        var args = c.GetProperty("args").EnumerateArray().Select(a => Argument(g, a, name, arrays, feeds)).ToArray();
        var results = c.GetProperty("results").EnumerateArray().ToArray();
        var types = results.Select(r => r.GetProperty("t").GetString() switch
        {
            "tensor" or "none" => TorchType.Tensor,
            "list" => TorchType.ListOf(TorchType.Tensor),
            "int" => TorchType.Int,
            "float" => TorchType.Float,
            _ => TorchType.Bool,
        }).ToArray();
        var outputs = g.Node(c.GetProperty("op").GetString()!, types, args);
        var graphOutputs = new List<TorchValue>();
        var expected = new List<TensorValue>();
        var used = c.TryGetProperty("used", out var u) ? u.EnumerateArray().Select(e => e.GetInt32()).ToHashSet() : null;
        for (var k = 0; k < results.Length; k++)
        {
            if (used is not null && !used.Contains(k))
            {
                continue;
            }

            if (results[k].GetProperty("t").GetString() == "list")
            {
                var keys = results[k].GetProperty("keys").EnumerateArray().Select(e => e.GetString()!).ToArray();
                graphOutputs.AddRange(g.Node("prim::ListUnpack", keys.Select(_ => TorchType.Tensor).ToArray(), new[] { outputs[k] }));
                expected.AddRange(keys.Select(key => arrays[$"{name}__{key}"]));
            }
            else
            {
                graphOutputs.Add(outputs[k]);
                expected.Add(arrays[$"{name}__{results[k].GetProperty("key").GetString()}"]);
            }
        }

        var graph = g.Build(graphOutputs.ToArray());
        var rtol = c.GetProperty("rtol").GetDouble();
        var atol = c.GetProperty("atol").GetDouble();
        var targets = opsets ?? (c.TryGetProperty("opsets", out var o) ? o.EnumerateArray().Select(e => e.GetInt32()).ToArray() : new[] { TorchModelConverter.DefaultOpset });
        foreach (var opset in targets)
        {
            var model = TorchOnnxRunner.Convert(graph, opset);
            var actual = TorchOnnxRunner.Run(model, feeds);
            Assert.HasCount(expected.Count, actual, "output count");
            for (var k = 0; k < expected.Count; k++)
            {
                TorchOnnxRunner.Compare(expected[k], actual[k], rtol, atol, $"{name} at opset {opset}, output {k}");
            }
        }
    }

    private static TorchValue Argument(TorchTestGraph g, JsonElement a, string name, Dictionary<string, TensorValue> arrays, List<TensorValue> feeds)
    {
        switch (a.GetProperty("t").GetString())
        {
            case "tensor":
                var key = a.GetProperty("key").GetString()!;
                var data = arrays[$"{name}__{key}"];
                if (a.GetProperty("input").GetBoolean())
                {
                    feeds.Add(data with { Name = key });
                    return g.Input(key, data.ElementType, data.Shape);
                }

                return g.Tensor(TensorData.FromValue(data), key);
            case "none":
                return g.None();
            case "int":
                return g.Const(a.GetProperty("v").GetInt64());
            case "float":
                return g.Const(a.GetProperty("v").GetDouble());
            case "bool":
                return g.Const(a.GetProperty("v").GetBoolean());
            case "str":
                return g.Const(a.GetProperty("v").GetString()!);
            case "device":
                return g.Const(a.GetProperty("v").GetString()!, TorchType.Device);
            case "ints":
                return g.Ints(a.GetProperty("v").EnumerateArray().Select(e => e.GetInt64()).ToArray());
            case "floats":
                return g.Const(a.GetProperty("v").EnumerateArray().Select(e => (object)e.GetDouble()).ToArray(), TorchType.ListOf(TorchType.Float));
            case "list":
                var items = a.GetProperty("items").EnumerateArray().Select(i => Argument(g, i, name, arrays, feeds)).ToArray();
                var element = items.Any(i => i.Type.Kind == TorchTypeKind.None) ? TorchType.OptionalOf(TorchType.Tensor) : items.FirstOrDefault()?.Type ?? TorchType.Tensor;
                return g.List(element, items);
            default:
                throw new InvalidOperationException($"{name}: unknown argument kind {a}");
        }
    }
}
