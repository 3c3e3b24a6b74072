using System.Diagnostics;
using BuildConvert.Core.Checking;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.Core.Pipeline;

/// <summary>
/// Runs one conversion end to end: detect the format, import the source and check it (its problems are the user's),
/// convert it to the core graph with the options applied, check the converted model in memory (its problems are the
/// converter's: BCONV2004), write it (and its data file) deterministically into an <see cref="OutputSet"/> staged
/// beside the output, validate it there against golden data when given, and only then commit the set. Any stale output is deleted first, and on any failure nothing is left at
/// the output path, so a failed run never looks up to date. A run that stops records where and whose fault it was
/// (<see cref="ConvertResult.Failure"/>, judged by <see cref="OutcomeRule"/>). Options the detected format does not take
/// are BCONV0005 before import. Stateless: one instance may run many conversions at once.
/// </summary>
public sealed class ModelPipeline
{
    private const string DataSuffix = ".data";

    private readonly FormatRegistry formats;

    /// <summary>Makes a pipeline over <paramref name="formats"/> (<see cref="FormatRegistry.CreateDefault"/> when null).</summary>
    public ModelPipeline(FormatRegistry? formats = null)
    {
        this.formats = formats ?? FormatRegistry.CreateDefault();
    }

    /// <summary>Converts <paramref name="request"/>.</summary>
    /// <param name="request">What to convert and where to.</param>
    /// <param name="validator">Runs golden validation; required when <see cref="ConversionOptions.Golden"/> is set.</param>
    /// <param name="cancellationToken">Stops between stages; a cancelled run leaves no output.</param>
    /// <returns>The result; problems with the model or its data are diagnostics in it, never exceptions.</returns>
    /// <exception cref="ArgumentException">The request is malformed (empty paths).</exception>
    /// <exception cref="InvalidOperationException">Golden data is given but <paramref name="validator"/> is null.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public ConvertResult Convert(ConvertRequest request, IModelValidator? validator, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.InputPath);
        ArgumentException.ThrowIfNullOrEmpty(request.OutputPath);
        if (request.Options.Golden is not null && validator is null)
        {
            throw new InvalidOperationException("golden data was given but no validator");
        }

        // The checker's schema table and the inference rules load once per process; on the second core, while the
        // source is read, they are ready when the check needs them.
        _ = Task.Run(WarmUp);
        var run = new Run(request);
        using var outputs = OutputSetFor(request.OutputPath);
        return Execute(run, validator, outputs, cancellationToken);
    }

    /// <summary>The output set of a model at <paramref name="output"/>: its data file, then the model.</summary>
    internal static OutputSet OutputSetFor(string output)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output));
        return OutputSet.ForFile(full, Path.GetFileName(full) + DataSuffix);
    }

    private ConvertResult Execute(Run run, IModelValidator? validator, OutputSet outputs, CancellationToken cancellationToken)
    {
        var request = run.Request;
        var input = request.InputPath;
        var output = outputs.FinalPath(outputs.Members[^1]);
        if (string.Equals(Path.GetFullPath(input), output, StringComparison.Ordinal))
        {
            return run.Fail(PipelineStage.Write, FaultKind.Input, DiagnosticCodes.InvalidOption.Create($"the output path '{output}' is the input model itself; choose another output", input));
        }

        if (Directory.Exists(output))
        {
            return run.Fail(PipelineStage.Write, FaultKind.Input, DiagnosticCodes.OutputNotWritten.Create($"output path '{output}' is a folder", output));
        }

        try
        {
            outputs.RemoveExisting();
        }
        catch (IOException e)
        {
            return run.Fail(PipelineStage.Write, FaultKind.Tool, DiagnosticCodes.OutputNotWritten.Create(e.Message, output));
        }

        if (!File.Exists(input) && !Directory.Exists(input))
        {
            return run.Fail(PipelineStage.Detect, FaultKind.Input, DiagnosticCodes.InputNotFound.Create($"input model '{input}' does not exist", input));
        }

        var options = request.Options;
        if (options.Golden is { } golden && !Directory.Exists(golden))
        {
            return run.Fail(PipelineStage.Detect, FaultKind.Input, DiagnosticCodes.InputNotFound.Create($"golden data folder '{golden}' does not exist", golden));
        }

        IModelFormat format;
        using (run.Stage(PipelineStage.Detect))
        {
            if (!run.Try(() => formats.Resolve(input, options.Format), FaultKind.Model, out format!))
            {
                return run.Result();
            }
        }

        run.Format = format.Name;
        cancellationToken.ThrowIfCancellationRequested();
        SourceModel source;
        using (run.Stage(PipelineStage.Import))
        {
            var unused = formats.Options.Unused(format, options, input);
            if (unused.Count > 0)
            {
                run.Diagnostics.AddRange(unused);
                run.Failure = new StageFailure(PipelineStage.Import, FaultKind.Input);
                return run.Result();
            }

            if (!run.Try(() => format.Import(input, options, cancellationToken), FaultKind.Model, out source!))
            {
                return run.Result();
            }
        }

        run.Diagnostics.AddRange(source.Warnings);
        run.InputFiles = source.InputFiles;
        run.Summary = source.Summarize();
        cancellationToken.ThrowIfCancellationRequested();

        using (run.Stage(PipelineStage.CheckSource))
        {
            var found = format.CheckSource(source);
            run.Diagnostics.AddRange(found);
            if (run.HasErrors)
            {
                run.Failure = new StageFailure(PipelineStage.CheckSource, FaultKind.Model);
                return run.Result();
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        ConvertedModel converted;
        ModelProto model;
        using (run.Stage(PipelineStage.Convert))
        {
            if (!run.Try(() => format.Convert(source, options, cancellationToken), FaultKind.Model, out converted!))
            {
                return run.Result();
            }

            run.Diagnostics.AddRange(converted.Warnings);
            run.Steps = converted.Steps;
            model = OnnxGraphExporter.ToProto(converted.Model);
            run.Summary = ModelSummary.FromModel(model) with { ExternalDataBytes = source.ExternalDataBytes };
        }

        cancellationToken.ThrowIfCancellationRequested();
        using (run.Stage(PipelineStage.Check))
        {
            // The source passed its own checks, so whatever the checker finds now is the converter's fault.
            var seen = new HashSet<(string, string)>(run.Diagnostics.Select(d => (d.Code, d.Message)));
            foreach (var diagnostic in OnnxChecker.Check(model, input))
            {
                if (diagnostic.Severity == DiagnosticSeverity.Error)
                {
                    run.Diagnostics.Add(DiagnosticCodes.ConvertedModelInvalid.Create(
                        $"the converted model breaks checker rule {diagnostic.Code}: {diagnostic.Message}", input, diagnostic.Location));
                }
                else if (seen.Add((diagnostic.Code, diagnostic.Message)))
                {
                    run.Diagnostics.Add(diagnostic);
                }
            }

            if (run.HasErrors)
            {
                run.Failure = new StageFailure(PipelineStage.Check, FaultKind.Tool);
                return run.Result();
            }
        }

        var name = outputs.Members[^1];
        string staged;
        using (run.Stage(PipelineStage.Write))
        {
            // The model and its data file are written under their final names into the set's staging folder beside the
            // output, validated there (ONNX Runtime finds the data file by its relative name), and only then moved into
            // place; a process killed on the way leaves only the staging folder, which the next run for this output removes.
            try
            {
                outputs.Open();
            }
            catch (IOException e)
            {
                return run.Fail(PipelineStage.Write, FaultKind.Tool, DiagnosticCodes.OutputNotWritten.Create(e.Message, output));
            }

            var external = request.ExternalData ?? source.HadExternalData;
            var writeOptions = external
                ? new OnnxWriteOptions { ExternalData = true, ExternalDataFileName = name + DataSuffix }
                : OnnxWriteOptions.Default;
            if (!run.Try(() => OnnxModelWriter.WriteStaged(model, outputs, writeOptions), FaultKind.Tool, out var written))
            {
                return run.Result();
            }

            // The model was checked in memory; what only exists on disk is the data file its references name.
            staged = outputs.Stage(name);
            if (external && CheckWrittenExternalData(written!, staged, input, outputs) is { Count: > 0 } problems)
            {
                run.Diagnostics.AddRange(problems);
                run.Failure = new StageFailure(PipelineStage.Write, FaultKind.Tool);
                return run.Result();
            }
        }

        if (options.Golden is { } goldenFolder)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (run.Stage(PipelineStage.Validate))
            {
                var report = validator!.Validate(staged, model, goldenFolder, options.Tolerances, cancellationToken);
                run.Validation = report;
                run.Diagnostics.AddRange(report.Diagnostics.Select(d =>
                    string.Equals(d.File, staged, StringComparison.Ordinal) ? d with { File = input, Message = outputs.Unstage(d.Message) } : d));
                if (!report.Passed)
                {
                    run.Failure = OutcomeRule.OfValidation(report);
                    if (!run.HasErrors)
                    {
                        run.Failure = new StageFailure(PipelineStage.Validate, FaultKind.Tool);
                        run.Diagnostics.Add(DiagnosticCodes.InternalError.Create(
                            "golden validation failed without an error diagnostic", goldenFolder));
                    }

                    return run.Result();
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        using (run.Stage(PipelineStage.Commit))
        {
            try
            {
                outputs.Commit();
                run.Committed = true;
                run.OutputPath = output;
            }
            catch (IOException e)
            {
                return run.Fail(PipelineStage.Commit, FaultKind.Tool, DiagnosticCodes.OutputNotWritten.Create(e.Message, output));
            }
        }

        // A source may keep its tensors in memory it does not own (the ONNX reader's mapped file); it stays reachable,
        // and so does that memory, until the run is over.
        GC.KeepAlive(source);
        return run.Result();
    }

    /// <summary>The external-data references of the written model, held to the path rules against the files on disk;
    /// a problem is the writer's fault (BCONV2004).</summary>
    private static List<Diagnostic> CheckWrittenExternalData(ModelProto written, string path, string input, OutputSet outputs)
    {
        var directory = Path.GetDirectoryName(path) ?? ".";
        var problems = new List<Diagnostic>();
        foreach (var tensor in ModelTensors.All(written))
        {
            if (ExternalDataReference.IsExternal(tensor) && ExternalDataLoader.Validate(tensor, directory, path, out _, out _) is { } problem)
            {
                problems.Add(DiagnosticCodes.ConvertedModelInvalid.Create(
                    $"the written model's external data breaks rule {problem.Code}: {outputs.Unstage(problem.Message)}", input, problem.Location));
            }
        }

        return problems;
    }

    private static void WarmUp()
    {
        _ = OperatorSchemaRegistry.Default;
        _ = Graphs.Inference.InferenceRegistry.Default;
    }

    /// <summary>The state of one conversion while it runs.</summary>
    private sealed class Run
    {
        private readonly List<StageTiming> timings = new();
        private StageTimer? open;

        public Run(ConvertRequest request) => Request = request;

        public ConvertRequest Request { get; }

        public List<Diagnostic> Diagnostics { get; } = new();

        public string? Format { get; set; }

        public ModelSummary? Summary { get; set; }

        public ValidationReport? Validation { get; set; }

        public string? OutputPath { get; set; }

        public IReadOnlyList<string> InputFiles { get; set; } = Array.Empty<string>();

        public IReadOnlyList<string> Steps { get; set; } = Array.Empty<string>();

        public bool Committed { get; set; }

        /// <summary>Where the run stopped; null while it goes on.</summary>
        public StageFailure? Failure { get; set; }

        public PipelineStage Current { get; private set; } = PipelineStage.Detect;

        public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

        public IDisposable Stage(PipelineStage stage)
        {
            Current = stage;
            open = new StageTimer(this, stage.Name());
            return open;
        }

        /// <summary>Runs <paramref name="action"/>; a coded exception stops the run at the current stage with <paramref name="fault"/>.</summary>
        public bool Try<T>(Func<T> action, FaultKind fault, out T? value)
        {
            try
            {
                value = action();
                return true;
            }
            catch (BuildConvertException e)
            {
                Diagnostics.AddRange(e.Diagnostics);
                Failure ??= new StageFailure(Current, fault);
                value = default;
                return false;
            }
        }

        public ConvertResult Fail(PipelineStage stage, FaultKind fault, Diagnostic diagnostic)
        {
            Diagnostics.Add(diagnostic);
            Failure ??= new StageFailure(stage, fault);
            return Result();
        }

        /// <summary>The result so far; the stage it is called from (the one that stopped the run) is timed too.</summary>
        public ConvertResult Result()
        {
            open?.Dispose();
            return Snapshot();
        }

        private ConvertResult Snapshot() => new(
            Committed && !HasErrors,
            Diagnostics.ToArray(),
            Request.InputPath,
            Committed ? OutputPath : null,
            Format,
            Summary,
            Validation,
            timings.ToArray())
        {
            InputFiles = InputFiles,
            Steps = Steps,
            Failure = Committed && !HasErrors ? null : Failure ?? new StageFailure(Current, FaultKind.Tool),
        };

        private sealed class StageTimer : IDisposable
        {
            private readonly Run run;
            private readonly string name;
            private readonly long start = Stopwatch.GetTimestamp();

            public StageTimer(Run run, string name)
            {
                this.run = run;
                this.name = name;
            }

            private bool stopped;

            public void Dispose()
            {
                if (!stopped)
                {
                    stopped = true;
                    run.timings.Add(new StageTiming(name, Stopwatch.GetElapsedTime(start)));
                }
            }
        }
    }
}
