using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Converters.TorchScript.Shapes;

/// <summary>
/// Shape and layout ops (https://pytorch.org/docs/1.13/torch.html#indexing-slicing-joining-mutating-ops):
/// <c>view</c>/<c>reshape</c> (-1 inferred; a size of 0 is a size, not ONNX's "copy", so allowzero=1 from opset 14),
/// <c>flatten</c>/<c>unflatten</c>, <c>permute</c>/<c>transpose</c>/<c>t</c>/<c>movedim</c>, <c>unsqueeze</c>/<c>squeeze</c>
/// (squeeze(dim) leaves a dimension whose size is not 1), <c>expand</c> (-1 keeps a size)/<c>expand_as</c>,
/// <c>repeat</c> (more repeats than dimensions prepend dimensions), <c>cat</c> (promoting the tensors' dtypes; 1-D empty
/// tensors skipped, as PyTorch does), <c>stack</c>, <c>chunk</c> (PyTorch's ceil-sized chunks, possibly fewer than
/// asked), <c>split</c> (a size or a list of sizes), <c>unbind</c>, <c>channel_shuffle</c>, <c>pixel_shuffle</c>,
/// <c>pixel_unshuffle</c>, <c>flip</c>, <c>roll</c>, <c>narrow</c>; the memory-layout ops (<c>contiguous</c>,
/// <c>clone</c>, <c>detach</c>, ...) are the identity.
/// </summary>
internal static class ShapeConverters
{
    public static void Register(OpConverterRegistry<TorchOpHandler> r)
    {
        r.Op("aten::view", Reshape, "sizes constant or computed; -1 inferred");
        r.Op("aten::reshape", Reshape, "sizes constant or computed; -1 inferred");
        r.Op("aten::_reshape_alias", Reshape);
        r.Op("aten::view_as", c => c.SetOutput(0, c.Builder.Reshape(c.Tensor(0), c.ShapeVector(c.Tensor(1)))));
        r.Op("aten::reshape_as", c => c.SetOutput(0, c.Builder.Reshape(c.Tensor(0), c.ShapeVector(c.Tensor(1)))));
        r.Op("aten::flatten", Flatten, "start_dim, end_dim");
        r.Op("aten::unflatten", Unflatten);
        r.Op("aten::permute", Permute);
        r.Op("aten::transpose", Transpose, inPlace: true);
        r.Op("aten::swapaxes", Transpose, inPlace: true);
        r.Op("aten::swapdims", Transpose, inPlace: true);
        r.Op("aten::t", T, inPlace: true);
        r.Op("aten::movedim", MoveDim);
        r.Op("aten::moveaxis", MoveDim);
        foreach (var name in new[] { "contiguous", "clone", "detach", "alias", "lift_fresh", "lift" })
        {
            r.Op("aten::" + name, c => c.SetOutput(0, c.Builder.Op("Identity", c.Tensor(0))), "the identity: ONNX tensors have no memory layout");
        }

        r.Op("aten::unsqueeze", Unsqueeze, inPlace: true);
        r.Op("aten::squeeze", Squeeze, "squeeze(dim) of a dimension whose size is not 1 is the identity; the size must be known", inPlace: true);
        r.Op("aten::expand", Expand, "-1 keeps a size");
        r.Op("aten::expand_as", c => c.SetOutput(0, c.Builder.Op("Expand", c.Tensor(0), c.ShapeVector(c.Tensor(1)))));
        r.Op("aten::repeat", Repeat);
        r.Op("aten::tile", Tile);
        r.Op("aten::cat", Cat, "dtypes promoted; 1-D empty tensors skipped");
        r.Op("aten::concat", Cat);
        r.Op("aten::concatenate", Cat);
        r.Op("aten::stack", Stack);
        r.Op("aten::hstack", c => Stacked(c, "h"));
        r.Op("aten::vstack", c => Stacked(c, "v"));
        r.Op("aten::chunk", Chunk, "the size of the dimension must be known");
        r.Op("aten::unsafe_chunk", Chunk);
        r.Op("aten::split", Split, "a size or a list of sizes");
        r.Op("aten::split_with_sizes", Split);
        r.Op("aten::unsafe_split", Split);
        r.Op("aten::unsafe_split_with_sizes", Split);
        r.Op("aten::unbind", Unbind);
        r.Op("aten::channel_shuffle", ChannelShuffle);
        r.Op("aten::native_channel_shuffle", ChannelShuffle);
        r.Op("aten::pixel_shuffle", c => PixelShuffle(c, up: true), "DepthToSpace (CRD)");
        r.Op("aten::pixel_unshuffle", c => PixelShuffle(c, up: false));
        r.Op("aten::flip", Flip);
        r.Op("aten::roll", Roll);
        r.Op("aten::narrow", Narrow);
    }

    private static void Reshape(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var b = c.Builder;
        object? constant = null;
        try
        {
            constant = c.Ints(1, "size");
        }
        catch (Diagnostics.BuildConvertException)
        {
        }

        if (constant is IReadOnlyList<long> sizes)
        {
            if (sizes.Count(s => s == -1) > 1)
            {
                throw c.Error("only one dimension can be inferred");
            }

            if (sizes.Contains(0))
            {
                if (c.Opset < 14)
                {
                    throw c.Unsupported("a reshape to a size of 0 needs ONNX Reshape's allowzero (opset 14)");
                }

                c.SetOutput(0, b.Op("Reshape", new[] { x, b.Int64s(sizes) }, NodeAttribute.Of("allowzero", 1L)));
                return;
            }

            c.SetOutput(0, b.Reshape(x, sizes));
            return;
        }

        if (StaticReshape(c, x) is { } resolved)
        {
            c.SetOutput(0, b.Reshape(x, resolved));
            return;
        }

        c.SetOutput(0, b.Reshape(x, c.IntVector(1, "size")));
    }

    /// <summary>
    /// A size list with run-time entries that are dimensions of tensors (<c>x.view(x.size(0), -1, h, w)</c> with a
    /// dynamic batch) as a constant ONNX Reshape shape: an entry that is the same symbolic dimension as the input's
    /// dimension at its position becomes 0 (copy that dimension), and -1 is resolved when the symbolic dimensions of the
    /// input and of the sizes are the same, so that the output's shape is known at conversion time (ops after it, such
    /// as chunk, need it). Null when the sizes are not of that form.
    /// </summary>
    private static long[]? StaticReshape(TorchNodeContext c, Value x)
    {
        var slot = c.Slot(1);
        if (slot.Kind != TorchSlotKind.List || slot.Items is not { } items || TorchNodeContext.ShapeOf(x) is not { } inputShape)
        {
            return null;
        }

        var sizes = new long[items.Count];
        var symbols = new List<string>();
        var inferred = -1;
        for (var i = 0; i < items.Count; i++)
        {
            if (c.Fold(items[i]) is long constant)
            {
                if (constant == 0 || constant < -1 || (constant == -1 && inferred >= 0))
                {
                    return null; // a literal 0 is a size-0 dimension, not ONNX's "copy"; two -1s are PyTorch's error
                }

                if (constant == -1)
                {
                    inferred = i;
                }

                sizes[i] = constant;
                continue;
            }

            if (items[i].Value is not { } value || DimensionOf(value) is not { Symbol: { } symbol } ||
                i >= inputShape.Count || inputShape[i].Symbol != symbol)
            {
                return null;
            }

            sizes[i] = 0;
            symbols.Add(symbol);
        }

        if (inferred >= 0)
        {
            var inputSymbols = inputShape.Where(d => !d.IsFixed).Select(d => d.Symbol).ToList();
            if (inputSymbols.Any(s => s is null) || !inputSymbols.Order(StringComparer.Ordinal).SequenceEqual(symbols.Order(StringComparer.Ordinal), StringComparer.Ordinal))
            {
                return null;
            }

            var total = inputShape.Where(d => d.IsFixed).Aggregate(1L, (a, d) => a * d.Value!.Value);
            var known = sizes.Where((v, i) => i != inferred && v > 0).Aggregate(1L, (a, v) => a * v);
            if (known == 0 || total % known != 0)
            {
                return null;
            }

            sizes[inferred] = total / known;
        }

        return sizes;
    }

    /// <summary>The tensor dimension a run-time int is (the value <c>aten::size(t, k)</c> converts to:
    /// <c>Shape(t)</c> sliced or gathered at k, possibly reshaped, squeezed or cast), or null.</summary>
    private static Dim? DimensionOf(Value value)
    {
        for (var depth = 0; depth < 8 && value.Producer is { } node; depth++)
        {
            switch (node.OpType)
            {
                case "Reshape" or "Squeeze" or "Unsqueeze" or "Identity" or "Cast" when node.Input(0) is { } inner:
                    value = inner;
                    continue;
                case "Slice" or "Gather" when node.Input(0) is { Producer: { OpType: "Shape" } shape } && shape.Input(0) is { } tensor
                    && shape.Attributes.Count == 0 && TorchNodeContext.ShapeOf(tensor) is { } dims:
                    var index = node.OpType == "Gather" ? Scalar(node.Input(1)) : Scalar(node.Input(1)) is { } start && Scalar(node.Input(2)) == start + 1 && (node.Inputs.Count < 4 || Scalar(node.Input(3)) == 0) && (node.Inputs.Count < 5 || Scalar(node.Input(4)) == 1) ? start : null;
                    return index is { } k && k >= 0 && k < dims.Count ? dims[(int)k] : null;
                default:
                    return null;
            }
        }

        return null;
    }

    private static long? Scalar(Value? value) =>
        value?.ConstantValue is { ElementCount: 1, ElementType: Formats.Onnx.Proto.TensorProto.Types.DataType.Int64 } data ? data.ToInt64s()[0] : null;

    private static void Flatten(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "flatten");
        var b = c.Builder;
        if (rank == 0)
        {
            c.SetOutput(0, b.Reshape(x, new long[] { 1 }));
            return;
        }

        var start = c.Axis(c.Int(1, "start_dim"), rank, "start_dim");
        var end = c.Axis(c.Int(2, "end_dim"), rank, "end_dim");
        if (start > end)
        {
            throw c.Error("flatten() has invalid args: start_dim cannot come after end_dim");
        }

        if (start == end)
        {
            c.SetOutput(0, b.Op("Identity", x));
            return;
        }

        if (end == rank - 1)
        {
            // Leading dimensions copied (0), the rest folded into one.
            c.SetOutput(0, start == 0 ? b.Reshape(x, new long[] { -1 }) : b.Reshape(x, Enumerable.Repeat(0L, start).Append(-1).ToArray()));
            return;
        }

        var trailing = Enumerable.Range(end + 1, rank - end - 1).Select(a => TorchNodeContext.StaticDim(x, a)).ToArray();
        if (trailing.All(t => t is not null))
        {
            c.SetOutput(0, b.Reshape(x, Enumerable.Repeat(0L, start).Append(-1).Concat(trailing.Select(t => t!.Value)).ToArray()));
            return;
        }

        var shape = b.Op("Shape", x);
        var parts = new List<Value>();
        if (start > 0)
        {
            parts.Add(b.Slice(shape, new long[] { 0 }, new long[] { start }));
        }

        parts.Add(b.Int64s(-1));
        parts.Add(b.Slice(shape, new long[] { end + 1 }, new long[] { long.MaxValue }));
        c.SetOutput(0, b.Reshape(x, b.Op("Concat", parts, NodeAttribute.Of("axis", 0L))));
    }

    private static void Unflatten(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "unflatten");
        var axis = c.Axis(c.Int(1, "dim"), rank);
        var sizes = c.Ints(2, "sizes");
        var b = c.Builder;
        var shape = b.Op("Shape", x);
        var parts = new List<Value>();
        if (axis > 0)
        {
            parts.Add(b.Slice(shape, new long[] { 0 }, new long[] { axis }));
        }

        parts.Add(b.Int64s(sizes));
        if (axis < rank - 1)
        {
            parts.Add(b.Slice(shape, new long[] { axis + 1 }, new long[] { long.MaxValue }));
        }

        c.SetOutput(0, b.Reshape(x, parts.Count == 1 ? parts[0] : b.Op("Concat", parts, NodeAttribute.Of("axis", 0L))));
    }

    internal static Value Transposed(TorchNodeContext c, Value x, IReadOnlyList<long> perm) =>
        c.Builder.Op("Transpose", new[] { x }, NodeAttribute.Of("perm", perm));

    private static void Permute(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "permute");
        var dims = c.Ints(1, "dims").Select(d => (long)c.Axis(d, rank)).ToArray();
        if (dims.Length != rank || dims.Distinct().Count() != rank)
        {
            throw c.Error($"permute dims [{string.Join(", ", dims)}] are not a permutation of the {rank} dimensions");
        }

        c.SetOutput(0, Transposed(c, x, dims));
    }

    private static void Transpose(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "transpose");
        if (rank == 0)
        {
            c.SetOutput(0, c.Builder.Op("Identity", x));
            return;
        }

        var a = c.Axis(c.Int(1, "dim0"), rank);
        var d = c.Axis(c.Int(2, "dim1"), rank);
        var perm = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        (perm[a], perm[d]) = (perm[d], perm[a]);
        c.SetOutput(0, Transposed(c, x, perm));
    }

    private static void T(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "t");
        if (rank > 2)
        {
            throw c.Error($"t() expects a tensor with <= 2 dimensions, but self is {rank}D");
        }

        c.SetOutput(0, rank < 2 ? c.Builder.Op("Identity", x) : Transposed(c, x, new long[] { 1, 0 }));
    }

    private static void MoveDim(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "movedim");
        var source = c.Ints(1, "source").Select(d => c.Axis(d, rank)).ToArray();
        var destination = c.Ints(2, "destination").Select(d => c.Axis(d, rank)).ToArray();
        if (source.Length != destination.Length)
        {
            throw c.Error("movedim: source and destination must have the same number of dimensions");
        }

        var perm = new long[rank];
        Array.Fill(perm, -1);
        for (var i = 0; i < source.Length; i++)
        {
            perm[destination[i]] = source[i];
        }

        var rest = Enumerable.Range(0, rank).Where(d => !source.Contains(d)).GetEnumerator();
        for (var i = 0; i < rank; i++)
        {
            if (perm[i] < 0 && rest.MoveNext())
            {
                perm[i] = rest.Current;
            }
        }

        c.SetOutput(0, Transposed(c, x, perm));
    }

    private static void Unsqueeze(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "unsqueeze");
        var axis = c.Axis(c.Int(1, "dim"), rank + 1);
        c.SetOutput(0, c.Builder.Unsqueeze(x, new long[] { axis }));
    }

    private static void Squeeze(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var b = c.Builder;
        if (c.InputCount < 2)
        {
            var shape = TorchNodeContext.ShapeOf(x);
            if (shape is not null && shape.All(d => d.IsFixed))
            {
                var ones = shape.Select((d, i) => (d, i)).Where(p => p.d.Value == 1).Select(p => (long)p.i).ToArray();
                c.SetOutput(0, ones.Length == 0 ? b.Op("Identity", x) : b.Squeeze(x, ones));
                return;
            }

            c.SetOutput(0, b.Squeeze(x, null));
            return;
        }

        var rank = c.Rank(x, "squeeze");
        if (rank == 0)
        {
            c.SetOutput(0, b.Op("Identity", x));
            return;
        }

        var axes = c.Ints(1, "dim").Select(d => c.Axis(d, rank)).Distinct().ToArray();
        var squeezed = new List<long>();
        foreach (var axis in axes)
        {
            var size = TorchNodeContext.StaticDim(x, axis)
                ?? throw c.Unsupported($"squeeze of dimension {axis}, whose size is only known at run time (PyTorch keeps it unless it is 1); give the inputs' shapes");
            if (size == 1)
            {
                squeezed.Add(axis);
            }
        }

        c.SetOutput(0, squeezed.Count == 0 ? b.Op("Identity", x) : b.Squeeze(x, squeezed.OrderBy(a => a).ToArray()));
    }

    private static void Expand(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var b = c.Builder;
        var rank = TorchNodeContext.RankOf(x);
        IReadOnlyList<long>? sizes = null;
        try
        {
            sizes = c.Ints(1, "size");
        }
        catch (Diagnostics.BuildConvertException)
        {
        }

        if (sizes is not null)
        {
            if (rank is { } r && sizes.Count < r)
            {
                throw c.Error($"the number of sizes provided ({sizes.Count}) must be greater or equal to the number of dimensions in the tensor ({r})");
            }

            // -1 keeps the size; Expand's broadcasting keeps a dimension for 1.
            c.SetOutput(0, b.Op("Expand", x, b.Int64s(sizes.Select(s => s == -1 ? 1 : s).ToArray())));
            return;
        }

        var vector = c.IntVector(1, "size");
        // Run-time sizes: a -1 becomes 1 (Expand keeps the input's size for it).
        var fixedVector = b.Op("Where", b.Op("Equal", vector, b.Int64s(-1)), b.Int64s(1), vector);
        c.SetOutput(0, b.Op("Expand", x, fixedVector));
    }

    private static void Repeat(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "repeat");
        var repeats = c.Ints(1, "repeats");
        if (repeats.Count < rank)
        {
            throw c.Error("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
        }

        var b = c.Builder;
        var input = repeats.Count > rank ? b.Unsqueeze(x, Enumerable.Range(0, repeats.Count - rank).Select(i => (long)i).ToArray()) : x;
        c.SetOutput(0, b.Op("Tile", input, b.Int64s(repeats)));
    }

    private static void Tile(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "tile");
        var reps = c.Ints(1, "dims").ToList();
        while (reps.Count < rank)
        {
            reps.Insert(0, 1);
        }

        var b = c.Builder;
        var input = reps.Count > rank ? b.Unsqueeze(x, Enumerable.Range(0, reps.Count - rank).Select(i => (long)i).ToArray()) : x;

        c.SetOutput(0, b.Op("Tile", input, b.Int64s(reps)));
    }

    private static void Cat(TorchNodeContext c)
    {
        var tensors = c.Tensors(0, "tensors");
        if (tensors.Count == 0)
        {
            throw c.Error("torch.cat(): expected a non-empty list of Tensors");
        }

        var type = tensors.Select(t => c.ElementType(t)).Aggregate(Formats.Onnx.Proto.TensorProto.Types.DataType.Undefined, TorchScalarTypes.Promote);
        // PyTorch skips 1-D tensors of size 0 (the legacy empty tensor) when the others have more dimensions.
        var kept = tensors.Where(t => !(TorchNodeContext.ShapeOf(t) is { Count: 1 } s && s[0].Value == 0)).ToList();
        if (kept.Count == 0)
        {
            kept.Add(tensors[0]);
        }

        var rank = c.Rank(kept[0], "cat");
        var axis = c.Axis(c.Int(1, "dim"), rank);
        var inputs = kept.Select(t => c.CastTo(t, type)).ToArray();
        c.SetOutput(0, inputs.Length == 1 ? c.Builder.Op("Identity", inputs[0]) : c.Builder.Op("Concat", inputs, NodeAttribute.Of("axis", (long)axis)));
    }

    private static void Stack(TorchNodeContext c)
    {
        var tensors = c.Tensors(0, "tensors");
        if (tensors.Count == 0)
        {
            throw c.Error("stack expects a non-empty TensorList");
        }

        var type = tensors.Select(t => c.ElementType(t)).Aggregate(Formats.Onnx.Proto.TensorProto.Types.DataType.Undefined, TorchScalarTypes.Promote);
        var rank = c.Rank(tensors[0], "stack");
        var axis = c.Axis(c.Int(1, "dim"), rank + 1);
        var b = c.Builder;
        var inputs = tensors.Select(t => b.Unsqueeze(c.CastTo(t, type), new long[] { axis })).ToArray();
        c.SetOutput(0, inputs.Length == 1 ? inputs[0] : b.Op("Concat", inputs, NodeAttribute.Of("axis", (long)axis)));
    }

    private static void Stacked(TorchNodeContext c, string how)
    {
        var tensors = c.Tensors(0, "tensors");
        var type = tensors.Select(t => c.ElementType(t)).Aggregate(Formats.Onnx.Proto.TensorProto.Types.DataType.Undefined, TorchScalarTypes.Promote);
        var b = c.Builder;
        var inputs = tensors.Select(t =>
        {
            var v = c.CastTo(t, type);
            var r = c.Rank(v, c.Kind);
            return how == "v" && r < 2 ? b.Reshape(v, r == 0 ? new long[] { 1, 1 } : new long[] { 1, -1 }) : r == 0 ? b.Reshape(v, new long[] { 1 }) : v;
        }).ToArray();
        var axis = how == "h" && c.Rank(inputs[0], c.Kind) == 1 ? 0L : how == "h" ? 1L : 0L;
        c.SetOutput(0, b.Op("Concat", inputs, NodeAttribute.Of("axis", axis)));
    }

    private static void Chunk(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "chunk");
        var chunks = c.Int(1, "chunks");
        if (chunks <= 0)
        {
            throw c.Error($"chunk expects `chunks` to be greater than 0, got: {chunks}");
        }

        var axis = c.Axis(c.Int(2, "dim"), rank);
        var size = c.RequireDim(x, axis, "chunk");
        var each = (size + chunks - 1) / chunks;
        SplitBy(c, x, axis, size, each);
    }

    private static void SplitBy(TorchNodeContext c, Value x, int axis, long size, long each)
    {
        if (each <= 0)
        {
            // A dimension of size 0 splits into one empty piece.
            c.SetTensorList(0, new[] { c.Builder.Op("Identity", x) });
            return;
        }

        var sizes = new List<long>();
        for (var start = 0L; start < size; start += each)
        {
            sizes.Add(System.Math.Min(each, size - start));
        }

        if (sizes.Count == 0)
        {
            sizes.Add(0);
        }

        c.SetTensorList(0, sizes.Count == 1 ? new[] { c.Builder.Op("Identity", x) } : c.Builder.Split(x, axis, sizes, sizes.Count));
    }

    private static void Split(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "split");
        var axis = c.Axis(c.Int(2, "dim"), rank);
        if (c.ConstantOf(1) is long each)
        {
            if (each < 0)
            {
                throw c.Error($"split expects split_size be non-negative, but got split_size={each}");
            }

            SplitBy(c, x, axis, c.RequireDim(x, axis, "split"), each);
            return;
        }

        var sizes = c.Ints(1, "split_sizes");
        if (TorchNodeContext.StaticDim(x, axis) is { } total && sizes.Sum() != total)
        {
            throw c.Error($"split_with_sizes expects split_sizes to sum exactly to {total} (input tensor's size at dimension {axis}), but got split_sizes=[{string.Join(", ", sizes)}]");
        }

        c.SetTensorList(0, sizes.Count == 1 ? new[] { c.Builder.Op("Identity", x) } : c.Builder.Split(x, axis, sizes, sizes.Count));
    }

    private static void Unbind(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "unbind");
        var axis = c.Axis(c.Int(1, "dim"), rank);
        var size = c.RequireDim(x, axis, "unbind");
        var b = c.Builder;
        var parts = size == 1 ? new[] { x } : b.Split(x, axis, Enumerable.Repeat(1L, (int)size).ToArray(), (int)size);
        c.SetTensorList(0, parts.Select(p => b.Squeeze(p, new long[] { axis })).ToArray());
    }

    private static void ChannelShuffle(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "channel_shuffle");
        var groups = c.Int(1, "groups");
        var channels = c.RequireDim(x, 1, "channel_shuffle");
        if (groups <= 0 || channels % groups != 0)
        {
            throw c.Error($"Number of channels must be divisible by groups. Got {channels} channels and {groups} groups.");
        }

        var b = c.Builder;
        var rest = Enumerable.Repeat(0L, rank - 2).ToArray();
        var grouped = b.Reshape(x, new long[] { 0, groups, channels / groups }.Concat(rest.Select(_ => -1L).Take(rank > 2 ? 1 : 0)).ToArray());
        var perm = new long[] { 0, 2, 1 }.Concat(rank > 2 ? new long[] { 3 } : Array.Empty<long>()).ToArray();
        var shuffled = Transposed(c, grouped, perm);
        c.SetOutput(0, b.Reshape(shuffled, c.ShapeVector(x)));
    }

    private static void PixelShuffle(TorchNodeContext c, bool up)
    {
        var x = c.Tensor(0);
        var factor = c.Int(1, up ? "upscale_factor" : "downscale_factor");
        var rank = c.Rank(x, c.Kind);
        var b = c.Builder;
        if (rank != 4)
        {
            throw c.Unsupported($"{c.Kind} converts 4-D [N, C, H, W] inputs");
        }

        if (up)
        {
            c.SetOutput(0, b.Op("DepthToSpace", new[] { x }, NodeAttribute.Of("blocksize", factor), NodeAttribute.Of("mode", "CRD")));
            return;
        }

        // [N, C, H/r, r, W/r, r] -> [N, C, r, r, H/r, W/r] -> [N, C*r*r, H/r, W/r].
        var channels = c.RequireDim(x, 1, "pixel_unshuffle");
        var h = c.RequireDim(x, 2, "pixel_unshuffle");
        var w = c.RequireDim(x, 3, "pixel_unshuffle");
        var split = b.Reshape(x, new long[] { 0, channels, h / factor, factor, w / factor, factor });
        var moved = Transposed(c, split, new long[] { 0, 1, 3, 5, 2, 4 });
        c.SetOutput(0, b.Reshape(moved, new long[] { 0, channels * factor * factor, h / factor, w / factor }));
    }

    private static void Flip(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "flip");
        var axes = c.Ints(1, "dims").Select(d => (long)c.Axis(d, rank)).Distinct().ToArray();
        if (axes.Length == 0)
        {
            c.SetOutput(0, c.Builder.Op("Identity", x));
            return;
        }

        c.SetOutput(0, c.Builder.Slice(x, axes.Select(_ => -1L).ToArray(), axes.Select(_ => long.MinValue).ToArray(), axes, axes.Select(_ => -1L).ToArray()));
    }

    private static void Roll(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "roll");
        var shifts = c.Ints(1, "shifts");
        var dims = c.Ints(2, "dims");
        var b = c.Builder;
        var value = x;
        if (dims.Count == 0)
        {
            if (shifts.Count != 1)
            {
                throw c.Error("roll without dims takes one shift");
            }

            var flat = b.Reshape(x, new long[] { -1 });
            var count = c.ShapeOf0(x);
            var rolled = RollAxis(c, flat, 0, shifts[0], count);
            c.SetOutput(0, b.Reshape(rolled, c.ShapeVector(x)));
            return;
        }

        if (shifts.Count != dims.Count)
        {
            throw c.Error($"shifts and dimensions must align. shifts: {shifts.Count}, dims:{dims.Count}");
        }

        for (var i = 0; i < dims.Count; i++)
        {
            var axis = c.Axis(dims[i], rank);
            value = RollAxis(c, value, axis, shifts[i], c.RequireDim(x, axis, "roll"));
        }

        c.SetOutput(0, value);
    }

    private static long ShapeOf0(this TorchNodeContext c, Value x) =>
        TorchNodeContext.ShapeOf(x) is { } s && s.All(d => d.IsFixed) ? s.Aggregate(1L, (a, d) => a * d.Value!.Value)
            : throw c.Error("roll without dims needs the tensor's size at conversion time");

    private static Value RollAxis(TorchNodeContext c, Value x, int axis, long shift, long size)
    {
        if (size == 0)
        {
            return x;
        }

        var s = ((shift % size) + size) % size;
        if (s == 0)
        {
            return x;
        }

        var b = c.Builder;
        var tail = b.Slice(x, new[] { size - s }, new[] { size }, new long[] { axis });
        var head = b.Slice(x, new long[] { 0 }, new[] { size - s }, new long[] { axis });
        return b.Op("Concat", new[] { tail, head }, NodeAttribute.Of("axis", (long)axis));
    }

    private static void Narrow(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "narrow");
        var axis = c.Axis(c.Int(1, "dim"), rank);
        var length = c.Int(3, "length");
        var b = c.Builder;
        if (c.ConstantOf(2) is long start)
        {
            if (start < 0 && TorchNodeContext.StaticDim(x, axis) is { } size)
            {
                start += size;
            }

            c.SetOutput(0, b.Slice(x, new[] { start }, new[] { start + length }, new long[] { axis }));
            return;
        }

        var begin = b.Reshape(c.TensorOf(2, Formats.Onnx.Proto.TensorProto.Types.DataType.Int64), new long[] { 1 });
        c.SetOutput(0, b.Op("Slice", x, begin, b.Op("Add", begin, b.Int64s(length)), b.Int64s(axis)));
    }
}
