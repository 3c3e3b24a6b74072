using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Tool.Commands;

/// <summary>
/// <c>buildconvert msbuild-batch --request FILE</c>: what the BuildConvert.MSBuild task runs, once per build, for every
/// stale <c>&lt;OnnxModel&gt;</c> item. The request is one JSON document (<see cref="BatchRequest"/>); the answer is JSON
/// lines on stdout, one per diagnostic (<c>kind: diagnostic</c>, with code, severity, message, file, location, item)
/// and one per model (<c>kind: model</c>, with status, format, opset, checker and validation results, worst error,
/// time), then one <c>kind: done</c> line. Each item goes through <see cref="ModelPipeline"/>, which commits the output
/// atomically and leaves nothing at the output path when anything fails. Exit code 0 when every item passed, 1 otherwise.
/// </summary>
internal sealed class BatchCommand : ICliCommand
{
    /// <summary>The command's name, as the MSBuild task spells it.</summary>
    public const string Name = "msbuild-batch";

    public Command Create(CliContext context)
    {
        var request = new Option<string>("--request") { Description = "The JSON request file written by the MSBuild task.", Required = true };
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
            request = BatchRequest.Read(requestPath);
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

        var pipeline = new ModelPipeline(context.Services.Formats);
        IModelValidator? validator = null;
        var failed = 0;
        foreach (var item in request.Items)
        {
            var passed = RunItem(context, pipeline, item, () => validator ??= context.Services.CreateValidator());
            if (!passed)
            {
                failed++;
            }

            output.Flush();
        }

        WriteDone(output, request.Items.Count, failed);
        return failed == 0 ? ExitCodes.Success : ExitCodes.ModelFailed;
    }

    private static bool RunItem(CliContext context, ModelPipeline pipeline, BatchItem item, Func<IModelValidator> validator)
    {
        var output = context.Stdout;
        ConvertResult result;
        try
        {
            var options = item.ToOptions();
            var request = new ConvertRequest(item.Input, item.Output, options);
            result = pipeline.Convert(request, options.Golden is null ? null : validator());
        }
        catch (BuildConvertException e)
        {
            foreach (var diagnostic in e.Diagnostics)
            {
                WriteDiagnostic(output, diagnostic with { File = diagnostic.File ?? item.Input }, item.Id);
            }

            WriteModel(output, item, "error", null, Array.Empty<string>());
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var diagnostic = DiagnosticCodes.InternalError.Create(
                $"unexpected {e.GetType().Name} while converting '{item.Id}': {e.Message}. To reproduce, run: {item.ReproCommand()}",
                item.Input);
            WriteDiagnostic(output, diagnostic, item.Id);
            context.Stderr.WriteLine(e.ToString());
            WriteModel(output, item, "error", null, Array.Empty<string>());
            return false;
        }

        foreach (var diagnostic in result.Diagnostics)
        {
            WriteDiagnostic(output, diagnostic with { File = diagnostic.File ?? item.Input }, item.Id);
        }

        var status = result.Succeeded ? "passed" : result.Validation is { Passed: false } ? "failed" : "error";
        var report = WriteReport(item, status, result);
        WriteModel(output, item, status, result, result.Succeeded ? result.InputFiles : Array.Empty<string>(), report);
        return result.Succeeded;
    }

    /// <summary>
    /// Writes the item's full report (every diagnostic, the model summary, every output comparison of every data set,
    /// stage timings) to <c>&lt;output&gt;.report.json</c>, in the build's intermediate folder, so the one-line build
    /// error can say where the whole story is. Returns the path, or null when it could not be written (never fatal).
    /// </summary>
    private static string? WriteReport(BatchItem item, string status, ConvertResult result)
    {
        var path = item.Output + ".report.json";
        var report = new JsonObject
        {
            ["item"] = item.Id,
            ["input"] = item.Input,
            ["output"] = item.Output,
            ["status"] = status,
            ["format"] = result.Format,
            ["diagnostics"] = Reporting.CommandReport.ToJson(result.Diagnostics),
            ["summary"] = result.Summary is null ? null : Reporting.JsonModels.Summary(result.Summary),
            ["validation"] = result.Validation is null ? null : Reporting.JsonModels.Validation(result.Validation),
            ["timingsMs"] = Reporting.JsonModels.Timings(result.Timings),
        };
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void WriteDiagnostic(TextWriter output, Diagnostic diagnostic, string? item)
    {
        var line = new JsonObject
        {
            ["kind"] = "diagnostic",
            ["code"] = diagnostic.Code,
            ["severity"] = diagnostic.Severity switch
            {
                DiagnosticSeverity.Error => "error",
                DiagnosticSeverity.Warning => "warning",
                _ => "info",
            },
            ["message"] = diagnostic.Message,
            ["file"] = diagnostic.File,
            ["location"] = diagnostic.Location,
            ["helpLink"] = diagnostic.Descriptor.HelpLink,
            ["item"] = item,
        };
        output.WriteLine(line.ToJsonString());
    }

    private static void WriteModel(TextWriter output, BatchItem item, string status, ConvertResult? result, IReadOnlyList<string> dependencies, string? report = null)
    {
        var summary = result?.Summary;
        var validation = result?.Validation;
        var checkerRan = result is not null && result.Timings.Any(t => t.Stage == "check");
        var checkerPassed = checkerRan
            && !result!.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error && d.Code.StartsWith("BCONV3", StringComparison.Ordinal));
        var opsets = summary is null ? "" : string.Join(" ", summary.Opsets.Select(o => $"{o.Domain} {o.Version.ToString(CultureInfo.InvariantCulture)}"));
        var validationText = validation is null
            ? "not validated"
            : validation.Passed
                ? FormattableString.Invariant($"validated on {validation.DataSets.Count} data set(s), max abs error {validation.WorstAbsError:G3}")
                : FormattableString.Invariant($"validation FAILED, max abs error {validation.WorstAbsError:G3}");
        var text = result?.Summary is null
            ? "not converted"
            : FormattableString.Invariant($"{result!.Format}, opset {(opsets.Length == 0 ? "?" : opsets)}, checker {(checkerPassed ? "passed" : "not passed")}, {validationText}, {result.TotalTime.TotalMilliseconds:0} ms");
        if (report is not null && status != "passed")
        {
            text += "; full report: " + report;
        }

        var line = new JsonObject
        {
            ["kind"] = "model",
            ["item"] = item.Id,
            ["status"] = status,
            ["input"] = item.Input,
            ["output"] = result?.OutputPath,
            ["format"] = result?.Format,
            ["opsets"] = opsets,
            ["checker"] = !checkerRan ? null : checkerPassed ? "passed" : "failed",
            ["validation"] = validation is null ? "skipped" : validation.Passed ? "passed" : "failed",
            ["worstAbsError"] = validation is null ? null : Reporting.JsonModels.Number(validation.WorstAbsError),
            ["timeMs"] = result is null ? null : Math.Round(result.TotalTime.TotalMilliseconds, 1),
            ["summary"] = text,
            ["dependencies"] = new JsonArray(dependencies.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
            ["report"] = report,
        };
        output.WriteLine(line.ToJsonString());
    }

    private static void WriteDone(TextWriter output, int models, int failed)
    {
        var line = new JsonObject
        {
            ["kind"] = "done",
            ["models"] = models,
            ["failed"] = failed,
            ["message"] = FormattableString.Invariant($"{models - failed} of {models} model(s) passed"),
        };
        output.WriteLine(line.ToJsonString());
    }
}

/// <summary>The request file of <c>msbuild-batch</c>: <c>{"version": 1, "items": [ ... ]}</c>.</summary>
internal sealed record BatchRequest(IReadOnlyList<BatchItem> Items)
{
    /// <summary>Reads and checks a request file.</summary>
    /// <exception cref="BuildConvertException">BCONV0002 when the file is missing; BCONV0003 when it is malformed.</exception>
    public static BatchRequest Read(string path)
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
                || !root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != 1
                || !root.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
            {
                throw Malformed(path, "expected {\"version\": 1, \"items\": [...]}");
            }

            var list = new List<BatchItem>();
            foreach (var element in items.EnumerateArray())
            {
                list.Add(BatchItem.FromJson(element, path));
            }

            return new BatchRequest(list);
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
internal sealed record BatchItem(
    string Id,
    string Input,
    string Output,
    string? Golden,
    bool Validate,
    string? Format,
    string? Opset,
    string? Inputs,
    string? Outputs,
    string? InputShapes,
    string? Rtol,
    string? Atol,
    string? Tolerance = null)
{
    /// <summary>Reads one item object.</summary>
    public static BatchItem FromJson(JsonElement element, string path)
    {
        string? Text(string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        string Required(string name) =>
            Text(name) is { Length: > 0 } value ? value : throw BatchRequest.Malformed(path, $"an item has no '{name}'");

        var validate = element.TryGetProperty("validate", out var v) && v.ValueKind == JsonValueKind.True;
        return new BatchItem(
            Required("id"), Required("input"), Required("output"), Text("golden"), validate,
            Text("format"), Text("opset"), Text("inputs"), Text("outputs"), Text("inputShapes"), Text("rtol"), Text("atol"), Text("tolerance"));
    }

    /// <summary>The pipeline options; golden data only when <see cref="Validate"/>.</summary>
    /// <exception cref="BuildConvertException">BCONV0003 for a malformed value (naming the metadata), BCONV0008 when
    /// validation is asked for without golden data.</exception>
    public ConversionOptions ToOptions()
    {
        int? opset = null;
        if (!string.IsNullOrWhiteSpace(Opset))
        {
            opset = int.TryParse(Opset, NumberStyles.None, CultureInfo.InvariantCulture, out var o) && o > 0
                ? o
                : throw Invalid($"Opset '{Opset}' must be a positive whole number");
        }

        if (Validate && string.IsNullOrWhiteSpace(Golden))
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenDataMissing,
                $"'{Id}' has Validate=true but no golden data: set Golden to a folder, or put it in '{Path.GetFileNameWithoutExtension(Input)}.golden' beside the model", Input);
        }

        return new ConversionOptions
        {
            Format = string.IsNullOrWhiteSpace(Format) ? null : Format.Trim(),
            Opset = opset,
            Inputs = CommonOptions.SplitList(Inputs),
            Outputs = CommonOptions.SplitList(Outputs),
            InputShapes = InputShapeSpec.ParseList(InputShapes),
            Golden = Validate ? Golden : null,
            Tolerances = CommonOptions.ParseTolerances(ParseTolerance(Rtol, "Rtol"), ParseTolerance(Atol, "Atol"), PerOutput()),
        };
    }

    /// <summary>The <c>buildconvert convert</c> command line that does what this item does.</summary>
    public string ReproCommand()
    {
        var parts = new List<string> { "buildconvert", "convert", Quote(Input), "-o", Quote(Output) };
        void Add(string option, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                parts.Add(option);
                parts.Add(Quote(value));
            }
        }

        Add("--format", Format);
        Add("--opset", Opset);
        Add("--inputs", Inputs);
        Add("--outputs", Outputs);
        Add("--input-shapes", InputShapes);
        Add("--golden", Validate ? Golden : null);
        Add("--rtol", Rtol);
        Add("--atol", Atol);
        foreach (var entry in PerOutput())
        {
            Add("--tolerance", entry);
        }

        return string.Join(" ", parts);
    }

    /// <summary>The <c>Tolerance</c> metadata split into <c>output=rtol,atol</c> entries.</summary>
    private IReadOnlyList<string> PerOutput() =>
        string.IsNullOrWhiteSpace(Tolerance)
            ? Array.Empty<string>()
            : Tolerance.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private double? ParseTolerance(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid($"{name} '{text}' must be a number such as 1e-4");
    }

    private BuildConvertException Invalid(string why) =>
        BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"<OnnxModel> '{Id}': {why}", Input);

    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsLetterOrDigit(c) || "-_./=:,@+%".Contains(c)) ? value : "'" + value.Replace("'", "'\\''") + "'";
}
