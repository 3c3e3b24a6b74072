using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Converters.Onnx.Rules;

/// <summary>
/// Upsample (scales attribute 7, scales input 9, replaced by Resize at 10) and Resize (roi, sizes and the coordinate
/// transformation attributes 11, optional roi/scales 13, antialias/axes/keep_aspect_ratio_policy 18, half_pixel_symmetric 19).
/// Upsample's and Resize-10's sampling is Resize-11's <c>asymmetric</c> transform with <c>floor</c> for nearest.
/// </summary>
internal static class ResizeRules
{
    public static void Register(OpsetRuleTable t)
    {
        t.Adapter("Upsample", 7, "height_scale/width_scale replaced by scales", UpgradeUpsample7, DowngradeUpsample7);
        t.Adapter("Upsample", 9, "scales attribute became an input", UpgradeUpsample9, DowngradeUpsample9);
        t.Adapter("Upsample", 10, "Upsample deprecated: replaced by Resize-10 (same inputs and sampling)", c => c.Node.OpType = "Resize", null,
            downImpossible: "Upsample-10 is deprecated (no node has it)");
        t.Adapter("Resize", 10, "Resize-10 replaced Upsample-9", null, DowngradeResizeToUpsample,
            upImpossible: "Resize starts at opset 10");
        t.Adapter("Resize", 11, "roi and sizes inputs; coordinate_transformation_mode, nearest_mode, cubic and extrapolation attributes", UpgradeResize11, DowngradeResize11);
        t.Adapter("Resize", 13, "roi and scales optional; tf_half_pixel_for_nn removed", UpgradeResize13, DowngradeResize13);
        t.Adapter("Resize", 18, "antialias, axes and keep_aspect_ratio_policy added", OpsetRuleTable.NoOp, DowngradeResize18);
        t.Adapter("Resize", 19, "half_pixel_symmetric coordinate transformation added", OpsetRuleTable.NoOp,
            c => AxesRules.RequireNotString(c, "coordinate_transformation_mode", "half_pixel_symmetric", "Resize below opset 19 has no such mode"));
    }

    private static void UpgradeUpsample7(OpsetStepContext c)
    {
        var h = c.Node.RemoveAttribute("height_scale")?.Float ?? throw c.Impossible("Upsample-1 has no height_scale");
        var w = c.Node.RemoveAttribute("width_scale")?.Float ?? throw c.Impossible("Upsample-1 has no width_scale");
        c.Node.SetAttribute(NodeAttribute.Of("scales", new[] { 1f, 1f, h, w }));
        if (c.Node.GetString("mode", "nearest") == "bilinear")
        {
            c.Node.SetAttribute(NodeAttribute.Of("mode", "linear"));
        }
    }

    private static void DowngradeUpsample7(OpsetStepContext c)
    {
        var scales = c.Node.RemoveAttribute("scales")?.Floats;
        if (scales is not { Count: 4 } || scales[0] != 1 || scales[1] != 1)
        {
            throw c.Impossible("Upsample below opset 7 scales only the last two axes of a 4-D input");
        }

        c.Node.SetAttribute(NodeAttribute.Of("height_scale", scales[2]));
        c.Node.SetAttribute(NodeAttribute.Of("width_scale", scales[3]));
        if (c.Node.GetString("mode", "nearest") == "linear")
        {
            c.Node.SetAttribute(NodeAttribute.Of("mode", "bilinear"));
        }
    }

    private static void UpgradeUpsample9(OpsetStepContext c)
    {
        var scales = c.Node.RemoveAttribute("scales")?.Floats ?? throw c.Impossible("Upsample-7 has no scales");
        c.Node.SetInput(1, c.Builder.Const(TensorData.FromFloats(scales.ToArray()), "scales"));
    }

    private static void DowngradeUpsample9(OpsetStepContext c)
    {
        var scales = c.Constant(1) ?? throw c.Impossible("the scales must be a constant below opset 9, and they are computed at run time");
        c.DropInputsFrom(1);
        c.Node.SetAttribute(NodeAttribute.Of("scales", scales.ToDoubles().Select(v => (float)v)));
    }

    private static void DowngradeResizeToUpsample(OpsetStepContext c)
    {
        if (c.Constant(1) is { } scales && scales.ToDoubles().Any(s => s < 1))
        {
            throw c.Impossible("Upsample (Resize's form below opset 10) cannot scale down");
        }

        c.Node.OpType = "Upsample";
    }

    private static void UpgradeResize11(OpsetStepContext c)
    {
        var scales = c.Node.Input(1);
        var roi = c.Builder.Const(TensorData.FromFloats(Array.Empty<float>()), "roi");
        c.Node.TruncateInputs(1);
        c.Node.AddInput(roi);
        c.Node.AddInput(scales);
        c.Node.SetAttribute(NodeAttribute.Of("coordinate_transformation_mode", "asymmetric"));
        if (c.Node.GetString("mode", "nearest") == "nearest")
        {
            c.Node.SetAttribute(NodeAttribute.Of("nearest_mode", "floor"));
        }
    }

    private static void DowngradeResize11(OpsetStepContext c)
    {
        var n = c.Node;
        var mode = n.GetString("mode", "nearest");
        if (mode is not ("nearest" or "linear"))
        {
            throw c.Impossible($"mode '{mode}': Resize below opset 11 only has nearest and linear");
        }

        if (n.GetString("coordinate_transformation_mode", "half_pixel") != "asymmetric")
        {
            throw c.Impossible($"coordinate_transformation_mode '{n.GetString("coordinate_transformation_mode", "half_pixel")}': Resize below opset 11 samples only as 'asymmetric'");
        }

        if (mode == "nearest" && n.GetString("nearest_mode", "round_prefer_floor") != "floor")
        {
            throw c.Impossible($"nearest_mode '{n.GetString("nearest_mode", "round_prefer_floor")}': Resize below opset 11 rounds down ('floor')");
        }

        if (n.Input(3) is not null)
        {
            throw c.Impossible("Resize below opset 11 takes scales, not sizes");
        }

        c.RequireIntAttribute("exclude_outside", 0, "is not available below opset 11");
        foreach (var name in new[] { "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a", "extrapolation_value" })
        {
            n.RemoveAttribute(name);
        }

        var scales = n.Input(2);
        n.TruncateInputs(1);
        n.AddInput(scales);
    }

    private static bool IsEmptyConstant(Value? v) => v?.ConstantValue is { ElementCount: 0 };

    private static void UpgradeResize13(OpsetStepContext c)
    {
        var n = c.Node;
        if (n.GetString("coordinate_transformation_mode", "half_pixel") == "tf_half_pixel_for_nn")
        {
            throw c.Impossible("coordinate_transformation_mode 'tf_half_pixel_for_nn' was removed at opset 13 and no other mode samples the same way");
        }

        if (IsEmptyConstant(n.Input(1)) || n.GetString("coordinate_transformation_mode", "half_pixel") != "tf_crop_and_resize")
        {
            n.SetInput(1, null);
        }

        if (n.Input(3) is not null && IsEmptyConstant(n.Input(2)))
        {
            n.SetInput(2, null);
        }
    }

    private static void DowngradeResize13(OpsetStepContext c)
    {
        var n = c.Node;
        if (n.Input(1) is null)
        {
            n.SetInput(1, c.Builder.Const(TensorData.FromFloats(Array.Empty<float>()), "roi"));
        }

        if (n.Input(2) is null)
        {
            n.SetInput(2, c.Builder.Const(TensorData.FromFloats(Array.Empty<float>()), "scales"));
        }
    }

    private static void DowngradeResize18(OpsetStepContext c)
    {
        var n = c.Node;
        c.RequireIntAttribute("antialias", 0, "filters when down-sampling, which Resize below opset 18 cannot");
        if (n.GetString("keep_aspect_ratio_policy", "stretch") != "stretch")
        {
            throw c.Impossible($"keep_aspect_ratio_policy '{n.GetString("keep_aspect_ratio_policy", "")}': Resize below opset 18 always stretches");
        }

        n.RemoveAttribute("keep_aspect_ratio_policy");
        if (n.RemoveAttribute("axes") is not { } axesAttribute)
        {
            return;
        }

        // Spread scales/sizes given for some axes over every axis.
        var rank = c.RequireRank(n.Input(0), "scales or sizes for some axes must be given for every axis below opset 18");
        var axes = axesAttribute.Ints.Select(a => (int)OpsetStepContext.NormalizeAxis(a, rank)).ToArray();
        if (n.Input(2) is { } s && !IsEmptyConstant(s))
        {
            var given = (c.Constant(2) ?? throw c.Impossible("the scales must be a constant to be spread over every axis")).ToDoubles();
            var full = Enumerable.Repeat(1f, rank).ToArray();
            for (var i = 0; i < axes.Length; i++)
            {
                full[axes[i]] = (float)given[i];
            }

            n.SetInput(2, c.Builder.Const(TensorData.FromFloats(full), "scales"));
        }
        else if (n.Input(3) is not null)
        {
            var given = c.ConstantInts(3, "the sizes")!;
            var shape = c.Shape(n.Input(0));
            var full = new long[rank];
            for (var d = 0; d < rank; d++)
            {
                var at = Array.IndexOf(axes, d);
                full[d] = at >= 0 ? given[at] : shape?[d].Value ?? throw c.Impossible($"dimension {d} of the input is unknown, and sizes must name every axis below opset 18");
            }

            n.SetInput(3, c.Builder.Int64s(full));
        }
    }
}
