using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Optimizers;

/// <summary>
/// Identity removal: <c>Identity</c>, and <c>Dropout</c> in inference mode (opset 1-6 with is_test=1, opset 7-11,
/// from 12 without training_mode or with a constant false) whose mask nobody reads, are bypassed: readers read the
/// input directly. When the removed output is a graph output, the input takes over its name, so graph output names
/// never change; where that is impossible (the input is a graph input or another output, or lies in an enclosing
/// graph) the node stays.
/// </summary>
public sealed class IdentityElimination : IGraphPass
{
    /// <inheritdoc/>
    public string Name => "identity-elimination";

    /// <inheritdoc/>
    public PassResult Run(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = default(PassResult);
        var foreign = GraphEdits.ForeignOutputs(model);
        foreach (var graph in model.Graph.SelfAndDescendants().ToArray())
        {
            foreach (var node in graph.Nodes.ToArray())
            {
                if (!IsIdentity(node, foreign) || node.Input(0) is not { } input || node.Outputs[0] is not { } output)
                {
                    continue;
                }

                if (!GraphEdits.CanReplace(output, input, foreign))
                {
                    continue;
                }

                GraphEdits.ReplaceAndRemove(node, output, input);
                result += new PassResult(NodesRemoved: 1);
            }
        }

        return result;
    }

    /// <summary>Whether <paramref name="node"/> passes its first input through unchanged (and nothing reads its other outputs).</summary>
    internal static bool IsIdentity(Node node, HashSet<Value> foreign)
    {
        if (!node.IsOnnxDomain || node.Outputs.Count == 0)
        {
            return false;
        }

        switch (node.OpType)
        {
            case "Identity":
                return node.Outputs.Count == 1;
            case "Dropout":
                var opset = node.Owner.Opset();
                if (opset < 7 && node.GetInt("is_test", 0) == 0)
                {
                    return false;
                }

                if (node.Input(2) is { } training && (training.ConstantValue is not { } t || t.ToInt64s().Any(v => v != 0)))
                {
                    return false;
                }

                return node.Outputs.Skip(1).All(o => o is null || (o.Uses.Count == 0 && !GraphEdits.IsAnyOutput(o, foreign)));
            default:
                return false;
        }
    }
}
