using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Evaluation;

// Shape and data-movement ops: Shape, Size, Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout (inference),
// Concat, Gather, Slice, Expand, Tile, Transpose, ConstantOfShape, Constant, Range.
public static partial class ReferenceEvaluator
{
    private static void RegisterShapeOps(Dictionary<string, Kernel> k)
    {
        k["Identity"] = c => One(c.In(0));
        k["Shape"] = Shape;
        k["Size"] = c => One(TensorData.FromInt64s(new[] { c.In(0).ElementCount }, Array.Empty<long>()));
        k["Reshape"] = Reshape;
        k["Flatten"] = Flatten;
        k["Squeeze"] = Squeeze;
        k["Unsqueeze"] = Unsqueeze;
        k["Dropout"] = Dropout;
        k["Concat"] = Concat;
        k["Gather"] = Gather;
        k["Slice"] = Slice;
        k["Expand"] = Expand;
        k["Tile"] = Tile;
        k["Transpose"] = Transpose;
        k["ConstantOfShape"] = ConstantOfShape;
        k["Constant"] = Constant;
        k["Range"] = Range;
    }

    private static TensorData?[] Shape(Call c)
    {
        var dims = c.In(0).Dims;
        var rank = dims.Length;
        var start = Clamp(c.Int("start", 0), rank);
        var end = c.Has("end") ? Clamp(c.Int("end", rank), rank) : rank;
        var taken = end > start ? dims[start..end] : Array.Empty<long>();
        return One(TensorData.FromInt64s(taken));

        static int Clamp(long v, int rank) => (int)Math.Clamp(v < 0 ? v + rank : v, 0, rank);
    }

    /// <summary>The same elements under another shape (no copy).</summary>
    private static TensorData Relayout(TensorData x, long[] shape) =>
        x.IsString ? TensorData.FromStrings(shape, x.Strings) : TensorData.FromBytes(x.ElementType, shape, x.Bytes);

    private static TensorData?[] Reshape(Call c)
    {
        var x = c.In(0);
        long[] target = c.Opset < 5 ? (c.Ints("shape") ?? throw Refuse()).ToArray() : c.IntsOf(c.In(1));
        var allowZero = c.Int("allowzero", 0) != 0;
        var shape = new long[target.Length];
        var inferAt = -1;
        long known = 1;
        for (var i = 0; i < target.Length; i++)
        {
            var d = target[i];
            if (d == 0 && !allowZero)
            {
                if (i >= x.Dims.Length)
                {
                    throw Refuse();
                }

                d = x.Dims[i];
            }

            if (d == -1)
            {
                if (inferAt >= 0)
                {
                    throw Refuse();
                }

                inferAt = i;
                continue;
            }

            if (d < 0)
            {
                throw Refuse();
            }

            shape[i] = d;
            known = checked(known * d);
        }

        if (inferAt >= 0)
        {
            if (known == 0 || x.ElementCount % known != 0)
            {
                throw Refuse();
            }

            shape[inferAt] = x.ElementCount / known;
        }
        else if (known != x.ElementCount)
        {
            throw Refuse();
        }

        return One(Relayout(x, shape));
    }

    private static TensorData?[] Flatten(Call c)
    {
        var x = c.In(0);
        var rank = x.Dims.Length;
        var axis = c.Int("axis", 1);
        if (axis < 0)
        {
            axis += rank;
        }

        if (axis < 0 || axis > rank)
        {
            throw Refuse();
        }

        var outer = TensorMath.Count(x.Dims[..(int)axis]);
        return One(Relayout(x, new[] { outer, TensorMath.Count(x.Dims[(int)axis..]) }));
    }

    /// <summary>Axes given as an attribute (older opsets) or as input <paramref name="input"/>; null when neither.</summary>
    private static long[]? AxesOf(Call c, int input)
    {
        if (c.Ints("axes") is { } attr)
        {
            return attr.ToArray();
        }

        return c.Opt(input) is { } t ? c.IntsOf(t) : null;
    }

    private static TensorData?[] Squeeze(Call c)
    {
        var x = c.In(0);
        var rank = x.Dims.Length;
        var axes = AxesOf(c, 1);
        var drop = new bool[rank];
        if (axes is null)
        {
            for (var i = 0; i < rank; i++)
            {
                drop[i] = x.Dims[i] == 1;
            }
        }
        else
        {
            foreach (var a in axes)
            {
                if (!TensorMath.TryAxis(a, rank, out var ax) || x.Dims[ax] != 1)
                {
                    throw Refuse();
                }

                drop[ax] = true;
            }
        }

        return One(Relayout(x, x.Dims.Where((_, i) => !drop[i]).ToArray()));
    }

    private static TensorData?[] Unsqueeze(Call c)
    {
        var x = c.In(0);
        var axes = AxesOf(c, 1) ?? throw Refuse();
        var rank = x.Dims.Length + axes.Length;
        var inserted = new bool[rank];
        foreach (var a in axes)
        {
            if (!TensorMath.TryAxis(a, rank, out var ax) || inserted[ax])
            {
                throw Refuse();
            }

            inserted[ax] = true;
        }

        var shape = new long[rank];
        var j = 0;
        for (var i = 0; i < rank; i++)
        {
            shape[i] = inserted[i] ? 1 : x.Dims[j++];
        }

        return One(Relayout(x, shape));
    }

    private static TensorData?[]? Dropout(Call c)
    {
        // Inference only: the output is the input. Opsets 1-6 say so with is_test=1; from 12 training_mode must be false.
        if (c.Opset < 7 && c.Int("is_test", 0) == 0)
        {
            return null;
        }

        if (c.Opt(2) is { } training && (!TensorMath.TryReadInts(training, out var t) || t.Any(v => v != 0)))
        {
            return null;
        }

        if (c.Node.Output(1) is not null)
        {
            return null;
        }

        return One(c.In(0));
    }

    private static TensorData?[] Concat(Call c)
    {
        var first = c.In(0);
        var rank = first.Dims.Length;
        if (!TensorMath.TryAxis(c.Int("axis", c.Opset < 4 ? 1 : long.MinValue), rank, out var axis))
        {
            throw Refuse();
        }

        var parts = Enumerable.Range(0, c.InputCount).Select(c.In).ToArray();
        var shape = first.Dims.ToArray();
        shape[axis] = 0;
        foreach (var p in parts)
        {
            if (p.ElementType != first.ElementType || p.Dims.Length != rank || p.IsString)
            {
                throw Refuse();
            }

            for (var d = 0; d < rank; d++)
            {
                if (d != axis && p.Dims[d] != first.Dims[d])
                {
                    throw Refuse();
                }
            }

            shape[axis] = checked(shape[axis] + p.Dims[axis]);
        }

        c.Reserve(first.ElementType, shape);
        var size = TensorMath.ElementSize(first.ElementType);
        var outer = TensorMath.Count(shape[..axis]);
        var inner = TensorMath.Count(shape[(axis + 1)..]) * size;
        var bytes = new byte[TensorMath.Count(shape) * size];
        long at = 0;
        for (long o = 0; o < outer; o++)
        {
            foreach (var p in parts)
            {
                var chunk = (int)(p.Dims[axis] * inner);
                p.Bytes.Span.Slice((int)(o * chunk), chunk).CopyTo(bytes.AsSpan((int)at, chunk));
                at += chunk;
            }
        }

        return One(TensorData.FromBytes(first.ElementType, shape, bytes));
    }

    private static TensorData?[] Gather(Call c)
    {
        var data = c.In(0);
        var indicesTensor = c.In(1);
        var indices = c.IntsOf(indicesTensor);
        var rank = data.Dims.Length;
        if (data.IsString || !TensorMath.TryAxis(c.Int("axis", 0), rank, out var axis))
        {
            throw Refuse();
        }

        var dim = data.Dims[axis];
        var shape = data.Dims[..axis].Concat(indicesTensor.Dims).Concat(data.Dims[(axis + 1)..]).ToArray();
        c.Reserve(data.ElementType, shape);
        var size = TensorMath.ElementSize(data.ElementType);
        var outer = TensorMath.Count(data.Dims[..axis]);
        var inner = (int)(TensorMath.Count(data.Dims[(axis + 1)..]) * size);
        var bytes = new byte[TensorMath.Count(shape) * size];
        var from = data.Bytes.Span;
        var at = 0;
        for (long o = 0; o < outer; o++)
        {
            foreach (var raw in indices)
            {
                var i = raw < 0 ? raw + dim : raw;
                if (i < 0 || i >= dim)
                {
                    throw Refuse();
                }

                from.Slice((int)(((o * dim) + i) * inner), inner).CopyTo(bytes.AsSpan(at, inner));
                at += inner;
            }
        }

        return One(TensorData.FromBytes(data.ElementType, shape, bytes));
    }

    private static TensorData?[] Slice(Call c)
    {
        var x = c.In(0);
        var rank = x.Dims.Length;
        long[] starts, ends;
        long[]? axes, steps = null;
        if (c.Opset < 10)
        {
            starts = (c.Ints("starts") ?? throw Refuse()).ToArray();
            ends = (c.Ints("ends") ?? throw Refuse()).ToArray();
            axes = c.Ints("axes")?.ToArray();
        }
        else
        {
            starts = c.IntsOf(c.In(1));
            ends = c.IntsOf(c.In(2));
            axes = c.Opt(3) is { } a ? c.IntsOf(a) : null;
            steps = c.Opt(4) is { } s ? c.IntsOf(s) : null;
        }

        axes ??= Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        if (ends.Length != starts.Length || axes.Length != starts.Length || (steps is not null && steps.Length != starts.Length))
        {
            throw Refuse();
        }

        var begin = new long[rank];
        var step = Enumerable.Repeat(1L, rank).ToArray();
        var shape = x.Dims.ToArray();
        var seen = new bool[rank];
        for (var i = 0; i < starts.Length; i++)
        {
            if (!TensorMath.TryAxis(axes[i], rank, out var ax) || seen[ax])
            {
                throw Refuse();
            }

            seen[ax] = true;
            var d = x.Dims[ax];
            var st = steps?[i] ?? 1;
            if (st == 0)
            {
                throw Refuse();
            }

            var s = starts[i] < 0 ? starts[i] + d : starts[i];
            var e = ends[i] < 0 ? ends[i] + d : ends[i];
            if (st > 0)
            {
                s = Math.Clamp(s, 0, d);
                e = Math.Clamp(e, 0, d);
                shape[ax] = e > s ? ((e - s - 1) / st) + 1 : 0;
            }
            else
            {
                s = Math.Clamp(s, 0, d - 1);
                e = Math.Clamp(e, -1, d - 1);
                shape[ax] = s > e ? ((s - e - 1) / -st) + 1 : 0;
            }

            begin[ax] = s;
            step[ax] = st;
        }

        c.Reserve(x.ElementType, shape);
        var strides = TensorMath.Strides(x.Dims);
        var tables = new long[rank][];
        for (var d = 0; d < rank; d++)
        {
            tables[d] = new long[shape[d]];
            for (long o = 0; o < shape[d]; o++)
            {
                tables[d][o] = begin[d] + (o * step[d]);
            }
        }

        return One(Gathered(x, shape, tables, strides));
    }

    /// <summary>
    /// The tensor of <paramref name="shape"/> whose element at index (o_0..o_r) is the element of <paramref name="x"/>
    /// at flat offset sum(tables[k][o_k] * strides[k]).
    /// </summary>
    private static TensorData Gathered(TensorData x, long[] shape, long[][] tables, long[] strides)
    {
        if (x.IsString || TensorMath.ElementSize(x.ElementType) == 0)
        {
            throw Refuse();
        }

        var map = IndexMap(shape, tables, strides);
        return TensorMath.GatherBytes(x, shape, map);
    }

    private static TensorData?[] Expand(Call c)
    {
        var x = c.In(0);
        var shape = TensorMath.Broadcast(x.Dims, c.IntsOf(c.In(1))) ?? throw Refuse();
        c.Reserve(x.ElementType, shape);
        if (x.IsString || TensorMath.ElementSize(x.ElementType) == 0)
        {
            throw Refuse();
        }

        return One(TensorMath.GatherBytes(x, shape, TensorMath.BroadcastMap(x.Dims, shape)));
    }

    private static TensorData?[] Tile(Call c)
    {
        var x = c.In(0);
        var repeats = c.IntsOf(c.In(1));
        var rank = x.Dims.Length;
        if (repeats.Length != rank || repeats.Any(r => r < 0))
        {
            throw Refuse();
        }

        var shape = x.Dims.Zip(repeats, (d, r) => checked(d * r)).ToArray();
        c.Reserve(x.ElementType, shape);
        var tables = new long[rank][];
        for (var d = 0; d < rank; d++)
        {
            tables[d] = new long[shape[d]];
            for (long o = 0; o < shape[d]; o++)
            {
                tables[d][o] = o % x.Dims[d];
            }
        }

        return One(Gathered(x, shape, tables, TensorMath.Strides(x.Dims)));
    }

    private static TensorData?[] Transpose(Call c)
    {
        var x = c.In(0);
        var rank = x.Dims.Length;
        var perm = c.Ints("perm")?.ToArray() ?? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
        if (perm.Length != rank || perm.Distinct().Count() != rank || perm.Any(p => p < 0 || p >= rank))
        {
            throw Refuse();
        }

        var inStrides = TensorMath.Strides(x.Dims);
        var shape = perm.Select(p => x.Dims[p]).ToArray();
        var tables = shape.Select(d => Enumerable.Range(0, (int)d).Select(i => (long)i).ToArray()).ToArray();
        return One(Gathered(x, shape, tables, perm.Select(p => inStrides[p]).ToArray()));
    }

    /// <summary><paramref name="x"/> transposed by <paramref name="perm"/> (output dim i is input dim perm[i]); null for strings and sub-byte types.</summary>
    internal static TensorData? TransposeData(TensorData x, IReadOnlyList<long> perm)
    {
        if (x.IsString || x.IsExternal || TensorMath.ElementSize(x.ElementType) == 0 || perm.Count != x.Dims.Length)
        {
            return null;
        }

        var inStrides = TensorMath.Strides(x.Dims);
        var shape = perm.Select(p => x.Dims[p]).ToArray();
        var tables = shape.Select(d => Enumerable.Range(0, (int)d).Select(i => (long)i).ToArray()).ToArray();
        return Gathered(x, shape, tables, perm.Select(p => inStrides[p]).ToArray());
    }

    /// <summary>The same elements under <paramref name="shape"/> (no copy).</summary>
    internal static TensorData Reshaped(TensorData x, long[] shape) => Relayout(x, shape);

    private static TensorData?[] ConstantOfShape(Call c)
    {
        var shape = c.IntsOf(c.In(0));
        var value = c.Node.Attribute("value")?.Tensor ?? TensorData.Scalar(DataType.Float, 0);
        if (value.ElementCount != 1 || value.IsString || TensorMath.ElementSize(value.ElementType) == 0)
        {
            throw Refuse();
        }

        c.Reserve(value.ElementType, shape);
        var size = TensorMath.ElementSize(value.ElementType);
        var one = value.Bytes.Span[..size];
        var bytes = new byte[TensorMath.Count(shape) * size];
        for (var i = 0; i < bytes.Length; i += size)
        {
            one.CopyTo(bytes.AsSpan(i, size));
        }

        return One(TensorData.FromBytes(value.ElementType, shape, bytes));
    }

    private static TensorData?[] Constant(Call c)
    {
        var n = c.Node;
        if (n.Attribute("value") is { Tensor: { } t })
        {
            return One(t);
        }

        if (n.Attribute("value_float") is { Type: Formats.Onnx.Proto.AttributeProto.Types.AttributeType.Float } f)
        {
            return One(TensorData.FromFloats(new[] { f.Float }, Array.Empty<long>()));
        }

        if (n.GetFloats("value_floats") is { } fs)
        {
            return One(TensorData.FromFloats(fs.ToArray()));
        }

        if (n.Attribute("value_int") is { Type: Formats.Onnx.Proto.AttributeProto.Types.AttributeType.Int } i)
        {
            return One(TensorData.FromInt64s(new[] { i.Int }, Array.Empty<long>()));
        }

        if (n.GetInts("value_ints") is { } ints)
        {
            return One(TensorData.FromInt64s(ints.ToArray()));
        }

        if (n.Attribute("value_string") is { Type: Formats.Onnx.Proto.AttributeProto.Types.AttributeType.String } s)
        {
            return One(TensorData.FromStrings(Array.Empty<long>(), new[] { s.Text }));
        }

        if (n.Attribute("value_strings") is { Type: Formats.Onnx.Proto.AttributeProto.Types.AttributeType.Strings } ss)
        {
            return One(TensorData.FromStrings(new long[] { ss.StringList.Count }, ss.Texts));
        }

        throw Refuse();
    }

    private static TensorData?[] Range(Call c)
    {
        var start = c.In(0);
        var limit = c.In(1);
        var delta = c.In(2);
        var type = start.ElementType;
        if (limit.ElementType != type || delta.ElementType != type || start.ElementCount != 1 || limit.ElementCount != 1 || delta.ElementCount != 1)
        {
            throw Refuse();
        }

        if (TensorMath.IsFloat(type))
        {
            TensorMath.TryReadReals(start, out var s);
            TensorMath.TryReadReals(limit, out var l);
            TensorMath.TryReadReals(delta, out var d);
            if (d[0] == 0 || !double.IsFinite(s[0]) || !double.IsFinite(l[0]) || !double.IsFinite(d[0]))
            {
                throw Refuse();
            }

            // ONNX Runtime: n = ceil((double)(limit - start) / delta), the difference taken in the element type;
            // element i is start accumulated i times by delta in the element type.
            var span = TensorMath.Round(type, l[0] - s[0]);
            var count = (long)Math.Max(0, Math.Ceiling(span / d[0]));
            c.Reserve(type, new[] { count });
            var values = new double[count];
            var v = s[0];
            for (var i = 0; i < count; i++)
            {
                values[i] = v;
                v = TensorMath.Round(type, v + d[0]);
            }

            return One(TensorMath.FromReals(type, new[] { count }, values));
        }
        else
        {
            var s = c.IntsOf(start)[0];
            var l = c.IntsOf(limit)[0];
            var d = c.IntsOf(delta)[0];
            if (d == 0 || !TensorMath.IsSignedInteger(type))
            {
                throw Refuse();
            }

            var diff = (Int128)l - s;
            var count = diff == 0 ? 0 : (long)Int128.Max(0, (diff + (d > 0 ? d - 1 : d + 1)) / d);
            c.Reserve(type, new[] { count });
            var values = new long[count];
            var v = s;
            for (var i = 0; i < count; i++)
            {
                values[i] = v;
                v = TensorMath.Wrap(type, unchecked(v + d));
            }

            return One(TensorMath.FromInts(type, new[] { count }, values));
        }
    }
}
