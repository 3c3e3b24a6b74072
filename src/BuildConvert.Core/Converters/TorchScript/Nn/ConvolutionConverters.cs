using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Converters.TorchScript.Nn;

/// <summary>
/// Convolutions (https://pytorch.org/docs/1.13/nn.functional.html#convolution-functions): <c>conv1d/2d/3d</c> with
/// int-list padding or the strings 'valid' and 'same' (PyTorch puts the odd extra padding at the end), groups and
/// dilation; <c>conv_transpose1d/2d/3d</c> with output_padding; and the generic <c>_convolution</c>,
/// <c>_convolution_mode</c> and <c>convolution</c> that traced models record (transposed flag, output_padding; the
/// cuDNN/benchmark flags do not change the result). PyTorch's weight layouts ([out, in/groups, k...] and, transposed,
/// [in, out/groups, k...]) are ONNX Conv's and ConvTranspose's. Unbatched inputs (rank = spatial + 1) get a batch
/// dimension for the ONNX op and lose it after.
/// </summary>
internal static class ConvolutionConverters
{
    public static void Register(OpConverterRegistry<TorchOpHandler> r)
    {
        r.Op("aten::conv1d", c => Conv(c, padding: 4, dilation: 5, groups: 6), "padding int list, 'valid' or 'same'");
        r.Op("aten::conv2d", c => Conv(c, padding: 4, dilation: 5, groups: 6), "padding int list, 'valid' or 'same'");
        r.Op("aten::conv3d", c => Conv(c, padding: 4, dilation: 5, groups: 6), "padding int list, 'valid' or 'same'");
        r.Op("aten::_convolution_mode", c => Conv(c, padding: 4, dilation: 5, groups: 6), "padding 'valid' or 'same'");
        r.Op("aten::_convolution", c => Generic(c), "transposed and output_padding; the cuDNN and benchmark flags are ignored");
        r.Op("aten::convolution", c => Generic(c));
        r.Op("aten::conv_transpose1d", Transposed, "output_padding, groups, dilation");
        r.Op("aten::conv_transpose2d", Transposed, "output_padding, groups, dilation");
        r.Op("aten::conv_transpose3d", Transposed, "output_padding, groups, dilation");
    }

    private static void Conv(TorchNodeContext c, int padding, int dilation, int groups)
    {
        var weight = c.Tensor(1);
        var n = c.Rank(weight, c.Kind) - 2;
        var stride = c.Ints(3, "stride", n);
        var dilations = c.Ints(dilation, "dilation", n);
        IReadOnlyList<long> pads;
        if (c.ConstantOf(padding) is string mode)
        {
            pads = ModePads(c, mode, weight, n, stride, dilations);
        }
        else
        {
            var p = c.Ints(padding, "padding", n);
            pads = p.Concat(p).ToArray();
        }

        Emit(c, "Conv", weight, n, stride, pads, dilations, c.Int(groups, "groups"), null);
    }

    /// <summary>'valid': no padding; 'same': dilation * (k - 1) in total per dimension, the odd one at the end.</summary>
    private static long[] ModePads(TorchNodeContext c, string mode, Value weight, int n, IReadOnlyList<long> stride, IReadOnlyList<long> dilations)
    {
        switch (mode)
        {
            case "valid":
                return new long[2 * n];
            case "same":
                if (stride.Any(s => s != 1))
                {
                    throw c.Error("padding='same' is not supported for strided convolutions");
                }

                var pads = new long[2 * n];
                for (var i = 0; i < n; i++)
                {
                    var total = dilations[i] * (c.RequireDim(weight, i + 2, "padding='same'") - 1);
                    pads[i] = total / 2;
                    pads[i + n] = total - (total / 2);
                }

                return pads;
            default:
                throw c.Error($"padding '{mode}' is not one of 'valid' and 'same'");
        }
    }

    private static void Generic(TorchNodeContext c)
    {
        // (input, weight, bias, stride, padding, dilation, transposed, output_padding, groups, ...)
        var weight = c.Tensor(1);
        var n = c.Rank(weight, c.Kind) - 2;
        var stride = c.Ints(3, "stride", n);
        var dilations = c.Ints(5, "dilation", n);
        var transposed = c.Bool(6, "transposed");
        var groups = c.Int(8, "groups");
        IReadOnlyList<long> pads = c.ConstantOf(4) is string mode
            ? ModePads(c, mode, weight, n, stride, dilations)
            : c.Ints(4, "padding", n) is var p ? p.Concat(p).ToArray() : null!;
        Emit(c, transposed ? "ConvTranspose" : "Conv", weight, n, stride, pads, dilations, groups, transposed ? c.Ints(7, "output_padding", n) : null);
    }

    private static void Transposed(TorchNodeContext c)
    {
        // (input, weight, bias, stride, padding, output_padding, groups, dilation)
        var weight = c.Tensor(1);
        var n = c.Rank(weight, c.Kind) - 2;
        var p = c.Ints(4, "padding", n);
        Emit(c, "ConvTranspose", weight, n, c.Ints(3, "stride", n), p.Concat(p).ToArray(), c.Ints(7, "dilation", n), c.Int(6, "groups"), c.Ints(5, "output_padding", n));
    }

    private static void Emit(TorchNodeContext c, string op, Value weight, int n, IReadOnlyList<long> stride, IReadOnlyList<long> pads,
        IReadOnlyList<long> dilations, long groups, IReadOnlyList<long>? outputPadding)
    {
        var x = c.Tensor(0);
        var type = c.ElementType(x);
        if (!TorchScalarTypes.IsFloating(type))
        {
            throw c.Error($"convolution takes floating-point tensors, and the input is {type}");
        }

        var b = c.Builder;
        var rank = c.Rank(x, "convolution");
        var unbatched = rank == n + 1;
        if (!unbatched && rank != n + 2)
        {
            throw c.Error($"a {n}-D convolution takes inputs of rank {n + 1} or {n + 2}, and the input has rank {rank}");
        }

        if (unbatched)
        {
            x = b.Unsqueeze(x, new long[] { 0 });
        }

        var attributes = new List<NodeAttribute>
        {
            NodeAttribute.Of("strides", stride), NodeAttribute.Of("pads", pads), NodeAttribute.Of("dilations", dilations),
            NodeAttribute.Of("group", groups),
        };
        if (outputPadding is not null && outputPadding.Any(o => o != 0))
        {
            attributes.Add(NodeAttribute.Of("output_padding", outputPadding));
        }

        var bias = c.Has(2) ? c.CastTo(c.Tensor(2), type) : null;
        var y = b.Op(op, bias is null ? new[] { x, c.CastTo(weight, type) } : new[] { x, c.CastTo(weight, type), bias }, attributes.ToArray());
        c.SetOutput(0, unbatched ? b.Squeeze(y, new long[] { 0 }) : y);
    }
}
