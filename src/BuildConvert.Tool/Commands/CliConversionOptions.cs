using System.CommandLine;
using System.CommandLine.Parsing;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.Tool.Commands;

/// <summary>
/// The System.CommandLine options of one command, made from the option catalog (the shared table plus every format's
/// own options), and the binding back to <see cref="ConversionOptions"/> through each descriptor's parser. A token that
/// does not have the option's shape (<c>--rtol abc</c>) is a command-line error (BCONV0001, exit 2); a value of the
/// right shape that is not valid is BCONV0003 from the same parser the batch request uses.
/// </summary>
internal sealed class CliConversionOptions
{
    private readonly IReadOnlyList<(ConversionOptionDescriptor Descriptor, Option Option)> options;

    public CliConversionOptions(OptionCatalog catalog, OptionCommands command)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options = catalog.ForCommand(command).Select(d => (d, Create(d))).ToArray();
    }

    /// <summary>The options, in catalog order.</summary>
    public IEnumerable<Option> Options => options.Select(o => o.Option);

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in Options)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The conversion options <paramref name="parse"/> gives.</summary>
    /// <exception cref="Core.Diagnostics.BuildConvertException">BCONV0003 for a value that is not valid.</exception>
    public ConversionOptions Bind(ParseResult parse)
    {
        var result = new ConversionOptions();
        foreach (var (descriptor, option) in options)
        {
            result = descriptor.ApplyText(result, Text(parse, descriptor, option), OptionSource.CommandLine);
        }

        return result;
    }

    /// <summary>The option's value as the text the descriptor parses (the batch request's spelling), or null when absent.</summary>
    private static string? Text(ParseResult parse, ConversionOptionDescriptor descriptor, Option option) => descriptor.Kind switch
    {
        OptionValueKind.Flag => parse.GetResult(option) is { Implicit: false } ? (parse.GetValue((Option<bool>)option) ? "true" : "false") : null,
        OptionValueKind.List => parse.GetValue((Option<string[]>)option) is { Length: > 0 } entries ? string.Join(";", entries) : null,
        _ => parse.GetValue((Option<string?>)option),
    };

    private static Option Create(ConversionOptionDescriptor descriptor)
    {
        switch (descriptor.Kind)
        {
            case OptionValueKind.Flag:
                return new Option<bool>(descriptor.CliName) { Description = descriptor.Help };
            case OptionValueKind.List:
                return new Option<string[]>(descriptor.CliName)
                {
                    Description = descriptor.Help,
                    Arity = ArgumentArity.ZeroOrMore,
                };
            default:
                var option = new Option<string?>(descriptor.CliName) { Description = descriptor.Help };
                if (descriptor.Kind is OptionValueKind.Integer or OptionValueKind.Number)
                {
                    option.Validators.Add(result => RejectMalformedToken(result, descriptor));
                }

                return option;
        }
    }

    private static void RejectMalformedToken(OptionResult result, ConversionOptionDescriptor descriptor)
    {
        foreach (var token in result.Tokens)
        {
            if (descriptor.Problem(token.Value) is { Detail: null } problem)
            {
                result.AddError($"{descriptor.CliName} needs {problem.Expected}, not '{token.Value}'");
            }
        }
    }
}
