using System.CommandLine;
using System.CommandLine.Invocation;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Tool.Commands;
using BuildConvert.Tool.Reporting;

namespace BuildConvert.Tool;

/// <summary>
/// The <c>buildconvert</c> command line, runnable in-process: <see cref="Run(string[], TextWriter, TextWriter)"/> parses, dispatches to one command and
/// returns the exit code (0 success, 1 a model failed, 2 command-line misuse). Command-line errors print BCONV0001
/// (inside the JSON document when <c>--json</c> is on the command line);
/// anything unexpected prints BCONV9001 with the command line to reproduce it.
/// </summary>
public static class CliApp
{
    /// <summary>Every command of the tool, in the order <c>--help</c> lists them. Add a command here.</summary>
    internal static IReadOnlyList<ICliCommand> Commands { get; } = new ICliCommand[]
    {
        new CheckCommand(),
        new VerifyCommand(),
        new ConvertCommand(),
        new InspectCommand(),
        new GoldenCommand(),
        new BatchCommand(),
    };

    /// <summary>Runs the tool with <paramref name="args"/>, writing to the given writers.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="stdout">Normal output (reports, JSON, help).</param>
    /// <param name="stderr">Diagnostics in <c>file: error BCONVxxxx: message</c> form.</param>
    /// <returns>The process exit code.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        Run(args, stdout, stderr, ToolServices.CreateDefault());

    /// <summary>Runs the tool with the given services (tests replace the validator or the format registry).</summary>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr, ToolServices services)
    {
        ArgumentNullException.ThrowIfNull(args);
        var context = new CliContext(stdout, stderr, services, args);
        try
        {
            var root = BuildRoot(context);
            var parse = root.Parse(args);
            var misplaced = OptionsTakenAsArguments(parse);
            if (misplaced.Count > 0 || parse.Action is ParseErrorAction || (parse.Errors.Count > 0 && parse.Action is null))
            {
                // An unknown option before the path is bound as the path, and the parser then blames the real path:
                // name the option instead.
                var messages = misplaced.Count == 0
                    ? parse.Errors.Select(e => e.Message)
                    : misplaced.Select(t => $"Unrecognized option '{t}'.")
                        .Concat(parse.Errors.Select(e => e.Message).Where(m => !m.StartsWith("Unrecognized command or argument", StringComparison.Ordinal)));
                var diagnostics = messages.Select(m => DiagnosticCodes.CommandLineUsage.Create(m)).ToArray();
                if (args.Contains("--json", StringComparer.Ordinal))
                {
                    var report = new CommandReport(CommandPath(parse).Trim() is { Length: > 0 } name ? name : "buildconvert", json: true);
                    foreach (var diagnostic in diagnostics)
                    {
                        report.AddDiagnostic(diagnostic);
                    }

                    report.WriteJson(stdout, ExitCodes.Usage);
                    return ExitCodes.Usage;
                }

                foreach (var diagnostic in diagnostics)
                {
                    stderr.WriteLine(DiagnosticText.Format(diagnostic));
                }

                stderr.WriteLine($"Run 'buildconvert {CommandPath(parse)}--help' for usage.");
                return ExitCodes.Usage;
            }

            return parse.Invoke(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception e)
        {
            return context.ReportCrash(e);
        }
    }

    private static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("buildconvert: convert, check, validate and inspect machine-learning models as ONNX.");
        foreach (var command in Commands)
        {
            root.Subcommands.Add(command.Create(context));
        }

        return root;
    }

    /// <summary>Argument values that look like options (<c>--bogus</c>, <c>-x</c>) and name no existing file.</summary>
    private static IReadOnlyList<string> OptionsTakenAsArguments(ParseResult parse) =>
        parse.CommandResult.Children.OfType<System.CommandLine.Parsing.ArgumentResult>()
            .SelectMany(a => a.Tokens)
            .Select(t => t.Value)
            .Where(v => v.Length > 1 && v[0] == '-' && !File.Exists(v) && !Directory.Exists(v))
            .ToArray();

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null && result.Command is not RootCommand; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command.Name);
        }

        return names.Count == 0 ? "" : string.Join(" ", names) + " ";
    }
}
