using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Converters.TensorFlow.Nn;

/// <summary>
/// Convolutions and pools (https://www.tensorflow.org/api_docs/python/tf/raw_ops/Conv2D, MaxPool, AvgPool):
/// channels-last data is transposed to ONNX's channels-first around the node (the layout passes cancel the pairs
/// between consecutive ops); filters HWIO become OIHW (folded for constant filters). <c>padding</c> SAME pads
/// max((ceil(in / s) - 1) * s + (k - 1) * d + 1 - in, 0) with the smaller half before, as TensorFlow does (computed
/// exactly when the spatial size is static, SAME_UPPER otherwise); VALID pads nothing; EXPLICIT reads
/// <c>explicit_paddings</c>. AvgPool averages over the window's valid elements only (TensorFlow excludes padding).
/// </summary>
internal static class ConvolutionConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("Conv2D", 13, Conv2D, "NHWC/NCHW, SAME/VALID/EXPLICIT, strides, dilations, groups");
        r.Add("MaxPool", 13, Pool("MaxPool"), "NHWC/NCHW, SAME/VALID");
        r.Add("AvgPool", 13, Pool("AveragePool"), "padding excluded from the average, as TensorFlow");
    }

    /// <summary>Conv2D(input, filter[H,W,I,O], strides, padding, explicit_paddings, data_format, dilations).</summary>
    private static void Conv2D(TfNodeContext c)
    {
        var last = c.ChannelsLast();
        var x = ToChannelsFirst(c, c.Input(0), last, 4);
        var w = c.Transpose(c.Input(1), new long[] { 3, 2, 0, 1 });
        var strides = Spatial(c, "strides", last, 4, null);
        var dilations = Spatial(c, "dilations", last, 4, new long[] { 1, 1, 1, 1 });
        var kernel = c.InputShape(1) is { Count: 4 } fs && fs[0].IsFixed && fs[1].IsFixed ? new[] { fs[0].Value!.Value, fs[1].Value!.Value } : null;
        var attributes = new List<NodeAttribute> { NodeAttribute.Of("strides", strides), NodeAttribute.Of("dilations", dilations) };
        if (kernel is not null)
        {
            attributes.Add(NodeAttribute.Of("kernel_shape", kernel));
        }

        attributes.AddRange(Padding(c, last, 4, kernel, strides, dilations));
        if (c.InputShape(0) is { Count: 4 } xs && c.InputShape(1) is { Count: 4 } ws && xs[last ? 3 : 1].Value is { } cin && ws[2].Value is { } fin && fin > 0 && cin != fin)
        {
            if (cin % fin != 0)
            {
                throw c.Error($"the input has {cin} channels, which is not a multiple of the filter's {fin} input channels");
            }

            attributes.Add(NodeAttribute.Of("group", cin / fin));
        }

        var y = c.Builder.Op("Conv", new[] { x, w }, attributes.ToArray());
        c.SetOutput(0, last ? c.Transpose(y, TfNodeContext.ToChannelsLast(4)) : y);
    }

    /// <summary>MaxPool/AvgPool(input, ksize, strides, padding, data_format).</summary>
    private static TfOpHandler Pool(string onnx) => c =>
    {
        var last = c.ChannelsLast();
        var kernel = Spatial(c, "ksize", last, 4, null);
        var strides = Spatial(c, "strides", last, 4, null);
        var x = ToChannelsFirst(c, c.Input(0), last, 4);
        var attributes = new List<NodeAttribute> { NodeAttribute.Of("kernel_shape", kernel), NodeAttribute.Of("strides", strides) };
        attributes.AddRange(Padding(c, last, 4, kernel, strides, new long[] { 1, 1 }));
        var y = c.Builder.Op(onnx, new[] { x }, attributes.ToArray());
        c.SetOutput(0, last ? c.Transpose(y, TfNodeContext.ToChannelsLast(4)) : y);
    };

    internal static Value ToChannelsFirst(TfNodeContext c, Value x, bool channelsLast, int rank) =>
        channelsLast ? c.Transpose(x, TfNodeContext.ToChannelsFirst(rank)) : x;

    /// <summary>The spatial entries of a per-dimension attribute (strides, dilations, ksize) given in the data format's order.</summary>
    internal static long[] Spatial(TfNodeContext c, string name, bool channelsLast, int rank, long[]? fallback)
    {
        var all = c.Ints(name, fallback);
        if (all.Count != rank)
        {
            throw c.AttributeError(name, $"has {all.Count} entries; a rank-{rank} input needs {rank}");
        }

        var spatial = channelsLast ? all.Skip(1).Take(rank - 2) : all.Skip(2);
        if ((channelsLast ? all[0] != 1 || all[rank - 1] != 1 : all[0] != 1 || all[1] != 1) && name != "dilations")
        {
            throw c.AttributeError(name, "must be 1 in the batch and channel dimensions");
        }

        return spatial.ToArray();
    }

    /// <summary>ONNX pads (or auto_pad) for TensorFlow's <c>padding</c>.</summary>
    internal static IEnumerable<NodeAttribute> Padding(TfNodeContext c, bool channelsLast, int rank, long[]? kernel, long[] strides, long[] dilations)
    {
        var padding = c.Choice("padding", "VALID", "SAME", "VALID", "EXPLICIT");
        var spatialCount = rank - 2;
        if (padding == "VALID")
        {
            return new[] { NodeAttribute.Of("pads", new long[spatialCount * 2]) };
        }

        if (padding == "EXPLICIT")
        {
            var given = c.Ints("explicit_paddings");
            if (given.Count != rank * 2)
            {
                throw c.AttributeError("explicit_paddings", $"has {given.Count} entries; padding EXPLICIT needs {rank * 2} (before, after per dimension)");
            }

            var first = channelsLast ? 1 : 2;
            var pads = new long[spatialCount * 2];
            for (var i = 0; i < spatialCount; i++)
            {
                pads[i] = given[(first + i) * 2];
                pads[spatialCount + i] = given[((first + i) * 2) + 1];
            }

            return new[] { NodeAttribute.Of("pads", pads) };
        }

        var shape = c.InputShape(0);
        if (kernel is null || shape is null || shape.Count != rank)
        {
            return new[] { NodeAttribute.Of("auto_pad", "SAME_UPPER") };
        }

        var result = new long[spatialCount * 2];
        for (var i = 0; i < spatialCount; i++)
        {
            if (shape[(channelsLast ? 1 : 2) + i].Value is not { } size)
            {
                return new[] { NodeAttribute.Of("auto_pad", "SAME_UPPER") };
            }

            var output = (size + strides[i] - 1) / strides[i];
            var total = System.Math.Max(((output - 1) * strides[i]) + ((kernel[i] - 1) * dilations[i]) + 1 - size, 0);
            result[i] = total / 2;
            result[spatialCount + i] = total - (total / 2);
        }

        return new[] { NodeAttribute.Of("pads", result) };
    }
}
