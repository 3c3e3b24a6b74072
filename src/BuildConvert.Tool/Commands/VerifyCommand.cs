using System.CommandLine;
using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;
using BuildConvert.Tool.Reporting;

namespace BuildConvert.Tool.Commands;

/// <summary>
/// <c>buildconvert verify</c>: runs models with ONNX Runtime on golden inputs and compares every output.
/// <c>verify model.onnx --golden folder</c>; <c>verify folder</c> for a folder holding <c>model.onnx</c> and its golden
/// data; <c>verify root --recursive</c> for every such folder under <c>root</c>, each reported passed, failed
/// (compared and out of tolerance), error (could not be compared) or skipped (listed in <c>--skip</c>).
/// </summary>
internal sealed class VerifyCommand : ICliCommand
{
    public Command Create(CliContext context)
    {
        var path = new Argument<string>("path") { Description = "A model file (with --golden), a folder with model.onnx and test_data_set_* (or inputs.npz/outputs.npz), or with --recursive a folder of such folders." };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Verify every folder under the path that holds model.onnx and golden data." };
        var skip = new Option<string?>("--skip") { Description = "A skip manifest: lines '<model folder> <category> [reason]' of models to leave out." };
        var conversion = new CliConversionOptions(context.Services.Formats.Options, OptionCommands.Verify);
        var timeout = CommonOptions.Timeout();
        var json = CommonOptions.Json();
        var sarif = CommonOptions.Sarif();
        var command = new Command("verify", "Validate models against golden outputs with ONNX Runtime.")
        {
            path,
        };
        conversion.AddTo(command);
        command.Options.Add(recursive);
        command.Options.Add(skip);
        command.Options.Add(timeout);
        command.Options.Add(json);
        command.Options.Add(sarif);
        command.SetAction(parse => CommandRunner.Execute(context, "verify", parse.GetValue(json), parse.GetValue(sarif), report =>
        {
            var options = conversion.Bind(parse);
            var manifest = parse.GetValue(skip) is { } skipPath ? SkipManifest.Load(skipPath) : SkipManifest.Empty;
            var limit = parse.GetValue(timeout);
            CommonOptions.TimeoutSource(limit).Dispose();
            Run(context, report, parse.GetValue(path)!, options.Golden, parse.GetValue(recursive), manifest, options.Tolerances, limit);
        }));
        return command;
    }

    private static void Run(CliContext context, CommandReport report, string path, string? golden, bool recursive, SkipManifest skip, ToleranceSet tolerances, int timeoutSeconds)
    {
        CommandRunner.RequireExists(path, "model or folder");
        if (golden is not null)
        {
            CommandRunner.RequireExists(golden, "golden data folder");
        }

        if (recursive)
        {
            if (!Directory.Exists(path) || golden is not null)
            {
                throw BuildConvertException.Create(DiagnosticCodes.CommandLineUsage, "--recursive takes a folder and no --golden (each model folder holds its own golden data)", path);
            }

            var folders = GoldenFolders.FindModelFolders(path);
            if (folders.Count == 0)
            {
                report.AddDiagnostic(DiagnosticCodes.NoModelsFound.Create($"no folder under '{path}' holds {GoldenFolders.ModelFileName} with golden data", path));
                return;
            }

            report.FromFolder = true;
            var validator = context.Services.CreateValidator();
            foreach (var folder in folders)
            {
                if (skip.Find(folder) is { } entry)
                {
                    var model = Path.Combine(folder, GoldenFolders.ModelFileName);
                    report.AddModel(new ModelReport(model, ModelOutcome.Skipped,
                        new[] { DiagnosticCodes.ModelSkipped.Create($"skipped ({entry.Category}){(entry.Reason.Length > 0 ? ": " + entry.Reason : "")}", model) },
                        entry.Category));
                    continue;
                }

                report.AddModel(VerifyOne(validator, Path.Combine(folder, GoldenFolders.ModelFileName), folder, tolerances, timeoutSeconds));
            }

            return;
        }

        string modelPath;
        string goldenFolder;
        if (Directory.Exists(path))
        {
            modelPath = Path.Combine(path, GoldenFolders.ModelFileName);
            if (!File.Exists(modelPath))
            {
                throw BuildConvertException.Create(DiagnosticCodes.NoModelsFound,
                    $"folder '{path}' holds no {GoldenFolders.ModelFileName}; pass a model file with --golden, or --recursive to walk model folders", path);
            }

            goldenFolder = golden ?? path;
        }
        else
        {
            modelPath = path;
            goldenFolder = golden ?? Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        }

        if (!GoldenFolders.HasGoldenData(goldenFolder))
        {
            report.AddModel(new ModelReport(modelPath, ModelOutcomes.Of(new StageFailure(PipelineStage.Validate, FaultKind.Input)), new[]
            {
                DiagnosticCodes.GoldenDataMissing.Create(
                    golden is null
                        ? $"no golden data beside the model (no test_data_set_* folders, input_K.pb/output_K.pb, inputs.npz/outputs.npz or inputs/ and outputs/ .npy folders in '{goldenFolder}'); pass --golden <folder>"
                        : $"golden data folder '{goldenFolder}' holds none of the golden layouts (test_data_set_* folders, input_K.pb/output_K.pb, inputs.npz/outputs.npz, inputs/ and outputs/ .npy folders)",
                    goldenFolder),
            }));
            return;
        }

        report.AddModel(VerifyOne(context.Services.CreateValidator(), modelPath, goldenFolder, tolerances, timeoutSeconds));
    }

    /// <summary>Validates one model and classifies the outcome.</summary>
    internal static ModelReport VerifyOne(IModelValidator validator, string modelPath, string goldenFolder, ToleranceSet tolerances, int timeoutSeconds)
    {
        ValidationReport validation;
        using var limit = CommonOptions.TimeoutSource(timeoutSeconds);
        try
        {
            validation = validator.Validate(modelPath, goldenFolder, tolerances, limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            return new ModelReport(modelPath, ModelOutcomes.Of(new StageFailure(PipelineStage.Validate, FaultKind.Tool)), new[] { CommonOptions.TimedOut(modelPath, timeoutSeconds) });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new ModelReport(modelPath, ModelOutcomes.Of(new StageFailure(PipelineStage.Validate, FaultKind.Tool)), new[]
            {
                DiagnosticCodes.InternalError.Create(
                    $"unexpected {e.GetType().Name} while validating: {e.Message}. To reproduce, run: {ShellQuoting.Join(new[] { "buildconvert", "verify", modelPath, "--golden", goldenFolder })}",
                    modelPath),
            });
        }

        var outputs = validation.DataSets.SelectMany(d => d.Outputs).ToArray();
        var outcome = ModelOutcomes.Of(OutcomeRule.OfValidation(validation));

        var failedOutputs = outputs.Where(o => !o.Passed).Select(o => o.OutputName).Distinct(StringComparer.Ordinal).ToArray();
        var firstError = validation.Diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error);
        var detail = outcome == ModelOutcome.Error && outputs.Length == 0 && firstError is not null
            ? $"not compared: {firstError.Code}"
            : FormattableString.Invariant(
                $"{validation.DataSets.Count} data set{(validation.DataSets.Count == 1 ? "" : "s")}, {outputs.Length} output comparison{(outputs.Length == 1 ? "" : "s")}, max abs error {validation.WorstAbsError:G3}")
              + (failedOutputs.Length > 0 ? $", mismatch in {string.Join(", ", failedOutputs)}" : "");
        var json = JsonModels.Validation(validation);
        json["golden"] = goldenFolder;
        return new ModelReport(modelPath, outcome, validation.Diagnostics, detail, new System.Text.Json.Nodes.JsonObject { ["validation"] = json });
    }
}
