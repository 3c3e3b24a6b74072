using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Converters.Onnx.Rules;

/// <summary>
/// LSTM, GRU and RNN: GRU's linear_before_reset and optional Y_h (3), output_sequence removed (7), the batch-first
/// <c>layout</c> attribute (14; a downgrade transposes inputs and outputs around the sequence-first operator).
/// </summary>
internal static class RecurrentRules
{
    public static void Register(OpsetRuleTable t)
    {
        t.Adapter("GRU", 3, "linear_before_reset added; Y_h optional", OpsetRuleTable.NoOp,
            c => c.RequireIntAttribute("linear_before_reset", 0, "applies the linear transformation before the reset gate, which GRU below opset 3 cannot"));
        foreach (var op in new[] { "GRU", "LSTM", "RNN" })
        {
            t.Adapter(op, 7, "output_sequence attribute removed", c => c.Node.RemoveAttribute("output_sequence"), OpsetRuleTable.NoOp);
            t.Adapter(op, 14, "layout attribute added (batch-first when 1)", OpsetRuleTable.NoOp, DowngradeLayout);
        }
    }

    private static void DowngradeLayout(OpsetStepContext c)
    {
        if (c.Node.RemoveAttribute("layout") is not { Int: not 0 })
        {
            return;
        }

        // layout=1: X [batch, seq, in], initial states [batch, dirs, hidden], Y [batch, seq, dirs, hidden], Y_h/Y_c [batch, dirs, hidden].
        var b = c.Builder;
        var swap01 = new long[] { 1, 0, 2 };
        Value Transpose(Value v, long[] perm) => b.Op("Transpose", new[] { v }, NodeAttribute.Of("perm", perm));
        c.Node.SetInput(0, Transpose(c.Node.Input(0)!, swap01));
        foreach (var i in new[] { 5, 6 })
        {
            if (c.Node.Input(i) is { } state)
            {
                c.Node.SetInput(i, Transpose(state, swap01));
            }
        }

        c.TransformOutput(0, y => Transpose(y, new long[] { 2, 0, 1, 3 }));
        c.TransformOutput(1, h => Transpose(h, swap01));
        c.TransformOutput(2, s => Transpose(s, swap01));
    }
}
