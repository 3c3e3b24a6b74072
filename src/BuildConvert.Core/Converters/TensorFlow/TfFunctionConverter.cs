using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Converters.TensorFlow;

/// <summary>
/// Converts the body of a library function (<see cref="TfGraph.Library"/>) into an ONNX graph: the main graph (a call
/// converted in place) or a subgraph (an If branch, a Loop body). The function's arguments are bound to the values the
/// caller gives (subgraph inputs, or values of an enclosing graph, which the body then reads from the outer scope);
/// body references in function form (<c>arg</c>, <c>node:output_arg:k</c>, <c>^node</c>) are resolved through the
/// output-argument layout of <see cref="TfOpOutputs"/> (a call's callee signature for calls); the nodes the returned
/// tensors need are converted in dependency order by the same registry as the main graph (each as a node named
/// <c>prefix/node</c>, so names and errors say where the node lives); calls inside a body (<c>PartitionedCall</c>,
/// <c>StatefulPartitionedCall</c>, or an op named after a library function) are converted in place, up to
/// <see cref="MaxDepth"/> levels. Returns the values of the function's outputs, in signature order.
/// One per conversion; re-entrant (a body's While converts its own bodies).
/// </summary>
internal sealed class TfFunctionConverter
{
    /// <summary>How deeply function bodies may nest (calls and control flow together).</summary>
    public const int MaxDepth = 32;

    private readonly Dictionary<string, FunctionDef> functions = new(StringComparer.Ordinal);
    private readonly NodeConverter convertNode;
    private int depth;

    /// <summary>Converts one (renamed) node reading <paramref name="inputs"/> into <paramref name="target"/>; returns
    /// its first <paramref name="outputCount"/> outputs.</summary>
    /// <paramref name="lookup"/> resolves the node's input references (as the node writes them) to their producer and converted value.
    public delegate Value[] NodeConverter(NodeDef node, IReadOnlyList<Value> inputs, int outputCount, Graph target, Func<string, (NodeDef? Node, Value? Value)>? lookup);

    public TfFunctionConverter(FunctionDefLibrary? library, NodeConverter convertNode)
    {
        foreach (var f in library?.Function ?? Enumerable.Empty<FunctionDef>())
        {
            if (f.Signature is { Name.Length: > 0 } s)
            {
                functions[s.Name] = f;
            }
        }

        this.convertNode = convertNode;
    }

    /// <summary>Whether the library has a function named <paramref name="name"/>.</summary>
    public bool Has(string name) => functions.ContainsKey(name);

    /// <summary>The function a call node invokes (<c>f</c> of the partitioned calls, or the op itself), or null.</summary>
    public string? CalleeOf(NodeDef node)
    {
        if (node.Op is "PartitionedCall" or "StatefulPartitionedCall")
        {
            return node.Attr.TryGetValue("f", out var f) && f.ValueCase == AttrValue.ValueOneofCase.Func ? f.Func.Name : null;
        }

        return functions.ContainsKey(node.Op) ? node.Op : null;
    }

    /// <summary>
    /// Every node of every function that <paramref name="roots"/> reach through function-valued attributes and calls,
    /// transitively, with the function it is in (for the up-front checks: unsupported and training-only ops).
    /// </summary>
    public IEnumerable<(string Function, NodeDef Node)> ReachableBodyNodes(IEnumerable<NodeDef> roots)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<NodeDef>(roots);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            foreach (var name in Referenced(node))
            {
                if (seen.Add(name) && functions.TryGetValue(name, out var function))
                {
                    foreach (var inner in function.NodeDef)
                    {
                        yield return (name, inner);
                        pending.Push(inner);
                    }
                }
            }
        }
    }

    private IEnumerable<string> Referenced(NodeDef node)
    {
        if (functions.ContainsKey(node.Op))
        {
            yield return node.Op;
        }

        foreach (var attr in node.Attr.Values)
        {
            if (attr.ValueCase == AttrValue.ValueOneofCase.Func)
            {
                yield return attr.Func.Name;
            }
            else if (attr.ValueCase == AttrValue.ValueOneofCase.List)
            {
                foreach (var f in attr.List.Func)
                {
                    yield return f.Name;
                }
            }
        }
    }

    /// <summary>
    /// Converts function <paramref name="name"/> into <paramref name="target"/> with its arguments bound to
    /// <paramref name="arguments"/>; <paramref name="caller"/> is the node that needs it (named in errors).
    /// </summary>
    /// <returns>The function's outputs in signature order.</returns>
    /// <exception cref="BuildConvertException">BCONV2103 when the function is missing or malformed, or nests too deep.</exception>
    public IReadOnlyList<Value> Convert(string name, Graph target, IReadOnlyList<Value> arguments, string prefix, NodeDef caller)
    {
        if (!functions.TryGetValue(name, out var function))
        {
            throw Error(caller, $"calls function '{name}', which the graph's function library does not have");
        }

        if (depth >= MaxDepth)
        {
            throw Error(caller, $"calls function '{name}' at nesting level {depth + 1}, deeper than the converter allows ({MaxDepth}); recursive functions cannot be converted");
        }

        depth++;
        try
        {
            return new Body(this, function, target, arguments, prefix, caller).Run();
        }
        finally
        {
            depth--;
        }
    }

    private static BuildConvertException Error(NodeDef caller, string message) =>
        BuildConvertException.Create(DiagnosticCodes.TensorFlowFunctionInvalid, $"node '{caller.Name}' ({caller.Op}) {message}", location: caller.Name);

    /// <summary>One conversion of one function body.</summary>
    private sealed class Body
    {
        private readonly TfFunctionConverter owner;
        private readonly FunctionDef function;
        private readonly Graph target;
        private readonly string prefix;
        private readonly NodeDef caller;
        private readonly Dictionary<string, Value> arguments = new(StringComparer.Ordinal);
        private readonly Dictionary<string, NodeDef> nodes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Value[]> converted = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> outputsUsed = new(StringComparer.Ordinal);

        public Body(TfFunctionConverter owner, FunctionDef function, Graph target, IReadOnlyList<Value> args, string prefix, NodeDef caller)
        {
            this.owner = owner;
            this.function = function;
            this.target = target;
            this.prefix = prefix;
            this.caller = caller;
            var signature = function.Signature;
            if (signature.InputArg.Count != args.Count)
            {
                throw Fail($"takes {signature.InputArg.Count} argument(s), and the node passes {args.Count}");
            }

            for (var i = 0; i < args.Count; i++)
            {
                var arg = signature.InputArg[i];
                if (arg.NumberAttr.Length > 0 || arg.TypeListAttr.Length > 0)
                {
                    throw Fail($"has the list-valued argument '{arg.Name}', which the converter does not support");
                }

                arguments[arg.Name] = args[i];
            }

            foreach (var node in function.NodeDef)
            {
                if (!nodes.TryAdd(node.Name, node))
                {
                    throw Fail($"has two nodes named '{node.Name}'");
                }
            }
        }

        private string Name => function.Signature.Name;

        public IReadOnlyList<Value> Run()
        {
            var rets = new List<Reference>();
            foreach (var arg in function.Signature.OutputArg)
            {
                if (arg.NumberAttr.Length > 0 || arg.TypeListAttr.Length > 0)
                {
                    throw Fail($"has the list-valued output '{arg.Name}', which the converter does not support");
                }

                if (!function.Ret.TryGetValue(arg.Name, out var ret))
                {
                    throw Fail($"returns no tensor for its output '{arg.Name}'");
                }

                rets.Add(Resolve(ret));
            }

            foreach (var node in Order(rets))
            {
                ConvertNode(node);
            }

            return rets.Select(ValueOf).ToArray();
        }

        private void ConvertNode(NodeDef node)
        {
            var inputs = DataInputs(node).Select(ValueOf).ToArray();
            var renamed = new NodeDef { Name = $"{prefix}/{node.Name}", Op = node.Op, Device = node.Device };
            renamed.Input.AddRange(node.Input);
            renamed.Attr.Add(node.Attr);
            var count = outputsUsed.GetValueOrDefault(node.Name);
            if (owner.CalleeOf(node) is { } callee)
            {
                var outputs = owner.Convert(callee, target, inputs, renamed.Name, renamed);
                if (outputs.Count < count)
                {
                    throw Fail($"reads output {count - 1} of its call '{node.Name}' to '{callee}', which has {outputs.Count} output(s)");
                }

                converted[node.Name] = outputs.ToArray();
                return;
            }

            converted[node.Name] = owner.convertNode(renamed, inputs, count, target, Lookup);
        }

        /// <summary>A body reference's producer (as written in the body) and its value when converted.</summary>
        private (NodeDef? Node, Value? Value) Lookup(string text)
        {
            var clean = text.StartsWith('^') ? text[1..] : text;
            var parts = clean.Split(':');
            if (arguments.TryGetValue(parts[0], out var argument))
            {
                return (null, argument);
            }

            if (!nodes.TryGetValue(parts[0], out var node))
            {
                return (null, null);
            }

            var reference = Resolve(clean);
            return (node, converted.TryGetValue(node.Name, out var values) && reference.Index < values.Length ? values[reference.Index] : null);
        }

        private Value ValueOf(Reference reference)
        {
            if (reference.Argument is { } arg)
            {
                return arg;
            }

            return converted[reference.Node!][reference.Index];
        }

        /// <summary>The body nodes the references need through data edges, producers first.</summary>
        private List<NodeDef> Order(IEnumerable<Reference> roots)
        {
            var order = new List<NodeDef>();
            var state = new Dictionary<string, bool>(StringComparer.Ordinal);
            var stack = new Stack<(NodeDef Node, int Next)>();
            foreach (var root in roots)
            {
                Use(root);
            }

            return order;

            void Use(Reference reference)
            {
                if (reference.Node is not { } name)
                {
                    return;
                }

                outputsUsed[name] = System.Math.Max(outputsUsed.GetValueOrDefault(name), reference.Index + 1);
                if (state.TryGetValue(name, out var done))
                {
                    if (!done)
                    {
                        throw Fail($"has a cycle through node '{name}'");
                    }

                    return;
                }

                state[name] = false;
                stack.Push((nodes[name], 0));
                while (stack.Count > 0)
                {
                    var (node, next) = stack.Pop();
                    var inputs = DataInputs(node);
                    if (next < inputs.Count)
                    {
                        stack.Push((node, next + 1));
                        var input = inputs[next];
                        if (input.Node is not { } producer)
                        {
                            continue;
                        }

                        outputsUsed[producer] = System.Math.Max(outputsUsed.GetValueOrDefault(producer), input.Index + 1);
                        if (state.TryGetValue(producer, out var finished))
                        {
                            if (!finished)
                            {
                                throw Fail($"has a cycle through node '{producer}'");
                            }

                            continue;
                        }

                        state[producer] = false;
                        stack.Push((nodes[producer], 0));
                    }
                    else
                    {
                        state[node.Name] = true;
                        order.Add(node);
                    }
                }
            }
        }

        private List<Reference> DataInputs(NodeDef node) =>
            node.Input.Where(i => !i.StartsWith('^')).Select(Resolve).ToList();

        /// <summary>A body reference: <c>arg</c>, <c>arg:k</c> (k = 0), <c>node</c>, <c>node:k</c>, <c>node:output_arg:k</c>.</summary>
        private Reference Resolve(string text)
        {
            var parts = text.Split(':');
            if (parts.Length is < 1 or > 3 || parts[0].Length == 0)
            {
                throw Fail($"refers to '{text}', which is not an argument, node:output_arg:index or ^node");
            }

            var index = parts.Length == 1 ? 0 : ParseIndex(parts[^1], text);
            if (arguments.TryGetValue(parts[0], out var argument))
            {
                return index == 0 && parts.Length <= 2 ? new Reference(argument, null, 0)
                    : throw Fail($"refers to '{text}', past the single tensor of argument '{parts[0]}'");
            }

            if (!nodes.TryGetValue(parts[0], out var producer))
            {
                throw Fail($"refers to '{text}', which names neither an argument nor a node of the body");
            }

            if (parts.Length == 3)
            {
                index = FlatIndex(producer, parts[1], index) ??
                    throw Fail($"refers to '{text}': node '{producer.Name}' ({producer.Op}) has no output '{parts[1]}' with index {parts[2]}");
            }

            return new Reference(null, producer.Name, index);
        }

        private int? FlatIndex(NodeDef producer, string arg, int index)
        {
            if (producer.Op is not ("PartitionedCall" or "StatefulPartitionedCall") && owner.functions.TryGetValue(producer.Op, out var callee))
            {
                var at = callee.Signature.OutputArg.Select(a => a.Name).ToList().IndexOf(arg);
                return at >= 0 && index == 0 ? at : null;
            }

            return TfOpOutputs.FlatIndex(producer, arg, index, out _);
        }

        private int ParseIndex(string text, string reference) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                ? index
                : throw Fail($"refers to '{reference}', whose index is malformed");

        private BuildConvertException Fail(string message) =>
            Error(caller, $"calls function '{Name}', which {message}");
    }

    /// <summary>An argument's value, or output <c>Index</c> of body node <c>Node</c>.</summary>
    private sealed record Reference(Value? Argument, string? Node, int Index);
}
