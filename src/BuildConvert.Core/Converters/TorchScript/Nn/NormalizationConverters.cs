using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript.Nn;

/// <summary>
/// Normalization (https://pytorch.org/docs/1.13/nn.functional.html#normalization-functions): <c>batch_norm</c> with
/// running statistics (ONNX BatchNormalization) or, with training=True or without running statistics, the batch's own
/// (biased variance, as PyTorch normalizes); <c>instance_norm</c> (use_input_stats: InstanceNormalization, else the
/// running statistics); <c>layer_norm</c> (LayerNormalization from opset 17, spelled out below); <c>group_norm</c>
/// (per group mean and biased variance, then the per-channel affine). A None weight is ones and a None bias zeros.
/// </summary>
internal static class NormalizationConverters
{
    public static void Register(OpConverterRegistry<TorchOpHandler> r)
    {
        r.Op("aten::batch_norm", BatchNorm, "running statistics; training=True or no running statistics: the batch's statistics");
        r.Op("aten::instance_norm", InstanceNorm, "use_input_stats or running statistics");
        r.Op("aten::layer_norm", LayerNorm, "LayerNormalization from opset 17; mean/variance spelled out below");
        r.Op("aten::group_norm", GroupNorm);
    }

    /// <summary>A per-channel parameter (argument <paramref name="index"/>) of <paramref name="type"/>, or <paramref name="fill"/> repeated when None.</summary>
    private static Value Parameter(TorchNodeContext c, int index, DataType type, long channels, double fill) =>
        c.Has(index) ? c.CastTo(c.Tensor(index), type) : c.Builder.Const(TensorData.Filled(type, new[] { channels }, fill), fill == 0 ? "zeros" : "ones");

    private static long Channels(TorchNodeContext c, Value x, params int[] parameters)
    {
        foreach (var p in parameters)
        {
            if (c.Has(p) && TorchNodeContext.StaticDim(c.Tensor(p), 0) is { } n)
            {
                return n;
            }
        }

        return c.RequireDim(x, 1, $"{c.Kind} without weights");
    }

    private static void BatchNorm(TorchNodeContext c)
    {
        // (input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled)
        var x = c.Tensor(0);
        var type = c.ElementType(x);
        var rank = c.Rank(x, "batch_norm");
        if (rank < 2)
        {
            throw c.Error($"batch_norm takes inputs of rank 2 or more, and the input has rank {rank}");
        }

        var eps = c.Double(7, "eps");
        var training = c.Bool(5, "training");
        var channels = Channels(c, x, 1, 2, 3, 4);
        var b = c.Builder;
        var scale = Parameter(c, 1, type, channels, 1);
        var bias = Parameter(c, 2, type, channels, 0);
        if (training || !c.Has(3) || !c.Has(4))
        {
            var axes = new long[] { 0 }.Concat(Enumerable.Range(2, rank - 2).Select(i => (long)i)).ToArray();
            c.SetOutput(0, Normalize(c, x, axes, eps, type, scale, bias, rank));
            return;
        }

        var mean = c.CastTo(c.Tensor(3), type);
        var variance = c.CastTo(c.Tensor(4), type);
        var input = rank == 2 ? b.Unsqueeze(x, new long[] { 2 }) : x;
        var y = b.Op("BatchNormalization", new[] { input, scale, bias, mean, variance }, NodeAttribute.Of("epsilon", (float)eps));
        c.SetOutput(0, rank == 2 ? b.Squeeze(y, new long[] { 2 }) : y);
    }

    /// <summary>(x - mean) / sqrt(var + eps) over <paramref name="axes"/> (biased variance), then the per-channel affine.</summary>
    private static Value Normalize(TorchNodeContext c, Value x, long[] axes, double eps, DataType type, Value? scale, Value? bias, int rank)
    {
        var b = c.Builder;
        var mean = b.Reduce("ReduceMean", x, axes, true);
        var diff = b.Op("Sub", x, mean);
        var variance = b.Reduce("ReduceMean", b.Op("Mul", diff, diff), axes, true);
        var y = b.Op("Div", diff, b.Op("Sqrt", b.Op("Add", variance, b.Scalar(type, eps))));
        var shape = new long[] { -1 }.Concat(Enumerable.Repeat(1L, rank - 2)).ToArray();
        if (scale is not null)
        {
            y = b.Op("Mul", y, b.Reshape(scale, shape));
        }

        if (bias is not null)
        {
            y = b.Op("Add", y, b.Reshape(bias, shape));
        }

        return y;
    }

    private static void InstanceNorm(TorchNodeContext c)
    {
        // (input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled)
        var x = c.Tensor(0);
        var type = c.ElementType(x);
        var rank = c.Rank(x, "instance_norm");
        var eps = c.Double(7, "eps");
        var channels = Channels(c, x, 1, 2, 3, 4);
        var b = c.Builder;
        var scale = Parameter(c, 1, type, channels, 1);
        var bias = Parameter(c, 2, type, channels, 0);
        if (!c.Bool(5, "use_input_stats"))
        {
            if (!c.Has(3) || !c.Has(4))
            {
                throw c.Error("Expected running_mean and running_var to be defined when use_input_stats is false");
            }

            c.SetOutput(0, b.Op("BatchNormalization", new[] { x, scale, bias, c.CastTo(c.Tensor(3), type), c.CastTo(c.Tensor(4), type) },
                NodeAttribute.Of("epsilon", (float)eps)));
            return;
        }

        if (rank < 3)
        {
            throw c.Error($"instance_norm takes inputs of rank 3 or more, and the input has rank {rank}");
        }

        c.SetOutput(0, b.Op("InstanceNormalization", new[] { x, scale, bias }, NodeAttribute.Of("epsilon", (float)eps)));
    }

    private static void LayerNorm(TorchNodeContext c)
    {
        // (input, normalized_shape, weight, bias, eps, cudnn_enable)
        var x = c.Tensor(0);
        var type = c.ElementType(x);
        var shape = c.Ints(1, "normalized_shape");
        var rank = c.Rank(x, "layer_norm");
        if (shape.Count == 0 || shape.Count > rank)
        {
            throw c.Error($"normalized_shape [{string.Join(", ", shape)}] does not fit an input of rank {rank}");
        }

        var eps = c.Double(4, "eps");
        var weight = c.Has(2) ? c.CastTo(c.Tensor(2), type) : null;
        var bias = c.Has(3) ? c.CastTo(c.Tensor(3), type) : null;
        c.SetOutput(0, LayerNormLast(c, x, shape, weight, bias, eps, type));
    }

    /// <summary>
    /// Layer norm of <paramref name="x"/> over its last <paramref name="normalizedShape"/>.Count dimensions (biased
    /// variance), then the element-wise affine: LayerNormalization from opset 17, spelled out below it.
    /// </summary>
    internal static Value LayerNormLast(TorchNodeContext c, Value x, IReadOnlyList<long> normalizedShape, Value? weight, Value? bias, double eps, DataType type)
    {
        var b = c.Builder;
        var rank = c.Rank(x, "layer_norm");
        if (c.Opset >= 17)
        {
            var scale = weight ?? b.Const(TensorData.Filled(type, normalizedShape.ToArray(), 1), "ones");
            var inputs = bias is null ? new[] { x, scale } : new[] { x, scale, bias };
            return b.Op("LayerNormalization", inputs, NodeAttribute.Of("axis", (long)-normalizedShape.Count), NodeAttribute.Of("epsilon", (float)eps));
        }

        var axes = Enumerable.Range(rank - normalizedShape.Count, normalizedShape.Count).Select(i => (long)i).ToArray();
        var mean = b.Reduce("ReduceMean", x, axes, true);
        var diff = b.Op("Sub", x, mean);
        var variance = b.Reduce("ReduceMean", b.Op("Mul", diff, diff), axes, true);
        var y = b.Op("Div", diff, b.Op("Sqrt", b.Op("Add", variance, b.Scalar(type, eps))));
        if (weight is not null)
        {
            y = b.Op("Mul", y, weight);
        }

        if (bias is not null)
        {
            y = b.Op("Add", y, bias);
        }

        return y;
    }

    /// <summary>Layer norm over the last dimension, whose size is <paramref name="size"/> when the weight's shape is not known.</summary>
    internal static Value LayerNormLast(TorchNodeContext c, Value x, long size, Value weight, Value bias, double eps, DataType type) =>
        LayerNormLast(c, x, new[] { TorchNodeContext.StaticDim(weight, 0) ?? size }, weight, bias, eps, type);

    private static void GroupNorm(TorchNodeContext c)
    {
        // (input, num_groups, weight, bias, eps, cudnn_enabled)
        var x = c.Tensor(0);
        var type = c.ElementType(x);
        var rank = c.Rank(x, "group_norm");
        var groups = c.Int(1, "num_groups");
        var eps = c.Double(4, "eps");
        if (TorchNodeContext.StaticDim(x, 1) is { } channels && (groups <= 0 || channels % groups != 0))
        {
            throw c.Error($"Expected number of channels in input to be divisible by num_groups, but got input of shape with {channels} channels and num_groups={groups}");
        }

        var b = c.Builder;
        var grouped = b.Reshape(x, new long[] { 0, groups, -1 });
        var mean = b.Reduce("ReduceMean", grouped, new long[] { 2 }, true);
        var diff = b.Op("Sub", grouped, mean);
        var variance = b.Reduce("ReduceMean", b.Op("Mul", diff, diff), new long[] { 2 }, true);
        var normalized = b.Op("Div", diff, b.Op("Sqrt", b.Op("Add", variance, b.Scalar(type, eps))));
        var y = b.Reshape(normalized, c.ShapeVector(x));
        var shape = new long[] { -1 }.Concat(Enumerable.Repeat(1L, rank - 2)).ToArray();
        if (c.Has(2))
        {
            y = b.Op("Mul", y, b.Reshape(c.CastTo(c.Tensor(2), type), shape));
        }

        if (c.Has(3))
        {
            y = b.Op("Add", y, b.Reshape(c.CastTo(c.Tensor(3), type), shape));
        }

        c.SetOutput(0, y);
    }
}
