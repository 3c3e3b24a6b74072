using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Converters.TensorFlow.Nn;

/// <summary>
/// Convolutions and pools (https://www.tensorflow.org/api_docs/python/tf/raw_ops/Conv2D, Conv3D, DepthwiseConv2dNative,
/// Conv2DBackpropInput, MaxPool, AvgPool):
/// channels-last data is transposed to ONNX's channels-first around the node (the layout passes cancel the pairs
/// between consecutive ops); filters HWIO become OIHW (folded for constant filters). <c>padding</c> SAME pads
/// max((ceil(in / s) - 1) * s + (k - 1) * d + 1 - in, 0) with the smaller half before, as TensorFlow does: computed here
/// when the spatial size is static or every stride is 1; ONNX auto_pad SAME_UPPER (the same rule) when a size is dynamic;
/// with dilations above 1 as well (which ONNX Runtime's SAME_UPPER refuses) a Pad computed from the run-time size; VALID pads nothing; EXPLICIT reads
/// <c>explicit_paddings</c>. AvgPool averages over the window's valid elements only (TensorFlow excludes padding).
/// </summary>
internal static class ConvolutionConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("Conv2D", 13, Conv2D, "NHWC/NCHW, SAME/VALID/EXPLICIT, strides, dilations, groups");
        r.Add("Conv3D", 13, Conv3D, "NDHWC/NCDHW, SAME/VALID, strides, dilations");
        r.Add("DepthwiseConv2dNative", 13, DepthwiseConv2dNative, "channel multiplier, SAME/VALID/EXPLICIT, strides, dilations");
        r.Add("Conv2DBackpropInput", 13, Conv2DBackpropInput, "input_sizes constant (4 or 2 entries); ConvTranspose with TensorFlow's pads and output_padding");
        r.Add("MaxPool", 13, Pool("MaxPool"), "NHWC/NCHW, SAME/VALID");
        r.Add("AvgPool", 13, Pool("AveragePool"), "padding excluded from the average, as TensorFlow");
    }

    /// <summary>Conv2D(input, filter[H,W,I,O], strides, padding, explicit_paddings, data_format, dilations).</summary>
    private static void Conv2D(TfNodeContext c) => Convolution(c, 4, depthwise: false);

    /// <summary>Conv3D(input, filter[D,H,W,I,O], strides, padding, data_format NDHWC/NCDHW, dilations).</summary>
    private static void Conv3D(TfNodeContext c) => Convolution(c, 5, depthwise: false);

    /// <summary>
    /// DepthwiseConv2dNative(input, filter[H,W,C,M], strides, padding, explicit_paddings, data_format, dilations): each
    /// input channel c convolved with its own M filters, output channel c * M + m; an ONNX Conv with group = C and the
    /// filter reshaped to [H, W, 1, C * M].
    /// </summary>
    private static void DepthwiseConv2dNative(TfNodeContext c) => Convolution(c, 4, depthwise: true);

    private static void Convolution(TfNodeContext c, int rank, bool depthwise)
    {
        var last = c.ChannelsLast(fallback: rank == 5 ? "NDHWC" : "NHWC");
        if (c.InputRank(0) is { } inputRank && inputRank != rank)
        {
            throw c.Error($"input 0 has rank {inputRank}; {c.Op} takes rank {rank}");
        }

        var x = ToChannelsFirst(c, c.Input(0), last, rank);
        var filter = c.Input(1);
        var fs = c.InputShape(1);
        if (fs is not null && fs.Count != rank)
        {
            throw c.Error($"input 1 (filter) has rank {fs.Count}; {c.Op} takes rank {rank}");
        }

        if (depthwise)
        {
            filter = c.Builder.Op("Reshape", filter, c.Builder.Int64s(0, 0, 1, -1));
        }

        var w = c.Transpose(filter, FilterPerm(rank));
        var strides = Spatial(c, "strides", last, rank, null);
        var dilations = Spatial(c, "dilations", last, rank, Enumerable.Repeat(1L, rank).ToArray());
        var kernel = Kernel(fs, rank);
        var attributes = new List<NodeAttribute> { NodeAttribute.Of("strides", strides), NodeAttribute.Of("dilations", dilations) };
        if (kernel is not null)
        {
            attributes.Add(NodeAttribute.Of("kernel_shape", kernel));
        }

        if (NeedsRunTimeSamePads(c, last, rank, kernel, strides, dilations))
        {
            x = RunTimeSamePad(c, x, rank, kernel!, strides, dilations);
            attributes.Add(NodeAttribute.Of("pads", new long[(rank - 2) * 2]));
        }
        else
        {
            attributes.AddRange(Padding(c, last, rank, kernel, strides, dilations));
        }

        var xs = c.InputShape(0);
        var cin = xs is { } shape && shape.Count == rank ? shape[last ? rank - 1 : 1].Value : null;
        if (depthwise)
        {
            var channels = cin ?? fs?[2].Value ?? throw c.Error("the number of input channels is unknown (give the input's or the filter's shape)");
            if (fs?[2].Value is { } fc && fc != channels)
            {
                throw c.Error($"the input has {channels} channels and the filter {fc}");
            }

            attributes.Add(NodeAttribute.Of("group", channels));
        }
        else if (cin is { } inChannels && fs?[rank - 2].Value is { } fin && fin > 0 && inChannels != fin)
        {
            if (inChannels % fin != 0)
            {
                throw c.Error($"the input has {inChannels} channels, which is not a multiple of the filter's {fin} input channels");
            }

            attributes.Add(NodeAttribute.Of("group", inChannels / fin));
        }

        var y = c.Builder.Op("Conv", new[] { x, w }, attributes.ToArray());
        c.SetOutput(0, last ? c.Transpose(y, TfNodeContext.ToChannelsLast(rank)) : y);
    }

    /// <summary>
    /// Conv2DBackpropInput(input_sizes, filter[H,W,I,O], out_backprop, strides, padding, explicit_paddings, data_format,
    /// dilations): the gradient of Conv2D with respect to its input, an ONNX ConvTranspose. The forward convolution's
    /// padding for input_sizes (SAME as TensorFlow computes it) becomes the pads, and output_padding adds the rows and
    /// columns that the forward convolution's stride skipped, so the result has exactly input_sizes.
    /// </summary>
    private static void Conv2DBackpropInput(TfNodeContext c)
    {
        const int rank = 4;
        var last = c.ChannelsLast();
        var sizes = c.ConstantInts(0, "input_sizes", "ONNX ConvTranspose takes the pads and output_padding it fixes as attributes");
        var spatialSizes = sizes.Length switch
        {
            4 => last ? sizes[1..3] : sizes[2..4],
            2 => sizes,
            _ => throw c.Error($"input 0 (input_sizes) has {sizes.Length} entries; expected 4 (the input's shape) or 2 (its height and width)"),
        };
        var kernel = Kernel(c.InputShape(1), rank) ?? throw c.Error("input 1 (filter) needs a static shape");
        var strides = Spatial(c, "strides", last, rank, null);
        var dilations = Spatial(c, "dilations", last, rank, new long[] { 1, 1, 1, 1 });
        var padding = c.Choice("padding", "VALID", "SAME", "VALID", "EXPLICIT");
        var explicitPads = padding == "EXPLICIT" ? ExplicitPads(c, last, rank) : null;
        var pads = new long[4];
        var outputPadding = new long[2];
        var dy = c.InputShape(2);
        for (var i = 0; i < 2; i++)
        {
            var size = spatialSizes[i];
            var span = ((kernel[i] - 1) * dilations[i]) + 1;
            long begin = 0, end = 0, output;
            switch (padding)
            {
                case "SAME":
                    output = (size + strides[i] - 1) / strides[i];
                    var total = System.Math.Max(((output - 1) * strides[i]) + span - size, 0);
                    begin = total / 2;
                    end = total - begin;
                    break;
                case "VALID":
                    output = ((size - span) / strides[i]) + 1;
                    break;
                default:
                    begin = explicitPads![i];
                    end = explicitPads[2 + i];
                    output = ((size + begin + end - span) / strides[i]) + 1;
                    break;
            }

            if (output < 1)
            {
                throw c.Error($"input_sizes {size} in spatial dimension {i} is smaller than the filter's extent {span}");
            }

            if (dy is { Count: rank } && dy[(last ? 1 : 2) + i].Value is { } given && given != output)
            {
                throw c.Error($"input 2 (out_backprop) has size {given} in spatial dimension {i}; a forward convolution of input_sizes {size} gives {output}");
            }

            pads[i] = begin;
            pads[2 + i] = end;
            outputPadding[i] = size - ((strides[i] * (output - 1)) + span - begin - end);
        }

        var x = ToChannelsFirst(c, c.Input(2), last, rank);
        var w = c.Transpose(c.Input(1), FilterPerm(rank));
        var y = c.Builder.Op("ConvTranspose", new[] { x, w },
            NodeAttribute.Of("kernel_shape", kernel), NodeAttribute.Of("strides", strides), NodeAttribute.Of("dilations", dilations),
            NodeAttribute.Of("pads", pads), NodeAttribute.Of("output_padding", outputPadding));
        c.SetOutput(0, last ? c.Transpose(y, TfNodeContext.ToChannelsLast(rank)) : y);
    }

    /// <summary>TensorFlow's filter [spatial..., I, O] to ONNX's [O, I, spatial...].</summary>
    internal static long[] FilterPerm(int rank) =>
        new long[] { rank - 1, rank - 2 }.Concat(Enumerable.Range(0, rank - 2).Select(i => (long)i)).ToArray();

    /// <summary>The filter's spatial size when static.</summary>
    internal static long[]? Kernel(IReadOnlyList<Dim>? filterShape, int rank) =>
        filterShape is { } fs && fs.Count == rank && fs.Take(rank - 2).All(d => d.IsFixed)
            ? fs.Take(rank - 2).Select(d => d.Value!.Value).ToArray()
            : null;

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

    /// <summary>ONNX pads (all begins, then all ends) from <c>explicit_paddings</c> (before, after per dimension).</summary>
    internal static long[] ExplicitPads(TfNodeContext c, bool channelsLast, int rank)
    {
        var given = c.Ints("explicit_paddings");
        if (given.Count != rank * 2)
        {
            throw c.AttributeError("explicit_paddings", $"has {given.Count} entries; padding EXPLICIT needs {rank * 2} (before, after per dimension)");
        }

        var spatialCount = rank - 2;
        var first = channelsLast ? 1 : 2;
        var pads = new long[spatialCount * 2];
        for (var i = 0; i < spatialCount; i++)
        {
            pads[i] = given[(first + i) * 2];
            pads[spatialCount + i] = given[((first + i) * 2) + 1];
            if (pads[i] < 0 || pads[spatialCount + i] < 0)
            {
                throw c.AttributeError("explicit_paddings", "must not be negative");
            }
        }

        return pads;
    }

    /// <summary>
    /// Whether SAME padding must be computed at run time: a spatial size is dynamic, a dilation is above 1 (ONNX Runtime
    /// refuses auto_pad SAME_* with dilations) and a stride is above 1 (with stride 1 the total padding, (k - 1) * d, does
    /// not depend on the size).
    /// </summary>
    private static bool NeedsRunTimeSamePads(TfNodeContext c, bool channelsLast, int rank, long[]? kernel, long[] strides, long[] dilations) =>
        kernel is not null && c.String("padding", "VALID") == "SAME" && dilations.Any(d => d > 1) && strides.Any(s => s > 1) &&
        (c.InputShape(0) is not { } shape || shape.Count != rank || Enumerable.Range(0, rank - 2).Any(i => !shape[(channelsLast ? 1 : 2) + i].IsFixed));

    /// <summary>
    /// <paramref name="x"/> (channels-first) padded with zeros as TensorFlow's SAME pads it, the amounts computed from its
    /// run-time spatial sizes: total max((ceil(in / s) - 1) * s + (k - 1) * d + 1 - in, 0), the smaller half before.
    /// </summary>
    private static Value RunTimeSamePad(TfNodeContext c, Value x, int rank, long[] kernel, long[] strides, long[] dilations)
    {
        var b = c.Builder;
        var spatial = rank - 2;
        var size = b.Op("Slice", b.Op("Shape", x), b.Int64s(2), b.Int64s(rank));
        var stride = b.Int64s(strides);
        var span = b.Int64s(Enumerable.Range(0, spatial).Select(i => ((kernel[i] - 1) * dilations[i]) + 1).ToArray());
        var output = b.Op("Div", b.Op("Sub", b.Op("Add", size, stride), b.Int64s(Enumerable.Repeat(1L, spatial).ToArray())), stride);
        var covered = b.Op("Add", b.Op("Mul", b.Op("Sub", output, b.Int64s(Enumerable.Repeat(1L, spatial).ToArray())), stride), span);
        var total = b.Op("Max", b.Op("Sub", covered, size), b.Int64s(new long[spatial]));
        var before = b.Op("Div", total, b.Int64s(Enumerable.Repeat(2L, spatial).ToArray()));
        var after = b.Op("Sub", total, before);
        var pads = b.Op("Concat", new[] { b.Int64s(0, 0), before, b.Int64s(0, 0), after }, NodeAttribute.Of("axis", 0L));
        return b.Op("Pad", new[] { x, pads }, NodeAttribute.Of("mode", "constant"));
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
            return new[] { NodeAttribute.Of("pads", ExplicitPads(c, channelsLast, rank)) };
        }

        var shape = c.InputShape(0);
        var stride1 = kernel is not null && strides.All(s => s == 1);
        if (!stride1 && (kernel is null || shape is null || shape.Count != rank))
        {
            return new[] { NodeAttribute.Of("auto_pad", "SAME_UPPER") };
        }

        var result = new long[spatialCount * 2];
        for (var i = 0; i < spatialCount; i++)
        {
            // With stride 1 the output has the input's size and the total padding is (k - 1) * d whatever the size.
            var size = stride1 ? 1 : shape![(channelsLast ? 1 : 2) + i].Value ?? -1;
            if (size < 0)
            {
                return new[] { NodeAttribute.Of("auto_pad", "SAME_UPPER") };
            }

            var output = (size + strides[i] - 1) / strides[i];
            var total = System.Math.Max(((output - 1) * strides[i]) + ((kernel![i] - 1) * dilations[i]) + 1 - size, 0);
            result[i] = total / 2;
            result[spatialCount + i] = total - (total / 2);
        }

        return new[] { NodeAttribute.Of("pads", result) };
    }
}
