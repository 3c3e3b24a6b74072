using BuildConvert.Core.Converters.TorchScript;

namespace BuildConvert.Core.Formats.TorchScript.FrontEnd;

// The interpreter's values. A graph value (tensor, scalar, constant or computed) is a TorchValue; the structures the
// code builds and takes apart at conversion time (tuples, lists, dicts, modules, objects, functions) stay structures
// and become graph values only where an operator takes them.

/// <summary>A tuple; <see cref="Names"/> are a NamedTuple's fields.</summary>
internal sealed record TupleVal(IReadOnlyList<object> Items, IReadOnlyList<string>? Names = null, string? ClassName = null);

/// <summary>A list (mutable: append, setitem); <see cref="ElementType"/> from an annotation when known.</summary>
internal sealed class ListVal
{
    public ListVal(IEnumerable<object> items, TorchType? elementType = null)
    {
        Items = items.ToList();
        ElementType = elementType;
    }

    public List<object> Items { get; }

    public TorchType? ElementType { get; set; }
}

/// <summary>A dict in insertion order.</summary>
internal sealed class DictVal
{
    public List<(object Key, object Value)> Entries { get; } = new();

    public TorchType? KeyType { get; set; }

    public TorchType? ValueType { get; set; }
}

/// <summary>A module instance from data.pkl, with the dotted path from the root (<c>layer1.0.conv1</c>).</summary>
internal sealed class ModuleVal
{
    public ModuleVal(TorchObject obj, TsClassInfo? cls, string path)
    {
        Object = obj;
        Class = cls;
        Path = path;
    }

    public TorchObject Object { get; }

    public TsClassInfo? Class { get; }

    public string Path { get; }

    /// <summary>Attributes the code assigned during this conversion (<c>self.x = ...</c>), over the pickled ones.</summary>
    public Dictionary<string, object> Assigned { get; } = new(StringComparer.Ordinal);

    /// <summary>Attribute values already read (so a parameter read twice is one graph value).</summary>
    public Dictionary<string, object> Cache { get; } = new(StringComparer.Ordinal);

    public override string ToString() => Path.Length == 0 ? "self" : Path;
}

/// <summary>An instance of a scripted (non-module) class made by <c>__new__</c>.</summary>
internal sealed class ObjectVal
{
    public ObjectVal(TsClassInfo cls) => Class = cls;

    public TsClassInfo Class { get; }

    public Dictionary<string, object> Attributes { get; } = new(StringComparer.Ordinal);
}

/// <summary>A function of the archive's code.</summary>
internal sealed record FunctionVal(string QualifiedName);

/// <summary>A class of the archive's code used as a value (<c>__torch__.X.__new__(__torch__.X)</c>, NamedTuple construction).</summary>
internal sealed record ClassVal(TsClassInfo Class);

/// <summary>A dotted prefix that is not a value yet: <c>torch</c>, <c>ops.aten</c>, <c>__torch__.torch.nn</c>.</summary>
internal sealed record NamespaceVal(string Path);

/// <summary>A method bound to its receiver: a module/object method, or a tensor/list method (<c>x.view</c>).</summary>
internal sealed record BoundMethod(object Receiver, string Name);

/// <summary>A builtin function of the language (<c>len</c>, <c>int</c>, <c>getattr</c>, <c>range</c>, ...).</summary>
internal sealed record BuiltinVal(string Name);

/// <summary>A type used as a value (<c>annotate(List[int], [])</c>, <c>isinstance(x, Tensor)</c>).</summary>
internal sealed record TypeVal(TsType Type);

/// <summary><c>range(start, stop, step)</c>.</summary>
internal sealed record RangeVal(object Start, object Stop, object Step);

/// <summary>The result of a call that could not be resolved (its error is already recorded): absorbs further use.</summary>
internal sealed class UnknownVal
{
    public static readonly UnknownVal Instance = new();

    private UnknownVal()
    {
    }

    public override string ToString() => "<unknown>";
}

/// <summary>Thrown when executed code raises (<c>raise</c>, <c>ops.prim.RaiseException</c>, a failed assert).</summary>
internal sealed class TsRaised : Exception
{
    public TsRaised(string message, string where)
        : base(message) => Where = where;

    public string Where { get; }
}
