using System.Text.Json;

namespace BuildConvert.Tool.Tests.Infrastructure;

/// <summary>Runs the tool in-process through <see cref="CliApp.Run(string[], TextWriter, TextWriter)"/>.</summary>
internal static class Cli
{
    public static CliResult Run(params string[] args) => Run(ToolServices.CreateDefault(), args);

    public static CliResult Run(ToolServices services, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr, services);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>What one run printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Parses stdout as the single JSON document <c>--json</c> prints.</summary>
    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Stdout);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
