using System.Globalization;
using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TensorFlow.Proto;

namespace BuildConvert.Core.Formats.TensorFlow;

/// <summary>
/// Inlines calls to the function library (<c>PartitionedCall</c>, <c>StatefulPartitionedCall</c>, and nodes whose op
/// is a library function's name), recursively up to <see cref="TfReadOptions.MaxInlineDepth"/> levels. A body node
/// <c>B</c> of call <c>C</c> becomes node <c>C/B</c>; its inputs, written in function-body form (an argument name,
/// <c>node:output_arg:index</c>, <c>^node</c>), become graph-level references, which needs each op's output-argument
/// layout (the stripped op list, then <see cref="TfOpOutputs"/>; the callee's signature for calls). The call's outputs
/// become aliases of the tensors its body returns, which the caller resolves (<see cref="Aliases"/>). One instance
/// flattens one graph.
/// </summary>
internal sealed class TfFunctionInliner
{
    private readonly Dictionary<string, FunctionDef> functions;
    private readonly IReadOnlyDictionary<string, OpDef> opDefs;
    private readonly TfReadOptions options;
    private readonly string file;
    private readonly HashSet<string> names;
    private readonly List<NodeDef> output = new();

    public TfFunctionInliner(FunctionDefLibrary? library, IReadOnlyDictionary<string, OpDef> opDefs, TfReadOptions options, string file, HashSet<string> takenNames)
    {
        functions = new Dictionary<string, FunctionDef>(StringComparer.Ordinal);
        foreach (var f in library?.Function ?? Enumerable.Empty<FunctionDef>())
        {
            if (f.Signature is { } s)
            {
                functions[s.Name] = f;
            }
        }

        this.opDefs = opDefs;
        this.options = options;
        this.file = file;
        names = takenNames;
    }

    /// <summary>Graph-level outputs of inlined calls and the tensors they stand for (which may be aliases in turn).</summary>
    public Dictionary<TfTensorRef, TfTensorRef> Aliases { get; } = new();

    /// <summary>The functions of the library, by name.</summary>
    public IReadOnlyDictionary<string, FunctionDef> Functions => functions;

    /// <summary>Flattens <paramref name="nodes"/> (graph-level nodes): calls inlined, other nodes kept as they are.</summary>
    public List<NodeDef> Flatten(IEnumerable<NodeDef> nodes)
    {
        foreach (var node in nodes)
        {
            if (CalleeOf(node) is { } callee)
            {
                Inline(node, callee, 1);
            }
            else
            {
                Add(node);
            }
        }

        return output;
    }

    /// <summary>The function <paramref name="node"/> calls, or null when it is not a call.</summary>
    public FunctionDef? CalleeOf(NodeDef node)
    {
        if (node.Op is "PartitionedCall" or "StatefulPartitionedCall")
        {
            var name = node.Attr.TryGetValue("f", out var f) && f.ValueCase == AttrValue.ValueOneofCase.Func ? f.Func.Name : null;
            if (name is null)
            {
                throw Invalid($"node '{node.Name}' ({node.Op}), attribute 'f': a call needs the function to call");
            }

            return functions.GetValueOrDefault(name) ?? throw BuildConvertException.Create(DiagnosticCodes.TfFunctionNotFound,
                $"node '{node.Name}' ({node.Op}), attribute 'f': the library has no function '{name}'", file);
        }

        return functions.GetValueOrDefault(node.Op);
    }

    private void Add(NodeDef node)
    {
        if (output.Count >= options.MaxNodes)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TfModelReadLimitExceeded,
                $"the graph has more than TfReadOptions.MaxNodes ({options.MaxNodes}) nodes once its calls are inlined", file);
        }

        output.Add(node);
    }

    private void Inline(NodeDef call, FunctionDef function, int depth)
    {
        var signature = function.Signature;
        if (depth > options.MaxInlineDepth)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TfFunctionNestingTooDeep,
                $"node '{call.Name}' ({call.Op}) calls '{signature.Name}' at nesting level {depth}, deeper than TfReadOptions.MaxInlineDepth ({options.MaxInlineDepth}); recursive functions cannot be inlined", file);
        }

        var prefix = call.Name;
        var arguments = call.Input.Where(i => !i.StartsWith('^')).ToList();
        var argumentMap = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var position = 0;
        foreach (var arg in signature.InputArg)
        {
            var count = ArgCount(arg, call, signature);
            if (position + count > arguments.Count)
            {
                throw Invalid($"node '{call.Name}' ({call.Op}) passes {arguments.Count} inputs to '{signature.Name}', which takes more");
            }

            argumentMap[arg.Name] = arguments.GetRange(position, count);
            position += count;
        }

        if (position != arguments.Count)
        {
            throw Invalid($"node '{call.Name}' ({call.Op}) passes {arguments.Count} inputs to '{signature.Name}', which takes {position}");
        }

        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        var bodyNodes = new Dictionary<string, NodeDef>(StringComparer.Ordinal);
        foreach (var node in function.NodeDef)
        {
            if (!bodyNodes.TryAdd(node.Name, node))
            {
                throw Invalid($"function '{signature.Name}' has two nodes named '{node.Name}'");
            }

            renamed[node.Name] = Unique($"{prefix}/{node.Name}");
        }

        var context = new BodyContext(signature.Name, argumentMap, renamed, bodyNodes);
        foreach (var node in function.NodeDef)
        {
            var copy = TfNodes.Copy(node, renamed[node.Name], node.Input.Select(i => RewriteInput(i, context)).OfType<string>());
            if (CalleeOf(copy) is { } callee)
            {
                Inline(copy, callee, depth + 1);
            }
            else
            {
                Add(copy);
            }
        }

        var k = 0;
        foreach (var arg in signature.OutputArg)
        {
            var count = ArgCount(arg, call, signature);
            if (!function.Ret.TryGetValue(arg.Name, out var ret))
            {
                throw Invalid($"function '{signature.Name}' returns no tensor for its output '{arg.Name}'");
            }

            if (count != 1)
            {
                throw Invalid($"function '{signature.Name}': output '{arg.Name}' is a list, which calls cannot inline");
            }

            var target = RewriteInput(ret, context) is { } text ? TfTensorRef.Parse(text) : null;
            if (target is null)
            {
                throw Invalid($"function '{signature.Name}': output '{arg.Name}' returns '{ret}', which is not a tensor");
            }

            Aliases[new TfTensorRef(prefix, k++)] = target.Value;
        }
    }

    private sealed record BodyContext(string Function, Dictionary<string, List<string>> Arguments, Dictionary<string, string> Renamed, Dictionary<string, NodeDef> Nodes)
    {
        public Dictionary<string, string> FirstArgUsed { get; } = new(StringComparer.Ordinal);
    }

    private string? RewriteInput(string input, BodyContext context)
    {
        if (input.StartsWith('^'))
        {
            var target = input[1..];
            if (context.Renamed.TryGetValue(target, out var renamedControl))
            {
                return "^" + renamedControl;
            }

            return context.Arguments.TryGetValue(target, out var refs) && refs.Count > 0 ? "^" + TfTensorRef.NodeOf(refs[0]) : null;
        }

        var parts = input.Split(':');
        if (parts.Length == 1 || parts.Length == 2)
        {
            var index = parts.Length == 2 ? ParseIndex(parts[1], input, context) : 0;
            if (context.Arguments.TryGetValue(parts[0], out var refs))
            {
                return index < refs.Count ? refs[index] : throw Invalid($"function '{context.Function}': input '{input}' indexes past argument '{parts[0]}'");
            }

            if (context.Renamed.TryGetValue(parts[0], out var renamedNode))
            {
                return new TfTensorRef(renamedNode, index).ToInput();
            }

            throw Invalid($"function '{context.Function}': input '{input}' names neither an argument nor a node of the body");
        }

        if (parts.Length == 3 && context.Nodes.TryGetValue(parts[0], out var producer))
        {
            var index = ParseIndex(parts[2], input, context);
            return new TfTensorRef(context.Renamed[parts[0]], OutputOffset(producer, parts[1], context) + index).ToInput();
        }

        throw Invalid($"function '{context.Function}': input '{input}' is not an argument, node:output_arg:index or ^node");
    }

    private int ParseIndex(string text, string input, BodyContext context) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index
            : throw Invalid($"function '{context.Function}': input '{input}' has a malformed index");

    // The flat index of the first tensor of output argument 'arg' of body node 'producer'.
    private int OutputOffset(NodeDef producer, string arg, BodyContext context)
    {
        var layout = LayoutOf(producer);
        if (layout is null)
        {
            // An op we know nothing of: taken as having one output argument; naming two is an error.
            if (context.FirstArgUsed.TryGetValue(producer.Name, out var first) && first != arg)
            {
                throw BuildConvertException.Create(DiagnosticCodes.TfUnknownOutputLayout,
                    $"function '{context.Function}': node '{producer.Name}' ({producer.Op}) is used through outputs '{first}' and '{arg}', but the output layout of op '{producer.Op}' is unknown", file);
            }

            context.FirstArgUsed[producer.Name] = arg;
            return 0;
        }

        var offset = 0;
        foreach (var (name, count) in layout)
        {
            if (name == arg)
            {
                return offset;
            }

            offset += count;
        }

        throw Invalid($"function '{context.Function}': node '{producer.Name}' ({producer.Op}) has no output '{arg}' (it has {string.Join(", ", layout.Select(l => l.Name))})");
    }

    private List<(string Name, int Count)>? LayoutOf(NodeDef node)
    {
        if (node.Op is not ("PartitionedCall" or "StatefulPartitionedCall") && functions.TryGetValue(node.Op, out var callee))
        {
            return callee.Signature.OutputArg.Select(a => (a.Name, ArgCount(a, node, callee.Signature))).ToList();
        }

        var def = opDefs.GetValueOrDefault(node.Op);
        var args = def is not null ? TfOpOutputs.FromOpDef(def) : TfOpOutputs.Find(node.Op);
        if (args is null)
        {
            return null;
        }

        return args.Select(a => (a.Name, Count(a, node, def))).ToList();
    }

    private int Count(TfOpOutputs.OutputArg arg, NodeDef node, OpDef? def)
    {
        if (arg.NumberAttr is { } number)
        {
            var value = AttrOrDefault(node, def, number);
            return value is { ValueCase: AttrValue.ValueOneofCase.I } && value.I is >= 0 and <= int.MaxValue
                ? (int)value.I
                : throw Invalid($"node '{node.Name}' ({node.Op}), attribute '{number}': expected a non-negative int giving the length of output '{arg.Name}'");
        }

        if (arg.TypeListAttr is { } types)
        {
            var value = AttrOrDefault(node, def, types);
            return value is { ValueCase: AttrValue.ValueOneofCase.List }
                ? value.List.Type.Count
                : throw Invalid($"node '{node.Name}' ({node.Op}), attribute '{types}': expected a list of types giving output '{arg.Name}'");
        }

        return 1;
    }

    private int ArgCount(OpDef.Types.ArgDef arg, NodeDef node, OpDef signature) =>
        Count(new TfOpOutputs.OutputArg(arg.Name, arg.NumberAttr.Length > 0 ? arg.NumberAttr : null, arg.TypeListAttr.Length > 0 ? arg.TypeListAttr : null), node, signature);

    private static AttrValue? AttrOrDefault(NodeDef node, OpDef? def, string name) =>
        node.Attr.TryGetValue(name, out var value) ? value : def?.Attr.FirstOrDefault(a => a.Name == name)?.DefaultValue;

    private string Unique(string name)
    {
        var candidate = name;
        for (var i = 1; !names.Add(candidate); i++)
        {
            candidate = string.Create(CultureInfo.InvariantCulture, $"{name}_{i}");
        }

        return candidate;
    }

    private BuildConvertException Invalid(string message) => BuildConvertException.Create(DiagnosticCodes.TfGraphInvalid, message, file);
}
