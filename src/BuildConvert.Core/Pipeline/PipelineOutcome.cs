using BuildConvert.Core.Golden;

namespace BuildConvert.Core.Pipeline;

/// <summary>The stages of the pipeline, in the order a model goes through them.</summary>
public enum PipelineStage
{
    /// <summary>Finding the input and its format (also: the input or golden folder does not exist, options are malformed).</summary>
    Detect,

    /// <summary>Reading the input into a source graph (also: an option the format does not take).</summary>
    Import,

    /// <summary>Checking the source as read (its problems are the user's: for ONNX the checker on the input file).</summary>
    CheckSource,

    /// <summary>Turning the source graph into ONNX.</summary>
    Convert,

    /// <summary>The ONNX checker on the converted model, in memory (its problems are the converter's).</summary>
    Check,

    /// <summary>Writing the model (and its data file) into a staging folder beside the output.</summary>
    Write,

    /// <summary>Running the model on golden inputs and comparing its outputs.</summary>
    Validate,

    /// <summary>Renaming the checked, validated file into place.</summary>
    Commit,
}

/// <summary>Who has to act on a problem.</summary>
public enum FaultKind
{
    /// <summary>The user's model is wrong: unreadable, unsupported, rejected by the checker, or its outputs do not match.</summary>
    Model,

    /// <summary>Another input of the user's is wrong or missing: an option, a path, the golden data.</summary>
    Input,

    /// <summary>BuildConvert or its environment failed: a bug, a crash, a file the operating system would not write, a time limit.</summary>
    Tool,
}

/// <summary>Where a run stopped and whose problem it was.</summary>
public sealed record StageFailure(PipelineStage Stage, FaultKind Fault);

/// <summary>How a model came out of the pipeline (or of a command that runs some of its stages).</summary>
public enum PipelineOutcome
{
    /// <summary>Every stage that was asked for ran and found nothing wrong.</summary>
    Passed,

    /// <summary>The model was read and judged wrong: checker errors, or outputs out of tolerance.</summary>
    Failed,

    /// <summary>The model could not be judged: its input could not be processed, or BuildConvert failed.</summary>
    Error,
}

/// <summary>
/// The one rule that turns where a run stopped into passed/failed/error, used by <c>convert</c>, <c>verify</c>,
/// <c>check</c> and <c>msbuild-batch</c> alike: <see cref="PipelineOutcome.Failed"/> only when the check or validate
/// stage judged the user's model wrong; anything else that stopped a run is <see cref="PipelineOutcome.Error"/>.
/// </summary>
public static class OutcomeRule
{
    /// <summary>The outcome of a run that stopped with <paramref name="failure"/> (null: it did not stop).</summary>
    public static PipelineOutcome Of(StageFailure? failure) => failure switch
    {
        null => PipelineOutcome.Passed,
        { Fault: FaultKind.Model, Stage: PipelineStage.CheckSource or PipelineStage.Check or PipelineStage.Validate } => PipelineOutcome.Failed,
        _ => PipelineOutcome.Error,
    };

    /// <summary>Where a validation that did not pass stopped: the model's fault when an output was compared and was out
    /// of tolerance, otherwise the golden data's or the run's (nothing was judged).</summary>
    public static StageFailure? OfValidation(ValidationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Passed)
        {
            return null;
        }

        var mismatch = report.DataSets.SelectMany(d => d.Outputs).Any(o => !o.Passed);
        return new StageFailure(PipelineStage.Validate, mismatch ? FaultKind.Model : FaultKind.Input);
    }

    /// <summary>The lower-case stage name used in timings and reports (<c>check</c>, <c>check-source</c>).</summary>
    public static string Name(this PipelineStage stage) =>
        stage == PipelineStage.CheckSource ? "check-source" : stage.ToString().ToLowerInvariant();
}
