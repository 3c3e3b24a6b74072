using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Golden;

namespace BuildConvert.Core.Pipeline;

/// <summary>
/// What <see cref="ModelPipeline.Convert"/> did. When <see cref="Succeeded"/> is false there is no file at the output
/// path and <see cref="Diagnostics"/> holds at least one error.
/// </summary>
/// <param name="Succeeded">True when the output was written, checked, validated (if golden data was given) and committed.</param>
/// <param name="Diagnostics">Every diagnostic, errors first as they happened.</param>
/// <param name="InputPath">The source model.</param>
/// <param name="OutputPath">The committed output, or null when nothing was committed.</param>
/// <param name="Format">The detected or requested source format, or null when it could not be decided.</param>
/// <param name="Summary">The converted model's summary, when import succeeded.</param>
/// <param name="Validation">The golden-data validation report, when validation ran.</param>
/// <param name="Timings">How long each stage took, in pipeline order.</param>
public sealed record ConvertResult(
    bool Succeeded,
    IReadOnlyList<Diagnostic> Diagnostics,
    string InputPath,
    string? OutputPath,
    string? Format,
    ModelSummary? Summary,
    ValidationReport? Validation,
    IReadOnlyList<StageTiming> Timings)
{
    /// <summary>Files besides the input the conversion read (e.g. ONNX external data), as full paths.</summary>
    public IReadOnlyList<string> InputFiles { get; init; } = Array.Empty<string>();

    /// <summary>The conversion steps applied (opset adapters, passes), one line each, for reports.</summary>
    public IReadOnlyList<string> Steps { get; init; } = Array.Empty<string>();

    /// <summary>True when the outputs were restored from the conversion cache (nothing was converted or validated in
    /// this run; the checker and validation results are those of the run that stored them).</summary>
    public bool Cached { get; init; }

    /// <summary>Where the run stopped and whose fault it was; null when it succeeded.</summary>
    public StageFailure? Failure { get; init; }

    /// <summary>Passed, failed or error, by <see cref="OutcomeRule"/>.</summary>
    public PipelineOutcome Outcome => OutcomeRule.Of(Failure);

    /// <summary>Whether the checker ran (on the source or on the converted model).</summary>
    public bool CheckerRan => Cached || Timings.Any(t => t.Stage == PipelineStage.Check.Name() || t.Stage == PipelineStage.CheckSource.Name());

    /// <summary>Whether the checker ran to the end on the converted model and found no error, nor on the source.</summary>
    public bool CheckerPassed => Cached || Timings.Any(t => t.Stage == PipelineStage.Check.Name()) && Failure?.Stage is not (PipelineStage.Check or PipelineStage.CheckSource);

    /// <summary>The total time over all stages.</summary>
    public TimeSpan TotalTime => Timings.Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Elapsed);
}

/// <summary>The time one pipeline stage (<see cref="PipelineStage"/> in lower case: <c>detect</c>, <c>import</c>, <c>convert</c>, <c>check</c>, <c>write</c>, <c>validate</c>, <c>commit</c>) took.</summary>
public sealed record StageTiming(string Stage, TimeSpan Elapsed);
