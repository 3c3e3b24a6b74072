using BuildConvert.Core.Evaluation;
using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Graphs.Inference;
using BuildConvert.Core.Optimizers;

namespace BuildConvert.Core.Converters.TensorFlow;

/// <summary>
/// Turns a <see cref="TfGraph"/> into the core ONNX graph at the target opset (13-21, default 17): every node through
/// the TensorFlow converter registry, NHWC layouts through Transposes that the core's passes push and cancel.
/// </summary>
/// <remarks>
/// The steps: check the opset; collect the nodes the outputs need (data edges, stopping at the bound inputs); refuse
/// training-only and stateful ops (BCONV2100, all of them at once, control dependencies included) and ops without a
/// converter (BCONV2001, all at once) before converting anything; make the graph inputs (a dynamic size, -1, becomes a
/// symbolic dimension); convert the nodes in topological order, inferring types as the graph grows so that each
/// handler sees its inputs' types and shapes; then full shape inference and the layout passes (constant folding,
/// identity removal, Transpose push-through and cancellation, dead-code removal). The rest of
/// <see cref="GraphOptimizer"/> is the caller's (the format plugin runs it when asked). Knows nothing of the pipeline.
/// </remarks>
public static class TfModelConverter
{
    /// <summary>The ONNX opset used when the options name none.</summary>
    public const int DefaultOpset = 17;

    /// <summary>The lowest target opset.</summary>
    public const int MinOpset = 13;

    /// <summary>The highest target opset.</summary>
    public const int MaxOpset = 21;

    /// <summary>The TensorFlow converters, keyed by TensorFlow op and minimum ONNX opset (see <see cref="TfOpFamilies"/>).</summary>
    public static OpConverterRegistry<TfOpHandler> Registry { get; } = BuildRegistry();

    /// <summary>The passes every conversion runs: they fold what depends only on constants and cancel layout Transposes.</summary>
    private static readonly PassPipeline LayoutPasses = new(new IGraphPass[]
    {
        new ConstantFolding(), new IdentityElimination(), new TransposeOptimization(), new DeadCodeElimination(),
    });

    /// <summary>Converts <paramref name="graph"/> for ONNX opset <paramref name="opset"/> (default <see cref="DefaultOpset"/>);
    /// every op without a converter is reported at once (BCONV2001).</summary>
    /// <param name="graph">The graph, as a TensorFlow reader made it; not modified.</param>
    /// <param name="opset">The target ai.onnx opset, 13 to 21; null for <see cref="DefaultOpset"/>.</param>
    /// <param name="file">The model's path, named in diagnostics.</param>
    /// <param name="cancellationToken">Stops the conversion between nodes.</param>
    /// <returns>The model (owned by the caller) with the steps taken.</returns>
    /// <exception cref="BuildConvertException">BCONV2003 for an opset outside 13-21; BCONV2100 for training-only or
    /// stateful ops; BCONV2001 for ops without a converter; BCONV2101/BCONV2102 for a node or constant that cannot be
    /// converted as written.</exception>
    public static TfConversion Convert(TfGraph graph, int? opset, string? file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var target = opset ?? DefaultOpset;
        if (target is < MinOpset or > MaxOpset)
        {
            throw BuildConvertException.Create(DiagnosticCodes.OpsetOutOfRange,
                $"ai.onnx opset {target.ToString(CultureInfo.InvariantCulture)} is outside the range TensorFlow models can be converted to ({MinOpset} to {MaxOpset})", file);
        }

        try
        {
            return new Conversion(graph, target, file, cancellationToken).Run();
        }
        catch (BuildConvertException e) when (file is not null && e.Diagnostics.Any(d => d.File is null))
        {
            // Handlers and the tensor codec do not know the file; their errors get it here.
            throw new BuildConvertException(e.Diagnostics.Select(d => d with { File = d.File ?? file }).ToArray(), e);
        }
    }

    private static OpConverterRegistry<TfOpHandler> BuildRegistry()
    {
        var registry = new OpConverterRegistry<TfOpHandler>("TensorFlow");
        foreach (var register in TfOpFamilies.All)
        {
            register(registry);
        }

        return registry.Freeze();
    }

    /// <summary>The state of one conversion.</summary>
    private sealed class Conversion
    {
        private readonly TfGraph source;
        private readonly int opset;
        private readonly string? file;
        private readonly CancellationToken cancellation;
        private readonly Dictionary<string, NodeDef> byName = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Value> tensors = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> outputsUsed = new(StringComparer.Ordinal);
        private readonly ValueEvaluator evaluated = new();
        private readonly Model model;
        private readonly IncrementalShapeInference inference;
        private readonly TfFunctionConverter functions;

        public Conversion(TfGraph source, int opset, string? file, CancellationToken cancellation)
        {
            this.source = source;
            this.opset = opset;
            this.file = file;
            this.cancellation = cancellation;
            foreach (var node in source.Nodes)
            {
                if (!byName.TryAdd(node.Name, node))
                {
                    throw BuildConvertException.Create(DiagnosticCodes.TensorFlowNodeInvalid, $"node '{node.Name}' ({node.Op}): the graph has two nodes of this name", file, node.Name);
                }
            }

            model = new Model(opset, Onnx.OnnxOpsetConverter.MinimumIrVersion(opset)) { ProducerName = "BuildConvert", ProducerVersion = typeof(TfModelConverter).Assembly.GetName().Version?.ToString() ?? "" };
            inference = ShapeInference.Incremental(model);
            functions = new TfFunctionConverter(source.Library, ConvertInto);
        }

        public TfConversion Run()
        {
            var g = model.Graph;
            g.Name = "tensorflow";
            var bound = new HashSet<string>(source.Inputs.Select(i => Normalize(i.Tensor)), StringComparer.Ordinal);
            var order = Order(bound);
            CheckInferenceOnly(bound);
            var bodies = functions.ReachableBodyNodes(order).ToList();
            CheckBodiesInferenceOnly(bodies);
            var unsupported = Registry.FindUnsupported(order.Where(n => !functions.Has(n.Op))
                .Select(n => ("", n.Op, n.Name))
                .Concat(bodies.Where(b => !functions.Has(b.Node.Op)).Select(b => ("", b.Node.Op, $"{b.Function}/{b.Node.Name}"))), opset);
            if (unsupported.Count > 0)
            {
                throw UnsupportedOperator.Error("TensorFlow", unsupported, opset, file);
            }

            var unranked = source.Inputs.Where(i => i.Shape is null).ToArray();
            if (unranked.Length > 0)
            {
                throw BuildConvertException.Create(DiagnosticCodes.TensorFlowRankUnknown,
                    $"{Plural(unranked.Length, "input")} {string.Join(", ", unranked.Select(Describe))} of unknown rank: an ONNX graph input must declare its rank; " +
                    $"give it with --input-shapes / InputShapes, e.g. \"{string.Join(";", unranked.Select(i => i.Name + ":N"))}\" (N a dynamic dimension; nothing after the colon for a scalar)", file, unranked[0].Name);
            }

            var warnings = new List<Diagnostic>();
            foreach (var input in source.Inputs)
            {
                if (tensors.TryGetValue(Normalize(input.Tensor), out var first))
                {
                    // Two inputs naming one tensor (a signature may): a second ONNX input would be fed but never read.
                    warnings.Add(DiagnosticCodes.ConversionNote.Create(
                        $"input '{input.Name}' is the tensor {input.Tensor}, already the input '{first.Name}': the ONNX model has the one input '{first.Name}'", file, input.Name));
                    continue;
                }

                var type = TfDataTypes.ToOnnx(input.ElementType) ?? throw BuildConvertException.Create(DiagnosticCodes.TensorFlowNodeInvalid,
                    $"input '{input.Name}' ({input.Tensor}) has dtype {TfDataTypes.Name(input.ElementType)}, which has no ONNX form", file, input.Name);
                var shape = input.Shape?.Select((d, i) => d >= 0 ? Dim.Of(d) : Dim.Sym(SymbolName(input.Name, i))).ToArray();
                tensors[Normalize(input.Tensor)] = g.AddInput(input.Name, OnnxType.Tensor(type, shape));
            }

            foreach (var node in order)
            {
                cancellation.ThrowIfCancellationRequested();
                ConvertNode(node);
            }

            foreach (var output in source.Outputs)
            {
                AddOutput(output);
            }

            var steps = new List<string> { $"tensorflow -> onnx opset {opset}: {order.Count} node(s)" };
            ShapeInference.Run(model);
            steps.Add($"layout: {RunPasses(LayoutPasses)}");
            ShapeInference.Run(model);
            var unknown = g.Outputs.Where(o => o.Type is { IsTensor: true, Shape: null } or null).ToArray();
            if (unknown.Length > 0)
            {
                throw BuildConvertException.Create(DiagnosticCodes.TensorFlowRankUnknown,
                    $"{Plural(unknown.Length, "output")} {string.Join(", ", unknown.Select(o => $"'{o.Name}'"))} of unknown rank after shape inference (it depends on run-time values): an ONNX graph output must declare its rank; " +
                    "give the inputs' shapes with --input-shapes / InputShapes so that the rank follows", file, unknown[0].Name);
            }

            return new TfConversion(model, warnings, steps);
        }

        private OptimizationReport RunPasses(PassPipeline passes)
        {
            try
            {
                return passes.Run(model);
            }
            catch (Exception e) when (e is not (BuildConvertException or OutOfMemoryException or OperationCanceledException))
            {
                throw BuildConvertException.Create(DiagnosticCodes.ConversionStepFailed,
                    $"a pass failed on the converted TensorFlow graph ({e.GetType().Name}: {e.Message})", file, inner: e);
            }
        }

        /// <summary>The nodes the outputs need through data edges, inputs first; bound tensors end the walk.</summary>
        private List<NodeDef> Order(HashSet<string> bound)
        {
            var order = new List<NodeDef>();
            var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the stack, true: done
            var stack = new Stack<(NodeDef Node, int Next)>();
            foreach (var output in source.Outputs)
            {
                var tensor = Normalize(output.Tensor);
                NoteUse(tensor);
                if (!bound.Contains(tensor))
                {
                    Visit(NodeOf(tensor, $"output '{output.Name}'"));
                }
            }

            return order;

            void Visit(NodeDef root)
            {
                if (state.ContainsKey(root.Name))
                {
                    return;
                }

                state[root.Name] = false;
                stack.Push((root, 0));
                while (stack.Count > 0)
                {
                    var (node, next) = stack.Pop();
                    var inputs = DataInputs(node);
                    if (next < inputs.Count)
                    {
                        stack.Push((node, next + 1));
                        var tensor = inputs[next];
                        NoteUse(tensor);

                        if (bound.Contains(tensor))
                        {
                            continue;
                        }

                        var producer = NodeOf(tensor, $"node '{node.Name}' ({node.Op}) input {next}");
                        if (state.TryGetValue(producer.Name, out var done))
                        {
                            if (!done)
                            {
                                throw BuildConvertException.Create(DiagnosticCodes.TensorFlowNodeInvalid,
                                    $"node '{node.Name}' ({node.Op}): its inputs form a cycle through '{producer.Name}' outside any While loop", file, node.Name);
                            }

                            continue;
                        }

                        state[producer.Name] = false;
                        stack.Push((producer, 0));
                    }
                    else
                    {
                        state[node.Name] = true;
                        order.Add(node);
                    }
                }
            }
        }

        /// <summary>BCONV2100 when anything the outputs reach, through data or control edges, is training-only or stateful.</summary>
        private void CheckInferenceOnly(HashSet<string> bound)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var work = new Stack<string>(source.Outputs.Select(o => NodeName(Normalize(o.Tensor))));
            var offending = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            while (work.Count > 0)
            {
                var name = work.Pop();
                if (!seen.Add(name) || !byName.TryGetValue(name, out var node))
                {
                    continue;
                }

                if (TfOpFamilies.IsNotInference(node.Op))
                {
                    (offending.TryGetValue(node.Op, out var list) ? list : offending[node.Op] = new List<string>()).Add(node.Name);
                }

                foreach (var input in node.Input)
                {
                    var clean = input.StartsWith('^') ? input[1..] : input;
                    if (!input.StartsWith('^') && bound.Contains(Normalize(clean)))
                    {
                        continue;
                    }

                    work.Push(NodeName(clean));
                }
            }

            if (offending.Count > 0)
            {
                var groups = offending.OrderByDescending(p => p.Value.Count).ThenBy(p => p.Key, StringComparer.Ordinal)
                    .Select(p => new UnsupportedOperator("", p.Key, p.Value, null)).ToArray();
                var total = groups.Sum(o => o.NodeNames.Count);
                throw BuildConvertException.Create(DiagnosticCodes.NotAnInferenceOp,
                    $"the outputs depend on {groups.Length} training-only or stateful TensorFlow operator(s) in {total} node(s), which an ONNX model cannot express: {UnsupportedOperator.Describe(groups)}", file);
            }
        }

        private void ConvertNode(NodeDef node)
        {
            var inputs = DataInputs(node).Select((t, i) => tensors.TryGetValue(t, out var v) ? v
                : throw new InvalidOperationException($"input {i} of '{node.Name}' was not converted")).ToArray();
            var outputCount = outputsUsed.TryGetValue(node.Name, out var used) ? used : 0;
            IReadOnlyList<Value> outputs;
            if (functions.Has(node.Op))
            {
                outputs = functions.Convert(node.Op, model.Graph, inputs, node.Name, node);
                if (outputs.Count < outputCount)
                {
                    throw BuildConvertException.Create(DiagnosticCodes.TensorFlowFunctionInvalid,
                        $"node '{node.Name}' ({node.Op}): output {outputCount - 1} is read, and the function has {outputs.Count} output(s)", file, node.Name);
                }
            }
            else
            {
                outputs = ConvertInto(node, inputs, outputCount, model.Graph,
                    t => (byName.TryGetValue(NodeName(t), out var n) ? n : null, tensors.TryGetValue(Normalize(t), out var v) ? v : null));
            }

            for (var k = 0; k < outputCount; k++)
            {
                tensors[$"{node.Name}:{k.ToString(CultureInfo.InvariantCulture)}"] = outputs[k];
            }
        }

        /// <summary>Converts <paramref name="node"/> into <paramref name="target"/> (the main graph or a body) with its
        /// registered handler, infers the new nodes' types, and returns its first <paramref name="outputCount"/> outputs.</summary>
        private Value[] ConvertInto(NodeDef node, IReadOnlyList<Value> inputs, int outputCount, Graph target, Func<string, (NodeDef? Node, Value? Value)>? lookup)
        {
            cancellation.ThrowIfCancellationRequested();
            var builder = new OpBuilder(target, opset) { NamePrefix = node.Name };
            var context = new TfNodeContext(node, inputs, outputCount, builder, source, evaluated, functions) { Lookup = lookup };
            var before = target.Nodes.Count;
            var entry = Registry.Resolve(node.Op, opset) ?? throw UnsupportedOperator.Error("TensorFlow",
                new[] { new UnsupportedOperator("", node.Op, new[] { node.Name }, null) }, opset, file);
            entry.Handler(context);
            inference.Infer(target.Nodes.Skip(before).ToArray());
            var outputs = new Value[outputCount];
            for (var k = 0; k < outputCount; k++)
            {
                outputs[k] = context.Output(k) ?? throw BuildConvertException.Create(DiagnosticCodes.InternalError,
                    $"the {node.Op} converter set no value for output {k} of node '{node.Name}', which the graph reads", file, node.Name);
            }

            return outputs;
        }

        /// <summary>BCONV2100 when a function body that control flow runs holds a training-only or stateful op.</summary>
        private void CheckBodiesInferenceOnly(IReadOnlyList<(string Function, NodeDef Node)> bodies)
        {
            var offending = bodies.Where(b => TfOpFamilies.IsNotInference(b.Node.Op)).GroupBy(b => b.Node.Op, StringComparer.Ordinal)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new UnsupportedOperator("", g.Key, g.Select(b => $"{b.Function}/{b.Node.Name}").ToArray(), null)).ToArray();
            if (offending.Length > 0)
            {
                var total = offending.Sum(o => o.NodeNames.Count);
                throw BuildConvertException.Create(DiagnosticCodes.NotAnInferenceOp,
                    $"the outputs depend on {offending.Length} training-only or stateful TensorFlow operator(s) in {total} node(s) of control-flow function bodies, which an ONNX model cannot express: {UnsupportedOperator.Describe(offending)}", file);
            }
        }

        private void AddOutput(TfTensorBinding output)
        {
            var g = model.Graph;
            var value = tensors[Normalize(output.Tensor)];
            if (value.Producer is null || value.IsGraphOutput || value.Name != output.Name && model.Names.HasValue(output.Name))
            {
                value = new OpBuilder(g, opset) { NamePrefix = output.Name }.Op("Identity", value);
                inference.Infer(new[] { value.Producer! });
            }

            if (value.Name != output.Name)
            {
                if (model.Names.HasValue(output.Name))
                {
                    throw BuildConvertException.Create(DiagnosticCodes.TensorFlowNodeInvalid,
                        $"output '{output.Name}': the name is taken by an input or another output", file, output.Name);
                }

                g.Rename(value, output.Name);
            }

            if (value.Type is null && TfDataTypes.ToOnnx(output.ElementType) is { } type)
            {
                value.Type = OnnxType.Tensor(type, output.Shape?.Select((d, i) => d >= 0 ? Dim.Of(d) : Dim.Sym(SymbolName(output.Name, i))).ToArray());
            }

            g.Outputs.Add(value);
        }

        private void NoteUse(string tensor)
        {
            var name = NodeName(tensor);
            var index = OutputIndex(tensor);
            outputsUsed[name] = System.Math.Max(outputsUsed.GetValueOrDefault(name), index + 1);
        }

        private NodeDef NodeOf(string tensor, string reader) =>
            byName.TryGetValue(NodeName(tensor), out var node) ? node
                : throw BuildConvertException.Create(DiagnosticCodes.TensorFlowNodeInvalid, $"{reader} reads '{tensor}', and the graph has no node '{NodeName(tensor)}'", file);

        private static List<string> DataInputs(NodeDef node) =>
            node.Input.Where(i => !i.StartsWith('^')).Select(Normalize).ToList();

        /// <summary><c>x</c> and <c>x:0</c> are the same tensor; the canonical form is <c>x:0</c>.</summary>
        internal static string Normalize(string tensor)
        {
            var colon = tensor.LastIndexOf(':');
            return colon > 0 && int.TryParse(tensor.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _) ? tensor : tensor + ":0";
        }

        private static string NodeName(string tensor)
        {
            var t = Normalize(tensor);
            return t[..t.LastIndexOf(':')];
        }

        private static int OutputIndex(string tensor)
        {
            var t = Normalize(tensor);
            return int.Parse(t.AsSpan(t.LastIndexOf(':') + 1), NumberStyles.None, CultureInfo.InvariantCulture);
        }

        private static string Plural(int count, string noun) => count == 1 ? noun : $"{count} {noun}s";

        private static string Describe(TfTensorBinding binding) =>
            binding.Name == binding.Tensor ? $"'{binding.Name}'" : $"'{binding.Name}' ({binding.Tensor})";

        private static string SymbolName(string tensor, int dim)
        {
            var baseName = new string(tensor.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
            return $"{baseName}_dim{dim.ToString(CultureInfo.InvariantCulture)}";
        }
    }
}

/// <summary>What <see cref="TfModelConverter.Convert"/> made: the model (owned by the caller), non-fatal diagnostics,
/// and one line per notable step for reports.</summary>
public sealed record TfConversion(Model Model, IReadOnlyList<Diagnostic> Warnings, IReadOnlyList<string> Steps);
