using System.CommandLine;
using System.Text.Json.Nodes;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;
using BuildConvert.Tool.Reporting;

namespace BuildConvert.Tool.Commands;

/// <summary>
/// <c>buildconvert convert &lt;input&gt; -o &lt;output.onnx&gt;</c>: the whole pipeline (detect, import with the options,
/// write deterministically, check, validate with <c>--golden</c>, commit atomically). On failure nothing is left at the output.
/// </summary>
internal sealed class ConvertCommand : ICliCommand
{
    public Command Create(CliContext context)
    {
        var input = new Argument<string>("input") { Description = "The source model (file or folder)." };
        var output = CommonOptions.NotBlank(new Option<string>("--output", "-o") { Description = "The .onnx file to write.", Required = true });
        var conversion = new CliConversionOptions(context.Services.Formats.Options, OptionCommands.Convert);
        var externalData = new Option<bool?>("--external-data") { Description = "Write tensors of 1 KiB or more to <output>.data (default: as the source does)." };
        var timeout = CommonOptions.Timeout();
        var cache = ToolCache.Option();
        var json = CommonOptions.Json();
        var sarif = CommonOptions.Sarif();
        var command = new Command("convert", "Convert a model to ONNX: check it, validate it against golden data, and write it atomically.")
        {
            input, output,
        };
        conversion.AddTo(command);
        command.Options.Add(externalData);
        command.Options.Add(timeout);
        command.Options.Add(cache);
        command.Options.Add(json);
        command.Options.Add(sarif);
        command.SetAction(parse => CommandRunner.Execute(context, "convert", parse.GetValue(json), parse.GetValue(sarif), report =>
        {
            var options = conversion.Bind(parse);
            var request = new ConvertRequest(parse.GetValue(input)!, parse.GetValue(output)!, options) { ExternalData = parse.GetValue(externalData) };
            Run(context, report, request, parse.GetValue(timeout), ToolCache.Resolve(parse.GetValue(cache)));
        }));
        return command;
    }

    private static void Run(CliContext context, CommandReport report, ConvertRequest request, int timeoutSeconds, Core.Caching.ConversionCache? cache)
    {
        CommandRunner.RequireExists(request.InputPath, "input model");
        if (request.Options.Golden is { } golden)
        {
            CommandRunner.RequireExists(golden, "golden data folder");
        }

        var pipeline = ToolCache.Pipeline(context, cache);
        using var limit = CommonOptions.TimeoutSource(timeoutSeconds);
        ConvertResult result;
        try
        {
            result = pipeline.Convert(request, () => context.Services.CreateValidator(), limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            report.AddModel(new ModelReport(request.InputPath, ModelOutcomes.Of(new StageFailure(PipelineStage.Validate, FaultKind.Tool)),
                new[] { CommonOptions.TimedOut(request.InputPath, timeoutSeconds) }));
            return;
        }

        report.AddModel(ToReport(result));
    }

    /// <summary>The report line and JSON of one conversion.</summary>
    internal static ModelReport ToReport(ConvertResult result)
    {
        var json = new JsonObject
        {
            ["output"] = result.OutputPath,
            ["format"] = result.Format,
            ["summary"] = result.Summary is null ? null : JsonModels.Summary(result.Summary),
            ["validation"] = result.Validation is null ? null : JsonModels.Validation(result.Validation),
            ["timingsMs"] = JsonModels.Timings(result.Timings),
            ["stoppedAt"] = result.Failure?.Stage.Name(),
            ["cached"] = result.Cached,
            ["steps"] = new JsonArray(result.Steps.Select(step => (JsonNode?)JsonValue.Create(step)).ToArray()),
        };
        var outcome = result.Outcome.ToModelOutcome();
        var detail = result.Succeeded
            ? FormattableString.Invariant($"-> {result.OutputPath}, {result.Format}, {(result.Cached ? "cached, " : "")}{result.TotalTime.TotalMilliseconds:0} ms")
                + (result.Steps.Count > 0 ? ", " + result.Steps[0] : "")
                + (result.Validation is { } r ? FormattableString.Invariant($", validated, max abs error {r.WorstAbsError:G3}") : "")
            : null;
        return new ModelReport(result.InputPath, outcome, result.Diagnostics, detail, json);
    }
}
