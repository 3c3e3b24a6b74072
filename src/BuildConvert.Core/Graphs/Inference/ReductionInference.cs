using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs.Inference;

/// <summary>
/// Reductions: Reduce* (axes as an attribute, as an input from ReduceSum-13 and the others' 18; keepdims;
/// noop_with_empty_axes) and ArgMax/ArgMin (int64 indices).
/// </summary>
internal static class ReductionInference
{
    private static readonly string[] Reductions =
    {
        "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
        "ReduceLogSumExp", "ReduceSumSquare",
    };

    public static void Register(InferenceRegistry.Builder r)
    {
        foreach (var op in Reductions)
        {
            r.Add(op, 1, c => Reduce(c, axesAsInput: false));
            r.Add(op, op == "ReduceSum" ? 13 : 18, c => Reduce(c, axesAsInput: true));
        }

        r.AddAll(new[] { "ArgMax", "ArgMin" }, ArgReduce);
    }

    private static void Reduce(InferenceContext c, bool axesAsInput)
    {
        var input = c.InputShape(0);
        var elem = c.InputElementType(0);
        var keep = c.Node.GetInt("keepdims", 1) != 0;
        long[]? axes;
        if (axesAsInput && c.HasInput(1))
        {
            axes = c.InputInts(1);
            if (axes is null)
            {
                c.SetOutput(0, elem, keep && input is not null ? input.Select(_ => Dim.Unknown).ToArray() : null);
                return;
            }
        }
        else
        {
            axes = axesAsInput ? null : c.Node.GetInts("axes")?.ToArray();
        }

        if (input is null)
        {
            c.SetOutput(0, elem, null);
            return;
        }

        if (axes is null || axes.Length == 0)
        {
            if (axesAsInput && c.Node.GetInt("noop_with_empty_axes", 0) != 0)
            {
                c.SetOutput(0, elem, input.Select(ShapeMath.Plain).ToArray());
                return;
            }

            axes = Enumerable.Range(0, input.Count).Select(i => (long)i).ToArray();
        }

        var set = Rules.Axes(c, axes, Math.Max(1, input.Count)).ToHashSet();
        var result = new List<Dim>();
        for (var i = 0; i < input.Count; i++)
        {
            if (!set.Contains(i))
            {
                result.Add(ShapeMath.Plain(input[i]));
            }
            else if (keep)
            {
                result.Add(Dim.Of(1));
            }
        }

        c.SetOutput(0, elem, result);
    }

    private static void ArgReduce(InferenceContext c)
    {
        var input = c.InputShape(0);
        if (input is null)
        {
            c.SetOutput(0, DataType.Int64, null);
            return;
        }

        var axis = c.Axis(c.Node.GetInt("axis", 0), input.Count);
        var keep = c.Node.GetInt("keepdims", 1) != 0;
        var result = input.Select(ShapeMath.Plain).ToList();
        if (keep)
        {
            result[axis] = Dim.Of(1);
        }
        else
        {
            result.RemoveAt(axis);
        }

        c.SetOutput(0, DataType.Int64, result);
    }
}
