using System.CommandLine;
using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;
using BuildConvert.Tool.Reporting;

namespace BuildConvert.Tool.Commands;

/// <summary><c>buildconvert inspect &lt;model&gt;</c>: interface, opsets, operator histogram and parameter sizes.</summary>
internal sealed class InspectCommand : ICliCommand
{
    public Command Create(CliContext context)
    {
        var path = new Argument<string>("model") { Description = "The model to describe." };
        var conversion = new CliConversionOptions(context.Services.Formats.Options, OptionCommands.Inspect);
        var json = CommonOptions.Json();
        var sarif = CommonOptions.Sarif();
        var command = new Command("inspect", "Show a model's inputs and outputs, opsets, operator histogram, parameter count and size.")
        {
            path,
        };
        conversion.AddTo(command);
        command.Options.Add(json);
        command.Options.Add(sarif);
        command.SetAction(parse => CommandRunner.Execute(context, "inspect", parse.GetValue(json), parse.GetValue(sarif),
            report => Run(context, report, parse.GetValue(path)!, conversion.Bind(parse).Format)));
        return command;
    }

    private static void Run(CliContext context, CommandReport report, string path, string? formatName)
    {
        CommandRunner.RequireExists(path, "model");
        var format = context.Services.Formats.Resolve(path, formatName);
        SourceModel imported;
        try
        {
            imported = format.Import(path, new ConversionOptions());
        }
        catch (BuildConvertException e)
        {
            report.AddModel(new ModelReport(path, ModelOutcome.Error, e.Diagnostics));
            return;
        }

        var summary = imported.Summarize();
        var json = JsonModels.Summary(summary);
        json["format"] = imported.Format;
        if (!report.Json)
        {
            Print(context.Stdout, path, imported.Format, summary);
        }

        report.AddModel(new ModelReport(path, ModelOutcome.Passed, imported.Warnings, null, json) { Quiet = true });
    }

    private static void Print(TextWriter o, string path, string format, ModelSummary s)
    {
        var c = CultureInfo.InvariantCulture;
        o.WriteLine($"model:      {path}");
        o.WriteLine($"format:     {format}, IR version {s.IrVersion.ToString(c)}");
        o.WriteLine($"producer:   {(s.ProducerName.Length == 0 ? "(none)" : s.ProducerName)}{(s.ProducerVersion.Length == 0 ? "" : " " + s.ProducerVersion)}");
        foreach (var (label, text) in s.Details)
        {
            o.WriteLine($"{label + ":",-11} {text}");
        }

        o.WriteLine($"opsets:     {(s.Opsets.Count == 0 ? "(none)" : string.Join(", ", s.Opsets.Select(x => $"{x.Domain} {x.Version.ToString(c)}")))}");
        PrintValues(o, "inputs", s.Inputs);
        PrintValues(o, "outputs", s.Outputs);
        if (s.Signatures.Count > 0)
        {
            o.WriteLine($"signatures: {s.Signatures.Count.ToString(c)}");
            foreach (var signature in s.Signatures)
            {
                var io = $"({string.Join(", ", signature.Inputs.Select(v => $"{v.Name}: {v.Type} {v.ShapeText}"))}) -> ({string.Join(", ", signature.Outputs.Select(v => $"{v.Name}: {v.Type} {v.ShapeText}"))})";
                o.WriteLine($"  {signature.Key}  {io}{(signature.MethodName.Length == 0 ? "" : "  [" + signature.MethodName + "]")}");
            }
        }

        o.WriteLine($"operators:  {s.NodeCount.ToString("N0", c)} nodes, {s.OpHistogram.Count.ToString(c)} distinct{(s.FunctionCount > 0 ? $", {s.FunctionCount.ToString(c)} local functions" : "")}");
        var width = s.OpHistogram.Select(h => h.Op.Length).DefaultIfEmpty(0).Max();
        foreach (var op in s.OpHistogram)
        {
            o.WriteLine($"  {op.Op.PadRight(width)}  {op.Count.ToString(c),6}");
        }

        o.WriteLine($"parameters: {s.ParameterCount.ToString("N0", c)} in {s.InitializerCount.ToString(c)} initializers, " +
            $"{s.ParameterBytes.ToString("N0", c)} bytes ({FormatBytes(s.ParameterBytes)}), {s.ExternalDataBytes.ToString("N0", c)} bytes in external data");
    }

    private static void PrintValues(TextWriter o, string title, IReadOnlyList<ValueSummary> values)
    {
        o.WriteLine($"{title + ":",-11} {values.Count.ToString(CultureInfo.InvariantCulture)}");
        var width = values.Select(v => v.Name.Length).DefaultIfEmpty(0).Max();
        foreach (var v in values)
        {
            o.WriteLine($"  {v.Name.PadRight(width)}  {v.Type} {v.ShapeText}");
        }
    }

    private static string FormatBytes(long bytes)
    {
        string[] units = { "B", "KiB", "MiB", "GiB", "TiB" };
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{value:0.##} {units[unit]}");
    }
}
