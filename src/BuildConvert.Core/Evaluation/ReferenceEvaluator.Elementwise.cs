using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Evaluation;

// Element-wise ops with numpy broadcasting (and the opset 1-6 "broadcast"/"axis" attributes): arithmetic, comparison,
// logic, Where, variadic Min/Max/Sum/Mean, unary math, Cast, and MatMul.
public static partial class ReferenceEvaluator
{
    private static void RegisterElementwiseOps(Dictionary<string, Kernel> k)
    {
        k["Add"] = c => Arithmetic(c, (a, b) => a + b, (a, b) => unchecked(a + b));
        k["Sub"] = c => Arithmetic(c, (a, b) => a - b, (a, b) => unchecked(a - b));
        k["Mul"] = c => Arithmetic(c, (a, b) => a * b, (a, b) => unchecked(a * b));
        k["Div"] = c => Arithmetic(c, (a, b) => a / b, (a, b) => b == 0 ? throw Refuse() : a / b, checkRange: true);
        k["Mod"] = Mod;
        k["Pow"] = Pow;
        k["Equal"] = c => Compare(c, (a, b) => a == b, (a, b) => a == b, allowBool: true);
        k["Less"] = c => Compare(c, (a, b) => a < b, (a, b) => a < b);
        k["Greater"] = c => Compare(c, (a, b) => a > b, (a, b) => a > b);
        k["LessOrEqual"] = c => Compare(c, (a, b) => a <= b, (a, b) => a <= b);
        k["GreaterOrEqual"] = c => Compare(c, (a, b) => a >= b, (a, b) => a >= b);
        k["And"] = c => Logic(c, (a, b) => a & b);
        k["Or"] = c => Logic(c, (a, b) => a | b);
        k["Xor"] = c => Logic(c, (a, b) => a ^ b);
        k["Not"] = Not;
        k["Where"] = Where;
        k["Min"] = c => Variadic(c, Math.Min, Math.Min, rejectNaN: true);
        k["Max"] = c => Variadic(c, Math.Max, Math.Max, rejectNaN: true);
        k["Sum"] = c => Variadic(c, (a, b) => a + b, (a, b) => unchecked(a + b), rejectNaN: false);
        k["Mean"] = Mean;
        k["Neg"] = c => Unary(c, v => -v, v => unchecked(-v), signedOnly: true);
        k["Abs"] = c => Unary(c, Math.Abs, v => v < 0 ? unchecked(-v) : v);
        k["Sign"] = c => Unary(c, v => double.IsNaN(v) ? v : Math.Sign(v), v => Math.Sign(v));
        k["Relu"] = c => Unary(c, v => v < 0 ? 0 : v, v => v < 0 ? 0 : v, signedOnly: true);
        k["Floor"] = c => Unary(c, Math.Floor, null);
        k["Ceil"] = c => Unary(c, Math.Ceiling, null);
        k["Sqrt"] = c => Unary(c, Math.Sqrt, null);
        k["Reciprocal"] = c => Unary(c, v => 1 / v, null);
        k["Cast"] = Cast;
        k["MatMul"] = MatMul;
    }

    /// <summary>The output shape and per-input element maps of a two-input op, honouring opset 1-6 broadcasting rules.</summary>
    private static (long[] Shape, int[] MapA, int[] MapB) Binary(Call c, TensorData a, TensorData b, bool legacy)
    {
        long[] shape;
        long[] bShape = b.Dims;
        if (legacy)
        {
            // Opsets 1-6: without broadcast=1 the shapes must match; with it, B is aligned to A at 'axis' (default: the end).
            if (c.Int("broadcast", 0) == 0)
            {
                if (!a.Dims.AsSpan().SequenceEqual(b.Dims))
                {
                    throw Refuse();
                }
            }
            else
            {
                var axis = c.Int("axis", a.Dims.Length - b.Dims.Length);
                if (axis < 0 || axis + b.Dims.Length > a.Dims.Length)
                {
                    throw Refuse();
                }

                bShape = Enumerable.Repeat(1L, a.Dims.Length).ToArray();
                for (var i = 0; i < b.Dims.Length; i++)
                {
                    if (b.Dims[i] != 1 && b.Dims[i] != a.Dims[axis + i])
                    {
                        throw Refuse();
                    }

                    bShape[axis + i] = b.Dims[i];
                }
            }

            shape = a.Dims;
        }
        else
        {
            shape = TensorMath.Broadcast(a.Dims, b.Dims) ?? throw Refuse();
        }

        c.Reserve(a.ElementType, shape);
        return (shape, TensorMath.BroadcastMap(a.Dims, shape), TensorMath.BroadcastMap(bShape, shape));
    }

    private static TensorData?[] Arithmetic(Call c, Func<double, double, double> real, Func<long, long, long> integer, bool checkRange = false)
    {
        var a = c.In(0);
        var b = c.In(1);
        var type = a.ElementType;
        if (b.ElementType != type || type == DataType.Bool)
        {
            throw Refuse();
        }

        var (shape, ma, mb) = Binary(c, a, b, c.Opset < 7);
        return One(Combine(type, shape, a, b, ma, mb, real, integer, checkRange));
    }

    private static TensorData Combine(DataType type, long[] shape, TensorData a, TensorData b, int[] ma, int[] mb,
        Func<double, double, double> real, Func<long, long, long>? integer, bool checkRange)
    {
        if (TensorMath.IsFloat(type))
        {
            TensorMath.TryReadReals(a, out var x);
            TensorMath.TryReadReals(b, out var y);
            var r = new double[ma.Length];
            for (var i = 0; i < r.Length; i++)
            {
                r[i] = TensorMath.Round(type, real(x[ma[i]], y[mb[i]]));
            }

            return TensorMath.FromReals(type, shape, r);
        }

        if (integer is null || !TensorMath.TryReadInts(a, out var p) || !TensorMath.TryReadInts(b, out var q))
        {
            throw Refuse();
        }

        var result = new long[ma.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var v = integer(p[ma[i]], q[mb[i]]);
            var w = TensorMath.Wrap(type, v);
            if (checkRange && w != v)
            {
                throw Refuse();
            }

            result[i] = w;
        }

        return TensorMath.FromInts(type, shape, result);
    }

    private static TensorData?[] Mod(Call c)
    {
        var fmod = c.Int("fmod", 0) != 0;
        var a = c.In(0);
        if (TensorMath.IsFloat(a.ElementType) && !fmod)
        {
            throw Refuse();
        }

        // fmod=1: C fmod (sign of the dividend); fmod=0 on integers: the sign of the divisor, like Python's %.
        return Arithmetic(c, (x, y) => x % y, (x, y) =>
        {
            if (y == 0)
            {
                throw Refuse();
            }

            var r = x % y;
            return !fmod && r != 0 && (r < 0) != (y < 0) ? r + y : r;
        });
    }

    private static TensorData?[] Pow(Call c)
    {
        var a = c.In(0);
        var b = c.In(1);
        var type = a.ElementType;
        if (type == DataType.Bool || b.ElementType == DataType.Bool || (c.Opset < 12 && b.ElementType != type))
        {
            throw Refuse();
        }

        var (shape, ma, mb) = Binary(c, a, b, c.Opset < 7);
        var exponent = TensorMath.IsFloat(b.ElementType)
            ? (TensorMath.TryReadReals(b, out var e) ? e : throw Refuse())
            : c.IntsOf(b).Select(v => (double)v).ToArray();
        if (TensorMath.IsFloat(type))
        {
            TensorMath.TryReadReals(a, out var x);
            var r = new double[ma.Length];
            for (var i = 0; i < r.Length; i++)
            {
                r[i] = TensorMath.Round(type, Math.Pow(x[ma[i]], exponent[mb[i]]));
            }

            return One(TensorMath.FromReals(type, shape, r));
        }

        // Integer base: ONNX Runtime takes std::pow in double and casts back; only exact integer results are folded.
        if (TensorMath.IsFloat(b.ElementType))
        {
            throw Refuse();
        }

        var xs = c.IntsOf(a);
        var result = new long[ma.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var p = Math.Pow(xs[ma[i]], exponent[mb[i]]);
            if (exponent[mb[i]] < 0 || Math.Abs(p) > 9007199254740992.0 || TensorMath.Wrap(type, (long)p) != (long)p)
            {
                throw Refuse();
            }

            result[i] = (long)p;
        }

        return One(TensorMath.FromInts(type, shape, result));
    }

    private static TensorData?[] Compare(Call c, Func<double, double, bool> real, Func<long, long, bool> integer, bool allowBool = false)
    {
        var a = c.In(0);
        var b = c.In(1);
        if (a.ElementType != b.ElementType || (a.ElementType == DataType.Bool && !allowBool))
        {
            throw Refuse();
        }

        var (shape, ma, mb) = Binary(c, a, b, c.Opset < 7);
        var r = new long[ma.Length];
        if (TensorMath.IsFloat(a.ElementType))
        {
            TensorMath.TryReadReals(a, out var x);
            TensorMath.TryReadReals(b, out var y);
            for (var i = 0; i < r.Length; i++)
            {
                r[i] = real(x[ma[i]], y[mb[i]]) ? 1 : 0;
            }
        }
        else
        {
            if (!TensorMath.TryReadInts(a, out var x) || !TensorMath.TryReadInts(b, out var y))
            {
                throw Refuse();
            }

            for (var i = 0; i < r.Length; i++)
            {
                r[i] = integer(x[ma[i]], y[mb[i]]) ? 1 : 0;
            }
        }

        return One(TensorMath.FromInts(DataType.Bool, shape, r));
    }

    private static TensorData?[] Logic(Call c, Func<long, long, long> op)
    {
        var a = c.In(0);
        var b = c.In(1);
        if (a.ElementType != DataType.Bool || b.ElementType != DataType.Bool)
        {
            throw Refuse();
        }

        var (shape, ma, mb) = Binary(c, a, b, c.Opset < 7);
        TensorMath.TryReadInts(a, out var x);
        TensorMath.TryReadInts(b, out var y);
        var r = new long[ma.Length];
        for (var i = 0; i < r.Length; i++)
        {
            r[i] = op(x[ma[i]], y[mb[i]]);
        }

        return One(TensorMath.FromInts(DataType.Bool, shape, r));
    }

    private static TensorData?[] Not(Call c)
    {
        var a = c.In(0);
        if (a.ElementType != DataType.Bool)
        {
            throw Refuse();
        }

        TensorMath.TryReadInts(a, out var x);
        return One(TensorMath.FromInts(DataType.Bool, a.Dims, x.Select(v => 1 - v).ToArray()));
    }

    private static TensorData?[] Where(Call c)
    {
        var cond = c.In(0);
        var x = c.In(1);
        var y = c.In(2);
        if (cond.ElementType != DataType.Bool || x.ElementType != y.ElementType || TensorMath.ElementSize(x.ElementType) == 0)
        {
            throw Refuse();
        }

        var shape = TensorMath.Broadcast(TensorMath.Broadcast(cond.Dims, x.Dims) ?? throw Refuse(), y.Dims) ?? throw Refuse();
        c.Reserve(x.ElementType, shape);
        var mc = TensorMath.BroadcastMap(cond.Dims, shape);
        var mx = TensorMath.BroadcastMap(x.Dims, shape);
        var my = TensorMath.BroadcastMap(y.Dims, shape);
        var size = TensorMath.ElementSize(x.ElementType);
        var bytes = new byte[mc.Length * size];
        var cs = cond.Bytes.Span;
        var xs = x.Bytes.Span;
        var ys = y.Bytes.Span;
        for (var i = 0; i < mc.Length; i++)
        {
            var from = cs[mc[i]] != 0 ? xs.Slice(mx[i] * size, size) : ys.Slice(my[i] * size, size);
            from.CopyTo(bytes.AsSpan(i * size, size));
        }

        return One(TensorData.FromBytes(x.ElementType, shape, bytes));
    }

    private static TensorData?[] Variadic(Call c, Func<double, double, double> real, Func<long, long, long> integer, bool rejectNaN)
    {
        if (c.InputCount == 0)
        {
            throw Refuse();
        }

        var acc = c.In(0);
        var type = acc.ElementType;
        if (type == DataType.Bool)
        {
            throw Refuse();
        }

        for (var i = 0; i < c.InputCount; i++)
        {
            var t = c.In(i);
            if (t.ElementType != type || (c.Opset < 8 && !t.Dims.AsSpan().SequenceEqual(acc.Dims)))
            {
                throw Refuse();
            }

            if (rejectNaN && TensorMath.TryReadReals(t, out var values) && values.Any(double.IsNaN))
            {
                throw Refuse();
            }
        }

        if (c.InputCount == 1)
        {
            return One(acc);
        }

        for (var i = 1; i < c.InputCount; i++)
        {
            var b = c.In(i);
            var (shape, ma, mb) = Binary(c, acc, b, legacy: false);
            acc = Combine(type, shape, acc, b, ma, mb, real, integer, checkRange: false);
        }

        return One(acc);
    }

    private static TensorData?[] Mean(Call c)
    {
        if (c.InputCount == 0 || !TensorMath.IsFloat(c.In(0).ElementType))
        {
            throw Refuse();
        }

        var sum = Variadic(c, (a, b) => a + b, (a, b) => a + b, rejectNaN: false)[0]!;
        TensorMath.TryReadReals(sum, out var values);
        var n = c.InputCount;
        return One(TensorMath.FromReals(sum.ElementType, sum.Dims, values.Select(v => TensorMath.Round(sum.ElementType, v / n)).ToArray()));
    }

    private static TensorData?[] Unary(Call c, Func<double, double> real, Func<long, long>? integer, bool signedOnly = false)
    {
        var a = c.In(0);
        var type = a.ElementType;
        if (TensorMath.IsFloat(type))
        {
            TensorMath.TryReadReals(a, out var x);
            return One(TensorMath.FromReals(type, a.Dims, x.Select(v => TensorMath.Round(type, real(v))).ToArray()));
        }

        if (integer is null || type == DataType.Bool || (signedOnly && !TensorMath.IsSignedInteger(type)) || !TensorMath.TryReadInts(a, out var p))
        {
            throw Refuse();
        }

        return One(TensorMath.FromInts(type, a.Dims, p.Select(v => TensorMath.Wrap(type, integer(v))).ToArray()));
    }

    private static TensorData?[] Cast(Call c)
    {
        var x = c.In(0);
        var to = (DataType)c.Int("to", 0);
        var from = x.ElementType;
        if (!TensorMath.IsSupported(to))
        {
            throw Refuse();
        }

        if (from == to)
        {
            return One(x);
        }

        if (TensorMath.IsFloat(from))
        {
            TensorMath.TryReadReals(x, out var v);
            if (TensorMath.IsFloat(to))
            {
                // ONNX Runtime narrows double to float16/bfloat16 through float.
                var narrowed = from == DataType.Double && to is DataType.Float16 or DataType.Bfloat16 ? v.Select(d => (double)(float)d).ToArray() : v;
                return One(TensorMath.FromReals(to, x.Dims, narrowed));
            }

            var ints = new long[v.Length];
            for (var i = 0; i < v.Length; i++)
            {
                if (to == DataType.Bool)
                {
                    ints[i] = v[i] != 0 || double.IsNaN(v[i]) ? 1 : 0;
                    continue;
                }

                // A float outside the target's range (or NaN) is undefined behaviour in ONNX Runtime's static_cast.
                var t = Math.Truncate(v[i]);
                if (double.IsNaN(t) || t < -9.2233720368547758E18 || t >= 9.2233720368547758E18 || TensorMath.Wrap(to, (long)t) != (long)t)
                {
                    throw Refuse();
                }

                ints[i] = (long)t;
            }

            return One(TensorMath.FromInts(to, x.Dims, ints));
        }

        if (!TensorMath.TryReadInts(x, out var p))
        {
            throw Refuse();
        }

        if (TensorMath.IsFloat(to))
        {
            var reals = p.Select(l => to switch
            {
                DataType.Double => (double)l,
                _ => (double)(float)l,
            }).ToArray();
            return One(TensorMath.FromReals(to, x.Dims, reals));
        }

        return One(TensorMath.FromInts(to, x.Dims, p.Select(l => TensorMath.Wrap(to, l)).ToArray()));
    }

    private static TensorData?[] MatMul(Call c)
    {
        var a = c.In(0);
        var b = c.In(1);
        var type = a.ElementType;
        if (b.ElementType != type || a.Dims.Length == 0 || b.Dims.Length == 0 ||
            !(type is DataType.Float or DataType.Double or DataType.Int32 or DataType.Int64 or DataType.Uint32 or DataType.Uint64))
        {
            throw Refuse();
        }

        var ad = a.Dims.Length == 1 ? new[] { 1, a.Dims[0] } : a.Dims;
        var bd = b.Dims.Length == 1 ? new[] { b.Dims[0], 1 } : b.Dims;
        long m = ad[^2], k = ad[^1], n = bd[^1];
        if (bd[^2] != k)
        {
            throw Refuse();
        }

        var batch = TensorMath.Broadcast(ad[..^2], bd[..^2]) ?? throw Refuse();
        var batches = TensorMath.Count(batch);
        if (checked(batches * m * n * Math.Max(k, 1)) > c.Limits.MaxWork)
        {
            throw Refuse();
        }

        var fullShape = batch.Concat(new[] { m, n }).ToArray();
        c.Reserve(type, fullShape);
        var mapA = TensorMath.BroadcastMap(ad[..^2], batch);
        var mapB = TensorMath.BroadcastMap(bd[..^2], batch);
        var total = (int)(batches * m * n);
        var outShape = a.Dims.Length == 1 && b.Dims.Length == 1 ? batch
            : a.Dims.Length == 1 ? batch.Concat(new[] { n }).ToArray()
            : b.Dims.Length == 1 ? batch.Concat(new[] { m }).ToArray()
            : fullShape;
        if (TensorMath.IsFloat(type))
        {
            TensorMath.TryReadReals(a, out var x);
            TensorMath.TryReadReals(b, out var y);
            var r = new double[total];
            for (var bi = 0; bi < batches; bi++)
            {
                long offA = mapA[bi] * m * k, offB = mapB[bi] * k * n, offR = bi * m * n;
                for (var i = 0; i < m; i++)
                {
                    for (var j = 0; j < n; j++)
                    {
                        double s = 0;
                        for (var t = 0; t < k; t++)
                        {
                            s += x[offA + (i * k) + t] * y[offB + (t * n) + j];
                        }

                        r[offR + (i * n) + j] = s;
                    }
                }
            }

            return One(TensorMath.FromReals(type, outShape, r));
        }

        if (!TensorMath.TryReadInts(a, out var p) || !TensorMath.TryReadInts(b, out var q))
        {
            throw Refuse();
        }

        var result = new long[total];
        for (var bi = 0; bi < batches; bi++)
        {
            long offA = mapA[bi] * m * k, offB = mapB[bi] * k * n, offR = bi * m * n;
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    long s = 0;
                    for (var t = 0; t < k; t++)
                    {
                        s = unchecked(s + (p[offA + (i * k) + t] * q[offB + (t * n) + j]));
                    }

                    result[offR + (i * n) + j] = TensorMath.Wrap(type, s);
                }
            }
        }

        return One(TensorMath.FromInts(type, outShape, result));
    }
}
