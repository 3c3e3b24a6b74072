using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TorchScript.Language;

namespace BuildConvert.Core.Formats.TorchScript.FrontEnd;

internal sealed partial class TorchInterpreter
{
    private object Call(TsCall call)
    {
        // Forms whose first argument is a type, not a value.
        if (call.Function is TsName { Id: var special } && !Current.Vars.ContainsKey(special))
        {
            switch (special)
            {
                case "annotate" when call.Args.Count == 2:
                    var annotatedType = TsType.FromAnnotation(call.Args[0], code);
                    var annotated = Resolve(Evaluate(call.Args[1]));
                    if (annotated is ListVal list && list.Items.Count == 0)
                    {
                        list.ElementType = ListElementOf(annotatedType.Type);
                    }
                    else if (annotated is DictVal dict && annotatedType.Type.Kind == TorchTypeKind.Dict)
                    {
                        dict.KeyType = annotatedType.Type.Elements[0];
                        dict.ValueType = annotatedType.Type.Elements[1];
                    }

                    return annotated;
                case "unchecked_cast" when call.Args.Count == 2:
                    return Resolve(Evaluate(call.Args[1]));
                case "uninitialized" when call.Args.Count == 1:
                    var type = TsType.FromAnnotation(call.Args[0], code).Type;
                    return Emit("prim::Uninitialized", [], [new OutputSpec(type)], call.Location)[0];
                case "isinstance" when call.Args.Count == 2:
                    return IsInstance(Resolve(Evaluate(call.Args[0])), call.Args[1], call.Location);
            }
        }

        if (TsType.Dotted(call.Function) is "torch.jit._unwrap_optional" or "torch.jit.annotate" && !Current.Vars.ContainsKey("torch"))
        {
            return Resolve(Evaluate(call.Args[^1]));
        }

        var function = Resolve(Evaluate(call.Function));
        var args = call.Args.Select(a => Resolve(Evaluate(a))).ToArray();
        var keywords = call.Keywords.Select(k => (k.Name, Resolve(Evaluate(k.Value)))).ToArray();
        return CallValue(function, args, keywords, call.Location);
    }

    private object CallValue(object function, IReadOnlyList<object> args, IReadOnlyList<(string Name, object Value)> keywords, TsLocation at)
    {
        switch (function)
        {
            case BoundMethod { Receiver: ModuleVal or ObjectVal } bm:
                var cls = bm.Receiver is ModuleVal mv ? mv.Class! : ((ObjectVal)bm.Receiver).Class;
                var overloads = cls.MethodOverloads(bm.Name);
                if (overloads.Count == 0)
                {
                    throw Error(DiagnosticCodes.TorchScriptTypeMismatch, at, $"{Describe(bm.Receiver)} has no method '{bm.Name}'");
                }

                return Invoke(ChooseOverload(overloads, args, at), cls.File, bm.Receiver, args, keywords, at);
            case BoundMethod { Receiver: ClassVal c, Name: "__new__" }:
                return new ObjectVal(c.Class);
            case BoundMethod { Receiver: ClassVal c } bm:
                throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, at, $"calling {c.Class.QualifiedName}.{bm.Name} on the class");
            case BoundMethod { Receiver: UnknownVal }:
                return UnknownVal.Instance;
            case BoundMethod bm:
                return CallOperator("aten::" + bm.Name, [bm.Receiver, .. args], keywords, at);
            case FunctionVal f:
                code.TryGetFunction(f.QualifiedName, out var def, out var file);
                return Invoke(def, file, null, args, keywords, at);
            case ClassVal { Class.Kind: TsClassKind.NamedTuple } c:
                var fields = c.Class.Attributes.Select(a => a.Name).ToArray();
                var items = new object[fields.Length];
                for (var i = 0; i < fields.Length; i++)
                {
                    items[i] = i < args.Count ? args[i]
                        : keywords.FirstOrDefault(k => k.Name == fields[i]).Value
                        ?? throw Error(DiagnosticCodes.TorchScriptTypeMismatch, at, $"{c.Class.QualifiedName} needs field '{fields[i]}'");
                }

                return new TupleVal(items, fields, c.Class.QualifiedName);
            case ClassVal c:
                var obj = new ObjectVal(c.Class);
                if (c.Class.MethodOverloads("__init__") is [var init, ..])
                {
                    Invoke(init, c.Class.File, obj, args, keywords, at);
                }

                return obj;
            case NamespaceVal ns:
                return CallNamespace(ns.Path, args, keywords, at);
            case BuiltinVal b:
                return CallBuiltin(b.Name, args, keywords, at);
            case UnknownVal:
                return UnknownVal.Instance;
            default:
                throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, at, $"calling a {Describe(function)}");
        }
    }

    private TsFunctionDef ChooseOverload(IReadOnlyList<TsFunctionDef> overloads, IReadOnlyList<object> args, TsLocation at)
    {
        if (overloads.Count == 1)
        {
            return overloads[0];
        }

        foreach (var def in overloads)
        {
            var parameters = def.Parameters.Skip(1).ToArray();
            var fits = true;
            for (var i = 0; i < args.Count && i < parameters.Length && fits; i++)
            {
                if (parameters[i].Annotation is { } annotation)
                {
                    fits = FitsAnnotation(args[i], TsType.FromAnnotation(annotation, code));
                }
            }

            if (fits)
            {
                return def;
            }
        }

        throw Error(DiagnosticCodes.TorchScriptNoMatchingOverload, at, $"no overload of {overloads[0].Name.Split("__")[0]} takes ({string.Join(", ", args.Select(a => Describe(a)))})");
    }

    private bool FitsAnnotation(object value, TsType type)
    {
        value = Resolve(value);
        if (type.ClassName is { } className)
        {
            return value switch
            {
                ModuleVal m => m.Object.QualifiedName == className,
                ObjectVal o => o.Class.QualifiedName == className,
                TupleVal t => t.ClassName == className,
                TorchValue { Constant: TorchNone } => type.Type.Kind == TorchTypeKind.Optional,
                _ => false,
            };
        }

        return FitsType(value, type.Type);
    }

    private bool FitsType(object value, TorchType type)
    {
        switch (type.Kind)
        {
            case TorchTypeKind.Any:
                return true;
            case TorchTypeKind.Optional:
                return value is TorchValue { Constant: TorchNone } || FitsType(value, type.Elements[0]);
            case TorchTypeKind.List:
                return value switch
                {
                    ListVal l => l.Items.All(i => FitsType(Resolve(i), type.Elements[0])),
                    TorchValue listValue => listValue.Type.Kind == TorchTypeKind.List,
                    _ => false,
                };
            case TorchTypeKind.Tuple:
                return value is TupleVal t && t.Items.Count == type.Elements.Count && t.Items.Select((x, i) => FitsType(Resolve(x), type.Elements[i])).All(b => b);
            case TorchTypeKind.Dict:
                return value is DictVal || value is TorchValue { Type.Kind: TorchTypeKind.Dict };
            case TorchTypeKind.Float:
                return value is TorchValue { Type.Kind: TorchTypeKind.Float or TorchTypeKind.Int };
            default:
                return value is TorchValue v && (v.Type.Kind == type.Kind || v.Type.Kind == TorchTypeKind.Optional && v.Type.Elements[0].Kind == type.Kind);
        }
    }

    private object IsInstance(object value, TsExpr typeExpr, TsLocation at)
    {
        var types = typeExpr is TsTuple t ? t.Elements : [typeExpr];
        foreach (var te in types)
        {
            var type = TsType.FromAnnotation(te, code);
            if (value is TorchValue { Type.Kind: TorchTypeKind.Optional, Constant: null } && type.Type.Kind != TorchTypeKind.Optional)
            {
                throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, at, "isinstance of an Optional value known only at run time");
            }

            if (FitsAnnotation(value, type))
            {
                return Const(true);
            }
        }

        return Const(false);
    }

    private object CallNamespace(string path, IReadOnlyList<object> args, IReadOnlyList<(string Name, object Value)> keywords, TsLocation at)
    {
        var parts = path.Split('.');
        string op;
        if (parts is ["torch", var name])
        {
            op = "aten::" + name;
        }
        else if (parts is ["ops", var ns, var name2])
        {
            op = $"{ns}::{name2}";
        }
        else if (parts is ["math", var name3])
        {
            op = "aten::" + name3;
        }
        else if (path is "warnings.warn" or "torch.jit.is_scripting" or "torch._C._get_tracing_state")
        {
            return path == "warnings.warn" ? Const(TorchNone.Instance) : Const(path == "torch.jit.is_scripting");
        }
        else if (path.StartsWith("__torch__.", StringComparison.Ordinal))
        {
            throw Error(DiagnosticCodes.TorchScriptNameUndefined, at, $"{path} is no class or function of the archive's code");
        }
        else
        {
            RecordUnknown(path.Replace('.', ':'), at);
            return UnknownVal.Instance;
        }

        return CallOperator(op, args, keywords, at);
    }

    private object CallBuiltin(string name, IReadOnlyList<object> args, IReadOnlyList<(string Name, object Value)> keywords, TsLocation at)
    {
        switch (name)
        {
            case "range":
                return args.Count switch
                {
                    1 => new RangeVal(Const(0L), args[0], Const(1L)),
                    2 => new RangeVal(args[0], args[1], Const(1L)),
                    3 => new RangeVal(args[0], args[1], args[2]),
                    _ => throw Error(DiagnosticCodes.TorchScriptTypeMismatch, at, "range takes 1 to 3 arguments"),
                };
            case "getattr" when args.Count >= 2 && ConstantOf(args[1]) is string attr:
                return Attribute(args[0], attr, new TsName(at, attr));
            case "hasattr" when args.Count == 2 && ConstantOf(args[1]) is string has:
                return Const(args[0] switch
                {
                    ModuleVal m => m.Object.TryGet(has, out _) || m.Class?.Constants.ContainsKey(has) == true || m.Class?.Methods.ContainsKey(has) == true,
                    ObjectVal o => o.Attributes.ContainsKey(has),
                    _ => false,
                });
            case "print":
                return Const(TorchNone.Instance);
            case "len":
                return CallOperator("aten::len", args, keywords, at);
            case "int":
                return CallOperator("aten::Int", args, keywords, at);
            case "float":
                return CallOperator("aten::Float", args, keywords, at);
            case "bool":
                return CallOperator("aten::Bool", args, keywords, at);
            case "str":
                return CallOperator("aten::str", args, keywords, at);
            case "list":
                return args.Count == 1 && args[0] is ListVal or TupleVal ? new ListVal(Elements(args[0], 0, at)) : CallOperator("aten::list", args, keywords, at);
            case "tuple" when args.Count == 1:
                return new TupleVal(Elements(args[0], 0, at));
            case "min" or "max" or "abs" or "round" or "divmod" or "ord" or "chr" or "hash" or "all" or "any" or "sum":
                if (name is "all" or "any" && args.Count == 1 && IterateStatically(args[0], at) is { } elements)
                {
                    var truths = elements.Select(e => ConstantOf(Truth(e, at))).ToArray();
                    if (truths.All(t => t is bool))
                    {
                        return Const(name == "all" ? truths.All(t => (bool)t!) : truths.Any(t => (bool)t!));
                    }
                }

                if (name is "min" or "max" && args.Count > 1)
                {
                    return CallOperator("aten::" + name, [new ListVal(args)], keywords, at);
                }

                return CallOperator("aten::" + name, args, keywords, at);
            default:
                throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, at, $"the builtin '{name}' with these arguments");
        }
    }

    private void RecordUnknown(string op, TsLocation at) => unknownOperators.Add($"{op} at {Where(at)}");
}
