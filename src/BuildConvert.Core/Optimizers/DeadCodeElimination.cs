using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Optimizers;

/// <summary>
/// Dead-code elimination: removes ai.onnx (and ai.onnx.ml) nodes none of whose outputs is read or is an output of
/// any graph, innermost subgraphs first (a removed If/Loop/Scan takes its bodies with it), and initializers nothing
/// reads. Graph inputs are never removed, nor initializers that are also graph inputs (a caller may feed them), nor
/// nodes of other domains (their effects are unknown).
/// </summary>
public sealed class DeadCodeElimination : IGraphPass
{
    /// <inheritdoc/>
    public string Name => "dead-code-elimination";

    /// <inheritdoc/>
    public PassResult Run(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = default(PassResult);
        var foreign = GraphEdits.ForeignOutputs(model);
        var graphs = model.Graph.SelfAndDescendants().ToArray();
        foreach (var graph in graphs.AsEnumerable().Reverse())
        {
            if (!IsAttached(graph, model))
            {
                continue;
            }

            var nodes = graph.Nodes;
            for (var i = nodes.Count - 1; i >= 0; i--)
            {
                var node = nodes[i];
                if (!IsDead(node, foreign))
                {
                    continue;
                }

                foreach (var sub in node.Subgraphs)
                {
                    foreach (var inner in sub.SelfAndDescendants().SelectMany(g => g.Nodes))
                    {
                        inner.TruncateInputs(0);
                    }
                }

                graph.RemoveNode(node);
                result += new PassResult(NodesRemoved: 1);
            }

            foreach (var initializer in graph.Initializers.ToArray())
            {
                if (initializer.Uses.Count == 0 && !initializer.IsGraphInput && !GraphEdits.IsAnyOutput(initializer, foreign))
                {
                    graph.RemoveInitializer(initializer);
                    result += new PassResult(InitializersRemoved: 1);
                }
            }
        }

        return result;
    }

    private static bool IsDead(Node node, HashSet<Value> foreign)
    {
        if (!(node.IsOnnxDomain || node.Domain == "ai.onnx.ml"))
        {
            return false;
        }

        foreach (var output in node.Outputs)
        {
            if (output is not null && (output.Uses.Count > 0 || GraphEdits.IsAnyOutput(output, foreign)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAttached(Graph graph, Model model)
    {
        for (var g = graph; g is not null; g = g.Parent)
        {
            if (g == model.Graph)
            {
                return true;
            }

            if (g.Parent is { } parent && !parent.Nodes.Any(n => n.Subgraphs.Contains(g)))
            {
                return false;
            }
        }

        return false;
    }
}
