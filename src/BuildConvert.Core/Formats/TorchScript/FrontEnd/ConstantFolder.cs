using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Converters.TorchScript.Schemas;
using BuildConvert.Core.Formats.TorchScript.Language;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Formats.TorchScript.FrontEnd;

/// <summary>
/// Evaluates operators whose result is known at conversion time, with Python's and TorchScript's semantics: int and
/// float arithmetic (floor division and modulo rounding toward negative infinity, true division giving a float, int
/// overflow wrapping as in TorchScript's int64), comparisons, boolean and bitwise operators, conversions, string
/// operators the serialized code uses in messages; shape queries (<c>aten::size</c>, <c>aten::dim</c>,
/// <c>aten::numel</c>) from static shapes; tensor properties fixed for an exported inference graph (dtype from the
/// element type, device cpu, not CUDA, no gradient); and scalar (one-element) constant tensors for traced shape
/// arithmetic (<c>prim::NumToTensor</c>, <c>aten::Int</c>, arithmetic on them).
/// </summary>
internal static class ConstantFolder
{
    public static object? TryFold(TorchInterpreter interpreter, AtenSchema schema, IReadOnlyList<TorchValue> inputs, TsLocation at)
    {
        var name = schema.Name;
        var c = inputs.Select(i => i.Constant).ToArray();

        // Queries answered by types and shapes, whatever the values.
        switch (name)
        {
            case "aten::dim" when inputs[0].Shape is { } s:
                return interpreter.Const((long)s.Count);
            case "aten::size" when inputs.Count == 2 && inputs[0].Shape is { } s && c[1] is long d:
                var axis = d < 0 ? d + s.Count : d;
                if (axis < 0 || axis >= s.Count)
                {
                    throw new TsRaised($"IndexError: Dimension out of range (expected to be in range of [{-s.Count}, {s.Count - 1}], but got {d})", at.ToString());
                }

                return s[(int)axis].Value is { } size ? interpreter.Const(size) : null;
            case "aten::numel" when inputs[0].Shape is { } s && s.All(x => x.IsFixed):
                return interpreter.Const(s.Aggregate(1L, (p, x) => p * x.Value!.Value));
            case "aten::len" when inputs[0].Type.Kind == TorchTypeKind.Tensor && inputs[0].Shape is { Count: > 0 } s && s[0].IsFixed:
                return interpreter.Const(s[0].Value!.Value);
            case "prim::dtype" when inputs[0].ElementType is { } et && ScalarTypeCode(et) is { } code:
                return interpreter.Const(code);
            case "prim::device":
                return new TorchValue { Name = $"device.cpu", Type = TorchType.Device, Constant = "cpu" };
            case "aten::device" when c[0] is string deviceName:
                return new TorchValue { Name = $"device.{deviceName}", Type = TorchType.Device, Constant = deviceName };
            case "prim::is_cuda" or "prim::is_xpu" or "prim::is_mkldnn" or "prim::is_sparse" or "prim::is_quantized" or "prim::is_meta" or "prim::is_nested" or "prim::is_vulkan" or "prim::is_mps" or "prim::is_ipu":
                return interpreter.Const(false);
            case "prim::requires_grad" or "aten::is_grad_enabled" or "aten::is_autocast_enabled" or "aten::is_autocast_cpu_enabled" or "aten::_has_torch_function" or "aten::has_torch_function":
                return interpreter.Const(false);
            case "aten::is_scripting":
                return interpreter.Const(true);
            case "aten::is_floating_point" when inputs[0].ElementType is { } et:
                return interpreter.Const(et is DataType.Float or DataType.Double or DataType.Float16 or DataType.Bfloat16);
            case "aten::__is__" or "aten::__isnot__":
                var aNone = c[0] is TorchNone;
                var bNone = c[1] is TorchNone;
                if (aNone || bNone)
                {
                    var other = aNone ? inputs[1] : inputs[0];
                    if (aNone && bNone || other.Type.Kind != TorchTypeKind.Optional || other.Constant is not null)
                    {
                        var same = aNone && bNone;
                        return interpreter.Const(name == "aten::__is__" ? same : !same);
                    }

                    return null;
                }

                // Two values that cannot be None: the same value or not. Distinct graph inputs are distinct tensors
                // (a caller passing one tensor twice, mha(x, x, x), reaches the code as one value).
                if (inputs[0].Type.Kind != TorchTypeKind.Optional && inputs[1].Type.Kind != TorchTypeKind.Optional)
                {
                    var identical = ReferenceEquals(inputs[0], inputs[1]);
                    return interpreter.Const(name == "aten::__is__" ? identical : !identical);
                }

                return null;
            case "prim::unchecked_unwrap_optional" or "prim::unchecked_cast":
                return inputs[0];
        }

        if (c.Any(x => x is null))
        {
            return null;
        }

        try
        {
            var result = Evaluate(name, c, schema);
            return result is null ? null : result is TorchValue tv ? tv : interpreter.Const(result);
        }
        catch (DivideByZeroException)
        {
            throw new TsRaised("ZeroDivisionError: division by zero", at.ToString());
        }
    }

    private static object? Evaluate(string name, object?[] c, AtenSchema schema)
    {
        var op = name[(name.IndexOf("::", StringComparison.Ordinal) + 2)..];
        // Scalar tensors (traced shape arithmetic) fold to scalar tensors.
        if (c.Any(x => x is TorchTensorConstant))
        {
            return EvaluateScalarTensors(op, c);
        }

        switch (op)
        {
            case "add" when c is [string s1, string s2]:
                return s1 + s2;
            case "add" or "sub" or "mul" or "div" or "floordiv" or "remainder" or "pow" or "fmod" or "floor_divide" when c.Length >= 2 && IsNumber(c[0]) && IsNumber(c[1]):
                return Arithmetic(op, c[0]!, c[1]!, schema.Returns.FirstOrDefault()?.Type.Kind);
            case "neg" when c is [long l]:
                return unchecked(-l);
            case "neg" when c is [double d]:
                return -d;
            case "abs" when c is [long l]:
                return Math.Abs(l);
            case "abs" when c is [double d]:
                return Math.Abs(d);
            case "eq" or "ne" or "lt" or "le" or "gt" or "ge" when c.Length == 2:
                return Comparison(op, c[0]!, c[1]!);
            case "__not__" when c is [bool b]:
                return !b;
            case "__and__" or "__or__" or "__xor__" when c is [bool x, bool y]:
                return op switch { "__and__" => x & y, "__or__" => x | y, _ => x ^ y };
            case "__and__" or "__or__" or "__xor__" or "__lshift__" or "__rshift__" when c is [long x, long y]:
                return op switch { "__and__" => x & y, "__or__" => x | y, "__xor__" => x ^ y, "__lshift__" => x << (int)y, _ => x >> (int)y };
            case "__invert__" when c is [long l]:
                return ~l;
            case "Int" or "IntImplicit":
                return ConvertConstant("aten::Int", c[0]!);
            case "Float" or "FloatImplicit":
                return ConvertConstant("aten::Float", c[0]!);
            case "Bool" when c is [var boolArg]:
                return boolArg switch { bool b => b, long l => l != 0, double d => d != 0, string text => text.Length > 0, _ => null };
            case "ScalarImplicit":
                return c[0];
            case "floor" when c is [double d]:
                return (long)Math.Floor(d);
            case "ceil" when c is [double d]:
                return (long)Math.Ceiling(d);
            case "floor" or "ceil" when c is [long l]:
                return l;
            case "sqrt" or "exp" or "log" or "sin" or "cos" or "tanh" or "log10" or "log1p" or "expm1" or "atan" when c is [var x] && IsNumber(x):
                var dv = ToDouble(x!);
                return op switch
                {
                    "sqrt" => Math.Sqrt(dv),
                    "exp" => Math.Exp(dv),
                    "log" => Math.Log(dv),
                    "sin" => Math.Sin(dv),
                    "cos" => Math.Cos(dv),
                    "tanh" => Math.Tanh(dv),
                    "log10" => Math.Log10(dv),
                    "log1p" => Math.Log(1 + dv),
                    "expm1" => Math.Exp(dv) - 1,
                    _ => Math.Atan(dv),
                };
            case "min" or "max" when c is [IReadOnlyList<object?> list] && list.Count > 0 && list.All(IsNumber):
                var best = list[0]!;
                foreach (var item in list.Skip(1))
                {
                    var less = Compare(item!, best) < 0;
                    if (op == "min" ? less : !less && Compare(item!, best) > 0)
                    {
                        best = item!;
                    }
                }

                return best;
            case "min" or "max" when c.Length == 2 && IsNumber(c[0]) && IsNumber(c[1]):
                var cmp = Compare(c[0]!, c[1]!);
                var pick = op == "min" ? (cmp <= 0 ? c[0] : c[1]) : (cmp >= 0 ? c[0] : c[1]);
                return c[0] is double || c[1] is double ? ToDouble(pick!) : pick;
            case "any" or "all" when c is [IReadOnlyList<object?> flags] && flags.All(f => f is bool):
                return op == "any" ? flags.Any(f => (bool)f!) : flags.All(f => (bool)f!);
            case "len" when c is [string s]:
                return (long)s.Length;
            case "len" when c is [IReadOnlyList<object?> list]:
                return (long)list.Count;
            case "__getitem__" when c is [IReadOnlyList<object?> list, long i]:
                var k = i < 0 ? i + list.Count : i;
                return k >= 0 && k < list.Count ? list[(int)k] : throw new IndexOutOfRangeException();
            case "__contains__" when c is [IReadOnlyList<object?> list, var item]:
                return list.Any(x => TorchInterpreter.ConstantEquals(x, item));
            case "__contains__" when c is [string s, string sub]:
                return s.Contains(sub, StringComparison.Ordinal);
            case "find" when c is [string s, string sub, long start, long end]:
                var from = (int)Math.Clamp(start < 0 ? start + s.Length : start, 0, s.Length);
                var to = (int)Math.Clamp(end < 0 ? end + s.Length : end, 0, s.Length);
                return to < from ? -1L : (long)s.IndexOf(sub, from, to - from, StringComparison.Ordinal);
            case "startswith" when c.Length >= 2 && c[0] is string s && c[1] is string p:
                return s.StartsWith(p, StringComparison.Ordinal);
            case "endswith" when c.Length >= 2 && c[0] is string s && c[1] is string p:
                return s.EndsWith(p, StringComparison.Ordinal);
            case "lower" when c is [string s]:
                return s.ToLowerInvariant();
            case "upper" when c is [string s]:
                return s.ToUpperInvariant();
            case "str" when c is [var x]:
                return x is string text0 ? text0 : PythonStr(x);
            case "format" when c.Length >= 1 && c[0] is string f:
                return Format(f, c.Skip(1).ToArray());
            case "list" when c is [IReadOnlyList<object?> list]:
                return list.ToArray();
            case "__range_length" when c is [long lo, long hi, long step] && step != 0:
                return step > 0 ? Math.Max(0, (hi - lo + step - 1) / step) : Math.Max(0, (lo - hi - step - 1) / -step);
            case "__derive_index" when c is [long index, long start, long step]:
                return start + index * step;
            case "NumToTensor" when c is [var x] && IsNumber(x):
                return ScalarTensor(x!);
            case "__is__" or "__isnot__":
                return null;
            default:
                return null;
        }
    }

    private static object? EvaluateScalarTensors(string op, object?[] c)
    {
        var values = new object?[c.Length];
        for (var i = 0; i < c.Length; i++)
        {
            values[i] = c[i] is TorchTensorConstant t ? ScalarOf(t) : c[i];
            if (values[i] is null)
            {
                return null;
            }
        }

        switch (op)
        {
            case "Int" or "IntImplicit":
                return ConvertConstant("aten::Int", values[0]!);
            case "Float" or "FloatImplicit":
                return ConvertConstant("aten::Float", values[0]!);
            case "ScalarImplicit" or "item":
                return values[0];
            case "add" or "sub" or "mul" or "div" or "floor_divide" or "remainder" when values.Length >= 2 && IsNumber(values[0]) && IsNumber(values[1]):
                var alpha = values.Length > 2 && op is "add" or "sub" ? values[2] : 1L;
                var right = alpha is long a && a == 1 ? values[1]! : Arithmetic("mul", values[1]!, alpha!, null);
                var isFloat = (c[0] as TorchTensorConstant)?.Data.ElementType is DataType.Float or DataType.Double || (c[1] as TorchTensorConstant)?.Data.ElementType is DataType.Float or DataType.Double;
                var r = op switch
                {
                    "floor_divide" => Arithmetic("floordiv", values[0]!, right, null),
                    "div" => Arithmetic("div", values[0]!, right, null),
                    _ => Arithmetic(op, values[0]!, right, null),
                };
                return ScalarTensor(isFloat ? ToDouble(r) : r);
            default:
                return null;
        }
    }

    private static object? ScalarOf(TorchTensorConstant t)
    {
        if (t.Data.ElementCount != 1 || t.Data.IsString || t.Data.IsExternal)
        {
            return null;
        }

        var b = t.Data.Bytes.Span;
        return t.Data.ElementType switch
        {
            DataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(b),
            DataType.Int32 => (long)BinaryPrimitives.ReadInt32LittleEndian(b),
            DataType.Int16 => (long)BinaryPrimitives.ReadInt16LittleEndian(b),
            DataType.Int8 => (long)(sbyte)b[0],
            DataType.Uint8 => (long)b[0],
            DataType.Bool => b[0] != 0,
            DataType.Float => (double)BinaryPrimitives.ReadSingleLittleEndian(b),
            DataType.Double => BinaryPrimitives.ReadDoubleLittleEndian(b),
            _ => null,
        };
    }

    private static TorchTensorConstant ScalarTensor(object value)
    {
        switch (value)
        {
            case long l:
                var lb = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(lb, l);
                return new TorchTensorConstant(TensorData.FromBytes(DataType.Int64, Array.Empty<long>(), lb));
            case bool b:
                return new TorchTensorConstant(TensorData.FromBytes(DataType.Bool, Array.Empty<long>(), new[] { b ? (byte)1 : (byte)0 }));
            default:
                var db = new byte[8];
                BinaryPrimitives.WriteDoubleLittleEndian(db, ToDouble(value));
                return new TorchTensorConstant(TensorData.FromBytes(DataType.Double, Array.Empty<long>(), db));
        }
    }

    /// <summary>An implicit conversion of a known value (aten::Int, aten::Float, prim::NumToTensor, ...), or null.</summary>
    public static object? ConvertConstant(string op, object value)
    {
        if (value is TorchTensorConstant t)
        {
            return ScalarOf(t) is { } s ? ConvertConstant(op, s) : null;
        }

        return op switch
        {
            "aten::Int" or "aten::IntImplicit" => value switch
            {
                long l => l,
                bool b => b ? 1L : 0L,
                double d when double.IsFinite(d) => (long)Math.Truncate(d),
                string s when long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var p) => p,
                _ => null,
            },
            "aten::Float" or "aten::FloatImplicit" => value switch
            {
                long l => (double)l,
                bool b => b ? 1.0 : 0.0,
                double d => d,
                string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var p) => p,
                _ => null,
            },
            "aten::ScalarImplicit" => value,
            "prim::NumToTensor" when IsNumber(value) || value is bool => ScalarTensor(value),
            _ => null,
        };
    }

    private static bool IsNumber(object? x) => x is long or double or bool;

    private static double ToDouble(object x) => x switch { long l => l, double d => d, bool b => b ? 1 : 0, _ => double.NaN };

    private static object Arithmetic(string op, object a, object b, AtenTypeKind? returns)
    {
        if (a is bool ab)
        {
            a = ab ? 1L : 0L;
        }

        if (b is bool bb)
        {
            b = bb ? 1L : 0L;
        }

        if (a is long x && b is long y && op != "div")
        {
            // Each arm boxed on its own: a common arm type would turn every int result into a double.
            return op switch
            {
                "add" => (object)unchecked(x + y),
                "sub" => unchecked(x - y),
                "mul" => unchecked(x * y),
                "floordiv" or "floor_divide" => y == 0 ? throw new DivideByZeroException() : FloorDiv(x, y),
                "remainder" => y == 0 ? throw new DivideByZeroException() : x - FloorDiv(x, y) * y,
                "fmod" => y == 0 ? throw new DivideByZeroException() : x % y,
                // int ** negative int is a float in Python and TorchScript.
                "pow" => y >= 0 ? IntPow(x, y) : (object)Math.Pow(x, y),
                _ => throw new InvalidOperationException(op),
            };
        }

        var p = ToDouble(a);
        var q = ToDouble(b);
        var r = op switch
        {
            "add" => p + q,
            "sub" => p - q,
            "mul" => p * q,
            "div" => q == 0 ? throw new DivideByZeroException() : p / q,
            "floordiv" or "floor_divide" => q == 0 ? throw new DivideByZeroException() : Math.Floor(p / q),
            "remainder" => q == 0 ? throw new DivideByZeroException() : p - Math.Floor(p / q) * q,
            "fmod" => p % q,
            "pow" => Math.Pow(p, q),
            _ => throw new InvalidOperationException(op),
        };
        return returns == AtenTypeKind.Int ? (object)(long)r : r;
    }

    private static long FloorDiv(long x, long y)
    {
        var q = x / y;
        return (x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q;
    }

    private static long IntPow(long x, long y)
    {
        long result = 1;
        for (var i = 0L; i < y; i++)
        {
            result = unchecked(result * x);
        }

        return result;
    }

    private static int Compare(object a, object b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (string x, string y) => string.CompareOrdinal(x, y),
        _ => ToDouble(a).CompareTo(ToDouble(b)),
    };

    private static object? Comparison(string op, object a, object b)
    {
        if (op is "eq" or "ne")
        {
            var equal = (IsNumber(a) && IsNumber(b)) ? ToDouble(a) == ToDouble(b) && !(a is double da && double.IsNaN(da)) : TorchInterpreter.ConstantEquals(a, b);
            return op == "eq" ? equal : !equal;
        }

        if (!(IsNumber(a) && IsNumber(b)) && !(a is string && b is string))
        {
            return null;
        }

        if (a is double x && double.IsNaN(x) || b is double y && double.IsNaN(y))
        {
            return false;
        }

        var c = Compare(a, b);
        return op switch { "lt" => c < 0, "le" => c <= 0, "gt" => c > 0, _ => c >= 0 };
    }

    /// <summary>PyTorch's ScalarType code of an element type (what <c>prim::dtype</c> returns).</summary>
    public static long? ScalarTypeCode(DataType t) => t switch
    {
        DataType.Uint8 => 0,
        DataType.Int8 => 1,
        DataType.Int16 => 2,
        DataType.Int32 => 3,
        DataType.Int64 => 4,
        DataType.Float16 => 5,
        DataType.Float => 6,
        DataType.Double => 7,
        DataType.Complex64 => 9,
        DataType.Complex128 => 10,
        DataType.Bool => 11,
        DataType.Bfloat16 => 15,
        _ => null,
    };

    /// <summary>The element type of a ScalarType code, or null.</summary>
    public static DataType? ElementTypeOf(long code) => code switch
    {
        0 => DataType.Uint8,
        1 => DataType.Int8,
        2 => DataType.Int16,
        3 => DataType.Int32,
        4 => DataType.Int64,
        5 => DataType.Float16,
        6 => DataType.Float,
        7 => DataType.Double,
        9 => DataType.Complex64,
        10 => DataType.Complex128,
        11 => DataType.Bool,
        15 => DataType.Bfloat16,
        _ => null,
    };

    /// <summary>Python's <c>str.format</c> for the <c>{}</c> placeholders TorchScript's aten::format supports.</summary>
    public static string Format(string format, IReadOnlyList<object?> args)
    {
        var sb = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] == '{' && i + 1 < format.Length && format[i + 1] == '{')
            {
                sb.Append('{');
                i++;
            }
            else if (format[i] == '}' && i + 1 < format.Length && format[i + 1] == '}')
            {
                sb.Append('}');
                i++;
            }
            else if (format[i] == '{')
            {
                var close = format.IndexOf('}', i);
                if (close < 0)
                {
                    sb.Append(format[i..]);
                    break;
                }

                var field = format[(i + 1)..close];
                var index = field.Length > 0 && int.TryParse(field.Split(':')[0], out var k) ? k : next++;
                sb.Append(index < args.Count ? PythonStr(args[index]) : "{" + field + "}");
                i = close;
            }
            else
            {
                sb.Append(format[i]);
            }
        }

        return sb.ToString();
    }

    /// <summary>Python's <c>str()</c> of a constant.</summary>
    public static string PythonStr(object? value) => value switch
    {
        string s => s,
        IReadOnlyList<object?> list => "[" + string.Join(", ", list.Select(x => x is string s ? $"'{s}'" : PythonStr(x))) + "]",
        _ => TorchInterpreter.FormatConstant(value),
    };
}
