using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Converters.TensorFlow.Math;

/// <summary>
/// Matrix products and bias (https://www.tensorflow.org/api_docs/python/tf/raw_ops): <c>MatMul</c> (2-D,
/// <c>transpose_a</c>/<c>transpose_b</c>), <c>BatchMatMul</c>/<c>V2</c>/<c>V3</c> (<c>adj_x</c>/<c>adj_y</c> transpose the
/// last two dimensions; batch dimensions broadcast as ONNX MatMul's do; V3 casts to <c>Tout</c>), and <c>BiasAdd</c>
/// (<c>data_format</c> NHWC adds along the last dimension, NCHW along dimension 1).
/// </summary>
internal static class MatMulConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("MatMul", 13, MatMul);
        r.Add("BatchMatMul", 13, BatchMatMul);
        r.Add("BatchMatMulV2", 13, BatchMatMul);
        r.Add("BatchMatMulV3", 13, BatchMatMul);
        r.Add("BiasAdd", 13, BiasAdd);
        r.Add("BiasAddV1", 13, BiasAdd);
    }

    /// <summary>MatMul(a, b, transpose_a, transpose_b) → MatMul(a or aᵀ, b or bᵀ).</summary>
    private static void MatMul(TfNodeContext c)
    {
        var a = c.Bool("transpose_a", false) ? c.Transpose(c.Input(0), new long[] { 1, 0 }) : c.Input(0);
        var b = c.Bool("transpose_b", false) ? c.Transpose(c.Input(1), new long[] { 1, 0 }) : c.Input(1);
        c.SetOutput(0, c.Builder.Op("MatMul", a, b));
    }

    /// <summary>BatchMatMul*(x, y, adj_x, adj_y[, Tout]) → MatMul over the last two dimensions.</summary>
    private static void BatchMatMul(TfNodeContext c)
    {
        Value Operand(int index, string attribute)
        {
            var v = c.Input(index);
            if (!c.Bool(attribute, false))
            {
                return v;
            }

            var rank = c.RequireRank(index, $"attribute '{attribute}'");
            var perm = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
            (perm[rank - 1], perm[rank - 2]) = (perm[rank - 2], perm[rank - 1]);
            return c.Transpose(v, perm);
        }

        var x = Operand(0, "adj_x");
        var y = Operand(1, "adj_y");
        if (c.Op == "BatchMatMulV3")
        {
            var tout = c.ElementType("Tout");
            if (c.InputElementType(0, "Ta") != tout)
            {
                x = c.Builder.Cast(x, tout);
            }

            if (c.InputElementType(1, "Tb") != tout)
            {
                y = c.Builder.Cast(y, tout);
            }
        }

        c.SetOutput(0, c.Builder.Op("MatMul", x, y));
    }

    /// <summary>BiasAdd(value, bias, data_format): bias (1-D, the channel count) added along the channel dimension.</summary>
    private static void BiasAdd(TfNodeContext c)
    {
        var bias = c.Input(1);
        if (!c.ChannelsLast())
        {
            var rank = c.RequireRank(0, "data_format NCHW");
            if (rank > 2)
            {
                bias = c.Builder.Unsqueeze(bias, Enumerable.Range(1, rank - 2).Select(i => (long)i).ToArray());
            }
        }

        c.SetOutput(0, c.Builder.Op("Add", c.Input(0), bias));
    }
}
