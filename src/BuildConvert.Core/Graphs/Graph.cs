using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Graphs;

/// <summary>
/// A mutable ONNX graph: inputs, outputs, initializers, nodes in order, and nested subgraphs (If/Loop/Scan bodies)
/// that may read values of enclosing graphs. Names are unique across the whole <see cref="Model"/> (values and nodes
/// have separate name spaces); <see cref="NewValue"/> and <see cref="UniqueNodeName"/> make fresh ones. Node order
/// is kept as given; <see cref="SortTopologically"/> restores a valid order after rewrites. Not thread-safe.
/// </summary>
public sealed class Graph
{
    private readonly Dictionary<string, Value> values = new(StringComparer.Ordinal);
    private readonly List<Node> nodes = new();
    private readonly List<Value> valueInfoOrder = new();

    internal Graph(Model model, Graph? parent, string name)
    {
        Model = model;
        Parent = parent;
        Name = name;
    }

    /// <summary>The model the graph belongs to.</summary>
    public Model Model { get; }

    /// <summary>The enclosing graph of a subgraph; null for the main graph.</summary>
    public Graph? Parent { get; }

    /// <summary>The graph's name.</summary>
    public string Name { get; set; }

    /// <summary>The graph's doc string.</summary>
    public string? DocString { get; set; }

    /// <summary>The graph inputs in order (initializers that are also inputs included, as older IR versions allow).</summary>
    public List<Value> Inputs { get; } = new();

    /// <summary>The graph outputs in order (a value may appear more than once).</summary>
    public List<Value> Outputs { get; } = new();

    /// <summary>The initializers in order.</summary>
    public List<Value> Initializers { get; } = new();

    /// <summary>Sparse initializers, carried through as read.</summary>
    public List<SparseTensorProto> SparseInitializers { get; } = new();

    /// <summary>Quantization annotations, carried through as read.</summary>
    public List<TensorAnnotation> QuantizationAnnotations { get; } = new();

    /// <summary>Graph metadata, carried through as read.</summary>
    public List<StringStringEntryProto> MetadataProps { get; } = new();

    /// <summary>value_info entries naming values the graph does not define, carried through as read.</summary>
    public List<ValueInfoProto> UnmatchedValueInfo { get; } = new();

    /// <summary>The nodes in their current order.</summary>
    public IReadOnlyList<Node> Nodes => nodes;

    /// <summary>The values this graph defines (not those of enclosing graphs).</summary>
    public IEnumerable<Value> Values => values.Values;

    /// <summary>The opset version of <paramref name="domain"/> the model imports (0 when it imports none).</summary>
    public long Opset(string domain = "") => Model.OpsetVersion(domain);

    /// <summary>The value named <paramref name="name"/> here or in an enclosing graph, or null.</summary>
    public Value? Find(string name)
    {
        for (var g = this; g is not null; g = g.Parent)
        {
            if (g.values.TryGetValue(name, out var v))
            {
                return v;
            }
        }

        return null;
    }

    /// <summary>A new value with a unique name made from <paramref name="nameHint"/>; it has no producer yet.</summary>
    public Value NewValue(string nameHint, OnnxType? type = null)
    {
        var value = new Value(this, Model.Names.UniqueValueName(nameHint)) { Type = type };
        values.Add(value.Name, value);
        return value;
    }

    /// <summary>A new graph input of <paramref name="type"/> named exactly <paramref name="name"/> (which must be free).</summary>
    /// <exception cref="InvalidOperationException">The name is taken.</exception>
    public Value AddInput(string name, OnnxType? type)
    {
        var value = DefineExact(name);
        value.Type = type;
        Inputs.Add(value);
        return value;
    }

    /// <summary>A new initializer holding <paramref name="data"/>, named after <paramref name="nameHint"/> (made unique).</summary>
    public Value AddInitializer(string nameHint, TensorData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var value = NewValue(nameHint, OnnxType.Tensor(data.ElementType, data.Dims.Select(Dim.Of).ToArray()));
        value.Initializer = data;
        Initializers.Add(value);
        return value;
    }

    /// <summary>Makes <paramref name="value"/> (defined here) an initializer with <paramref name="data"/>, or changes its data.</summary>
    public void SetInitializer(Value value, TensorData data)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(data);
        if (value.Owner != this || value.Producer is not null)
        {
            throw new InvalidOperationException($"value '{value.Name}' is not a free value of this graph");
        }

        if (!value.IsInitializer)
        {
            Initializers.Add(value);
        }

        value.Initializer = data;
        value.Type = OnnxType.Tensor(data.ElementType, data.Dims.Select(Dim.Of).ToArray());
    }

    /// <summary>Removes an initializer that nothing reads any more.</summary>
    public void RemoveInitializer(Value value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Uses.Count > 0 || Outputs.Contains(value))
        {
            throw new InvalidOperationException($"initializer '{value.Name}' is still used");
        }

        Initializers.Remove(value);
        Inputs.Remove(value);
        value.Initializer = null;
        Forget(value);
    }

    /// <summary>
    /// Adds a node at the end (or before <paramref name="before"/>), reading <paramref name="inputs"/>, with
    /// <paramref name="outputCount"/> new outputs named after the node or op.
    /// </summary>
    public Node AddNode(string opType, IEnumerable<Value?> inputs, int outputCount = 1, IEnumerable<NodeAttribute>? attributes = null,
        string domain = "", string? name = null, Node? before = null, string? outputNameHint = null)
    {
        var node = CreateNode(opType, domain, name ?? Model.Names.UniqueNodeName(opType), before);
        foreach (var input in inputs)
        {
            node.AddInput(input);
        }

        var hint = outputNameHint ?? (node.Name.Length > 0 ? node.Name : opType);
        for (var i = 0; i < outputCount; i++)
        {
            node.AddOutput(outputCount == 1 ? hint : $"{hint}_{i}");
        }

        foreach (var a in attributes ?? Array.Empty<NodeAttribute>())
        {
            node.SetAttribute(a);
        }

        return node;
    }

    /// <summary>Removes <paramref name="node"/> with its subgraphs (their reads of outer values included); its outputs must
    /// no longer be read (rewire them first).</summary>
    /// <exception cref="InvalidOperationException">An output is still read or is a graph output.</exception>
    public void RemoveNode(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        foreach (var output in node.Outputs)
        {
            if (output is not null && (output.Uses.Count > 0 || Outputs.Contains(output)))
            {
                throw new InvalidOperationException($"{node.Describe()} cannot be removed: its output '{output.Name}' is still used");
            }
        }

        node.DetachAll();

        // Reads of outer values from inside the node's bodies go with it.
        foreach (var inner in node.Subgraphs.SelectMany(g => g.SelfAndDescendants()).SelectMany(g => g.Nodes))
        {
            inner.TruncateInputs(0);
        }

        foreach (var output in node.Outputs)
        {
            if (output is not null)
            {
                Forget(output);
            }
        }

        nodes.Remove(node);
        Model.Names.ReleaseNodeName(node.Name);
    }

    /// <summary>
    /// Makes every reader of <paramref name="old"/> (here and in subgraphs) read <paramref name="replacement"/>, and
    /// replaces it among this graph's outputs when <paramref name="includeGraphOutputs"/> is true.
    /// </summary>
    public void ReplaceAllUses(Value old, Value replacement, bool includeGraphOutputs = true)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(replacement);
        if (ReferenceEquals(old, replacement))
        {
            return;
        }

        foreach (var use in old.Uses.ToArray())
        {
            use.Node.SetInput(use.Index, replacement);
        }

        if (includeGraphOutputs)
        {
            var outputs = old.Owner.Outputs;
            for (var i = 0; i < outputs.Count; i++)
            {
                if (outputs[i] == old)
                {
                    outputs[i] = replacement;
                }
            }
        }
    }

    /// <summary>Renames <paramref name="value"/> to <paramref name="newName"/>, which must be free in the model.</summary>
    public void Rename(Value value, string newName)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Name == newName)
        {
            return;
        }

        if (!value.Owner.values.Remove(value.Name))
        {
            throw new InvalidOperationException($"value '{value.Name}' is not defined in its graph");
        }

        Model.Names.ReleaseValueName(value.Name);
        Model.Names.ClaimValueName(newName);
        value.Name = newName;
        value.Owner.values.Add(newName, value);
    }

    /// <summary>A unique node name made from <paramref name="hint"/>.</summary>
    public string UniqueNodeName(string hint) => Model.Names.UniqueNodeName(hint);

    /// <summary>
    /// Puts the nodes in a topological order, stable (a node keeps its place unless a value it reads is produced
    /// later). Reads inside subgraphs count as reads of the node holding them.
    /// </summary>
    /// <returns>False when the graph has a cycle (the order is then unchanged).</returns>
    public bool SortTopologically()
    {
        var order = TopologicalOrder();
        if (order is null)
        {
            return false;
        }

        nodes.Clear();
        nodes.AddRange(order);
        return true;
    }

    /// <summary>
    /// The nodes in a stable topological order, without changing the graph (the current order when it already is one);
    /// null when the graph has a cycle. Reads inside subgraphs count as reads of the node holding them.
    /// </summary>
    public IReadOnlyList<Node>? TopologicalOrder()
    {
        var index = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < nodes.Count; i++)
        {
            index[nodes[i]] = i;
        }

        var dependencies = nodes.Select(n => Dependencies(n).Where(index.ContainsKey).Distinct().ToArray()).ToArray();
        var sorted = true;
        for (var i = 0; i < nodes.Count && sorted; i++)
        {
            sorted = dependencies[i].All(d => index[d] < i);
        }

        if (sorted)
        {
            return nodes.ToArray();
        }

        var remaining = new int[nodes.Count];
        var dependents = new List<int>[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            dependents[i] = new List<int>();
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var d in dependencies[i])
            {
                var j = index[d];
                if (j == i)
                {
                    return null;
                }

                remaining[i]++;
                dependents[j].Add(i);
            }
        }

        var ready = new SortedSet<int>(Enumerable.Range(0, nodes.Count).Where(i => remaining[i] == 0));
        var order = new List<Node>(nodes.Count);
        while (ready.Count > 0)
        {
            var next = ready.Min;
            ready.Remove(next);
            order.Add(nodes[next]);
            foreach (var dependent in dependents[next])
            {
                if (--remaining[dependent] == 0)
                {
                    ready.Add(dependent);
                }
            }
        }

        return order.Count == nodes.Count ? order : null;
    }

    /// <summary>The nodes of this graph whose outputs <paramref name="node"/> reads, directly or from inside its subgraphs.</summary>
    public IEnumerable<Node> Dependencies(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        foreach (var input in node.Inputs)
        {
            if (input?.Producer is { } p && input.Owner == this)
            {
                yield return p;
            }
        }

        foreach (var sub in node.Subgraphs)
        {
            foreach (var outer in sub.OuterReads())
            {
                if (outer.Producer is { } p && outer.Owner == this)
                {
                    yield return p;
                }
            }
        }
    }

    /// <summary>The values read by nodes of this graph (or its subgraphs) that enclosing graphs define.</summary>
    public IEnumerable<Value> OuterReads()
    {
        foreach (var node in nodes)
        {
            foreach (var input in node.Inputs)
            {
                if (input is not null && !IsSelfOrDescendant(input.Owner))
                {
                    yield return input;
                }
            }

            foreach (var sub in node.Subgraphs)
            {
                foreach (var outer in sub.OuterReads())
                {
                    if (!IsSelfOrDescendant(outer.Owner))
                    {
                        yield return outer;
                    }
                }
            }
        }

        foreach (var output in Outputs)
        {
            if (!IsSelfOrDescendant(output.Owner))
            {
                yield return output;
            }
        }
    }

    /// <summary>Every graph nested in this one (depth first), not including this one.</summary>
    public IEnumerable<Graph> Descendants()
    {
        foreach (var node in nodes)
        {
            foreach (var sub in node.Subgraphs)
            {
                yield return sub;
                foreach (var d in sub.Descendants())
                {
                    yield return d;
                }
            }
        }
    }

    /// <summary>This graph and every graph nested in it.</summary>
    public IEnumerable<Graph> SelfAndDescendants() => new[] { this }.Concat(Descendants());

    /// <summary>Creates an empty subgraph of this graph (for an If branch or a Loop/Scan body).</summary>
    public Graph CreateSubgraph(string name) => new(Model, this, name);

    internal Node CreateNode(string opType, string domain, string name, Node? before)
    {
        var node = new Node(this, opType, domain, name);
        if (name.Length > 0)
        {
            Model.Names.ClaimNodeName(name);
        }

        if (before is null)
        {
            nodes.Add(node);
        }
        else
        {
            var at = nodes.IndexOf(before);
            if (at < 0)
            {
                throw new InvalidOperationException($"{before.Describe()} is not in this graph");
            }

            nodes.Insert(at, node);
        }

        return node;
    }

    internal Value DefineExact(string name)
    {
        if (values.ContainsKey(name))
        {
            throw new InvalidOperationException($"value '{name}' is already defined in graph '{Name}'");
        }

        Model.Names.ClaimValueName(name);
        var value = new Value(this, name);
        values.Add(name, value);
        return value;
    }

    /// <summary>Values whose value_info entries the source listed, in its order (the exporter keeps it).</summary>
    internal List<Value> ValueInfoOrder => valueInfoOrder;

    /// <summary>Whether <paramref name="value"/> is still defined by this graph.</summary>
    internal bool Defines(Value value) => values.TryGetValue(value.Name, out var v) && ReferenceEquals(v, value);

    internal Value? FindLocal(string name) => values.TryGetValue(name, out var v) ? v : null;

    internal void Forget(Value value)
    {
        if (value.Uses.Count == 0 && value.Producer is null && !value.IsInitializer && !Inputs.Contains(value) && !Outputs.Contains(value))
        {
            values.Remove(value.Name);
            Model.Names.ReleaseValueName(value.Name);
        }
    }

    private bool IsSelfOrDescendant(Graph graph)
    {
        for (var g = graph; g is not null; g = g.Parent)
        {
            if (g == this)
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => $"graph '{Name}' ({nodes.Count} nodes)";
}
