using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;
using BuildConvert.Protocol;
using BuildConvert.Tool.Reporting;

namespace BuildConvert.Tool.Commands;

/// <summary>
/// <c>buildconvert msbuild-batch --request FILE</c>: what the BuildConvert.MSBuild task runs, once per build, for every
/// stale <c>&lt;OnnxModel&gt;</c> item. The request and the JSON lines of the answer are defined once, in
/// <see cref="BatchProtocol"/> (shared with the task); the items' option keys come from the option catalog. Each item
/// goes through <see cref="ModelPipeline"/>, which commits the output atomically and leaves nothing at the output path
/// when anything fails; its status is <see cref="OutcomeRule"/>'s. Exit code 0 when every item passed, 1 otherwise.
/// </summary>
internal sealed class BatchCommand : ICliCommand
{
    /// <summary>The command's name, as the MSBuild task spells it.</summary>
    public const string Name = BatchProtocol.CommandName;

    public Command Create(CliContext context)
    {
        var request = new Option<string>(BatchProtocol.RequestSwitch) { Description = "The JSON request file written by the MSBuild task.", Required = true };
        var command = new Command(Name, "Convert, check and validate the models listed in a request file, printing JSON lines (used by the BuildConvert.MSBuild task).")
        {
            request,
        };
        command.Hidden = true;
        command.SetAction(parse => Run(context, parse.GetValue(request)!));
        return command;
    }

    /// <summary>Runs every item of the request at <paramref name="requestPath"/> and returns the exit code.</summary>
    internal static int Run(CliContext context, string requestPath)
    {
        var output = context.Stdout;
        BatchRequest request;
        try
        {
            request = BatchRequest.Read(requestPath, context.Services.Formats.Options);
        }
        catch (BuildConvertException e)
        {
            foreach (var diagnostic in e.Diagnostics)
            {
                WriteDiagnostic(output, diagnostic, item: null);
            }

            WriteDone(output, 0, 0);
            return ExitCodes.Usage;
        }

        // The task already resolved BuildConvertCacheDirectory, BUILDCONVERT_CACHE and BuildConvertCache=false into the request.
        var pipeline = ToolCache.Pipeline(context, request.CacheDirectory is { } cache ? new Core.Caching.ConversionCache(cache) : null);
        IModelValidator? validator = null;
        var failed = 0;
        foreach (var item in request.Items)
        {
            var passed = RunItem(context, pipeline, request.Options, item, () => validator ??= context.Services.CreateValidator());
            if (!passed)
            {
                failed++;
            }

            output.Flush();
        }

        WriteDone(output, request.Items.Count, failed);
        return failed == 0 ? ExitCodes.Success : ExitCodes.ModelFailed;
    }

    private static bool RunItem(CliContext context, Core.Caching.CachingModelPipeline pipeline, OptionCatalog catalog, BatchItem item, Func<IModelValidator> validator)
    {
        var output = context.Stdout;
        ConvertResult result;
        try
        {
            var options = item.ToOptions(catalog);
            var request = new ConvertRequest(item.Input, item.Output, options);
            using var limit = CommonOptions.TimeoutSource(options.TimeoutSeconds);
            try
            {
                result = pipeline.Convert(request, validator, limit.Token);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested)
            {
                var timedOut = DiagnosticCodes.TimedOut.Create(
                    $"'{item.Id}' was stopped after {options.TimeoutSeconds} s (the item's Timeout metadata); nothing was written", item.Input);
                WriteDiagnostic(output, timedOut, item.Id);
                var outcome = OutcomeRule.Of(new StageFailure(PipelineStage.Validate, FaultKind.Tool));
                WriteModel(output, item, outcome, null, Array.Empty<string>(), WriteReport(item, outcome, PipelineStage.Validate, new[] { timedOut }));
                return false;
            }
        }
        catch (BuildConvertException e)
        {
            // The item's options could not be read: nothing ran.
            var diagnostics = e.Diagnostics.Select(d => d with { File = d.File ?? item.Input }).ToArray();
            foreach (var diagnostic in diagnostics)
            {
                WriteDiagnostic(output, diagnostic, item.Id);
            }

            var outcome = OutcomeRule.Of(new StageFailure(PipelineStage.Detect, FaultKind.Input));
            WriteModel(output, item, outcome, null, Array.Empty<string>(), WriteReport(item, outcome, PipelineStage.Detect, diagnostics));
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var diagnostic = DiagnosticCodes.InternalError.Create(
                $"unexpected {e.GetType().Name} while converting '{item.Id}': {e.Message}. To reproduce, run: {item.ReproCommand()}",
                item.Input);
            WriteDiagnostic(output, diagnostic, item.Id);
            context.Stderr.WriteLine(e.ToString());
            WriteModel(output, item, PipelineOutcome.Error, null, Array.Empty<string>());
            return false;
        }

        foreach (var diagnostic in result.Diagnostics)
        {
            WriteDiagnostic(output, diagnostic with { File = diagnostic.File ?? item.Input }, item.Id);
        }

        var report = WriteReport(item, result);
        WriteModel(output, item, result.Outcome, result, result.Succeeded ? result.InputFiles : Array.Empty<string>(), report);
        return result.Succeeded;
    }

    /// <summary>The protocol's word for an outcome.</summary>
    internal static string Status(PipelineOutcome outcome) => outcome switch
    {
        PipelineOutcome.Passed => BatchProtocol.Statuses.Passed,
        PipelineOutcome.Failed => BatchProtocol.Statuses.Failed,
        _ => BatchProtocol.Statuses.Error,
    };

    /// <summary>
    /// Writes the item's full report (every diagnostic, the model summary, every output comparison of every data set,
    /// stage timings) to <c>&lt;output&gt;.report.json</c>, in the build's intermediate folder, so the one-line build
    /// error can say where the whole story is. Returns the path, or null when it could not be written (never fatal).
    /// </summary>
    private static string? WriteReport(BatchItem item, ConvertResult result) => WriteReport(item, new JsonObject
    {
        ["item"] = item.Id,
        ["input"] = item.Input,
        ["output"] = item.Output,
        ["status"] = Status(result.Outcome),
        ["stoppedAt"] = result.Failure?.Stage.Name(),
        ["format"] = result.Format,
        ["diagnostics"] = DiagnosticJson.ToJson(result.Diagnostics),
        ["summary"] = result.Summary is null ? null : JsonModels.Summary(result.Summary),
        ["validation"] = result.Validation is null ? null : JsonModels.Validation(result.Validation),
        ["timingsMs"] = JsonModels.Timings(result.Timings),
    });

    /// <summary>The report of an item stopped before or outside the pipeline (its options, its time limit).</summary>
    private static string? WriteReport(BatchItem item, PipelineOutcome outcome, PipelineStage stoppedAt, IReadOnlyList<Diagnostic> diagnostics) =>
        WriteReport(item, new JsonObject
        {
            ["item"] = item.Id,
            ["input"] = item.Input,
            ["output"] = item.Output,
            ["status"] = Status(outcome),
            ["stoppedAt"] = stoppedAt.Name(),
            ["format"] = null,
            ["diagnostics"] = DiagnosticJson.ToJson(diagnostics),
            ["summary"] = null,
            ["validation"] = null,
            ["timingsMs"] = null,
        });

    private static string? WriteReport(BatchItem item, JsonObject report)
    {
        var path = item.Output + ".report.json";
        try
        {
            var text = Encoding.UTF8.GetBytes(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            OutputSet.WriteFile(path, stream => stream.Write(text));
            return path;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void WriteDiagnostic(TextWriter output, Diagnostic diagnostic, string? item) =>
        output.WriteLine(DiagnosticJson.ToBatchLine(diagnostic, item).ToJsonString());

    private static void WriteModel(TextWriter output, BatchItem item, PipelineOutcome outcome, ConvertResult? result, IReadOnlyList<string> dependencies, string? report = null)
    {
        var status = Status(outcome);
        var summary = result?.Summary;
        var validation = result?.Validation;
        var checkerRan = result is not null && result.CheckerRan;
        var checkerPassed = result is not null && result.CheckerPassed;
        var opsets = summary is null ? "" : string.Join(" ", summary.Opsets.Select(o => $"{o.Domain} {o.Version.ToString(CultureInfo.InvariantCulture)}"));
        var validationText = validation is null
            ? "not validated"
            : validation.Passed
                ? FormattableString.Invariant($"validated on {validation.DataSets.Count} data set(s), max abs error {validation.WorstAbsError:G3}")
                : FormattableString.Invariant($"validation FAILED, max abs error {validation.WorstAbsError:G3}");
        var checkerText = !checkerRan ? "checker not run" : checkerPassed ? "checker passed" : "checker FAILED";
        var text = result?.Summary is null
            ? "not converted"
            : FormattableString.Invariant($"{result!.Format}, opset {(opsets.Length == 0 ? "?" : opsets)}, {checkerText}, {validationText}, {result.TotalTime.TotalMilliseconds:0} ms");
        if (report is not null && outcome != PipelineOutcome.Passed)
        {
            text += "; full report: " + report;
        }

        var line = new JsonObject
        {
            [BatchProtocol.Line.Kind] = BatchProtocol.Kinds.Model,
            [BatchProtocol.Model.Item] = item.Id,
            [BatchProtocol.Model.Status] = status,
            [BatchProtocol.Model.Input] = item.Input,
            [BatchProtocol.Model.Output] = result?.OutputPath,
            [BatchProtocol.Model.Format] = result?.Format,
            [BatchProtocol.Model.Opsets] = opsets,
            [BatchProtocol.Model.Checker] = !checkerRan ? null : checkerPassed ? BatchProtocol.Statuses.Passed : BatchProtocol.Statuses.Failed,
            [BatchProtocol.Model.Validation] = validation is null ? "skipped" : validation.Passed ? BatchProtocol.Statuses.Passed : BatchProtocol.Statuses.Failed,
            [BatchProtocol.Model.WorstAbsError] = validation is null ? null : JsonModels.Number(validation.WorstAbsError),
            [BatchProtocol.Model.TimeMs] = result is null ? null : Math.Round(result.TotalTime.TotalMilliseconds, 1),
            [BatchProtocol.Model.StoppedAt] = result?.Failure?.Stage.Name(),
            [BatchProtocol.Model.Summary] = text,
            [BatchProtocol.Model.Dependencies] = new JsonArray(dependencies.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
            [BatchProtocol.Model.Report] = report,
            [BatchProtocol.Model.Cached] = result is { Cached: true },
        };
        output.WriteLine(line.ToJsonString());
    }

    private static void WriteDone(TextWriter output, int models, int failed)
    {
        var line = new JsonObject
        {
            [BatchProtocol.Line.Kind] = BatchProtocol.Kinds.Done,
            [BatchProtocol.Done.Models] = models,
            [BatchProtocol.Done.Failed] = failed,
            [BatchProtocol.Done.Message] = FormattableString.Invariant($"{models - failed} of {models} model(s) passed"),
        };
        output.WriteLine(line.ToJsonString());
    }
}

/// <summary>The request file of <c>msbuild-batch</c>: <c>{"version": 1, "items": [ ... ]}</c> (keys in <see cref="BatchProtocol"/>).</summary>
internal sealed record BatchRequest(IReadOnlyList<BatchItem> Items, OptionCatalog Options)
{
    /// <summary>The conversion cache folder the task asked for (<see cref="BatchProtocol.Request.CacheDirectory"/>), or null.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Reads and checks a request file; item option keys are the request keys of <paramref name="options"/>.</summary>
    /// <exception cref="BuildConvertException">BCONV0002 when the file is missing; BCONV0003 when it is malformed.</exception>
    public static BatchRequest Read(string path, OptionCatalog options)
    {
        if (!File.Exists(path))
        {
            throw BuildConvertException.Create(DiagnosticCodes.InputNotFound, $"request file '{path}' does not exist", path);
        }

        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty(BatchProtocol.Request.Version, out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != BatchProtocol.Version
                || !root.TryGetProperty(BatchProtocol.Request.Items, out var items) || items.ValueKind != JsonValueKind.Array)
            {
                throw Malformed(path, $"expected {{\"{BatchProtocol.Request.Version}\": {BatchProtocol.Version}, \"{BatchProtocol.Request.Items}\": [...]}}");
            }

            var list = new List<BatchItem>();
            foreach (var element in items.EnumerateArray())
            {
                list.Add(BatchItem.FromJson(element, path, options));
            }

            var cache = root.TryGetProperty(BatchProtocol.Request.CacheDirectory, out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            return new BatchRequest(list, options) { CacheDirectory = string.IsNullOrWhiteSpace(cache) ? null : cache };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw Malformed(path, e.Message);
        }
    }

    internal static BuildConvertException Malformed(string path, string why) =>
        BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"request file '{path}' is not valid: {why}", path);
}

/// <summary>One model of a batch request, with the option texts exactly as the item metadata gave them.</summary>
/// <param name="Options">The non-blank option texts, by option, in catalog order.</param>
internal sealed record BatchItem(
    string Id,
    string Input,
    string Output,
    string? Golden,
    bool Validate,
    IReadOnlyList<KeyValuePair<ConversionOptionDescriptor, string>> Options)
{
    /// <summary>Reads one item object. A key that is neither a protocol key nor an option's request key means the task
    /// and the tool disagree about the protocol: the request is malformed.</summary>
    public static BatchItem FromJson(JsonElement element, string path, OptionCatalog catalog)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw BatchRequest.Malformed(path, "an item is not an object");
        }

        string? Text(string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        string Required(string name) =>
            Text(name) is { Length: > 0 } value ? value : throw BatchRequest.Malformed(path, $"an item has no '{name}'");

        var forwarded = catalog.ForwardedByTask;
        foreach (var property in element.EnumerateObject())
        {
            if (!BatchProtocol.Item.All.Contains(property.Name, StringComparer.Ordinal) && !forwarded.Any(o => o.RequestKey == property.Name))
            {
                throw BatchRequest.Malformed(path,
                    $"an item has the key '{property.Name}', which is neither a protocol key nor a known option (are the BuildConvert.MSBuild task and the tool from different versions?)");
            }
        }

        var options = forwarded
            .Select(o => KeyValuePair.Create(o, Text(o.RequestKey)))
            .Where(p => !string.IsNullOrWhiteSpace(p.Value))
            .Select(p => KeyValuePair.Create(p.Key, p.Value!))
            .ToArray();
        var validate = element.TryGetProperty(BatchProtocol.Item.Validate, out var v) && v.ValueKind == JsonValueKind.True;
        return new BatchItem(
            Required(BatchProtocol.Item.Id), Required(BatchProtocol.Item.Input), Required(BatchProtocol.Item.Output),
            Text(BatchProtocol.Item.Golden), validate, options);
    }

    /// <summary>The text given for <paramref name="option"/>, or null.</summary>
    public string? this[ConversionOptionDescriptor option] =>
        Options.FirstOrDefault(p => ReferenceEquals(p.Key, option)).Value;

    /// <summary>The pipeline options, parsed by the same descriptors the CLI uses; golden data only when <see cref="Validate"/>.</summary>
    /// <exception cref="BuildConvertException">BCONV0003 for a malformed value (naming the metadata), BCONV0008 when
    /// validation is asked for without golden data.</exception>
    public ConversionOptions ToOptions(OptionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var options = new ConversionOptions();
        var source = OptionSource.Item(Id, Input);
        foreach (var (option, text) in Options)
        {
            options = option.ApplyText(options, text, source);
        }

        if (Validate && string.IsNullOrWhiteSpace(Golden))
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenDataMissing,
                $"'{Id}' has Validate=true but no golden data: set Golden to a folder, or put it in '{Path.GetFileNameWithoutExtension(Input)}.golden' beside the model", Input);
        }

        return options with { Golden = Validate ? Golden : null };
    }

    /// <summary>The <c>buildconvert convert</c> command line that does what this item does.</summary>
    public string ReproCommand()
    {
        var parts = new List<string> { "buildconvert", "convert", Input, "-o", Output };
        foreach (var (option, text) in Options)
        {
            switch (option.Kind)
            {
                case OptionValueKind.Flag:
                    parts.Add(option.CliName);
                    parts.Add(text.Trim().ToLowerInvariant());
                    break;
                case OptionValueKind.List:
                    foreach (var entry in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        parts.Add(option.CliName);
                        parts.Add(entry);
                    }

                    break;
                default:
                    parts.Add(option.CliName);
                    parts.Add(text);
                    break;
            }
        }

        if (Validate && !string.IsNullOrWhiteSpace(Golden))
        {
            parts.Add(ConversionOptionTable.Golden.CliName);
            parts.Add(Golden);
        }

        return ShellQuoting.Join(parts);
    }
}
