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
        var verifySource = new Option<bool>("--verify-source") { Description = "Run the source model with its own framework (LibTorch for TorchScript, through the optional oracle) on seeded inputs of --input-shapes and validate the conversion against it before it is written (default rtol 1e-4, atol 1e-5)." };
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
        command.Options.Add(verifySource);
        command.Options.Add(timeout);
        command.Options.Add(cache);
        command.Options.Add(json);
        command.Options.Add(sarif);
        command.SetAction(parse => CommandRunner.Execute(context, "convert", parse.GetValue(json), parse.GetValue(sarif), report =>
        {
            var options = conversion.Bind(parse);
            var request = new ConvertRequest(parse.GetValue(input)!, parse.GetValue(output)!, options) { ExternalData = parse.GetValue(externalData) };
            if (parse.GetValue(verifySource))
            {
                RunVerifyingSource(context, report, request, parse.GetValue(timeout), ToolCache.Resolve(parse.GetValue(cache)));
                return;
            }

            Run(context, report, request, parse.GetValue(timeout), ToolCache.Resolve(parse.GetValue(cache)));
        }));
        return command;
    }

    /// <summary><c>--verify-source</c>: LibTorch writes golden data for the archive first (a temporary folder), then the
    /// conversion runs with that folder as its golden data, so ONNX Runtime is compared with LibTorch before the output
    /// is committed.</summary>
    private static void RunVerifyingSource(CliContext context, CommandReport report, ConvertRequest request, int timeoutSeconds, Core.Caching.ConversionCache? cache)
    {
        CommandRunner.RequireExists(request.InputPath, "input model");
        if (request.Options.Golden is not null)
        {
            throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, "--verify-source makes its own golden data from the source model; leave out --golden", request.InputPath);
        }

        if (!TorchOracle.TorchOracleClient.IsTorchScriptArchive(request.InputPath))
        {
            throw BuildConvertException.Create(DiagnosticCodes.VerifySourceUnavailable,
                $"'{request.InputPath}' is not a TorchScript archive; --verify-source runs the source with LibTorch, which only TorchScript archives have", request.InputPath);
        }

        var verifier = new TorchOracle.SourceVerifier(context.Services.CreateTorchOracle(), context.Services.CreateValidator);
        string golden;
        try
        {
            golden = verifier.PrepareGolden(request.InputPath, request.Options.InputShapes, inputTypes: null);
        }
        catch (BuildConvertException e)
        {
            report.AddModel(new ModelReport(request.InputPath, ModelOutcomes.Of(new StageFailure(PipelineStage.Validate, FaultKind.Input)), e.Diagnostics));
            return;
        }

        try
        {
            var options = request.Options with { Golden = golden, Tolerances = TorchOracle.SourceVerifier.SourceTolerances(request.Options.Tolerances) };
            Run(context, report, request with { Options = options }, timeoutSeconds, cache);
        }
        finally
        {
            TorchOracle.SourceVerifier.DeleteGolden(golden);
        }
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
