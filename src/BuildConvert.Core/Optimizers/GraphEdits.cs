using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Optimizers;

/// <summary>Edits the passes share: adding constants the model's IR version allows, keeping output names, subgraph-output facts.</summary>
internal static class GraphEdits
{
    /// <summary>Whether new constants may be initializers: IR 1-3 require every initializer to be a graph input too (so a caller could override it).</summary>
    public static bool AllowsInitializers(Model model) => model.IrVersion is 0 or >= 4;

    /// <summary>
    /// A new constant holding <paramref name="data"/>: an initializer, or under IR 1-3 a <c>Constant</c> node inserted
    /// before <paramref name="before"/> (at the end when null).
    /// </summary>
    public static Value AddConstant(Graph graph, string hint, TensorData data, Node? before, ref PassResult result)
    {
        if (AllowsInitializers(graph.Model))
        {
            result += new PassResult(InitializersAdded: 1);
            return graph.AddInitializer(hint, data);
        }

        var node = graph.AddNode("Constant", Array.Empty<Value>(), 1, new[] { NodeAttribute.Of("value", data) },
            name: graph.UniqueNodeName(hint), before: before, outputNameHint: hint);
        var value = node.Outputs[0]!;
        value.Type = OnnxType.Tensor(data.ElementType, data.Dims.Select(Dim.Of).ToArray());
        result += new PassResult(NodesAdded: 1);
        return value;
    }

    /// <summary>A value name free in the model now (not claimed).</summary>
    public static string FreeName(Model model, string hint)
    {
        var name = model.Names.UniqueValueName(hint);
        model.Names.ReleaseValueName(name);
        return name;
    }

    /// <summary>Exchanges the names of two values of the same model.</summary>
    public static void SwapNames(Value a, Value b)
    {
        var graph = a.Owner;
        var nameA = a.Name;
        var nameB = b.Name;
        graph.Rename(a, FreeName(graph.Model, nameA + "_swap"));
        graph.Rename(b, nameA);
        graph.Rename(a, nameB);
    }

    /// <summary>Values listed as outputs of a graph other than the one defining them (a body returning an outer value).</summary>
    public static HashSet<Value> ForeignOutputs(Model model)
    {
        var set = new HashSet<Value>(ReferenceEqualityComparer.Instance);
        foreach (var g in model.Graph.SelfAndDescendants())
        {
            foreach (var o in g.Outputs)
            {
                if (o.Owner != g)
                {
                    set.Add(o);
                }
            }
        }

        return set;
    }

    /// <summary>Whether <paramref name="value"/> is an output of its own graph or of any graph.</summary>
    public static bool IsAnyOutput(Value value, HashSet<Value> foreignOutputs) => value.IsGraphOutput || foreignOutputs.Contains(value);

    /// <summary>
    /// Makes every reader of <paramref name="old"/> read <paramref name="replacement"/> and, when <paramref name="old"/> is
    /// an output of its graph, lets <paramref name="replacement"/> take its place and name (the caller removes the
    /// producer of <paramref name="old"/> first or right after). Returns false, changing nothing, when names could not
    /// be kept: <paramref name="replacement"/> is itself a graph input or output, lies in another graph, or
    /// <paramref name="old"/> is a subgraph's output from outside it.
    /// </summary>
    public static bool CanReplace(Value old, Value replacement, HashSet<Value> foreignOutputs)
    {
        if (foreignOutputs.Contains(old))
        {
            return false;
        }

        if (!old.IsGraphOutput)
        {
            return true;
        }

        return replacement.Owner == old.Owner && !replacement.IsGraphInput && !IsAnyOutput(replacement, foreignOutputs) && replacement.Producer is not null;
    }

    /// <summary>
    /// Removes <paramref name="producer"/> after rewiring its output <paramref name="old"/> to <paramref name="replacement"/>
    /// (checked with <see cref="CanReplace"/>); a graph output keeps its name, now on <paramref name="replacement"/>.
    /// Other outputs of the producer must be unused.
    /// </summary>
    public static void ReplaceAndRemove(Node producer, Value old, Value replacement)
    {
        var graph = producer.Owner;
        var keepName = old.IsGraphOutput ? old.Name : null;
        var type = old.Type;
        graph.ReplaceAllUses(old, replacement, includeGraphOutputs: true);
        graph.RemoveNode(producer);
        if (keepName is not null)
        {
            graph.Rename(replacement, keepName);
            replacement.Type = type ?? replacement.Type;
        }
    }
}
