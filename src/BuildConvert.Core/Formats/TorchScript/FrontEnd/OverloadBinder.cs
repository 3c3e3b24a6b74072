using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Converters.TorchScript.Schemas;

namespace BuildConvert.Core.Formats.TorchScript.FrontEnd;

/// <summary>
/// Chooses the overload of an operator that a call means, the way TorchScript's compiler does (tryMatchSchema):
/// first without implicit conversions, then with them; positional arguments fill the non-keyword-only arguments in
/// order, keywords fill by name, the rest take their defaults. Among the overloads that match in a pass, the one with
/// the most exact argument types wins (an int argument prefers <c>int</c> over <c>Scalar</c>); ties go to table order.
/// Implicit conversions: a tuple to a list, an int to an <c>int[N]</c> list of N copies, an int to a float, a number
/// to a Tensor (prim::NumToTensor), a Tensor to a number (aten::IntImplicit/FloatImplicit/ScalarImplicit), a bool to
/// an int or float, a string to a Device.
/// </summary>
internal static class OverloadBinder
{
    private const int Exact = 3;
    private const int Subtype = 2;
    private const int Converted = 0;
    private const int NoMatch = -1;

    public static (AtenSchema Schema, List<object> Values, Dictionary<string, TorchType> TypeVars)? Bind(
        TorchInterpreter interpreter, IReadOnlyList<AtenSchema> overloads, IReadOnlyList<object> args, IReadOnlyList<(string Name, object Value)> keywords)
    {
        foreach (var conversions in new[] { false, true })
        {
            (AtenSchema, List<object>, Dictionary<string, TorchType>)? best = null;
            var bestScore = int.MinValue;
            foreach (var schema in overloads)
            {
                var typeVars = new Dictionary<string, TorchType>(StringComparer.Ordinal);
                if (TryBind(interpreter, schema, args, keywords, conversions, typeVars, out var values, out var score) && score > bestScore)
                {
                    best = (schema, values, typeVars);
                    bestScore = score;
                }
            }

            if (best is not null)
            {
                return best;
            }
        }

        return null;
    }

    private static bool TryBind(TorchInterpreter interpreter, AtenSchema schema, IReadOnlyList<object> args, IReadOnlyList<(string Name, object Value)> keywords,
        bool conversions, Dictionary<string, TorchType> typeVars, out List<object> values, out int score)
    {
        values = new List<object>();
        score = 0;
        var formals = schema.Arguments;
        var slots = new object?[formals.Count];
        var positionalFormals = formals.Count(f => !f.KeywordOnly);
        if (args.Count > positionalFormals && !schema.VarArgs)
        {
            return false;
        }

        var extra = new List<object>();
        for (var i = 0; i < args.Count; i++)
        {
            if (i < positionalFormals)
            {
                slots[i] = args[i];
            }
            else
            {
                extra.Add(args[i]);
            }
        }

        foreach (var (name, value) in keywords)
        {
            var at = -1;
            for (var i = 0; i < formals.Count; i++)
            {
                if (formals[i].Name == name)
                {
                    at = i;
                    break;
                }
            }

            if (at < 0 || slots[at] is not null)
            {
                return false;
            }

            slots[at] = value;
        }

        for (var i = 0; i < formals.Count; i++)
        {
            var formal = formals[i];
            if (slots[i] is null)
            {
                if (!formal.HasDefault)
                {
                    return false;
                }

                values.Add(interpreter.Const(formal.Default));
                score += Exact;
                continue;
            }

            var s = Match(interpreter, formal.Type, slots[i]!, conversions, typeVars, out var converted);
            if (s == NoMatch)
            {
                return false;
            }

            score += s;
            values.Add(converted);
        }

        values.AddRange(extra);
        return true;
    }

    private static int Match(TorchInterpreter interpreter, AtenType formal, object value, bool conversions, Dictionary<string, TorchType> typeVars, out object converted)
    {
        converted = value;
        var v = value as TorchValue;
        var kind = v?.Type.Kind;
        var isNone = v?.Constant is TorchNone;
        switch (formal.Kind)
        {
            case AtenTypeKind.Optional:
                return isNone ? Exact : Match(interpreter, formal.Element, value, conversions, typeVars, out converted);
            case AtenTypeKind.Any:
                return Subtype;
            case AtenTypeKind.TypeVar:
                var type = TypeOf(interpreter, value);
                if (typeVars.TryGetValue(formal.Name, out var bound))
                {
                    return Compatible(bound, type) ? Subtype : NoMatch;
                }

                typeVars[formal.Name] = type;
                return Subtype;
            case AtenTypeKind.Tensor:
                if (kind == TorchTypeKind.Tensor || kind == TorchTypeKind.Optional && v!.Type.Elements[0].Kind == TorchTypeKind.Tensor && !isNone)
                {
                    return Exact;
                }

                if (conversions && kind is TorchTypeKind.Int or TorchTypeKind.Float or TorchTypeKind.Bool)
                {
                    converted = new Conversion("prim::NumToTensor", value, TorchType.Tensor);
                    return Converted;
                }

                return NoMatch;
            case AtenTypeKind.Int or AtenTypeKind.SymInt:
                if (kind == TorchTypeKind.Int)
                {
                    return Exact;
                }

                if (conversions && kind == TorchTypeKind.Tensor)
                {
                    converted = new Conversion("aten::IntImplicit", value, TorchType.Int);
                    return Converted;
                }

                if (conversions && kind == TorchTypeKind.Bool)
                {
                    converted = new Conversion("aten::Int", value, TorchType.Int);
                    return Converted;
                }

                return NoMatch;
            case AtenTypeKind.Float:
                if (kind == TorchTypeKind.Float)
                {
                    return Exact;
                }

                if (conversions && kind is TorchTypeKind.Int or TorchTypeKind.Bool)
                {
                    converted = new Conversion("aten::Float", value, TorchType.Float);
                    return Converted;
                }

                if (conversions && kind == TorchTypeKind.Tensor)
                {
                    converted = new Conversion("aten::FloatImplicit", value, TorchType.Float);
                    return Converted;
                }

                return NoMatch;
            case AtenTypeKind.Bool:
                return kind == TorchTypeKind.Bool ? Exact : NoMatch;
            case AtenTypeKind.Scalar:
                if (kind is TorchTypeKind.Int or TorchTypeKind.Float)
                {
                    return Subtype;
                }

                if (conversions && kind == TorchTypeKind.Bool)
                {
                    return Converted;
                }

                if (conversions && kind == TorchTypeKind.Tensor)
                {
                    converted = new Conversion("aten::ScalarImplicit", value, TorchType.Float);
                    return Converted;
                }

                return NoMatch;
            case AtenTypeKind.Complex:
                return NoMatch;
            case AtenTypeKind.Str:
                return kind == TorchTypeKind.Str ? Exact : NoMatch;
            case AtenTypeKind.Device:
                if (kind == TorchTypeKind.Device)
                {
                    return Exact;
                }

                if (conversions && kind == TorchTypeKind.Str)
                {
                    converted = new Conversion("aten::device", value, TorchType.Device);
                    return Converted;
                }

                return NoMatch;
            case AtenTypeKind.ScalarType or AtenTypeKind.Layout or AtenTypeKind.MemoryFormat or AtenTypeKind.QScheme:
                return kind == TorchTypeKind.Int || kind == TorchTypeKind.ScalarType && formal.Kind == AtenTypeKind.ScalarType
                    || kind == TorchTypeKind.Layout && formal.Kind == AtenTypeKind.Layout || kind == TorchTypeKind.MemoryFormat && formal.Kind == AtenTypeKind.MemoryFormat
                    ? Exact : NoMatch;
            case AtenTypeKind.NoneType:
                return isNone ? Exact : NoMatch;
            case AtenTypeKind.List:
                return MatchList(interpreter, formal, value, conversions, typeVars, out converted);
            case AtenTypeKind.Tuple:
                if (value is TupleVal t && t.Items.Count == formal.Elements.Count)
                {
                    var total = Exact;
                    var items = new object[t.Items.Count];
                    for (var i = 0; i < items.Length; i++)
                    {
                        var s = Match(interpreter, formal.Elements[i], t.Items[i], conversions, typeVars, out items[i]);
                        if (s == NoMatch)
                        {
                            return NoMatch;
                        }

                        total = Math.Min(total, s);
                    }

                    converted = new TupleVal(items, t.Names, t.ClassName);
                    return total;
                }

                return kind == TorchTypeKind.Tuple ? Subtype : NoMatch;
            case AtenTypeKind.Dict:
                return value is DictVal || kind == TorchTypeKind.Dict ? Subtype : NoMatch;
            case AtenTypeKind.Class or AtenTypeKind.AnyClass or AtenTypeKind.AnyEnum:
                return value is ModuleVal or ObjectVal ? Subtype : NoMatch;
            default:
                return NoMatch;
        }
    }

    private static int MatchList(TorchInterpreter interpreter, AtenType formal, object value, bool conversions, Dictionary<string, TorchType> typeVars, out object converted)
    {
        converted = value;
        IReadOnlyList<object>? items = value switch
        {
            ListVal l => l.Items,
            TupleVal t => t.Items,
            TorchValue { Constant: IReadOnlyList<object?> c } => c.Select(x => (object)interpreter.Const(x)).ToArray(),
            _ => null,
        };
        if (items is not null)
        {
            if (items.Count == 0)
            {
                var declared = (value as ListVal)?.ElementType;
                if (declared is not null && formal.Element.Kind is not (AtenTypeKind.TypeVar or AtenTypeKind.Any) && !Compatible(TorchInterpreter.TorchTypeOf(formal.Element), declared))
                {
                    return NoMatch;
                }

                if (formal.Element.Kind == AtenTypeKind.TypeVar && declared is not null)
                {
                    typeVars.TryAdd(formal.Element.Name, declared);
                }

                return Exact;
            }

            var score = value is TupleVal ? Subtype : Exact;
            var convertedItems = new object[items.Count];
            for (var i = 0; i < items.Count; i++)
            {
                var s = Match(interpreter, formal.Element, items[i], conversions, typeVars, out convertedItems[i]);
                if (s == NoMatch)
                {
                    return NoMatch;
                }

                score = Math.Min(score, s);
            }

            if (formal.FixedSize is { } size && items.Count == 1 && size != 1)
            {
                convertedItems = Enumerable.Repeat(convertedItems[0], size).ToArray();
            }

            converted = value is ListVal list && ReferenceEquals(convertedItems.FirstOrDefault(), list.Items.FirstOrDefault()) && convertedItems.Length == list.Items.Count
                && convertedItems.Zip(list.Items).All(p => ReferenceEquals(p.First, p.Second))
                ? value
                : new ListVal(convertedItems, (value as ListVal)?.ElementType);
            return score;
        }

        if (value is TorchValue v)
        {
            if (v.Type.Kind == TorchTypeKind.List)
            {
                var element = v.Type.Elements[0];
                if (formal.Element.Kind == AtenTypeKind.TypeVar)
                {
                    if (typeVars.TryGetValue(formal.Element.Name, out var bound) && !Compatible(bound, element))
                    {
                        return NoMatch;
                    }

                    typeVars[formal.Element.Name] = element;
                    return Subtype;
                }

                return Compatible(TorchInterpreter.TorchTypeOf(formal.Element), element) ? Exact : NoMatch;
            }

            // int[2] stride=1: a single int stands for the whole list.
            if (formal.FixedSize is { } n && formal.Element.Kind is AtenTypeKind.Int or AtenTypeKind.SymInt && v.Type.Kind == TorchTypeKind.Int)
            {
                converted = new ListVal(Enumerable.Repeat((object)v, n));
                return Subtype;
            }
        }

        return NoMatch;
    }

    private static TorchType TypeOf(TorchInterpreter interpreter, object value) => value switch
    {
        TorchValue v => v.Type,
        ListVal l => TorchType.ListOf(l.ElementType ?? (l.Items.Count > 0 ? TypeOf(interpreter, l.Items[0]) : TorchType.AnyType)),
        TupleVal t => TorchType.TupleOf(t.Items.Select(i => TypeOf(interpreter, i)).ToArray()),
        DictVal d => TorchType.DictOf(d.KeyType ?? TorchType.AnyType, d.ValueType ?? TorchType.AnyType),
        _ => TorchType.AnyType,
    };

    private static bool Compatible(TorchType a, TorchType b) =>
        a.Kind == TorchTypeKind.Any || b.Kind == TorchTypeKind.Any || a.Kind == b.Kind && (a.Elements.Count != b.Elements.Count || a.Elements.Zip(b.Elements).All(p => Compatible(p.First, p.Second)))
        || a.Kind == TorchTypeKind.Optional && Compatible(a.Elements[0], b) || b.Kind == TorchTypeKind.Optional && Compatible(a, b.Elements[0])
        || a.Kind == TorchTypeKind.Float && b.Kind == TorchTypeKind.Int;
}
