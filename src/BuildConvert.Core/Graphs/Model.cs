using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Graphs;

/// <summary>
/// A mutable ONNX model: the main <see cref="Graph"/>, the opsets it imports and the model-level fields. Every format
/// converts into this; passes rewrite it; <see cref="OnnxGraphExporter"/> turns it back into a <c>ModelProto</c>
/// without copying weights. Model-local functions and training information are carried through as read.
/// Not thread-safe; separate models are independent.
/// </summary>
public sealed class Model
{
    private readonly List<(string Domain, long Version)> opsets = new();

    /// <summary>An empty model importing <c>ai.onnx</c> at <paramref name="opset"/> (0 imports nothing yet).</summary>
    public Model(long opset = 0, long irVersion = 0)
    {
        Names = new NameScope();
        Graph = new Graph(this, null, "main");
        IrVersion = irVersion;
        if (opset > 0)
        {
            SetOpset("", opset);
        }
    }

    /// <summary>The main graph.</summary>
    public Graph Graph { get; }

    /// <summary>The model's names (values and nodes across every graph).</summary>
    public NameScope Names { get; }

    /// <summary>The IR version (0 lets the writer choose the lowest the opsets allow).</summary>
    public long IrVersion { get; set; }

    /// <summary>The producer's name.</summary>
    public string ProducerName { get; set; } = "";

    /// <summary>The producer's version.</summary>
    public string ProducerVersion { get; set; } = "";

    /// <summary>The model's domain.</summary>
    public string Domain { get; set; } = "";

    /// <summary>The model's version number.</summary>
    public long ModelVersion { get; set; }

    /// <summary>The model's doc string.</summary>
    public string? DocString { get; set; }

    /// <summary>Model metadata, in order.</summary>
    public List<StringStringEntryProto> MetadataProps { get; } = new();

    /// <summary>Model-local functions, carried through as read.</summary>
    public List<FunctionProto> Functions { get; } = new();

    /// <summary>Training information, carried through as read.</summary>
    public List<TrainingInfoProto> TrainingInfo { get; } = new();

    /// <summary>Device configurations (IR 11), carried through as read.</summary>
    public List<DeviceConfigurationProto> Configurations { get; } = new();

    /// <summary>The imported opsets in order (domain empty for <c>ai.onnx</c>).</summary>
    public IReadOnlyList<(string Domain, long Version)> Opsets => opsets;

    /// <summary>The imported version of <paramref name="domain"/> (<c>""</c> and <c>ai.onnx</c> are the same), or 0.</summary>
    public long OpsetVersion(string domain = "")
    {
        var d = Normalize(domain);
        foreach (var (dom, version) in opsets)
        {
            if (Normalize(dom) == d)
            {
                return version;
            }
        }

        return 0;
    }

    /// <summary>Sets the imported version of <paramref name="domain"/>, keeping its place (or appending).</summary>
    public void SetOpset(string domain, long version)
    {
        var d = Normalize(domain);
        for (var i = 0; i < opsets.Count; i++)
        {
            if (Normalize(opsets[i].Domain) == d)
            {
                opsets[i] = (opsets[i].Domain, version);
                return;
            }
        }

        opsets.Add((domain, version));
    }

    /// <summary>Every node of every graph, depth first in graph order.</summary>
    public IEnumerable<Node> AllNodes() => Graph.SelfAndDescendants().SelectMany(g => g.Nodes);

    private static string Normalize(string domain) => domain == "ai.onnx" ? "" : domain;
}

/// <summary>The names a model uses: value names and node names, each unique; fresh names get a numeric suffix.</summary>
public sealed class NameScope
{
    private readonly Dictionary<string, int> valueNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> nodeNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> counters = new(StringComparer.Ordinal);

    /// <summary>Whether a value is named <paramref name="name"/>.</summary>
    public bool HasValue(string name) => valueNames.ContainsKey(name);

    /// <summary>A value name not yet used, made from <paramref name="hint"/>, and claims it.</summary>
    public string UniqueValueName(string hint) => Unique(valueNames, string.IsNullOrEmpty(hint) ? "v" : hint);

    /// <summary>A node name not yet used, made from <paramref name="hint"/>, and claims it.</summary>
    public string UniqueNodeName(string hint) => Unique(nodeNames, string.IsNullOrEmpty(hint) ? "n" : hint);

    internal void ClaimValueName(string name) => Claim(valueNames, name);

    internal void ReleaseValueName(string name) => Release(valueNames, name);

    internal void ClaimNodeName(string name) => Claim(nodeNames, name);

    internal void ReleaseNodeName(string name) => Release(nodeNames, name);

    private static void Claim(Dictionary<string, int> names, string name) =>
        names[name] = names.TryGetValue(name, out var n) ? n + 1 : 1;

    private static void Release(Dictionary<string, int> names, string name)
    {
        if (names.TryGetValue(name, out var n))
        {
            if (n <= 1)
            {
                names.Remove(name);
            }
            else
            {
                names[name] = n - 1;
            }
        }
    }

    private string Unique(Dictionary<string, int> names, string hint)
    {
        if (!names.ContainsKey(hint))
        {
            Claim(names, hint);
            return hint;
        }

        var key = (names == valueNames ? "v:" : "n:") + hint;
        counters.TryGetValue(key, out var k);
        string candidate;
        do
        {
            k++;
            candidate = $"{hint}__{k}";
        }
        while (names.ContainsKey(candidate));

        counters[key] = k;
        Claim(names, candidate);
        return candidate;
    }
}
