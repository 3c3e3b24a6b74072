using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Converters.TorchScript.Schemas;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TorchScript.Language;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Formats.TorchScript.FrontEnd;

/// <summary>The type (and for a tensor, shape and element type) of a node output.</summary>
internal sealed record OutputSpec(TorchType Type, IReadOnlyList<Dim>? Shape = null, DataType? ElementType = null);

/// <summary>An argument that needs one of TorchScript's implicit conversions before the call (int to float, a number
/// to a tensor, a tensor to a number, a string to a device).</summary>
internal sealed record Conversion(string Operator, object Value, TorchType Target);

internal sealed partial class TorchInterpreter
{
    /// <summary>Calls an aten::/prim:: operator: binds the arguments to an overload, folds it when its inputs are
    /// known, else records a node. Returns a TorchValue, a TupleVal of several results, or a structure for the
    /// list/tuple/dict operators evaluated at conversion time.</summary>
    internal object CallOperator(string name, IReadOnlyList<object> args, IReadOnlyList<(string Name, object Value)> keywords, TsLocation at)
    {
        args = args.Select(Resolve).ToArray();
        if (args.Any(ContainsUnknown) || keywords.Any(k => ContainsUnknown(k.Value)))
        {
            return UnknownVal.Instance;
        }

        if (Structural(name, args, keywords, at) is { } structural)
        {
            return structural;
        }

        var overloads = schemas.Overloads(name);
        if (overloads.Count == 0)
        {
            RecordUnknown(name, at);
            return UnknownVal.Instance;
        }

        var bound = OverloadBinder.Bind(this, overloads, args, keywords);
        if (bound is null)
        {
            var argTypes = string.Join(", ", args.Select(a => TypeName(a)).Concat(keywords.Select(k => $"{k.Name}={TypeName(k.Value)}")));
            unmatchedCalls.Add($"{name}({argTypes}) at {Where(at)} (overloads: {string.Join(" | ", overloads.Select(o => o.Text))})");
            return UnknownVal.Instance;
        }

        var (schema, values, typeVars) = bound.Value;
        if (schema.Name == "prim::RaiseException")
        {
            throw new TsRaised(ConstantOf(values[0]) as string ?? "exception", Where(at));
        }

        if (schema.Name is "aten::warn")
        {
            return Const(TorchNone.Instance);
        }

        var inputs = new List<TorchValue>(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            var formal = i < schema.Arguments.Count ? schema.Arguments[i].Type : null;
            inputs.Add(Materialize(values[i], formal, at));
        }

        if (ConstantFolder.TryFold(this, schema, inputs, at) is { } folded)
        {
            return folded;
        }

        var outputs = schema.Returns.Select(r => new OutputSpec(TorchTypeOf(r.Type, typeVars))).ToArray();
        if (schema.VarReturns)
        {
            throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, at, $"{schema.FullName} returns a variable number of values");
        }

        ShapeInference.Apply(schema, inputs, outputs, ListItems);
        var results = Emit(schema.Name, inputs, outputs, at);
        if (results.Length == 1 && results[0].Type.Kind == TorchTypeKind.List && ShapeInference.Pieces(schema, inputs) is { } pieces)
        {
            listElementShapes[results[0]] = pieces;
        }

        if (schema.MutatesFirstArgument && results.Length > 0 && inputs[0].Constant is null or TorchTensorConstant)
        {
            aliases[inputs[0]] = results[0];
        }

        return results.Length switch
        {
            0 => Const(TorchNone.Instance),
            1 => results[0],
            _ => new TupleVal(results),
        };
    }

    private bool ContainsUnknown(object value) => Resolve(value) switch
    {
        UnknownVal => true,
        ListVal l => l.Items.Any(ContainsUnknown),
        TupleVal t => t.Items.Any(ContainsUnknown),
        _ => false,
    };

    private string TypeName(object value) => Resolve(value) switch
    {
        TorchValue v => v.Type.ToString(),
        ListVal l => l.Items.Count == 0 ? $"List[{l.ElementType?.ToString() ?? "?"}]" : $"List[{string.Join("|", l.Items.Select(TypeName).Distinct())}]",
        TupleVal t => $"Tuple[{string.Join(", ", t.Items.Select(TypeName))}]",
        var other => Describe(other),
    };

    internal static TorchType TorchTypeOf(AtenType type, IReadOnlyDictionary<string, TorchType>? typeVars = null) => type.Kind switch
    {
        AtenTypeKind.Tensor => TorchType.Tensor,
        AtenTypeKind.Int or AtenTypeKind.SymInt => TorchType.Int,
        AtenTypeKind.Float => TorchType.Float,
        AtenTypeKind.Bool => TorchType.Bool,
        AtenTypeKind.Str => TorchType.Str,
        AtenTypeKind.Scalar => TorchType.Float,
        AtenTypeKind.Device => TorchType.Device,
        AtenTypeKind.ScalarType => new TorchType(TorchTypeKind.ScalarType, Array.Empty<TorchType>()),
        AtenTypeKind.Layout => new TorchType(TorchTypeKind.Layout, Array.Empty<TorchType>()),
        AtenTypeKind.MemoryFormat => new TorchType(TorchTypeKind.MemoryFormat, Array.Empty<TorchType>()),
        AtenTypeKind.NoneType => TorchType.NoneType,
        AtenTypeKind.List => TorchType.ListOf(TorchTypeOf(type.Element, typeVars)),
        AtenTypeKind.Optional => TorchType.OptionalOf(TorchTypeOf(type.Element, typeVars)),
        AtenTypeKind.Tuple => TorchType.TupleOf(type.Elements.Select(e => TorchTypeOf(e, typeVars)).ToArray()),
        AtenTypeKind.Dict => TorchType.DictOf(TorchTypeOf(type.Elements[0], typeVars), TorchTypeOf(type.Elements[1], typeVars)),
        AtenTypeKind.TypeVar when typeVars is not null && typeVars.TryGetValue(type.Name, out var bound) => bound,
        _ => TorchType.AnyType,
    };

    /// <summary>Operators on conversion-time structures (lists, tuples, dicts, strings) and shape queries, evaluated without a node.</summary>
    private object? Structural(string name, IReadOnlyList<object> args, IReadOnlyList<(string Name, object Value)> keywords, TsLocation at)
    {
        if (keywords.Count > 0)
        {
            return null;
        }

        switch (name, args.Count)
        {
            case ("aten::len", 1) when args[0] is ListVal or TupleVal or DictVal:
                return Const((long)(args[0] switch { ListVal l => l.Items.Count, TupleVal t => t.Items.Count, _ => ((DictVal)args[0]).Entries.Count }));
            case ("aten::append", 2) when args[0] is ListVal list:
                list.Items.Add(args[1]);
                return list;
            case ("aten::extend", 2) when args[0] is ListVal list && args[1] is ListVal or TupleVal:
                list.Items.AddRange(Elements(args[1], 0, at));
                return Const(TorchNone.Instance);
            case ("aten::insert", 3) when args[0] is ListVal list && ConstantOf(args[1]) is long where:
                list.Items.Insert((int)Math.Clamp(where < 0 ? where + list.Items.Count : where, 0, list.Items.Count), args[2]);
                return Const(TorchNone.Instance);
            case ("aten::pop", 1 or 2) when args[0] is ListVal list && list.Items.Count > 0 && (args.Count == 1 || ConstantOf(args[1]) is long):
                var index = args.Count == 1 ? list.Items.Count - 1 : (int)CheckIndex((long)ConstantOf(args[1])!, list.Items.Count, at);
                var popped = list.Items[index];
                list.Items.RemoveAt(index);
                return popped;
            case ("aten::__getitem__", 2) when args[0] is ListVal or TupleVal or DictVal && ConstantOf(args[1]) is not null:
                return Index(args[0], args[1], at);
            case ("aten::list", 1) when args[0] is ListVal or TupleVal:
                return new ListVal(Elements(args[0], 0, at));
            case ("aten::copy", 1) when args[0] is ListVal l2:
                return new ListVal(l2.Items);
            case ("aten::add", 2) when args[0] is ListVal a && args[1] is ListVal b:
                return new ListVal(a.Items.Concat(b.Items));
            case ("aten::keys", 1) when args[0] is DictVal d:
                return new ListVal(d.Entries.Select(e => e.Key));
            case ("aten::values", 1) when args[0] is DictVal d:
                return new ListVal(d.Entries.Select(e => e.Value));
            case ("aten::items", 1) when args[0] is DictVal d:
                return new ListVal(d.Entries.Select(e => (object)new TupleVal([e.Key, e.Value])));
            case ("aten::__contains__", 2) when args[0] is ListVal or TupleVal or DictVal && ConstantOf(args[1]) is not null:
                return Contains(args[0], args[1], at);
            case ("aten::eq" or "aten::ne", 2) when args[0] is ListVal or TupleVal && args[1] is ListVal or TupleVal:
                var x = Elements(args[0], 0, at);
                var y = Elements(args[1], 0, at);
                if (x.Count != y.Count)
                {
                    return Const(name == "aten::ne");
                }

                object result = Const(true);
                for (var i = 0; i < x.Count; i++)
                {
                    result = BoolAnd(result, CallOperator("aten::eq", [x[i], y[i]], [], at), at);
                }

                return name == "aten::eq" ? result : ConstantOf(result) is bool r ? Const(!r) : CallOperator("aten::__not__", [result], [], at);
            case ("aten::size", 1) when args[0] is TorchValue { Type.Kind: TorchTypeKind.Tensor, Shape: { } shape } t:
                // A list of the dimensions: the fixed ones constant, the dynamic ones aten::size.int nodes.
                return new ListVal(shape.Select((d, i) => d.Value is { } v ? (object)Const(v) : CallOperator("aten::size", [t, Const((long)i)], [], at)), TorchType.Int);
            case ("aten::format", >= 1) when args.All(a => ConstantOf(a) is not null && a is not TorchValue { Constant: TorchTensorConstant }):
                return Const(ConstantFolder.Format((string)ConstantOf(args[0])!, args.Skip(1).Select(ConstantOf).ToArray()));
            case ("aten::str", 1) when ConstantOf(args[0]) is { } c and not TorchTensorConstant:
                return Const(c is string s ? s : ConstantFolder.PythonStr(c));
            default:
                return null;
        }
    }

    /// <summary>The graph value an argument becomes: lists of constants fold into one constant, other lists become
    /// prim::ListConstruct, tuples prim::TupleConstruct, conversions their operator.</summary>
    private TorchValue Materialize(object value, AtenType? formal, TsLocation at)
    {
        value = Resolve(value);
        switch (value)
        {
            case TorchValue v:
                return v;
            case Conversion c:
                var inner = Materialize(c.Value, null, at);
                if (inner.Constant is { } k && ConstantFolder.ConvertConstant(c.Operator, k) is { } converted)
                {
                    return Const(converted);
                }

                return (TorchValue)CallOperator(c.Operator, [inner], [], at);
            case ListVal l:
            {
                var element = formal switch
                {
                    { Kind: AtenTypeKind.List } f => f.Element,
                    { Kind: AtenTypeKind.Optional, Elements: [{ Kind: AtenTypeKind.List } f] } => f.Element,
                    _ => null,
                };
                var items = l.Items.Select(i => Materialize(i, element, at)).ToArray();
                if (items.All(i => i.Constant is not null))
                {
                    var constant = items.Select(i => i.Constant).ToArray();
                    var made = MakeConst(constant, null);
                    return items.Length == 0 && (l.ElementType ?? (element is null ? null : TorchTypeOf(element))) is { } et and not { Kind: TorchTypeKind.Any }
                        ? new TorchValue { Name = made.Name, Type = TorchType.ListOf(et), Constant = constant }
                        : made;
                }

                var elementType = l.ElementType ?? (element is not null && element.Kind is not (AtenTypeKind.TypeVar or AtenTypeKind.Any) ? TorchTypeOf(element) : items.First(i => i.Constant is null).Type);
                var constructed = Emit("prim::ListConstruct", items, [new OutputSpec(TorchType.ListOf(elementType))], at)[0];
                listItems[constructed] = items;
                return constructed;
            }

            case TupleVal t:
            {
                var items = t.Items.Select(i => Materialize(i, null, at)).ToArray();
                if (items.All(i => i.Constant is not null))
                {
                    var constant = items.Select(i => i.Constant).ToArray();
                    return new TorchValue { Name = NewName("const"), Type = TorchType.TupleOf(items.Select(i => i.Type).ToArray()), Constant = constant };
                }

                return Emit("prim::TupleConstruct", items, [new OutputSpec(TorchType.TupleOf(items.Select(i => i.Type).ToArray()))], at)[0];
            }

            case DictVal d:
            {
                var items = d.Entries.SelectMany(e => new[] { Materialize(e.Key, null, at), Materialize(e.Value, null, at) }).ToArray();
                var keyType = d.KeyType ?? (items.Length > 0 ? items[0].Type : TorchType.Str);
                var valueType = d.ValueType ?? (items.Length > 1 ? items[1].Type : TorchType.Tensor);
                return Emit("prim::DictConstruct", items, [new OutputSpec(TorchType.DictOf(keyType, valueType))], at)[0];
            }

            default:
                throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, at, $"a {Describe(value)} passed to an operator");
        }
    }

    private IReadOnlyList<TorchValue>? ListItems(TorchValue list) =>
        listItems.TryGetValue(list, out var items) ? items
        : list.Constant is IReadOnlyList<object?> constant ? constant.Select(c => Const(c)).ToArray()
        : null;

    /// <summary>Records a node in the current block.</summary>
    internal TorchValue[] Emit(string kind, IReadOnlyList<TorchValue> inputs, IReadOnlyList<OutputSpec> outputs, TsLocation at, IReadOnlyList<TorchBlock>? blocks = null)
    {
        var hint = kind[(kind.IndexOf("::", StringComparison.Ordinal) + 2)..];
        var results = outputs.Select(o => new TorchValue
        {
            Name = NewName(hint),
            Type = o.Type,
            Shape = o.Shape,
            ElementType = o.ElementType,
        }).ToArray();
        var path = frames.Count > 0 ? Current.ModulePath : "";
        nodes.Add(new TorchNode
        {
            Kind = kind,
            Inputs = inputs,
            Outputs = results,
            Blocks = blocks ?? Array.Empty<TorchBlock>(),
            SourceRange = path.Length == 0 ? $"{at.File}:{at.Line}" : $"{at.File}:{at.Line} ({path})",
        });
        return results;
    }

    internal static bool ConstantEquals(object? a, object? b) => (a, b) switch
    {
        (long x, double y) => x == y,
        (double x, long y) => x == y,
        (IReadOnlyList<object?> x, IReadOnlyList<object?> y) => x.Count == y.Count && x.Zip(y).All(p => ConstantEquals(p.First, p.Second)),
        _ => Equals(a, b),
    };
}
