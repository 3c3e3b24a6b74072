using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Evaluation;

// ReduceSum/ReduceProd/ReduceMax/ReduceMin/ReduceMean: axes as an attribute (ReduceSum below 13, the others below 18)
// or as input 1, keepdims (default 1) and noop_with_empty_axes (default 0).
public static partial class ReferenceEvaluator
{
    private enum Reduction
    {
        Sum,
        Prod,
        Max,
        Min,
        Mean,
    }

    private static void RegisterReductionOps(Dictionary<string, Kernel> k)
    {
        k["ReduceSum"] = c => Reduce(c, Reduction.Sum);
        k["ReduceProd"] = c => Reduce(c, Reduction.Prod);
        k["ReduceMax"] = c => Reduce(c, Reduction.Max);
        k["ReduceMin"] = c => Reduce(c, Reduction.Min);
        k["ReduceMean"] = c => Reduce(c, Reduction.Mean);
    }

    private static TensorData?[] Reduce(Call c, Reduction kind)
    {
        var x = c.In(0);
        var type = x.ElementType;
        var rank = x.Dims.Length;
        if (type == DataType.Bool || x.ElementCount > c.Limits.MaxWork || (kind == Reduction.Mean && !TensorMath.IsFloat(type)))
        {
            throw Refuse();
        }

        var axes = AxesOf(c, 1);
        if (axes is null || axes.Length == 0)
        {
            if (c.Int("noop_with_empty_axes", 0) != 0)
            {
                return One(x);
            }

            axes = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        }

        var reduced = new bool[rank];
        foreach (var a in axes)
        {
            if (!TensorMath.TryAxis(a, rank, out var ax) || reduced[ax])
            {
                throw Refuse();
            }

            reduced[ax] = true;
        }

        var kept = x.Dims.Select((d, i) => reduced[i] ? 1 : d).ToArray();
        var groupSize = x.Dims.Where((_, i) => reduced[i]).Aggregate(1L, (p, d) => p * d);
        if (groupSize == 0 && kind is not (Reduction.Sum or Reduction.Prod))
        {
            throw Refuse();
        }

        var keepDims = c.Int("keepdims", 1) != 0;
        var shape = keepDims ? kept : x.Dims.Where((_, i) => !reduced[i]).ToArray();
        var outStrides = TensorMath.Strides(kept);
        var tables = x.Dims.Select((d, i) => Enumerable.Range(0, (int)d).Select(o => reduced[i] ? 0L : o).ToArray()).ToArray();
        var map = IndexMap(x.Dims, tables, outStrides);
        var n = (int)TensorMath.Count(kept);
        if (TensorMath.IsFloat(type))
        {
            TensorMath.TryReadReals(x, out var v);
            if (kind is Reduction.Max or Reduction.Min && v.Any(double.IsNaN))
            {
                throw Refuse();
            }

            var r = new double[n];
            Array.Fill(r, kind switch { Reduction.Prod => 1, Reduction.Max => double.NegativeInfinity, Reduction.Min => double.PositiveInfinity, _ => 0 });
            for (var i = 0; i < v.Length; i++)
            {
                ref var acc = ref r[map[i]];
                acc = kind switch
                {
                    Reduction.Prod => acc * v[i],
                    Reduction.Max => Math.Max(acc, v[i]),
                    Reduction.Min => Math.Min(acc, v[i]),
                    _ => acc + v[i],
                };
            }

            if (kind == Reduction.Mean)
            {
                for (var i = 0; i < n; i++)
                {
                    r[i] /= groupSize;
                }
            }

            return One(TensorMath.FromReals(type, shape, r));
        }

        if (!TensorMath.TryReadInts(x, out var p))
        {
            throw Refuse();
        }

        var result = new long[n];
        Array.Fill(result, kind switch { Reduction.Prod => 1, Reduction.Max => long.MinValue, Reduction.Min => long.MaxValue, _ => 0 });
        for (var i = 0; i < p.Length; i++)
        {
            ref var acc = ref result[map[i]];
            acc = kind switch
            {
                Reduction.Prod => unchecked(acc * p[i]),
                Reduction.Max => Math.Max(acc, p[i]),
                Reduction.Min => Math.Min(acc, p[i]),
                _ => unchecked(acc + p[i]),
            };
        }

        return One(TensorMath.FromInts(type, shape, result.Select(v => TensorMath.Wrap(type, v)).ToArray()));
    }

    /// <summary>For every element of a tensor of <paramref name="shape"/>, sum(tables[k][index_k] * strides[k]).</summary>
    private static int[] IndexMap(long[] shape, long[][] tables, long[] strides)
    {
        var rank = shape.Length;
        var n = (int)TensorMath.Count(shape);
        var map = new int[n];
        var index = new long[rank];
        for (var i = 0; i < n; i++)
        {
            long flat = 0;
            for (var d = 0; d < rank; d++)
            {
                flat += tables[d][index[d]] * strides[d];
            }

            map[i] = (int)flat;
            for (var d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }

        return map;
    }
}
