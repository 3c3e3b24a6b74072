using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TensorFlow.Math;

/// <summary>
/// Element-wise math, comparisons, logical ops, <c>AddN</c> and <c>Cast</c>
/// (https://www.tensorflow.org/api_docs/python/tf/raw_ops). TensorFlow's binary ops broadcast as NumPy does, which is
/// ONNX's multidirectional broadcasting, so they map one to one where the semantics agree; where they differ
/// (<c>FloorDiv</c> and <c>FloorMod</c> on each element type, <c>TruncateDiv</c>, <c>Rsqrt</c>, <c>SquaredDifference</c>,
/// rounding of integers) the handler spells TensorFlow's definition out.
/// </summary>
internal static class ElementwiseConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("Add", 13, AddOrConcat, "strings: StringConcat, opset >= 20");
        r.Add("AddV2", 13, Binary("Add"));
        r.Add("Sub", 13, Binary("Sub"));
        r.Add("Mul", 13, Binary("Mul"));
        r.Add("RealDiv", 13, Binary("Div"));
        r.Add("Div", 13, Binary("Div"), "integers: truncating, as TensorFlow's Div");
        r.Add("TruncateDiv", 13, TruncateDiv);
        r.Add("FloorDiv", 13, FloorDiv);
        r.Add("FloorMod", 13, FloorMod);
        r.Add("Mod", 13, TruncateMod, "C fmod semantics, as TensorFlow's Mod/TruncateMod");
        r.Add("TruncateMod", 13, TruncateMod);
        r.Add("Maximum", 13, Binary("Max"));
        r.Add("Minimum", 13, Binary("Min"));
        r.Add("Pow", 13, Binary("Pow"));
        r.Add("SquaredDifference", 13, SquaredDifference);
        r.Add("Neg", 13, Unary("Neg"));
        r.Add("Abs", 13, Unary("Abs"));
        r.Add("Sqrt", 13, Unary("Sqrt"));
        r.Add("Rsqrt", 13, Rsqrt);
        r.Add("Exp", 13, Unary("Exp"));
        r.Add("Expm1", 13, Expm1);
        r.Add("Log", 13, Unary("Log"));
        r.Add("Log1p", 13, Log1p);
        r.Add("Square", 13, Square);
        r.Add("Reciprocal", 13, Unary("Reciprocal"));
        r.Add("Inv", 13, Unary("Reciprocal"));
        r.Add("Floor", 13, Rounding("Floor"));
        r.Add("Ceil", 13, Rounding("Ceil"));
        r.Add("Round", 13, Rounding("Round"), "half to even");
        r.Add("Rint", 13, Rounding("Round"), "half to even");
        r.Add("Sign", 13, Unary("Sign"));
        r.Add("Erf", 13, Unary("Erf"));
        r.Add("Sin", 13, Unary("Sin"));
        r.Add("Cos", 13, Unary("Cos"));
        r.Add("Tan", 13, Unary("Tan"));
        r.Add("Asin", 13, Unary("Asin"));
        r.Add("Acos", 13, Unary("Acos"));
        r.Add("Atan", 13, Unary("Atan"));
        r.Add("Sinh", 13, Unary("Sinh"));
        r.Add("Cosh", 13, Unary("Cosh"));
        r.Add("Asinh", 13, Unary("Asinh"));
        r.Add("Acosh", 13, Unary("Acosh"));
        r.Add("Atanh", 13, Unary("Atanh"));
        r.Add("IsNan", 13, Unary("IsNaN"));
        r.Add("IsInf", 13, Unary("IsInf"));
        r.Add("Equal", 13, Binary("Equal"));
        r.Add("NotEqual", 13, NotEqual);
        r.Add("Less", 13, Binary("Less"));
        r.Add("LessEqual", 13, Binary("LessOrEqual"));
        r.Add("Greater", 13, Binary("Greater"));
        r.Add("GreaterEqual", 13, Binary("GreaterOrEqual"));
        r.Add("LogicalAnd", 13, Binary("And"));
        r.Add("LogicalOr", 13, Binary("Or"));
        r.Add("LogicalNot", 13, Unary("Not"));
        r.Add("AddN", 13, AddN);
        r.Add("Cast", 13, Cast);
        r.Add("ZerosLike", 13, FilledLike(0));
        r.Add("OnesLike", 13, FilledLike(1));
    }

    /// <summary>TF <c>op(x, y)</c> → ONNX <paramref name="onnx"/>(x, y); both broadcast NumPy-style.</summary>
    private static TfOpHandler Binary(string onnx) => c => c.SetOutput(0, c.Builder.Op(onnx, c.Input(0), c.Input(1)));

    /// <summary>TF <c>op(x)</c> → ONNX <paramref name="onnx"/>(x).</summary>
    private static TfOpHandler Unary(string onnx) => c => c.SetOutput(0, c.Builder.Op(onnx, c.Input(0)));

    /// <summary>Add(x, y): numbers add; strings concatenate (ONNX StringConcat, opset 20).</summary>
    private static void AddOrConcat(TfNodeContext c)
    {
        if (c.InputElementType(0) != DataType.String)
        {
            c.SetOutput(0, c.Builder.Op("Add", c.Input(0), c.Input(1)));
            return;
        }

        if (c.Opset < 20)
        {
            throw c.Error("adding strings needs ONNX StringConcat, which opset 20 introduced; convert with --opset 20 or higher");
        }

        c.SetOutput(0, c.Builder.Op("StringConcat", c.Input(0), c.Input(1)));
    }

    /// <summary>Floor, Ceil, Round, Rint: integers are already whole (ONNX's rounding ops take floats only).</summary>
    private static TfOpHandler Rounding(string onnx) => c =>
        c.SetOutput(0, IsFloat(c.InputElementType(0)) ? c.Builder.Op(onnx, c.Input(0)) : c.Input(0));

    /// <summary>TruncateDiv(x, y): integers Div (C division truncates); floats trunc(x / y).</summary>
    private static void TruncateDiv(TfNodeContext c)
    {
        var b = c.Builder;
        var q = b.Op("Div", c.Input(0), c.Input(1));
        var type = c.InputElementType(0);
        c.SetOutput(0, IsFloat(type) ? Trunc(b, q, type) : q);
    }

    /// <summary>
    /// FloorDiv(x, y) = floor(x / y). Floats: Floor(Div). Integers: (x - m) / y with m = x mod y taking the divisor's
    /// sign (ONNX Mod fmod=0), which divides exactly, so the truncating Div gives the floor.
    /// </summary>
    private static void FloorDiv(TfNodeContext c)
    {
        var b = c.Builder;
        var x = c.Input(0);
        var y = c.Input(1);
        if (IsFloat(c.InputElementType(0)))
        {
            c.SetOutput(0, b.Op("Floor", b.Op("Div", x, y)));
            return;
        }

        var m = b.Op("Mod", new[] { x, y }, NodeAttribute.Of("fmod", 0L));
        c.SetOutput(0, b.Op("Div", b.Op("Sub", x, m), y));
    }

    /// <summary>
    /// FloorMod(x, y): the remainder with the divisor's sign. Integers: ONNX Mod fmod=0. Floats (TensorFlow's
    /// definition): r = fmod(x, y); r + y where r != 0 and r, y differ in sign, else r.
    /// </summary>
    private static void FloorMod(TfNodeContext c)
    {
        var b = c.Builder;
        var x = c.Input(0);
        var y = c.Input(1);
        var type = c.InputElementType(0);
        if (!IsFloat(type))
        {
            c.SetOutput(0, b.Op("Mod", new[] { x, y }, NodeAttribute.Of("fmod", 0L)));
            return;
        }

        var r = b.Op("Mod", new[] { x, y }, NodeAttribute.Of("fmod", 1L));
        var zero = b.Scalar(type, 0);
        var differ = b.Op("Less", b.Op("Mul", r, y), zero);
        var fix = b.Op("And", differ, b.Op("Not", b.Op("Equal", r, zero)));
        c.SetOutput(0, b.Op("Where", fix, b.Op("Add", r, y), r));
    }

    /// <summary>Mod/TruncateMod(x, y): the remainder with the dividend's sign (C fmod); ONNX Mod fmod=1.</summary>
    private static void TruncateMod(TfNodeContext c) =>
        c.SetOutput(0, c.Builder.Op("Mod", new[] { c.Input(0), c.Input(1) }, NodeAttribute.Of("fmod", 1L)));

    /// <summary>SquaredDifference(x, y) = (x - y)².</summary>
    private static void SquaredDifference(TfNodeContext c)
    {
        var d = c.Builder.Op("Sub", c.Input(0), c.Input(1));
        c.SetOutput(0, c.Builder.Op("Mul", d, d));
    }

    /// <summary>Rsqrt(x) = 1 / sqrt(x).</summary>
    private static void Rsqrt(TfNodeContext c) => c.SetOutput(0, c.Builder.Op("Reciprocal", c.Builder.Op("Sqrt", c.Input(0))));

    /// <summary>Square(x) = x * x.</summary>
    private static void Square(TfNodeContext c) => c.SetOutput(0, c.Builder.Op("Mul", c.Input(0), c.Input(0)));

    /// <summary>Expm1(x) = exp(x) - 1.</summary>
    private static void Expm1(TfNodeContext c) =>
        c.SetOutput(0, c.Builder.Op("Sub", c.Builder.Op("Exp", c.Input(0)), c.Builder.Scalar(c.InputElementType(0), 1)));

    /// <summary>Log1p(x) = log(1 + x).</summary>
    private static void Log1p(TfNodeContext c) =>
        c.SetOutput(0, c.Builder.Op("Log", c.Builder.Op("Add", c.Input(0), c.Builder.Scalar(c.InputElementType(0), 1))));

    /// <summary>NotEqual(x, y) = Not(Equal(x, y)).</summary>
    private static void NotEqual(TfNodeContext c) =>
        c.SetOutput(0, c.Builder.Op("Not", c.Builder.Op("Equal", c.Input(0), c.Input(1))));

    /// <summary>AddN(inputs, N, T): the sum of N same-shaped tensors; ONNX Sum for floats, a chain of Adds otherwise.</summary>
    private static void AddN(TfNodeContext c)
    {
        if (c.InputCount == 1)
        {
            c.SetOutput(0, c.Input(0));
            return;
        }

        if (IsFloat(c.InputElementType(0)))
        {
            c.SetOutput(0, c.Builder.Op("Sum", c.Inputs.ToArray()));
            return;
        }

        var sum = c.Input(0);
        for (var i = 1; i < c.InputCount; i++)
        {
            sum = c.Builder.Op("Add", sum, c.Input(i));
        }

        c.SetOutput(0, sum);
    }

    /// <summary>Cast(x, SrcT, DstT, Truncate): ONNX Cast (to bool: nonzero is true; float to integer truncates).</summary>
    private static void Cast(TfNodeContext c)
    {
        var to = c.ElementType("DstT");
        var x = c.Input(0);
        c.SetOutput(0, x.Type?.ElementType == to ? x : c.Builder.Cast(x, to));
    }

    /// <summary>ZerosLike/OnesLike(x): a tensor of x's shape and type filled with <paramref name="value"/>.</summary>
    private static TfOpHandler FilledLike(double value) => c =>
    {
        var type = c.InputElementType(0);
        var b = c.Builder;
        if (c.InputShape(0) is { } shape && shape.All(d => d.IsFixed))
        {
            c.SetOutput(0, b.Const(TensorData.Filled(type, shape.Select(d => d.Value!.Value).ToArray(), value), "filled"));
            return;
        }

        c.SetOutput(0, b.Op("ConstantOfShape", new[] { b.Op("Shape", c.Input(0)) },
            NodeAttribute.Of("value", TensorData.Filled(type, new long[] { 1 }, value))));
    };

    /// <summary>trunc(x) for floats: x rounded toward zero.</summary>
    internal static Value Trunc(OpBuilder b, Value x, DataType type)
    {
        var isNegative = b.Op("Less", x, b.Scalar(type, 0));
        return b.Op("Where", isNegative, b.Op("Ceil", x), b.Op("Floor", x));
    }

    /// <summary>Whether ONNX's floating-point ops take <paramref name="type"/>.</summary>
    internal static bool IsFloat(DataType type) => type is DataType.Float or DataType.Double or DataType.Float16 or DataType.Bfloat16;
}
