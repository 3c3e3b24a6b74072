using System.Text.Json.Nodes;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Tool.Reporting;

/// <summary>How one model came out of a command.</summary>
internal enum ModelOutcome
{
    /// <summary>The model passed (read, checked, validated as the command asked).</summary>
    Passed,

    /// <summary>The model was processed and found wrong (checker errors, output mismatch).</summary>
    Failed,

    /// <summary>The model could not be processed (unreadable, could not run, golden data unusable).</summary>
    Error,

    /// <summary>The model was left out on purpose (a skip manifest entry).</summary>
    Skipped,
}

/// <summary>The result of one command on one model.</summary>
/// <param name="Path">The model (or model folder) as given or found.</param>
/// <param name="Outcome">How it came out.</param>
/// <param name="Diagnostics">Errors, warnings and notes about it.</param>
/// <param name="Detail">A short human note for the per-model line (e.g. <c>IR 8, opset 17, 12 nodes</c>).</param>
/// <param name="Json">Command-specific JSON properties for this model (summary, validation, output path).</param>
internal sealed record ModelReport(string Path, ModelOutcome Outcome, IReadOnlyList<Diagnostic> Diagnostics, string? Detail = null, JsonObject? Json = null)
{
    /// <summary>When true the per-model line is not printed for people (the command printed its own output).</summary>
    public bool Quiet { get; init; }

    /// <summary>The lower-case word used in reports: passed, failed, error, skipped.</summary>
    public string OutcomeText => Outcome switch
    {
        ModelOutcome.Passed => "passed",
        ModelOutcome.Failed => "failed",
        ModelOutcome.Error => "error",
        _ => "skipped",
    };
}

/// <summary>The report's words for the pipeline's outcomes.</summary>
internal static class ModelOutcomes
{
    /// <summary>The report outcome of <paramref name="outcome"/> (see <see cref="OutcomeRule"/>).</summary>
    public static ModelOutcome ToModelOutcome(this PipelineOutcome outcome) => outcome switch
    {
        PipelineOutcome.Passed => ModelOutcome.Passed,
        PipelineOutcome.Failed => ModelOutcome.Failed,
        _ => ModelOutcome.Error,
    };

    /// <summary>The report outcome of a run that stopped with <paramref name="failure"/> (null: it did not stop).</summary>
    public static ModelOutcome Of(StageFailure? failure) => OutcomeRule.Of(failure).ToModelOutcome();
}
