using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs.Inference;

/// <summary>
/// Convolution and pooling (pads, auto_pad SAME_UPPER/SAME_LOWER/VALID, strides, dilations, group, ceil_mode,
/// output_padding/output_shape), global pools, normalizations with extra outputs (BatchNormalization of every
/// version, LayerNormalization), recurrent layers (RNN/GRU/LSTM, both layouts), RoiAlign, MaxRoiPool, GridSample,
/// Col2Im, AffineGrid.
/// </summary>
internal static class NeuralNetInference
{
    public static void Register(InferenceRegistry.Builder r)
    {
        r.Add("Conv", c => Convolution(c, 0, 1, c.InputElementType(0)));
        r.Add("ConvInteger", 10, c => Convolution(c, 0, 1, DataType.Int32));
        r.Add("QLinearConv", 10, c => Convolution(c, 0, 3, c.HasInput(7) ? c.InputElementType(7) : DataType.Uint8));
        r.Add("DeformConv", 19, c => Convolution(c, 0, 1, c.InputElementType(0)));
        r.Add("ConvTranspose", ConvTranspose);
        r.AddAll(new[] { "MaxPool", "AveragePool", "LpPool" }, Pool);
        r.AddAll(new[] { "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool" }, GlobalPool);
        r.Add("MaxUnpool", 9, MaxUnpool);
        r.Add("MaxRoiPool", MaxRoiPool);
        r.Add("RoiAlign", 10, RoiAlign);
        r.Add("BatchNormalization", BatchNormalization);
        r.Add("LayerNormalization", 17, LayerNormalization);
        r.Add("RNN", c => Recurrent(c, stateOutputs: 1));
        r.Add("GRU", c => Recurrent(c, stateOutputs: 1));
        r.Add("LSTM", c => Recurrent(c, stateOutputs: 2));
        r.Add("GridSample", 16, GridSample);
        r.Add("Col2Im", 18, Col2Im);
        r.Add("AffineGrid", 20, AffineGrid);
    }

    /// <summary>One spatial output size of a convolution or pool.</summary>
    private static Dim SpatialSize(Dim input, long kernel, long stride, long dilation, long padBegin, long padEnd, string autoPad, bool ceil)
    {
        if (autoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            return stride == 1 ? ShapeMath.Plain(input) : ShapeMath.Map(input, v => ShapeMath.CeilDiv(v, stride));
        }

        var effective = (kernel - 1) * dilation + 1;
        if (autoPad == "VALID")
        {
            padBegin = padEnd = 0;
        }

        if (input.Value is not { } size)
        {
            return effective == 1 && stride == 1 && padBegin + padEnd == 0 ? ShapeMath.Plain(input) : Dim.Unknown;
        }

        var span = size + padBegin + padEnd - effective;
        if (span < 0)
        {
            throw new InferenceFailure($"the kernel (effective size {effective}) is larger than the padded input ({size + padBegin + padEnd})");
        }

        if (!ceil || autoPad == "VALID")
        {
            return Dim.Of(span / stride + 1);
        }

        var output = ShapeMath.CeilDiv(span, stride) + 1;
        if ((output - 1) * stride >= size + padBegin)
        {
            // The last window would start in the end padding: it is dropped.
            output--;
        }

        return Dim.Of(output);
    }

    private static (long[] Kernel, long[] Strides, long[] Dilations, long[] Pads, string AutoPad) Geometry(InferenceContext c, int spatial, long[]? kernelFromWeights)
    {
        var kernel = c.Node.GetInts("kernel_shape")?.ToArray() ?? kernelFromWeights;
        if (kernel is null)
        {
            throw new InferenceFailure("kernel_shape is missing");
        }

        if (kernel.Length != spatial)
        {
            c.Fail($"kernel_shape has {kernel.Length} values for {spatial} spatial dimensions");
        }

        var strides = Rules.Spatial(c, "strides", spatial, 1);
        var dilations = Rules.Spatial(c, "dilations", spatial, 1);
        var pads = c.Node.GetInts("pads") is { Count: > 0 } p ? p.ToArray() : new long[2 * spatial];
        if (pads.Length != 2 * spatial)
        {
            c.Fail($"pads has {pads.Length} values for {spatial} spatial dimensions");
        }

        if (strides.Any(s => s <= 0) || dilations.Any(d => d <= 0))
        {
            c.Fail("strides and dilations must be positive");
        }

        return (kernel, strides, dilations, pads, c.Node.GetString("auto_pad", "NOTSET"));
    }

    private static void Convolution(InferenceContext c, int x, int w, DataType elem)
    {
        var input = c.InputShape(x);
        var weights = c.InputShape(w);
        var rank = input?.Count ?? weights?.Count;
        if (rank is null)
        {
            c.SetOutput(0, elem, null);
            return;
        }

        if (rank < 3 || (input is not null && weights is not null && input.Count != weights.Count))
        {
            c.Fail($"input {OnnxType.FormatShape(input)} and weights {OnnxType.FormatShape(weights)} do not fit a convolution");
        }

        var spatial = rank.Value - 2;
        var group = c.Node.GetInt("group", 1);
        if (input is not null && weights is not null && input[1].Value is { } channels && weights[1].Value is { } perGroup && channels != perGroup * group)
        {
            c.Fail($"input has {channels} channels but weights expect {perGroup} per group × {group} groups");
        }

        long[]? kernelFromWeights = weights is not null && weights.Skip(2).All(d => d.IsFixed) ? weights.Skip(2).Select(d => d.Value!.Value).ToArray() : null;
        var result = new Dim[rank.Value];
        result[0] = input is null ? Dim.Unknown : ShapeMath.Plain(input[0]);
        result[1] = weights is null ? Dim.Unknown : ShapeMath.Plain(weights[0]);
        if (input is null || (c.Node.GetInts("kernel_shape") is null && kernelFromWeights is null))
        {
            for (var i = 2; i < result.Length; i++)
            {
                result[i] = Dim.Unknown;
            }
        }
        else
        {
            var g = Geometry(c, spatial, kernelFromWeights);
            for (var i = 0; i < spatial; i++)
            {
                result[i + 2] = SpatialSize(input[i + 2], g.Kernel[i], g.Strides[i], g.Dilations[i], g.Pads[i], g.Pads[i + spatial], g.AutoPad, ceil: false);
            }
        }

        c.SetOutput(0, elem, result);
    }

    private static void ConvTranspose(InferenceContext c)
    {
        var input = c.InputShape(0);
        var weights = c.InputShape(1);
        var elem = c.InputElementType(0);
        var rank = input?.Count ?? weights?.Count;
        if (rank is null)
        {
            c.SetOutput(0, elem, null);
            return;
        }

        var spatial = rank.Value - 2;
        var group = c.Node.GetInt("group", 1);
        var result = new Dim[rank.Value];
        result[0] = input is null ? Dim.Unknown : ShapeMath.Plain(input[0]);
        result[1] = weights is null ? Dim.Unknown : ShapeMath.Map(weights[1], v => v * group);
        long[]? kernelFromWeights = weights is not null && weights.Skip(2).All(d => d.IsFixed) ? weights.Skip(2).Select(d => d.Value!.Value).ToArray() : null;
        if (c.Node.GetInts("output_shape") is { } outputShape)
        {
            var given = outputShape.Count == rank ? outputShape.Skip(2).ToArray() : outputShape.ToArray();
            if (given.Length != spatial)
            {
                c.Fail($"output_shape has {outputShape.Count} values for {spatial} spatial dimensions");
            }

            for (var i = 0; i < spatial; i++)
            {
                result[i + 2] = Dim.Of(given[i]);
            }
        }
        else if (input is null || (c.Node.GetInts("kernel_shape") is null && kernelFromWeights is null))
        {
            for (var i = 2; i < result.Length; i++)
            {
                result[i] = Dim.Unknown;
            }
        }
        else
        {
            var g = Geometry(c, spatial, kernelFromWeights);
            var outputPadding = Rules.Spatial(c, "output_padding", spatial, 0);
            for (var i = 0; i < spatial; i++)
            {
                var s = g.Strides[i];
                result[i + 2] = g.AutoPad is "SAME_UPPER" or "SAME_LOWER"
                    ? ShapeMath.Map(input[i + 2], v => v * s)
                    : ShapeMath.Map(input[i + 2], v => s * (v - 1) + outputPadding[i] + (g.Kernel[i] - 1) * g.Dilations[i] + 1 -
                        (g.AutoPad == "VALID" ? 0 : g.Pads[i] + g.Pads[i + spatial]));
            }
        }

        c.SetOutput(0, elem, result);
    }

    private static void Pool(InferenceContext c)
    {
        var input = c.InputShape(0);
        var elem = c.InputElementType(0);
        if (input is null)
        {
            c.SetOutput(0, elem, null);
            c.SetOutput(1, DataType.Int64, null);
            return;
        }

        if (input.Count < 3)
        {
            c.Fail($"the input must have rank 3 or more, not {input.Count}");
        }

        var spatial = input.Count - 2;
        var g = Geometry(c, spatial, null);
        var ceil = c.Node.GetInt("ceil_mode", 0) != 0;
        var result = new Dim[input.Count];
        result[0] = ShapeMath.Plain(input[0]);
        result[1] = ShapeMath.Plain(input[1]);
        for (var i = 0; i < spatial; i++)
        {
            result[i + 2] = SpatialSize(input[i + 2], g.Kernel[i], g.Strides[i], g.Dilations[i], g.Pads[i], g.Pads[i + spatial], g.AutoPad, ceil);
        }

        c.SetOutput(0, elem, result);
        c.SetOutput(1, DataType.Int64, result);
    }

    private static void GlobalPool(InferenceContext c)
    {
        var input = c.InputShape(0);
        c.SetOutput(0, c.InputElementType(0), input?.Select((d, i) => i < 2 ? ShapeMath.Plain(d) : Dim.Of(1)).ToArray());
    }

    private static void MaxUnpool(InferenceContext c)
    {
        var input = c.InputShape(0);
        var elem = c.InputElementType(0);
        if (c.HasInput(2))
        {
            var given = c.InputValues(2);
            c.SetOutput(0, elem, given?.Select(ShapeMath.Plain).ToArray() ??
                (input is null ? null : input.Select(_ => Dim.Unknown).ToArray()));
            return;
        }

        if (input is null)
        {
            c.SetOutput(0, elem, null);
            return;
        }

        var spatial = input.Count - 2;
        var g = Geometry(c, spatial, null);
        var result = input.Select(ShapeMath.Plain).ToArray();
        for (var i = 0; i < spatial; i++)
        {
            var k = i;
            result[i + 2] = ShapeMath.Map(input[i + 2], v => (v - 1) * g.Strides[k] + g.Kernel[k] - g.Pads[k] - g.Pads[k + spatial]);
        }

        c.SetOutput(0, elem, result);
    }

    private static void MaxRoiPool(InferenceContext c)
    {
        var input = c.InputShape(0);
        var rois = c.InputShape(1);
        var pooled = c.Node.GetInts("pooled_shape");
        if (pooled is not { Count: 2 })
        {
            c.Fail("pooled_shape must have 2 values");
        }

        c.SetOutput(0, c.InputElementType(0), new[]
        {
            rois is null ? Dim.Unknown : ShapeMath.Plain(rois[0]), input is null ? Dim.Unknown : ShapeMath.Plain(input[1]),
            Dim.Of(pooled![0]), Dim.Of(pooled[1]),
        });
    }

    private static void RoiAlign(InferenceContext c)
    {
        var input = c.InputShape(0);
        var rois = c.InputShape(1);
        var indices = c.InputShape(2);
        var count = rois is not null ? ShapeMath.Plain(rois[0]) : indices is not null ? ShapeMath.Plain(indices[0]) : Dim.Unknown;
        c.SetOutput(0, c.InputElementType(0), new[]
        {
            count, input is null || input.Count < 2 ? Dim.Unknown : ShapeMath.Plain(input[1]),
            Dim.Of(c.Node.GetInt("output_height", 1)), Dim.Of(c.Node.GetInt("output_width", 1)),
        });
    }

    private static void BatchNormalization(InferenceContext c)
    {
        var input = c.InputShape(0);
        var elem = c.InputElementType(0);
        c.SetOutput(0, elem, input?.Select(ShapeMath.Plain).ToArray());
        var channels = input is { Count: >= 2 } ? ShapeMath.Plain(input[1]) : c.InputShape(1) is [var s] ? ShapeMath.Plain(s) : Dim.Unknown;
        var statistics = c.Opset >= 14 ? c.InputElementType(3) : elem;
        for (var i = 1; i < c.OutputCount; i++)
        {
            c.SetOutput(i, i <= 2 ? statistics : elem, new[] { channels });
        }
    }

    private static void LayerNormalization(InferenceContext c)
    {
        var input = c.InputShape(0);
        c.SetOutput(0, c.InputElementType(0), input?.Select(ShapeMath.Plain).ToArray());
        var stash = Rules.DataTypeAttribute(c, "stash_type", DataType.Float);
        if (input is null)
        {
            c.SetOutput(1, stash, null);
            c.SetOutput(2, stash, null);
            return;
        }

        var axis = c.Axis(c.Node.GetInt("axis", -1), input.Count);
        var reduced = input.Select((d, i) => i < axis ? ShapeMath.Plain(d) : Dim.Of(1)).ToArray();
        c.SetOutput(1, stash, reduced);
        c.SetOutput(2, stash, reduced);
    }

    private static void Recurrent(InferenceContext c, int stateOutputs)
    {
        var x = c.InputShape(0);
        var elem = c.InputElementType(0);
        var directions = c.Node.GetString("direction", "forward") == "bidirectional" ? 2 : 1;
        var hidden = c.Node.Attribute("hidden_size") is { } h ? Dim.Of(h.Int)
            : c.InputShape(2) is [_, var r, _] ? ShapeMath.Plain(r) : Dim.Unknown;
        var batchMajor = c.Opset >= 14 && c.Node.GetInt("layout", 0) != 0;
        Dim seq = Dim.Unknown, batch = Dim.Unknown;
        if (x is not null)
        {
            if (x.Count != 3)
            {
                c.Fail($"X must have rank 3, not {x.Count}");
            }

            seq = ShapeMath.Plain(batchMajor ? x[1] : x[0]);
            batch = ShapeMath.Plain(batchMajor ? x[0] : x[1]);
        }

        var nd = Dim.Of(directions);
        c.SetOutput(0, elem, batchMajor ? new[] { batch, seq, nd, hidden } : new[] { seq, nd, batch, hidden });
        for (var i = 1; i <= stateOutputs; i++)
        {
            c.SetOutput(i, elem, batchMajor ? new[] { batch, nd, hidden } : new[] { nd, batch, hidden });
        }
    }

    private static void GridSample(InferenceContext c)
    {
        var input = c.InputShape(0);
        var grid = c.InputShape(1);
        var elem = c.InputElementType(0);
        if (input is null && grid is null)
        {
            c.SetOutput(0, elem, null);
            return;
        }

        var rank = input?.Count ?? grid!.Count;
        var result = new Dim[rank];
        result[0] = input is not null ? ShapeMath.Plain(input[0]) : ShapeMath.Plain(grid![0]);
        result[1] = input is not null ? ShapeMath.Plain(input[1]) : Dim.Unknown;
        for (var i = 2; i < rank; i++)
        {
            result[i] = grid is not null && i - 1 < grid.Count ? ShapeMath.Plain(grid[i - 1]) : Dim.Unknown;
        }

        c.SetOutput(0, elem, result);
    }

    private static void Col2Im(InferenceContext c)
    {
        var input = c.InputShape(0);
        var image = c.InputInts(1);
        var block = c.InputInts(2);
        var elem = c.InputElementType(0);
        var spatial = image?.Length ?? block?.Length ?? (c.InputShape(1) is [{ Value: { } n }] ? (int)n : -1);
        if (spatial < 0)
        {
            c.SetOutput(0, elem, null);
            return;
        }

        var result = new Dim[spatial + 2];
        result[0] = input is null ? Dim.Unknown : ShapeMath.Plain(input[0]);
        result[1] = input is not null && block is not null ? ShapeMath.Map(input[1], v => v / block.Aggregate(1L, (p, b) => p * b)) : Dim.Unknown;
        for (var i = 0; i < spatial; i++)
        {
            result[i + 2] = image is null ? Dim.Unknown : Dim.Of(image[i]);
        }

        c.SetOutput(0, elem, result);
    }

    private static void AffineGrid(InferenceContext c)
    {
        var size = c.InputValues(1);
        var elem = c.InputElementType(0);
        if (size is null)
        {
            c.SetOutput(0, elem, c.InputShape(1) is [{ Value: { } n }] ? Enumerable.Repeat(Dim.Unknown, (int)n).ToArray() : null);
            return;
        }

        var spatial = size.Count - 2;
        c.SetOutput(0, elem, new[] { ShapeMath.Plain(size[0]) }.Concat(size.Skip(2).Select(ShapeMath.Plain)).Append(Dim.Of(spatial)).ToArray());
    }
}
