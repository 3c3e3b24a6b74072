using BuildConvert.Core.Converters.TorchScript.Plumbing;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript.Indexing;

/// <summary>
/// Indexing (https://pytorch.org/docs/1.13/tensor_view.html, https://numpy.org/doc/stable/user/basics.indexing.html):
/// <c>slice</c> (None start/end, negative bounds clamped as Python's slices are, positive steps; on lists too),
/// <c>select</c> (tensors and lists), <c>index</c> (advanced indexing: int64 index tensors broadcast together, bool and
/// uint8 masks standing for their nonzero positions, None for a whole dimension; the indexed dimensions go where NumPy
/// puts them: in place when they are adjacent, first otherwise), <c>index_select</c>, <c>gather</c>, <c>take</c>,
/// <c>masked_select</c>, <c>nonzero</c>, and <c>embedding</c> (a Gather of rows; padding_idx only matters for training).
/// </summary>
internal static class IndexingConverters
{
    public static void Register(OpConverterRegistry<TorchOpHandler> r)
    {
        r.Op("aten::slice", Slice, "None start/end, negative bounds, step > 0; lists");
        r.Op("aten::select", Select, "negative index; lists");
        r.Op("aten::index", Index, "advanced indexing with tensor lists: int64 indices broadcast, bool/uint8 masks, None");
        r.Op("aten::index_select", IndexSelect);
        r.Op("aten::gather", Gather, "GatherElements");
        r.Op("aten::take", c => c.SetOutput(0, c.Builder.Op("Gather", new[] { c.Builder.Reshape(c.Tensor(0), new long[] { -1 }), c.CastTo(c.Tensor(1), DataType.Int64) }, NodeAttribute.Of("axis", 0L))));
        r.Op("aten::masked_select", MaskedSelect);
        r.Op("aten::nonzero", c => c.SetOutput(0, c.Builder.Op("Transpose", new[] { c.Builder.Op("NonZero", c.Tensor(0)) }, NodeAttribute.Of("perm", new long[] { 1, 0 }))));
        r.Op("aten::nonzero_numpy", c => NonzeroTuple(c, c.Tensor(0)));
        r.Op("aten::embedding", Embedding, "padding_idx, scale_grad_by_freq and sparse only matter for training");
    }

    private static void Slice(TorchNodeContext c)
    {
        if (c.IsList(0) && !c.IsTensor(0))
        {
            var items = c.Items(0, "list");
            var n = items.Count;
            var step = c.Int(3, "step");
            if (step == 0)
            {
                throw c.Error("slice step cannot be zero");
            }

            var (start, end) = PythonSlice(c.OptionalInt(1, "start"), c.OptionalInt(2, "end"), n, step);
            var picked = new List<TorchSlot>();
            for (var i = start; step > 0 ? i < end : i > end; i += step)
            {
                picked.Add(items[(int)i]);
            }

            c.SetList(0, picked);
            return;
        }

        var x = c.Tensor(0);
        var rank = c.Rank(x, "slice");
        var axis = c.Axis(c.Int(1, "dim"), rank);
        var stride = c.Int(4, "step");
        if (stride <= 0)
        {
            throw c.Error("slice step must be positive");
        }

        var b = c.Builder;
        var startConstant = c.IsNone(2) ? 0L : c.ConstantOf(2) as long?;
        var endConstant = c.IsNone(3) ? long.MaxValue : c.ConstantOf(3) as long?;
        if (startConstant is { } s && endConstant is { } e)
        {
            if (s == 0 && e == long.MaxValue && stride == 1)
            {
                c.SetOutput(0, b.Op("Identity", x));
                return;
            }

            c.SetOutput(0, b.Slice(x, new[] { s }, new[] { e }, new long[] { axis }, new[] { stride }));
            return;
        }

        Value Bound(int index, long fallback) => c.IsNone(index) ? b.Int64s(fallback) : b.Reshape(c.TensorOf(index, DataType.Int64), new long[] { 1 });
        c.SetOutput(0, b.Op("Slice", x, Bound(2, 0), Bound(3, long.MaxValue), b.Int64s(axis), b.Int64s(stride)));
    }

    /// <summary>Python's slice bounds for a sequence of <paramref name="n"/> items.</summary>
    private static (long Start, long End) PythonSlice(long? start, long? end, int n, long step)
    {
        long Clamp(long v, long low, long high) => System.Math.Max(low, System.Math.Min(high, v));
        if (step > 0)
        {
            var s = start is { } a ? (a < 0 ? Clamp(a + n, 0, n) : Clamp(a, 0, n)) : 0;
            var e = end is { } z ? (z < 0 ? Clamp(z + n, 0, n) : Clamp(z, 0, n)) : n;
            return (s, e);
        }

        var s2 = start is { } a2 ? (a2 < 0 ? Clamp(a2 + n, -1, n - 1) : Clamp(a2, -1, n - 1)) : n - 1;
        var e2 = end is { } z2 ? (z2 < 0 ? Clamp(z2 + n, -1, n - 1) : Clamp(z2, -1, n - 1)) : -1;
        return (s2, e2);
    }

    private static void Select(TorchNodeContext c)
    {
        if (c.IsList(0) && !c.IsTensor(0))
        {
            PlumbingConverters.GetItem(c);
            return;
        }

        var x = c.Tensor(0);
        var rank = c.Rank(x, "select");
        if (rank == 0)
        {
            throw c.Error("select() cannot be applied to a 0-dim tensor");
        }

        var axis = c.Axis(c.Int(1, "dim"), rank);
        if (c.ConstantOf(2) is long index && TorchNodeContext.StaticDim(x, axis) is { } size && (index < -size || index >= size))
        {
            throw c.Error($"select(): index {index} out of range for tensor of size {size} at dimension {axis}");
        }

        c.SetOutput(0, c.Builder.Op("Gather", new[] { x, c.TensorOf(2, DataType.Int64) }, NodeAttribute.Of("axis", (long)axis)));
    }

    private static void Index(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "index");
        var b = c.Builder;
        var given = c.OptionalTensors(1, "indices");
        // Masks stand for the index tensors of their nonzero positions, one per dimension they cover.
        var perDim = new List<Value?>();
        foreach (var index in given)
        {
            if (index is null)
            {
                perDim.Add(null);
                continue;
            }

            var type = c.ElementType(index);
            if (type is DataType.Bool or DataType.Uint8)
            {
                var maskRank = c.Rank(index, "a mask index");
                var mask = type == DataType.Bool ? index : b.Cast(index, DataType.Bool);
                var positions = b.Op("NonZero", mask);
                for (var k = 0; k < maskRank; k++)
                {
                    perDim.Add(b.Op("Gather", new[] { positions, b.Const(TensorData.FromInt64s(new[] { (long)k }, Array.Empty<long>()), "row") }, NodeAttribute.Of("axis", 0L)));
                }

                if (maskRank == 0)
                {
                    throw c.Unsupported("indexing with a 0-dimensional mask is not supported");
                }

                continue;
            }

            if (TorchScalarTypes.IsFloating(type))
            {
                throw c.Error("tensors used as indices must be long, int, byte or bool tensors");
            }

            perDim.Add(c.CastTo(index, DataType.Int64));
        }

        if (perDim.Count > rank)
        {
            throw c.Error($"too many indices for tensor of dimension {rank} (got {perDim.Count})");
        }

        var dims = perDim.Select((v, i) => (v, i)).Where(p => p.v is not null).Select(p => p.i).ToArray();
        if (dims.Length == 0)
        {
            c.SetOutput(0, b.Op("Identity", x));
            return;
        }

        if (dims.Length == 1)
        {
            c.SetOutput(0, b.Op("Gather", new[] { x, perDim[dims[0]]! }, NodeAttribute.Of("axis", (long)dims[0])));
            return;
        }

        var rest = Enumerable.Range(0, rank).Where(d => !dims.Contains(d)).ToArray();
        var perm = dims.Concat(rest).Select(d => (long)d).ToArray();
        var moved = perm.Select((p, i) => p == i).All(s => s) ? x : b.Op("Transpose", new[] { x }, NodeAttribute.Of("perm", perm));
        var indices = dims.Select(d => perDim[d]!).ToArray();
        c.Infer();
        var broadcastRank = indices.Max(i => c.Rank(i, "an index tensor"));
        var sum = indices.Skip(1).Aggregate(indices[0], (a, i) => b.Op("Add", a, i));
        var shape = b.Op("Shape", sum);
        var stacked = b.Op("Concat", indices.Select(i => b.Unsqueeze(b.Op("Expand", i, shape), new long[] { -1 })), NodeAttribute.Of("axis", -1L));
        var gathered = b.Op("GatherND", moved, stacked);
        var adjacent = dims.Zip(dims.Skip(1), (p, q) => q == p + 1).All(t => t);
        if (!adjacent || dims[0] == 0)
        {
            c.SetOutput(0, gathered);
            return;
        }

        // Adjacent indexed dimensions: the broadcast dimensions go where the first indexed one was.
        var before = dims[0];
        var total = broadcastRank + rest.Length;
        var back = Enumerable.Range(broadcastRank, before).Concat(Enumerable.Range(0, broadcastRank)).Concat(Enumerable.Range(broadcastRank + before, total - broadcastRank - before))
            .Select(i => (long)i).ToArray();
        c.SetOutput(0, b.Op("Transpose", new[] { gathered }, NodeAttribute.Of("perm", back)));
    }

    private static void IndexSelect(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "index_select");
        var axis = rank == 0 ? 0 : c.Axis(c.Int(1, "dim"), rank);
        var index = c.CastTo(c.Tensor(2), DataType.Int64);
        var b = c.Builder;
        if (c.Rank(index, "index_select") > 1)
        {
            throw c.Error("index_select(): Index is supposed to be a vector");
        }

        if (rank == 0)
        {
            c.SetOutput(0, b.Reshape(b.Op("Gather", new[] { b.Reshape(x, new long[] { 1 }), b.Reshape(index, new long[] { -1 }) }, NodeAttribute.Of("axis", 0L)), Array.Empty<long>()));
            return;
        }

        c.SetOutput(0, b.Op("Gather", new[] { x, b.Reshape(index, new long[] { -1 }) }, NodeAttribute.Of("axis", (long)axis)));
    }

    private static void Gather(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var rank = c.Rank(x, "gather");
        var axis = c.Axis(c.Int(1, "dim"), rank);
        c.SetOutput(0, c.Builder.Op("GatherElements", new[] { x, c.CastTo(c.Tensor(2), DataType.Int64) }, NodeAttribute.Of("axis", (long)axis)));
    }

    private static void MaskedSelect(TorchNodeContext c)
    {
        var b = c.Builder;
        var x = c.Tensor(0);
        var mask = c.Tensor(1);
        var shape = b.Op("Shape", b.Op("Add", b.Cast(x, DataType.Float), b.Cast(mask, DataType.Float)));
        var xs = b.Op("Expand", x, shape);
        var ms = b.Op("Expand", c.CastTo(mask, DataType.Bool), shape);
        var positions = b.Op("Transpose", new[] { b.Op("NonZero", ms) }, NodeAttribute.Of("perm", new long[] { 1, 0 }));
        c.SetOutput(0, b.Op("GatherND", xs, positions));
    }

    /// <summary>The nonzero positions of <paramref name="condition"/>, one 1-D tensor per dimension (<c>where(condition)</c>).</summary>
    internal static void NonzeroTuple(TorchNodeContext c, Value condition)
    {
        var rank = c.Rank(condition, c.Kind);
        var b = c.Builder;
        var positions = b.Op("NonZero", condition);
        var rows = Enumerable.Range(0, rank).Select(k => b.Op("Gather", new[] { positions, b.Const(TensorData.FromInt64s(new[] { (long)k }, Array.Empty<long>()), "row") }, NodeAttribute.Of("axis", 0L))).ToArray();
        c.SetTensorList(0, rows);
    }

    private static void Embedding(TorchNodeContext c)
    {
        var weight = c.Tensor(0);
        var indices = c.Tensor(1);
        if (TorchScalarTypes.IsFloating(c.ElementType(indices)))
        {
            throw c.Error("embedding indices must be an integer tensor");
        }

        c.SetOutput(0, c.Builder.Op("Gather", new[] { weight, c.CastTo(indices, DataType.Int64) }, NodeAttribute.Of("axis", 0L)));
    }
}
