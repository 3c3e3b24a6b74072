namespace BuildConvert.Core.Graphs.Inference;

/// <summary>
/// Shape and type inference over a whole <see cref="Model"/>: every graph is walked in topological order (If branches
/// and Loop/Scan bodies included, their inputs typed from the parent node and outer-scope values visible), and each
/// node's rule (from an <see cref="InferenceRegistry"/>, chosen by the opset in force) sets the types of its outputs.
/// Small integer tensors computed from shapes are tracked (ONNX's data propagation), so that, e.g.,
/// <c>Reshape(x, Concat(Shape(x)[0], -1))</c> keeps the symbolic batch dimension.
/// </summary>
/// <remarks>
/// Inferred types are merged into <see cref="Value.Type"/>: a declared type is never loosened (unknown dimensions and
/// element types are filled in; a symbolic dimension may become fixed), and where declared and inferred disagree the
/// declared type stays and an <see cref="InferenceConflict"/> is recorded. Unknown operators and operators without a
/// rule leave their outputs as declared. Nothing is thrown for model content. Graph inputs and initializers are not
/// changed. Not thread-safe for one model; separate models may be inferred in parallel.
/// </remarks>
public static class ShapeInference
{
    /// <summary>Infers and sets the types of every node output in <paramref name="model"/>.</summary>
    /// <param name="model">The model; its values' <see cref="Value.Type"/> are updated in place.</param>
    /// <param name="options">Options; <see cref="ShapeInferenceOptions.Default"/> when null.</param>
    /// <returns>The conflicts, errors and operators without a rule that the run found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public static ShapeInferenceResult Run(Model model, ShapeInferenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var run = new InferenceRun(model, options ?? ShapeInferenceOptions.Default);
        run.InferGraph(model.Graph);
        return run.Result;
    }

    /// <summary>
    /// Starts an inference that a converter feeds node by node as it builds <paramref name="model"/>, so that each
    /// step sees the types (and the small integer values) of what it reads. Types are merged as <see cref="Run"/> does.
    /// </summary>
    public static IncrementalShapeInference Incremental(Model model, ShapeInferenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new IncrementalShapeInference(new InferenceRun(model, options ?? ShapeInferenceOptions.Default));
    }

    /// <summary>
    /// Merges an inferred type into a declared one without loosening it: unknown parts of <paramref name="declared"/>
    /// are filled from <paramref name="inferred"/>, a symbolic dimension becomes fixed when inferred fixed, and each
    /// disagreement (kind, element type, rank, a fixed dimension) is added to <paramref name="disagreements"/>.
    /// </summary>
    public static OnnxType? Merge(OnnxType? declared, OnnxType? inferred, IList<string> disagreements)
    {
        ArgumentNullException.ThrowIfNull(disagreements);
        if (declared is null)
        {
            return inferred;
        }

        if (inferred is null)
        {
            return declared;
        }

        if (declared.Kind != inferred.Kind)
        {
            disagreements.Add($"declared a {declared.Kind}, inferred a {inferred.Kind}");
            return declared;
        }

        switch (declared.Kind)
        {
            case OnnxTypeKind.Tensor:
            case OnnxTypeKind.SparseTensor:
                var result = declared;
                if (declared.ElementType == default)
                {
                    result = result.WithElementType(inferred.ElementType);
                }
                else if (inferred.ElementType != default && inferred.ElementType != declared.ElementType)
                {
                    disagreements.Add($"element type {Values.ElementTypes.Name(declared.ElementType)} declared, {Values.ElementTypes.Name(inferred.ElementType)} inferred");
                }

                return result.WithShape(MergeShape(declared.Shape, inferred.Shape, disagreements));
            case OnnxTypeKind.Sequence:
                return OnnxType.Sequence(Merge(declared.Element, inferred.Element, disagreements)) with { Denotation = declared.Denotation };
            case OnnxTypeKind.Optional:
                return OnnxType.Optional(Merge(declared.Element, inferred.Element, disagreements)) with { Denotation = declared.Denotation };
            default:
                return declared;
        }
    }

    private static IReadOnlyList<Dim>? MergeShape(IReadOnlyList<Dim>? declared, IReadOnlyList<Dim>? inferred, IList<string> disagreements)
    {
        if (declared is null)
        {
            return inferred;
        }

        if (inferred is null)
        {
            return declared;
        }

        if (declared.Count != inferred.Count)
        {
            disagreements.Add($"rank {declared.Count} declared, {inferred.Count} inferred");
            return declared;
        }

        var dims = new Dim[declared.Count];
        for (var i = 0; i < dims.Length; i++)
        {
            var d = declared[i];
            var n = inferred[i];
            if (d.Value is { } dv)
            {
                if (n.Value is { } nv && nv != dv)
                {
                    disagreements.Add($"dimension {i} is {dv} declared, {nv} inferred");
                }

                dims[i] = d;
            }
            else if (n.Value is not null || d.IsUnknown)
            {
                dims[i] = n with { Denotation = d.Denotation ?? n.Denotation };
            }
            else
            {
                dims[i] = d;
            }
        }

        return dims;
    }
}

/// <summary>
/// Shape inference fed node by node (<see cref="ShapeInference.Incremental"/>): <see cref="Infer"/> sets the output types
/// of nodes whose inputs are typed already, in the order given. Not thread-safe; one per model being built.
/// </summary>
public sealed class IncrementalShapeInference
{
    private readonly InferenceRun run;

    internal IncrementalShapeInference(InferenceRun run) => this.run = run;

    /// <summary>Infers the outputs of <paramref name="nodes"/>, in order (each should read only values typed before it).</summary>
    public void Infer(IEnumerable<Node> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        foreach (var node in nodes)
        {
            run.InferNode(node);
        }
    }

    /// <summary>What the run has found so far.</summary>
    public ShapeInferenceResult Result => run.Result;
}
