using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Pipeline;
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
        var format = CommonOptions.Format();
        var opset = new Option<int?>("--opset") { CustomParser = r => CommonOptions.Integer(r, "--opset", "an opset version such as 17"), Description = "Target ai.onnx opset. For ONNX input it must equal the model's own opset." };
        var inputs = new Option<string?>("--inputs") { Description = "Graph inputs, comma-separated (for ONNX input: all of them, in the order wanted)." };
        var outputs = new Option<string?>("--outputs") { Description = "Graph outputs to keep, comma-separated, in the order wanted." };
        var shapes = CommonOptions.InputShapes();
        var golden = new Option<string?>("--golden") { Description = "Validate the result against this golden data folder before it is committed." };
        var rtol = CommonOptions.Rtol();
        var atol = CommonOptions.Atol();
        var tolerance = CommonOptions.PerOutputTolerance();
        var externalData = new Option<bool?>("--external-data") { Description = "Write tensors of 1 KiB or more to <output>.data (default: as the source does)." };
        var timeout = CommonOptions.Timeout();
        var json = CommonOptions.Json();
        var sarif = CommonOptions.Sarif();
        var command = new Command("convert", "Convert a model to ONNX: check it, validate it against golden data, and write it atomically.")
        {
            input, output, format, opset, inputs, outputs, shapes, golden, rtol, atol, tolerance, externalData, timeout, json, sarif,
        };
        command.SetAction(parse => CommandRunner.Execute(context, "convert", parse.GetValue(json), parse.GetValue(sarif), report =>
        {
            var options = new ConversionOptions
            {
                Format = parse.GetValue(format),
                Opset = parse.GetValue(opset),
                Inputs = CommonOptions.SplitList(parse.GetValue(inputs)),
                Outputs = CommonOptions.SplitList(parse.GetValue(outputs)),
                InputShapes = InputShapeSpec.ParseList(parse.GetValue(shapes)),
                Golden = parse.GetValue(golden),
                Tolerances = CommonOptions.ParseTolerances(parse.GetValue(rtol), parse.GetValue(atol), parse.GetValue(tolerance)),
            };
            var request = new ConvertRequest(parse.GetValue(input)!, parse.GetValue(output)!, options) { ExternalData = parse.GetValue(externalData) };
            Run(context, report, request, parse.GetValue(timeout));
        }));
        return command;
    }

    private static void Run(CliContext context, CommandReport report, ConvertRequest request, int timeoutSeconds)
    {
        CommandRunner.RequireExists(request.InputPath, "input model");
        if (request.Options.Golden is { } golden)
        {
            CommandRunner.RequireExists(golden, "golden data folder");
        }

        var validator = request.Options.Golden is null ? null : context.Services.CreateValidator();
        var pipeline = new ModelPipeline(context.Services.Formats);
        using var limit = CommonOptions.TimeoutSource(timeoutSeconds);
        ConvertResult result;
        try
        {
            result = pipeline.Convert(request, validator, limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            report.AddModel(new ModelReport(request.InputPath, ModelOutcome.Error, new[] { CommonOptions.TimedOut(request.InputPath, timeoutSeconds) }));
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
        };
        ModelOutcome outcome;
        if (result.Succeeded)
        {
            outcome = ModelOutcome.Passed;
        }
        else if (result.Validation is { } v && v.DataSets.SelectMany(d => d.Outputs).Any(o => !o.Passed))
        {
            outcome = ModelOutcome.Failed;
        }
        else if (result.Summary is not null && result.Diagnostics.Any(d => d.Code.StartsWith("BCONV3", StringComparison.Ordinal)))
        {
            outcome = ModelOutcome.Failed;
        }
        else
        {
            outcome = ModelOutcome.Error;
        }

        var detail = result.Succeeded
            ? FormattableString.Invariant($"-> {result.OutputPath}, {result.Format}, {result.TotalTime.TotalMilliseconds:0} ms")
                + (result.Validation is { } r ? FormattableString.Invariant($", validated, max abs error {r.WorstAbsError:G3}") : "")
            : null;
        return new ModelReport(result.InputPath, outcome, result.Diagnostics, detail, json);
    }
}
