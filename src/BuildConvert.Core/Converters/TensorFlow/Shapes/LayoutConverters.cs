using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TensorFlow.Shapes;

/// <summary>
/// Layout and shape-producing ops (https://www.tensorflow.org/api_docs/python/tf/raw_ops): <c>Transpose</c>,
/// <c>Tile</c>, <c>BroadcastTo</c>, <c>Range</c>, <c>Size</c>, <c>Rank</c>, <c>Pad</c>/<c>PadV2</c>/<c>MirrorPad</c>,
/// <c>ReverseV2</c>, <c>InvertPermutation</c>, <c>Cumsum</c>, <c>Einsum</c>, <c>ClipByValue</c> and <c>IsFinite</c>.
/// ONNX Pad has no SYMMETRIC mode in any opset (constant, reflect, edge, and wrap from 19), so MirrorPad SYMMETRIC is
/// spelled with reversed Slices and a Concat per padded dimension.
/// </summary>
internal static class LayoutConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("Transpose", 13, Transpose, "perm must be a constant");
        r.Add("Tile", 13, Tile, "multiples may be computed at run time");
        r.Add("BroadcastTo", 13, BroadcastTo, "shape may be computed at run time");
        r.Add("Range", 13, Range, "start, limit and delta may be computed at run time");
        r.Add("Size", 13, Size);
        r.Add("Rank", 13, Rank);
        r.Add("Pad", 13, Pad, "paddings may be computed at run time");
        r.Add("PadV2", 13, Pad, "paddings and constant_values may be computed at run time");
        r.Add("MirrorPad", 13, MirrorPad, "REFLECT: ONNX reflect; SYMMETRIC: Slices and Concat (paddings may be computed at run time when the rank is known)");
        r.Add("ReverseV2", 13, ReverseV2, "axis may be computed at run time (Slice with step -1)");
        r.Add("InvertPermutation", 13, InvertPermutation, "folded when constant, else ScatterElements");
        r.Add("Cumsum", 13, Cumsum);
        r.Add("Einsum", 13, Einsum);
        r.Add("ClipByValue", 13, ClipByValue, "bounds broadcast as in TensorFlow (Max then Min)");
        r.Add("IsFinite", 13, IsFinite);
    }

    private static Value AsInt64(OpBuilder b, Value v) => v.Type?.ElementType == DataType.Int64 ? v : b.Cast(v, DataType.Int64);

    /// <summary>Transpose(x, perm): ONNX Transpose (perm is an attribute there, so it must be known).</summary>
    private static void Transpose(TfNodeContext c) =>
        c.SetOutput(0, c.Transpose(c.Input(0), c.ConstantInts(1, "perm", "ONNX Transpose takes perm as an attribute")));

    /// <summary>Tile(input, multiples): ONNX Tile with int64 repeats.</summary>
    private static void Tile(TfNodeContext c) => c.SetOutput(0, c.Builder.Op("Tile", c.Input(0), AsInt64(c.Builder, c.Input(1))));

    /// <summary>BroadcastTo(input, shape): ONNX Expand (NumPy broadcasting to the given shape).</summary>
    private static void BroadcastTo(TfNodeContext c) => c.SetOutput(0, c.Builder.Op("Expand", c.Input(0), AsInt64(c.Builder, c.Input(1))));

    /// <summary>Range(start, limit, delta, Tidx): ceil((limit - start) / delta) elements (ONNX Range, scalars).</summary>
    private static void Range(TfNodeContext c)
    {
        var b = c.Builder;
        var type = c.ElementType("Tidx", c.InputElementType(0));
        Value Scalar(int i)
        {
            var v = c.Input(i);
            v = c.InputRank(i) is 0 ? v : b.Reshape(v, Array.Empty<long>());
            return c.InputElementType(i, "Tidx") == type ? v : b.Cast(v, type);
        }

        c.SetOutput(0, b.Op("Range", Scalar(0), Scalar(1), Scalar(2)));
    }

    /// <summary>Size(input, out_type): the element count as a scalar of out_type (int32 by default).</summary>
    private static void Size(TfNodeContext c)
    {
        var size = c.Builder.Op("Size", c.Input(0));
        var type = c.ElementType("out_type", DataType.Int32);
        c.SetOutput(0, type == DataType.Int64 ? size : c.Builder.Cast(size, type));
    }

    /// <summary>Rank(input): the rank as an int32 scalar (a constant when the rank is known).</summary>
    private static void Rank(TfNodeContext c)
    {
        var b = c.Builder;
        if (c.InputRank(0) is { } rank)
        {
            c.SetOutput(0, b.Const(TensorData.Scalar(DataType.Int32, rank), "rank"));
            return;
        }

        c.SetOutput(0, b.Cast(b.Op("Size", b.Op("Shape", c.Input(0))), DataType.Int32));
    }

    /// <summary>The paddings input [rank, 2] as ONNX pads (all begins, then all ends), int64.</summary>
    private static Value Pads(TfNodeContext c)
    {
        var b = c.Builder;
        if (c.ConstantInput(1) is { FitsInt64: true } constant)
        {
            var p = constant.ToInt64s();
            var n = p.Length / 2;
            return b.Int64s(Enumerable.Range(0, n).Select(i => p[2 * i]).Concat(Enumerable.Range(0, n).Select(i => p[(2 * i) + 1])).ToArray());
        }

        return b.Reshape(c.Transpose(AsInt64(b, c.Input(1)), new long[] { 1, 0 }), new long[] { -1 });
    }

    /// <summary>Pad(input, paddings) and PadV2(input, paddings, constant_values): ONNX Pad, mode constant.</summary>
    private static void Pad(TfNodeContext c)
    {
        var b = c.Builder;
        var inputs = new List<Value?> { c.Input(0), Pads(c) };
        if (c.OptionalInput(2) is { } value)
        {
            inputs.Add(c.InputRank(2) is 0 ? value : b.Reshape(value, Array.Empty<long>()));
        }

        c.SetOutput(0, b.Op("Pad", inputs, NodeAttribute.Of("mode", "constant")));
    }

    /// <summary>
    /// MirrorPad(input, paddings, mode): REFLECT mirrors without the edge element (ONNX Pad reflect); SYMMETRIC mirrors
    /// with it: per dimension, <c>reverse(x[0:before]) ++ x ++ reverse(x[n-after:n])</c>.
    /// </summary>
    private static void MirrorPad(TfNodeContext c)
    {
        var b = c.Builder;
        var mode = c.Choice("mode", "REFLECT", "REFLECT", "SYMMETRIC");
        if (mode == "REFLECT")
        {
            c.SetOutput(0, b.Op("Pad", new[] { c.Input(0), Pads(c) }, NodeAttribute.Of("mode", "reflect")));
            return;
        }

        if (c.ConstantInput(1) is not { FitsInt64: true } constant)
        {
            SymmetricAtRunTime(c);
            return;
        }

        var paddings = constant.ToInt64s();
        var x = c.Input(0);
        for (var axis = 0; axis < paddings.Length / 2; axis++)
        {
            var (before, after) = (paddings[2 * axis], paddings[(2 * axis) + 1]);
            if (before < 0 || after < 0)
            {
                throw c.Error($"paddings of dimension {axis} are negative ({before}, {after})");
            }

            if (before == 0 && after == 0)
            {
                continue;
            }

            var parts = new List<Value>();
            var ax = new long[] { axis };
            var back = new long[] { -1 };
            if (before > 0)
            {
                parts.Add(b.Slice(x, new[] { before - 1 }, new[] { long.MinValue }, ax, back));
            }

            parts.Add(x);
            if (after > 0)
            {
                parts.Add(b.Slice(x, new long[] { -1 }, new[] { -1 - after }, ax, back));
            }

            x = b.Op("Concat", parts, NodeAttribute.Of("axis", (long)axis));
        }

        c.SetOutput(0, x);
    }

    /// <summary>
    /// MirrorPad SYMMETRIC with paddings known only at run time: per dimension (the rank must be known),
    /// <c>reverse(x[0:before]) ++ x ++ reverse(x[n-after:n])</c> with the bounds read from the paddings; a 0 gives an
    /// empty part.
    /// </summary>
    private static void SymmetricAtRunTime(TfNodeContext c)
    {
        var b = c.Builder;
        var rank = c.RequireRank(0, "MirrorPad SYMMETRIC with run-time paddings");
        var paddings = AsInt64(b, c.Input(1));
        var x = c.Input(0);
        Value Entry(int row, int column) =>
            b.Op("Slice", paddings, b.Int64s(row, column), b.Int64s(row + 1, column + 1), b.Int64s(0, 1));
        for (var axis = 0; axis < rank; axis++)
        {
            var ax = b.Int64s(axis);
            var back = b.Int64s(-1);
            var before = b.Reshape(Entry(axis, 0), new long[] { 1 });
            var after = b.Reshape(Entry(axis, 1), new long[] { 1 });
            var size = b.Op("Gather", new[] { b.Op("Shape", x), ax }, NodeAttribute.Of("axis", 0L));
            var head = b.Op("Slice", x, b.Int64s(0), before, ax);
            var tail = b.Op("Slice", x, b.Op("Sub", size, after), b.Int64s(long.MaxValue), ax);
            var front = b.Int64s(long.MinValue);
            x = b.Op("Concat", new[]
            {
                b.Op("Slice", head, back, front, ax, back), x, b.Op("Slice", tail, back, front, ax, back),
            }, NodeAttribute.Of("axis", (long)axis));
        }

        c.SetOutput(0, x);
    }

    /// <summary>ReverseV2(tensor, axis): Slice with step -1 along each listed axis (the axes may be computed at run time).</summary>
    private static void ReverseV2(TfNodeContext c)
    {
        var b = c.Builder;
        if (c.ConstantInput(1) is not { FitsInt64: true } constant)
        {
            // Slice takes its axes as an input: starts -1, ends past the front, steps -1, one per listed axis.
            var axis = b.Reshape(AsInt64(b, c.Input(1)), new long[] { -1 });
            var count = b.Op("Shape", axis);
            Value Filled(long v, string hint) => b.Op("Expand", b.Const(TensorData.FromInt64s(new[] { v }), hint), count);
            var back = Filled(-1, "minus_one");
            c.SetOutput(0, b.Op("Slice", c.Input(0), back, Filled(long.MinValue, "front"), axis, back));
            return;
        }

        var axes = constant.ToInt64s();
        if (c.InputRank(0) is { } rank)
        {
            if (axes.FirstOrDefault(a => a < -rank || a >= rank, long.MinValue) is var bad && bad != long.MinValue)
            {
                throw c.Error($"input 1 (axis) {bad} is outside a rank-{rank} input");
            }

            if (axes.Select(a => a < 0 ? a + rank : a).Distinct().Count() != axes.Length)
            {
                throw c.Error($"input 1 (axis) [{string.Join(", ", axes)}] names a dimension more than once");
            }
        }

        if (axes.Length == 0)
        {
            c.SetOutput(0, c.Input(0));
            return;
        }

        var ones = axes.Select(_ => -1L).ToArray();
        c.SetOutput(0, b.Slice(c.Input(0), ones, axes.Select(_ => long.MinValue).ToArray(), axes, ones));
    }

    /// <summary>InvertPermutation(x): y[x[i]] = i. A constant when x is; otherwise ScatterElements of 0..n-1.</summary>
    private static void InvertPermutation(TfNodeContext c)
    {
        var b = c.Builder;
        var type = c.InputElementType(0);
        if (c.ConstantInput(0) is { FitsInt64: true } constant)
        {
            var p = constant.ToInt64s();
            var inverse = new long[p.Length];
            var seen = new bool[p.Length];
            for (var i = 0; i < p.Length; i++)
            {
                if (p[i] < 0 || p[i] >= p.Length || seen[p[i]])
                {
                    throw c.Error($"input is not a permutation of 0..{p.Length - 1} (element {i} is {p[i]})");
                }

                seen[p[i]] = true;
                inverse[p[i]] = i;
            }

            var data = type == DataType.Int64 ? TensorData.FromInt64s(inverse) : TensorData.FromInt32s(inverse.Select(v => (int)v).ToArray());
            c.SetOutput(0, b.Const(data, "inverse"));
            return;
        }

        var x = c.Input(0);
        var n = b.Op("Size", x);
        var positions = b.Op("Range", b.Scalar(DataType.Int64, 0), n, b.Scalar(DataType.Int64, 1));
        var updates = type == DataType.Int64 ? positions : b.Cast(positions, type);
        c.SetOutput(0, b.Op("ScatterElements", new[] { x, x, updates }, NodeAttribute.Of("axis", 0L)));
    }

    /// <summary>Cumsum(x, axis, exclusive, reverse): ONNX CumSum with the same attributes.</summary>
    private static void Cumsum(TfNodeContext c)
    {
        var b = c.Builder;
        var axis = c.InputRank(1) is 0 ? c.Input(1) : b.Reshape(c.Input(1), Array.Empty<long>());
        c.SetOutput(0, b.Op("CumSum", new[] { c.Input(0), axis },
            NodeAttribute.Of("exclusive", c.Bool("exclusive", false) ? 1L : 0L), NodeAttribute.Of("reverse", c.Bool("reverse", false) ? 1L : 0L)));
    }

    /// <summary>Einsum(inputs, equation): ONNX Einsum (spaces removed; ellipses kept).</summary>
    private static void Einsum(TfNodeContext c)
    {
        var equation = c.String("equation").Replace(" ", "", StringComparison.Ordinal);
        c.SetOutput(0, c.Builder.Op("Einsum", c.Inputs, NodeAttribute.Of("equation", equation)));
    }

    /// <summary>ClipByValue(t, clip_value_min, clip_value_max) = min(max(t, min), max); the bounds broadcast.</summary>
    private static void ClipByValue(TfNodeContext c)
    {
        var b = c.Builder;
        c.SetOutput(0, b.Op("Min", b.Op("Max", c.Input(0), c.Input(1)), c.Input(2)));
    }

    /// <summary>IsFinite(x) = not (isnan(x) or isinf(x)).</summary>
    private static void IsFinite(TfNodeContext c)
    {
        var b = c.Builder;
        var x = c.Input(0);
        c.SetOutput(0, b.Op("Not", b.Op("Or", b.Op("IsNaN", x), b.Op("IsInf", x))));
    }
}
