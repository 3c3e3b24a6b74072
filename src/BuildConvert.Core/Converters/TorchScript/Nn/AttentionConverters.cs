using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript.Nn;

/// <summary>
/// The fused attention of nn.MultiheadAttention's inference fast path in PyTorch 1.13,
/// <c>aten::_native_multi_head_attention</c>(query, key, value, embed_dim, num_head, qkv_weight, qkv_bias,
/// proj_weight, proj_bias, mask, need_weights, average_attn_weights, mask_type) -> (output, weights), spelled out:
/// batch-first [B, L, E] inputs, in-projections from the packed [3E, E] weight, scaled dot products per head, the
/// boolean mask (true = masked out; mask_type 0: [L, S] attention mask, 1: [B, S] key padding mask), softmax, the
/// output projection; the weights averaged over heads when asked. (The slow path of nn.MultiheadAttention and
/// TransformerEncoderLayer is ordinary ATen ops: linear, baddbmm, softmax, transpose, chunk.)
/// </summary>
internal static class AttentionConverters
{
    public static void Register(OpConverterRegistry<TorchOpHandler> r)
    {
        r.Op("aten::_native_multi_head_attention", NativeMultiHeadAttention, "spelled out; boolean masks of mask_type 0 ([L, S]) and 1 ([B, S])");
    }

    private static void NativeMultiHeadAttention(TorchNodeContext c)
    {
        var query = c.Tensor(0);
        var key = c.Tensor(1);
        var value = c.Tensor(2);
        var type = c.ElementType(query);
        var embed = c.Int(3, "embed_dim");
        var heads = c.Int(4, "num_head");
        if (heads <= 0 || embed % heads != 0)
        {
            throw c.Error($"embed_dim {embed} is not divisible by num_head {heads}");
        }

        if (c.Rank(query, "multi-head attention") != 3)
        {
            throw c.Unsupported("the fused attention converts batched [B, L, E] inputs only");
        }

        var headDim = embed / heads;
        var b = c.Builder;
        var weights = b.Split(c.CastTo(c.Tensor(5), type), 0, new[] { embed, embed, embed }, 3);
        var biases = b.Split(c.CastTo(c.Tensor(6), type), 0, new[] { embed, embed, embed }, 3);
        Value Project(Value x, int k) =>
            b.Op("Add", b.Op("MatMul", x, b.Op("Transpose", new[] { weights[k] }, NodeAttribute.Of("perm", new long[] { 1, 0 }))), biases[k]);
        Value Heads(Value x) => b.Op("Transpose", new[] { b.Reshape(x, new long[] { 0, 0, heads, headDim }) }, NodeAttribute.Of("perm", new long[] { 0, 2, 1, 3 }));
        var q = Heads(Project(query, 0));
        var k = Heads(Project(key, 1));
        var v = Heads(Project(value, 2));
        var scores = b.Op("Div", b.Op("MatMul", q, b.Op("Transpose", new[] { k }, NodeAttribute.Of("perm", new long[] { 0, 1, 3, 2 }))),
            b.Scalar(type, System.Math.Sqrt(headDim)));
        if (c.Has(9))
        {
            var mask = c.Tensor(9);
            var maskType = c.InputCount > 12 ? c.OptionalInt(12, "mask_type") : null;
            var maskRank = c.Rank(mask, "the attention mask");
            if (maskType == 1 || (maskType is null && maskRank == 2 && TorchNodeContext.StaticDim(mask, 0) == TorchNodeContext.StaticDim(query, 0) && TorchNodeContext.StaticDim(query, 0) != TorchNodeContext.StaticDim(query, 1)))
            {
                mask = b.Unsqueeze(mask, new long[] { 1, 2 });
            }

            var flag = c.ElementType(mask) == DataType.Bool ? mask : b.Op("Not", b.Op("Equal", mask, b.Scalar(c.ElementType(mask), 0)));
            scores = b.Op("Where", flag, b.Scalar(type, double.NegativeInfinity), scores);
        }

        var attention = b.Op("Softmax", new[] { scores }, NodeAttribute.Of("axis", 3L));
        var context = b.Op("Transpose", new[] { b.Op("MatMul", attention, v) }, NodeAttribute.Of("perm", new long[] { 0, 2, 1, 3 }));
        var merged = b.Reshape(context, new long[] { 0, 0, embed });
        var output = b.Op("Add", b.Op("MatMul", merged, b.Op("Transpose", new[] { c.CastTo(c.Tensor(7), type) }, NodeAttribute.Of("perm", new long[] { 1, 0 }))),
            c.CastTo(c.Tensor(8), type));
        c.SetOutput(0, output);
        if (c.Bool(10, "need_weights"))
        {
            c.SetOutput(1, c.Bool(11, "average_attn_weights") ? b.Reduce("ReduceMean", attention, new long[] { 1 }, false) : attention);
        }
        else
        {
            c.SetOutput(1, b.Const(TensorData.Filled(type, new long[] { 0 }, 0), "no_weights"));
        }
    }
}
