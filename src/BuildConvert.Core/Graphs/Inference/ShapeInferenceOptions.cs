namespace BuildConvert.Core.Graphs.Inference;

/// <summary>Options of <see cref="ShapeInference.Run"/>.</summary>
public sealed record ShapeInferenceOptions
{
    /// <summary>The default options.</summary>
    public static ShapeInferenceOptions Default { get; } = new();

    /// <summary>The rules to use; <see cref="InferenceRegistry.Default"/> unless set.</summary>
    public InferenceRegistry? Registry { get; init; }

    /// <summary>
    /// The most elements a small integer tensor may have for its contents to be tracked through shape arithmetic
    /// (Shape, Gather, Concat, ... feeding Reshape or Expand). Larger tensors are treated as opaque.
    /// </summary>
    public int MaxKnownValueElements { get; init; } = 64;

    /// <summary>
    /// Whether a dimension that depends on data (NonZero, Unique, NonMaxSuppression, Compress, ...) gets a fresh symbolic
    /// name (<c>unk__N</c>, unique in the model) rather than staying unknown, so equal sizes can be recognised downstream.
    /// </summary>
    public bool NameDataDependentDims { get; init; } = true;

    /// <summary>Whether subgraph bodies (If branches, Loop and Scan bodies) are inferred too.</summary>
    public bool InferSubgraphs { get; init; } = true;
}
