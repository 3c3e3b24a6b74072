using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TensorFlow.Indexing;

/// <summary>
/// Slicing and indexing (https://www.tensorflow.org/api_docs/python/tf/raw_ops): <c>Slice</c>, <c>StridedSlice</c> (every
/// mask), <c>Gather</c>/<c>GatherV2</c> (axis, batch_dims), <c>GatherNd</c>, <c>OneHot</c>, <c>Where</c>, <c>Select</c>,
/// <c>SelectV2</c> and <c>TopKV2</c>. Index inputs may be int32 or int64; ONNX wants int64 where it names one type, so
/// they are cast. Bounds that are constants are worked out here; run-time bounds become the same arithmetic in ONNX.
/// </summary>
internal static class IndexingConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("Slice", 13, Slice, "size -1 runs to the end; begin and size may be computed at run time");
        r.Add("StridedSlice", 13, StridedSlice, "every mask; begin, end and strides may be computed at run time (strides of a known length)");
        r.Add("Gather", 13, Gather);
        r.Add("GatherV2", 13, GatherV2, "batch_dims through GatherND; axis must be a constant (ONNX Gather's attribute)");
        r.Add("ResourceGather", 13, GatherV2, "the variable's value is a constant");
        r.Add("GatherNd", 13, GatherNd);
        r.Add("OneHot", 13, OneHot, "negative indices give all off_value, as in TensorFlow; depth may be computed at run time");
        r.Add("Where", 13, Where, "one input: int64 coordinates [num_true, rank]; three inputs: Select");
        r.Add("Select", 13, Select, "a rank-1 condition selects rows (dimension 0)");
        r.Add("SelectV2", 13, SelectV2);
        r.Add("TopKV2", 13, TopK, "sorted, ties by lower index; k may be computed at run time");
    }

    /// <summary>The ONNX value of <paramref name="v"/> as int64 (a Cast unless it already is).</summary>
    private static Value AsInt64(OpBuilder b, Value v) => v.Type?.ElementType == DataType.Int64 ? v : b.Cast(v, DataType.Int64);

    /// <summary>Slice(input, begin, size): <c>input[begin : begin + size]</c> per dimension; size -1 takes the rest.</summary>
    private static void Slice(TfNodeContext c)
    {
        var b = c.Builder;
        if (c.ConstantInput(1) is { FitsInt64: true } begin && c.ConstantInput(2) is { FitsInt64: true } size)
        {
            var starts = begin.ToInt64s();
            var sizes = size.ToInt64s();
            if (starts.Length != sizes.Length)
            {
                throw c.Error($"begin has {starts.Length} element(s) and size {sizes.Length}; they must agree");
            }

            var ends = starts.Select((s, i) => sizes[i] == -1 ? long.MaxValue : s + sizes[i]).ToArray();
            c.SetOutput(0, starts.Length == 0 ? c.Input(0) : b.Slice(c.Input(0), starts, ends));
            return;
        }

        var start = AsInt64(b, c.Input(1));
        var length = AsInt64(b, c.Input(2));
        var toEnd = b.Op("Equal", length, b.Scalar(DataType.Int64, -1));
        var end = b.Op("Where", toEnd, b.Scalar(DataType.Int64, long.MaxValue), b.Op("Add", start, length));
        c.SetOutput(0, b.Op("Slice", c.Input(0), start, end));
    }

    /// <summary>
    /// StridedSlice(input, begin, end, strides; begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask):
    /// the sparse spec (one entry per element of begin) is expanded to one entry per input dimension as TensorFlow does
    /// (an ellipsis, or an implicit one at the end, covers the dimensions the other entries leave; a new axis consumes
    /// none; ellipsis wins over new axis, new axis over the rest). Each dimension becomes an ONNX Slice bound: a masked
    /// begin is the first element in the stride's direction, a masked end runs past the last, explicit ones clamp as
    /// ONNX Slice clamps (the same rule TensorFlow applies), and a shrunk dimension takes [b, b + 1) and is squeezed.
    /// New axes are Unsqueezed into the output.
    /// </summary>
    private static void StridedSlice(TfNodeContext c)
    {
        var b = c.Builder;
        var x = c.Input(0);
        var rank = c.RequireRank(0, "StridedSlice");
        var strides = c.ConstantInput(3) is { FitsInt64: true } cs ? cs.ToInt64s() : null;
        var beginMask = c.Int("begin_mask", 0);
        var endMask = c.Int("end_mask", 0);
        var ellipsisMask = c.Int("ellipsis_mask", 0);
        var newAxisMask = c.Int("new_axis_mask", 0);
        var shrinkMask = c.Int("shrink_axis_mask", 0);
        bool Bit(long mask, int i) => (mask & (1L << i)) != 0;
        var constantBegin = c.ConstantInput(1) is { FitsInt64: true } cb ? cb.ToInt64s() : null;
        var constantEnd = c.ConstantInput(2) is { FitsInt64: true } ce ? ce.ToInt64s() : null;
        var n = strides?.Length ?? constantBegin?.Length ?? constantEnd?.Length
            ?? (c.InputShape(3) is [{ Value: { } length }] ? (int)length
                : throw c.ConstantRequired(3, "strides", "its length (the number of slice entries) must be known to read the masks"));
        if (n > 63)
        {
            throw c.Error($"the slice spec has {n} entries; at most 63 fit the masks");
        }

        if (System.Numerics.BitOperations.PopCount((ulong)(ellipsisMask & ((1L << n) - 1))) > 1)
        {
            throw c.AttributeError("ellipsis_mask", "has more than one bit set; TensorFlow allows one ellipsis");
        }

        if (constantBegin is not null && constantBegin.Length != n || constantEnd is not null && constantEnd.Length != n)
        {
            throw c.Error($"begin, end and strides must have the same length ({n} strides)");
        }

        // Dense entries: per input dimension, the sparse index it reads (-1: the whole dimension).
        var dense = new List<(int Sparse, long? Stride, bool Shrink)>();
        var output = new List<int>(); // final output dims: a dense index, or -1 for a new axis
        var hasEllipsis = (ellipsisMask & ((1L << n) - 1)) != 0;
        for (var i = 0; i < n; i++)
        {
            if (Bit(ellipsisMask, i))
            {
                var consumedAfter = 0;
                for (var k = i + 1; k < n; k++)
                {
                    consumedAfter += Bit(newAxisMask, k) ? 0 : 1;
                }

                var cover = rank - dense.Count - consumedAfter;
                for (var k = 0; k < cover; k++)
                {
                    output.Add(dense.Count);
                    dense.Add((-1, 1, false));
                }
            }
            else if (Bit(newAxisMask, i))
            {
                output.Add(-1);
            }
            else
            {
                if (strides?[i] == 0)
                {
                    throw c.Error($"stride {i} is 0");
                }

                if (dense.Count >= rank)
                {
                    throw c.Error($"the slice spec indexes more dimensions than the input's {rank}");
                }

                var shrink = Bit(shrinkMask, i);
                if (!shrink)
                {
                    output.Add(dense.Count);
                }

                dense.Add((i, strides?[i], shrink));
            }
        }

        if (!hasEllipsis)
        {
            while (dense.Count < rank)
            {
                output.Add(dense.Count);
                dense.Add((-1, 1, false));
            }
        }

        if (dense.Count != rank)
        {
            throw c.Error($"the slice spec covers {dense.Count} dimension(s) and the input has {rank}");
        }

        if (strides is null)
        {
            c.SetOutput(0, Reshaped(c, WithRunTimeStrides(c, x, dense, beginMask, endMask), rank, dense, output));
            return;
        }

        // One Slice over the dimensions that are not taken whole.
        var axes = new List<long>();
        var steps = new List<long>();
        var startConsts = new List<long?>(); // null: read from begin at run time
        var endConsts = new List<long?>();
        var sparseOf = new List<int>();
        var shrinkOf = new List<bool>();
        for (var d = 0; d < rank; d++)
        {
            var (i, stride, shrink) = dense[d];
            if (i < 0)
            {
                continue;
            }

            var forward = stride!.Value > 0;
            long? start = Bit(beginMask, i) && !shrink ? (forward ? 0 : long.MaxValue) : constantBegin?[i];
            long? end;
            if (shrink)
            {
                end = start is { } s ? (s == -1 ? long.MaxValue : s + 1) : null;
            }
            else
            {
                end = Bit(endMask, i) ? (forward ? long.MaxValue : long.MinValue) : constantEnd?[i];
            }

            if (!shrink && start == (forward ? 0 : long.MaxValue) && end == (forward ? long.MaxValue : long.MinValue) && stride == 1)
            {
                continue;
            }

            axes.Add(d);
            steps.Add(shrink ? 1 : stride.Value);
            startConsts.Add(start);
            endConsts.Add(end);
            sparseOf.Add(i);
            shrinkOf.Add(shrink);
        }

        var y = x;
        if (axes.Count > 0)
        {
            if (startConsts.All(s => s is not null) && endConsts.All(e => e is not null))
            {
                y = b.Slice(x, startConsts.Select(s => s!.Value).ToArray(), endConsts.Select(e => e!.Value).ToArray(), axes, steps);
            }
            else
            {
                var starts = Bounds(c, 1, startConsts, sparseOf, null);
                var ends = Bounds(c, 2, endConsts, sparseOf, shrinkOf);
                y = b.Op("Slice", x, starts, ends, b.Int64s(axes), b.Int64s(steps));
            }
        }

        c.SetOutput(0, Reshaped(c, y, rank, dense, output));
    }

    /// <summary>The sliced tensor with the shrunk dimensions squeezed and the new axes added.</summary>
    private static Value Reshaped(TfNodeContext c, Value y, int rank, List<(int Sparse, long? Stride, bool Shrink)> dense, List<int> output)
    {
        var shrunk = Enumerable.Range(0, rank).Where(d => dense[d].Shrink).Select(d => (long)d).ToArray();
        if (shrunk.Length > 0)
        {
            y = c.Builder.Squeeze(y, shrunk);
        }

        var added = output.Select((d, k) => (d, k)).Where(p => p.d < 0).Select(p => (long)p.k).ToArray();
        return added.Length > 0 ? c.Builder.Unsqueeze(y, added) : y;
    }

    /// <summary>
    /// A StridedSlice whose strides are computed at run time: every spec entry that indexes a dimension becomes a Slice
    /// axis, with its bounds chosen at run time as the constant path chooses them at conversion time (a masked begin is
    /// 0 for a positive stride and past the end for a negative one, a masked end the other way round; a shrunk entry
    /// takes [b, b + 1) with step 1, as TensorFlow requires).
    /// </summary>
    private static Value WithRunTimeStrides(TfNodeContext c, Value x, List<(int Sparse, long? Stride, bool Shrink)> dense, long beginMask, long endMask)
    {
        var b = c.Builder;
        var axes = Enumerable.Range(0, dense.Count).Where(d => dense[d].Sparse >= 0).ToArray();
        if (axes.Length == 0)
        {
            return x;
        }

        Value Flags(Func<int, bool> f, string hint) =>
            b.Const(TensorData.FromBytes(DataType.Bool, new long[] { axes.Length }, axes.Select(d => f(d) ? (byte)1 : (byte)0).ToArray()), hint);
        Value Scalar(long v) => b.Scalar(DataType.Int64, v);
        var sparse = b.Int64s(axes.Select(d => (long)dense[d].Sparse).ToArray());
        Value At(int input) => b.Op("Gather", new[] { AsInt64(b, c.Input(input)), sparse }, NodeAttribute.Of("axis", 0L));
        var begin = At(1);
        var end = At(2);
        var stride = At(3);
        var forward = b.Op("Greater", stride, Scalar(0));
        var shrink = Flags(d => dense[d].Shrink, "shrink");
        var beginMasked = Flags(d => !dense[d].Shrink && (beginMask & (1L << dense[d].Sparse)) != 0, "begin_masked");
        var endMasked = Flags(d => !dense[d].Shrink && (endMask & (1L << dense[d].Sparse)) != 0, "end_masked");
        var starts = b.Op("Where", beginMasked, b.Op("Where", forward, Scalar(0), Scalar(long.MaxValue)), begin);
        var next = b.Op("Where", b.Op("Equal", begin, Scalar(-1)), Scalar(long.MaxValue), b.Op("Add", begin, Scalar(1)));
        var ends = b.Op("Where", shrink, next, b.Op("Where", endMasked, b.Op("Where", forward, Scalar(long.MaxValue), Scalar(long.MinValue)), end));
        var steps = b.Op("Where", shrink, Scalar(1), stride);
        return b.Op("Slice", x, starts, ends, b.Int64s(axes.Select(d => (long)d).ToArray()), steps);
    }

    /// <summary>
    /// Run-time starts (<paramref name="shrinks"/> null) or ends of a StridedSlice: the entries of input
    /// <paramref name="input"/> at the sparse indices, with the masked ones replaced by their constants. A shrunk end
    /// is begin + 1 (begin read from input 1), or past the end when begin is -1.
    /// </summary>
    private static Value Bounds(TfNodeContext c, int input, List<long?> constants, List<int> sparseOf, List<bool>? shrinks)
    {
        var b = c.Builder;
        var source = c.Input(input);
        var begin = AsInt64(b, c.Input(1));
        var gathered = b.Op("Gather", new[] { AsInt64(b, source), b.Int64s(sparseOf.Select(i => (long)i).ToArray()) }, NodeAttribute.Of("axis", 0L));
        if (shrinks is not null && shrinks.Any(s => s))
        {
            var beginAt = b.Op("Gather", new[] { begin, b.Int64s(sparseOf.Select(i => (long)i).ToArray()) }, NodeAttribute.Of("axis", 0L));
            var next = b.Op("Where", b.Op("Equal", beginAt, b.Scalar(DataType.Int64, -1)), b.Scalar(DataType.Int64, long.MaxValue),
                b.Op("Add", beginAt, b.Scalar(DataType.Int64, 1)));
            var isShrink = b.Const(TensorData.FromBytes(DataType.Bool, new long[] { shrinks.Count }, shrinks.Select(s => s ? (byte)1 : (byte)0).ToArray()), "shrink");
            gathered = b.Op("Where", isShrink, next, gathered);
        }

        var known = constants.Select(v => v is not null).ToArray();
        if (!known.Any(k => k))
        {
            return gathered;
        }

        var mask = b.Const(TensorData.FromBytes(DataType.Bool, new long[] { known.Length }, known.Select(k => k ? (byte)1 : (byte)0).ToArray()), "masked");
        return b.Op("Where", mask, b.Int64s(constants.Select(v => v ?? 0).ToArray()), gathered);
    }

    /// <summary>Gather(params, indices, validate_indices): rows of params along dimension 0.</summary>
    private static void Gather(TfNodeContext c) =>
        c.SetOutput(0, c.Builder.Op("Gather", new[] { c.Input(0), c.Input(1) }, NodeAttribute.Of("axis", 0L)));

    /// <summary>
    /// GatherV2(params, indices, axis, batch_dims): <c>output[b..., p..., i..., q...] = params[b..., p..., indices[b..., i...],
    /// q...]</c>. batch_dims 0 is ONNX Gather; otherwise the axis is moved next to the batch dimensions, gathered with
    /// GatherND (batch_dims, indices with a trailing 1) and moved back.
    /// </summary>
    private static void GatherV2(TfNodeContext c)
    {
        var b = c.Builder;
        var data = c.Input(0);
        var indices = c.Input(1);
        var axisValues = c.OptionalInput(2) is null ? new long[] { 0 } : c.ConstantInts(2, "axis", "ONNX Gather takes the axis as an attribute");
        if (axisValues.Length != 1)
        {
            throw c.Error($"axis must be a scalar, and it has {axisValues.Length} elements");
        }

        var axis = axisValues[0];
        var batchDims = c.Int("batch_dims", 0);
        if (batchDims == 0 && axis >= 0)
        {
            c.SetOutput(0, b.Op("Gather", new[] { data, indices }, NodeAttribute.Of("axis", axis)));
            return;
        }

        var rank = c.RequireRank(0, "a negative axis or batch_dims");
        axis = axis < 0 ? axis + rank : axis;
        if (axis < 0 || axis >= rank)
        {
            throw c.Error($"axis {axisValues[0]} is outside the input's rank {rank}");
        }

        if (batchDims == 0)
        {
            c.SetOutput(0, b.Op("Gather", new[] { data, indices }, NodeAttribute.Of("axis", axis)));
            return;
        }

        var indicesRank = c.RequireRank(1, "batch_dims");
        batchDims = batchDims < 0 ? batchDims + indicesRank : batchDims;
        if (batchDims < 0 || batchDims > indicesRank || batchDims > axis)
        {
            throw c.AttributeError("batch_dims", $"{c.Int("batch_dims", 0)} must lie in [-{indicesRank}, {indicesRank}] and not exceed the axis {axis}");
        }

        var moved = data;
        if (axis != batchDims)
        {
            // params [B..., P..., A, Q...] -> [B..., A, P..., Q...]
            var perm = Enumerable.Range(0, (int)batchDims).Select(i => (long)i).Append(axis)
                .Concat(Enumerable.Range((int)batchDims, rank - (int)batchDims).Where(i => i != axis).Select(i => (long)i)).ToArray();
            moved = c.Transpose(data, perm);
        }

        var gathered = b.Op("GatherND", new[] { moved, b.Unsqueeze(AsInt64(b, indices), new long[] { -1 }) }, NodeAttribute.Of("batch_dims", batchDims));
        if (axis != batchDims)
        {
            // gathered [B..., I..., P..., Q...] -> [B..., P..., I..., Q...]
            var bd = (int)batchDims;
            var i = indicesRank - bd;
            var p = (int)axis - bd;
            var q = rank - (int)axis - 1;
            var perm = Enumerable.Range(0, bd)
                .Concat(Enumerable.Range(bd + i, p))
                .Concat(Enumerable.Range(bd, i))
                .Concat(Enumerable.Range(bd + i + p, q)).Select(v => (long)v).ToArray();
            gathered = c.Transpose(gathered, perm);
        }

        c.SetOutput(0, gathered);
    }

    /// <summary>GatherNd(params, indices): slices of params addressed by the last dimension of indices (ONNX GatherND).</summary>
    private static void GatherNd(TfNodeContext c) =>
        c.SetOutput(0, c.Builder.Op("GatherND", c.Input(0), AsInt64(c.Builder, c.Input(1))));

    /// <summary>
    /// OneHot(indices, depth, on_value, off_value, axis): on_value where the new dimension's index equals the index,
    /// off_value elsewhere. TensorFlow gives all off_value for any index outside [0, depth), negative ones included,
    /// while ONNX OneHot counts negative indices from the end, so negative indices are replaced by depth first. ONNX
    /// Runtime implements OneHot for a few type combinations only, so the one-hot mask is made in int64 and the values
    /// are chosen with Where (any element type, on/off as given).
    /// </summary>
    private static void OneHot(TfNodeContext c)
    {
        var b = c.Builder;
        var indices = AsInt64(b, c.Input(0));
        var depth = AsInt64(b, c.Input(1));
        depth = c.InputRank(1) is 0 ? depth : b.Reshape(depth, Array.Empty<long>());
        indices = b.Op("Where", b.Op("Less", indices, b.Scalar(DataType.Int64, 0)), depth, indices);
        var mask = b.Op("OneHot", new[] { indices, depth, b.Int64s(0, 1) }, NodeAttribute.Of("axis", c.Int("axis", -1)));
        c.SetOutput(0, b.Op("Where", b.Cast(mask, DataType.Bool), c.Input(2), c.Input(3)));
    }

    /// <summary>
    /// Where(condition): the coordinates of the true (nonzero) elements, int64 [num_true, rank], in row-major order
    /// (ONNX NonZero, transposed). With three inputs (older graphs) it is Select.
    /// </summary>
    private static void Where(TfNodeContext c)
    {
        if (c.InputCount == 3)
        {
            Select(c);
            return;
        }

        var b = c.Builder;
        c.SetOutput(0, c.Transpose(b.Op("NonZero", c.Input(0)), new long[] { 1, 0 }));
    }

    /// <summary>
    /// Select(condition, t, e): element-wise choice. The condition has t's shape, or (TF1 semantics) is rank 1 with
    /// t's first dimension and picks whole rows: it is reshaped to [n, 1, ...] so that ONNX Where broadcasts it.
    /// </summary>
    private static void Select(TfNodeContext c)
    {
        var b = c.Builder;
        var condition = c.Input(0);
        var conditionRank = c.RequireRank(0, "Select (a rank-1 condition picks rows)");
        if (conditionRank == 1)
        {
            var rank = c.RequireRank(1, "Select with a rank-1 condition");
            if (rank > 1)
            {
                condition = b.Unsqueeze(condition, Enumerable.Range(1, rank - 1).Select(i => (long)i).ToArray());
            }
        }

        c.SetOutput(0, b.Op("Where", condition, c.Input(1), c.Input(2)));
    }

    /// <summary>SelectV2(condition, t, e): element-wise choice with NumPy broadcasting of all three (ONNX Where).</summary>
    private static void SelectV2(TfNodeContext c) =>
        c.SetOutput(0, c.Builder.Op("Where", c.Input(0), c.Input(1), c.Input(2)));

    /// <summary>
    /// TopKV2(input, k, sorted, index_type): the k largest along the last dimension and their indices (int32 unless
    /// index_type says otherwise). Always emitted sorted (descending; equal values keep the lower index first), which
    /// is one of the orders sorted=false allows.
    /// </summary>
    private static void TopK(TfNodeContext c)
    {
        var b = c.Builder;
        var k = b.Reshape(AsInt64(b, c.Input(1)), new long[] { 1 });
        var node = b.Node("TopK", new[] { c.Input(0), k }, 2,
            new[] { NodeAttribute.Of("axis", -1L), NodeAttribute.Of("largest", 1L), NodeAttribute.Of("sorted", 1L) });
        c.SetOutput(0, node.Outputs[0]!);
        if (c.OutputCount > 1)
        {
            var indexType = c.ElementType("index_type", DataType.Int32);
            c.SetOutput(1, indexType == DataType.Int64 ? node.Outputs[1]! : b.Cast(node.Outputs[1]!, indexType));
        }
    }
}
