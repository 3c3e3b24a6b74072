using System.Text;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Tool.Reporting;

namespace BuildConvert.Tool;

/// <summary>What one run of the tool writes to and works with. One instance per <see cref="CliApp.Run(string[], TextWriter, TextWriter)"/>.</summary>
internal sealed class CliContext
{
    private readonly IReadOnlyList<string> args;

    public CliContext(TextWriter stdout, TextWriter stderr, ToolServices services, IReadOnlyList<string> args)
    {
        Stdout = stdout;
        Stderr = stderr;
        Services = services;
        this.args = args;
    }

    /// <summary>Normal output.</summary>
    public TextWriter Stdout { get; }

    /// <summary>Diagnostics output.</summary>
    public TextWriter Stderr { get; }

    /// <summary>The engine services commands use.</summary>
    public ToolServices Services { get; }

    /// <summary>The command line that reproduces this run, quoted for a POSIX shell.</summary>
    public string CommandLine => "buildconvert " + ShellQuoting.Join(args);

    /// <summary>Reports an exception that escaped a command as BCONV9001 (with the command line) and returns exit code 1.</summary>
    public int ReportCrash(Exception exception)
    {
        var diagnostic = DiagnosticCodes.InternalError.Create(
            $"unexpected {exception.GetType().Name}: {exception.Message}. To reproduce, run: {CommandLine}");
        if (args.Contains("--json", StringComparer.Ordinal))
        {
            var report = new CommandReport("buildconvert", json: true);
            report.AddDiagnostic(diagnostic);
            report.WriteJson(Stdout, ExitCodes.ModelFailed);
        }
        else
        {
            Stderr.WriteLine(DiagnosticText.Format(diagnostic));
        }

        Stderr.WriteLine(exception.ToString());
        return ExitCodes.ModelFailed;
    }
}
