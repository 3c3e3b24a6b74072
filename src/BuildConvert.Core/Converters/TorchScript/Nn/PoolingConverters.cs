using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript.Nn;

/// <summary>
/// Pooling (https://pytorch.org/docs/1.13/nn.functional.html#pooling-functions), with PyTorch's output sizes
/// (aten/src/ATen/native/Pool.h <c>pooling_output_shape</c>): out = floor-or-ceil((in + 2p - d(k-1) - 1) / s) + 1, and
/// in ceil mode one less when the last window would start in the end padding. Where the input's spatial sizes are
/// static the converter spells that out with explicit extra end padding (ceil_mode=0), so the result does not depend
/// on how a runtime reads ONNX's ceil_mode. <c>avg_pool</c>: count_include_pad=False is ONNX's count_include_pad=0;
/// with count_include_pad=True (or a divisor_override) the window sum is divided by PyTorch's divisor per position
/// (the window clipped to the padded input; or the override). <c>max_pool*_with_indices</c> gives PyTorch's indices
/// (flat within each channel's plane). <c>adaptive_avg_pool</c>/<c>adaptive_max_pool</c> use PyTorch's bins
/// (start = floor(i * in / out), end = ceil((i + 1) * in / out)): Global pooling for output size 1, one pooling op when
/// the size divides, else the bins one axis at a time (mean and max over a box are separable).
/// </summary>
internal static class PoolingConverters
{
    public static void Register(OpConverterRegistry<TorchOpHandler> r)
    {
        r.Op("aten::max_pool1d", c => MaxPool(c, 1, false), "ceil_mode, dilation, padding");
        r.Op("aten::max_pool2d", c => MaxPool(c, 2, false), "ceil_mode, dilation, padding");
        r.Op("aten::max_pool3d", c => MaxPool(c, 3, false), "ceil_mode, dilation, padding");
        r.Op("aten::max_pool1d_with_indices", c => MaxPool(c, 1, true), "indices as PyTorch's (flat within each plane)");
        r.Op("aten::max_pool2d_with_indices", c => MaxPool(c, 2, true), "indices as PyTorch's (flat within each plane)");
        r.Op("aten::max_pool3d_with_indices", c => MaxPool(c, 3, true), "indices as PyTorch's (flat within each plane)");
        r.Op("aten::avg_pool1d", c => AvgPool(c, 1), "ceil_mode, count_include_pad");
        r.Op("aten::avg_pool2d", c => AvgPool(c, 2), "ceil_mode, count_include_pad, divisor_override");
        r.Op("aten::avg_pool3d", c => AvgPool(c, 3), "ceil_mode, count_include_pad, divisor_override");
        r.Op("aten::adaptive_avg_pool1d", c => Adaptive(c, 1, "avg"), "any output size; PyTorch's bins");
        r.Op("aten::adaptive_avg_pool2d", c => Adaptive(c, 2, "avg"), "any output size; PyTorch's bins");
        r.Op("aten::adaptive_avg_pool3d", c => Adaptive(c, 3, "avg"), "any output size; PyTorch's bins");
        r.Op("aten::adaptive_max_pool1d", c => Adaptive(c, 1, "max"), "values; the indices output is refused (BCONV2205)");
        r.Op("aten::adaptive_max_pool2d", c => Adaptive(c, 2, "max"), "values; the indices output is refused (BCONV2205)");
        r.Op("aten::adaptive_max_pool3d", c => Adaptive(c, 3, "max"), "values; the indices output is refused (BCONV2205)");
    }

    /// <summary>Geometry of one pooling: kernel, stride, begin padding, extra end padding, output sizes (null: dynamic input).</summary>
    private sealed record Geometry(long[] Kernel, long[] Stride, long[] Pad, long[]? Extra, long[]? Input, long[]? Output, bool Ceil);

    private static Geometry Measure(TorchNodeContext c, Value x, int n, IReadOnlyList<long> kernel, IReadOnlyList<long> stride,
        IReadOnlyList<long> padding, IReadOnlyList<long> dilation, bool ceil)
    {
        var rank = TorchNodeContext.RankOf(x)!.Value;
        var s = stride.Count == 0 ? kernel.ToArray() : stride.ToArray();
        for (var i = 0; i < n; i++)
        {
            if (padding[i] * 2 > kernel[i])
            {
                throw c.Error($"pad should be at most half of effective kernel size, but got pad={padding[i]}, kernel_size={kernel[i]}");
            }
        }

        var input = new long[n];
        for (var i = 0; i < n; i++)
        {
            if (TorchNodeContext.StaticDim(x, rank - n + i) is not { } d)
            {
                return new Geometry(kernel.ToArray(), s, padding.ToArray(), null, null, null, ceil);
            }

            input[i] = d;
        }

        var output = new long[n];
        var extra = new long[n];
        for (var i = 0; i < n; i++)
        {
            var span = input[i] + (2 * padding[i]) - (dilation[i] * (kernel[i] - 1)) - 1;
            var o = (ceil ? CeilDiv(span, s[i]) : FloorDiv(span, s[i])) + 1;
            if (ceil && (o - 1) * s[i] >= input[i] + padding[i])
            {
                o--;
            }

            if (o < 1)
            {
                throw c.Error($"the output size {o} of spatial dimension {i} is too small (input {input[i]}, kernel {kernel[i]}, padding {padding[i]}, stride {s[i]})");
            }

            output[i] = o;
            extra[i] = System.Math.Max(0, ((o - 1) * s[i]) + (dilation[i] * (kernel[i] - 1)) + 1 - (input[i] + (2 * padding[i])));
        }

        return new Geometry(kernel.ToArray(), s, padding.ToArray(), extra, input, output, ceil);
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private static long CeilDiv(long a, long b) => -FloorDiv(-a, b);

    private static (Value X, bool Unbatched) Batched(TorchNodeContext c, Value x, int n)
    {
        var rank = c.Rank(x, c.Kind);
        if (rank == n + 1)
        {
            return (c.Builder.Unsqueeze(x, new long[] { 0 }), true);
        }

        if (rank != n + 2)
        {
            throw c.Error($"a {n}-D pooling takes inputs of rank {n + 1} or {n + 2}, and the input has rank {rank}");
        }

        return (x, false);
    }

    private static Value Unbatch(TorchNodeContext c, Value y, bool unbatched) => unbatched ? c.Builder.Squeeze(y, new long[] { 0 }) : y;

    private static List<NodeAttribute> Attributes(Geometry g, IReadOnlyList<long>? dilation)
    {
        var attributes = new List<NodeAttribute>
        {
            NodeAttribute.Of("kernel_shape", g.Kernel), NodeAttribute.Of("strides", g.Stride),
            NodeAttribute.Of("pads", g.Pad.Concat(g.Extra is null ? g.Pad : g.Pad.Zip(g.Extra, (p, e) => p + e)).ToArray()),
        };
        if (g.Extra is null && g.Ceil)
        {
            attributes.Add(NodeAttribute.Of("ceil_mode", 1L));
        }

        if (dilation is not null && dilation.Any(d => d != 1))
        {
            attributes.Add(NodeAttribute.Of("dilations", dilation));
        }

        return attributes;
    }

    private static void MaxPool(TorchNodeContext c, int n, bool withIndices)
    {
        // (self, kernel_size, stride, padding, dilation, ceil_mode)
        var input = c.Tensor(0);
        var type = c.ElementType(input);
        var (x, unbatched) = Batched(c, input, n);
        var kernel = c.Ints(1, "kernel_size", n);
        var stride = c.Ints(2, "stride", n);
        var padding = c.Ints(3, "padding", n);
        var dilation = c.Ints(4, "dilation", n);
        var g = Measure(c, input, n, kernel, stride.Count == 1 && n > 1 ? Enumerable.Repeat(stride[0], n).ToArray() : stride, padding, dilation, c.Bool(5, "ceil_mode"));
        var b = c.Builder;
        var pooled = TorchScalarTypes.IsFloating(type) || type is DataType.Int8 or DataType.Uint8 ? x : b.Cast(x, DataType.Float);
        var node = b.Node("MaxPool", new[] { pooled }, withIndices ? 2 : 1, Attributes(g, dilation));
        var values = node.Outputs[0]!;
        if (!ReferenceEquals(pooled, x))
        {
            values = b.Cast(values, type);
        }

        c.SetOutput(0, Unbatch(c, values, unbatched));
        if (withIndices)
        {
            // ONNX counts over the whole tensor (N, C, spatial...), PyTorch within each channel's plane.
            Value plane;
            if (g.Input is { } sizes)
            {
                plane = b.Const(TensorData.FromInt64s(new[] { sizes.Aggregate(1L, (a, d) => a * d) }, Array.Empty<long>()), "plane");
            }
            else
            {
                var spatial = b.Slice(b.Op("Shape", x), new long[] { 2 }, new long[] { long.MaxValue });
                plane = b.Reduce("ReduceProd", spatial, new long[] { 0 }, false);
            }

            var indices = b.Op("Mod", new[] { node.Outputs[1]!, plane }, NodeAttribute.Of("fmod", 0L));
            c.SetOutput(1, Unbatch(c, indices, unbatched));
        }
    }

    private static void AvgPool(TorchNodeContext c, int n)
    {
        // (self, kernel_size, stride, padding, ceil_mode, count_include_pad[, divisor_override])
        var input = c.Tensor(0);
        var type = c.ElementType(input);
        if (!TorchScalarTypes.IsFloating(type))
        {
            throw c.Error($"avg_pool takes floating-point tensors, and the input is {type}");
        }

        var (x, unbatched) = Batched(c, input, n);
        var kernel = c.Ints(1, "kernel_size", n);
        var stride = c.Ints(2, "stride", n);
        var padding = c.Ints(3, "padding", n);
        var ceil = c.Bool(4, "ceil_mode");
        var includePad = c.Bool(5, "count_include_pad");
        var divisorOverride = c.InputCount > 6 ? c.OptionalInt(6, "divisor_override") : null;
        if (divisorOverride is 0)
        {
            throw c.Error("divisor must be not zero");
        }

        var g = Measure(c, input, n, kernel, stride.Count == 1 && n > 1 ? Enumerable.Repeat(stride[0], n).ToArray() : stride, padding, Enumerable.Repeat(1L, n).ToArray(), ceil);
        var b = c.Builder;
        var area = kernel.Aggregate(1L, (a, k) => a * k);
        var clipped = g.Extra is { } extra && extra.Any(e => e > 0);
        if (g.Extra is null && (divisorOverride is not null || (ceil && includePad)))
        {
            throw c.Unsupported("avg_pool with ceil_mode and count_include_pad=True, or with a divisor_override, needs the input's spatial sizes at conversion time (give the graph inputs' shapes)");
        }

        if (!includePad && divisorOverride is null)
        {
            var attributes = Attributes(g, null);
            attributes.Add(NodeAttribute.Of("count_include_pad", 0L));
            c.SetOutput(0, Unbatch(c, b.Op("AveragePool", new[] { x }, attributes.ToArray()), unbatched));
            return;
        }

        var including = Attributes(g, null);
        including.Add(NodeAttribute.Of("count_include_pad", 1L));
        var average = b.Op("AveragePool", new[] { x }, including.ToArray());
        if (divisorOverride is null && !clipped)
        {
            c.SetOutput(0, Unbatch(c, average, unbatched));
            return;
        }

        // The window sums, divided by PyTorch's divisor: the override, or each window clipped to the padded input.
        var sum = b.Op("Mul", average, b.Scalar(type, area));
        Value divisor;
        if (divisorOverride is { } d)
        {
            divisor = b.Scalar(type, d);
        }
        else
        {
            var output = g.Output!;
            var counts = new double[output.Aggregate(1L, (a, o) => a * o)];
            var index = new long[n];
            for (var flat = 0; flat < counts.Length; flat++)
            {
                var rest = (long)flat;
                for (var i = n - 1; i >= 0; i--)
                {
                    index[i] = rest % output[i];
                    rest /= output[i];
                }

                var size = 1.0;
                for (var i = 0; i < n; i++)
                {
                    var start = (index[i] * g.Stride[i]) - g.Pad[i];
                    var end = System.Math.Min(start + g.Kernel[i], g.Input![i] + g.Pad[i]);
                    size *= end - start;
                }

                counts[flat] = size;
            }

            divisor = b.Const(TensorData.FromDoubles(counts, output.ToArray()), "divisor");
            divisor = type == DataType.Double ? divisor : b.Cast(divisor, type);
        }

        c.SetOutput(0, Unbatch(c, b.Op("Div", sum, divisor), unbatched));
    }

    private static void Adaptive(TorchNodeContext c, int n, string kind)
    {
        var input = c.Tensor(0);
        var type = c.ElementType(input);
        var (x, unbatched) = Batched(c, input, n);
        var sizes = c.Ints(1, "output_size", n);
        var b = c.Builder;
        if (kind == "max" && c.OutputCount > 1 && c.IsUsed(1))
        {
            AdaptiveMaxWithIndices(c, x, unbatched, n, sizes);
            return;
        }

        if (kind == "avg" && !TorchScalarTypes.IsFloating(type))
        {
            throw c.Error($"adaptive_avg_pool takes floating-point tensors, and the input is {type}");
        }

        var rank = n + 2;
        Value result;
        if (sizes.All(s => s == 1))
        {
            result = b.Op(kind == "avg" ? "GlobalAveragePool" : "GlobalMaxPool", x);
        }
        else
        {
            var input_ = new long[n];
            for (var i = 0; i < n; i++)
            {
                input_[i] = TorchNodeContext.StaticDim(x, rank - n + i) ?? StaticDim(c, input, n, i);
            }

            if (input_.Zip(sizes).All(p => p.Second > 0 && p.First % p.Second == 0))
            {
                var k = input_.Zip(sizes, (a, o) => a / o).ToArray();
                result = b.Op(kind == "avg" ? "AveragePool" : "MaxPool", new[] { x },
                    NodeAttribute.Of("kernel_shape", k), NodeAttribute.Of("strides", k));
            }
            else
            {
                result = x;
                var reduce = kind == "avg" ? "ReduceMean" : "ReduceMax";
                for (var i = 0; i < n; i++)
                {
                    var axis = rank - n + i;
                    var size = input_[i];
                    var o = sizes[i];
                    if (o <= 0)
                    {
                        throw c.Error($"output_size {o} must be positive");
                    }

                    if (o == size)
                    {
                        continue;
                    }

                    var bins = new List<Value>();
                    for (var j = 0L; j < o; j++)
                    {
                        var start = j * size / o;
                        var end = (((j + 1) * size) + o - 1) / o;
                        bins.Add(b.Reduce(reduce, b.Slice(result, new[] { start }, new[] { end }, new long[] { axis }), new long[] { axis }, true));
                    }

                    result = bins.Count == 1 ? bins[0] : b.Op("Concat", bins, NodeAttribute.Of("axis", (long)axis));
                }
            }
        }

        c.SetOutput(0, Unbatch(c, result, unbatched));
        if (c.OutputCount > 1 && !c.IsUsed(1))
        {
            c.SetConstant(1, TorchNone.Instance);
        }
    }

    /// <summary>adaptive_max_pool with its indices: one MaxPool when every output size divides the input's.</summary>
    private static void AdaptiveMaxWithIndices(TorchNodeContext c, Value x, bool unbatched, int n, IReadOnlyList<long> sizes)
    {
        var rank = n + 2;
        var input = Enumerable.Range(0, n).Select(i => TorchNodeContext.StaticDim(x, rank - n + i)).ToArray();
        if (input.Any(d => d is null) || input.Zip(sizes).Any(p => p.Second <= 0 || p.First!.Value % p.Second != 0))
        {
            throw c.Unsupported("the indices output of adaptive_max_pool converts when every output size divides the input's static size; here the bins overlap or the sizes are dynamic");
        }

        var b = c.Builder;
        var k = input.Zip(sizes, (a, o) => a!.Value / o).ToArray();
        var node = b.Node("MaxPool", new[] { x }, 2, new[] { NodeAttribute.Of("kernel_shape", k), NodeAttribute.Of("strides", k) });
        var plane = b.Const(TensorData.FromInt64s(new[] { input.Aggregate(1L, (a, d) => a * d!.Value) }, Array.Empty<long>()), "plane");
        c.SetOutput(0, Unbatch(c, node.Outputs[0]!, unbatched));
        c.SetOutput(1, Unbatch(c, b.Op("Mod", new[] { node.Outputs[1]!, plane }, NodeAttribute.Of("fmod", 0L)), unbatched));
    }

    private static long StaticDim(TorchNodeContext c, Value input, int n, int i) =>
        c.RequireDim(input, TorchNodeContext.RankOf(input)!.Value - n + i, "adaptive pooling to an output size other than 1");
}
