using System.Globalization;
using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Converters.TorchScript.Schemas;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TorchScript.Language;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Formats.TorchScript.FrontEnd;

/// <summary>
/// The symbolic executor behind <see cref="TorchFrontEnd"/>: runs a method's code over a mix of known values
/// (constants, module attributes, static shapes) and graph values (the inputs and what depends on them), inlining
/// every call, folding what is known, and recording the rest as ATen nodes. One instance per conversion; not thread-safe.
/// </summary>
internal sealed partial class TorchInterpreter
{
    private readonly TorchScriptCode code;
    private readonly IReadOnlyList<object?> constants;
    private readonly AtenSchemaTable schemas;
    private readonly TorchFrontEndOptions options;
    private readonly CancellationToken cancellationToken;
    private readonly Dictionary<TorchObject, ModuleVal> modules = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<int, TorchValue> constantValues = new();
    private readonly List<string> unknownOperators = new();
    private readonly List<string> unmatchedCalls = new();
    private readonly Stack<Frame> frames = new();
    private readonly Dictionary<TorchValue, TorchValue[]> listItems = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<TorchValue, IReadOnlyList<Dim>[]> listElementShapes = new(ReferenceEqualityComparer.Instance);
    private List<TorchNode> nodes = new();
    private Dictionary<TorchValue, TorchValue> aliases = new(ReferenceEqualityComparer.Instance);
    private int counter;

    public TorchInterpreter(TorchScriptCode code, IReadOnlyList<object?> constants, AtenSchemaTable schemas, TorchFrontEndOptions options, CancellationToken cancellationToken)
    {
        this.code = code;
        this.constants = constants;
        this.schemas = schemas;
        this.options = options;
        this.cancellationToken = cancellationToken;
    }

    /// <summary>Notes about what was assumed (a branch that raises taken as not taken, an assert dropped).</summary>
    public List<string> Notes { get; } = new();

    private sealed class Frame
    {
        public required TsFile File { get; init; }

        public required string Function { get; init; }

        public required string ModulePath { get; init; }

        public Dictionary<string, object> Vars { get; set; } = new(StringComparer.Ordinal);

        public object? ReturnValue { get; set; }
    }

    private enum Flow
    {
        Normal, Return,
    }

    private Frame Current => frames.Peek();

    // ---- entry ----

    public TorchGraph Run(TorchObject root, string method, IReadOnlyList<TorchInputSpec> inputs)
    {
        var rootModule = ModuleOf(root, "", TsLocation0(root.QualifiedName));
        if (rootModule.Class is null)
        {
            // A legacy (version 1) archive: the root module's methods are the top-level defs of its code file.
            var legacy = code.LegacyRootClass()
                ?? throw BuildConvertException.Create(DiagnosticCodes.TorchScriptClassNotFound, $"the root module's class {root.QualifiedName} is defined by no code/ file");
            rootModule = new ModuleVal(root, legacy, "");
            modules[root] = rootModule;
        }

        var cls = rootModule.Class!;
        var overloads = cls.MethodOverloads(method);
        if (overloads.Count == 0)
        {
            var names = cls.Methods.Keys.Where(n => !n.StartsWith("__", StringComparison.Ordinal) || n == "__init__").Order(StringComparer.Ordinal);
            throw BuildConvertException.Create(DiagnosticCodes.TorchScriptMethodNotFound,
                $"{cls.QualifiedName} has no method '{method}'; its methods are: {string.Join(", ", names)}");
        }

        var (def, graphInputs, args) = BindInputs(cls, overloads, inputs);
        object result;
        try
        {
            result = Invoke(def, cls.File, rootModule, args, Array.Empty<(string, object)>(), def.Location);
        }
        catch (TsRaised raised)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchScriptExceptionRaised,
                $"{raised.Where}: {cls.QualifiedName}.{def.Name} raises for the given inputs: {raised.Message}", raised.Where);
        }

        ThrowCollectedErrors();
        var outputs = new List<TorchValue>();
        var outputNames = new List<string>();
        FlattenOutput(Resolve(result), null, outputs, outputNames, def.Location);
        for (var i = 0; i < outputNames.Count; i++)
        {
            outputNames[i] ??= $"output_{i}";
        }

        var live = DeadCodeElimination.Prune(nodes, outputs);
        return new TorchGraph { Inputs = graphInputs, Nodes = live, Outputs = outputs, OutputNames = outputNames };
    }

    private static TsLocation TsLocation0(string file) => new(file, 0, 0);

    private void ThrowCollectedErrors()
    {
        var diagnostics = new List<Diagnostic>();
        if (unknownOperators.Count > 0)
        {
            diagnostics.Add(DiagnosticCodes.TorchScriptUnknownOperator.Create(
                $"{unknownOperators.Count} call(s) of unknown operators: {string.Join("; ", unknownOperators.Distinct(StringComparer.Ordinal))}"));
        }

        if (unmatchedCalls.Count > 0)
        {
            diagnostics.Add(DiagnosticCodes.TorchScriptNoMatchingOverload.Create(
                $"{unmatchedCalls.Count} call(s) match no overload: {string.Join("; ", unmatchedCalls.Distinct(StringComparer.Ordinal))}"));
        }

        if (diagnostics.Count > 0)
        {
            throw new BuildConvertException(diagnostics);
        }
    }

    // ---- inputs and outputs ----

    private (TsFunctionDef Def, List<TorchValue> Inputs, List<object> Args) BindInputs(TsClassInfo cls, IReadOnlyList<TsFunctionDef> overloads, IReadOnlyList<TorchInputSpec> specs)
    {
        Exception? last = null;
        foreach (var def in overloads)
        {
            try
            {
                return BindInputs(cls, def, specs);
            }
            catch (BuildConvertException e) when (overloads.Count > 1 && e.Code == DiagnosticCodes.TorchScriptInputSpecInvalid.Code)
            {
                last = e;
            }
        }

        throw last!;
    }

    private (TsFunctionDef, List<TorchValue>, List<object>) BindInputs(TsClassInfo cls, TsFunctionDef def, IReadOnlyList<TorchInputSpec> specs)
    {
        // The method is invoked on the root module: its first parameter is self, whatever the Python source called it.
        var parameters = def.Parameters.Skip(def.Parameters.Count > 0 ? 1 : 0).ToArray();
        var signature = $"{def.Name}({string.Join(", ", parameters.Select(p => p.Name))})";
        var byName = new Dictionary<string, TorchInputSpec>(StringComparer.Ordinal);
        var positional = new Queue<TorchInputSpec>();
        foreach (var spec in specs)
        {
            if (string.IsNullOrEmpty(spec.Name))
            {
                positional.Enqueue(spec);
            }
            else if (parameters.All(p => p.Name != spec.Name))
            {
                throw BuildConvertException.Create(DiagnosticCodes.TorchScriptInputSpecInvalid, $"input '{spec.Name}' names no parameter of {cls.QualifiedName}.{signature}");
            }
            else
            {
                byName[spec.Name] = spec;
            }
        }

        var graphInputs = new List<TorchValue>();
        var args = new List<object>();
        foreach (var p in parameters)
        {
            var annotated = p.Annotation is null ? null : TsType.FromAnnotation(p.Annotation, code);
            if (!byName.TryGetValue(p.Name, out var spec) && positional.Count > 0)
            {
                spec = positional.Dequeue();
            }

            if (spec is null && p.Default is not null)
            {
                args.Add(EvaluateConstantExpr(p.Default, cls.File));
                continue;
            }

            args.Add(MakeInput(p.Name, spec, annotated, graphInputs, cls.QualifiedName + "." + signature));
        }

        if (positional.Count > 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchScriptInputSpecInvalid, $"{specs.Count} inputs given for {cls.QualifiedName}.{signature}");
        }

        return (def, graphInputs, args);
    }

    private object MakeInput(string name, TorchInputSpec? spec, TsType? annotated, List<TorchValue> graphInputs, string signature)
    {
        var type = spec?.Type ?? annotated?.Type ?? TorchType.Tensor;
        if (type.Kind == TorchTypeKind.Optional)
        {
            type = type.Elements[0];
        }

        if (annotated?.ClassName is { } className && spec?.Type is null)
        {
            var cls = code.FindClass(className)
                ?? throw BuildConvertException.Create(DiagnosticCodes.TorchScriptClassNotFound, $"parameter '{name}' of {signature} has class {className}, which no code/ file defines");
            if (cls.Kind == TsClassKind.NamedTuple)
            {
                var items = cls.Attributes.Select(a => MakeInput($"{name}.{a.Name}", ElementSpec(spec, a.Name, -1), TsType.FromAnnotation(a.Type, code), graphInputs, signature)).ToArray();
                return new TupleVal(items, cls.Attributes.Select(a => a.Name).ToArray(), className);
            }

            var obj = new ObjectVal(cls);
            foreach (var (attr, attrType) in cls.Attributes)
            {
                obj.Attributes[attr] = MakeInput($"{name}.{attr}", ElementSpec(spec, attr, -1), TsType.FromAnnotation(attrType, code), graphInputs, signature);
            }

            return obj;
        }

        if (type.Kind == TorchTypeKind.Tuple)
        {
            var items = new List<object>();
            for (var i = 0; i < type.Elements.Count; i++)
            {
                var elementSpec = ElementSpec(spec, i.ToString(CultureInfo.InvariantCulture), i);
                items.Add(MakeInput($"{name}.{i}", elementSpec, new TsType(type.Elements[i]), graphInputs, signature));
            }

            return new TupleVal(items);
        }

        if (spec?.Shape is not null && type.Kind != TorchTypeKind.Tensor)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchScriptInputSpecInvalid, $"input '{name}' of {signature} is a {type}, so it has no shape");
        }

        var value = new TorchValue
        {
            Name = name,
            Type = type,
            Shape = spec?.Shape,
            ElementType = type.Kind == TorchTypeKind.Tensor ? spec?.ElementType ?? (spec?.Shape is not null ? DataType.Float : null) : null,
        };
        graphInputs.Add(value);
        return value;
    }

    /// <summary>The spec of one element of a tuple or object parameter: the element spec named <paramref name="key"/>
    /// (an attribute name, or a tuple index as text), else for unnamed element specs the one at <paramref name="index"/>.</summary>
    private static TorchInputSpec? ElementSpec(TorchInputSpec? spec, string key, int index)
    {
        if (spec?.Elements is not { } elements)
        {
            return null;
        }

        var named = elements.FirstOrDefault(e => e.Name == key);
        if (named is not null)
        {
            return named with { Name = "" };
        }

        return index >= 0 && index < elements.Count && elements.All(e => string.IsNullOrEmpty(e.Name)) ? elements[index] : null;
    }

    private void FlattenOutput(object value, string? name, List<TorchValue> outputs, List<string> names, TsLocation at)
    {
        switch (value)
        {
            case TorchValue { Constant: TorchNone }:
                return;
            case TorchValue v:
                outputs.Add(v);
                names.Add(name!);
                return;
            case TupleVal t:
                foreach (var item in t.Items)
                {
                    FlattenOutput(Resolve(item), null, outputs, names, at);
                }

                return;
            case ListVal l:
                foreach (var item in l.Items)
                {
                    FlattenOutput(Resolve(item), null, outputs, names, at);
                }

                return;
            case DictVal d:
                foreach (var (k, v) in d.Entries)
                {
                    var key = ConstantOf(k) switch
                    {
                        string s => s,
                        long l => l.ToString(CultureInfo.InvariantCulture),
                        var other => other?.ToString(),
                    };
                    FlattenOutput(Resolve(v), key, outputs, names, at);
                }

                return;
            case ObjectVal o:
                foreach (var (attr, _) in o.Class.Attributes)
                {
                    if (o.Attributes.TryGetValue(attr, out var v))
                    {
                        FlattenOutput(Resolve(v), attr, outputs, names, at);
                    }
                }

                return;
            default:
                throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, at, $"the method returns a {Describe(value)}, which has no graph output form");
        }
    }

    // ---- modules ----

    private ModuleVal ModuleOf(TorchObject obj, string path, TsLocation at)
    {
        if (!modules.TryGetValue(obj, out var module))
        {
            module = new ModuleVal(obj, code.FindClass(obj.QualifiedName), path);
            modules[obj] = module;
        }

        return module;
    }

    // ---- calls ----

    private object Invoke(TsFunctionDef def, TsFile file, object? self, IReadOnlyList<object> args, IReadOnlyList<(string Name, object Value)> keywords, TsLocation callSite)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (frames.Count >= options.MaxCallDepth)
        {
            var chain = string.Join(" <- ", frames.Take(5).Select(f => f.Function));
            throw Error(DiagnosticCodes.TorchScriptInlineDepthExceeded, callSite, $"calls nest deeper than {options.MaxCallDepth} levels (innermost: {chain})");
        }

        var modulePath = self is ModuleVal m ? m.Path : frames.Count > 0 ? Current.ModulePath : "";
        var frame = new Frame { File = file, Function = def.Name, ModulePath = modulePath };
        var parameters = def.Parameters;
        var offset = 0;
        if (self is not null)
        {
            frame.Vars[parameters[0].Name] = self;
            offset = 1;
        }

        if (args.Count > parameters.Count - offset)
        {
            throw Error(DiagnosticCodes.TorchScriptTypeMismatch, callSite, $"{def.Name} takes {parameters.Count - offset} arguments, {args.Count} given");
        }

        for (var i = 0; i < args.Count; i++)
        {
            frame.Vars[parameters[i + offset].Name] = args[i];
        }

        foreach (var (name, value) in keywords)
        {
            if (parameters.All(p => p.Name != name))
            {
                throw Error(DiagnosticCodes.TorchScriptTypeMismatch, callSite, $"{def.Name} has no parameter '{name}'");
            }

            frame.Vars[name] = value;
        }

        foreach (var p in parameters.Skip(offset))
        {
            if (!frame.Vars.ContainsKey(p.Name))
            {
                frame.Vars[p.Name] = p.Default is not null
                    ? EvaluateConstantExpr(p.Default, file)
                    : throw Error(DiagnosticCodes.TorchScriptTypeMismatch, callSite, $"{def.Name} needs argument '{p.Name}'");
            }
        }

        frames.Push(frame);
        try
        {
            var flow = Execute(def.Body);
            return flow == Flow.Return ? frame.ReturnValue ?? Const(TorchNone.Instance) : Const(TorchNone.Instance);
        }
        finally
        {
            frames.Pop();
        }
    }

    private object EvaluateConstantExpr(TsExpr e, TsFile file)
    {
        var frame = new Frame { File = file, Function = "<default>", ModulePath = frames.Count > 0 ? Current.ModulePath : "" };
        frames.Push(frame);
        try
        {
            return Evaluate(e);
        }
        finally
        {
            frames.Pop();
        }
    }

    // ---- statements ----

    private Flow Execute(IReadOnlyList<TsStmt> statements)
    {
        foreach (var s in statements)
        {
            if (Execute(s) == Flow.Return)
            {
                return Flow.Return;
            }
        }

        return Flow.Normal;
    }

    private Flow Execute(TsStmt statement)
    {
        cancellationToken.ThrowIfCancellationRequested();
        switch (statement)
        {
            case TsExprStmt { Value: var e }:
                Evaluate(e);
                return Flow.Normal;
            case TsAssign a:
                var value = Evaluate(a.Value);
                foreach (var target in a.Targets)
                {
                    Assign(target, value);
                }

                return Flow.Normal;
            case TsAnnAssign { Value: { } v } ann:
                var annotated = Evaluate(v);
                if (annotated is ListVal list && list.Items.Count == 0)
                {
                    list.ElementType ??= ListElementOf(TsType.FromAnnotation(ann.Annotation, code).Type);
                }

                Assign(ann.Target, annotated);
                return Flow.Normal;
            case TsAnnAssign:
                return Flow.Normal;
            case TsAugAssign aug:
                AugAssign(aug);
                return Flow.Normal;
            case TsIf s:
                return If(s);
            case TsFor f:
                For(f);
                return Flow.Normal;
            case TsWhile w:
                While(w);
                return Flow.Normal;
            case TsReturn r:
                Current.ReturnValue = r.Value is null ? Const(TorchNone.Instance) : Evaluate(r.Value);
                return Flow.Return;
            case TsPass or TsImport:
                return Flow.Normal;
            case TsAssert assert:
                var test = Resolve(Evaluate(assert.Test));
                if (ConstantOf(test) is bool ok)
                {
                    if (!ok)
                    {
                        throw new TsRaised("AssertionError: " + (assert.Message is null ? "" : ConstantOf(Evaluate(assert.Message))), Where(assert.Location));
                    }
                }
                else
                {
                    Notes.Add($"{Where(assert.Location)}: an assert on a run-time value is not checked by the converted model");
                }

                return Flow.Normal;
            case TsRaise raise:
                var message = raise.Exception is null ? "exception" : Describe(ConstantOf(Evaluate(raise.Exception)) ?? "exception");
                throw new TsRaised(message, Where(raise.Location));
            case TsDelete:
                return Flow.Normal;
            case TsFunctionDef or TsClassDef:
                throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, statement.Location, "a nested def or class");
            case TsBreak or TsContinue:
                throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, statement.Location, $"'{(statement is TsBreak ? "break" : "continue")}' (serialized TorchScript has none; the loop cannot be converted)");
            default:
                throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, statement.Location, statement.GetType().Name);
        }
    }

    private void Assign(TsExpr target, object value)
    {
        switch (target)
        {
            case TsName n:
                Current.Vars[n.Id] = value;
                return;
            case TsTuple t:
                Unpack(t.Elements, value, t.Location);
                return;
            case TsList l:
                Unpack(l.Elements, value, l.Location);
                return;
            case TsAttribute a:
                switch (Resolve(Evaluate(a.Target)))
                {
                    case ObjectVal o:
                        o.Attributes[a.Name] = value;
                        return;
                    case ModuleVal m:
                        m.Assigned[a.Name] = value;
                        m.Cache.Remove(a.Name);
                        return;
                    case var other:
                        throw Error(DiagnosticCodes.TorchScriptTypeMismatch, a.Location, $"cannot set attribute '{a.Name}' of a {Describe(other)}");
                }

            case TsSubscript s:
                var container = Resolve(Evaluate(s.Target));
                var index = Resolve(Evaluate(s.Index));
                switch (container)
                {
                    case ListVal list when ConstantOf(index) is long i:
                        var at = i < 0 ? i + list.Items.Count : i;
                        if (at < 0 || at >= list.Items.Count)
                        {
                            throw new TsRaised("IndexError: list assignment index out of range", Where(s.Location));
                        }

                        list.Items[(int)at] = value;
                        return;
                    case DictVal dict when ConstantOf(index) is { } key:
                        var existing = dict.Entries.FindIndex(e => Equals(ConstantOf(e.Key), key));
                        if (existing >= 0)
                        {
                            dict.Entries[existing] = (dict.Entries[existing].Key, value);
                        }
                        else
                        {
                            dict.Entries.Add((index, value));
                        }

                        return;
                    case TorchValue tensor when tensor.Type.Kind == TorchTypeKind.Tensor:
                        // x[i] = v: aten::copy_ into the selected view, as TorchScript lowers it; the view's base is rebound.
                        var view = Index(tensor, index, s.Location);
                        var result = CallOperator("aten::copy_", [view, value], [], s.Location);
                        if (result is TorchValue copied && view is TorchValue v && !ReferenceEquals(v, tensor))
                        {
                            Notes.Add($"{Where(s.Location)}: an indexed assignment into a tensor is kept as aten::copy_ of a view");
                            _ = copied;
                        }

                        return;
                    default:
                        throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, s.Location, $"assigning into a {Describe(container)} with a run-time index");
                }

            default:
                throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, target.Location, "assignment target");
        }
    }

    private void Unpack(IReadOnlyList<TsExpr> targets, object value, TsLocation at)
    {
        var items = Elements(Resolve(value), targets.Count, at);
        if (items.Count != targets.Count)
        {
            throw Error(DiagnosticCodes.TorchScriptTypeMismatch, at, $"{items.Count} values unpacked into {targets.Count} names");
        }

        for (var i = 0; i < targets.Count; i++)
        {
            Assign(targets[i], items[i]);
        }
    }

    /// <summary>The elements of a tuple or list (a run-time list of known length is unpacked with prim::ListUnpack).</summary>
    private IReadOnlyList<object> Elements(object value, int expected, TsLocation at)
    {
        switch (value)
        {
            case UnknownVal:
                return Enumerable.Repeat((object)UnknownVal.Instance, expected).ToArray();
            case TupleVal t:
                return t.Items;
            case ListVal l:
                return l.Items;
            case TorchValue { Constant: IReadOnlyList<object?> items }:
                return items.Select(i => (object)Const(i)).ToArray();
            case TorchValue v when v.Type.Kind == TorchTypeKind.List:
                var element = v.Type.Elements[0];
                var pieces = listElementShapes.GetValueOrDefault(v);
                if (pieces is not null && pieces.Length != expected)
                {
                    throw new TsRaised($"ValueError: {pieces.Length} values unpacked into {expected} names", Where(at));
                }

                var elementType = pieces is null ? null : ElementTypeOfList(v);
                return Emit("prim::ListUnpack", [v], Enumerable.Range(0, expected).Select(k => new OutputSpec(element, pieces?[k], elementType)).ToArray(), at);
            case TorchValue v when v.Type.Kind == TorchTypeKind.Tuple:
                return Emit("prim::TupleUnpack", [v], v.Type.Elements.Select(e => new OutputSpec(e)).ToArray(), at);
            default:
                throw Error(DiagnosticCodes.TorchScriptTypeMismatch, at, $"cannot unpack a {Describe(value)}");
        }
    }

    private void AugAssign(TsAugAssign aug)
    {
        var left = Resolve(Evaluate(aug.Target));
        var right = Resolve(Evaluate(aug.Value));
        object result;
        if (left is TorchValue { Type.Kind: TorchTypeKind.Tensor } && aug.Op is "+" or "-" or "*" or "/")
        {
            var op = aug.Op switch { "+" => "aten::add_", "-" => "aten::sub_", "*" => "aten::mul_", _ => "aten::div_" };
            result = CallOperator(op, [left, right], [], aug.Location);
        }
        else if (left is ListVal list && aug.Op == "+")
        {
            list.Items.AddRange(Elements(right, 0, aug.Location));
            result = list;
        }
        else
        {
            result = BinaryOperator(aug.Op, left, right, aug.Location);
        }

        Assign(aug.Target, result);
    }

    // ---- helpers ----

    private DataType? ElementTypeOfList(TorchValue list) =>
        nodes.LastOrDefault(n => n.Outputs.Contains(list))?.Inputs.FirstOrDefault()?.ElementType;

    private string Where(TsLocation at)
    {
        var path = frames.Count > 0 ? Current.ModulePath : "";
        return path.Length == 0 ? $"{at.File}:{at.Line}:{at.Column}" : $"{at.File}:{at.Line}:{at.Column} ({path})";
    }

    private BuildConvertException Error(DiagnosticDescriptor code, TsLocation at, string message) =>
        BuildConvertException.Create(code, $"{Where(at)}: {message}", at.File, $"{at.Line}:{at.Column}");

    private string NewName(string hint) => $"{hint}.{++counter}";

    /// <summary>A graph value through the in-place rebindings (a value an in-place op wrote is read as the op's result).</summary>
    private object Resolve(object value)
    {
        if (value is TorchValue v)
        {
            while (aliases.TryGetValue(v, out var next))
            {
                v = next;
            }

            return v;
        }

        return value;
    }

    /// <summary>A constant graph value.</summary>
    internal TorchValue Const(object? constant, string? name = null)
    {
        if (name is null && constant is long or bool or TorchNone && constant is not null)
        {
            var key = HashCode.Combine(constant.GetType(), constant);
            if (constantValues.TryGetValue(key, out var cached) && Equals(cached.Constant, constant) && cached.Constant!.GetType() == constant.GetType())
            {
                return cached;
            }

            var made = MakeConst(constant, null);
            constantValues[key] = made;
            return made;
        }

        return MakeConst(constant, name);
    }

    private TorchValue MakeConst(object? constant, string? name)
    {
        var type = TypeOfConstant(constant);
        IReadOnlyList<Dim>? shape = null;
        DataType? elementType = null;
        if (constant is TorchTensorConstant t)
        {
            shape = t.Data.Dims.Select(Dim.Of).ToArray();
            elementType = t.Data.ElementType;
        }

        return new TorchValue { Name = name ?? NewName("const"), Type = type, Constant = constant, Shape = shape, ElementType = elementType };
    }

    internal static TorchType TypeOfConstant(object? constant) => constant switch
    {
        long => TorchType.Int,
        double => TorchType.Float,
        bool => TorchType.Bool,
        string => TorchType.Str,
        TorchNone or null => TorchType.NoneType,
        TorchTensorConstant => TorchType.Tensor,
        IReadOnlyList<object?> list when list.Count > 0 => IsTupleConstant(list) ? TorchType.TupleOf(list.Select(TypeOfConstant).ToArray()) : TorchType.ListOf(TypeOfConstant(list[0])),
        IReadOnlyList<object?> => TorchType.ListOf(TorchType.Int),
        _ => TorchType.AnyType,
    };

    // A constant list is a tuple when its elements differ in type (the contract stores both as lists).
    private static bool IsTupleConstant(IReadOnlyList<object?> list) => list.Select(e => e?.GetType()).Distinct().Count() > 1;

    private static TorchType? ListElementOf(TorchType t) => t.Kind switch
    {
        TorchTypeKind.List => t.Elements[0],
        TorchTypeKind.Optional => ListElementOf(t.Elements[0]),
        _ => null,
    };

    /// <summary>The value's constant when known at conversion time (structures of constants included), else null.</summary>
    internal object? ConstantOf(object value)
    {
        switch (Resolve(value))
        {
            case TorchValue v:
                return v.Constant;
            case TupleVal t:
                var items = t.Items.Select(ConstantOf).ToArray();
                return items.Any(i => i is null) ? null : items;
            case ListVal l:
                var listItems = l.Items.Select(ConstantOf).ToArray();
                return listItems.Any(i => i is null) ? null : listItems;
            default:
                return null;
        }
    }

    private string Describe(object? value) => value switch
    {
        TorchValue v => v.Constant is { } c and not TorchTensorConstant ? $"{v.Type} ({FormatConstant(c)})" : v.Type.ToString(),
        TupleVal t => $"tuple of {t.Items.Count}",
        ListVal l => $"list of {l.Items.Count}",
        DictVal => "dict",
        ModuleVal m => $"module {m.Object.QualifiedName}",
        ObjectVal o => $"object {o.Class.QualifiedName}",
        FunctionVal f => $"function {f.QualifiedName}",
        ClassVal c => $"class {c.Class.QualifiedName}",
        NamespaceVal n => $"namespace {n.Path}",
        BuiltinVal b => $"builtin {b.Name}",
        TypeVal t => $"type {t.Type}",
        string s => s,
        null => "nothing",
        _ => value.GetType().Name,
    };

    internal static string FormatConstant(object? c) => c switch
    {
        null => "None",
        TorchNone => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FormatFloat(d),
        string s => s,
        TorchTensorConstant t => $"tensor[{string.Join(", ", t.Data.Dims)}]",
        IReadOnlyList<object?> list => "[" + string.Join(", ", list.Select(FormatConstant)) + "]",
        _ => c.ToString() ?? "",
    };

    // Python's repr of a float: shortest round-trip digits, ".0" for integral values, inf/nan spelled as Python does.
    internal static string FormatFloat(double d)
    {
        if (double.IsNaN(d))
        {
            return "nan";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "inf" : "-inf";
        }

        var s = d.ToString("R", CultureInfo.InvariantCulture);
        if (s.Contains('E', StringComparison.Ordinal))
        {
            var parts = s.Split('E');
            var exp = int.Parse(parts[1], CultureInfo.InvariantCulture);
            return $"{parts[0]}e{(exp < 0 ? "-" : "+")}{Math.Abs(exp):00}";
        }

        return s.Contains('.', StringComparison.Ordinal) ? s : s + ".0";
    }
}
