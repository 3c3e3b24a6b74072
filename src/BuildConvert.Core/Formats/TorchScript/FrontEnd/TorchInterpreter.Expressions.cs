using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TorchScript.Language;

namespace BuildConvert.Core.Formats.TorchScript.FrontEnd;

internal sealed partial class TorchInterpreter
{
    private static readonly HashSet<string> Builtins = new(StringComparer.Ordinal)
    {
        "int", "float", "bool", "str", "len", "range", "getattr", "hasattr", "isinstance", "annotate", "uninitialized",
        "unchecked_cast", "print", "min", "max", "abs", "round", "list", "divmod", "all", "any", "sum", "enumerate", "zip",
        "ord", "chr", "hash", "tuple",
    };

    private static readonly HashSet<string> TypeNames = new(StringComparer.Ordinal)
    {
        "Tensor", "List", "Tuple", "Dict", "Optional", "NoneType", "Final", "Device", "Any", "number",
    };

    private object Evaluate(TsExpr e)
    {
        switch (e)
        {
            case TsConstant c:
                return Const(c.Value switch { null => TorchNone.Instance, ulong => throw Error(DiagnosticCodes.TorchScriptTypeMismatch, c.Location, "9223372036854775808 does not fit in a 64-bit int"), var v => v });
            case TsName n:
                return Name(n);
            case TsAttribute a:
                return Attribute(Resolve(Evaluate(a.Target)), a.Name, a);
            case TsCall call:
                return Call(call);
            case TsSubscript s:
                return SubscriptExpr(s);
            case TsTuple t:
                return new TupleVal(t.Elements.Select(x => Resolve(Evaluate(x))).ToArray());
            case TsList l:
                return new ListVal(l.Elements.Select(x => Resolve(Evaluate(x))));
            case TsDict d:
                var dict = new DictVal();
                for (var i = 0; i < d.Keys.Count; i++)
                {
                    dict.Entries.Add((Resolve(Evaluate(d.Keys[i])), Resolve(Evaluate(d.Values[i]))));
                }

                return dict;
            case TsBinary b:
                return BinaryOperator(b.Op, Resolve(Evaluate(b.Left)), Resolve(Evaluate(b.Right)), b.Location);
            case TsUnary u:
                return UnaryOperator(u);
            case TsBoolOp bo:
                return BoolOperator(bo);
            case TsCompare cmp:
                return Compare(cmp);
            case TsConditional cond:
                return Conditional(cond);
            case TsListComprehension lc:
                return Comprehension(lc);
            case TsEllipsis:
                return Const("...");
            case TsSlice slice:
                throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, slice.Location, "a slice outside a subscript");
            default:
                throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, e.Location, e.GetType().Name);
        }
    }

    private object Name(TsName n)
    {
        if (Current.Vars.TryGetValue(n.Id, out var value))
        {
            return Resolve(value);
        }

        switch (n.Id)
        {
            case "torch" or "ops" or "__torch__" or "math" or "CONSTANTS" or "builtins" or "warnings" or "typing":
                return new NamespaceVal(n.Id);
            case "inf":
                return Const(double.PositiveInfinity);
            case "nan":
                return Const(double.NaN);
        }

        if (Builtins.Contains(n.Id))
        {
            return new BuiltinVal(n.Id);
        }

        if (TypeNames.Contains(n.Id))
        {
            return new TypeVal(TsType.FromAnnotation(n, code));
        }

        var local = $"{Current.File.ModuleName}.{n.Id}";
        if (code.TryGetFunction(local, out _, out _))
        {
            return new FunctionVal(local);
        }

        if (code.FindClass(local) is { } cls)
        {
            return new ClassVal(cls);
        }

        throw Error(DiagnosticCodes.TorchScriptNameUndefined, n.Location, $"'{n.Id}' is not defined here");
    }

    private object Attribute(object target, string name, TsExpr at)
    {
        switch (target)
        {
            case NamespaceVal ns:
                var path = $"{ns.Path}.{name}";
                if (ns.Path == "CONSTANTS")
                {
                    if (name.Length > 1 && name[0] == 'c' && int.TryParse(name.AsSpan(1), out var k) && k >= 0 && k < constants.Count)
                    {
                        return ConstantValue(k);
                    }

                    throw Error(DiagnosticCodes.TorchScriptNameUndefined, at.Location, $"CONSTANTS.{name}: the archive's constants.pkl has {constants.Count} entries");
                }

                if (path.StartsWith("__torch__.", StringComparison.Ordinal))
                {
                    if (code.FindClass(path) is { } cls)
                    {
                        return new ClassVal(cls);
                    }

                    if (code.TryGetFunction(path, out _, out _))
                    {
                        return new FunctionVal(path);
                    }
                }

                return new NamespaceVal(path);
            case ModuleVal m:
                return ModuleAttribute(m, name, at.Location);
            case ObjectVal o:
                if (o.Attributes.TryGetValue(name, out var attr))
                {
                    return Resolve(attr);
                }

                if (o.Class.MethodOverloads(name).Count > 0)
                {
                    return new BoundMethod(o, name);
                }

                throw Error(DiagnosticCodes.TorchScriptNameUndefined, at.Location, $"{o.Class.QualifiedName} object has no attribute '{name}' (not assigned yet)");
            case ClassVal c:
                return new BoundMethod(c, name);
            case TupleVal t when t.Names is { } names && names.ToList().IndexOf(name) is var i and >= 0:
                return Resolve(t.Items[i]);
            case TorchValue v when v.Type.Kind == TorchTypeKind.Tensor:
                return name switch
                {
                    "shape" => CallOperator("aten::size", [v], [], at.Location),
                    "dtype" => CallOperator("prim::dtype", [v], [], at.Location),
                    "device" => CallOperator("prim::device", [v], [], at.Location),
                    "is_cuda" => CallOperator("prim::is_cuda", [v], [], at.Location),
                    "requires_grad" => CallOperator("prim::requires_grad", [v], [], at.Location),
                    "is_nested" => Const(false),
                    "data" => v,
                    "T" => CallOperator("aten::numpy_T", [v], [], at.Location),
                    _ => new BoundMethod(v, name),
                };
            case UnknownVal:
                return UnknownVal.Instance;
            default:
                return new BoundMethod(target, name);
        }
    }

    private TorchValue ConstantValue(int k)
    {
        var key = -1 - k;
        if (!constantValues.TryGetValue(key, out var value))
        {
            var c = constants[k] switch
            {
                null => TorchNone.Instance,
                IReadOnlyList<object?> list => list.Select(x => x ?? TorchNone.Instance).ToArray(),
                var other => other,
            };
            value = MakeConst(c, $"CONSTANTS.c{k}");
            constantValues[key] = value;
        }

        return value;
    }

    private object ModuleAttribute(ModuleVal m, string name, TsLocation at)
    {
        if (m.Assigned.TryGetValue(name, out var assigned))
        {
            return Resolve(assigned);
        }

        if (m.Cache.TryGetValue(name, out var cached))
        {
            return Resolve(cached);
        }

        object result;
        var childPath = m.Path.Length == 0 ? name : $"{m.Path}.{name}";
        if (m.Object.TryGet(name, out var raw))
        {
            var declared = m.Class?.Attributes.FirstOrDefault(a => a.Name == name).Type;
            result = FromPickled(raw, childPath, declared is null ? null : TsType.FromAnnotation(declared, code), at);
        }
        else if (m.Class?.Constants.TryGetValue(name, out var constant) == true)
        {
            result = EvaluateConstantExpr(constant.Value, m.Class.File);
            if (TsType.FromAnnotation(constant.Type, code).Type.Kind == TorchTypeKind.List && result is TupleVal t)
            {
                result = new ListVal(t.Items);
            }
        }
        else if (m.Class?.MethodOverloads(name).Count > 0)
        {
            return new BoundMethod(m, name);
        }
        else
        {
            throw Error(DiagnosticCodes.TorchScriptNameUndefined, at,
                $"module {m} ({m.Object.QualifiedName}) has no attribute '{name}' in data.pkl and its class declares no constant of that name");
        }

        m.Cache[name] = result;
        return result;
    }

    private object FromPickled(object? raw, string path, TsType? declared, TsLocation at)
    {
        switch (raw)
        {
            case null:
            case TorchNone:
                return Const(TorchNone.Instance);
            case TorchObject obj:
                var module = ModuleOf(obj, path, at);
                if (module.Class is null)
                {
                    throw Error(DiagnosticCodes.TorchScriptClassNotFound, at, $"'{path}' is a {obj.QualifiedName}, which no code/ file defines");
                }

                if (module.Class.Kind is TsClassKind.Object)
                {
                    var o = new ObjectVal(module.Class);
                    foreach (var (k, v) in obj.Attributes)
                    {
                        o.Attributes[k] = FromPickled(v, $"{path}.{k}", null, at);
                    }

                    return o;
                }

                return module;
            case TorchTensorConstant t:
                return MakeConst(t, path);
            case long or double or bool or string:
                return Const(raw);
            case int i:
                return Const((long)i);
            case float f:
                return Const((double)f);
            case IReadOnlyDictionary<string, object?> dict:
                var d = new DictVal();
                foreach (var (k, v) in dict)
                {
                    d.Entries.Add((Const(k), FromPickled(v, $"{path}.{k}", null, at)));
                }

                return d;
            case IReadOnlyList<object?> list:
                var items = list.Select((x, i) => FromPickled(x, $"{path}.{i}", null, at)).ToArray();
                if (declared?.Type.Kind == TorchTypeKind.Tuple)
                {
                    return new TupleVal(items);
                }

                return new ListVal(items, declared is null ? null : ListElementOf(declared.Type));
            default:
                throw Error(DiagnosticCodes.TorchScriptTypeMismatch, at, $"'{path}' holds a {raw.GetType().Name}, which is no TorchScript value");
        }
    }

    private object SubscriptExpr(TsSubscript s)
    {
        var target = Resolve(Evaluate(s.Target));
        if (target is TypeVal or NamespaceVal && TsType.Dotted(s.Target) is "List" or "Tuple" or "Dict" or "Optional" or "Final" or "Union")
        {
            return new TypeVal(TsType.FromAnnotation(s, code));
        }

        if (s.Index is TsSlice slice)
        {
            return Slice(target, slice);
        }

        var index = s.Index is TsTuple tuple ? new TupleVal(tuple.Elements.Select(x => x is TsSlice sl ? SliceValue(sl) : Resolve(Evaluate(x))).ToArray()) : Resolve(Evaluate(s.Index));
        return Index(target, index, s.Location);
    }

    private object SliceValue(TsSlice s) => new TupleVal(
    [
        s.Lower is null ? Const(TorchNone.Instance) : Resolve(Evaluate(s.Lower)),
        s.Upper is null ? Const(TorchNone.Instance) : Resolve(Evaluate(s.Upper)),
        s.Step is null ? Const(1L) : Resolve(Evaluate(s.Step)),
    ], ["start", "stop", "step"], "slice");

    private object Index(object target, object index, TsLocation at)
    {
        switch (target)
        {
            case TupleVal t when ConstantOf(index) is long i:
                return Resolve(t.Items[(int)CheckIndex(i, t.Items.Count, at)]);
            case ListVal l when ConstantOf(index) is long i:
                return Resolve(l.Items[(int)CheckIndex(i, l.Items.Count, at)]);
            case ListVal l:
                return CallOperator("aten::__getitem__", [l, index], [], at);
            case DictVal d when ConstantOf(index) is { } key:
                foreach (var (k, v) in d.Entries)
                {
                    if (Equals(ConstantOf(k), key))
                    {
                        return Resolve(v);
                    }
                }

                throw new TsRaised($"KeyError: {FormatConstant(key)}", Where(at));
            case DictVal d:
                return CallOperator("aten::__getitem__", [d, index], [], at);
            case TorchValue v when v.Type.Kind == TorchTypeKind.Tensor:
                if (index is TupleVal multi && multi.ClassName != "slice")
                {
                    return CallOperator("aten::index", [v, new ListVal(multi.Items)], [], at);
                }

                if (index is TupleVal { ClassName: "slice" } sl)
                {
                    return CallOperator("aten::slice", [v, Const(0L), sl.Items[0], sl.Items[1], sl.Items[2]], [], at);
                }

                if (index is TorchValue { Type.Kind: TorchTypeKind.Int } iv)
                {
                    return CallOperator("aten::select", [v, Const(0L), iv], [], at);
                }

                return CallOperator("aten::index", [v, new ListVal([index])], [], at);
            case TorchValue v when v.Constant is string str && ConstantOf(index) is long ci:
                return Const(str[(int)CheckIndex(ci, str.Length, at)].ToString());
            case TorchValue v:
                return CallOperator("aten::__getitem__", [v, index], [], at);
            case UnknownVal:
                return UnknownVal.Instance;
            default:
                throw Error(DiagnosticCodes.TorchScriptTypeMismatch, at, $"a {Describe(target)} cannot be indexed");
        }
    }

    private long CheckIndex(long i, int count, TsLocation at)
    {
        var k = i < 0 ? i + count : i;
        if (k < 0 || k >= count)
        {
            throw new TsRaised("IndexError: index out of range", Where(at));
        }

        return k;
    }

    private object Slice(object target, TsSlice slice)
    {
        var sv = (TupleVal)SliceValue(slice);
        switch (target)
        {
            case ListVal or TupleVal when sv.Items.All(i => ConstantOf(i) is long or TorchNone):
                var items = target is ListVal l ? l.Items : ((TupleVal)target).Items;
                var picked = PythonSlice(items, ConstantOf(sv.Items[0]) as long?, ConstantOf(sv.Items[1]) as long?, (long)ConstantOf(sv.Items[2])!);
                return target is ListVal ? new ListVal(picked) : new TupleVal(picked);
            case TorchValue v when v.Type.Kind == TorchTypeKind.Tensor:
                return CallOperator("aten::slice", [v, Const(0L), sv.Items[0], sv.Items[1], sv.Items[2]], [], slice.Location);
            case TorchValue { Constant: string s } when sv.Items.All(i => ConstantOf(i) is long or TorchNone):
                var chars = PythonSlice(s.Select(ch => (object)ch).ToList(), ConstantOf(sv.Items[0]) as long?, ConstantOf(sv.Items[1]) as long?, (long)ConstantOf(sv.Items[2])!);
                return Const(string.Concat(chars));
            default:
                return CallOperator("aten::slice", [target, sv.Items[0], sv.Items[1], sv.Items[2]], [], slice.Location);
        }
    }

    internal static List<object> PythonSlice(IReadOnlyList<object> items, long? start, long? stop, long step)
    {
        var n = items.Count;
        if (step == 0)
        {
            throw new ArgumentException("slice step cannot be zero");
        }

        long Clamp(long? v, long dflt, long lo, long hi)
        {
            if (v is null)
            {
                return dflt;
            }

            var x = v.Value < 0 ? v.Value + n : v.Value;
            return Math.Min(Math.Max(x, lo), hi);
        }

        var result = new List<object>();
        if (step > 0)
        {
            var s = Clamp(start, 0, 0, n);
            var e = Clamp(stop, n, 0, n);
            for (var i = s; i < e; i += step)
            {
                result.Add(items[(int)i]);
            }
        }
        else
        {
            var s = Clamp(start, n - 1, -1, n - 1);
            var e = Clamp(stop, -1, -1, n - 1);
            for (var i = s; i > e; i += step)
            {
                result.Add(items[(int)i]);
            }
        }

        return result;
    }

    private object UnaryOperator(TsUnary u)
    {
        var operand = Resolve(Evaluate(u.Operand));
        return u.Op switch
        {
            "not" => CallOperator("aten::__not__", [Truth(operand, u.Location)], [], u.Location),
            "-" => CallOperator("aten::neg", [operand], [], u.Location),
            "+" => operand,
            _ => operand is TorchValue { Type.Kind: TorchTypeKind.Tensor }
                ? CallOperator("aten::bitwise_not", [operand], [], u.Location)
                : CallOperator("aten::__invert__", [operand], [], u.Location),
        };
    }

    /// <summary>A value as a condition (Python truthiness as TorchScript allows it: bool, int, float, Tensor, list, str, Optional).</summary>
    private object Truth(object value, TsLocation at)
    {
        value = Resolve(value);
        switch (value)
        {
            case TorchValue { Type.Kind: TorchTypeKind.Bool }:
                return value;
            case TorchValue { Constant: TorchNone }:
                return Const(false);
            case TorchValue { Constant: string s }:
                return Const(s.Length > 0);
            case TorchValue { Type.Kind: TorchTypeKind.Int or TorchTypeKind.Float or TorchTypeKind.Tensor }:
                return CallOperator("aten::Bool", [value], [], at);
            case ListVal l:
                return Const(l.Items.Count > 0);
            case TupleVal t:
                return Const(t.Items.Count > 0);
            case DictVal d:
                return Const(d.Entries.Count > 0);
            case ModuleVal or ObjectVal:
                return Const(true);
            case UnknownVal:
                return value;
            default:
                throw Error(DiagnosticCodes.TorchScriptTypeMismatch, at, $"a {Describe(value)} is not a condition");
        }
    }

    private object BinaryOperator(string op, object left, object right, TsLocation at)
    {
        if (op == "+" && left is ListVal ll && right is ListVal rl)
        {
            return new ListVal(ll.Items.Concat(rl.Items));
        }

        if (op == "+" && left is TupleVal lt && right is TupleVal rt)
        {
            return new TupleVal(lt.Items.Concat(rt.Items).ToArray());
        }

        var tensor = left is TorchValue { Type.Kind: TorchTypeKind.Tensor } || right is TorchValue { Type.Kind: TorchTypeKind.Tensor };
        var name = op switch
        {
            "+" => "aten::add",
            "-" => "aten::sub",
            "*" => "aten::mul",
            "/" => "aten::div",
            "//" => tensor ? "aten::floor_divide" : "aten::floordiv",
            "%" => "aten::remainder",
            "**" => "aten::pow",
            "@" => "aten::matmul",
            "&" => "aten::__and__",
            "|" => "aten::__or__",
            "^" => "aten::__xor__",
            "<<" => "aten::__lshift__",
            ">>" => "aten::__rshift__",
            _ => throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, at, $"operator {op}"),
        };
        if (!tensor && op == "*" && (left is ListVal || right is ListVal) && ConstantOf(left is ListVal ? right : left) is long times)
        {
            var list = (ListVal)(left is ListVal ? left : right);
            return new ListVal(Enumerable.Range(0, (int)Math.Max(0, times)).SelectMany(_ => list.Items));
        }

        return CallOperator(name, [left, right], [], at);
    }

    private object BoolOperator(TsBoolOp bo)
    {
        var left = Truth(Evaluate(bo.Left), bo.Location);
        if (ConstantOf(left) is bool l)
        {
            if (bo.Op == "and" ? !l : l)
            {
                return left;
            }

            return Truth(Evaluate(bo.Right), bo.Location);
        }

        var right = Truth(Evaluate(bo.Right), bo.Location);
        if (ConstantOf(right) is bool r)
        {
            // x and True == x; x and False == False; x or False == x; x or True == True.
            return bo.Op == "and" ? (r ? left : right) : (r ? right : left);
        }

        return CallOperator(bo.Op == "and" ? "aten::__and__" : "aten::__or__", [left, right], [], bo.Location);
    }

    private object Compare(TsCompare cmp)
    {
        var left = Resolve(Evaluate(cmp.Left));
        object? result = null;
        for (var i = 0; i < cmp.Ops.Count; i++)
        {
            var right = Resolve(Evaluate(cmp.Comparators[i]));
            var one = CompareOne(cmp.Ops[i], left, right, cmp.Location);
            result = result is null ? one : BoolAnd(result, one, cmp.Location);
            left = right;
        }

        return result!;
    }

    private object BoolAnd(object a, object b, TsLocation at) =>
        ConstantOf(a) is bool x ? (x ? b : a) : ConstantOf(b) is bool y ? (y ? a : b) : CallOperator("aten::__and__", [a, b], [], at);

    private object CompareOne(string op, object left, object right, TsLocation at)
    {
        switch (op)
        {
            case "is":
                return Identity(left, right, at);
            case "is not":
                var same = Identity(left, right, at);
                return ConstantOf(same) is bool b ? Const(!b) : CallOperator("aten::__not__", [same], [], at);
            case "in":
                return Contains(right, left, at);
            case "not in":
                var contained = Contains(right, left, at);
                return ConstantOf(contained) is bool c ? Const(!c) : CallOperator("aten::__not__", [contained], [], at);
        }

        var name = op switch
        {
            "==" => "aten::eq",
            "!=" => "aten::ne",
            "<" => "aten::lt",
            "<=" => "aten::le",
            ">" => "aten::gt",
            _ => "aten::ge",
        };
        return CallOperator(name, [left, right], [], at);
    }

    private object Identity(object left, object right, TsLocation at)
    {
        var leftNone = left is TorchValue { Constant: TorchNone };
        var rightNone = right is TorchValue { Constant: TorchNone };
        if (leftNone && rightNone)
        {
            return Const(true);
        }

        if (leftNone || rightNone)
        {
            var other = leftNone ? right : left;
            // Only an Optional value of unknown content can still be None; everything else is not.
            return other is TorchValue { Constant: null, Type.Kind: TorchTypeKind.Optional }
                ? CallOperator("aten::__is__", [left, right], [], at)
                : Const(false);
        }

        return Const(ReferenceEquals(left, right));
    }

    private object Contains(object container, object item, TsLocation at)
    {
        var key = ConstantOf(item);
        switch (container)
        {
            case ListVal or TupleVal when key is not null && ConstantOf(container) is IReadOnlyList<object?> all:
                return Const(all.Any(x => ConstantEquals(x, key)));
            case DictVal d when key is not null && d.Entries.All(e => ConstantOf(e.Key) is not null):
                return Const(d.Entries.Any(e => ConstantEquals(ConstantOf(e.Key), key)));
            case TorchValue { Constant: string s } when key is string sub:
                return Const(s.Contains(sub, StringComparison.Ordinal));
            default:
                return CallOperator("aten::__contains__", [container, item], [], at);
        }
    }

    private object Conditional(TsConditional cond)
    {
        var condition = Truth(Evaluate(cond.Condition), cond.Location);
        if (ConstantOf(condition) is bool b)
        {
            return Resolve(Evaluate(b ? cond.Body : cond.OrElse));
        }

        return DynamicIfExpression((TorchValue)condition, cond);
    }

    private object Comprehension(TsListComprehension lc)
    {
        var iterable = Resolve(Evaluate(lc.Iterable));
        var items = IterateStatically(iterable, lc.Location)
            ?? throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, lc.Location, $"a comprehension over a {Describe(iterable)} whose length is known only at run time");
        var result = new List<object>();
        foreach (var item in items)
        {
            Assign(lc.Target, item);
            if (lc.Condition is not null)
            {
                var keep = Truth(Evaluate(lc.Condition), lc.Location);
                if (ConstantOf(keep) is not bool k)
                {
                    throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, lc.Location, "a comprehension filter on a run-time value");
                }

                if (!k)
                {
                    continue;
                }
            }

            result.Add(Resolve(Evaluate(lc.Element)));
        }

        return new ListVal(result);
    }

    /// <summary>The items of an iterable known at conversion time (constant range, list, tuple, module list, dict keys), else null.</summary>
    private IReadOnlyList<object>? IterateStatically(object iterable, TsLocation at)
    {
        switch (iterable)
        {
            case RangeVal r when ConstantOf(r.Start) is long start && ConstantOf(r.Stop) is long stop && ConstantOf(r.Step) is long step:
                if (step == 0)
                {
                    throw new TsRaised("ValueError: range() arg 3 must not be zero", Where(at));
                }

                var items = new List<object>();
                for (var i = start; step > 0 ? i < stop : i > stop; i += step)
                {
                    if (items.Count > options.MaxWhileIterations)
                    {
                        throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, at, $"a range of more than {options.MaxWhileIterations} items");
                    }

                    items.Add(Const(i));
                }

                return items;
            case ListVal l:
                return l.Items.ToArray();
            case TupleVal t:
                return t.Items;
            case DictVal d:
                return d.Entries.Select(e => e.Key).ToArray();
            case TorchValue { Constant: IReadOnlyList<object?> list }:
                return list.Select(x => (object)Const(x)).ToArray();
            case TorchValue { Constant: string s }:
                return s.Select(c => (object)Const(c.ToString())).ToArray();
            case ModuleVal m when m.Class is not null && m.Class.Methods.ContainsKey("__len__"):
                return m.Object.Attributes.Where(a => a.Value is TorchObject && int.TryParse(a.Key, out _))
                    .Select(a => ModuleAttribute(m, a.Key, at)).ToArray();
            default:
                return null;
        }
    }
}
