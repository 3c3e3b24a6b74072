using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TorchScript.Language;

namespace BuildConvert.Core.Formats.TorchScript.FrontEnd;

/// <summary>What a class derives from in serialized code.</summary>
public enum TsClassKind
{
    /// <summary><c>class X(Module)</c>: a scripted module (its instances come from data.pkl).</summary>
    Module,

    /// <summary><c>class X(NamedTuple)</c>: fields only; calling the class builds a tuple.</summary>
    NamedTuple,

    /// <summary><c>class X:</c>: a scripted class (instances made with <c>__new__</c> and <c>__init__</c>).</summary>
    Object,

    /// <summary><c>class X(Enum)</c> or <c>class X(Interface)</c>: declarations only.</summary>
    Other,
}

/// <summary>A class of the archive's code: its declared attributes (name : Type), its <c>Final</c> constants
/// (name : Final[T] = value), its methods (overloads <c>forward__0</c>, <c>forward__1</c> kept under their own names),
/// and where it was defined. Immutable.</summary>
public sealed class TsClassInfo
{
    internal TsClassInfo(string qualifiedName, TsClassDef? definition, TsFile file, TsClassKind kind)
    {
        QualifiedName = qualifiedName;
        Definition = definition;
        File = file;
        Kind = kind;
        var attributes = new List<(string, TsExpr)>();
        var constants = new Dictionary<string, (TsExpr, TsExpr)>(StringComparer.Ordinal);
        var methods = new Dictionary<string, TsFunctionDef>(StringComparer.Ordinal);
        var parameters = new List<string>();
        var buffers = new List<string>();
        var body = definition?.Body ?? file.Statements;
        foreach (var statement in body)
        {
            switch (statement)
            {
                case TsFunctionDef def:
                    methods[def.Name] = def;
                    break;
                case TsAnnAssign { Target: TsName name, Annotation: var type, Value: var value }:
                    if (value is not null && type is TsSubscript { Target: TsName { Id: "Final" }, Index: var inner })
                    {
                        constants[name.Id] = (inner, value);
                    }
                    else
                    {
                        attributes.Add((name.Id, type));
                    }

                    break;
                case TsAssign { Targets: [TsSubscript { Target: TsName { Id: "__annotations__" }, Index: TsConstant { Value: string key } }], Value: var annotated }:
                    attributes.Add((key, annotated));
                    break;
                case TsAssign { Targets: [TsName { Id: "__parameters__" }], Value: TsList list }:
                    parameters.AddRange(list.Elements.OfType<TsConstant>().Select(c => c.Value as string).OfType<string>());
                    break;
                case TsAssign { Targets: [TsName { Id: "__buffers__" }], Value: TsList list }:
                    buffers.AddRange(list.Elements.OfType<TsConstant>().Select(c => c.Value as string).OfType<string>());
                    break;
            }
        }

        Attributes = attributes;
        Constants = constants;
        Methods = methods;
        Parameters = parameters;
        Buffers = buffers;
    }

    /// <summary><c>__torch__.torch.nn.modules.conv.Conv2d</c>.</summary>
    public string QualifiedName { get; }

    /// <summary>The definition; null for a legacy (archive version 1) module whose methods are a file's top-level defs.</summary>
    public TsClassDef? Definition { get; }

    /// <summary>The file that defines it.</summary>
    public TsFile File { get; }

    /// <summary>What it derives from.</summary>
    public TsClassKind Kind { get; }

    /// <summary>Declared attributes in declaration order (<c>__annotations__["0"] = T</c> included), with their type expressions.</summary>
    public IReadOnlyList<(string Name, TsExpr Type)> Attributes { get; }

    /// <summary>Class-level constants: name -&gt; (type, value expression).</summary>
    public IReadOnlyDictionary<string, (TsExpr Type, TsExpr Value)> Constants { get; }

    /// <summary>Methods by name.</summary>
    public IReadOnlyDictionary<string, TsFunctionDef> Methods { get; }

    /// <summary><c>__parameters__</c>.</summary>
    public IReadOnlyList<string> Parameters { get; }

    /// <summary><c>__buffers__</c>.</summary>
    public IReadOnlyList<string> Buffers { get; }

    /// <summary>The method <paramref name="name"/> and, when the class only has overloads (<c>name__0</c>, <c>name__1</c>, ...), those.</summary>
    public IReadOnlyList<TsFunctionDef> MethodOverloads(string name)
    {
        if (Methods.TryGetValue(name, out var m))
        {
            return [m];
        }

        var overloads = new List<TsFunctionDef>();
        for (var i = 0; Methods.TryGetValue($"{name}__{i}", out var o); i++)
        {
            overloads.Add(o);
        }

        return overloads;
    }

    public override string ToString() => QualifiedName;
}

/// <summary>
/// The parsed code of a TorchScript archive: every <c>code/**.py</c> file, and its classes and functions by qualified
/// name (module name of the file + '.' + name). Built once per archive; immutable.
/// </summary>
public sealed class TorchScriptCode
{
    private readonly Dictionary<string, TsClassInfo> classes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (TsFunctionDef Def, TsFile File)> functions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TsFile> filesByModule = new(StringComparer.Ordinal);

    private TorchScriptCode(IReadOnlyList<TsFile> files)
    {
        Files = files;
        foreach (var file in files)
        {
            filesByModule[file.ModuleName] = file;
            foreach (var statement in file.Statements)
            {
                switch (statement)
                {
                    case TsClassDef def:
                        var name = $"{file.ModuleName}.{def.Name}";
                        classes[name] = new TsClassInfo(name, def, file, KindOf(def));
                        break;
                    case TsFunctionDef f:
                        functions[$"{file.ModuleName}.{f.Name}"] = (f, file);
                        break;
                }
            }
        }
    }

    /// <summary>The parsed files, in the order given.</summary>
    public IReadOnlyList<TsFile> Files { get; }

    /// <summary>The classes by qualified name.</summary>
    public IReadOnlyDictionary<string, TsClassInfo> Classes => classes;

    /// <summary>Parses every code file (path in the archive -&gt; text). Paths not ending in .py are ignored.</summary>
    /// <exception cref="BuildConvertException">BCONV1330/BCONV1331 for the first file that does not parse.</exception>
    public static TorchScriptCode Parse(IReadOnlyDictionary<string, string> codeFiles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(codeFiles);
        var files = new List<TsFile>();
        foreach (var (path, text) in codeFiles.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (path.EndsWith(".py", StringComparison.Ordinal))
            {
                files.Add(TsParser.ParseFile(text, path));
            }
        }

        return new TorchScriptCode(files);
    }

    /// <summary>The class <paramref name="qualifiedName"/>, or (for a legacy archive whose module is a file of
    /// top-level defs, <c>code/test_model.py</c>) a class made of that file's functions; null when neither exists.</summary>
    public TsClassInfo? FindClass(string qualifiedName)
    {
        if (classes.TryGetValue(qualifiedName, out var info))
        {
            return info;
        }

        if (filesByModule.TryGetValue(qualifiedName, out var file) && file.Statements.OfType<TsFunctionDef>().Any(IsMethod))
        {
            return classes[qualifiedName] = new TsClassInfo(qualifiedName, null, file, TsClassKind.Module);
        }

        return null;
    }

    /// <summary>A legacy archive's root class: the only file with top-level defs taking <c>self</c>; null if not exactly one.</summary>
    public TsClassInfo? LegacyRootClass()
    {
        var candidates = Files.Where(f => f.Statements.OfType<TsFunctionDef>().Any(IsMethod)).ToArray();
        return candidates.Length == 1 ? FindClass(candidates[0].ModuleName) : null;
    }

    /// <summary>The function <paramref name="qualifiedName"/> (<c>__torch__.torch.nn.functional.relu</c>).</summary>
    public bool TryGetFunction(string qualifiedName, out TsFunctionDef definition, out TsFile file)
    {
        if (functions.TryGetValue(qualifiedName, out var f))
        {
            (definition, file) = f;
            return true;
        }

        definition = null!;
        file = null!;
        return false;
    }

    /// <summary>A constant as Python would print it (for messages).</summary>
    public static string Show(object? constant) => TorchInterpreter.FormatConstant(constant);

    /// <summary>Whether any class or function name starts with <paramref name="prefix"/> + '.'.</summary>
    public bool IsNamespace(string prefix) =>
        classes.Keys.Concat(functions.Keys).Concat(filesByModule.Keys).Any(k => k.StartsWith(prefix + ".", StringComparison.Ordinal) || k == prefix);

    private static bool IsMethod(TsFunctionDef f) => f.Parameters.Count > 0 && f.Parameters[0].Name == "self";

    private static TsClassKind KindOf(TsClassDef def) => def.Bases switch
    {
        [] => TsClassKind.Object,
        [TsName { Id: "Module" }] => TsClassKind.Module,
        [TsName { Id: "NamedTuple" }] => TsClassKind.NamedTuple,
        _ => TsClassKind.Other,
    };
}

/// <summary>A TorchScript type as the front end needs it: the contract's <see cref="TorchType"/>, or a class of the
/// archive (<see cref="ClassName"/> set, <see cref="Type"/> Any) — inside containers classes are Any.</summary>
public sealed record TsType(TorchType Type, string? ClassName = null)
{
    public static readonly TsType Tensor = new(TorchType.Tensor);

    public override string ToString() => ClassName ?? Type.ToString();

    /// <summary>Reads a type annotation.</summary>
    /// <exception cref="BuildConvertException">BCONV1332 for a name that is no type.</exception>
    public static TsType FromAnnotation(TsExpr e, TorchScriptCode? code)
    {
        switch (e)
        {
            case TsConstant { Value: null }:
                return new TsType(TorchType.NoneType);
            case TsName n:
                return Simple(n.Id) is { } t ? new TsType(t) : throw Unknown(e, n.Id);
            case TsAttribute:
                var dotted = Dotted(e);
                if (dotted is "torch.Tensor")
                {
                    return Tensor;
                }

                if (dotted is "torch.device")
                {
                    return new TsType(TorchType.Device);
                }

                if (dotted is not null && dotted.StartsWith("__torch__.", StringComparison.Ordinal))
                {
                    return new TsType(TorchType.AnyType, dotted);
                }

                throw Unknown(e, dotted ?? "?");
            case TsSubscript { Target: TsName head, Index: var index }:
                var args = index is TsTuple tuple ? tuple.Elements : [index];
                TorchType Arg(int i) => FromAnnotation(args[i], code).Type;
                switch (head.Id)
                {
                    case "List" when args.Count == 1:
                        return new TsType(TorchType.ListOf(Arg(0)));
                    case "Optional" when args.Count == 1:
                        var inner = FromAnnotation(args[0], code);
                        return new TsType(TorchType.OptionalOf(inner.Type), inner.ClassName);
                    case "Tuple":
                        return new TsType(TorchType.TupleOf(args.Select((_, i) => Arg(i)).ToArray()));
                    case "Dict" when args.Count == 2:
                        return new TsType(TorchType.DictOf(Arg(0), Arg(1)));
                    case "Final" when args.Count == 1:
                        return FromAnnotation(args[0], code);
                    case "Union":
                        return new TsType(TorchType.AnyType);
                    case "Future" or "RRef" or "Await":
                        return new TsType(TorchType.AnyType);
                }

                throw Unknown(e, head.Id);
            case TsTuple { Elements.Count: 0 }:
                return new TsType(TorchType.TupleOf());
            default:
                throw Unknown(e, e.GetType().Name);
        }
    }

    private static TorchType? Simple(string id) => id switch
    {
        "Tensor" => TorchType.Tensor,
        "int" => TorchType.Int,
        "float" => TorchType.Float,
        "bool" => TorchType.Bool,
        "str" => TorchType.Str,
        "NoneType" => TorchType.NoneType,
        "Device" => TorchType.Device,
        "Any" => TorchType.AnyType,
        "number" or "Scalar" => TorchType.AnyType,
        "complex" => TorchType.AnyType,
        "Layout" => new TorchType(TorchTypeKind.Layout, Array.Empty<TorchType>()),
        "MemoryFormat" => new TorchType(TorchTypeKind.MemoryFormat, Array.Empty<TorchType>()),
        "ScalarType" => new TorchType(TorchTypeKind.ScalarType, Array.Empty<TorchType>()),
        "Generator" or "Storage" or "Stream" or "QScheme" => TorchType.AnyType,
        _ => null,
    };

    /// <summary><c>a.b.c</c> for a chain of names and attributes, else null.</summary>
    public static string? Dotted(TsExpr e) => e switch
    {
        TsName n => n.Id,
        TsAttribute a when Dotted(a.Target) is { } t => t + "." + a.Name,
        _ => null,
    };

    private static BuildConvertException Unknown(TsExpr e, string name) =>
        TsLexer.Error(DiagnosticCodes.TorchScriptTypeUnknown, e.Location, $"'{name}' is not a TorchScript type");
}
