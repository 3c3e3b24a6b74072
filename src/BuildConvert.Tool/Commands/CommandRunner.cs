using BuildConvert.Core.Diagnostics;
using BuildConvert.Tool.Reporting;

namespace BuildConvert.Tool.Commands;

/// <summary>Runs a command body with a fresh <see cref="CommandReport"/>, turning coded errors into diagnostics.</summary>
internal static class CommandRunner
{
    /// <summary>Runs <paramref name="body"/> and returns the exit code its report implies.</summary>
    public static int Execute(CliContext context, string command, bool json, string? sarif, Action<CommandReport> body)
    {
        var report = new CommandReport(context, command, json) { SarifPath = sarif };
        try
        {
            body(report);
        }
        catch (BuildConvertException e)
        {
            foreach (var diagnostic in e.Diagnostics)
            {
                report.AddDiagnostic(diagnostic);
            }
        }

        return report.Finish();
    }

    /// <summary>Throws BCONV0002 when <paramref name="path"/> is neither a file nor a folder.</summary>
    public static void RequireExists(string path, string what)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw BuildConvertException.Create(DiagnosticCodes.InputNotFound, $"{what} '{path}' does not exist", path);
        }
    }
}
