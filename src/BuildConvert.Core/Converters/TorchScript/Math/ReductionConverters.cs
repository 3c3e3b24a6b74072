using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript.Math;

/// <summary>
/// Reductions (https://pytorch.org/docs/1.13/torch.html#reduction-ops): <c>sum</c>, <c>mean</c>, <c>prod</c>,
/// <c>amax</c>/<c>amin</c>, <c>max</c>/<c>min</c> (all elements; over a dim with values and indices; or element-wise
/// with another tensor), <c>argmax</c>/<c>argmin</c>, <c>var</c>/<c>std</c> (unbiased or a correction),
/// <c>logsumexp</c>, <c>all</c>/<c>any</c>, <c>cumsum</c>. A dim list that is None or empty reduces every dimension.
/// <c>sum</c>, <c>prod</c> and <c>cumsum</c> of integer or bool tensors give int64, as PyTorch's do, unless a dtype is given.
/// </summary>
internal static class ReductionConverters
{
    public static void Register(OpConverterRegistry<TorchOpHandler> r)
    {
        r.Op("aten::sum", c => Reduce(c, "ReduceSum", integerToInt64: true), "dim None or [] reduces all; integers and bools sum to int64; dtype");
        r.Op("aten::mean", c => Reduce(c, "ReduceMean", integerToInt64: false), "dtype");
        r.Op("aten::prod", Prod, "integers and bools multiply to int64; dtype");
        r.Op("aten::amax", c => Extreme(c, "ReduceMax"), "dim [] reduces all");
        r.Op("aten::amin", c => Extreme(c, "ReduceMin"), "dim [] reduces all");
        r.Op("aten::max", c => MaxMin(c, "Max"), "max(), max(dim, keepdim) -> (values, indices), max(other)");
        r.Op("aten::min", c => MaxMin(c, "Min"), "min(), min(dim, keepdim) -> (values, indices), min(other)");
        r.Op("aten::argmax", c => ArgExtreme(c, "ArgMax"), "dim None flattens");
        r.Op("aten::argmin", c => ArgExtreme(c, "ArgMin"), "dim None flattens");
        r.Op("aten::var", c => Variance(c, false), "unbiased and correction overloads");
        r.Op("aten::std", c => Variance(c, true), "unbiased and correction overloads");
        r.Op("aten::logsumexp", LogSumExp);
        r.Op("aten::all", c => AllAny(c, all: true));
        r.Op("aten::any", c => AllAny(c, all: false));
        r.Op("aten::cumsum", CumSum, inPlace: true);
    }

    /// <summary>The reduced axes of a dim argument (None, an int or a list; empty reduces all), normalized.</summary>
    private static long[]? Axes(TorchNodeContext c, int index, int rank)
    {
        if (c.IsNone(index))
        {
            return null;
        }

        var dims = c.Ints(index, "dim");
        return dims.Count == 0 ? null : dims.Select(d => (long)c.Axis(d, rank)).Distinct().OrderBy(a => a).ToArray();
    }

    private static Value Input(TorchNodeContext c, DataType? dtype, bool integerToInt64)
    {
        var x = c.Tensor(0);
        if (dtype is { } t)
        {
            return c.CastTo(x, t);
        }

        var type = c.ElementType(x);
        return integerToInt64 && !TorchScalarTypes.IsFloating(type) ? c.CastTo(x, DataType.Int64) : x;
    }

    private static void Reduce(TorchNodeContext c, string op, bool integerToInt64)
    {
        // sum(self, dtype) / sum.dim_IntList(self, dim, keepdim, dtype); mean likewise.
        var full = c.InputCount <= 2;
        var dtype = c.DType(full ? 1 : 3);
        var x = Input(c, dtype, integerToInt64);
        if (op == "ReduceMean" && !TorchScalarTypes.IsFloating(c.ElementType(x)))
        {
            throw c.Error($"mean takes floating-point tensors (or a dtype argument), and the input is {c.ElementType(x)}");
        }

        var rank = c.Rank(x, c.Kind);
        var axes = full ? null : Axes(c, 1, rank);
        var keep = !full && c.Bool(2, "keepdim");
        c.SetOutput(0, ReduceOver(c, op, x, axes, rank, keep));
    }

    /// <summary>A reduction over <paramref name="axes"/> (null: all) that also handles rank 0.</summary>
    internal static Value ReduceOver(TorchNodeContext c, string op, Value x, IReadOnlyList<long>? axes, int rank, bool keep)
    {
        if (rank == 0)
        {
            return c.Builder.Op("Identity", x);
        }

        return c.Builder.Reduce(op, x, axes ?? Enumerable.Range(0, rank).Select(i => (long)i).ToArray(), keep);
    }

    private static void Prod(TorchNodeContext c)
    {
        // prod(self, dtype) / prod.dim_int(self, dim, keepdim, dtype).
        var full = c.InputCount <= 2;
        var x = Input(c, c.DType(full ? 1 : 3), integerToInt64: true);
        var rank = c.Rank(x, "prod");
        IReadOnlyList<long>? axes = full ? null : new long[] { c.Axis(c.Int(1, "dim"), rank) };
        c.SetOutput(0, ReduceOver(c, "ReduceProd", x, axes, rank, !full && c.Bool(2, "keepdim")));
    }

    private static Value BoolSafe(TorchNodeContext c, Value x, out bool wasBool)
    {
        wasBool = c.ElementType(x) == DataType.Bool;
        return wasBool ? c.Builder.Cast(x, DataType.Int32) : x;
    }

    private static Value Restore(TorchNodeContext c, Value x, bool wasBool) => wasBool ? c.Builder.Cast(x, DataType.Bool) : x;

    private static void Extreme(TorchNodeContext c, string op)
    {
        var x = BoolSafe(c, c.Tensor(0), out var wasBool);
        var rank = c.Rank(x, c.Kind);
        var axes = Axes(c, 1, rank);
        c.SetOutput(0, Restore(c, ReduceOver(c, op, x, axes, rank, c.Bool(2, "keepdim")), wasBool));
    }

    private static void MaxMin(TorchNodeContext c, string op)
    {
        if (c.InputCount >= 2 && c.IsTensor(1))
        {
            ElementwiseConverters.MaxMin(c, op);
            return;
        }

        var x = BoolSafe(c, c.Tensor(0), out var wasBool);
        var rank = c.Rank(x, c.Kind);
        var reduce = op == "Max" ? "ReduceMax" : "ReduceMin";
        if (c.InputCount == 1)
        {
            c.SetOutput(0, Restore(c, ReduceOver(c, reduce, x, null, rank, false), wasBool));
            return;
        }

        var axis = c.Axis(c.Int(1, "dim"), rank);
        var keep = c.Bool(2, "keepdim");
        if (rank == 0)
        {
            c.SetOutput(0, Restore(c, c.Builder.Op("Identity", x), wasBool));
            c.SetOutput(1, c.Builder.Const(TensorData.FromInt64s(new[] { 0L }, Array.Empty<long>()), "index"));
            return;
        }

        c.SetOutput(0, Restore(c, c.Builder.Reduce(reduce, x, new long[] { axis }, keep), wasBool));
        c.SetOutput(1, c.Builder.Op(op == "Max" ? "ArgMax" : "ArgMin", new[] { x },
            NodeAttribute.Of("axis", (long)axis), NodeAttribute.Of("keepdims", keep ? 1L : 0L)));
    }

    private static void ArgExtreme(TorchNodeContext c, string op)
    {
        var x = BoolSafe(c, c.Tensor(0), out _);
        var rank = c.Rank(x, c.Kind);
        var keep = c.Bool(2, "keepdim");
        var b = c.Builder;
        if (c.IsNone(1))
        {
            // Over the flattened tensor; keepdim keeps every dimension as size 1.
            var flat = b.Reshape(x, new long[] { -1 });
            var index = b.Op(op, new[] { flat }, NodeAttribute.Of("axis", 0L), NodeAttribute.Of("keepdims", 0L));
            c.SetOutput(0, keep && rank > 0 ? b.Reshape(index, Enumerable.Repeat(1L, rank).ToArray()) : index);
            return;
        }

        if (rank == 0)
        {
            c.SetOutput(0, b.Const(TensorData.FromInt64s(new[] { 0L }, Array.Empty<long>()), "index"));
            return;
        }

        var axis = c.Axis(c.Int(1, "dim"), rank);
        c.SetOutput(0, b.Op(op, new[] { x }, NodeAttribute.Of("axis", (long)axis), NodeAttribute.Of("keepdims", keep ? 1L : 0L)));
    }

    private static void Variance(TorchNodeContext c, bool sqrt)
    {
        // var(self, unbiased) / var.dim(self, dim, unbiased, keepdim) / var.correction(self, dim, correction, keepdim).
        var x = c.Tensor(0);
        var type = c.ElementType(x);
        if (!TorchScalarTypes.IsFloating(type))
        {
            throw c.Error($"{c.Kind} takes floating-point tensors, and the input is {type}");
        }

        var rank = c.Rank(x, c.Kind);
        IReadOnlyList<long>? axes;
        double correction;
        bool keep;
        if (c.InputCount == 2)
        {
            axes = null;
            correction = c.Bool(1, "unbiased") ? 1 : 0;
            keep = false;
        }
        else
        {
            axes = Axes(c, 1, rank);
            correction = c.TypeOf(2).Kind == TorchTypeKind.Bool || c.ConstantOf(2) is bool
                ? (c.Bool(2, "unbiased") ? 1 : 0)
                : c.OptionalInt(2, "correction") ?? 1;
            keep = c.Bool(3, "keepdim");
        }

        IReadOnlyList<long> all = axes ?? Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        var b = c.Builder;
        if (rank == 0)
        {
            all = Array.Empty<long>();
        }

        var mean = all.Count == 0 ? x : b.Reduce("ReduceMean", x, all, true);
        var diff = b.Op("Sub", x, mean);
        var squares = b.Op("Mul", diff, diff);
        var sum = all.Count == 0 ? squares : b.Reduce("ReduceSum", squares, all, keep);
        // N over the reduced dimensions, from the shape when it is dynamic.
        Value count;
        if (all.All(a => TorchNodeContext.StaticDim(x, (int)a) is not null))
        {
            count = b.Scalar(type, all.Aggregate(1L, (n, a) => n * TorchNodeContext.StaticDim(x, (int)a)!.Value));
        }
        else
        {
            var dims = b.Op("Gather", new[] { b.Op("Shape", x), b.Int64s(all) }, NodeAttribute.Of("axis", 0L));
            count = b.Cast(b.Reduce("ReduceProd", dims, new long[] { 0 }, false), type);
        }

        var denominator = b.Op("Sub", count, b.Scalar(type, correction));
        denominator = b.Op("Max", denominator, b.Scalar(type, 0));
        var result = b.Op("Div", sum, denominator);
        c.SetOutput(0, sqrt ? b.Op("Sqrt", result) : result);
    }

    private static void LogSumExp(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        if (!TorchScalarTypes.IsFloating(c.ElementType(x)))
        {
            x = c.CastTo(x, TorchScalarTypes.DefaultFloat);
        }

        var rank = c.Rank(x, "logsumexp");
        var axes = Axes(c, 1, rank);
        var keep = c.Bool(2, "keepdim");
        var b = c.Builder;
        var all = axes ?? Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        if (rank == 0)
        {
            c.SetOutput(0, b.Op("Identity", x));
            return;
        }

        // max + log(sum(exp(x - max))), with the max of infinities kept finite, as PyTorch computes it.
        var max = b.Reduce("ReduceMax", x, all, true);
        var type = c.ElementType(x);
        var safe = b.Op("Where", b.Op("IsInf", max), b.Scalar(type, 0), max);
        var sum = b.Reduce("ReduceSum", b.Op("Exp", b.Op("Sub", x, safe)), all, keep);
        var shift = keep ? safe : b.Reduce("ReduceMax", safe, all, false);
        c.SetOutput(0, b.Op("Add", b.Op("Log", sum), shift));
    }

    private static void AllAny(TorchNodeContext c, bool all)
    {
        if (c.IsList(0))
        {
            var items = c.Items(0, "list").Select(s => c.AsTensor(s)).ToArray();
            if (c.ConstantOf(0) is IReadOnlyList<object> list)
            {
                var truth = list.Select(o => TorchNodeContext.ToDouble(o) != 0).ToArray();
                c.SetConstant(0, all ? truth.All(t => t) : truth.Any(t => t));
                return;
            }

            throw c.Unsupported("all/any of a list needs the list to be known at conversion time");
        }

        var x = c.Tensor(0);
        var flags = c.Builder.Cast(ElementwiseConverters.ToBool(c, x), DataType.Int32);
        var rank = c.Rank(x, c.Kind);
        IReadOnlyList<long>? axes = c.InputCount > 1 ? new long[] { c.Axis(c.Int(1, "dim"), rank) } : null;
        var keep = c.InputCount > 2 && c.Bool(2, "keepdim");
        var reduced = ReduceOver(c, all ? "ReduceMin" : "ReduceMax", flags, axes, rank, keep);
        // PyTorch 1.13 returns uint8 for uint8 inputs, bool otherwise.
        var output = c.ElementType(x) == DataType.Uint8 ? DataType.Uint8 : DataType.Bool;
        c.SetOutput(0, c.Builder.Cast(reduced, output));
    }

    private static void CumSum(TorchNodeContext c)
    {
        var x = Input(c, c.DType(2), integerToInt64: true);
        var rank = c.Rank(x, "cumsum");
        if (rank == 0)
        {
            c.SetOutput(0, c.Builder.Op("Identity", x));
            return;
        }

        var axis = c.Axis(c.Int(1, "dim"), rank);
        c.SetOutput(0, c.Builder.Op("CumSum", x, c.Builder.Const(TensorData.FromInt64s(new[] { (long)axis }, Array.Empty<long>()), "axis")));
    }
}
