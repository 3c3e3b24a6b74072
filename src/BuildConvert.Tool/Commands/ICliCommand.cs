using System.CommandLine;

namespace BuildConvert.Tool.Commands;

/// <summary>One <c>buildconvert</c> subcommand. Register it in <see cref="CliApp.Commands"/>.</summary>
internal interface ICliCommand
{
    /// <summary>Builds the System.CommandLine command (arguments, options, action) bound to <paramref name="context"/>.</summary>
    Command Create(CliContext context);
}
