using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Converters.Onnx.Rules;

/// <summary>
/// Pooling: attributes added with defaults that keep the older behaviour (AveragePool count_include_pad 7, ceil_mode 10,
/// dilations 19; MaxPool Indices/storage_order 8, ceil_mode/dilations 10; LpPool ceil_mode/dilations 18), so upgrades
/// are no-ops and downgrades need the defaults; LpPool/GlobalLpPool p became an int at 2.
/// </summary>
internal static class PoolingRules
{
    public static void Register(OpsetRuleTable t)
    {
        t.Adapter("AveragePool", 7, "count_include_pad added (default 0)", OpsetRuleTable.NoOp,
            c => c.RequireIntAttribute("count_include_pad", 0, "counts the padding, which AveragePool below opset 7 cannot"));
        t.Adapter("AveragePool", 10, "ceil_mode added (default 0)", OpsetRuleTable.NoOp, c => c.RequireIntAttribute("ceil_mode", 0, "rounds output sizes up, which AveragePool below opset 10 cannot"));
        t.Adapter("AveragePool", 19, "dilations added", OpsetRuleTable.NoOp, c => RequireUnitDilations(c, "AveragePool below opset 19 has no dilations"));
        t.Adapter("MaxPool", 8, "Indices output and storage_order added", OpsetRuleTable.NoOp, DowngradeMaxPool8);
        t.Adapter("MaxPool", 10, "ceil_mode and dilations added", OpsetRuleTable.NoOp, c =>
        {
            c.RequireIntAttribute("ceil_mode", 0, "rounds output sizes up, which MaxPool below opset 10 cannot");
            RequireUnitDilations(c, "MaxPool below opset 10 has no dilations");
        });
        t.Adapter("LpPool", 2, "p became an int; kernel_shape required", c => FloatToIntP(c), c => IntToFloatP(c));
        t.Adapter("GlobalLpPool", 2, "p became an int", c => FloatToIntP(c), c => IntToFloatP(c));
        t.Adapter("LpPool", 18, "ceil_mode and dilations added", OpsetRuleTable.NoOp, c =>
        {
            c.RequireIntAttribute("ceil_mode", 0, "rounds output sizes up, which LpPool below opset 18 cannot");
            RequireUnitDilations(c, "LpPool below opset 18 has no dilations");
        });
    }

    private static void RequireUnitDilations(OpsetStepContext c, string why)
    {
        if (c.Node.RemoveAttribute("dilations") is { } d && d.Ints.Any(v => v != 1))
        {
            throw c.Impossible($"dilations [{string.Join(",", d.Ints)}]: {why}");
        }
    }

    private static void DowngradeMaxPool8(OpsetStepContext c)
    {
        c.DropUnusedOutput(1, "MaxPool below opset 8 has no Indices output");
        c.RequireIntAttribute("storage_order", 0, "asks for column-major indices, which only matter with the Indices output");
    }

    private static void FloatToIntP(OpsetStepContext c)
    {
        if (c.Node.RemoveAttribute("p") is { } p)
        {
            if (p.Float != Math.Floor(p.Float))
            {
                throw c.Impossible($"p={p.Float} is not a whole number; from opset 2 p is an int");
            }

            c.Node.SetAttribute(NodeAttribute.Of("p", (long)p.Float));
        }
    }

    private static void IntToFloatP(OpsetStepContext c)
    {
        if (c.Node.RemoveAttribute("p") is { } p)
        {
            c.Node.SetAttribute(NodeAttribute.Of("p", (float)p.Int));
        }
    }
}
