using BuildConvert.Core.Converters.TorchScript.Plumbing;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript.Math;

/// <summary>
/// Element-wise arithmetic, comparisons, logical and bitwise ops, rounding, <c>clamp</c>, <c>where</c> and
/// <c>masked_fill</c> (https://pytorch.org/docs/1.13/torch.html#pointwise-ops). Every overload: Tensor-Tensor,
/// Tensor-Scalar, Scalar-Tensor, and the number-number forms of TorchScript's own arithmetic (which
/// <see cref="ScalarConverters"/> computes). Operands are promoted with <c>torch.result_type</c>
/// (<see cref="TorchScalarTypes.ResultType"/>): tensors with dimensions decide before 0-D tensors, which decide before
/// Python numbers, unless a lower class has a higher category (bool &lt; integer &lt; floating). True division and the
/// float-valued functions (sqrt, exp, log, sigmoid, ...) turn integer operands into float32. Division keeps PyTorch's
/// rounding modes: <c>None</c> (true division), <c>'trunc'</c> (toward zero; C division for integers), <c>'floor'</c>
/// (toward negative infinity, PyTorch's <c>div_floor_floating</c> for floats); <c>floor_divide</c> floors (PyTorch
/// 1.13); <c>remainder</c> takes the divisor's sign (Python's %), <c>fmod</c> the dividend's (C's fmod).
/// </summary>
internal static class ElementwiseConverters
{
    public static void Register(OpConverterRegistry<TorchOpHandler> r)
    {
        r.Op("aten::add", c => Arithmetic(c, "add"), "Tensor/Scalar overloads with alpha; bool tensors: logical or; numbers; list concatenation", inPlace: true);
        r.Op("aten::sub", c => Arithmetic(c, "sub"), "with alpha", inPlace: true);
        r.Op("aten::subtract", c => Arithmetic(c, "sub"), inPlace: true);
        r.Op("aten::rsub", c => Arithmetic(c, "rsub"), "other - alpha * self");
        r.Op("aten::mul", c => Arithmetic(c, "mul"), "bool tensors: logical and", inPlace: true);
        r.Op("aten::multiply", c => Arithmetic(c, "mul"), inPlace: true);
        r.Op("aten::div", Div, "rounding_mode None, 'trunc', 'floor'; integers to float32 for true division", inPlace: true);
        r.Op("aten::divide", Div, inPlace: true);
        r.Op("aten::true_divide", Div, inPlace: true);
        r.Op("aten::floor_divide", c => DivMode(c, "floor"), "floors, as PyTorch 1.13 does", inPlace: true);
        r.Op("aten::remainder", Remainder, "the divisor's sign (Python %)", inPlace: true);
        r.Op("aten::fmod", Fmod, "the dividend's sign (C fmod)", inPlace: true);
        r.Op("aten::pow", Pow, "Tensor_Tensor, Tensor_Scalar, Scalar (base a number), numbers", inPlace: true);
        r.Op("aten::float_power", FloatPower, "computes in float64", inPlace: true);
        r.Op("aten::neg", c => UnaryOrScalar(c, "Neg", keepType: true), inPlace: true);
        r.Op("aten::negative", c => UnaryOrScalar(c, "Neg", keepType: true), inPlace: true);
        r.Op("aten::abs", c => UnaryOrScalar(c, "Abs", keepType: true), inPlace: true);
        r.Op("aten::absolute", c => UnaryOrScalar(c, "Abs", keepType: true), inPlace: true);
        r.Op("aten::sign", Sign, inPlace: true);
        r.Op("aten::sqrt", c => UnaryOrScalar(c, "Sqrt", keepType: false), inPlace: true);
        r.Op("aten::rsqrt", c => Unary(c, x => c.Builder.Op("Reciprocal", c.Builder.Op("Sqrt", x))), inPlace: true);
        r.Op("aten::exp", c => UnaryOrScalar(c, "Exp", keepType: false), inPlace: true);
        r.Op("aten::exp2", c => Unary(c, x => c.Builder.Op("Pow", c.Builder.Scalar(c.ElementType(x), 2), x)), inPlace: true);
        r.Op("aten::expm1", c => Unary(c, x => c.Builder.Op("Sub", c.Builder.Op("Exp", x), c.Builder.Scalar(c.ElementType(x), 1))), inPlace: true);
        r.Op("aten::log", c => UnaryOrScalar(c, "Log", keepType: false), inPlace: true);
        r.Op("aten::log2", c => Unary(c, x => c.Builder.Op("Div", c.Builder.Op("Log", x), c.Builder.Scalar(c.ElementType(x), System.Math.Log(2)))), inPlace: true);
        r.Op("aten::log10", c => Unary(c, x => c.Builder.Op("Div", c.Builder.Op("Log", x), c.Builder.Scalar(c.ElementType(x), System.Math.Log(10)))), inPlace: true);
        r.Op("aten::log1p", c => Unary(c, x => c.Builder.Op("Log", c.Builder.Op("Add", x, c.Builder.Scalar(c.ElementType(x), 1)))), inPlace: true);
        r.Op("aten::reciprocal", c => Unary(c, x => c.Builder.Op("Reciprocal", x)), inPlace: true);
        r.Op("aten::square", Square, inPlace: true);
        r.Op("aten::erf", c => UnaryOrScalar(c, "Erf", keepType: false), inPlace: true);
        foreach (var (name, onnx) in new[]
        {
            ("sin", "Sin"), ("cos", "Cos"), ("tan", "Tan"), ("asin", "Asin"), ("acos", "Acos"), ("atan", "Atan"), ("sinh", "Sinh"),
            ("cosh", "Cosh"), ("asinh", "Asinh"), ("acosh", "Acosh"), ("atanh", "Atanh"),
        })
        {
            r.Op("aten::" + name, c => UnaryOrScalar(c, onnx, keepType: false), inPlace: true);
        }

        r.Op("aten::atan2", Atan2, inPlace: true);
        r.Op("aten::floor", c => Rounding(c, "Floor"), "integers unchanged; numbers: math.floor (an int)", inPlace: true);
        r.Op("aten::ceil", c => Rounding(c, "Ceil"), "integers unchanged; numbers: math.ceil (an int)", inPlace: true);
        r.Op("aten::round", Round, "half to even; decimals", inPlace: true);
        r.Op("aten::trunc", c => Rounding(c, "Trunc"), inPlace: true);
        r.Op("aten::fix", c => Rounding(c, "Trunc"), inPlace: true);
        r.Op("aten::frac", c => Unary(c, x => c.Builder.Op("Sub", x, Trunc(c.Builder, x))), inPlace: true);
        r.Op("aten::maximum", c => MaxMin(c, "Max"));
        r.Op("aten::minimum", c => MaxMin(c, "Min"));
        r.Op("aten::fmax", c => MaxMin(c, "Max"), "NaN handling as ONNX Max");
        r.Op("aten::fmin", c => MaxMin(c, "Min"), "NaN handling as ONNX Min");
        r.Op("aten::clamp", Clamp, "Scalar and Tensor bounds, either None", inPlace: true);
        r.Op("aten::clip", Clamp, inPlace: true);
        r.Op("aten::clamp_min", c => ClampSide(c, "Max"), inPlace: true);
        r.Op("aten::clamp_max", c => ClampSide(c, "Min"), inPlace: true);
        r.Op("aten::eq", c => Compare(c, "Equal"), "Tensor/Scalar overloads and numbers", inPlace: true);
        r.Op("aten::ne", c => Compare(c, "NotEqual"), inPlace: true);
        r.Op("aten::lt", c => Compare(c, "Less"), inPlace: true);
        r.Op("aten::le", c => Compare(c, "LessOrEqual"), inPlace: true);
        r.Op("aten::gt", c => Compare(c, "Greater"), inPlace: true);
        r.Op("aten::ge", c => Compare(c, "GreaterOrEqual"), inPlace: true);
        r.Op("aten::less", c => Compare(c, "Less"), inPlace: true);
        r.Op("aten::less_equal", c => Compare(c, "LessOrEqual"), inPlace: true);
        r.Op("aten::greater", c => Compare(c, "Greater"), inPlace: true);
        r.Op("aten::greater_equal", c => Compare(c, "GreaterOrEqual"), inPlace: true);
        r.Op("aten::not_equal", c => Compare(c, "NotEqual"), inPlace: true);
        r.Op("aten::logical_and", c => Logical(c, "And"), inPlace: true);
        r.Op("aten::logical_or", c => Logical(c, "Or"), inPlace: true);
        r.Op("aten::logical_xor", c => Logical(c, "Xor"), inPlace: true);
        r.Op("aten::logical_not", LogicalNot, inPlace: true);
        r.Op("aten::bitwise_and", c => Bitwise(c, "And"), "bool: And; integers: BitwiseAnd (opset 18)", inPlace: true);
        r.Op("aten::bitwise_or", c => Bitwise(c, "Or"), "bool: Or; integers: BitwiseOr (opset 18)", inPlace: true);
        r.Op("aten::bitwise_xor", c => Bitwise(c, "Xor"), "bool: Xor; integers: BitwiseXor (opset 18)", inPlace: true);
        r.Op("aten::bitwise_not", BitwiseNot, "bool: Not; integers: BitwiseNot (opset 18)", inPlace: true);
        r.Op("aten::__and__", c => Bitwise(c, "And"));
        r.Op("aten::__iand__", c => Bitwise(c, "And"));
        r.Op("aten::__or__", c => Bitwise(c, "Or"));
        r.Op("aten::__ior__", c => Bitwise(c, "Or"));
        r.Op("aten::__xor__", c => Bitwise(c, "Xor"));
        r.Op("aten::__ixor__", c => Bitwise(c, "Xor"));
        r.Op("aten::__not__", c => ScalarConverters.Not(c));
        r.Op("aten::isnan", c => Classify(c, "nan"));
        r.Op("aten::isinf", c => Classify(c, "inf"));
        r.Op("aten::isfinite", c => Classify(c, "finite"));
        r.Op("aten::where", Where, "where(condition, self, other) with Tensor/Scalar operands promoted; where(condition): the nonzero indices per dimension");
        r.Op("aten::masked_fill", MaskedFill, "the fill value cast to self's dtype", inPlace: true);
        r.Op("aten::lerp", Lerp, inPlace: true);
        r.Op("aten::addcmul", c => Addc(c, "Mul"), inPlace: true);
        r.Op("aten::addcdiv", c => Addc(c, "Div"), inPlace: true);
    }

    /// <summary>Whether the node is TorchScript's number arithmetic (no tensor among the first two arguments).</summary>
    internal static bool IsNumberOp(TorchNodeContext c) =>
        !c.IsTensor(0) && (c.InputCount < 2 || !c.IsTensor(1)) && !c.IsList(0);

    /// <summary>Arguments 0 and 1 promoted to their result type.</summary>
    internal static (Value X, Value Y, DataType Type) Promoted(TorchNodeContext c, int a = 0, int b = 1)
    {
        var type = c.ResultType(a, b);
        return (c.TensorOf(a, type), c.TensorOf(b, type), type);
    }

    private static void Arithmetic(TorchNodeContext c, string op)
    {
        if (op == "add" && c.IsList(0) && c.IsList(1))
        {
            c.SetList(0, c.Items(0, "self").Concat(c.Items(1, "other")).ToArray());
            return;
        }

        if (IsNumberOp(c))
        {
            c.SetSlot(0, ScalarConverters.Binary(c, op));
            return;
        }

        var (self, other) = op == "rsub" ? (1, 0) : (0, 1);
        var type = c.ResultType(0, 1);
        var b = c.Builder;
        var x = c.TensorOf(self, type);
        var y = c.TensorOf(other, type);
        if (op != "mul" && c.InputCount > 2 && c.Has(2) && !(c.ConstantOf(2) is long l && l == 1) && !(c.ConstantOf(2) is double d && d == 1))
        {
            if (type == DataType.Bool)
            {
                throw c.Error("alpha is not supported for bool tensors");
            }

            if (!TorchScalarTypes.IsFloating(type) && c.ConstantOf(2) is double)
            {
                throw c.Error("for integral input tensors, alpha must not be a float");
            }

            y = b.Op("Mul", y, c.TensorOf(2, type));
        }

        Value result = (op, type) switch
        {
            ("add", DataType.Bool) => b.Op("Or", x, y),
            ("mul", DataType.Bool) => b.Op("And", x, y),
            ("sub" or "rsub", DataType.Bool) => throw c.Error("subtraction of bool tensors is not supported by PyTorch; use logical_xor"),
            ("add", _) => b.Op("Add", x, y),
            ("mul", _) => b.Op("Mul", x, y),
            _ => b.Op("Sub", x, y),
        };
        c.SetOutput(0, result);
    }

    private static void Div(TorchNodeContext c)
    {
        if (IsNumberOp(c))
        {
            c.SetSlot(0, ScalarConverters.Binary(c, "div"));
            return;
        }

        var mode = c.InputCount > 2 ? c.OptionalString(2, "rounding_mode") : null;
        DivMode(c, mode);
    }

    private static void DivMode(TorchNodeContext c, string? mode)
    {
        if (IsNumberOp(c))
        {
            c.SetSlot(0, ScalarConverters.Binary(c, mode == "floor" ? "floordiv" : "div"));
            return;
        }

        var b = c.Builder;
        var type = c.ResultType(0, 1);
        switch (mode)
        {
            case null:
                var real = TorchScalarTypes.IsFloating(type) ? type : TorchScalarTypes.DefaultFloat;
                c.SetOutput(0, b.Op("Div", c.TensorOf(0, real), c.TensorOf(1, real)));
                return;
            case "trunc":
                var q = b.Op("Div", c.TensorOf(0, CheckNotBool(c, type)), c.TensorOf(1, type));
                c.SetOutput(0, TorchScalarTypes.IsFloating(type) ? Trunc(b, q) : q);
                return;
            case "floor":
                c.SetOutput(0, FloorDivide(b, c.TensorOf(0, CheckNotBool(c, type)), c.TensorOf(1, type), type));
                return;
            default:
                throw c.Error($"rounding_mode '{mode}' is not one of None, 'trunc' and 'floor'");
        }
    }

    private static DataType CheckNotBool(TorchNodeContext c, DataType type) =>
        type == DataType.Bool ? throw c.Error("division with rounding of bool tensors is not supported by PyTorch") : type;

    /// <summary>x // y rounded toward negative infinity, as PyTorch computes it for <paramref name="type"/>.</summary>
    internal static Value FloorDivide(OpBuilder b, Value x, Value y, DataType type)
    {
        if (!TorchScalarTypes.IsFloating(type))
        {
            // x - (x mod y) is a multiple of y when the remainder takes the divisor's sign, so the truncating Div is exact.
            var m = b.Op("Mod", new[] { x, y }, NodeAttribute.Of("fmod", 0L));
            return b.Op("Div", b.Op("Sub", x, m), y);
        }

        // PyTorch's div_floor_floating: mod = fmod(a, b); div = (a - mod) / b, one less where mod and b differ in sign;
        // then floor, rounded up where the floor is more than 0.5 below; a / b where b is 0.
        var zero = b.Scalar(type, 0);
        var one = b.Scalar(type, 1);
        var mod = b.Op("Mod", new[] { x, y }, NodeAttribute.Of("fmod", 1L));
        var div = b.Op("Div", b.Op("Sub", x, mod), y);
        var adjust = b.Op("And", b.Op("Not", b.Op("Equal", mod, zero)), b.Op("Xor", b.Op("Less", y, zero), b.Op("Less", mod, zero)));
        div = b.Op("Where", adjust, b.Op("Sub", div, one), div);
        var floor = b.Op("Floor", div);
        floor = b.Op("Where", b.Op("Greater", b.Op("Sub", div, floor), b.Scalar(type, 0.5)), b.Op("Add", floor, one), floor);
        return b.Op("Where", b.Op("Equal", y, zero), b.Op("Div", x, y), floor);
    }

    /// <summary>x mod y with the divisor's sign (Python's %), as PyTorch's remainder.</summary>
    internal static Value Remainder(OpBuilder b, Value x, Value y, DataType type)
    {
        if (!TorchScalarTypes.IsFloating(type))
        {
            return b.Op("Mod", new[] { x, y }, NodeAttribute.Of("fmod", 0L));
        }

        var zero = b.Scalar(type, 0);
        var mod = b.Op("Mod", new[] { x, y }, NodeAttribute.Of("fmod", 1L));
        var adjust = b.Op("And", b.Op("Not", b.Op("Equal", mod, zero)), b.Op("Xor", b.Op("Less", y, zero), b.Op("Less", mod, zero)));
        return b.Op("Where", adjust, b.Op("Add", mod, y), mod);
    }

    /// <summary>Rounds floats toward zero (ONNX has no Trunc).</summary>
    internal static Value Trunc(OpBuilder b, Value x)
    {
        var type = x.Type?.ElementType ?? DataType.Float;
        return b.Op("Where", b.Op("Less", x, b.Scalar(type, 0)), b.Op("Ceil", x), b.Op("Floor", x));
    }

    private static void Remainder(TorchNodeContext c)
    {
        if (IsNumberOp(c))
        {
            c.SetSlot(0, ScalarConverters.Binary(c, "remainder"));
            return;
        }

        var (x, y, type) = Promoted(c);
        c.SetOutput(0, Remainder(c.Builder, x, y, CheckNotBool(c, type)));
    }

    private static void Fmod(TorchNodeContext c)
    {
        var (x, y, type) = Promoted(c);
        c.SetOutput(0, c.Builder.Op("Mod", new[] { x, y }, NodeAttribute.Of("fmod", 1L)));
        _ = CheckNotBool(c, type);
    }

    private static void Pow(TorchNodeContext c)
    {
        if (IsNumberOp(c))
        {
            c.SetSlot(0, ScalarConverters.Binary(c, "pow"));
            return;
        }

        var (x, y, type) = Promoted(c);
        if (type == DataType.Bool)
        {
            throw c.Error("pow of bool tensors is not supported by PyTorch");
        }

        c.SetOutput(0, c.Builder.Op("Pow", x, y));
    }

    private static void FloatPower(TorchNodeContext c) =>
        c.SetOutput(0, c.Builder.Op("Pow", c.TensorOf(0, DataType.Double), c.TensorOf(1, DataType.Double)));

    private static void Atan2(TorchNodeContext c)
    {
        var type = c.ResultType(0, 1);
        var real = TorchScalarTypes.IsFloating(type) ? type : TorchScalarTypes.DefaultFloat;
        var b = c.Builder;
        var y = c.TensorOf(0, real);
        var x = c.TensorOf(1, real);
        var zero = b.Scalar(real, 0);
        var pi = b.Scalar(real, System.Math.PI);
        var atan = b.Op("Atan", b.Op("Div", y, x));
        // Quadrant fix-up: x < 0 adds pi (y >= 0) or subtracts it (y < 0); x == 0 gives +-pi/2 (0 for y == 0).
        var negativeY = b.Op("Less", y, zero);
        var shifted = b.Op("Where", negativeY, b.Op("Sub", atan, pi), b.Op("Add", atan, pi));
        var result = b.Op("Where", b.Op("Less", x, zero), shifted, atan);
        var half = b.Op("Mul", b.Op("Sign", y), b.Scalar(real, System.Math.PI / 2));
        c.SetOutput(0, b.Op("Where", b.Op("Equal", x, zero), half, result));
    }

    /// <summary>A float-valued function of a tensor (integers become float32 first).</summary>
    internal static void Unary(TorchNodeContext c, Func<Value, Value> f)
    {
        var x = c.Tensor(0);
        var type = c.ElementType(x);
        c.SetOutput(0, f(TorchScalarTypes.IsFloating(type) ? x : c.CastTo(x, TorchScalarTypes.DefaultFloat)));
    }

    private static void UnaryOrScalar(TorchNodeContext c, string onnx, bool keepType)
    {
        if (!c.IsTensor(0))
        {
            c.SetSlot(0, ScalarConverters.Unary(c, onnx));
            return;
        }

        if (keepType)
        {
            var x = c.Tensor(0);
            if (c.ElementType(x) == DataType.Bool)
            {
                throw c.Error($"{c.Kind} of a bool tensor is not supported by PyTorch");
            }

            c.SetOutput(0, c.Builder.Op(onnx, x));
            return;
        }

        Unary(c, x => c.Builder.Op(onnx, x));
    }

    private static void Sign(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        c.SetOutput(0, c.ElementType(x) == DataType.Bool ? x : c.Builder.Op("Sign", x));
    }

    private static void Square(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var type = c.ElementType(x);
        // PyTorch squares bools as int64 (pow(x, 2) promotes bool with the Python int 2).
        var v = type == DataType.Bool ? c.CastTo(x, DataType.Int64) : x;
        c.SetOutput(0, c.Builder.Op("Mul", v, v));
    }

    private static void Rounding(TorchNodeContext c, string op)
    {
        if (!c.IsTensor(0))
        {
            c.SetSlot(0, ScalarConverters.Round(c, op));
            return;
        }

        var x = c.Tensor(0);
        if (!TorchScalarTypes.IsFloating(c.ElementType(x)))
        {
            c.SetOutput(0, c.Builder.Op("Identity", x));
            return;
        }

        c.SetOutput(0, op == "Trunc" ? Trunc(c.Builder, x) : c.Builder.Op(op, x));
    }

    private static void Round(TorchNodeContext c)
    {
        if (!c.IsTensor(0))
        {
            c.SetSlot(0, ScalarConverters.Round(c, "Round"));
            return;
        }

        var x = c.Tensor(0);
        var type = c.ElementType(x);
        var decimals = c.InputCount > 1 ? c.Int(1, "decimals") : 0;
        if (!TorchScalarTypes.IsFloating(type))
        {
            c.SetOutput(0, c.Builder.Op("Identity", x));
            return;
        }

        if (decimals == 0)
        {
            c.SetOutput(0, c.Builder.Op("Round", x));
            return;
        }

        // PyTorch: nearbyint(x * 10^d) / 10^d for d > 0; nearbyint(x / 10^-d) * 10^-d for d < 0.
        var b = c.Builder;
        var scale = b.Scalar(type, System.Math.Pow(10, System.Math.Abs(decimals)));
        c.SetOutput(0, decimals > 0
            ? b.Op("Div", b.Op("Round", b.Op("Mul", x, scale)), scale)
            : b.Op("Mul", b.Op("Round", b.Op("Div", x, scale)), scale));
    }

    internal static void MaxMin(TorchNodeContext c, string op)
    {
        var (x, y, type) = Promoted(c);
        c.SetOutput(0, type == DataType.Bool ? c.Builder.Op(op == "Max" ? "Or" : "And", x, y) : c.Builder.Op(op, x, y));
    }

    private static void Clamp(TorchNodeContext c)
    {
        var hasMin = c.Has(1);
        var hasMax = c.Has(2);
        if (!hasMin && !hasMax)
        {
            throw c.Error("at least one of 'min' or 'max' must not be None");
        }

        var type = c.ResultType(0, 1, 2);
        var b = c.Builder;
        var x = c.TensorOf(0, type);
        if (hasMin)
        {
            x = b.Op("Max", x, c.TensorOf(1, type));
        }

        if (hasMax)
        {
            x = b.Op("Min", x, c.TensorOf(2, type));
        }

        c.SetOutput(0, x);
    }

    private static void ClampSide(TorchNodeContext c, string op)
    {
        var (x, y, _) = Promoted(c);
        c.SetOutput(0, c.Builder.Op(op, x, y));
    }

    private static void Compare(TorchNodeContext c, string op)
    {
        if (IsNumberOp(c))
        {
            c.SetSlot(0, ScalarConverters.Compare(c, op));
            return;
        }

        if (c.IsList(0))
        {
            var a = c.ConstantOf(0);
            var other = c.ConstantOf(1);
            if (a is IReadOnlyList<object> la && other is IReadOnlyList<object> lb && op is "Equal" or "NotEqual")
            {
                var same = la.Count == lb.Count && la.Zip(lb).All(p => Equals(p.First, p.Second));
                c.SetConstant(0, op == "Equal" ? same : !same);
                return;
            }

            throw c.Unsupported("comparing lists needs both to be known at conversion time");
        }

        var (x, y, type) = Promoted(c);
        var b = c.Builder;
        if (type == DataType.Bool && op != "Equal" && op != "NotEqual")
        {
            x = b.Cast(x, DataType.Int32);
            y = b.Cast(y, DataType.Int32);
        }

        c.SetOutput(0, op == "NotEqual" ? b.Op("Not", b.Op("Equal", x, y)) : b.Op(op, x, y));
    }

    /// <summary><paramref name="x"/> as bool: true where non-zero.</summary>
    internal static Value ToBool(TorchNodeContext c, Value x)
    {
        var type = c.ElementType(x);
        return type == DataType.Bool ? x : c.Builder.Op("Not", c.Builder.Op("Equal", x, c.Builder.Scalar(type, 0)));
    }

    private static void Logical(TorchNodeContext c, string op) =>
        c.SetOutput(0, c.Builder.Op(op, ToBool(c, c.Tensor(0)), ToBool(c, c.Tensor(1))));

    private static void LogicalNot(TorchNodeContext c) => c.SetOutput(0, c.Builder.Op("Not", ToBool(c, c.Tensor(0))));

    private static void Bitwise(TorchNodeContext c, string op)
    {
        if (IsNumberOp(c))
        {
            c.SetSlot(0, ScalarConverters.Bitwise(c, op));
            return;
        }

        var (x, y, type) = Promoted(c);
        if (type == DataType.Bool)
        {
            c.SetOutput(0, c.Builder.Op(op, x, y));
            return;
        }

        if (TorchScalarTypes.IsFloating(type))
        {
            throw c.Error("bitwise operations take integer or bool tensors");
        }

        if (c.Opset < 18)
        {
            throw c.Unsupported($"bitwise {op.ToLowerInvariant()} of integer tensors needs ONNX Bitwise{op} (opset 18); convert with --opset 18 or higher");
        }

        c.SetOutput(0, c.Builder.Op("Bitwise" + op, x, y));
    }

    private static void BitwiseNot(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var type = c.ElementType(x);
        if (type == DataType.Bool)
        {
            c.SetOutput(0, c.Builder.Op("Not", x));
            return;
        }

        if (TorchScalarTypes.IsFloating(type))
        {
            throw c.Error("bitwise_not takes integer or bool tensors");
        }

        if (c.Opset < 18)
        {
            // Two's complement: ~x == -x - 1 for signed integers.
            if (type == DataType.Uint8)
            {
                throw c.Unsupported("bitwise_not of uint8 tensors needs ONNX BitwiseNot (opset 18)");
            }

            c.SetOutput(0, c.Builder.Op("Sub", c.Builder.Op("Neg", x), c.Builder.Scalar(type, 1)));
            return;
        }

        c.SetOutput(0, c.Builder.Op("BitwiseNot", x));
    }

    private static void Classify(TorchNodeContext c, string what)
    {
        var x = c.Tensor(0);
        var b = c.Builder;
        if (!TorchScalarTypes.IsFloating(c.ElementType(x)))
        {
            // Integers are never NaN or infinite: x == x is true everywhere.
            var same = b.Op("Equal", x, x);
            c.SetOutput(0, what == "finite" ? same : b.Op("Not", same));
            return;
        }

        c.SetOutput(0, what switch
        {
            "nan" => b.Op("IsNaN", x),
            "inf" => b.Op("IsInf", x),
            _ => b.Op("Not", b.Op("Or", b.Op("IsNaN", x), b.Op("IsInf", x))),
        });
    }

    private static void Where(TorchNodeContext c)
    {
        var condition = ToBool(c, c.Tensor(0));
        if (c.InputCount == 1)
        {
            Indexing.IndexingConverters.NonzeroTuple(c, condition);
            return;
        }

        var type = c.ResultType(1, 2);
        c.SetOutput(0, c.Builder.Op("Where", condition, c.TensorOf(1, type), c.TensorOf(2, type)));
    }

    private static void MaskedFill(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var type = c.ElementType(x);
        var mask = c.Tensor(1);
        if (c.ElementType(mask) != DataType.Bool)
        {
            throw c.Error($"masked_fill only supports boolean masks, and the mask is {c.ElementType(mask)}");
        }

        if (c.IsTensor(2) && TorchNodeContext.RankOf(c.Tensor(2)) is > 0)
        {
            throw c.Error("masked_fill only supports a 0-dimensional value tensor");
        }

        c.SetOutput(0, c.Builder.Op("Where", mask, c.TensorOf(2, type), x));
    }

    private static void Lerp(TorchNodeContext c)
    {
        var type = c.ResultType(0, 1, 2);
        var b = c.Builder;
        var start = c.TensorOf(0, type);
        var end = c.TensorOf(1, type);
        var weight = c.TensorOf(2, type);
        c.SetOutput(0, b.Op("Add", start, b.Op("Mul", weight, b.Op("Sub", end, start))));
    }

    private static void Addc(TorchNodeContext c, string op)
    {
        var type = c.ResultType(0, 1, 2);
        var b = c.Builder;
        var product = b.Op(op, c.TensorOf(1, type), c.TensorOf(2, type));
        if (!(c.ConstantOf(3) is long l && l == 1) && !(c.ConstantOf(3) is double d && d == 1))
        {
            product = b.Op("Mul", product, c.TensorOf(3, type));
        }

        c.SetOutput(0, b.Op("Add", c.TensorOf(0, type), product));
    }
}
