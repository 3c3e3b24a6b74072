using BuildConvert.Core.Evaluation;
using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Optimizers;

/// <summary>
/// Constant folding: a node of a deterministic ai.onnx op whose inputs are all constants is evaluated with
/// <see cref="ReferenceEvaluator"/> and replaced by its results (initializers, or <c>Constant</c> nodes under IR 1-3,
/// whose initializers callers may override). <c>Shape</c> and <c>Size</c> of a value whose shape is fully known fold
/// too. <c>Constant</c> nodes become initializers where the IR version allows. A folded graph output keeps its name.
/// Ops with subgraphs, random ops and results that would make the model much larger (by default more than
/// 64 KiB and more than the constant inputs they come from: a <c>ConstantOfShape</c> standing for a big weight stays) are left alone.
/// </summary>
public sealed class ConstantFolding : IGraphPass
{
    /// <summary>A pass with the default limits.</summary>
    public ConstantFolding(EvaluationLimits? limits = null, long maxGrowthBytes = 64 * 1024)
    {
        Limits = limits ?? EvaluationLimits.Default;
        MaxGrowthBytes = maxGrowthBytes;
    }

    /// <inheritdoc/>
    public string Name => "constant-folding";

    /// <summary>The evaluator's limits.</summary>
    public EvaluationLimits Limits { get; }

    /// <summary>A result larger than its constant inputs is folded only up to this many bytes.</summary>
    public long MaxGrowthBytes { get; }

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
                if (node.Owner == graph && graph.Nodes.Contains(node))
                {
                    TryFold(node, foreign, ref result);
                }
            }

            graph.SortTopologically();
        }

        return result;
    }

    private void TryFold(Node node, HashSet<Value> foreign, ref PassResult result)
    {
        if (!node.IsOnnxDomain || node.Subgraphs.Any() || node.Outputs.Any(o => o is not null && foreign.Contains(o)))
        {
            return;
        }

        var graph = node.Owner;
        if (node.OpType == "Constant")
        {
            if (GraphEdits.AllowsInitializers(graph.Model) && node.Outputs.Count == 1 && node.Outputs[0] is { } output &&
                ReferenceEvaluator.TryEvaluate(node, Array.Empty<TensorData?>(), Limits, out var value) && value[0] is { } data)
            {
                var name = output.Name;
                var placeholder = graph.AddInitializer(name + "_folded", data);
                graph.ReplaceAllUses(output, placeholder);
                graph.RemoveNode(node);
                graph.Rename(placeholder, name);
                result += new PassResult(NodesRemoved: 1, InitializersAdded: 1);
            }

            return;
        }

        var inputs = new TensorData?[node.Inputs.Count];
        long inputBytes = 0;
        var known = true;
        for (var i = 0; i < node.Inputs.Count; i++)
        {
            if (node.Inputs[i] is not { } input)
            {
                continue;
            }

            if (input.ConstantValue is { } c)
            {
                inputs[i] = c;
                inputBytes += Math.Max(c.ByteCount, 0);
            }
            else
            {
                known = false;
            }
        }

        TensorData?[] outputs;
        if (known && node.Inputs.Count > 0)
        {
            if (!ReferenceEvaluator.TryEvaluate(node, inputs, Limits, out outputs))
            {
                return;
            }
        }
        else if (node.OpType is "Shape" or "Size" && StaticShape(node.Input(0)) is { } dims)
        {
            // Only the shape is read: a placeholder tensor of that shape (never allocated beyond its header) stands in.
            var stand = ShapeOnly(node, dims);
            if (stand is null)
            {
                return;
            }

            outputs = new[] { stand };
        }
        else
        {
            return;
        }

        long outputBytes = outputs.Sum(o => o is null ? 0 : Math.Max(o.ByteCount, 0));
        if (outputBytes > inputBytes && outputBytes > MaxGrowthBytes)
        {
            return;
        }

        var replacements = new List<(Value Old, TensorData Data)>();
        for (var i = 0; i < node.Outputs.Count; i++)
        {
            if (node.Outputs[i] is { } o && outputs[i] is { } d)
            {
                replacements.Add((o, d));
            }
        }

        var made = new List<(Value New, string? KeepName)>();
        foreach (var (old, data) in replacements)
        {
            var constant = GraphEdits.AddConstant(graph, old.Name + "_folded", data, node, ref result);
            made.Add((constant, old.IsGraphOutput ? old.Name : null));
            graph.ReplaceAllUses(old, constant);
        }

        graph.RemoveNode(node);
        result += new PassResult(NodesRemoved: 1);
        foreach (var (value, keep) in made)
        {
            if (keep is not null)
            {
                graph.Rename(value, keep);
            }
        }
    }

    private static long[]? StaticShape(Value? value)
    {
        if (value?.Type is not { IsTensor: true, Shape: { } shape } || shape.Any(d => !d.IsFixed))
        {
            return null;
        }

        return shape.Select(d => d.Value!.Value).ToArray();
    }

    private static TensorData? ShapeOnly(Node node, long[] dims)
    {
        if (node.OpType == "Size")
        {
            long count = 1;
            foreach (var d in dims)
            {
                count = checked(count * d);
            }

            return TensorData.FromInt64s(new[] { count }, Array.Empty<long>());
        }

        // Shape with start/end: evaluate on an empty tensor of the same rank, then put the real dims in.
        var rank = dims.Length;
        var start = Clamp(node.GetInt("start", 0), rank);
        var end = node.HasAttribute("end") ? Clamp(node.GetInt("end", rank), rank) : rank;
        return TensorData.FromInt64s(end > start ? dims[start..end] : Array.Empty<long>());

        static int Clamp(long v, int rank) => (int)Math.Clamp(v < 0 ? v + rank : v, 0, rank);
    }
}
