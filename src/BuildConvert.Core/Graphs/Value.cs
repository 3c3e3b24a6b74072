using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Graphs;

/// <summary>Where a value is read: input <see cref="Index"/> of <see cref="Node"/>.</summary>
public readonly record struct Use(Node Node, int Index);

/// <summary>
/// A named value of a graph (SSA: defined once): a graph input, an initializer, a node output, or, in a model that
/// refers to a name nothing defines, a dangling name kept so that the model still round-trips. Values belong to the
/// graph that defines them; nodes of nested subgraphs may read them (outer-scope references), and those reads are in
/// <see cref="Uses"/> too. Not thread-safe: a graph is edited by one pass at a time.
/// </summary>
public sealed class Value
{
    private readonly List<Use> uses = new();

    internal Value(Graph owner, string name)
    {
        Owner = owner;
        Name = name;
    }

    /// <summary>The value's name; unique in the model. Change it with <see cref="Graph.Rename"/>.</summary>
    public string Name { get; internal set; }

    /// <summary>The graph that defines the value.</summary>
    public Graph Owner { get; }

    /// <summary>The value's type when known (declared or inferred).</summary>
    public OnnxType? Type { get; set; }

    /// <summary>Whether the source model declared the value's type in value_info (the writer keeps such entries).</summary>
    public bool HasValueInfo { get; set; }

    /// <summary>The node that produces the value, or null for inputs, initializers and dangling names.</summary>
    public Node? Producer { get; internal set; }

    /// <summary>Which output of <see cref="Producer"/> this is.</summary>
    public int ProducerIndex { get; internal set; }

    /// <summary>The constant contents when the value is an initializer.</summary>
    public TensorData? Initializer { get; internal set; }

    /// <summary>The value_info doc string, if any.</summary>
    public string? DocString { get; set; }

    /// <summary>The value_info metadata, carried through as read.</summary>
    public IList<StringStringEntryProto> MetadataProps { get; } = new List<StringStringEntryProto>();

    /// <summary>Every place a node reads this value, in this graph and in nested subgraphs.</summary>
    public IReadOnlyList<Use> Uses => uses;

    /// <summary>Whether the value is an initializer.</summary>
    public bool IsInitializer => Initializer is not null;

    /// <summary>Whether the value is an input of its graph.</summary>
    public bool IsGraphInput => Owner.Inputs.Contains(this);

    /// <summary>Whether the value is an output of its graph.</summary>
    public bool IsGraphOutput => Owner.Outputs.Contains(this);

    /// <summary>
    /// The constant contents when the value is known before the graph runs: an initializer that is not also a graph
    /// input (a caller could override that), or the output of a <c>Constant</c> node with a <c>value</c> tensor.
    /// </summary>
    public TensorData? ConstantValue
    {
        get
        {
            if (Initializer is not null)
            {
                return IsGraphInput ? null : Initializer;
            }

            if (Producer is { OpType: "Constant" } p && p.Domain is "" or "ai.onnx" && p.Attribute("value") is { Tensor: { } t })
            {
                return t;
            }

            return null;
        }
    }

    internal void AddUse(Node node, int index) => uses.Add(new Use(node, index));

    internal void RemoveUse(Node node, int index)
    {
        var at = uses.IndexOf(new Use(node, index));
        if (at >= 0)
        {
            uses.RemoveAt(at);
        }
    }

    public override string ToString() => Type is null ? Name : $"{Name}: {Type}";
}
