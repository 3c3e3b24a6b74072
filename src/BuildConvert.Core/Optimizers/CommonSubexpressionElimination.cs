using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Optimizers;

/// <summary>
/// Common-subexpression elimination. Constants (initializers that are not graph inputs, and <c>Constant</c> nodes) with
/// the same element type, shape and bytes are merged into the first of them, per graph; then nodes of the same
/// deterministic ai.onnx op with the same inputs and attributes (no subgraphs) are merged, their readers moved to the
/// first. Values that are graph outputs are never merged away.
/// </summary>
public sealed class CommonSubexpressionElimination : IGraphPass
{
    private static readonly HashSet<string> Nondeterministic = new(StringComparer.Ordinal)
    {
        "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial", "Bernoulli", "Dropout",
    };

    /// <summary>A pass that merges constants and, when <paramref name="mergeNodes"/> is true, identical nodes too.</summary>
    public CommonSubexpressionElimination(bool mergeNodes = true) => MergeNodes = mergeNodes;

    /// <summary>Whether identical nodes are merged too.</summary>
    public bool MergeNodes { get; }

    /// <inheritdoc/>
    public string Name => "common-subexpression-elimination";

    /// <inheritdoc/>
    public PassResult Run(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = default(PassResult);
        var foreign = GraphEdits.ForeignOutputs(model);
        foreach (var graph in model.Graph.SelfAndDescendants().ToArray())
        {
            MergeConstants(graph, foreign, ref result);
            if (MergeNodes)
            {
                MergeIdenticalNodes(graph, foreign, ref result);
            }

            graph.SortTopologically();
        }

        return result;
    }

    private static void MergeConstants(Graph graph, HashSet<Value> foreign, ref PassResult result)
    {
        var candidates = graph.Initializers.Where(v => !v.IsGraphInput)
            .Concat(graph.Nodes.Where(n => n.OpType == "Constant" && n.IsOnnxDomain).Select(n => n.Outputs[0]).OfType<Value>())
            .Where(v => v.ConstantValue is { IsExternal: false } && !(v.ConstantValue!.IsString))
            .ToArray();
        var buckets = new Dictionary<(int Type, string Dims, int Hash), List<Value>>();
        foreach (var value in candidates)
        {
            var data = value.ConstantValue!;
            var key = ((int)data.ElementType, string.Join(",", data.Dims), Hash(data.Bytes.Span));
            if (!buckets.TryGetValue(key, out var list))
            {
                buckets[key] = list = new List<Value>();
            }

            var keeper = list.FirstOrDefault(k => k.ConstantValue!.ContentEquals(data));
            if (keeper is null)
            {
                list.Add(value);
                continue;
            }

            if (GraphEdits.IsAnyOutput(value, foreign))
            {
                continue;
            }

            graph.ReplaceAllUses(value, keeper, includeGraphOutputs: false);
            if (value.Producer is { } constantNode)
            {
                graph.RemoveNode(constantNode);
                result += new PassResult(NodesRemoved: 1);
            }
            else
            {
                graph.RemoveInitializer(value);
                result += new PassResult(InitializersRemoved: 1);
            }
        }
    }

    private static void MergeIdenticalNodes(Graph graph, HashSet<Value> foreign, ref PassResult result)
    {
        var seen = new Dictionary<string, List<Node>>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes.ToArray())
        {
            if (!node.IsOnnxDomain || node.Subgraphs.Any() || Nondeterministic.Contains(node.OpType) || node.OpType == "Constant" ||
                node.Outputs.Count == 0 || node.Outputs.Any(o => o is null))
            {
                continue;
            }

            var key = node.OpType + "|" + string.Join("|", node.Inputs.Select(i => i?.Name ?? "")) + "|" + node.Outputs.Count;
            if (!seen.TryGetValue(key, out var list))
            {
                seen[key] = list = new List<Node>();
            }

            var twin = list.FirstOrDefault(n => SameAttributes(n, node));
            if (twin is null)
            {
                list.Add(node);
                continue;
            }

            if (node.Outputs.Any(o => GraphEdits.IsAnyOutput(o!, foreign)))
            {
                continue;
            }

            for (var i = 0; i < node.Outputs.Count; i++)
            {
                graph.ReplaceAllUses(node.Outputs[i]!, twin.Outputs[i]!, includeGraphOutputs: false);
            }

            graph.RemoveNode(node);
            result += new PassResult(NodesRemoved: 1);
        }
    }

    private static bool SameAttributes(Node a, Node b)
    {
        if (a.Attributes.Count != b.Attributes.Count)
        {
            return false;
        }

        foreach (var attribute in a.Attributes)
        {
            if (b.Attribute(attribute.Name) is not { } other || !attribute.SameAs(other) ||
                attribute.Type is AttributeProto.Types.AttributeType.Graph or AttributeProto.Types.AttributeType.Graphs)
            {
                return false;
            }
        }

        return true;
    }

    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes.Length > 4096 ? bytes[..4096] : bytes);
        hash.Add(bytes.Length);
        return hash.ToHashCode();
    }
}
