using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs.Inference;

/// <summary>
/// Operators that select elements: Slice, Gather, GatherElements, GatherND, Compress, NonZero, Unique, TopK, OneHot.
/// Sizes that depend on the data are fresh symbols (see <see cref="ShapeInferenceOptions.NameDataDependentDims"/>).
/// Slice and Gather also track small values.
/// </summary>
internal static class IndexingInference
{
    public static void Register(InferenceRegistry.Builder r)
    {
        r.Add("Slice", Slice);
        r.Add("Gather", Gather);
        r.Add("GatherElements", 11, c => c.SetOutput(0, c.InputElementType(0), c.InputShape(1)?.Select(ShapeMath.Plain).ToArray()));
        r.Add("GatherND", 11, GatherNd);
        r.Add("Compress", 9, Compress);
        r.Add("NonZero", 9, NonZero);
        r.Add("Unique", 11, Unique);
        r.Add("TopK", TopK);
        r.Add("OneHot", 9, OneHot);
    }

    private static void Slice(InferenceContext c)
    {
        var input = c.InputShape(0);
        var elem = c.InputElementType(0);
        if (input is null)
        {
            c.SetOutput(0, elem, null);
            return;
        }

        var rank = input.Count;
        long[]? starts, ends, axesGiven, steps;
        if (c.Opset < 10)
        {
            starts = c.Node.GetInts("starts")?.ToArray();
            ends = c.Node.GetInts("ends")?.ToArray();
            axesGiven = c.Node.GetInts("axes")?.ToArray();
            steps = null;
        }
        else
        {
            starts = c.InputInts(1);
            ends = c.InputInts(2);
            axesGiven = c.HasInput(3) ? c.InputInts(3) : null;
            steps = c.HasInput(4) ? c.InputInts(4) : null;
            if (c.HasInput(3) && axesGiven is null)
            {
                c.SetOutput(0, elem, input.Select(_ => Dim.Unknown).ToArray());
                return;
            }
        }

        if (starts is null || ends is null)
        {
            var touched = axesGiven is null ? Enumerable.Range(0, rank).ToHashSet() : Rules.Axes(c, axesGiven, rank).ToHashSet();
            c.SetOutput(0, elem, input.Select((d, i) => touched.Contains(i) ? Dim.Unknown : ShapeMath.Plain(d)).ToArray());
            return;
        }

        if (starts.Length != ends.Length)
        {
            c.Fail($"starts has {starts.Length} values and ends {ends.Length}");
        }

        var axes = axesGiven is null ? Enumerable.Range(0, starts.Length).ToArray() : Rules.Axes(c, axesGiven, rank);
        if (axes.Length != starts.Length || (steps is not null && steps.Length != starts.Length))
        {
            c.Fail("starts, ends, axes and steps have different lengths");
        }

        var result = input.Select(ShapeMath.Plain).ToArray();
        var unknownSteps = c.Opset >= 10 && c.HasInput(4) && steps is null;
        for (var k = 0; k < axes.Length; k++)
        {
            var a = axes[k];
            if (unknownSteps)
            {
                result[a] = Dim.Unknown;
                continue;
            }

            var step = steps?[k] ?? 1;
            if (step == 0)
            {
                c.Fail($"step for axis {a} is 0");
            }

            result[a] = input[a].Value is { } d ? Dim.Of(SliceLength(d, starts[k], ends[k], step))
                : step == 1 && starts[k] == 0 && ends[k] >= int.MaxValue ? result[a]
                : Dim.Unknown;
        }

        c.SetOutput(0, elem, result);
        if (rank == 1 && c.InputValues(0) is { } values && axes is [0] && !unknownSteps)
        {
            var d = values.Count;
            var step = steps?[0] ?? 1;
            var (begin, count) = SliceRange(d, starts[0], ends[0], step);
            c.SetOutputValues(0, Enumerable.Range(0, (int)count).Select(i => values[(int)(begin + i * step)]).ToArray());
        }
    }

    private static long SliceLength(long d, long start, long end, long step) => SliceRange(d, start, end, step).Count;

    private static (long Begin, long Count) SliceRange(long d, long start, long end, long step)
    {
        if (start < 0)
        {
            start += d;
        }

        if (end < 0)
        {
            end += d;
        }

        if (step > 0)
        {
            start = Math.Clamp(start, 0, d);
            end = Math.Clamp(end, 0, d);
            return (start, Math.Max(0, ShapeMath.CeilDiv(end - start, step)));
        }

        start = Math.Clamp(start, 0, d - 1);
        end = Math.Clamp(end, -1, d - 1);
        return (start, Math.Max(0, ShapeMath.CeilDiv(start - end, -step)));
    }

    private static void Gather(InferenceContext c)
    {
        var data = c.InputShape(0);
        var indices = c.InputShape(1);
        var elem = c.InputElementType(0);
        if (data is null || indices is null)
        {
            c.SetOutput(0, elem, null);
            return;
        }

        var axis = c.Axis(c.Node.GetInt("axis", 0), data.Count);
        var result = data.Take(axis).Concat(indices).Concat(data.Skip(axis + 1)).Select(ShapeMath.Plain).ToArray();
        c.SetOutput(0, elem, result);
        if (data.Count == 1 && c.InputValues(0) is { } values && c.InputInts(1) is { } picks && indices.Count <= 1)
        {
            var n = values.Count;
            var picked = picks.Select(p => p < 0 ? p + n : p).ToArray();
            if (picked.All(p => p >= 0 && p < n))
            {
                c.SetOutputValues(0, picked.Select(p => values[(int)p]).ToArray(), scalar: indices.Count == 0);
            }
            else
            {
                c.Fail($"indices [{string.Join(",", picks)}] are out of range for {n} elements");
            }
        }
    }

    private static void GatherNd(InferenceContext c)
    {
        var data = c.InputShape(0);
        var indices = c.InputShape(1);
        var elem = c.InputElementType(0);
        var batch = (int)c.Node.GetInt("batch_dims", 0);
        if (data is null || indices is null || indices.Count == 0 || indices[^1].Value is not { } last)
        {
            c.SetOutput(0, elem, null);
            return;
        }

        if (batch + last > data.Count)
        {
            c.Fail($"indices address {last} dimensions after {batch} batch dimensions of a rank-{data.Count} input");
        }

        c.SetOutput(0, elem, indices.Take(indices.Count - 1).Concat(data.Skip(batch + (int)last)).Select(ShapeMath.Plain).ToArray());
    }

    private static void Compress(InferenceContext c)
    {
        var input = c.InputShape(0);
        var elem = c.InputElementType(0);
        var condition = c.InputInts(1);
        var axisAttr = c.Node.Attribute("axis");
        Dim Selected(Dim available)
        {
            if (condition is null)
            {
                return c.DataDependentDim();
            }

            var limit = available.Value ?? condition.Length;
            return Dim.Of(condition.Take((int)Math.Min(limit, condition.Length)).Count(v => v != 0));
        }

        if (axisAttr is null)
        {
            c.SetOutput(0, elem, new[] { Selected(input is null ? Dim.Unknown : ShapeMath.Product(input)) });
            return;
        }

        if (input is null)
        {
            c.SetOutput(0, elem, null);
            return;
        }

        var axis = c.Axis(axisAttr.Int, input.Count);
        var result = input.Select(ShapeMath.Plain).ToArray();
        result[axis] = Selected(input[axis]);
        c.SetOutput(0, elem, result);
    }

    private static void NonZero(InferenceContext c)
    {
        var input = c.InputShape(0);
        c.SetOutput(0, DataType.Int64, new[] { input is null ? Dim.Unknown : Dim.Of(input.Count), c.DataDependentDim() });
    }

    private static void Unique(InferenceContext c)
    {
        var input = c.InputShape(0);
        var elem = c.InputElementType(0);
        var unique = c.DataDependentDim();
        var axisAttr = c.Node.Attribute("axis");
        if (axisAttr is null)
        {
            c.SetOutput(0, elem, new[] { unique });
            c.SetOutput(2, DataType.Int64, new[] { input is null ? Dim.Unknown : ShapeMath.Product(input) });
        }
        else if (input is null)
        {
            c.SetOutput(0, elem, null);
            c.SetOutput(2, DataType.Int64, new[] { Dim.Unknown });
        }
        else
        {
            var axis = c.Axis(axisAttr.Int, input.Count);
            var shape = input.Select(ShapeMath.Plain).ToArray();
            shape[axis] = unique;
            c.SetOutput(0, elem, shape);
            c.SetOutput(2, DataType.Int64, new[] { ShapeMath.Plain(input[axis]) });
        }

        c.SetOutput(1, DataType.Int64, new[] { unique });
        c.SetOutput(3, DataType.Int64, new[] { unique });
    }

    private static void TopK(InferenceContext c)
    {
        var input = c.InputShape(0);
        var elem = c.InputElementType(0);
        if (input is null)
        {
            c.SetOutput(0, elem, null);
            c.SetOutput(1, DataType.Int64, null);
            return;
        }

        var axis = c.Axis(c.Node.GetInt("axis", -1), input.Count);
        var k = c.Opset < 10 ? c.Node.GetInt("k", -1) : c.InputInts(1) is [var given] ? given : -1;
        if (k < -1 || (k >= 0 && input[axis].Value is { } d && k > d))
        {
            c.Fail($"k = {k} is out of range for dimension {axis}");
        }

        var shape = input.Select(ShapeMath.Plain).ToArray();
        shape[axis] = k >= 0 ? Dim.Of(k) : Dim.Unknown;
        c.SetOutput(0, elem, shape);
        c.SetOutput(1, DataType.Int64, shape);
    }

    private static void OneHot(InferenceContext c)
    {
        var indices = c.InputShape(0);
        var elem = c.InputElementType(2);
        if (indices is null)
        {
            c.SetOutput(0, elem, null);
            return;
        }

        var rank = indices.Count + 1;
        var axis = c.Axis(c.Node.GetInt("axis", -1), rank);
        var depth = c.InputDoubles(1) is [var d] ? Dim.Of((long)d) : Dim.Unknown;
        var result = indices.Select(ShapeMath.Plain).ToList();
        result.Insert(axis, depth);
        c.SetOutput(0, elem, result);
    }
}
