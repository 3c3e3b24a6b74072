using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.Onnx.Rules;

/// <summary>
/// BatchNormalization (consumed_inputs 6, is_test 7, spatial 9, training outputs 14, separate scale/mean types 15),
/// Dropout (is_test 7, boolean mask 10, ratio and training_mode inputs 12) and GroupNormalization (per-channel scale 21).
/// </summary>
internal static class NormalizationRules
{
    public static void Register(OpsetRuleTable t)
    {
        t.Adapter("BatchNormalization", 6, "attribute consumed_inputs removed", ElementwiseRules.DropConsumedInputs,
            c => c.Node.SetAttribute(NodeAttribute.Of("consumed_inputs", new long[] { 0, 0, 0, 1, 1 })));
        t.Adapter("BatchNormalization", 7, "attribute is_test removed (inference when only Y is read)", UpgradeBatchNorm7,
            c => c.Node.SetAttribute(NodeAttribute.Of("is_test", 1L)));
        t.Adapter("BatchNormalization", 9, "attribute spatial removed (always per channel)", UpgradeBatchNorm9, OpsetRuleTable.NoOp);
        t.Adapter("BatchNormalization", 14, "training_mode attribute; the training outputs changed", UpgradeBatchNorm14, DowngradeBatchNorm14);
        t.Adapter("BatchNormalization", 15, "scale/B and mean/var may have other element types than X", OpsetRuleTable.NoOp, DowngradeBatchNorm15);
        t.Adapter("Dropout", 7, "attribute is_test removed (Dropout is the identity at inference)", UpgradeDropout7,
            c => c.Node.SetAttribute(NodeAttribute.Of("is_test", 1L)));
        t.Adapter("Dropout", 10, "the mask output is boolean", c => RequireMaskUnused(c, "its element type changes to bool at opset 10"),
            c => RequireMaskUnused(c, "its element type is bool from opset 10 and the input's type before"));
        t.Adapter("Dropout", 12, "ratio attribute became an input; training_mode input and seed added", UpgradeDropout12, DowngradeDropout12);
        t.Adapter("GroupNormalization", 21, "scale and bias are per channel instead of per group", UpgradeGroupNorm21, DowngradeGroupNorm21);
    }

    private static void UpgradeBatchNorm7(OpsetStepContext c)
    {
        var isTest = c.Node.RemoveAttribute("is_test")?.Int ?? 0;
        if (isTest == 0 && Enumerable.Range(1, 4).Any(c.OutputUsed))
        {
            throw c.Impossible("is_test=0 with its running statistics read is training, which BatchNormalization from opset 7 expresses differently");
        }

        if (isTest == 0)
        {
            c.Warn("is_test=0 dropped: from opset 7 BatchNormalization normalizes with the given mean and variance (inference)");
        }

        for (var i = 4; i >= 1; i--)
        {
            c.DropUnusedOutput(i, "training outputs are not converted");
        }
    }

    private static void UpgradeBatchNorm9(OpsetStepContext c)
    {
        if (c.Node.RemoveAttribute("spatial") is not { Int: 0 })
        {
            return;
        }

        // spatial=0: scale, B, mean and var have the shape of one sample (C x D1 x ...): y = (x - mean) / sqrt(var + eps) * scale + B.
        for (var i = 4; i >= 1; i--)
        {
            c.DropUnusedOutput(i, "training outputs are not converted");
        }

        var b = c.Builder;
        var n = c.Node;
        var type = c.RequireElementType(n.Input(0), "spatial=0 is rewritten as arithmetic on that type");
        var eps = b.Scalar(type, n.GetFloat("epsilon", 1e-5f));
        var normalized = b.Op("Div", b.Op("Sub", n.Input(0), n.Input(3)), b.Op("Sqrt", b.Op("Add", n.Input(4), eps)));
        var scaled = b.Op("Mul", normalized, n.Input(1));
        var bias = n.Input(2);
        n.OpType = "Add";
        foreach (var a in n.Attributes.ToArray())
        {
            n.RemoveAttribute(a.Name);
        }

        n.TruncateInputs(0);
        n.AddInput(scaled);
        n.AddInput(bias);
    }

    private static void UpgradeBatchNorm14(OpsetStepContext c)
    {
        for (var i = 4; i >= 1; i--)
        {
            c.DropUnusedOutput(i, "BatchNormalization's training outputs changed meaning at opset 14");
        }
    }

    private static void DowngradeBatchNorm14(OpsetStepContext c)
    {
        c.RequireIntAttribute("training_mode", 0, "is training, which BatchNormalization below opset 14 expresses differently");
        for (var i = 2; i >= 1; i--)
        {
            c.DropUnusedOutput(i, "running statistics are only produced in training mode");
        }
    }

    private static void DowngradeBatchNorm15(OpsetStepContext c)
    {
        var x = c.ElementType(c.Node.Input(0));
        var scale = c.ElementType(c.Node.Input(1));
        var bias = c.ElementType(c.Node.Input(2));
        var mean = c.ElementType(c.Node.Input(3));
        var variance = c.ElementType(c.Node.Input(4));
        if ((x is not null && scale is not null && x != scale) || (x is not null && bias is not null && x != bias) ||
            (mean is not null && variance is not null && mean != variance))
        {
            throw c.Impossible("below opset 15 scale and B must have X's element type and mean and var one type");
        }
    }

    private static void UpgradeDropout7(OpsetStepContext c)
    {
        if (c.Node.RemoveAttribute("is_test") is { Int: 0 })
        {
            c.Warn("is_test=0 dropped: from opset 7 Dropout is the identity at inference");
        }
    }

    private static void RequireMaskUnused(OpsetStepContext c, string why)
    {
        if (c.OutputUsed(1))
        {
            throw c.Impossible($"its mask output is read, and {why}");
        }
    }

    private static void UpgradeDropout12(OpsetStepContext c)
    {
        if (c.Node.RemoveAttribute("ratio") is { } ratio)
        {
            var type = c.ElementType(c.Node.Input(0)) is DataType.Double or DataType.Float16 ? c.ElementType(c.Node.Input(0))!.Value : DataType.Float;
            c.Node.SetInput(1, c.Builder.Scalar(type, ratio.Float));
        }
    }

    private static void DowngradeDropout12(OpsetStepContext c)
    {
        if (c.Node.Input(2) is { } training)
        {
            if (training.ConstantValue is not { } t || t.ToDoubles().Any(v => v != 0))
            {
                throw c.Impossible("training_mode is (or may be) true, and Dropout below opset 12 has no training switch");
            }
        }

        var ratio = c.Node.Input(1) is { } r
            ? (r.ConstantValue ?? throw c.Impossible("the ratio must be a constant below opset 12, and it is computed at run time")).ToDoubles()[0]
            : 0.5;
        if (c.Node.RemoveAttribute("seed") is not null)
        {
            c.Warn("seed dropped (Dropout below opset 12 has none; it only matters in training)");
        }

        c.DropInputsFrom(1);
        c.Node.SetAttribute(NodeAttribute.Of("ratio", (float)ratio));
    }

    private static void UpgradeGroupNorm21(OpsetStepContext c)
    {
        var groups = c.Node.GetInt("num_groups", 0);
        var shape = c.Shape(c.Node.Input(0));
        if (groups <= 0 || shape is not { Count: >= 2 } || shape[1].Value is not { } channels || channels % groups != 0)
        {
            throw c.Impossible("the per-group scale and bias must be spread over the channels, and the channel count is unknown");
        }

        for (var i = 1; i <= 2; i++)
        {
            // [G] -> [G, 1] -> [G, C/G] -> [C]: each group's value repeated for its channels.
            var v = c.Node.Input(i)!;
            var b = c.Builder;
            var repeated = b.Op("Expand", b.Unsqueeze(v, new long[] { 1 }), b.Int64s(groups, channels / groups));
            c.Node.SetInput(i, b.Reshape(repeated, new long[] { channels }));
        }
    }

    private static void DowngradeGroupNorm21(OpsetStepContext c)
    {
        var groups = c.Node.GetInt("num_groups", 0);
        for (var i = 1; i <= 2; i++)
        {
            var data = c.Constant(i) ?? throw c.Impossible("a per-channel scale or bias must be a constant to become per group below opset 21");
            var values = data.ToDoubles();
            if (groups <= 0 || values.Length % groups != 0)
            {
                throw c.Impossible("the channel count is not a multiple of num_groups");
            }

            var per = values.Length / (int)groups;
            var grouped = new double[groups];
            for (var g = 0; g < groups; g++)
            {
                grouped[g] = values[g * per];
                if (values.Skip(g * per).Take(per).Any(x => x != grouped[g]))
                {
                    throw c.Impossible("the per-channel scale or bias differs within a group, which GroupNormalization below opset 21 cannot express");
                }
            }

            var type = data.ElementType;
            var result = TensorData.FromDoubles(grouped);
            c.Node.SetInput(i, type == DataType.Double ? c.Builder.Const(result) : c.Builder.Op("Cast", new Value?[] { c.Builder.Const(result) }, NodeAttribute.Of("to", (long)type)));
        }
    }
}
