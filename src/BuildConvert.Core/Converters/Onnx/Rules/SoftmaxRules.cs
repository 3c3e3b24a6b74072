using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Converters.Onnx.Rules;

/// <summary>
/// Softmax, LogSoftmax and Hardmax: negative axis allowed at 11; at 13 the operator works along one axis (default -1)
/// instead of over the input flattened to 2-D at <c>axis</c> (default 1). The two agree only when the axis is the last;
/// otherwise an upgrade flattens, normalizes the last axis and reshapes back, and a downgrade transposes the axis last.
/// </summary>
internal static class SoftmaxRules
{
    public static void Register(OpsetRuleTable t)
    {
        foreach (var op in new[] { "Softmax", "LogSoftmax", "Hardmax" })
        {
            t.Adapter(op, 11, "negative axis allowed", OpsetRuleTable.NoOp, c => AxesRules.NormalizeAxisAttribute(c, "axis", 1));
            t.Adapter(op, 13, "works along one axis (default -1) instead of the input flattened to 2-D at axis (default 1)", Upgrade13, Downgrade13);
        }
    }

    private static void Upgrade13(OpsetStepContext c)
    {
        var n = c.Node;
        var x = n.Input(0)!;
        var axis = n.GetInt("axis", 1);
        var rank = c.Rank(x);
        if (axis == -1 || (rank is { } r && OpsetStepContext.NormalizeAxis(axis, r) == r - 1))
        {
            n.SetAttribute(NodeAttribute.Of("axis", -1L));
            return;
        }

        // Flatten to [prod(d < axis), prod(d >= axis)], normalize the last axis, and give back the input's shape.
        var b = c.Builder;
        var flat = b.Op("Flatten", new[] { x }, NodeAttribute.Of("axis", axis));
        var normalized = b.Op(n.OpType, new[] { flat }, NodeAttribute.Of("axis", -1L));
        var shape = b.Op("Shape", x);
        n.OpType = "Reshape";
        n.RemoveAttribute("axis");
        n.TruncateInputs(0);
        n.AddInput(normalized);
        n.AddInput(shape);
    }

    private static void Downgrade13(OpsetStepContext c)
    {
        var n = c.Node;
        var x = n.Input(0)!;
        var axis = n.GetInt("axis", -1);
        if (axis == -1)
        {
            n.SetAttribute(NodeAttribute.Of("axis", -1L));
            return;
        }

        var rank = c.RequireRank(x, $"axis {axis} must be moved last for the flattening {n.OpType} below opset 13");
        var a = OpsetStepContext.NormalizeAxis(axis, rank);
        if (a == rank - 1)
        {
            n.SetAttribute(NodeAttribute.Of("axis", -1L));
            return;
        }

        var perm = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        (perm[a], perm[rank - 1]) = (perm[rank - 1], perm[a]);
        var b = c.Builder;
        var moved = b.Op("Transpose", new[] { x }, NodeAttribute.Of("perm", perm));
        var normalized = b.Op(n.OpType, new[] { moved }, NodeAttribute.Of("axis", -1L));
        n.OpType = "Transpose";
        n.RemoveAttribute("axis");
        n.TruncateInputs(0);
        n.AddInput(normalized);
        n.SetAttribute(NodeAttribute.Of("perm", perm));
    }
}
