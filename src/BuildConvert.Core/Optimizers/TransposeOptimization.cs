using BuildConvert.Core.Evaluation;
using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Optimizers;

/// <summary>
/// Transpose push-through and cancellation. Consecutive Transposes compose (and vanish when the composition is the
/// identity); a Transpose whose only reader is an element-wise op (unary; or binary/variadic/Where when every other
/// input is a Transpose with the same permutation read only there, or a constant, which is permuted to match), a
/// Concat (axis remapped) or a reduction with known axes (axes remapped, keepdims honoured) moves past it, so
/// Transposes travel toward the outputs until they meet their inverse. This is what undoes the Transpose pairs a
/// layout change (NHWC to NCHW) wraps around every layout-bound op. Graph output names are kept.
/// </summary>
public sealed class TransposeOptimization : IGraphPass
{
    private const int MaxSweeps = 256;

    private static readonly HashSet<string> Unary = new(StringComparer.Ordinal)
    {
        "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Exp", "Log", "Abs", "Neg", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round",
        "Elu", "Selu", "Celu", "HardSigmoid", "HardSwish", "Softplus", "Softsign", "Erf", "Sign", "Not", "Cast", "Identity",
        "Clip", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "IsNaN", "IsInf",
        "ThresholdedRelu", "Mish", "Gelu",
    };

    private static readonly HashSet<string> Broadcasting = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Mod", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or",
        "Xor", "Where", "Max", "Min", "Sum", "Mean", "PRelu", "BitShift",
    };

    private static readonly HashSet<string> Reductions = new(StringComparer.Ordinal)
    {
        "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
        "ReduceLogSumExp", "ReduceSumSquare",
    };

    /// <inheritdoc/>
    public string Name => "transpose-optimization";

    /// <inheritdoc/>
    public PassResult Run(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = default(PassResult);
        foreach (var graph in model.Graph.SelfAndDescendants().ToArray())
        {
            for (var sweep = 0; sweep < MaxSweeps; sweep++)
            {
                var before = result;
                var foreign = GraphEdits.ForeignOutputs(model);
                foreach (var node in graph.Nodes.ToArray())
                {
                    if (graph.Nodes.Contains(node) && Perm(node) is { } perm)
                    {
                        Visit(node, perm, foreign, ref result);
                    }
                }

                if (result == before)
                {
                    break;
                }

                graph.SortTopologically();
            }
        }

        return result;
    }

    /// <summary>The permutation of an ai.onnx Transpose node, or null (not a Transpose, or rank unknown).</summary>
    private static long[]? Perm(Node node)
    {
        if (node.OpType != "Transpose" || !node.IsOnnxDomain || node.Input(0) is null || node.Output(0) is null)
        {
            return null;
        }

        if (node.GetInts("perm") is { } p)
        {
            return p.ToArray();
        }

        return node.Input(0)!.Type?.Rank is { } rank ? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray() : null;
    }

    private static bool IsIdentity(long[] perm) => perm.Select((p, i) => p == i).All(b => b);

    private static long[] Inverse(long[] perm)
    {
        var q = new long[perm.Length];
        for (var i = 0; i < perm.Length; i++)
        {
            q[perm[i]] = i;
        }

        return q;
    }

    private void Visit(Node t, long[] perm, HashSet<Value> foreign, ref PassResult result)
    {
        var graph = t.Owner;
        var x = t.Inputs[0]!;
        var y = t.Outputs[0]!;
        if (IsIdentity(perm))
        {
            if (GraphEdits.CanReplace(y, x, foreign))
            {
                GraphEdits.ReplaceAndRemove(t, y, x);
                result += new PassResult(NodesRemoved: 1);
            }

            return;
        }

        // Transpose(Transpose(x, p1), p2) = Transpose(x, p1[p2[j]]).
        foreach (var use in y.Uses.ToArray())
        {
            if (use.Node.Owner == graph && use.Index == 0 && Perm(use.Node) is { } p2 && p2.Length == perm.Length)
            {
                use.Node.SetInput(0, x);
                use.Node.SetAttribute(NodeAttribute.Of("perm", p2.Select(j => perm[j]).ToArray()));
                result += new PassResult(Rewrites: 1);
            }
        }

        if (y.Uses.Count == 0)
        {
            if (!GraphEdits.IsAnyOutput(y, foreign))
            {
                graph.RemoveNode(t);
                result += new PassResult(NodesRemoved: 1);
            }

            return;
        }

        if (y.Uses.Count == 1 && !GraphEdits.IsAnyOutput(y, foreign) && y.Uses[0].Node.Owner == graph)
        {
            TryPush(t, perm, y.Uses[0], foreign, ref result);
        }
    }

    private static void TryPush(Node t, long[] perm, Use use, HashSet<Value> foreign, ref PassResult result)
    {
        var op = use.Node;
        var graph = t.Owner;
        var opset = graph.Opset();
        if (!op.IsOnnxDomain || op.Outputs.Count != 1 || op.Outputs[0] is not { } output || foreign.Contains(output) || op.Subgraphs.Any())
        {
            return;
        }

        var rank = perm.Length;
        var inverse = Inverse(perm);
        var outPerm = perm;
        var newInputs = new Dictionary<int, Value>();
        var newConstants = new Dictionary<int, (string Hint, TensorData Data)>();
        var bypassed = new List<Node>();
        NodeAttribute? newAttribute = null;
        if (Unary.Contains(op.OpType))
        {
            if (use.Index != 0 || op.Inputs.Skip(1).Any(i => i is not null && i.Type?.Rank is not 0))
            {
                return;
            }
        }
        else if (Broadcasting.Contains(op.OpType) || op.OpType == "Concat")
        {
            var isConcat = op.OpType == "Concat";
            if (opset < (op.OpType is "Max" or "Min" or "Sum" or "Mean" ? 8 : 7) || (op.OpType == "PRelu" && use.Index != 0))
            {
                return;
            }

            for (var j = 0; j < op.Inputs.Count; j++)
            {
                if (op.Inputs[j] is not { } input)
                {
                    return;
                }

                if (j == use.Index || input == t.Outputs[0])
                {
                    continue;
                }

                if (input.Producer is { } other && Perm(other) is { } otherPerm && otherPerm.SequenceEqual(perm) &&
                    input.Uses.All(u => u.Node == op) && !GraphEdits.IsAnyOutput(input, foreign))
                {
                    newInputs[j] = other.Inputs[0]!;
                    bypassed.Add(other);
                }
                else if (input.ConstantValue is { } constant && Permuted(constant, rank, inverse, isConcat) is { } permuted)
                {
                    newConstants[j] = (input.Name + "_transposed", permuted);
                }
                else
                {
                    return;
                }
            }

            if (isConcat)
            {
                if (!TryAxis(op.GetInt("axis", long.MinValue), rank, out var axis))
                {
                    return;
                }

                newAttribute = NodeAttribute.Of("axis", perm[axis]);
            }
        }
        else if (Reductions.Contains(op.OpType) && use.Index == 0)
        {
            if (!TryReduction(op, perm, out var axes, out outPerm, out var axesAsInput))
            {
                return;
            }

            if (axesAsInput)
            {
                newConstants[1] = (op.Name + "_axes", TensorData.FromInt64s(axes));
            }
            else
            {
                newAttribute = NodeAttribute.Of("axes", axes);
            }
        }
        else
        {
            return;
        }

        // Rewire: the op reads the untransposed inputs; a Transpose after it restores the layout its readers expect.
        foreach (var (j, (hint, data)) in newConstants)
        {
            newInputs[j] = GraphEdits.AddConstant(graph, hint, data, op, ref result);
        }

        op.SetInput(use.Index, t.Inputs[0]);
        foreach (var (j, v) in newInputs)
        {
            op.SetInput(j, v);
        }

        if (newAttribute is not null)
        {
            op.SetAttribute(newAttribute);
        }

        result += new PassResult(Rewrites: 1);
        foreach (var dead in bypassed.Append(t).Distinct())
        {
            if (dead.Outputs[0]!.Uses.Count == 0 && graph.Nodes.Contains(dead))
            {
                graph.RemoveNode(dead);
                result += new PassResult(NodesRemoved: 1);
            }
        }

        var readers = output.Uses.ToArray();
        var oldType = output.Type;
        if (IsIdentity(outPerm))
        {
            return;
        }

        var after = graph.AddNode("Transpose", new[] { output }, 1, new[] { NodeAttribute.Of("perm", outPerm) },
            name: graph.UniqueNodeName(t.Name.Length > 0 ? t.Name : "Transpose"), outputNameHint: output.Name + "_transposed");
        result += new PassResult(NodesAdded: 1);
        var restored = after.Outputs[0]!;
        foreach (var r in readers)
        {
            r.Node.SetInput(r.Index, restored);
        }

        if (output.IsGraphOutput)
        {
            for (var i = 0; i < graph.Outputs.Count; i++)
            {
                if (graph.Outputs[i] == output)
                {
                    graph.Outputs[i] = restored;
                }
            }

            GraphEdits.SwapNames(output, restored);
        }

        restored.Type = oldType;
        restored.HasValueInfo = output.HasValueInfo;
        output.Type = oldType is { IsTensor: true, Shape: { } shape } && shape.Count == outPerm.Length
            ? oldType.WithShape(Unpermute(shape, outPerm))
            : oldType?.WithShape(null);
    }

    /// <summary>The shape s' with Transpose(s', perm) = <paramref name="shape"/>.</summary>
    private static Dim[] Unpermute(IReadOnlyList<Dim> shape, long[] perm)
    {
        var result = new Dim[shape.Count];
        for (var i = 0; i < perm.Length; i++)
        {
            result[perm[i]] = shape[i];
        }

        return result;
    }

    /// <summary>A constant c' with Transpose(c', perm) broadcasting like <paramref name="c"/> did; null when its rank is too high.</summary>
    private static TensorData? Permuted(TensorData c, int rank, long[] inverse, bool exactRank)
    {
        if (c.Dims.Length > rank || (exactRank && c.Dims.Length != rank))
        {
            return null;
        }

        if (c.Dims.Length == 0)
        {
            return c;
        }

        var full = c.Dims.Length == rank ? c : ReferenceEvaluator.Reshaped(c, Enumerable.Repeat(1L, rank - c.Dims.Length).Concat(c.Dims).ToArray());
        return ReferenceEvaluator.TransposeData(full, inverse);
    }

    private static bool TryAxis(long axis, int rank, out int result)
    {
        result = (int)(axis < 0 ? axis + rank : axis);
        return axis >= -rank && axis < rank;
    }

    /// <summary>
    /// The reduction's axes in the untransposed input and the permutation its output then needs, for axes given as an
    /// attribute or a constant input.
    /// </summary>
    private static bool TryReduction(Node op, long[] perm, out long[] axes, out long[] outPerm, out bool axesAsInput)
    {
        var rank = perm.Length;
        axes = Array.Empty<long>();
        outPerm = perm;
        axesAsInput = false;
        IReadOnlyList<long>? given = op.GetInts("axes");
        if (given is null && op.Input(1) is { } axesInput)
        {
            if (axesInput.ConstantValue is not { } data)
            {
                return false;
            }

            given = data.ToInt64s();
            axesAsInput = true;
        }

        if (given is null || given.Count == 0)
        {
            return false;
        }

        var reduced = new bool[rank];
        foreach (var a in given)
        {
            if (!TryAxis(a, rank, out var ax) || reduced[ax])
            {
                return false;
            }

            reduced[ax] = true;
        }

        axes = Enumerable.Range(0, rank).Where(i => reduced[i]).Select(i => perm[i]).Order().ToArray();
        if (op.GetInt("keepdims", 1) != 0)
        {
            return true;
        }

        // Without keepdims the output keeps the unreduced axes, in the input's order.
        var keptSources = Enumerable.Range(0, rank).Where(i => !reduced[i]).Select(i => perm[i]).ToArray();
        var sorted = keptSources.Order().ToArray();
        outPerm = keptSources.Select(s => (long)Array.IndexOf(sorted, s)).ToArray();
        return true;
    }
}
