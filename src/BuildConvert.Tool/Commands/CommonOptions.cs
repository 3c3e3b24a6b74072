using System.CommandLine;
using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.Tool.Commands;

/// <summary>
/// The command options several commands share that are not conversion options (those come from the option table,
/// see <see cref="CliConversionOptions"/>). Each call makes a new option, so each command owns its own instances.
/// </summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json")
    {
        Description = "Print one machine-readable JSON document on stdout (diagnostics included) instead of text.",
    };

    public static Option<string?> Sarif() => NotBlank(new Option<string?>("--sarif")
    {
        Description = "Also write every diagnostic to this file as a SARIF 2.1.0 log (for CI annotations).",
    });

    /// <summary>Parses a whole-number option's token, with an error in the user's terms when it is not one.</summary>
    public static int? Integer(System.CommandLine.Parsing.ArgumentResult result, string name, string what)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        var token = result.Tokens[^1].Value;
        if (int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError($"{name} needs {what}, not '{token}'");
        return null;
    }

    /// <summary>Makes an empty or blank value of a path option a command-line error (exit 2) instead of reaching the engine.</summary>
    public static TOption NotBlank<TOption>(TOption option)
        where TOption : Option
    {
        option.Validators.Add(result =>
        {
            if (!result.Implicit && result.Tokens.Count > 0 && result.Tokens.All(t => string.IsNullOrWhiteSpace(t.Value)))
            {
                result.AddError($"{option.Name} needs a path, not an empty or blank value");
            }
        });
        return option;
    }

    /// <summary>The default limit for validating one model.</summary>
    public const int DefaultTimeoutSeconds = ConversionOptionTable.DefaultTimeoutSeconds;

    public static Option<int> Timeout() => new("--timeout")
    {
        CustomParser = r => Integer(r, "--timeout", "a whole number of seconds") ?? DefaultTimeoutSeconds,
        Description = $"Stop validating a model after this many seconds (BCONV0009); 0 for no limit. Default {DefaultTimeoutSeconds}.",
        DefaultValueFactory = _ => DefaultTimeoutSeconds,
    };

    /// <summary>A token source that cancels after <paramref name="seconds"/> (never when 0).</summary>
    /// <exception cref="BuildConvertException">BCONV0003 for a negative value.</exception>
    public static CancellationTokenSource TimeoutSource(int seconds) => seconds switch
    {
        < 0 => throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"--timeout must be 0 (no limit) or a number of seconds, not {seconds}"),
        0 => new CancellationTokenSource(),
        _ => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)),
    };

    /// <summary>The BCONV0009 diagnostic for a model stopped after <paramref name="seconds"/>.</summary>
    public static Diagnostic TimedOut(string model, int seconds) =>
        DiagnosticCodes.TimedOut.Create($"validation was stopped after {seconds} s (--timeout)", model);
}
