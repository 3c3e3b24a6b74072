namespace BuildConvert.Core.Graphs.Inference;

/// <summary>Attention operators: Attention (3-D packed or 4-D per-head inputs, KV cache outputs, QK output), LinearAttention, CausalConvWithState.</summary>
internal static class AttentionInference
{
    public static void Register(InferenceRegistry.Builder r)
    {
        r.Add("Attention", 23, Attention);
        r.Add("LinearAttention", LinearAttention);
        r.Add("CausalConvWithState", CausalConv);
    }

    private static Dim Divide(Dim d, long? by) => by is { } n && n > 0 ? ShapeMath.Map(d, v => v / n) : Dim.Unknown;

    private static void Attention(InferenceContext c)
    {
        var q = c.InputShape(0);
        var k = c.InputShape(1);
        var v = c.InputShape(2);
        if (q is null || k is null || v is null)
        {
            c.SetOutput(0, c.InputElementType(0), null);
            return;
        }

        if (q.Count is not (3 or 4) || k.Count != q.Count || v.Count != q.Count)
        {
            c.Fail($"Q {OnnxType.FormatShape(q)}, K {OnnxType.FormatShape(k)} and V {OnnxType.FormatShape(v)} must all be 3-D or all 4-D");
        }

        var packed = q.Count == 3;
        var qHeadsAttr = c.Node.Attribute("q_num_heads")?.Int;
        var kvHeadsAttr = c.Node.Attribute("kv_num_heads")?.Int;
        var batch = ShapeMath.Plain(q[0]);
        var qHeads = packed ? (qHeadsAttr is { } qh ? Dim.Of(qh) : Dim.Unknown) : ShapeMath.Plain(q[1]);
        var kvHeads = packed ? (kvHeadsAttr is { } kh ? Dim.Of(kh) : Dim.Unknown) : ShapeMath.Plain(k[1]);
        var qLength = ShapeMath.Plain(packed ? q[1] : q[2]);
        var kvLength = ShapeMath.Plain(packed ? k[1] : k[2]);
        var keyHead = packed ? Divide(k[2], kvHeadsAttr) : ShapeMath.Plain(k[3]);
        var valueHead = packed ? Divide(v[2], kvHeadsAttr) : ShapeMath.Plain(v[3]);
        var total = kvLength;
        if (c.HasInput(4))
        {
            total = c.InputShape(4) is { Count: 4 } past ? ShapeMath.Map(past[2], kvLength, (a, b) => a + b) : Dim.Unknown;
        }

        c.SetOutput(0, c.InputElementType(0), packed
            ? new[] { batch, qLength, ShapeMath.Map(qHeads, valueHead, (a, b) => a * b) }
            : new[] { batch, qHeads, qLength, valueHead });
        c.SetOutput(1, c.InputElementType(1), new[] { batch, kvHeads, total, keyHead });
        c.SetOutput(2, c.InputElementType(2), new[] { batch, kvHeads, total, valueHead });
        c.SetOutput(3, c.InputElementType(0), new[] { batch, qHeads, qLength, total });
    }

    private static void LinearAttention(InferenceContext c)
    {
        var q = c.InputShape(0);
        var k = c.InputShape(1);
        var v = c.InputShape(2);
        var qHeads = c.Node.Attribute("q_num_heads")?.Int;
        var kvHeads = c.Node.Attribute("kv_num_heads")?.Int;
        var dv = v is { Count: 3 } ? Divide(v[2], kvHeads) : Dim.Unknown;
        var dk = k is { Count: 3 } ? Divide(k[2], kvHeads) : Dim.Unknown;
        var batch = q is { Count: 3 } ? ShapeMath.Plain(q[0]) : Dim.Unknown;
        c.SetOutput(0, c.InputElementType(0), q is { Count: 3 } ? new[] { batch, ShapeMath.Plain(q[1]), ShapeMath.Map(dv, d => d * (qHeads ?? 0)) } : null);
        c.SetOutput(1, c.HasInput(3) ? c.InputElementType(3) : c.InputElementType(0),
            new[] { batch, kvHeads is { } h ? Dim.Of(h) : Dim.Unknown, dk, dv });
    }

    private static void CausalConv(InferenceContext c)
    {
        var input = c.InputShape(0);
        var weight = c.InputShape(1);
        c.SetOutput(0, c.InputElementType(0), input?.Select(ShapeMath.Plain).ToArray());
        if (input is { Count: 3 })
        {
            c.SetOutput(1, c.InputElementType(0), new[]
            {
                ShapeMath.Plain(input[0]), ShapeMath.Plain(input[1]), weight is { Count: 3 } ? ShapeMath.Map(weight[2], kk => kk - 1) : Dim.Unknown,
            });
        }
    }
}
