using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Evaluation;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Graphs.Inference;
using BuildConvert.Core.Optimizers;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript;

/// <summary>
/// Turns a <see cref="TorchGraph"/> (a TorchScript method symbolically executed into ATen-level nodes by the front end)
/// into the core ONNX graph at the target opset (13-21, default 17): every node through the ATen converter registry.
/// </summary>
/// <remarks>
/// The steps: check the opset; refuse every operator without a converter at once (BCONV2001, with counts, block nodes
/// included) before converting anything; make the graph inputs (tensors with their dtype and rank; int, float and bool
/// inputs as 0-D int64, double and bool tensors; a dimension without a size becomes a symbolic one); convert the nodes
/// in order, inferring types as the graph grows so that each handler sees its inputs' types and shapes (values known at
/// conversion time stay constants and never become nodes unless a tensor needs them; weights become initializers once,
/// named after their module path); name the outputs; then full shape inference and the core passes (constant
/// folding, which folds the shape arithmetic of static dimensions, identity removal, dead-code removal). Knows nothing
/// of the pipeline.
/// </remarks>
public static class TorchModelConverter
{
    /// <summary>The ONNX opset used when the options name none.</summary>
    public const int DefaultOpset = 17;

    /// <summary>The lowest target opset.</summary>
    public const int MinOpset = 13;

    /// <summary>The highest target opset.</summary>
    public const int MaxOpset = 21;

    /// <summary>The ATen converters, keyed by operator (domain <c>aten</c> or <c>prim</c>) and minimum ONNX opset (see <see cref="TorchOpFamilies"/>).</summary>
    public static OpConverterRegistry<TorchOpHandler> Registry { get; } = BuildRegistry();

    private static readonly PassPipeline Passes = new(new IGraphPass[]
    {
        new ConstantFolding(), new IdentityElimination(), new DeadCodeElimination(),
    });

    /// <summary>Converts <paramref name="graph"/> for ONNX opset <paramref name="opset"/> (default <see cref="DefaultOpset"/>);
    /// every operator without a converter is reported at once (BCONV2001).</summary>
    /// <param name="graph">The graph the TorchScript front end made; not modified.</param>
    /// <param name="opset">The target ai.onnx opset, 13 to 21; null for <see cref="DefaultOpset"/>.</param>
    /// <param name="file">The archive's path, named in diagnostics.</param>
    /// <param name="cancellationToken">Stops the conversion between nodes.</param>
    /// <returns>The model (owned by the caller) with the steps taken.</returns>
    /// <exception cref="BuildConvertException">BCONV2003 for an opset outside 13-21; BCONV2001 for operators without a
    /// converter; BCONV2200-BCONV2205 for a node, input or output that cannot be converted as written.</exception>
    public static TorchConversion Convert(TorchGraph graph, int? opset, string? file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var target = opset ?? DefaultOpset;
        if (target is < MinOpset or > MaxOpset)
        {
            throw BuildConvertException.Create(DiagnosticCodes.OpsetOutOfRange,
                $"ai.onnx opset {target.ToString(CultureInfo.InvariantCulture)} is outside the range TorchScript models can be converted to ({MinOpset} to {MaxOpset})", file);
        }

        try
        {
            return new Conversion(graph, target, file, cancellationToken).Run();
        }
        catch (BuildConvertException e) when (file is not null && e.Diagnostics.Any(d => d.File is null))
        {
            throw new BuildConvertException(e.Diagnostics.Select(d => d with { File = d.File ?? file }).ToArray(), e);
        }
    }

    /// <summary>Splits <c>aten::add</c> into the registry's domain and operator.</summary>
    internal static (string Domain, string Op) SplitKind(string kind)
    {
        var at = kind.IndexOf("::", StringComparison.Ordinal);
        return at < 0 ? ("", kind) : (kind[..at], kind[(at + 2)..]);
    }

    private static OpConverterRegistry<TorchOpHandler> BuildRegistry()
    {
        var registry = new OpConverterRegistry<TorchOpHandler>("TorchScript");
        foreach (var register in TorchOpFamilies.All)
        {
            register(registry);
        }

        return registry.Freeze();
    }

    /// <summary>The state of one conversion.</summary>
    internal sealed class Conversion
    {
        private readonly TorchGraph source;
        private readonly int opset;
        private readonly string? file;
        private readonly CancellationToken cancellation;
        private readonly Dictionary<TorchValue, TorchSlot> slots = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<TorchTensorConstant, Value> weights = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<TorchTensorConstant, string> weightNames = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<TorchValue> used = new(ReferenceEqualityComparer.Instance);
        private readonly ValueEvaluator evaluator = new();
        private readonly Model model;
        private readonly IncrementalShapeInference inference;
        private int nodeCount;

        public Conversion(TorchGraph source, int opset, string? file, CancellationToken cancellation)
        {
            this.source = source;
            this.opset = opset;
            this.file = file;
            this.cancellation = cancellation;
            model = new Model(opset, Onnx.OnnxOpsetConverter.MinimumIrVersion(opset)) { ProducerName = "BuildConvert", ProducerVersion = typeof(TorchModelConverter).Assembly.GetName().Version?.ToString() ?? "" };
            inference = ShapeInference.Incremental(model);
        }

        public TorchConversion Run()
        {
            var g = model.Graph;
            g.Name = "torchscript";
            if (source.OutputNames.Count != source.Outputs.Count)
            {
                throw Signature($"the graph has {source.Outputs.Count} output(s) and {source.OutputNames.Count} output name(s)", null);
            }

            var unsupported = Registry.FindUnsupported(AllNodes(source.Nodes).Select(n =>
            {
                var (domain, op) = SplitKind(n.Kind);
                return (domain, op, n.Outputs.Count > 0 ? n.Outputs[0].Name : "");
            }), opset);
            if (unsupported.Count > 0)
            {
                throw UnsupportedOperator.Error("TorchScript", unsupported, opset, file);
            }

            NoteUses(source.Nodes);
            foreach (var output in source.Outputs)
            {
                used.Add(output);
            }

            foreach (var input in source.Inputs)
            {
                slots[input] = MakeInput(input);
            }

            ConvertNodes(source.Nodes, g);
            for (var k = 0; k < source.Outputs.Count; k++)
            {
                AddOutput(source.Outputs[k], source.OutputNames[k]);
            }

            var steps = new List<string> { $"torchscript -> onnx opset {opset}: {nodeCount} node(s)" };
            ShapeInference.Run(model);
            try
            {
                steps.Add($"passes: {Passes.Run(model)}");
            }
            catch (Exception e) when (e is not (BuildConvertException or OutOfMemoryException or OperationCanceledException))
            {
                throw BuildConvertException.Create(DiagnosticCodes.ConversionStepFailed,
                    $"a pass failed on the converted TorchScript graph ({e.GetType().Name}: {e.Message})", file, inner: e);
            }

            ShapeInference.Run(model);
            var unknown = g.Outputs.Where(o => o.Type is not { IsTensor: true, Shape: not null }).ToArray();
            if (unknown.Length > 0)
            {
                throw Signature($"output(s) {string.Join(", ", unknown.Select(o => $"'{o.Name}'"))} have an unknown element type or rank after shape inference (they depend on run-time values); give the inputs' shapes with --input-shapes / InputShapes", unknown[0].Name);
            }

            return new TorchConversion(model, Array.Empty<Diagnostic>(), steps);
        }

        /// <summary>Infers the output types of <paramref name="nodes"/>, in order.</summary>
        public void Infer(IReadOnlyList<Node> nodes) => inference.Infer(nodes);

        /// <summary>Whether <paramref name="value"/> is read by a node or is a graph output.</summary>
        public bool IsUsed(TorchValue value) => used.Contains(value);

        /// <summary>Converts <paramref name="block"/> into <paramref name="target"/> with its parameters bound; returns its results.</summary>
        public IReadOnlyList<TorchSlot> ConvertBlock(TorchBlock block, Graph target, IReadOnlyList<TorchSlot> arguments)
        {
            if (arguments.Count != block.Inputs.Count)
            {
                throw BuildConvertException.Create(DiagnosticCodes.TorchScriptControlFlowInvalid,
                    $"a block has {block.Inputs.Count} parameter(s) and is given {arguments.Count} argument(s)", file);
            }

            for (var i = 0; i < arguments.Count; i++)
            {
                slots[block.Inputs[i]] = arguments[i];
            }

            ConvertNodes(block.Nodes, target);
            return block.Outputs.Select(Lookup).ToArray();
        }

        /// <summary><paramref name="slot"/> as a tensor of <paramref name="builder"/>'s graph, or null for None, strings and lists.</summary>
        public Value? AsTensor(TorchSlot slot, OpBuilder builder)
        {
            switch (slot.Kind)
            {
                case TorchSlotKind.Tensor:
                case TorchSlotKind.Scalar:
                case TorchSlotKind.IntVector:
                    return slot.Value;
                case TorchSlotKind.Constant:
                    return slot.Constant switch
                    {
                        TorchTensorConstant t => Weight(t),
                        long l => builder.Const(TensorData.FromInt64s(new[] { l }, Array.Empty<long>()), "int"),
                        double d => builder.Const(TensorData.FromDoubles(new[] { d }, Array.Empty<long>()), "float"),
                        bool b => builder.Const(TensorData.Scalar(DataType.Bool, b ? 1 : 0), "bool"),
                        _ => null,
                    };
                default:
                    return null;
            }
        }

        /// <summary>An int list slot as a 1-D int64 tensor, or null when it is not one.</summary>
        public Value? AsIntVector(TorchSlot slot, OpBuilder builder)
        {
            switch (slot.Kind)
            {
                case TorchSlotKind.IntVector:
                    return slot.Value;
                case TorchSlotKind.Constant when slot.Constant is long l:
                    return builder.Int64s(l);
                case TorchSlotKind.Constant when slot.Constant is IReadOnlyList<object> list && list.All(o => o is long):
                    return builder.Int64s(list.Cast<long>().ToArray());
                case TorchSlotKind.List:
                    var parts = new List<Value>();
                    var run = new List<long>();
                    foreach (var item in slot.Items!)
                    {
                        if (TryFold(item) is long c)
                        {
                            run.Add(c);
                            continue;
                        }

                        if (item.Kind is not (TorchSlotKind.Scalar or TorchSlotKind.Tensor))
                        {
                            return null;
                        }

                        if (run.Count > 0)
                        {
                            parts.Add(builder.Int64s(run.ToArray()));
                            run.Clear();
                        }

                        var v = item.Value!;
                        if (TorchNodeContext.ElementTypeOrNull(v) != DataType.Int64)
                        {
                            v = builder.Cast(v, DataType.Int64);
                        }

                        parts.Add(builder.Reshape(v, new long[] { 1 }));
                    }

                    if (run.Count > 0 || parts.Count == 0)
                    {
                        parts.Add(builder.Int64s(run.ToArray()));
                    }

                    return parts.Count == 1 ? parts[0] : builder.Op("Concat", parts, NodeAttribute.Of("axis", 0L));
                default:
                    return null;
            }
        }

        /// <summary>The items of a list slot, or null when its length is unknown or it is not a list.</summary>
        public IReadOnlyList<TorchSlot>? ItemsOf(TorchSlot slot, OpBuilder builder)
        {
            switch (slot.Kind)
            {
                case TorchSlotKind.List:
                    return slot.Items;
                case TorchSlotKind.Constant when slot.Constant is IReadOnlyList<object> list:
                    return list.Select(o => TorchSlot.OfConstant(o)).ToArray();
                case TorchSlotKind.IntVector when slot.Length is { } n:
                    if (TryFold(slot) is IReadOnlyList<object> folded)
                    {
                        return folded.Select(o => TorchSlot.OfConstant(o)).ToArray();
                    }

                    // x.size() of a tensor with some fixed dimensions: those items are constants (they fold
                    // the shape arithmetic that follows and keep the shapes after it known).
                    var known = slot.Value is { Producer: { OpType: "Shape", Attributes.Count: 0 } shape } && shape.Input(0) is { } shaped
                        && TorchNodeContext.ShapeOf(shaped) is { } dims && dims.Count == n ? dims : null;
                    return Enumerable.Range(0, n).Select(i => known?[i] is { IsFixed: true } fixedDim ? TorchSlot.OfConstant(fixedDim.Value!.Value) : TorchSlot.OfScalar(
                        builder.Op("Gather", new[] { slot.Value!, builder.Const(TensorData.FromInt64s(new[] { (long)i }, Array.Empty<long>()), "index") }, NodeAttribute.Of("axis", 0L)),
                        TorchTypeKind.Int)).ToArray();
                default:
                    return null;
            }
        }

        /// <summary>The constant a run-time scalar or int list turns out to be (computed from constants and static
        /// shapes with the reference evaluator), or null.</summary>
        public object? TryFold(TorchSlot slot)
        {
            switch (slot.Kind)
            {
                case TorchSlotKind.Constant:
                    return slot.Constant;
                case TorchSlotKind.Scalar:
                    if (evaluator.Evaluate(slot.Value!) is { ElementCount: 1 } s)
                    {
                        return slot.ScalarKind switch
                        {
                            TorchTypeKind.Int => s.ToInt64s()[0],
                            TorchTypeKind.Bool => s.ToDoubles()[0] != 0,
                            _ => s.ToDoubles()[0],
                        };
                    }

                    return null;
                case TorchSlotKind.IntVector:
                    return evaluator.Evaluate(slot.Value!) is { FitsInt64: true } v ? v.ToInt64s().Cast<object>().ToArray() : null;
                default:
                    return null;
            }
        }

        private void ConvertNodes(IReadOnlyList<TorchNode> nodes, Graph target)
        {
            foreach (var node in nodes)
            {
                cancellation.ThrowIfCancellationRequested();
                ConvertNode(node, target);
            }
        }

        private void ConvertNode(TorchNode node, Graph target)
        {
            nodeCount++;
            var inputs = node.Inputs.Select(Lookup).ToArray();
            var (domain, op) = SplitKind(node.Kind);
            var entry = Registry.Resolve(op, opset, domain) ?? throw UnsupportedOperator.Error("TorchScript",
                new[] { new UnsupportedOperator(domain, op, new[] { node.Outputs.FirstOrDefault()?.Name ?? "" }, null) }, opset, file);
            var name = node.Outputs.Count > 0 ? node.Outputs[0].Name : op;
            var builder = new OpBuilder(target, opset) { NamePrefix = name };
            var context = new TorchNodeContext(this, node, inputs, builder);
            try
            {
                entry.Handler(context);
            }
            catch (ArgumentException e) when (e is not ArgumentNullException)
            {
                throw context.Error(e.Message);
            }

            context.Infer();
            for (var k = 0; k < node.Outputs.Count; k++)
            {
                var slot = context.OutputSlot(k);
                if (slot is null)
                {
                    if (used.Contains(node.Outputs[k]))
                    {
                        throw BuildConvertException.Create(DiagnosticCodes.InternalError,
                            $"the {node.Kind} converter set no value for result {k} of node '{name}', which the graph reads", file, name);
                    }

                    continue;
                }

                slots[node.Outputs[k]] = slot;
            }
        }

        private TorchSlot Lookup(TorchValue value)
        {
            if (slots.TryGetValue(value, out var slot))
            {
                return slot;
            }

            if (value.Constant is { } constant)
            {
                NameWeights(constant, value.Name);
                slot = TorchSlot.OfConstant(constant);
                slots[value] = slot;
                return slot;
            }

            throw BuildConvertException.Create(DiagnosticCodes.TorchScriptNodeInvalid,
                $"value '{value.Name}' is read before any node computes it and is neither an input nor a constant", file, value.Name);
        }

        private void NameWeights(object constant, string name)
        {
            if (constant is TorchTensorConstant t)
            {
                weightNames.TryAdd(t, name);
            }
            else if (constant is IReadOnlyList<object> list)
            {
                for (var i = 0; i < list.Count; i++)
                {
                    NameWeights(list[i], $"{name}.{i.ToString(CultureInfo.InvariantCulture)}");
                }
            }
        }

        private Value Weight(TorchTensorConstant constant)
        {
            if (!weights.TryGetValue(constant, out var value))
            {
                var name = weightNames.TryGetValue(constant, out var n) ? n : "constant";
                value = model.Graph.AddInitializer(name, constant.Data);
                weights[constant] = value;
            }

            return value;
        }

        private TorchSlot MakeInput(TorchValue input)
        {
            var g = model.Graph;
            var type = input.Type.Kind == TorchTypeKind.Optional ? input.Type.Elements[0] : input.Type;
            switch (type.Kind)
            {
                case TorchTypeKind.Tensor:
                    if (input.ElementType is not { } element || !TorchScalarTypes.IsTorchType(element))
                    {
                        throw Signature($"input '{input.Name}' is a tensor of {(input.ElementType is { } e ? $"element type {e}, which PyTorch does not have" : "unknown element type")}; give its type", input.Name);
                    }

                    if (input.Shape is not { } shape)
                    {
                        throw Signature($"input '{input.Name}' is a tensor of unknown rank: an ONNX graph input must declare its rank; give it with --input-shapes / InputShapes, e.g. \"{input.Name}:N,3,224,224\"", input.Name);
                    }

                    var dims = shape.Select((d, i) => d.IsUnknown || d.Value is < 0 ? Dim.Sym(SymbolName(input.Name, i)) : d).ToArray();
                    return TorchSlot.OfTensor(g.AddInput(input.Name, OnnxType.Tensor(element, dims)));
                case TorchTypeKind.Int:
                    return TorchSlot.OfScalar(g.AddInput(input.Name, OnnxType.Tensor(DataType.Int64, Array.Empty<Dim>())), TorchTypeKind.Int);
                case TorchTypeKind.Float:
                    return TorchSlot.OfScalar(g.AddInput(input.Name, OnnxType.Tensor(DataType.Double, Array.Empty<Dim>())), TorchTypeKind.Float);
                case TorchTypeKind.Bool:
                    return TorchSlot.OfScalar(g.AddInput(input.Name, OnnxType.Tensor(DataType.Bool, Array.Empty<Dim>())), TorchTypeKind.Bool);
                default:
                    throw Signature($"input '{input.Name}' is of type {input.Type}, which has no ONNX tensor form", input.Name);
            }
        }

        private void AddOutput(TorchValue output, string name)
        {
            var g = model.Graph;
            var slot = Lookup(output);
            var builder = new OpBuilder(g, opset) { NamePrefix = name };
            var value = AsTensor(slot, builder)
                ?? throw Signature($"output '{name}' ({output.Name}) is {TorchNodeContext.Describe(slot)}, which has no ONNX tensor form", name);
            if (value.Producer is null || value.IsGraphOutput || value.Owner != g || (value.Name != name && model.Names.HasValue(name)))
            {
                value = builder.Op("Identity", value);
                inference.Infer(new[] { value.Producer! });
            }

            if (value.Name != name)
            {
                if (model.Names.HasValue(name))
                {
                    throw Signature($"output '{name}': the name is taken by an input or another output", name);
                }

                g.Rename(value, name);
            }

            g.Outputs.Add(value);
        }

        private void NoteUses(IEnumerable<TorchNode> nodes)
        {
            foreach (var node in nodes)
            {
                foreach (var input in node.Inputs)
                {
                    used.Add(input);
                }

                foreach (var block in node.Blocks)
                {
                    NoteUses(block.Nodes);
                    foreach (var output in block.Outputs)
                    {
                        used.Add(output);
                    }
                }
            }
        }

        private static IEnumerable<TorchNode> AllNodes(IEnumerable<TorchNode> nodes)
        {
            foreach (var node in nodes)
            {
                yield return node;
                foreach (var inner in node.Blocks.SelectMany(b => AllNodes(b.Nodes)))
                {
                    yield return inner;
                }
            }
        }

        private BuildConvertException Signature(string message, string? location) =>
            BuildConvertException.Create(DiagnosticCodes.TorchScriptSignatureInvalid, message, file, location);

        private static string SymbolName(string tensor, int dim)
        {
            var baseName = new string(tensor.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
            return $"{baseName}_dim{dim.ToString(CultureInfo.InvariantCulture)}";
        }

    }
}

/// <summary>What <see cref="TorchModelConverter.Convert"/> made: the model (owned by the caller), non-fatal diagnostics,
/// and one line per notable step for reports.</summary>
public sealed record TorchConversion(Model Model, IReadOnlyList<Diagnostic> Warnings, IReadOnlyList<string> Steps);
