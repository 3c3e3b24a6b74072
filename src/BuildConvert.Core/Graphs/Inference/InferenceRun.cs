using BuildConvert.Core.Checking;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs.Inference;

/// <summary>The state of one inference run: known small values, fresh symbol names, and the result being collected.</summary>
internal sealed class InferenceRun
{
    private readonly Model model;
    private readonly InferenceRegistry registry;
    private readonly Dictionary<Value, KnownTensor> known = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> symbols = new(StringComparer.Ordinal);
    private readonly Dictionary<Value, OnnxType?> declaredInSubgraphs = new(ReferenceEqualityComparer.Instance);
    private int nextSymbol;

    public InferenceRun(Model model, ShapeInferenceOptions options)
    {
        this.model = model;
        Options = options;
        registry = options.Registry ?? InferenceRegistry.Default;
        foreach (var graph in model.Graph.SelfAndDescendants())
        {
            foreach (var value in graph.Values)
            {
                CollectSymbols(value.Type);
                if (graph.Parent is not null)
                {
                    declaredInSubgraphs[value] = value.Type;
                }
            }
        }
    }

    /// <summary>A point to return to with <see cref="ResetSubgraph"/>.</summary>
    public (int Conflicts, int Errors, int WithoutRule, int Visited) Mark() =>
        (Result.ConflictList.Count, Result.ErrorList.Count, Result.WithoutRuleList.Count, Result.NodesVisited);

    /// <summary>Undoes the inference of <paramref name="body"/> since <paramref name="mark"/>: types back to what was declared, findings dropped.</summary>
    public void ResetSubgraph(Graph body, (int Conflicts, int Errors, int WithoutRule, int Visited) mark)
    {
        foreach (var graph in body.SelfAndDescendants())
        {
            foreach (var value in graph.Values)
            {
                // An initializer's type is its data's, whenever the body was made (an incremental run may predate it).
                if (!value.IsInitializer)
                {
                    value.Type = declaredInSubgraphs.TryGetValue(value, out var t) ? t : null;
                }

                known.Remove(value);
            }
        }

        Result.ConflictList.RemoveRange(mark.Conflicts, Result.ConflictList.Count - mark.Conflicts);
        Result.ErrorList.RemoveRange(mark.Errors, Result.ErrorList.Count - mark.Errors);
        Result.WithoutRuleList.RemoveRange(mark.WithoutRule, Result.WithoutRuleList.Count - mark.WithoutRule);
        Result.NodesVisited = mark.Visited;
    }

    public ShapeInferenceOptions Options { get; }

    public ShapeInferenceResult Result { get; } = new();

    public Dim FreshSymbol()
    {
        string name;
        do
        {
            name = $"unk__{nextSymbol++}";
        }
        while (!symbols.Add(name));

        return Dim.Sym(name);
    }

    public KnownTensor? Known(Value value)
    {
        if (known.TryGetValue(value, out var k))
        {
            return k;
        }

        if (value.ConstantValue is { IsExternal: false } c && InferenceContext.IsIntegral(c.ElementType) && c.Dims.Length <= 1 &&
            c.ElementCount <= Options.MaxKnownValueElements)
        {
            k = new KnownTensor(c.ToInt64s().Select(Dim.Of).ToArray(), c.Dims.Length == 0);
            known[value] = k;
            return k;
        }

        return null;
    }

    public void InferGraph(Graph graph)
    {
        foreach (var node in TopologicalOrder(graph))
        {
            InferNode(node);
        }
    }

    public IReadOnlyList<OnnxType?>? InferSubgraph(Node parent, Graph body, IReadOnlyList<OnnxType?> inputTypes)
    {
        if (!Options.InferSubgraphs)
        {
            return null;
        }

        for (var i = 0; i < body.Inputs.Count && i < inputTypes.Count; i++)
        {
            var input = body.Inputs[i];
            if (inputTypes[i] is { } given)
            {
                input.Type = MergeInto(parent, input, given);
            }
        }

        InferGraph(body);
        return body.Outputs.Select(o => o.Type).ToArray();
    }

    public void InferNode(Node node)
    {
        var opset = OpsetOf(node.Domain);
        var rule = registry.Find(node.Domain, node.OpType, opset);
        if (rule is null)
        {
            Result.WithoutRuleList.Add(node);
            return;
        }

        Result.NodesVisited++;
        var context = new InferenceContext(this, node, opset);
        try
        {
            rule(context);
        }
        catch (InferenceFailure failure)
        {
            Result.ErrorList.Add(new InferenceError(node, failure.Message));
            return;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or OverflowException or IndexOutOfRangeException or DivideByZeroException)
        {
            Result.ErrorList.Add(new InferenceError(node, $"inference failed: {ex.Message}"));
            return;
        }

        for (var i = 0; i < node.Outputs.Count; i++)
        {
            if (node.Outputs[i] is not { } output)
            {
                continue;
            }

            if (context.Outputs[i] is { } inferred)
            {
                output.Type = MergeInto(node, output, inferred);
            }

            if (context.KnownOutputs[i] is { } values)
            {
                known[output] = values;
            }
        }
    }

    private OnnxType? MergeInto(Node node, Value value, OnnxType inferred)
    {
        var disagreements = new List<string>();
        var declared = value.Type;
        var merged = ShapeInference.Merge(declared, inferred, disagreements);
        if (disagreements.Count > 0 && declared is not null)
        {
            Result.ConflictList.Add(new InferenceConflict(node, value, declared, inferred, string.Join("; ", disagreements)));
        }

        CollectSymbols(merged);
        return merged;
    }

    private long OpsetOf(string domain)
    {
        var version = model.OpsetVersion(domain);
        if (version > 0)
        {
            return version;
        }

        return OperatorSchemaRegistry.NormalizeDomain(domain).Length == 0 ? OperatorSchemaRegistry.Default.MaxOpsetVersion("") ?? 28 : 1;
    }

    private void CollectSymbols(OnnxType? type)
    {
        for (var t = type; t is not null; t = t.Element)
        {
            if (t.Shape is { } shape)
            {
                foreach (var d in shape)
                {
                    if (d.Symbol is { } s)
                    {
                        symbols.Add(s);
                    }
                }
            }
        }
    }

    /// <summary>The graph's nodes in topological order without reordering the graph (as given when it has a cycle).</summary>
    private static IReadOnlyList<Node> TopologicalOrder(Graph graph) => graph.TopologicalOrder() ?? graph.Nodes.ToArray();
}
