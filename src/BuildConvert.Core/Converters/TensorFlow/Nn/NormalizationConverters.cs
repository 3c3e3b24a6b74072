using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TensorFlow.Nn;

/// <summary>
/// Normalizations (https://www.tensorflow.org/api_docs/python/tf/raw_ops/FusedBatchNormV3, LRN).
/// FusedBatchNorm/V2/V3(x, scale, offset, mean, variance; epsilon, data_format, is_training): with is_training false,
/// y = (x - mean) / sqrt(variance + epsilon) * scale + offset per channel, an ONNX BatchNormalization in channels-first
/// layout; outputs 1-4 (batch mean/variance, reserve spaces) are then the stored mean and variance. With is_training
/// true the statistics are the batch's (mean and biased variance over every dimension but the channels) and only y is
/// an inference value. Half-precision x with float statistics (V2/V3's T and U) is computed in float.
/// LRN(input; depth_radius, bias, alpha, beta) over the last dimension:
/// x / (bias + alpha * sum(x² over 2r+1 channels))^beta. ONNX LRN divides its alpha by the window size, so it gets
/// alpha * (2r + 1).
/// </summary>
internal static class NormalizationConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("FusedBatchNorm", 13, FusedBatchNorm, "NHWC/NCHW; is_training false (outputs 1-4: the stored statistics) or true (y only)");
        r.Add("FusedBatchNormV2", 13, FusedBatchNorm, "as FusedBatchNorm; half x with float statistics");
        r.Add("FusedBatchNormV3", 13, FusedBatchNorm, "as FusedBatchNormV2; 5-D NDHWC/NCDHW");
        r.Add("LRN", 13, Lrn, "ONNX alpha = TensorFlow alpha * (2 * depth_radius + 1)");
    }

    private static void FusedBatchNorm(TfNodeContext c)
    {
        var b = c.Builder;
        var rank = c.InputRank(0) ?? 4;
        if (rank is not (4 or 5))
        {
            throw c.Error($"input 0 has rank {rank}; {c.Op} takes rank 4 (or 5 for V3)");
        }

        var last = c.ChannelsLast(fallback: rank == 5 ? "NDHWC" : "NHWC");
        var epsilon = c.Float("epsilon", 0.0001f);
        var training = c.Bool("is_training", true);
        var x = ConvolutionConverters.ToChannelsFirst(c, c.Input(0), last, rank);
        var type = c.InputElementType(0);
        var statistics = c.InputElementType(1, c.HasAttribute("U") ? "U" : "T");
        if (type != statistics)
        {
            x = b.Cast(x, statistics);
        }

        Value mean, variance;
        if (training)
        {
            if (c.OutputCount > 1)
            {
                throw c.Error($"output {c.OutputCount - 1} is read; a training-mode batch norm's outputs other than y are training state");
            }

            var axes = new long[] { 0 }.Concat(Enumerable.Range(2, rank - 2).Select(i => (long)i)).ToArray();
            var batchMean = b.Reduce("ReduceMean", x, axes, keepDims: true);
            var centered = b.Op("Sub", x, batchMean);
            variance = b.Reduce("ReduceMean", b.Op("Mul", centered, centered), axes, keepDims: false);
            mean = b.Squeeze(batchMean, axes);
        }
        else
        {
            mean = c.Input(3);
            variance = c.Input(4);
            if (c.OutputCount > 5)
            {
                throw c.Error("output 5 (reserve_space_3) is read; it is an implementation detail of TensorFlow's kernels");
            }
        }

        var y = b.Op("BatchNormalization", new[] { x, c.Input(1), c.Input(2), mean, variance }, NodeAttribute.Of("epsilon", epsilon));
        if (type != statistics)
        {
            y = b.Cast(y, type);
        }

        c.SetOutputs(new[] { last ? c.Transpose(y, TfNodeContext.ToChannelsLast(rank)) : y, mean, variance, mean, variance });
    }

    /// <summary>LRN(input[N,H,W,C]; depth_radius=5, bias=1, alpha=1, beta=0.5).</summary>
    private static void Lrn(TfNodeContext c)
    {
        if (c.InputRank(0) is { } rank && rank != 4)
        {
            throw c.Error($"input 0 has rank {rank}; LRN takes rank 4 (NHWC)");
        }

        var radius = c.Int("depth_radius", 5);
        if (radius < 0)
        {
            throw c.AttributeError("depth_radius", $"is {radius}; it must not be negative");
        }

        var size = (2 * radius) + 1;
        var type = c.InputElementType(0);
        var x = c.Transpose(c.Input(0), TfNodeContext.ToChannelsFirst(4));
        if (type is not (DataType.Float or DataType.Float16 or DataType.Double))
        {
            throw c.Error($"input 0 is {Values.ElementTypes.Name(type)}; LRN takes float, half or double");
        }

        var compute = type == DataType.Double ? c.Builder.Cast(x, DataType.Float) : x;
        var y = c.Builder.Op("LRN", new[] { compute },
            NodeAttribute.Of("size", size), NodeAttribute.Of("alpha", c.Float("alpha", 1f) * size),
            NodeAttribute.Of("beta", c.Float("beta", 0.5f)), NodeAttribute.Of("bias", c.Float("bias", 1f)));
        if (type == DataType.Double)
        {
            y = c.Builder.Cast(y, DataType.Double);
        }

        c.SetOutput(0, c.Transpose(y, TfNodeContext.ToChannelsLast(4)));
    }
}
