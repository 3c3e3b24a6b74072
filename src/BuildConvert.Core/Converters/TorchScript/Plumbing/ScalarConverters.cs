using BuildConvert.Core.Converters.TorchScript.Math;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript.Plumbing;

/// <summary>
/// TorchScript's arithmetic on ints, floats and bools (the number overloads of <c>aten::add</c>, <c>aten::floordiv</c>,
/// <c>aten::remainder</c>, <c>prim::min</c>, ...; https://github.com/pytorch/pytorch/blob/v1.13.1/torch/csrc/jit/runtime/register_prim_ops.cpp):
/// Python semantics (true division gives a float, <c>//</c> floors, <c>%</c> takes the divisor's sign), computed here
/// when the operands are known and as 0-D int64/double ONNX tensors when they are not (a dimension of a dynamic
/// shape, for example). The result's kind is the node's declared result type where it says int, float or bool.
/// </summary>
internal static class ScalarConverters
{
    public static void Register(OpConverterRegistry<TorchOpHandler> r)
    {
        r.Op("aten::floordiv", c => c.SetSlot(0, Binary(c, "floordiv")), "Python //");
        r.Op("aten::mathremainder", c => c.SetSlot(0, Binary(c, "fmodsign")), "math.remainder: x - n*y with n the nearest integer (ties to even)");
        r.Op("prim::min", c => MinMax(c, "min"), "two numbers, or the smallest item of an int/float list");
        r.Op("prim::max", c => MinMax(c, "max"), "two numbers, or the largest item of an int/float list");
        r.Op("prim::abs", c => c.SetSlot(0, c.IsTensor(0) ? TorchSlot.OfTensor(c.Builder.Op("Abs", c.Tensor(0))) : Unary(c, "Abs")));
        r.Op("aten::__range_length", RangeLength, "the trip count of for i in range(lo, hi, step)");
        r.Op("aten::__derive_index", DeriveIndex, "start + index * step, a for loop's variable");
    }

    /// <summary>A binary operation on two numbers: add, sub, rsub, mul, div, floordiv, remainder, pow.</summary>
    public static TorchSlot Binary(TorchNodeContext c, string op)
    {
        var a = c.ConstantOf(0);
        var b = c.ConstantOf(1);
        var bothInt = IsIntLike(c, 0) && IsIntLike(c, 1);
        var declared = DeclaredKind(c);
        var kind = declared ?? (op is "div" or "fmodsign" || !bothInt ? TorchTypeKind.Float : op == "pow" ? TorchTypeKind.Float : TorchTypeKind.Int);
        if (op == "rsub")
        {
            (a, b) = (b, a);
        }

        if (a is long or double or bool && b is long or double or bool)
        {
            return TorchSlot.OfConstant(Fold(c, op, a, b, bothInt, kind));
        }

        var builder = c.Builder;
        var type = bothInt && op is not ("div" or "fmodsign") ? DataType.Int64 : DataType.Double;
        var (xi, yi) = op == "rsub" ? (1, 0) : (0, 1);
        var x = c.TensorOf(xi, type);
        var y = c.TensorOf(yi, type);
        var result = op switch
        {
            "add" => builder.Op("Add", x, y),
            "sub" or "rsub" => builder.Op("Sub", x, y),
            "mul" => builder.Op("Mul", x, y),
            "div" => builder.Op("Div", x, y),
            "floordiv" => ElementwiseConverters.FloorDivide(builder, x, y, type),
            "remainder" => ElementwiseConverters.Remainder(builder, x, y, type),
            "pow" => builder.Op("Pow", c.CastTo(x, DataType.Double), c.CastTo(y, DataType.Double)),
            _ => throw c.Unsupported($"{op} of numbers computed at run time is not supported"),
        };
        return TorchSlot.OfScalar(c.CastTo(result, OnnxType(kind)), kind);
    }

    /// <summary>A function of one number: Neg and Abs keep the kind, the others give a float.</summary>
    public static TorchSlot Unary(TorchNodeContext c, string onnx)
    {
        var keep = onnx is "Neg" or "Abs";
        var kind = DeclaredKind(c) ?? (keep && IsIntLike(c, 0) ? TorchTypeKind.Int : TorchTypeKind.Float);
        if (c.ConstantOf(0) is long or double or bool)
        {
            var v = TorchNodeContext.ToDouble(c.ConstantOf(0));
            double r = onnx switch
            {
                "Neg" => -v,
                "Abs" => System.Math.Abs(v),
                "Sqrt" => System.Math.Sqrt(v),
                "Exp" => System.Math.Exp(v),
                "Log" => System.Math.Log(v),
                "Sin" => System.Math.Sin(v),
                "Cos" => System.Math.Cos(v),
                "Tan" => System.Math.Tan(v),
                "Asin" => System.Math.Asin(v),
                "Acos" => System.Math.Acos(v),
                "Atan" => System.Math.Atan(v),
                "Sinh" => System.Math.Sinh(v),
                "Cosh" => System.Math.Cosh(v),
                "Asinh" => System.Math.Asinh(v),
                "Acosh" => System.Math.Acosh(v),
                "Atanh" => System.Math.Atanh(v),
                _ => throw c.Unsupported($"{onnx} of a number is not supported"),
            };
            return TorchSlot.OfConstant(kind == TorchTypeKind.Int ? (object)(long)r : r);
        }

        var type = kind == TorchTypeKind.Int ? DataType.Int64 : DataType.Double;
        return TorchSlot.OfScalar(c.Builder.Op(onnx, c.TensorOf(0, type)), kind);
    }

    /// <summary>math.floor / math.ceil / round / trunc of a number (an int for floor and ceil, as TorchScript declares).</summary>
    public static TorchSlot Round(TorchNodeContext c, string op)
    {
        var kind = DeclaredKind(c) ?? (op is "Floor" or "Ceil" ? TorchTypeKind.Int : TorchTypeKind.Float);
        if (c.ConstantOf(0) is long or double or bool)
        {
            var v = TorchNodeContext.ToDouble(c.ConstantOf(0));
            var r = op switch
            {
                "Floor" => System.Math.Floor(v),
                "Ceil" => System.Math.Ceiling(v),
                "Trunc" => System.Math.Truncate(v),
                _ => System.Math.Round(v, MidpointRounding.ToEven),
            };
            return TorchSlot.OfConstant(kind == TorchTypeKind.Int ? (object)(long)r : r);
        }

        var x = c.TensorOf(0, DataType.Double);
        var result = op == "Trunc" ? ElementwiseConverters.Trunc(c.Builder, x) : c.Builder.Op(op, x);
        return TorchSlot.OfScalar(c.CastTo(result, OnnxType(kind)), kind);
    }

    /// <summary>A comparison of two numbers (a bool).</summary>
    public static TorchSlot Compare(TorchNodeContext c, string op)
    {
        var a = c.ConstantOf(0);
        var b = c.ConstantOf(1);
        if (a is long or double or bool && b is long or double or bool)
        {
            var x = TorchNodeContext.ToDouble(a);
            var y = TorchNodeContext.ToDouble(b);
            if (a is long la && b is long lb)
            {
                return TorchSlot.OfConstant(CompareValues(op, la.CompareTo(lb)));
            }

            return TorchSlot.OfConstant(op switch
            {
                "Equal" => x == y,
                "NotEqual" => x != y,
                "Less" => x < y,
                "LessOrEqual" => x <= y,
                "Greater" => x > y,
                _ => x >= y,
            });
        }

        if (a is string sa && b is string sb)
        {
            return TorchSlot.OfConstant(CompareValues(op, string.CompareOrdinal(sa, sb)));
        }

        if (a is TorchNone || b is TorchNone)
        {
            return TorchSlot.OfConstant(op == "Equal" ? a is TorchNone && b is TorchNone : op == "NotEqual" && !(a is TorchNone && b is TorchNone));
        }

        var type = IsIntLike(c, 0) && IsIntLike(c, 1) ? DataType.Int64 : DataType.Double;
        var builder = c.Builder;
        var xv = c.TensorOf(0, type);
        var yv = c.TensorOf(1, type);
        var result = op == "NotEqual" ? builder.Op("Not", builder.Op("Equal", xv, yv)) : builder.Op(op, xv, yv);
        return TorchSlot.OfScalar(result, TorchTypeKind.Bool);
    }

    /// <summary>and/or/xor of two bools or ints.</summary>
    public static TorchSlot Bitwise(TorchNodeContext c, string op)
    {
        var a = c.ConstantOf(0);
        var b = c.ConstantOf(1);
        if (a is bool ba && b is bool bb)
        {
            return TorchSlot.OfConstant(op switch { "And" => ba && bb, "Or" => ba || bb, _ => ba ^ bb });
        }

        if (a is long or bool && b is long or bool)
        {
            var x = (long)TorchNodeContext.ToDouble(a);
            var y = (long)TorchNodeContext.ToDouble(b);
            return TorchSlot.OfConstant(op switch { "And" => x & y, "Or" => x | y, _ => x ^ y });
        }

        var bools = c.TypeOf(0).Kind == TorchTypeKind.Bool && c.TypeOf(1).Kind == TorchTypeKind.Bool
            || c.Slot(0).ScalarKind == TorchTypeKind.Bool && c.Slot(1).ScalarKind == TorchTypeKind.Bool;
        if (bools)
        {
            return TorchSlot.OfScalar(c.Builder.Op(op, c.TensorOf(0, DataType.Bool), c.TensorOf(1, DataType.Bool)), TorchTypeKind.Bool);
        }

        if (c.Opset < 18)
        {
            throw c.Unsupported($"bitwise {op.ToLowerInvariant()} of ints computed at run time needs ONNX Bitwise{op} (opset 18)");
        }

        return TorchSlot.OfScalar(c.Builder.Op("Bitwise" + op, c.TensorOf(0, DataType.Int64), c.TensorOf(1, DataType.Int64)), TorchTypeKind.Int);
    }

    /// <summary>not of a bool.</summary>
    public static void Not(TorchNodeContext c)
    {
        if (c.ConstantOf(0) is bool or long)
        {
            c.SetConstant(0, TorchNodeContext.ToDouble(c.ConstantOf(0)) == 0);
            return;
        }

        c.SetScalar(0, c.Builder.Op("Not", c.TensorOf(0, DataType.Bool)), TorchTypeKind.Bool);
    }

    private static void MinMax(TorchNodeContext c, string op)
    {
        if (c.InputCount == 1)
        {
            if (c.ConstantOf(0) is IReadOnlyList<object> list && list.Count > 0)
            {
                var doubles = list.Select(TorchNodeContext.ToDouble).ToArray();
                var pick = op == "min" ? doubles.Min() : doubles.Max();
                c.SetConstant(0, list[Array.IndexOf(doubles, pick)]);
                return;
            }

            var vector = c.IntVector(0, "list");
            c.SetScalar(0, c.Builder.Reduce(op == "min" ? "ReduceMin" : "ReduceMax", vector, null, keepDims: false), TorchTypeKind.Int);
            return;
        }

        var a = c.ConstantOf(0);
        var b = c.ConstantOf(1);
        var bothInt = IsIntLike(c, 0) && IsIntLike(c, 1);
        if (a is long or double or bool && b is long or double or bool)
        {
            var x = TorchNodeContext.ToDouble(a);
            var y = TorchNodeContext.ToDouble(b);
            var r = op == "min" ? System.Math.Min(x, y) : System.Math.Max(x, y);
            c.SetConstant(0, bothInt ? (object)(long)r : r);
            return;
        }

        var type = bothInt ? DataType.Int64 : DataType.Double;
        c.SetScalar(0, c.Builder.Op(op == "min" ? "Min" : "Max", c.TensorOf(0, type), c.TensorOf(1, type)), bothInt ? TorchTypeKind.Int : TorchTypeKind.Float);
    }

    private static void RangeLength(TorchNodeContext c)
    {
        if (c.ConstantOf(0) is long lo && c.ConstantOf(1) is long hi && c.ConstantOf(2) is long step)
        {
            if (step == 0)
            {
                throw c.Error("range() step must not be zero");
            }

            c.SetConstant(0, step > 0 ? (hi > lo ? (hi - lo + step - 1) / step : 0L) : (lo > hi ? (lo - hi - step - 1) / -step : 0L));
            return;
        }

        // max(0, ceil((hi - lo) / step)) for either sign of step: floor((hi - lo + step - sign(step)) / step).
        var b = c.Builder;
        var l = c.TensorOf(0, DataType.Int64);
        var h = c.TensorOf(1, DataType.Int64);
        var s = c.TensorOf(2, DataType.Int64);
        var numerator = b.Op("Sub", b.Op("Add", b.Op("Sub", h, l), s), b.Op("Sign", s));
        var count = ElementwiseConverters.FloorDivide(b, numerator, s, DataType.Int64);
        c.SetScalar(0, b.Op("Max", count, b.Const(TensorData.FromInt64s(new[] { 0L }, Array.Empty<long>()), "zero")), TorchTypeKind.Int);
    }

    private static void DeriveIndex(TorchNodeContext c)
    {
        if (c.ConstantOf(0) is long index && c.ConstantOf(1) is long start && c.ConstantOf(2) is long step)
        {
            c.SetConstant(0, start + (index * step));
            return;
        }

        var b = c.Builder;
        c.SetScalar(0, b.Op("Add", c.TensorOf(1, DataType.Int64), b.Op("Mul", c.TensorOf(0, DataType.Int64), c.TensorOf(2, DataType.Int64))), TorchTypeKind.Int);
    }

    private static bool CompareValues(string op, int order) => op switch
    {
        "Equal" => order == 0,
        "NotEqual" => order != 0,
        "Less" => order < 0,
        "LessOrEqual" => order <= 0,
        "Greater" => order > 0,
        _ => order >= 0,
    };

    private static object Fold(TorchNodeContext c, string op, object? a, object? b, bool bothInt, TorchTypeKind kind)
    {
        if (bothInt && op is "add" or "sub" or "rsub" or "mul" or "floordiv" or "remainder")
        {
            var x = (long)TorchNodeContext.ToDouble(a);
            var y = (long)TorchNodeContext.ToDouble(b);
            if (op is "floordiv" or "remainder" && y == 0)
            {
                throw c.Error("integer division or modulo by zero");
            }

            long r = op switch
            {
                "add" => x + y,
                "sub" or "rsub" => x - y,
                "mul" => x * y,
                "floordiv" => FloorDiv(x, y),
                _ => x - (FloorDiv(x, y) * y),
            };
            return kind == TorchTypeKind.Float ? (object)(double)r : r;
        }

        var p = TorchNodeContext.ToDouble(a);
        var q = TorchNodeContext.ToDouble(b);
        double v = op switch
        {
            "add" => p + q,
            "sub" or "rsub" => p - q,
            "mul" => p * q,
            "div" => p / q,
            "floordiv" => FloorDiv(p, q),
            "remainder" => PyMod(p, q),
            "pow" => System.Math.Pow(p, q),
            "fmodsign" => System.Math.IEEERemainder(p, q),
            _ => throw c.Unsupported($"{op} of numbers is not supported"),
        };
        return kind == TorchTypeKind.Int ? (object)(long)v : v;
    }

    private static long FloorDiv(long x, long y)
    {
        var q = x / y;
        return (x % y != 0) && ((x < 0) != (y < 0)) ? q - 1 : q;
    }

    private static double FloorDiv(double a, double b)
    {
        if (b == 0)
        {
            return a / b;
        }

        var mod = a % b;
        var div = (a - mod) / b;
        if (mod != 0 && (b < 0) != (mod < 0))
        {
            div -= 1;
        }

        if (div == 0)
        {
            return 0.0 * (a / b);
        }

        var floor = System.Math.Floor(div);
        return div - floor > 0.5 ? floor + 1 : floor;
    }

    private static double PyMod(double a, double b)
    {
        var mod = a % b;
        return mod != 0 && (b < 0) != (mod < 0) ? mod + b : mod;
    }

    private static bool IsIntLike(TorchNodeContext c, int index)
    {
        var slot = c.Slot(index);
        if (slot.Kind == TorchSlotKind.Constant)
        {
            return slot.Constant is long or bool;
        }

        if (slot.Kind == TorchSlotKind.Scalar)
        {
            return slot.ScalarKind != TorchTypeKind.Float;
        }

        return slot.Value?.Type is { } t && !TorchScalarTypes.IsFloating(t.ElementType);
    }

    private static TorchTypeKind? DeclaredKind(TorchNodeContext c) =>
        c.Node.Outputs.Count > 0 && c.Node.Outputs[0].Type.Kind is TorchTypeKind.Int or TorchTypeKind.Float or TorchTypeKind.Bool
            ? c.Node.Outputs[0].Type.Kind
            : null;

    private static DataType OnnxType(TorchTypeKind kind) => kind switch
    {
        TorchTypeKind.Int => DataType.Int64,
        TorchTypeKind.Bool => DataType.Bool,
        _ => DataType.Double,
    };
}
