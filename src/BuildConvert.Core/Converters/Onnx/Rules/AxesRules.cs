using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.Onnx.Rules;

/// <summary>
/// Attributes that became inputs (Reshape 5, Slice 10, TopK 10, Pad 11, Squeeze/Unsqueeze/Split/ReduceSum 13, the other
/// reductions 18, Tile 6), Split's num_outputs (18), Pad's axes (18) and wrap mode (19), Reshape's allowzero (14),
/// Concat's required axis (4), and the negative axes most axis-taking operators accept from 11.
/// </summary>
internal static class AxesRules
{
    internal static readonly string[] Reductions =
    {
        "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceProd", "ReduceSum", "ReduceSumSquare",
    };

    public static void Register(OpsetRuleTable t)
    {
        t.Adapter("Reshape", 5, "shape attribute became an input; consumed_inputs removed", UpgradeReshape5, DowngradeReshape5);
        t.Adapter("Reshape", 14, "allowzero attribute added", OpsetRuleTable.NoOp, DowngradeReshape14);
        t.Adapter("Squeeze", 13, "axes attribute became an input", c => c.IntsAttributeToInput("axes", 1), c => c.InputToIntsAttribute(1, "axes", "the axes"));
        t.Adapter("Unsqueeze", 13, "axes attribute became an input", c => c.IntsAttributeToInput("axes", 1), c => c.InputToIntsAttribute(1, "axes", "the axes"));
        t.Adapter("ReduceSum", 13, "axes attribute became an input; noop_with_empty_axes added", UpgradeReduceAxes, DowngradeReduceAxes);
        foreach (var op in Reductions.Where(r => r != "ReduceSum"))
        {
            t.Adapter(op, 18, "axes attribute became an input; noop_with_empty_axes added", UpgradeReduceAxes, DowngradeReduceAxes);
        }

        foreach (var op in Reductions)
        {
            t.Adapter(op, 11, "negative axes allowed", OpsetRuleTable.NoOp, c => NormalizeAxesAttribute(c, "axes"));
        }

        t.Adapter("Split", 2, "the optional split input removed (the attribute stays)", UpgradeSplit2, OpsetRuleTable.NoOp);
        t.Adapter("Split", 11, "negative axis allowed", OpsetRuleTable.NoOp, c => NormalizeAxisAttribute(c, "axis", 0));
        t.Adapter("Split", 13, "split attribute became an input", c => c.IntsAttributeToInput("split", 1), c => c.InputToIntsAttribute(1, "split", "the split sizes"));
        t.Adapter("Split", 18, "num_outputs attribute added (required when split is not given)", UpgradeSplit18, DowngradeSplit18);
        t.Adapter("Slice", 10, "starts/ends/axes attributes became inputs; steps input added", UpgradeSlice10, DowngradeSlice10);
        t.Adapter("Slice", 11, "negative axes allowed", OpsetRuleTable.NoOp, DowngradeSlice11);
        t.Adapter("Pad", 2, "attribute paddings renamed pads", c => Rename(c, "paddings", "pads"), c => Rename(c, "pads", "paddings"));
        t.Adapter("Pad", 11, "pads and value attributes became inputs", UpgradePad11, DowngradePad11);
        t.Adapter("Pad", 18, "axes input added", OpsetRuleTable.NoOp, DowngradePad18);
        t.Adapter("Pad", 19, "wrap mode added", OpsetRuleTable.NoOp, c => RequireNotString(c, "mode", "wrap", "Pad below opset 19 has no wrap mode"));
        t.Adapter("TopK", 10, "k attribute became an input", UpgradeTopK10, DowngradeTopK10);
        t.Adapter("TopK", 11, "largest and sorted attributes added; negative axis allowed", OpsetRuleTable.NoOp, DowngradeTopK11);
        t.Adapter("Tile", 6, "tiles/axis inputs replaced by one repeats input", UpgradeTile6, null,
            downImpossible: "Tile below opset 6 repeats along one axis only (not supported as a downgrade)");
        t.Adapter("Concat", 4, "axis became required (it defaulted to 1)", UpgradeConcat4, OpsetRuleTable.NoOp);

        t.Adapters(11, "negative axis allowed", OpsetRuleTable.NoOp, c => NormalizeAxisAttribute(c, "axis", 0), "Concat", "Compress", "OneHot");
        t.Adapter("ArgMax", 11, "negative axis allowed", OpsetRuleTable.NoOp, c => NormalizeAxisAttribute(c, "axis", 0));
        t.Adapter("ArgMin", 11, "negative axis allowed", OpsetRuleTable.NoOp, c => NormalizeAxisAttribute(c, "axis", 0));
        t.Adapter("Flatten", 11, "negative axis allowed", OpsetRuleTable.NoOp, c => NormalizeAxisAttribute(c, "axis", 1));
        t.Adapter("Gather", 11, "negative axis and indices allowed", OpsetRuleTable.NoOp, DowngradeGather11);
        t.Adapter("Squeeze", 11, "negative axes allowed", OpsetRuleTable.NoOp, c => NormalizeAxesAttribute(c, "axes"));
        t.Adapter("Unsqueeze", 11, "negative axes allowed (counted in the output's rank)", OpsetRuleTable.NoOp, DowngradeUnsqueeze11);
    }

    private static void Rename(OpsetStepContext c, string from, string to)
    {
        if (c.Node.RemoveAttribute(from) is { } a)
        {
            c.Node.SetAttribute(a with { Name = to });
        }
    }

    internal static void RequireNotString(OpsetStepContext c, string name, string value, string why)
    {
        if (c.Node.GetString(name, "") == value)
        {
            throw c.Impossible($"{name}='{value}': {why}");
        }
    }

    internal static void NormalizeAxisAttribute(OpsetStepContext c, string name, long fallback)
    {
        var axis = c.Node.GetInt(name, fallback);
        if (axis < 0)
        {
            var rank = c.RequireRank(c.Node.Input(0), $"{name}={axis} must be made non-negative below opset 11");
            c.Node.SetAttribute(NodeAttribute.Of(name, axis + rank));
        }
    }

    internal static void NormalizeAxesAttribute(OpsetStepContext c, string name)
    {
        if (c.Node.GetInts(name) is { } axes && axes.Any(a => a < 0))
        {
            var rank = c.RequireRank(c.Node.Input(0), $"negative {name} must be made non-negative below opset 11");
            c.Node.SetAttribute(NodeAttribute.Of(name, axes.Select(a => a < 0 ? a + rank : a)));
        }
    }

    private static void DowngradeUnsqueeze11(OpsetStepContext c)
    {
        if (c.Node.GetInts("axes") is { } axes && axes.Any(a => a < 0))
        {
            var rank = c.RequireRank(c.Node.Input(0), "negative axes must be made non-negative below opset 11") + axes.Count;
            c.Node.SetAttribute(NodeAttribute.Of("axes", axes.Select(a => a < 0 ? a + rank : a)));
        }
    }

    private static void DowngradeGather11(OpsetStepContext c)
    {
        NormalizeAxisAttribute(c, "axis", 0);
        if (c.Constant(1) is { } indices && indices.ToInt64s().Any(i => i < 0))
        {
            throw c.Impossible("Gather below opset 11 does not define negative indices, and the indices hold some");
        }

        if (c.Constant(1) is null)
        {
            c.Warn("Gather below opset 11 does not define negative indices; the run-time indices must not be negative");
        }
    }

    private static void UpgradeReshape5(OpsetStepContext c)
    {
        c.Node.RemoveAttribute("consumed_inputs");
        var shape = c.Node.RemoveAttribute("shape") ?? throw c.Impossible("Reshape-1 has no shape attribute");
        c.Node.SetInput(1, c.Builder.Int64s(shape.Ints));
    }

    private static void DowngradeReshape5(OpsetStepContext c) => c.InputToIntsAttribute(1, "shape", "the shape");

    private static void DowngradeReshape14(OpsetStepContext c)
    {
        if (c.Node.RemoveAttribute("allowzero") is { Int: not 0 })
        {
            var shape = c.ConstantInts(1, "the shape (with allowzero=1)")!;
            if (shape.Contains(0))
            {
                throw c.Impossible("allowzero=1 with a zero in the shape keeps an empty dimension, and Reshape below opset 14 copies the input's dimension instead");
            }
        }
    }

    private static void UpgradeReduceAxes(OpsetStepContext c)
    {
        if (c.Node.RemoveAttribute("axes") is { } axes && axes.Ints.Count > 0)
        {
            c.Node.SetInput(1, c.Builder.Int64s(axes.Ints));
        }
    }

    private static void DowngradeReduceAxes(OpsetStepContext c)
    {
        var noop = c.Node.RemoveAttribute("noop_with_empty_axes")?.Int ?? 0;
        var axes = c.ConstantInts(1, "the axes");
        c.DropInputsFrom(1);
        if (axes is { Length: > 0 })
        {
            c.Node.SetAttribute(NodeAttribute.Of("axes", axes));
        }
        else if (noop != 0)
        {
            // Reducing over no axis is the identity.
            c.Node.OpType = "Identity";
            c.Node.RemoveAttribute("keepdims");
        }
    }

    private static void UpgradeSplit2(OpsetStepContext c)
    {
        if (c.Node.Input(1) is not null)
        {
            var sizes = c.ConstantInts(1, "the split sizes")!;
            c.DropInputsFrom(1);
            c.Node.SetAttribute(NodeAttribute.Of("split", sizes));
        }
    }

    private static void UpgradeSplit18(OpsetStepContext c)
    {
        if (c.Node.Input(1) is null)
        {
            c.Node.SetAttribute(NodeAttribute.Of("num_outputs", (long)c.Node.Outputs.Count));
        }
    }

    private static void DowngradeSplit18(OpsetStepContext c)
    {
        if (c.Node.RemoveAttribute("num_outputs") is not { } n)
        {
            return;
        }

        // An uneven split makes the last chunk smaller from 18; before, the parts had to be equal.
        var shape = c.Shape(c.Node.Input(0));
        var axis = c.Node.GetInt("axis", 0);
        if (shape is not null && shape[(int)OpsetStepContext.NormalizeAxis(axis, shape.Count)].Value is { } size)
        {
            if (size % n.Int != 0)
            {
                var chunk = (size + n.Int - 1) / n.Int;
                var sizes = Enumerable.Range(0, (int)n.Int).Select(i => Math.Max(0, Math.Min(chunk, size - (i * chunk)))).ToArray();
                c.Node.SetInput(1, c.Builder.Int64s(sizes));
            }

            return;
        }

        c.Warn("num_outputs removed: the split axis must divide evenly below opset 18");
    }

    private static void UpgradeSlice10(OpsetStepContext c)
    {
        var starts = c.Node.RemoveAttribute("starts") ?? throw c.Impossible("Slice-1 has no starts attribute");
        var ends = c.Node.RemoveAttribute("ends") ?? throw c.Impossible("Slice-1 has no ends attribute");
        var axes = c.Node.RemoveAttribute("axes");
        c.Node.SetInput(1, c.Builder.Int64s(starts.Ints));
        c.Node.SetInput(2, c.Builder.Int64s(ends.Ints));
        if (axes is not null)
        {
            c.Node.SetInput(3, c.Builder.Int64s(axes.Ints));
        }
    }

    private static void DowngradeSlice10(OpsetStepContext c)
    {
        var starts = c.ConstantInts(1, "the starts")!;
        var ends = c.ConstantInts(2, "the ends")!;
        var axes = c.ConstantInts(3, "the axes");
        var steps = c.ConstantInts(4, "the steps");
        if (steps is not null && steps.Any(s => s != 1))
        {
            throw c.Impossible("Slice below opset 10 has no steps, and a step other than 1 is used");
        }

        c.DropInputsFrom(1);
        c.Node.SetAttribute(NodeAttribute.Of("starts", starts));
        c.Node.SetAttribute(NodeAttribute.Of("ends", ends));
        if (axes is not null)
        {
            c.Node.SetAttribute(NodeAttribute.Of("axes", axes));
        }
    }

    private static void DowngradeSlice11(OpsetStepContext c)
    {
        if (c.Constant(3) is { } axes && axes.ToInt64s() is var values && values.Any(a => a < 0))
        {
            var rank = c.RequireRank(c.Node.Input(0), "negative axes must be made non-negative below opset 11");
            c.Node.SetInput(3, c.Builder.Int64s(values.Select(a => a < 0 ? a + rank : a).ToArray()));
        }
        else if (c.Node.Input(3) is not null && c.Constant(3) is null)
        {
            throw c.Impossible("Slice below opset 11 does not accept negative axes, and the axes are computed at run time");
        }
    }

    private static void UpgradePad11(OpsetStepContext c)
    {
        var pads = c.Node.RemoveAttribute("pads") ?? throw c.Impossible("Pad-2 has no pads attribute");
        var value = c.Node.RemoveAttribute("value")?.Float ?? 0f;
        c.Node.SetInput(1, c.Builder.Int64s(pads.Ints));
        if (value != 0 && c.Node.GetString("mode", "constant") == "constant")
        {
            var type = c.RequireElementType(c.Node.Input(0), "the padding value becomes a tensor of that type");
            c.Node.SetInput(2, c.Builder.Scalar(type, value));
        }
    }

    private static void DowngradePad11(OpsetStepContext c)
    {
        var pads = c.ConstantInts(1, "the pads")!;
        var value = 0f;
        if (c.Node.Input(2) is { } v)
        {
            var constant = v.ConstantValue ?? throw c.Impossible("the padding value must be a constant below opset 11, and it is computed at run time");
            if (constant.ElementCount > 0)
            {
                value = (float)constant.ToDoubles()[0];
            }
        }

        c.DropInputsFrom(1);
        c.Node.SetAttribute(NodeAttribute.Of("pads", pads));
        c.Node.SetAttribute(NodeAttribute.Of("value", value));
    }

    private static void DowngradePad18(OpsetStepContext c)
    {
        if (c.Node.Input(3) is null)
        {
            return;
        }

        var axes = c.ConstantInts(3, "the axes")!;
        var pads = c.ConstantInts(1, "the pads (with axes)")!;
        var rank = c.RequireRank(c.Node.Input(0), "pads for the given axes must be spread over every axis below opset 18");
        var full = new long[2 * rank];
        for (var i = 0; i < axes.Length; i++)
        {
            var axis = OpsetStepContext.NormalizeAxis(axes[i], rank);
            full[axis] = pads[i];
            full[axis + rank] = pads[i + axes.Length];
        }

        c.DropInputsFrom(3);
        c.Node.SetInput(1, c.Builder.Int64s(full));
    }

    private static void UpgradeTopK10(OpsetStepContext c)
    {
        var k = c.Node.RemoveAttribute("k") ?? throw c.Impossible("TopK-1 has no k attribute");
        c.Node.SetInput(1, c.Builder.Int64s(k.Int));
    }

    private static void DowngradeTopK10(OpsetStepContext c)
    {
        var k = c.ConstantInts(1, "k")!;
        c.DropInputsFrom(1);
        c.Node.SetAttribute(NodeAttribute.Of("k", k[0]));
    }

    private static void DowngradeTopK11(OpsetStepContext c)
    {
        c.RequireIntAttribute("largest", 1, "asks for the smallest values, which TopK below opset 11 cannot");
        c.RequireIntAttribute("sorted", 1, "asks for unsorted results; TopK below opset 11 always sorts");
        NormalizeAxisAttribute(c, "axis", -1);
    }

    private static void UpgradeTile6(OpsetStepContext c)
    {
        var tiles = c.ConstantInts(1, "tiles")!;
        var axis = c.ConstantInts(2, "axis")!;
        var rank = c.RequireRank(c.Node.Input(0), "Tile-6 needs one repeat count per axis");
        var repeats = Enumerable.Repeat(1L, rank).ToArray();
        repeats[OpsetStepContext.NormalizeAxis(axis[0], rank)] = tiles[0];
        c.DropInputsFrom(1);
        c.Node.SetInput(1, c.Builder.Int64s(repeats));
    }

    private static void UpgradeConcat4(OpsetStepContext c)
    {
        if (!c.Node.HasAttribute("axis"))
        {
            c.Node.SetAttribute(NodeAttribute.Of("axis", 1L));
        }
    }

}
