using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Tool.Reporting;

/// <summary>
/// Collects what a command found and prints it: for people, a line per model on stdout as it comes and each diagnostic
/// on stderr in <c>file: error BCONVxxxx: message</c> form, then a summary; with <c>--json</c>, nothing until the end
/// and then exactly one JSON document on stdout (diagnostics are inside it, not on stderr).
/// </summary>
internal sealed class CommandReport
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly HashSet<string> UsageCodes = new(StringComparer.Ordinal)
    {
        DiagnosticCodes.CommandLineUsage.Code,
        DiagnosticCodes.InputNotFound.Code,
        DiagnosticCodes.InvalidOption.Code,
    };

    // Option problems found while processing one model (for example an output path equal to the input) are misuse too.
    private static readonly HashSet<string> ModelUsageCodes = new(StringComparer.Ordinal)
    {
        DiagnosticCodes.CommandLineUsage.Code,
        DiagnosticCodes.InvalidOption.Code,
    };

    private readonly CliContext? context;
    private readonly List<ModelReport> models = new();
    private readonly List<Diagnostic> diagnostics = new();

    /// <summary>Starts a report that prints through <paramref name="context"/>.</summary>
    public CommandReport(CliContext context, string command, bool json)
        : this(command, json)
    {
        this.context = context;
    }

    /// <summary>Starts a report that only writes when asked (<see cref="WriteJson"/>).</summary>
    public CommandReport(string command, bool json)
    {
        Command = command;
        Json = json;
    }

    /// <summary>The command's name (<c>check</c>, <c>verify</c>, ...).</summary>
    public string Command { get; }

    /// <summary>Whether output is JSON.</summary>
    public bool Json { get; }

    /// <summary>Where to write a SARIF log of every diagnostic, or null.</summary>
    public string? SarifPath { get; init; }

    /// <summary>Properties added to the top level of the JSON document.</summary>
    public JsonObject Extra { get; } = new();

    /// <summary>The models reported so far.</summary>
    public IReadOnlyList<ModelReport> Models => models;

    /// <summary>The exit code the report implies: 2 for command-line problems (BCONV0001-0003, or BCONV0001/0003 on a
    /// model), 1 when a model did not pass or another error was reported, else 0.</summary>
    public int ExitCode
    {
        get
        {
            if (diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error && UsageCodes.Contains(d.Code))
                || models.SelectMany(m => m.Diagnostics).Any(d => d.Severity == DiagnosticSeverity.Error && ModelUsageCodes.Contains(d.Code)))
            {
                return ExitCodes.Usage;
            }

            if (diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error)
                || models.Any(m => m.Outcome is ModelOutcome.Failed or ModelOutcome.Error))
            {
                return ExitCodes.ModelFailed;
            }

            return ExitCodes.Success;
        }
    }

    /// <summary>Records (and for people, prints) one model's result.</summary>
    public void AddModel(ModelReport model)
    {
        models.Add(model);
        if (Json || context is null)
        {
            return;
        }

        var word = model.Outcome switch
        {
            ModelOutcome.Passed => "ok     ",
            ModelOutcome.Failed => "FAILED ",
            ModelOutcome.Error => "ERROR  ",
            _ => "skipped",
        };
        if (!model.Quiet)
        {
            context.Stdout.WriteLine(DiagnosticEscaping.Escape(model.Detail is null ? $"{word} {model.Path}" : $"{word} {model.Path} ({model.Detail})"));
        }

        foreach (var diagnostic in model.Diagnostics.Where(d => d.Severity != DiagnosticSeverity.Info))
        {
            context.Stderr.WriteLine(DiagnosticText.Format(diagnostic));
        }
    }

    /// <summary>Records (and for people, prints) a diagnostic that belongs to no single model.</summary>
    public void AddDiagnostic(Diagnostic diagnostic)
    {
        diagnostics.Add(diagnostic);
        if (!Json && context is not null)
        {
            context.Stderr.WriteLine(DiagnosticText.Format(diagnostic));
        }
    }

    /// <summary>Whether the models came from searching a folder (<c>check folder</c>, <c>verify --recursive</c>): then
    /// the summary line is printed even for one model, so a script can tell "one found" from "one given".</summary>
    public bool FromFolder { get; set; }

    /// <summary>Prints the summary (or the JSON document) and returns the exit code.</summary>
    public int Finish(bool printSummary = true)
    {
        if (SarifPath is not null)
        {
            try
            {
                SarifWriter.Write(SarifPath, diagnostics.Concat(models.SelectMany(m => m.Diagnostics)));
            }
            catch (BuildConvertException e)
            {
                foreach (var diagnostic in e.Diagnostics)
                {
                    AddDiagnostic(diagnostic);
                }
            }
        }

        var exitCode = ExitCode;
        if (context is null)
        {
            return exitCode;
        }

        if (Json)
        {
            WriteJson(context.Stdout, exitCode);
        }
        else if (printSummary && (FromFolder ? models.Count > 0 : models.Count(m => !m.Quiet) > 1))
        {
            context.Stdout.WriteLine($"{Command}: {SummaryText()}");
        }

        return exitCode;
    }

    /// <summary>Counts per outcome, e.g. <c>12 models: 11 passed, 1 failed, 0 errors, 0 skipped</c>.</summary>
    public string SummaryText()
    {
        int Count(ModelOutcome o) => models.Count(m => m.Outcome == o);
        return $"{models.Count} model{(models.Count == 1 ? "" : "s")}: {Count(ModelOutcome.Passed)} passed, {Count(ModelOutcome.Failed)} failed, " +
            $"{Count(ModelOutcome.Error)} error{(Count(ModelOutcome.Error) == 1 ? "" : "s")}, {Count(ModelOutcome.Skipped)} skipped";
    }

    /// <summary>Writes the whole report as one JSON document.</summary>
    public void WriteJson(TextWriter writer, int exitCode)
    {
        int Count(ModelOutcome o) => models.Count(m => m.Outcome == o);
        var document = new JsonObject
        {
            ["tool"] = "buildconvert",
            ["version"] = ToolVersion.Text,
            ["command"] = Command,
            ["succeeded"] = exitCode == ExitCodes.Success,
            ["exitCode"] = exitCode,
            ["diagnostics"] = ToJson(diagnostics),
            ["models"] = new JsonArray(models.Select(ToJson).ToArray<JsonNode?>()),
            ["summary"] = new JsonObject
            {
                ["total"] = models.Count,
                ["passed"] = Count(ModelOutcome.Passed),
                ["failed"] = Count(ModelOutcome.Failed),
                ["error"] = Count(ModelOutcome.Error),
                ["skipped"] = Count(ModelOutcome.Skipped),
            },
        };
        foreach (var (key, value) in Extra)
        {
            document[key] = value?.DeepClone();
        }

        writer.WriteLine(document.ToJsonString(JsonOptions));
    }

    /// <summary>Diagnostics as a JSON array (see <see cref="DiagnosticJson"/>).</summary>
    public static JsonArray ToJson(IEnumerable<Diagnostic> diagnostics) => DiagnosticJson.ToJson(diagnostics);

    private static JsonObject ToJson(ModelReport model)
    {
        var node = new JsonObject
        {
            ["path"] = model.Path,
            ["status"] = model.OutcomeText,
            ["diagnostics"] = ToJson(model.Diagnostics),
        };
        if (model.Json is not null)
        {
            foreach (var (key, value) in model.Json)
            {
                node[key] = value?.DeepClone();
            }
        }

        return node;
    }
}
