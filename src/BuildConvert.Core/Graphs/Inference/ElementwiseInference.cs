using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs.Inference;

/// <summary>
/// Element-wise operators: unary maths and activations (shape and type of the input), numpy-broadcasting binary and
/// variadic arithmetic, comparisons and logic (bool), Where, Cast/CastLike, Clip. Spec: onnx/docs/Operators.md.
/// </summary>
internal static class ElementwiseInference
{
    private static readonly string[] Unary =
    {
        "Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Ceil", "Cos", "Cosh", "Erf", "Exp", "Floor", "Log",
        "Neg", "Reciprocal", "Relu", "Round", "Sigmoid", "Sign", "Sin", "Sinh", "Softplus", "Softsign", "Sqrt", "Tan",
        "Tanh", "Elu", "Selu", "Celu", "HardSigmoid", "HardSwish", "LeakyRelu", "ThresholdedRelu", "Gelu", "Mish", "Swish",
        "Shrink", "BitwiseNot", "Clip", "Softmax", "LogSoftmax", "Hardmax", "LRN", "CumSum", "Trilu",
        "MeanVarianceNormalization", "LpNormalization", "ReverseSequence", "Scatter", "ScatterElements", "ScatterND",
        "InstanceNormalization", "GroupNormalization", "RMSNormalization", "RotaryEmbedding", "CumProd", "SwiGLU",
    };

    private static readonly string[] Arithmetic = { "Add", "Sub", "Mul", "Div", "Pow", "Mod", "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "PRelu" };

    private static readonly string[] Comparisons = { "Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "And", "Or", "Xor" };

    private static readonly string[] Variadic = { "Max", "Min", "Sum", "Mean" };

    public static void Register(InferenceRegistry.Builder r)
    {
        r.AddAll(Unary, Rules.SameAsInput());
        r.Add("Identity", c =>
        {
            c.SetOutput(0, Rules.Strip(c.InputType(0)));
            if (c.InputValues(0) is { } values)
            {
                c.SetOutputValues(0, values, c.InputValueIsScalar(0));
            }
        });
        r.AddAll(new[] { "Neg", "Abs" }, 6, c =>
        {
            c.SetOutput(0, Rules.Strip(c.InputType(0)));
            if (c.InputValues(0) is { } values)
            {
                c.SetOutputValues(0, values.Select(d => ShapeMath.Map(d, v => c.Node.OpType == "Neg" ? -v : Math.Abs(v))).ToArray(), c.InputValueIsScalar(0));
            }
        });
        r.Add("BitCast", c => c.SetOutput(0, Rules.DataTypeAttribute(c, "to", default), c.InputShape(0)));
        r.Add("Binarizer", Rules.SameAsInput(), "ai.onnx.ml");
        r.AddAll(Arithmetic.Where(o => o is "Add" or "Sub" or "Mul" or "Div" or "Pow" or "PRelu"), LegacyBroadcast);
        r.AddAll(new[] { "Add", "Sub", "Mul", "Div", "Pow", "PRelu" }, 7, Broadcasting(output: null));
        r.Add("Mod", 10, Broadcasting(output: null));
        r.Add("BitShift", 11, Broadcasting(output: null));
        r.AddAll(new[] { "BitwiseAnd", "BitwiseOr", "BitwiseXor" }, 18, Broadcasting(output: null));
        r.AddAll(new[] { "And", "Or", "Xor", "Equal", "Greater", "Less" }, LegacyCompare);
        r.AddAll(new[] { "And", "Or", "Xor", "Equal", "Greater", "Less" }, 7, Compare);
        r.AddAll(new[] { "GreaterOrEqual", "LessOrEqual" }, 12, Compare);
        r.Add("Not", c =>
        {
            c.SetOutput(0, DataType.Bool, c.InputShape(0));
            if (c.InputValues(0) is { } values)
            {
                c.SetOutputValues(0, values.Select(d => ShapeMath.Map(d, v => v == 0 ? 1 : 0)).ToArray(), c.InputValueIsScalar(0));
            }
        });
        r.AddAll(Variadic, Variadic8);
        r.AddAll(new[] { "IsNaN", "IsInf" }, Rules.SameShape(DataType.Bool));
        r.Add("Where", 9, Where);
        r.Add("Cast", Cast);
        r.Add("CastLike", 15, c => c.SetOutput(0, c.InputElementType(1), c.InputShape(0)));
        r.Add("Dropout", Dropout);
        r.Add("Bernoulli", 15, c => c.SetOutput(0, Rules.DataTypeAttribute(c, "dtype", c.InputElementType(0)), c.InputShape(0)));
        r.AddAll(new[] { "RandomUniformLike", "RandomNormalLike", "EyeLike" },
            c => c.SetOutput(0, Rules.DataTypeAttribute(c, "dtype", c.InputElementType(0)), c.InputShape(0)));
        r.Add("RegexFullMatch", 20, Rules.SameShape(DataType.Bool));
        r.Add("StringConcat", 20, Broadcasting(DataType.String));
        r.Add("StringNormalizer", 10, StringNormalizer);
    }

    private static void Compare(InferenceContext c)
    {
        c.SetOutput(0, DataType.Bool, ShapeMath.Broadcast(c, c.InputShape(0), c.InputShape(1)));
        var a = c.InputValues(0);
        var b = c.InputValues(1);
        if (a is null || b is null || (a.Count != b.Count && a.Count != 1 && b.Count != 1))
        {
            return;
        }

        Func<long, long, bool> f = c.Node.OpType switch
        {
            "Equal" => (x, y) => x == y,
            "Greater" => (x, y) => x > y,
            "Less" => (x, y) => x < y,
            "GreaterOrEqual" => (x, y) => x >= y,
            "LessOrEqual" => (x, y) => x <= y,
            "And" => (x, y) => x != 0 && y != 0,
            "Or" => (x, y) => x != 0 || y != 0,
            _ => (x, y) => (x != 0) != (y != 0),
        };
        var n = Math.Max(a.Count, b.Count);
        var result = new Dim[n];
        for (var i = 0; i < n; i++)
        {
            var x = a[a.Count == 1 ? 0 : i];
            var y = b[b.Count == 1 ? 0 : i];
            result[i] = c.Node.OpType == "Equal" && x.Symbol is { } s && s == y.Symbol ? Dim.Of(1) : ShapeMath.Map(x, y, (p, q) => f(p, q) ? 1 : 0);
        }

        c.SetOutputValues(0, result, c.InputValueIsScalar(0) && c.InputValueIsScalar(1));
    }

    private static void Where(InferenceContext c)
    {
        c.SetOutput(0, c.InputElementType(1), ShapeMath.Broadcast(c, c.InputShape(0), c.InputShape(1), c.InputShape(2)));
        var values = new[] { c.InputValues(0), c.InputValues(1), c.InputValues(2) };
        if (values.Any(v => v is null))
        {
            return;
        }

        var n = values.Max(v => v!.Count);
        if (values.Any(v => v!.Count != n && v!.Count != 1))
        {
            return;
        }

        Dim At(int input, int i) => values[input]![values[input]!.Count == 1 ? 0 : i];
        var result = new Dim[n];
        for (var i = 0; i < n; i++)
        {
            var condition = At(0, i);
            result[i] = condition.Value is { } v ? ShapeMath.Plain(v != 0 ? At(1, i) : At(2, i)) : Dim.Unknown;
        }

        c.SetOutputValues(0, result, Enumerable.Range(0, 3).All(c.InputValueIsScalar));
    }

    private static InferenceFunction Broadcasting(DataType? output) => c =>
    {
        var shape = ShapeMath.Broadcast(c, c.InputShape(0), c.InputShape(1));
        c.SetOutput(0, output ?? c.InputElementType(0), shape);
        if (output is null)
        {
            PropagateArithmetic(c);
        }
    };

    /// <summary>Before opset 7: the second input broadcasts onto the first only when <c>broadcast=1</c>; the output has the first input's shape.</summary>
    private static void LegacyBroadcast(InferenceContext c)
    {
        var shape = c.Node.GetInt("broadcast", 0) != 0 ? c.InputShape(0) : c.InputShape(0) ?? c.InputShape(1);
        if (c.Node.OpType == "PRelu")
        {
            shape = c.InputShape(0);
        }

        c.SetOutput(0, c.InputElementType(0), shape);
        PropagateArithmetic(c);
    }

    private static void LegacyCompare(InferenceContext c) =>
        c.SetOutput(0, DataType.Bool, c.Node.GetInt("broadcast", 0) != 0 ? c.InputShape(0) : c.InputShape(0) ?? c.InputShape(1));

    private static void Variadic8(InferenceContext c)
    {
        var shapes = Enumerable.Range(0, c.InputCount).Where(c.HasInput).Select(c.InputShape).ToArray();
        if (c.Opset < 8)
        {
            // Before opset 8 the inputs must all have the same shape.
            c.SetOutput(0, c.InputElementType(0), shapes.FirstOrDefault(s => s is not null));
            return;
        }

        c.SetOutput(0, c.InputElementType(0), shapes.Length == 0 ? null : ShapeMath.Broadcast(c, shapes));
        if (c.Node.OpType is "Max" or "Min" && c.InputCount == 2)
        {
            PropagateArithmetic(c);
        }
    }

    private static void Cast(InferenceContext c)
    {
        var to = c.Node.Attribute("to");
        DataType target;
        if (to is { Type: Formats.Onnx.Proto.AttributeProto.Types.AttributeType.String })
        {
            // Cast-1 names the type as a string (e.g. "FLOAT").
            target = Enum.TryParse<DataType>(to.Text.Replace("_", ""), ignoreCase: true, out var parsed) ? parsed : default;
        }
        else
        {
            target = to is null ? default : (DataType)to.Int;
        }

        c.SetOutput(0, target, c.InputShape(0));
        if (c.InputValues(0) is { } values && InferenceContext.IsIntegral(target) && target != DataType.Bool)
        {
            c.SetOutputValues(0, values, c.InputValueIsScalar(0));
        }
    }

    private static void Dropout(InferenceContext c)
    {
        c.SetOutput(0, c.InputType(0) is { } t ? Rules.Strip(t) : null);
        var mask = c.Opset >= 10 ? DataType.Bool : c.InputElementType(0);
        c.SetOutput(1, mask, c.InputShape(0));
    }

    private static void StringNormalizer(InferenceContext c)
    {
        var shape = c.InputShape(0);
        if (shape is null)
        {
            c.SetOutput(0, DataType.String, null);
            return;
        }

        // Stop words may remove elements: the last dimension becomes unknown (and at least 1).
        var dims = shape.ToArray();
        if (dims.Length > 0)
        {
            dims[^1] = c.Node.GetInts("stopwords") is null && c.Node.Attribute("stopwords") is null ? dims[^1] : Dim.Unknown;
        }

        c.SetOutput(0, DataType.String, dims);
    }

    /// <summary>Tracks Add/Sub/Mul/Div (and Max/Min) of small integer values, element-wise with broadcasting of scalars.</summary>
    private static void PropagateArithmetic(InferenceContext c)
    {
        var a = c.InputValues(0);
        var b = c.InputValues(1);
        if (a is null || b is null || (a.Count != b.Count && a.Count != 1 && b.Count != 1))
        {
            return;
        }

        Func<long, long, long>? f = c.Node.OpType switch
        {
            "Add" => (x, y) => x + y,
            "Sub" => (x, y) => x - y,
            "Mul" => (x, y) => x * y,
            "Div" => (x, y) => y == 0 ? throw new DivideByZeroException("division by zero in shape arithmetic") : x / y,
            "Max" => Math.Max,
            "Min" => Math.Min,
            _ => null,
        };
        if (f is null || !InferenceContext.IsIntegral(c.InputElementType(0)))
        {
            return;
        }

        var n = Math.Max(a.Count, b.Count);
        var result = new Dim[n];
        for (var i = 0; i < n; i++)
        {
            var x = a[a.Count == 1 ? 0 : i];
            var y = b[b.Count == 1 ? 0 : i];
            result[i] = c.Node.OpType switch
            {
                "Mul" when x.Value == 1 => ShapeMath.Plain(y),
                "Mul" when y.Value == 1 => ShapeMath.Plain(x),
                "Add" or "Sub" when y.Value == 0 => ShapeMath.Plain(x),
                "Add" when x.Value == 0 => ShapeMath.Plain(y),
                "Div" when y.Value == 1 => ShapeMath.Plain(x),
                _ => ShapeMath.Map(x, y, f),
            };
        }

        c.SetOutputValues(0, result, c.InputValueIsScalar(0) && c.InputValueIsScalar(1));
    }
}
