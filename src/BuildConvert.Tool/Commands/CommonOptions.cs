using System.CommandLine;
using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Golden;

namespace BuildConvert.Tool.Commands;

/// <summary>
/// The options several commands share, with the spellings every format and the MSBuild item metadata use
/// (<c>--format --opset --inputs --outputs --input-shapes --golden --rtol --atol</c>). Each call makes a new option,
/// so each command owns its own instances.
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

    /// <summary>Parses a number option's token, with an error in the user's terms (not .NET type names) when it is not one.</summary>
    public static double? Number(System.CommandLine.Parsing.ArgumentResult result, string name)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        var token = result.Tokens[^1].Value;
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError($"{name} needs a number such as 1e-4, not '{token}'");
        return null;
    }

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
    public const int DefaultTimeoutSeconds = 600;

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

    public static Option<double?> Rtol() => new("--rtol")
    {
        CustomParser = r => Number(r, "--rtol"),
        Description = $"Relative tolerance for golden comparison (|actual - expected| <= atol + rtol * |expected|); default {Tolerance.Default.Rtol.ToString(CultureInfo.InvariantCulture)}.",
    };

    public static Option<double?> Atol() => new("--atol")
    {
        CustomParser = r => Number(r, "--atol"),
        Description = $"Absolute tolerance for golden comparison; default {Tolerance.Default.Atol.ToString(CultureInfo.InvariantCulture)}.",
    };

    public static Option<string[]> PerOutputTolerance() => new("--tolerance")
    {
        Description = "Tolerance for one output, as name=rtol,atol (repeatable); overrides --rtol/--atol for that output.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Option<string?> Format() => new("--format")
    {
        Description = "The input's format (e.g. onnx); detected from the file when omitted.",
    };

    public static Option<string?> InputShapes() => new("--input-shapes")
    {
        Description = "Input shapes as \"a:N,3,224,224;b:1,10\" (a name or 0-based position, then dimensions; N or -1 is dynamic).",
    };

    /// <summary>Builds the tolerance set from <c>--rtol --atol --tolerance</c>.</summary>
    /// <exception cref="BuildConvertException">BCONV0003 for a negative or malformed value.</exception>
    public static ToleranceSet ParseTolerances(double? rtol, double? atol, IReadOnlyList<string>? perOutput)
    {
        var global = new Tolerance(rtol ?? Tolerance.Default.Rtol, atol ?? Tolerance.Default.Atol);
        CheckTolerance(global.Rtol, "--rtol");
        CheckTolerance(global.Atol, "--atol");
        var map = new Dictionary<string, Tolerance>(StringComparer.Ordinal);
        foreach (var entry in perOutput ?? Array.Empty<string>())
        {
            var equals = entry.LastIndexOf('=');
            var parts = equals > 0 ? entry[(equals + 1)..].Split(',', StringSplitOptions.TrimEntries) : Array.Empty<string>();
            if (equals <= 0 || parts.Length != 2
                || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var r)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var a))
            {
                throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"--tolerance '{entry}': expected name=rtol,atol, for example logits=1e-4,1e-5");
            }

            CheckTolerance(r, $"--tolerance '{entry}' rtol");
            CheckTolerance(a, $"--tolerance '{entry}' atol");
            var name = entry[..equals];
            if (!map.TryAdd(name, new Tolerance(r, a)))
            {
                throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"--tolerance gives output '{name}' twice");
            }
        }

        return new ToleranceSet(global, map);
    }

    /// <summary>Splits a comma-separated name list (<c>--inputs a,b</c>); empty for null.</summary>
    public static IReadOnlyList<string> SplitList(string? text) =>
        string.IsNullOrWhiteSpace(text) ? Array.Empty<string>() : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void CheckTolerance(double value, string what)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"{what} must be a finite number >= 0, not {value.ToString(CultureInfo.InvariantCulture)}");
        }
    }
}
