using System.Globalization;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Converters.TorchScript.Math;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript.Nn;

/// <summary>
/// The fused inference fast paths that nn.MultiheadAttention and nn.TransformerEncoderLayer take in PyTorch 1.13
/// (eval mode, batch_first, same-dimension q/k/v, even head count), spelled out as ONNX:
/// <list type="bullet">
/// <item><c>aten::_native_multi_head_attention</c>(query, key, value, embed_dim, num_head, qkv_weight, qkv_bias,
/// proj_weight, proj_bias, mask, need_weights, average_attn_weights, mask_type) -> (output, weights): batch-first
/// [B, L, E] inputs; in-projections from the packed [3E, E] weight and [3E] bias (one MatMul when query, key and value
/// are the same value); q scaled by 1/sqrt(E / num_head) per head; softmax over the keys; the output projection. The
/// weights are [B, H, L, S], averaged over the heads when average_attn_weights; with need_weights=False PyTorch returns
/// an undefined tensor, here an empty [0] tensor.</item>
/// <item><c>aten::_transformer_encoder_layer_fwd</c>(src, embed_dim, num_heads, qkv_weight, qkv_bias, proj_weight,
/// proj_bias, use_gelu, norm_first, eps, norm_weight_1, norm_bias_1, norm_weight_2, norm_bias_2, ffn_weight_1,
/// ffn_bias_1, ffn_weight_2, ffn_bias_2, mask, mask_type): self-attention as above, then (norm_first) x = src +
/// attn(LN1(src)); x = x + ffn(LN2(x)), or (post-norm) x = LN1(src + attn(src)); x = LN2(x + ffn(x)); ffn is linear,
/// ReLU or exact (erf) GELU (use_gelu, as PyTorch's CPU kernel computes it), linear; both layer norms over the last
/// dimension with the one eps.</item>
/// </list>
/// The mask follows PyTorch 1.13's CPU kernel: any dtype, nonzero (or NaN) = masked out (a float mask is converted to
/// bool, not added); mask_type 1 (src_key_padding_mask) or 2 (default mask) with a [B, S] mask (broadcast over heads
/// and queries) or a [B, H, L, S] mask (element-wise); a masked score is -inf, so a fully masked row is NaN, as in
/// PyTorch. A mask without mask_type, or of another shape, is an error there and BCONV2200 here. mask_type 0
/// (src_mask, an [L, S] attention mask) is refused (BCONV2205): PyTorch 1.13's CPU kernel rejects it ("src_mask not
/// currently supported on CPU"), so there is no reference to convert it against. (The slow paths of both modules
/// are ordinary ATen ops: linear, baddbmm, softmax, transpose, chunk, layer_norm.)
/// </summary>
internal static class AttentionConverters
{
    public static void Register(OpConverterRegistry<TorchOpHandler> r)
    {
        r.Op("aten::_native_multi_head_attention", NativeMultiHeadAttention,
            "spelled out; masks of mask_type 1/2 ([B, S] key padding or [B, H, L, S]), any dtype, nonzero = masked; need_weights, average_attn_weights; mask_type 0 refused (BCONV2205)");
        r.Op("aten::_transformer_encoder_layer_fwd", TransformerEncoderLayer,
            "spelled out; norm_first both ways, ReLU or exact GELU; masks as _native_multi_head_attention");
    }

    private static void NativeMultiHeadAttention(TorchNodeContext c)
    {
        var query = c.Tensor(0);
        var key = c.Tensor(1);
        var value = c.Tensor(2);
        var type = c.ElementType(query);
        var embed = c.Int(3, "embed_dim");
        var heads = c.Int(4, "num_head");
        var needWeights = c.Bool(10, "need_weights");
        var average = c.Bool(11, "average_attn_weights");
        var mask = c.OptionalTensor(9);
        var maskType = c.InputCount > 12 ? c.OptionalInt(12, "mask_type") : null;
        var output = Attention(c, query, key, value, type, embed, heads, c.Tensor(5), c.Tensor(6), c.Tensor(7), c.Tensor(8), mask, maskType, out var attention);
        c.SetOutput(0, output);
        var b = c.Builder;
        if (!needWeights)
        {
            c.SetOutput(1, b.Const(TensorData.Filled(type, new long[] { 0 }, 0), "no_weights"));
        }
        else
        {
            c.SetOutput(1, average ? b.Reduce("ReduceMean", attention, new long[] { 1 }, false) : attention);
        }
    }

    private static void TransformerEncoderLayer(TorchNodeContext c)
    {
        var src = c.Tensor(0);
        var type = c.ElementType(src);
        var embed = c.Int(1, "embed_dim");
        var heads = c.Int(2, "num_heads");
        var useGelu = c.Bool(7, "use_gelu");
        var normFirst = c.Bool(8, "norm_first");
        var eps = c.Double(9, "eps");
        var mask = c.OptionalTensor(18);
        var maskType = c.InputCount > 19 ? c.OptionalInt(19, "mask_type") : null;
        var rank = c.Rank(src, "the fused encoder layer");
        if (rank != 3)
        {
            throw c.Error($"batched input size should be 3, and src has rank {rank}");
        }

        Value Param(int index, string what, int expectedRank)
        {
            var p = c.CastTo(c.Tensor(index), type);
            if (TorchNodeContext.RankOf(p) is { } r && r != expectedRank)
            {
                throw c.ArgumentError(index, $"{what} must be {expectedRank}-D, and it has rank {r}");
            }

            return p;
        }

        var b = c.Builder;
        Value Norm(Value x, int weightIndex) =>
            NormalizationConverters.LayerNormLast(c, x, embed, Param(weightIndex, "the layer norm weight", 1), Param(weightIndex + 1, "the layer norm bias", 1), eps, type);

        var x = normFirst ? Norm(src, 10) : src;
        x = Attention(c, x, x, x, type, embed, heads, c.Tensor(3), c.Tensor(4), c.Tensor(5), c.Tensor(6), mask, maskType, out _);
        x = b.Op("Add", x, src);
        if (!normFirst)
        {
            x = Norm(x, 10);
        }

        var residual = x;
        if (normFirst)
        {
            x = Norm(x, 12);
        }

        var hidden = Linear(b, x, Param(14, "ffn_weight_1", 2), Param(15, "ffn_bias_1", 1));
        hidden = useGelu ? ActivationConverters.GeluOf(c, hidden, "none") : b.Op("Relu", hidden);
        x = b.Op("Add", Linear(b, hidden, Param(16, "ffn_weight_2", 2), Param(17, "ffn_bias_2", 1)), residual);
        if (!normFirst)
        {
            x = Norm(x, 12);
        }

        c.SetOutput(0, x);
    }

    /// <summary>x W^T + bias for a 2-D weight.</summary>
    private static Value Linear(OpBuilder b, Value x, Value weight, Value bias) =>
        b.Op("Add", b.Op("MatMul", x, b.Op("Transpose", new[] { weight }, NodeAttribute.Of("perm", new long[] { 1, 0 }))), bias);

    /// <summary>
    /// PyTorch 1.13's native multi-head attention on [B, L, E] query and [B, S, E] key/value: the projected output
    /// [B, L, E]; <paramref name="attention"/> is the softmax [B, H, L, S].
    /// </summary>
    private static Value Attention(TorchNodeContext c, Value query, Value key, Value value, DataType type, long embed, long heads,
        Value qkvWeight, Value qkvBias, Value projWeight, Value projBias, Value? mask, long? maskType, out Value attention)
    {
        if (heads <= 0 || embed % heads != 0)
        {
            throw c.Error($"`embed_dim` must divide evenly by `num_heads` (embed_dim {embed}, num_heads {heads})");
        }

        foreach (var (operand, what) in new[] { (query, "query"), (key, "key"), (value, "value") })
        {
            var rank = c.Rank(operand, "multi-head attention");
            if (rank != 3)
            {
                throw c.Error($"expected 3-D `{what}`, got {rank}-D tensor");
            }
        }

        if (TorchNodeContext.StaticDim(query, 2) is { } e && e != embed)
        {
            throw c.Error($"passed-in embed_dim {embed} didn't match last dim of query {e}");
        }

        for (var axis = 0; axis < 3; axis++)
        {
            var sizes = new[] { query, key, value }.Select(operand => TorchNodeContext.StaticDim(operand, axis)).ToArray();
            if (sizes.All(s => s is not null) && sizes.Distinct().Count() > 1)
            {
                throw c.Error("expected `query`/`key`/`value` shapes to match");
            }
        }

        CheckShape(c, qkvWeight, new long?[] { 3 * embed, embed }, "qkv_weight");
        CheckShape(c, qkvBias, new long?[] { 3 * embed }, "qkv_bias");
        CheckShape(c, projWeight, new long?[] { embed, embed }, "proj_weight");
        CheckShape(c, projBias, new long?[] { embed }, "proj_bias");
        var flag = mask is null ? null : MaskFlag(c, mask, maskType, query, key, heads);

        var headDim = embed / heads;
        var b = c.Builder;
        qkvWeight = c.CastTo(qkvWeight, type);
        qkvBias = c.CastTo(qkvBias, type);
        Value q, k, v;
        var transposedWeight = b.Op("Transpose", new[] { qkvWeight }, NodeAttribute.Of("perm", new long[] { 1, 0 }));
        if (ReferenceEquals(query, key) && ReferenceEquals(key, value))
        {
            // Self-attention: one [B, L, 3E] product with the packed weight, as PyTorch's kernel does.
            var qkv = b.Op("Add", b.Op("MatMul", query, transposedWeight), qkvBias);
            var parts = b.Split(qkv, 2, new[] { embed, embed, embed }, 3);
            (q, k, v) = (parts[0], parts[1], parts[2]);
        }
        else
        {
            var weights = b.Split(transposedWeight, 1, new[] { embed, embed, embed }, 3);
            var biases = b.Split(qkvBias, 0, new[] { embed, embed, embed }, 3);
            q = b.Op("Add", b.Op("MatMul", query, weights[0]), biases[0]);
            k = b.Op("Add", b.Op("MatMul", key, weights[1]), biases[1]);
            v = b.Op("Add", b.Op("MatMul", value, weights[2]), biases[2]);
        }

        // [B, T, E] -> [B, T, H, D] -> [B, H, T, D] (keys to [B, H, D, S]).
        Value Heads(Value x, long[] perm) => b.Op("Transpose", new[] { b.Reshape(x, new long[] { 0, 0, heads, headDim }) }, NodeAttribute.Of("perm", perm));
        var qh = b.Op("Mul", Heads(q, new long[] { 0, 2, 1, 3 }), b.Scalar(type, 1 / System.Math.Sqrt(headDim)));
        var kt = Heads(k, new long[] { 0, 2, 3, 1 });
        var vh = Heads(v, new long[] { 0, 2, 1, 3 });
        var scores = b.Op("MatMul", qh, kt);
        if (flag is not null)
        {
            scores = b.Op("Where", flag, b.Scalar(type, double.NegativeInfinity), scores);
        }

        attention = b.Op("Softmax", new[] { scores }, NodeAttribute.Of("axis", 3L));
        var context = b.Op("Transpose", new[] { b.Op("MatMul", attention, vh) }, NodeAttribute.Of("perm", new long[] { 0, 2, 1, 3 }));
        var merged = b.Reshape(context, new long[] { 0, 0, embed });
        return Linear(b, merged, c.CastTo(projWeight, type), c.CastTo(projBias, type));
    }

    /// <summary>The mask as a bool tensor that broadcasts against the [B, H, L, S] scores (true = masked out).</summary>
    private static Value MaskFlag(TorchNodeContext c, Value mask, long? maskType, Value query, Value key, long heads)
    {
        if (maskType is null)
        {
            throw c.Error("Mask Type should be defined (PyTorch 1.13 refuses a mask without mask_type)");
        }

        if (maskType is not (0 or 1 or 2))
        {
            throw c.Error($"Mask Type should be 0 (src_mask), 1 (src_key_padding_mask), or 2 (default_mask), and it is {maskType.Value.ToString(CultureInfo.InvariantCulture)}");
        }

        if (maskType == 0)
        {
            throw c.Unsupported("mask_type 0 (src_mask, an [L, S] attention mask) is not converted: PyTorch 1.13's CPU kernel rejects it "
                + "('src_mask not currently supported on CPU'), so there is no reference for its meaning; nn.MultiheadAttention and "
                + "nn.TransformerEncoderLayer take their slow path (ordinary ATen ops, which convert) whenever an attention mask is given");
        }

        var b = c.Builder;
        var rank = c.Rank(mask, "the attention mask");
        var batch = TorchNodeContext.StaticDim(query, 0);
        var queries = TorchNodeContext.StaticDim(query, 1);
        var keys = TorchNodeContext.StaticDim(key, 1);
        Value shaped;
        if (rank == 2)
        {
            if (batch is { } bs && TorchNodeContext.StaticDim(mask, 0) is { } m0 && m0 != bs)
            {
                throw c.Error($"Expected attn_mask->sizes()[0] == batch_size (mask [{Dims(mask)}], batch size {bs})");
            }

            if (keys is { } s && TorchNodeContext.StaticDim(mask, 1) is { } m1 && m1 != s)
            {
                throw c.Error($"Mask shape should match input shape (mask [{Dims(mask)}], {s} keys)");
            }

            shaped = b.Unsqueeze(mask, new long[] { 1, 2 });
        }
        else if (rank == 4)
        {
            var expected = new[] { batch, heads, queries, keys };
            for (var axis = 0; axis < 4; axis++)
            {
                if (expected[axis] is { } want && TorchNodeContext.StaticDim(mask, axis) is { } have && have != want)
                {
                    throw c.Error($"Mask shape should match input shape (mask [{Dims(mask)}], scores [B, {heads}, L, S] = [{string.Join(", ", expected.Select(d => d?.ToString(CultureInfo.InvariantCulture) ?? "?"))}])");
                }
            }

            shaped = mask;
        }
        else
        {
            throw c.Error($"Mask shape should match input shape: a mask of mask_type {maskType.Value.ToString(CultureInfo.InvariantCulture)} is [B, S] or [B, {heads}, L, S], and it has rank {rank}");
        }

        var maskElement = c.ElementType(mask);
        return maskElement == DataType.Bool ? shaped : b.Op("Not", b.Op("Equal", shaped, b.Scalar(maskElement, 0)));
    }

    private static void CheckShape(TorchNodeContext c, Value v, long?[] expected, string what)
    {
        var rank = c.Rank(v, what);
        if (rank != expected.Length)
        {
            throw c.Error($"expected {expected.Length}-D `{what}`, got {rank}-D tensor");
        }

        for (var axis = 0; axis < rank; axis++)
        {
            if (TorchNodeContext.StaticDim(v, axis) is { } have && expected[axis] is { } want && have != want)
            {
                throw c.Error($"expected `{what}` of shape [{string.Join(", ", expected)}], got [{Dims(v)}]");
            }
        }
    }

    private static string Dims(Value v) =>
        TorchNodeContext.ShapeOf(v) is { } s ? string.Join(", ", s.Select(d => d.Value?.ToString(CultureInfo.InvariantCulture) ?? "?")) : "?";
}
