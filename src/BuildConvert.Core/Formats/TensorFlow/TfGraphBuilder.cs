using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Formats.TensorFlow;

/// <summary>An input or output as the reader chose it, before the graph is built.</summary>
/// <param name="Name">Its name in the ONNX model.</param>
/// <param name="Tensor">The tensor.</param>
/// <param name="ElementType">Its element type when the source says (a signature), else <see cref="DataType.DtInvalid"/>.</param>
/// <param name="Shape">Its shape when the source says; null for an unknown rank.</param>
/// <param name="ShapeKnown">Whether <paramref name="Shape"/> came from the source (a signature) and is to be used.</param>
internal sealed record TfEndpoint(string Name, TfTensorRef Tensor, DataType ElementType, IReadOnlyList<long>? Shape, bool ShapeKnown);

/// <summary>A user's shape for one input, by name or 0-based position; a null dimension is dynamic.</summary>
internal sealed record TfShapeOverride(string? Name, int? Position, IReadOnlyList<long?> Dimensions)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name ?? Position?.ToString(System.Globalization.CultureInfo.InvariantCulture)}:{string.Join(",", Dimensions.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "N"))}";
}

/// <summary>Where variable values come from: the checkpoint key of a variable node, and the value of a key.</summary>
internal interface ITfVariableSource
{
    /// <summary>The checkpoint key of <paramref name="variable"/> (a VarHandleOp or VariableV2 node), or null.</summary>
    string? KeyOf(NodeDef variable);

    /// <summary>The value stored under <paramref name="key"/>, read for node <paramref name="reader"/>.</summary>
    TensorData Read(string key, NodeDef reader);
}

/// <summary>
/// Builds the <see cref="TfGraph"/> a conversion sees from a GraphDef and chosen inputs and outputs: inputs bound to
/// placeholders (with the shapes given), what the outputs do not need pruned, calls inlined, variable reads turned into
/// <c>Const</c> nodes with their checkpoint values, control inputs kept only where they order a state change, and the
/// functions control flow still refers to kept in the library.
/// </summary>
internal sealed class TfGraphBuilder
{
    // Ops whose effect is a change of state: a control input from one of them is kept (and the op with it), so that the
    // converter reports what it cannot express instead of the reader silently dropping it.
    private static readonly HashSet<string> StateChangingOps = new(StringComparer.Ordinal)
    {
        "Assign", "AssignAdd", "AssignSub", "AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp",
        "ScatterUpdate", "ScatterAdd", "ScatterSub", "ResourceScatterUpdate", "ResourceScatterAdd", "ResourceScatterSub",
        "ApplyGradientDescent", "ResourceApplyGradientDescent", "ApplyMomentum", "ResourceApplyMomentum",
        "ApplyAdam", "ResourceApplyAdam", "CountUpTo", "ResourceCountUpTo",
    };

    private static readonly HashSet<string> VariableOps = new(StringComparer.Ordinal) { "VariableV2", "Variable" };

    private readonly GraphDef graph;
    private readonly IReadOnlyDictionary<string, OpDef> opDefs;
    private readonly TfReadOptions options;
    private readonly string file;

    public TfGraphBuilder(GraphDef graph, IReadOnlyDictionary<string, OpDef> opDefs, TfReadOptions options, string file)
    {
        this.graph = graph;
        this.opDefs = opDefs;
        this.options = options;
        this.file = file;
    }

    /// <summary>Builds the graph computing <paramref name="outputs"/> from <paramref name="inputs"/>.</summary>
    /// <param name="inputs">The inputs, in order.</param>
    /// <param name="outputs">The outputs, in order.</param>
    /// <param name="shapes">User shape overrides (by input name, node name or position).</param>
    /// <param name="variables">Where variable values come from; null when the source has none (frozen graphs).</param>
    public TfGraph Build(IReadOnlyList<TfEndpoint> inputs, IReadOnlyList<TfEndpoint> outputs, IReadOnlyList<TfShapeOverride> shapes, ITfVariableSource? variables)
    {
        var nodes = new Dictionary<string, NodeDef>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            if (!nodes.TryAdd(node.Name, node))
            {
                throw Invalid($"two nodes are named '{node.Name}'");
            }
        }

        var names = new HashSet<string>(nodes.Keys, StringComparer.Ordinal);
        var aliases = new Dictionary<TfTensorRef, TfTensorRef>();
        var inputBindings = BindInputs(inputs, shapes, nodes, names, aliases);

        foreach (var output in outputs)
        {
            Require(output.Tensor, nodes, "output", output.Name);
        }

        var outputRefs = outputs.Select(o => Resolve(o.Tensor, aliases)).ToList();
        var inputNodes = inputBindings.Select(b => TfTensorRef.Parse(b.Tensor)!.Value.Node).ToList();
        var kept = Prune(nodes, outputRefs.Select(r => r.Node).Concat(inputNodes), aliases);
        var inliner = new TfFunctionInliner(graph.Library, opDefs, options, file, names);
        var order = graph.Node.Select(n => n.Name).Concat(nodes.Keys.Except(graph.Node.Select(n => n.Name), StringComparer.Ordinal)).ToList();
        var flat = inliner.Flatten(order.Where(kept.Contains).Select(n => nodes[n]));
        foreach (var (from, to) in inliner.Aliases)
        {
            aliases[from] = to;
        }

        var flatNodes = new Dictionary<string, NodeDef>(StringComparer.Ordinal);
        foreach (var node in flat)
        {
            var copy = TfNodes.Copy(node, node.Name, node.Input.Select(i => ResolveInput(i, aliases)));
            flatNodes[copy.Name] = copy;
        }

        outputRefs = outputs.Select(o => Resolve(o.Tensor, aliases)).ToList();
        var values = ResolveVariables(flatNodes, variables);
        var finalKept = Prune(flatNodes, outputRefs.Select(r => r.Node).Concat(inputNodes), aliases: null);
        var result = new List<NodeDef>();
        foreach (var node in flat)
        {
            if (!finalKept.Contains(node.Name))
            {
                continue;
            }

            var current = flatNodes[node.Name];
            var controls = current.Input.Where(i => i.StartsWith('^')).ToList();
            if (controls.Count > 0 && controls.Any(c => !KeepControl(c, flatNodes, finalKept)))
            {
                current = TfNodes.Copy(current, current.Name, current.Input.Where(i => !i.StartsWith('^') || KeepControl(i, flatNodes, finalKept)));
            }

            foreach (var input in current.Input.Where(i => !i.StartsWith('^')))
            {
                if (!flatNodes.ContainsKey(TfTensorRef.NodeOf(input)))
                {
                    throw Invalid($"node '{current.Name}' ({current.Op}) has input '{input}', which names no node");
                }
            }

            result.Add(current);
        }

        var outputBindings = outputs.Select((o, i) =>
        {
            var tensor = outputRefs[i];
            var producer = flatNodes[tensor.Node];
            var type = o.ElementType != DataType.DtInvalid ? TfDataTypes.BaseType(o.ElementType) : TfNodes.OutputType(producer, tensor.Index);
            var shape = o.ShapeKnown ? o.Shape : TfNodes.OutputShape(producer, tensor.Index);
            return new TfTensorBinding(o.Name, tensor.ToString(), type, shape);
        }).ToArray();

        return new TfGraph
        {
            Nodes = result,
            Inputs = inputBindings,
            Outputs = outputBindings,
            Library = KeptLibrary(result, inliner.Functions),
            Variables = values.Where(kv => finalKept.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            Producer = graph.Versions?.Producer ?? 0,
        };
    }

    private List<TfTensorBinding> BindInputs(IReadOnlyList<TfEndpoint> inputs, IReadOnlyList<TfShapeOverride> shapes, Dictionary<string, NodeDef> nodes, HashSet<string> names, Dictionary<TfTensorRef, TfTensorRef> aliases)
    {
        foreach (var spec in shapes)
        {
            var matches = spec.Position is { } p
                ? p < inputs.Count
                : inputs.Any(i => i.Name == spec.Name || i.Tensor.Node == spec.Name || i.Tensor.ToString() == spec.Name);
            if (!matches)
            {
                throw BuildConvertException.Create(DiagnosticCodes.TfTensorNotFound,
                    $"--input-shapes / InputShapes entry '{spec}' names no input; the inputs are {string.Join(", ", inputs.Select(i => i.Name))}", file);
            }
        }

        var bindings = new List<TfTensorBinding>();
        for (var position = 0; position < inputs.Count; position++)
        {
            var input = inputs[position];
            var node = Require(input.Tensor, nodes, "input", input.Name);
            var spec = shapes.FirstOrDefault(s => s.Position == position)
                ?? shapes.FirstOrDefault(s => s.Name is { } n && (n == input.Name || n == input.Tensor.Node || n == input.Tensor.ToString()));
            var isPlaceholder = node.Op is "Placeholder" or "PlaceholderWithDefault" && input.Tensor.Index == 0;
            var type = input.ElementType != DataType.DtInvalid ? TfDataTypes.BaseType(input.ElementType) : TfNodes.OutputType(node, input.Tensor.Index);
            IReadOnlyList<long>? shape = spec is not null ? spec.Dimensions.Select(d => d ?? -1).ToArray()
                : input.ShapeKnown ? input.Shape
                : isPlaceholder && node.Attr.TryGetValue("shape", out var s) && s.ValueCase == AttrValue.ValueOneofCase.Shape ? PlaceholderDims(node, s.Shape)
                : TfNodes.OutputShape(node, input.Tensor.Index);

            var name = input.Tensor.Index == 0 ? node.Name : Unique($"{node.Name}_{input.Tensor.Index}", names);
            var placeholder = isPlaceholder
                ? TfNodes.Copy(node, node.Name, node.Input)
                : new NodeDef { Name = name, Op = "Placeholder" };
            placeholder.Attr["dtype"] = new AttrValue { Type = type };
            placeholder.Attr["shape"] = new AttrValue { Shape = TfNodes.ShapeProto(shape) };
            placeholder.Attr.Remove("_output_shapes");
            nodes[name] = placeholder;
            if (name != node.Name)
            {
                aliases[input.Tensor] = new TfTensorRef(name, 0);
            }

            bindings.Add(new TfTensorBinding(input.Name, new TfTensorRef(name, 0).ToString(), type, shape));
        }

        return bindings;
    }

    // TensorFlow's Placeholder shape function: GraphDefs of version 21 and older could not tell a scalar shape attribute from
    // "unknown", so a scalar there means unknown rank (array_ops.cc, Placeholder).
    private IReadOnlyList<long>? PlaceholderDims(NodeDef node, TensorShapeProto shape) =>
        node.Op == "Placeholder" && !shape.UnknownRank && shape.Dim.Count == 0 && (graph.Versions?.Producer ?? 0) <= 21 ? null : TfNodes.Dims(shape);

    private Dictionary<string, TensorData> ResolveVariables(Dictionary<string, NodeDef> nodes, ITfVariableSource? variables)
    {
        var values = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        var byKey = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var node in nodes.Values.ToList())
        {
            NodeDef? variable = null;
            if (node.Op == "ReadVariableOp" && node.Input.Count > 0)
            {
                variable = ResourceSource(node.Input[0], nodes);
            }
            else if (VariableOps.Contains(node.Op))
            {
                variable = node;
            }

            if (variable is null || (variable.Op != "VarHandleOp" && !VariableOps.Contains(variable.Op)))
            {
                continue;
            }

            var key = variables?.KeyOf(variable) ?? throw BuildConvertException.Create(DiagnosticCodes.TfVariableNotFound,
                $"node '{node.Name}' ({node.Op}) reads variable '{variable.Name}' ({variable.Op}), which has no value: {(variables is null ? "the model has no checkpoint (freeze the graph, or give the SavedModel folder)" : "the checkpoint has no entry for it")}", file);
            if (!byKey.TryGetValue(key, out var value))
            {
                value = variables.Read(key, node);
                byKey[key] = value;
            }

            var type = node.Op == "ReadVariableOp" ? TfNodes.TypeAttr(node, "dtype") : TfDataTypes.BaseType(TfNodes.TypeAttr(node, "dtype"));
            var constant = new NodeDef { Name = node.Name, Op = "Const", Device = node.Device };
            constant.Attr["dtype"] = new AttrValue { Type = type };
            nodes[node.Name] = constant;
            values[node.Name] = value;
        }

        return values;
    }

    // The node a resource input comes from, through Identity nodes.
    private static NodeDef? ResourceSource(string input, Dictionary<string, NodeDef> nodes)
    {
        for (var hops = 0; hops < 1000; hops++)
        {
            if (!nodes.TryGetValue(TfTensorRef.NodeOf(input), out var node))
            {
                return null;
            }

            if (node.Op is not ("Identity" or "IdentityN") || node.Input.Count == 0)
            {
                return node;
            }

            input = node.Input[node.Op == "IdentityN" ? Math.Min(TfTensorRef.Parse(input)?.Index ?? 0, node.Input.Count - 1) : 0];
        }

        return null;
    }

    // The nodes the roots need, through data inputs and control inputs from state-changing ops.
    private HashSet<string> Prune(Dictionary<string, NodeDef> nodes, IEnumerable<string> roots, Dictionary<TfTensorRef, TfTensorRef>? aliases)
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(roots);
        while (stack.Count > 0)
        {
            var name = stack.Pop();
            if (!kept.Add(name) || !nodes.TryGetValue(name, out var node))
            {
                continue;
            }

            foreach (var input in node.Input)
            {
                if (input.StartsWith('^'))
                {
                    if (nodes.TryGetValue(input[1..], out var source) && StateChangingOps.Contains(source.Op))
                    {
                        stack.Push(source.Name);
                    }

                    continue;
                }

                var reference = TfTensorRef.Parse(input) ?? throw Invalid($"node '{node.Name}' ({node.Op}) has a malformed input '{input}'");
                stack.Push((aliases is null ? reference : Resolve(reference, aliases)).Node);
            }
        }

        kept.IntersectWith(nodes.Keys);
        return kept;
    }

    private static bool KeepControl(string input, Dictionary<string, NodeDef> nodes, HashSet<string> kept) =>
        kept.Contains(input[1..]) && nodes.TryGetValue(input[1..], out var source) && StateChangingOps.Contains(source.Op);

    private FunctionDefLibrary KeptLibrary(IEnumerable<NodeDef> nodes, IReadOnlyDictionary<string, FunctionDef> functions)
    {
        var library = new FunctionDefLibrary();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<NodeDef>(nodes);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            var referenced = node.Attr.Values.SelectMany(FunctionNames).ToList();
            if (functions.ContainsKey(node.Op))
            {
                referenced.Add(node.Op);
            }

            foreach (var name in referenced)
            {
                if (seen.Add(name) && functions.TryGetValue(name, out var function))
                {
                    library.Function.Add(function);
                    foreach (var inner in function.NodeDef)
                    {
                        pending.Push(inner);
                    }
                }
            }
        }

        return library;
    }

    private static IEnumerable<string> FunctionNames(AttrValue value) => value.ValueCase switch
    {
        AttrValue.ValueOneofCase.Func => new[] { value.Func.Name },
        AttrValue.ValueOneofCase.List => value.List.Func.Select(f => f.Name),
        _ => Array.Empty<string>(),
    };

    private string ResolveInput(string input, Dictionary<TfTensorRef, TfTensorRef> aliases)
    {
        if (input.StartsWith('^'))
        {
            return input;
        }

        var reference = TfTensorRef.Parse(input) ?? throw Invalid($"an input '{input}' is malformed");
        return Resolve(reference, aliases).ToInput();
    }

    private TfTensorRef Resolve(TfTensorRef reference, Dictionary<TfTensorRef, TfTensorRef> aliases)
    {
        for (var hops = 0; aliases.TryGetValue(reference, out var next); hops++)
        {
            if (hops > options.MaxInlineDepth + 1000)
            {
                throw Invalid($"tensor '{reference}' is an output of calls that return each other");
            }

            reference = next;
        }

        return reference;
    }

    private NodeDef Require(TfTensorRef tensor, Dictionary<string, NodeDef> nodes, string role, string name)
    {
        if (!nodes.TryGetValue(tensor.Node, out var node))
        {
            throw BuildConvertException.Create(DiagnosticCodes.TfTensorNotFound,
                $"{role} '{name}' is tensor '{tensor}', but the graph has no node '{tensor.Node}'", file);
        }

        return node;
    }

    private static string Unique(string name, HashSet<string> names)
    {
        var candidate = name;
        for (var i = 1; !names.Add(candidate); i++)
        {
            candidate = $"{name}_{i}";
        }

        return candidate;
    }

    private BuildConvertException Invalid(string message) => BuildConvertException.Create(DiagnosticCodes.TfGraphInvalid, message, file);
}
