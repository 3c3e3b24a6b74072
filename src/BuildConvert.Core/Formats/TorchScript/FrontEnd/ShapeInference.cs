using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Converters.TorchScript.Schemas;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Formats.TorchScript.FrontEnd;

/// <summary>
/// Static shapes and element types of the common ATen operators' tensor results, so that rank checks
/// (<c>x.dim() == 4</c>) and static sizes (<c>x.size(1)</c>) fold: elementwise (unary, broadcasting binary,
/// in-place), normalizations, activations, convolutions (incl. _convolution, transposed), pooling (max/avg,
/// adaptive), linear/addmm/matmul/mm/bmm, flatten, view/reshape (with -1), (un)squeeze, transpose/permute/t,
/// select/slice, cat/stack, reductions over dims, embedding, size-given factories, the fused encoder layer and
/// attention (result 0). Anything else gets no shape
/// (rank unknown), which keeps later queries as nodes. A named dynamic dimension passes through where the operator
/// keeps it (the batch through a convolution); a computed one becomes unknown.
/// </summary>
internal static class ShapeInference
{
    private static readonly HashSet<string> SameShape = new(StringComparer.Ordinal)
    {
        "relu", "relu_", "relu6", "sigmoid", "sigmoid_", "tanh", "tanh_", "hardtanh", "hardtanh_", "hardswish", "hardswish_",
        "hardsigmoid", "hardsigmoid_", "gelu", "silu", "silu_", "mish", "elu", "elu_", "selu", "leaky_relu", "leaky_relu_",
        "softplus", "dropout", "dropout_", "feature_dropout", "alpha_dropout", "feature_alpha_dropout", "batch_norm",
        "layer_norm", "instance_norm", "group_norm", "clone", "contiguous", "neg", "abs", "exp", "log", "sqrt", "rsqrt",
        "softmax", "log_softmax", "clamp", "clamp_", "clamp_min", "clamp_max", "sign", "masked_fill", "masked_fill_",
        "detach", "alias", "square", "erf", "reciprocal", "cumsum", "floor", "ceil", "round", "sin", "cos", "neg_",
        "hardshrink", "logsigmoid", "prelu", "native_dropout", "channel_shuffle", "pixel_shuffle_unused", "fill_",
        "zero_", "copy_", "type_as", "zeros_like", "ones_like", "rand_like", "randn_like", "full_like", "empty_like",
        "celu", "glu_unused", "threshold", "threshold_", "log1p", "expm1", "trunc", "frac", "nan_to_num", "logit",

        // The fused fast paths: the encoder layer's result and the attention's output (result 0) are src's / query's shape.
        "_transformer_encoder_layer_fwd", "_native_multi_head_attention",
    };

    private static readonly HashSet<string> Broadcast = new(StringComparer.Ordinal)
    {
        "add", "add_", "sub", "sub_", "mul", "mul_", "div", "div_", "rsub", "pow", "maximum", "minimum", "floor_divide",
        "remainder", "fmod", "atan2", "where", "addcmul", "addcdiv", "lerp", "hypot", "__and__", "__or__", "__xor__",
        "bitwise_and", "bitwise_or", "logical_and", "logical_or", "logical_xor",
    };

    private static readonly HashSet<string> Comparisons = new(StringComparer.Ordinal)
    {
        "eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf", "isfinite", "logical_not", "__not__",
    };

    public static void Apply(AtenSchema schema, IReadOnlyList<TorchValue> inputs, OutputSpec[] outputs, Func<TorchValue, IReadOnlyList<TorchValue>?> listItems)
    {
        if (outputs.Length == 0 || outputs[0].Type.Kind != TorchTypeKind.Tensor)
        {
            return;
        }

        var op = schema.Name[(schema.Name.IndexOf("::", StringComparison.Ordinal) + 2)..];
        try
        {
            var (shape, type) = op is "cat" or "concat" or "stack" && listItems(inputs[0]) is { } items
                ? Concatenate(op, items, inputs[1].Constant as long?)
                : Infer(op, schema, inputs);
            outputs[0] = outputs[0] with { Shape = shape, ElementType = type };
            if (op is "max_pool2d_with_indices" or "adaptive_max_pool2d" or "max_pool1d_with_indices" or "max_pool3d_with_indices" && outputs.Length > 1)
            {
                outputs[1] = outputs[1] with { Shape = shape, ElementType = DataType.Int64 };
            }
        }
        catch (Exception e) when (e is InvalidCastException or IndexOutOfRangeException or ArgumentOutOfRangeException or NullReferenceException)
        {
            // A shape rule that meets arguments it does not expect leaves the shape unknown; the converter checks them.
        }
    }

    private static (IReadOnlyList<Dim>? Shape, DataType? Type) Infer(string op, AtenSchema schema, IReadOnlyList<TorchValue> x)
    {
        var first = x.Count > 0 ? x[0] : null;
        var s0 = first?.Shape;
        var t0 = first?.ElementType;
        if (SameShape.Contains(op))
        {
            return (s0, op is "softmax" or "log_softmax" && Int(x, 2) is not null && x[2].Constant is long code ? ConstantFolder.ElementTypeOf(code) ?? t0 : t0);
        }

        if (Broadcast.Contains(op) || Comparisons.Contains(op))
        {
            var tensors = x.Where(v => v.Type.Kind == TorchTypeKind.Tensor).ToArray();
            IReadOnlyList<Dim>? shape = Array.Empty<Dim>();
            foreach (var t in tensors)
            {
                shape = BroadcastShapes(shape, t.Shape);
            }

            var type = Comparisons.Contains(op) ? DataType.Bool : tensors.Select(t => t.ElementType).FirstOrDefault(e => e is DataType.Float or DataType.Double) ?? t0;
            if (op == "where" && x.Count > 1)
            {
                type = x[1].ElementType;
            }

            return (shape, type);
        }

        switch (op)
        {
            case "conv1d" or "conv2d" or "conv3d" or "_convolution" or "convolution" or "conv_transpose1d" or "conv_transpose2d" or "conv_transpose3d":
                return (Convolution(op, x), t0);
            case "max_pool1d" or "max_pool2d" or "max_pool3d" or "avg_pool1d" or "avg_pool2d" or "avg_pool3d" or "max_pool2d_with_indices":
                return (Pool(op, x), t0);
            case "adaptive_avg_pool1d" or "adaptive_avg_pool2d" or "adaptive_avg_pool3d" or "adaptive_max_pool2d" or "adaptive_max_pool1d":
                var outSize = IntList(x[1]);
                if (s0 is null || outSize is null)
                {
                    return (null, t0);
                }

                return (s0.Take(s0.Count - outSize.Count).Concat(outSize.Select(v => v is long n ? Dim.Of(n) : Dim.Unknown)).ToArray(), t0);
            case "linear":
                return (s0 is null || x[1].Shape is not { Count: 2 } w ? null : s0.Take(s0.Count - 1).Append(w[0]).ToArray(), t0);
            case "addmm":
                return (x[1].Shape is { Count: 2 } m1 && x[2].Shape is { Count: 2 } m2 ? [m1[0], m2[1]] : null, x[1].ElementType);
            case "mm":
                return (s0 is { Count: 2 } && x[1].Shape is { Count: 2 } b ? [s0[0], b[1]] : null, t0);
            case "bmm":
                return (s0 is { Count: 3 } && x[1].Shape is { Count: 3 } bb ? [s0[0], s0[1], bb[2]] : null, t0);
            case "matmul":
                return (MatMul(s0, x[1].Shape), t0);
            case "mv":
                return (s0 is { Count: 2 } ? [s0[0]] : null, t0);
            case "flatten":
                return (Flatten(s0, Int(x, 1) ?? 0, Int(x, 2) ?? -1), t0);
            case "view" or "reshape" when x[1].Constant is not null:
                return (Reshape(s0, IntList(x[1])), t0);
            case "view" or "reshape":
                return (IntListWithUnknowns(x[1]), t0);
            case "unsqueeze" when s0 is not null && Int(x, 1) is { } ud:
                var at = ud < 0 ? ud + s0.Count + 1 : ud;
                var list = s0.ToList();
                list.Insert((int)at, Dim.Of(1));
                return (list, t0);
            case "squeeze" when s0 is not null:
                if (x.Count == 1)
                {
                    return (s0.Any(d => !d.IsFixed) ? null : s0.Where(d => d.Value != 1).ToArray(), t0);
                }

                if (Int(x, 1) is { } sd)
                {
                    var axis = Axis(sd, s0.Count);
                    return (s0[axis].Value == 1 ? s0.Where((_, i) => i != axis).ToArray() : s0[axis].IsFixed ? s0 : null, t0);
                }

                return (null, t0);
            case "transpose" when s0 is not null && Int(x, 1) is { } d1 && Int(x, 2) is { } d2:
                var tr = s0.ToArray();
                (tr[Axis(d1, tr.Length)], tr[Axis(d2, tr.Length)]) = (tr[Axis(d2, tr.Length)], tr[Axis(d1, tr.Length)]);
                return (tr, t0);
            case "t" when s0 is not null:
                return (s0.Count < 2 ? s0 : [s0[1], s0[0]], t0);
            case "permute" when s0 is not null && IntList(x[1]) is { } perm:
                return (perm.Select(p => s0[Axis((long)p!, s0.Count)]).ToArray(), t0);
            case "select" when s0 is not null && Int(x, 1) is { } sel:
                var selAxis = Axis(sel, s0.Count);
                return (s0.Where((_, i) => i != selAxis).ToArray(), t0);
            case "slice" when s0 is not null && Int(x, 1) is { } sliceDim:
                var sliceAxis = Axis(sliceDim, s0.Count);
                var sliced = s0.ToArray();
                sliced[sliceAxis] = SliceLength(s0[sliceAxis], x[2].Constant, x[3].Constant, x[4].Constant);
                return (sliced, t0);
            case "mean" or "sum" or "amax" or "amin" or "prod" when x.Count >= 3 && s0 is not null && IntList(x[1]) is { } dims && x[2].Constant is bool keep:
                var axes = dims.Select(d => Axis((long)d!, s0.Count)).ToHashSet();
                return (s0.Select((d, i) => axes.Contains(i) ? keep ? Dim.Of(1) : (Dim?)null : d).Where(d => d is not null).Select(d => d!.Value).ToArray(),
                    op is "mean" ? t0 : t0);
            case "mean" or "sum" when x.Count <= 2:
                return (Array.Empty<Dim>(), t0);
            case "embedding" when x[0].Shape is { Count: 2 } weight && x[1].Shape is { } indices:
                return (indices.Append(weight[1]).ToArray(), x[0].ElementType);
            case "zeros" or "ones" or "empty" or "rand" or "randn" or "full" when IntList(x[0]) is { } size:
                var dtypeIndex = op == "full" ? 2 : 1;
                var dt = x.Count > dtypeIndex && x[dtypeIndex].Constant is long dtypeCode ? ConstantFolder.ElementTypeOf(dtypeCode) : DataType.Float;
                return (size.Select(v => v is long n ? Dim.Of(n) : Dim.Unknown).ToArray(), dt);
            case "to" when x.Count > 1 && x[1].Type.Kind is TorchTypeKind.Int or TorchTypeKind.ScalarType && x[1].Constant is long toCode:
                return (s0, ConstantFolder.ElementTypeOf(toCode));
            case "to":
                return (s0, x.Count > 1 && x[1].Type.Kind == TorchTypeKind.Tensor ? x[1].ElementType : t0);
            case "expand" when IntList(x[1]) is { } expandSize && s0 is not null:
                var offset = expandSize.Count - s0.Count;
                return (expandSize.Select((v, i) => v is long n && n != -1 ? Dim.Of(n) : i >= offset ? s0[i - offset] : Dim.Unknown).ToArray(), t0);
            case "scalar_tensor":
                return (Array.Empty<Dim>(), DataType.Float);
            case "NumToTensor":
                return (Array.Empty<Dim>(), x[0].Type.Kind == TorchTypeKind.Float ? DataType.Double : x[0].Type.Kind == TorchTypeKind.Bool ? DataType.Bool : DataType.Int64);
        }

        return (null, null);
    }

    /// <summary>The shapes of the pieces of aten::chunk, aten::split, aten::split_with_sizes, aten::unbind (static sizes only), or null.</summary>
    public static IReadOnlyList<Dim>[]? Pieces(AtenSchema schema, IReadOnlyList<TorchValue> x)
    {
        var op = schema.Name;
        if (x.Count == 0 || x[0].Shape is not { } s || x[0].Type.Kind != TorchTypeKind.Tensor)
        {
            return null;
        }

        long? dimArg = op switch
        {
            "aten::unbind" => x.Count > 1 ? x[1].Constant as long? : 0,
            _ => x.Count > 2 ? x[2].Constant as long? : null,
        };
        if (dimArg is not { } d || s.Count == 0)
        {
            return null;
        }

        var axis = Axis(d, s.Count);
        if (s[axis].Value is not { } n)
        {
            return null;
        }

        long[] sizes;
        switch (op)
        {
            case "aten::chunk" when x[1].Constant is long chunks && chunks > 0:
                var each = (n + chunks - 1) / chunks;
                sizes = each == 0 ? [] : Enumerable.Range(0, (int)((n + each - 1) / each)).Select(i => Math.Min(each, n - i * each)).ToArray();
                break;
            case "aten::split" when x[1].Constant is long size && size > 0:
                sizes = Enumerable.Range(0, (int)Math.Max(1, (n + size - 1) / size)).Select(i => Math.Min(size, n - i * size)).ToArray();
                break;
            case "aten::split" or "aten::split_with_sizes" when x[1].Constant is IReadOnlyList<object?> list && list.All(v => v is long):
                sizes = list.Select(v => (long)v!).ToArray();
                break;
            case "aten::unbind":
                return Enumerable.Range(0, (int)n).Select(_ => (IReadOnlyList<Dim>)s.Where((_, i) => i != axis).ToArray()).ToArray();
            default:
                return null;
        }

        return sizes.Select(size =>
        {
            var piece = s.ToArray();
            piece[axis] = Dim.Of(size);
            return (IReadOnlyList<Dim>)piece;
        }).ToArray();
    }

    private static (IReadOnlyList<Dim>?, DataType?) Concatenate(string op, IReadOnlyList<TorchValue> items, long? dim)
    {
        var type = items.Count > 0 ? items[0].ElementType : null;
        if (items.Count == 0 || dim is null || items.Any(i => i.Shape is null) || items.Select(i => i.Shape!.Count).Distinct().Count() != 1)
        {
            return (null, type);
        }

        var rank = items[0].Shape!.Count;
        if (op == "stack")
        {
            var stacked = items[0].Shape!.ToList();
            stacked.Insert(Axis(dim.Value, rank + 1), Dim.Of(items.Count));
            return (stacked, type);
        }

        var axis = Axis(dim.Value, rank);
        var result = items[0].Shape!.ToArray();
        var sizes = items.Select(i => i.Shape![axis]).ToArray();
        result[axis] = sizes.All(d => d.IsFixed) ? Dim.Of(sizes.Sum(d => d.Value!.Value)) : Dim.Unknown;
        return (result, type);
    }

    private static Dim SliceLength(Dim dim, object? start, object? end, object? step)
    {
        if (dim.Value is not { } n || step is not long st || st <= 0)
        {
            return start is null or TorchNone or 0L && end is null or TorchNone or long.MaxValue ? dim : Dim.Unknown;
        }

        long Clamp(object? v, long dflt)
        {
            if (v is not long l)
            {
                return dflt;
            }

            if (l < 0)
            {
                l += n;
            }

            return Math.Clamp(l, 0, n);
        }

        var s = Clamp(start, 0);
        var e = Clamp(end, n);
        return Dim.Of(e <= s ? 0 : (e - s + st - 1) / st);
    }

    private static int Axis(long d, int rank) => (int)(d < 0 ? d + rank : d);

    private static long? Int(IReadOnlyList<TorchValue> x, int i) => i < x.Count && x[i].Constant is long l ? l : null;

    private static IReadOnlyList<object?>? IntList(TorchValue v) => v.Constant switch
    {
        IReadOnlyList<object?> list => list,
        long l => [l],
        _ => null,
    };

    private static IReadOnlyList<Dim>? IntListWithUnknowns(TorchValue v) => null;

    private static IReadOnlyList<Dim>? BroadcastShapes(IReadOnlyList<Dim>? a, IReadOnlyList<Dim>? b)
    {
        if (a is null || b is null)
        {
            return null;
        }

        var rank = Math.Max(a.Count, b.Count);
        var result = new Dim[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i < rank - a.Count ? Dim.Of(1) : a[i - (rank - a.Count)];
            var db = i < rank - b.Count ? Dim.Of(1) : b[i - (rank - b.Count)];
            result[i] = da.Value == 1 ? db : db.Value == 1 ? da : da.SameAs(db) ? da : da.IsFixed ? da : db.IsFixed ? db : Dim.Unknown;
        }

        return result;
    }

    private static IReadOnlyList<Dim>? MatMul(IReadOnlyList<Dim>? a, IReadOnlyList<Dim>? b)
    {
        if (a is null || b is null || a.Count == 0 || b.Count == 0)
        {
            return null;
        }

        if (a.Count == 1 && b.Count == 1)
        {
            return Array.Empty<Dim>();
        }

        if (b.Count == 1)
        {
            return a.Take(a.Count - 1).ToArray();
        }

        if (a.Count == 1)
        {
            return b.Take(b.Count - 2).Append(b[^1]).ToArray();
        }

        var batch = BroadcastShapes(a.Take(a.Count - 2).ToArray(), b.Take(b.Count - 2).ToArray());
        return batch?.Append(a[^2]).Append(b[^1]).ToArray();
    }

    private static IReadOnlyList<Dim>? Flatten(IReadOnlyList<Dim>? s, long start, long end)
    {
        if (s is null)
        {
            return null;
        }

        if (s.Count == 0)
        {
            return [Dim.Of(1)];
        }

        var a = Axis(start, s.Count);
        var b = Axis(end, s.Count);
        var merged = s.Skip(a).Take(b - a + 1).ToArray();
        var product = merged.All(d => d.IsFixed) ? Dim.Of(merged.Aggregate(1L, (p, d) => p * d.Value!.Value)) : merged.Length == 1 ? merged[0] : Dim.Unknown;
        return s.Take(a).Append(product).Concat(s.Skip(b + 1)).ToArray();
    }

    private static IReadOnlyList<Dim>? Reshape(IReadOnlyList<Dim>? input, IReadOnlyList<object?>? size)
    {
        if (size is null)
        {
            return null;
        }

        var dims = size.Select(v => v is long n ? n : long.MinValue).ToArray();
        var result = dims.Select(d => d >= 0 ? Dim.Of(d) : Dim.Unknown).ToArray();
        var inferred = Array.IndexOf(dims, -1L);
        if (inferred >= 0 && input is not null && input.All(d => d.IsFixed) && dims.Where((_, i) => i != inferred).All(d => d >= 0))
        {
            var total = input.Aggregate(1L, (p, d) => p * d.Value!.Value);
            var known = dims.Where((_, i) => i != inferred).Aggregate(1L, (p, d) => p * d);
            if (known > 0 && total % known == 0)
            {
                result[inferred] = Dim.Of(total / known);
            }
        }
        else if (inferred >= 0 && input is not null && dims.Length == 2 && inferred == 1 && dims[0] >= 0 && input.Count > 0 && input[0].Value == dims[0])
        {
            result[1] = input.Skip(1).All(d => d.IsFixed) ? Dim.Of(input.Skip(1).Aggregate(1L, (p, d) => p * d.Value!.Value)) : Dim.Unknown;
        }

        return result;
    }

    private static IReadOnlyList<Dim>? Convolution(string op, IReadOnlyList<TorchValue> x)
    {
        var input = x[0].Shape;
        var weight = x[1].Shape;
        if (input is null || weight is null)
        {
            return null;
        }

        var spatial = weight.Count - 2;
        var transposed = op.StartsWith("conv_transpose", StringComparison.Ordinal) || op is "_convolution" or "convolution" && x[6].Constant is true;
        IReadOnlyList<object?>? stride, padding, dilation, outputPadding = null;
        long groups;
        if (op is "_convolution" or "convolution")
        {
            (stride, padding, dilation, outputPadding, groups) = (IntList(x[3]), IntList(x[4]), IntList(x[5]), IntList(x[7]), (long)x[8].Constant!);
        }
        else if (transposed)
        {
            (stride, padding, outputPadding, groups, dilation) = (IntList(x[3]), IntList(x[4]), IntList(x[5]), (long)x[6].Constant!, IntList(x[7]));
        }
        else
        {
            if (x[4].Constant is string)
            {
                // padding="same" keeps the size (stride 1); "valid" pads nothing.
                var mode = (string)x[4].Constant!;
                stride = IntList(x[3]);
                dilation = IntList(x[5]);
                groups = (long)x[6].Constant!;
                padding = mode == "same" ? null : Enumerable.Repeat((object?)0L, spatial).ToArray();
                if (padding is null)
                {
                    return input.Take(input.Count - spatial - 1).Append(weight[0]).Concat(input.Skip(input.Count - spatial)).ToArray();
                }
            }
            else
            {
                (stride, padding, dilation, groups) = (IntList(x[3]), IntList(x[4]), IntList(x[5]), (long)x[6].Constant!);
            }
        }

        if (stride is null || padding is null || dilation is null)
        {
            return null;
        }

        long At(IReadOnlyList<object?> list, int i) => (long)(list.Count == 1 ? list[0] : list[i])!;
        var outChannels = transposed ? (weight[1].Value is { } w1 ? Dim.Of(w1 * groups) : Dim.Unknown) : weight[0];
        var result = input.Take(input.Count - spatial - 1).Append(outChannels).ToList();
        for (var i = 0; i < spatial; i++)
        {
            var d = input[input.Count - spatial + i];
            var k = weight[2 + i];
            if (d.Value is not { } n || k.Value is not { } kv)
            {
                result.Add(Dim.Unknown);
                continue;
            }

            var size = transposed
                ? (n - 1) * At(stride, i) - 2 * At(padding, i) + At(dilation, i) * (kv - 1) + (outputPadding is null ? 0 : At(outputPadding, i)) + 1
                : (n + 2 * At(padding, i) - At(dilation, i) * (kv - 1) - 1) / At(stride, i) + 1;
            result.Add(Dim.Of(size));
        }

        return result;
    }

    private static IReadOnlyList<Dim>? Pool(string op, IReadOnlyList<TorchValue> x)
    {
        var input = x[0].Shape;
        var kernel = IntList(x[1]);
        if (input is null || kernel is null)
        {
            return null;
        }

        var spatial = op.Contains("1d", StringComparison.Ordinal) ? 1 : op.Contains("3d", StringComparison.Ordinal) ? 3 : 2;
        var stride = IntList(x[2]);
        if (stride is null || stride.Count == 0)
        {
            stride = kernel;
        }

        var padding = IntList(x[3]) ?? [0L];
        var isMax = op.StartsWith("max", StringComparison.Ordinal);
        var dilation = isMax ? IntList(x[4]) ?? [1L] : [1L];
        var ceil = x[isMax ? 5 : 4].Constant is true;
        long At(IReadOnlyList<object?> list, int i) => (long)(list.Count == 1 ? list[0] : list[i])!;
        var result = input.Take(input.Count - spatial).ToList();
        for (var i = 0; i < spatial; i++)
        {
            var d = input[input.Count - spatial + i];
            if (d.Value is not { } n)
            {
                result.Add(Dim.Unknown);
                continue;
            }

            var k = At(kernel, i);
            var s = At(stride, i);
            var p = At(padding, i);
            var dil = At(dilation, i);
            var numerator = n + 2 * p - dil * (k - 1) - 1;
            var size = (ceil ? (numerator + s - 1) / s : numerator / s) + 1;
            // With ceil_mode the last window must start inside the input or its left padding.
            if (ceil && (size - 1) * s >= n + p)
            {
                size--;
            }

            result.Add(Dim.Of(size));
        }

        return result;
    }
}
