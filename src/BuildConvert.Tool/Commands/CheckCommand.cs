using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using BuildConvert.Core.Checking;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Pipeline;
using BuildConvert.Tool.Reporting;

namespace BuildConvert.Tool.Commands;

/// <summary><c>buildconvert check &lt;model.onnx | folder&gt;</c>: the ONNX checker on one model or every <c>*.onnx</c> under a folder.</summary>
internal sealed class CheckCommand : ICliCommand
{
    public Command Create(CliContext context)
    {
        var path = new Argument<string>("path") { Description = "An .onnx model, or a folder: every *.onnx under it (recursively) is checked." };
        var json = CommonOptions.Json();
        var sarif = CommonOptions.Sarif();
        var command = new Command("check", "Check ONNX models against the ONNX rules and the operator schemas of their opsets.")
        {
            path,
            json, sarif,
        };
        command.SetAction(parse => CommandRunner.Execute(context, "check", parse.GetValue(json), parse.GetValue(sarif), report => Run(report, parse.GetValue(path)!)));
        return command;
    }

    private static void Run(CommandReport report, string path)
    {
        CommandRunner.RequireExists(path, "model or folder");
        if (File.Exists(path))
        {
            report.AddModel(CheckOne(path));
            return;
        }

        var models = Directory.EnumerateFiles(path, "*.onnx", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToArray();
        if (models.Length == 0)
        {
            report.AddDiagnostic(DiagnosticCodes.NoModelsFound.Create($"folder '{path}' holds no *.onnx files", path));
            return;
        }

        report.FromFolder = true;
        foreach (var model in models)
        {
            report.AddModel(CheckOne(model));
        }
    }

    /// <summary>Reads and checks one model file.</summary>
    internal static ModelReport CheckOne(string path)
    {
        ModelProto model;
        try
        {
            model = OnnxModelReader.Read(path);
        }
        catch (BuildConvertException e)
        {
            return new ModelReport(path, ModelOutcomes.Of(new StageFailure(PipelineStage.Import, FaultKind.Model)), e.Diagnostics);
        }

        var diagnostics = OnnxChecker.Check(model, path);
        var errors = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        var summary = ModelSummary.FromModel(model);
        var opset = summary.Opsets.FirstOrDefault(o => o.Domain == "ai.onnx")?.Version;
        var detail = FormattableString.Invariant($"IR {model.IrVersion}, opset {opset?.ToString(CultureInfo.InvariantCulture) ?? "none"}, {summary.NodeCount} nodes")
            + (errors > 0 ? FormattableString.Invariant($", {errors} error{(errors == 1 ? "" : "s")}") : "");
        var json = new JsonObject
        {
            ["irVersion"] = model.IrVersion,
            ["opset"] = opset,
            ["nodeCount"] = summary.NodeCount,
            ["errorCount"] = errors,
        };
        var failure = errors > 0 ? new StageFailure(PipelineStage.Check, FaultKind.Model) : null;
        return new ModelReport(path, ModelOutcomes.Of(failure), diagnostics, detail, json);
    }
}
