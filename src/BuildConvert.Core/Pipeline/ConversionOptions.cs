using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.Core.Pipeline;

/// <summary>
/// The options of one conversion, as values. Each is declared once, with its CLI and MSBuild spellings and its parser,
/// in <see cref="ConversionOptionTable"/> (a format's own options in <see cref="IModelFormat.Options"/>, their values in
/// <see cref="FormatOptions"/>); build these from text with <see cref="ConversionOptionDescriptor.ApplyText"/>, never
/// with a parser of your own.
/// </summary>
public sealed record ConversionOptions
{
    /// <summary>Source format name (e.g. <c>onnx</c>); null to detect from the file.</summary>
    public string? Format { get; init; }

    /// <summary>Target ONNX opset for conversions; null for the converter's default.</summary>
    public int? Opset { get; init; }

    /// <summary>Graph input names to use (a subset or an order); empty for the model's own.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = Array.Empty<string>();

    /// <summary>Graph output names to use; empty for the model's own.</summary>
    public IReadOnlyList<string> Outputs { get; init; } = Array.Empty<string>();

    /// <summary>Input shape overrides; see <see cref="InputShapeSpec.ParseList"/>.</summary>
    public IReadOnlyList<InputShapeSpec> InputShapes { get; init; } = Array.Empty<InputShapeSpec>();

    /// <summary>Golden data folder (ONNX test layout or inputs.npz/outputs.npz); null for none.</summary>
    public string? Golden { get; init; }

    /// <summary>Tolerances for golden comparison (global and per output).</summary>
    public ToleranceSet Tolerances { get; init; } = ToleranceSet.Default;

    /// <summary>Run the graph optimization passes on the converted model.</summary>
    public bool Optimize { get; init; }

    /// <summary>The time limit for one model in seconds, 0 for none (<see cref="Options.ConversionOptionTable.DefaultTimeoutSeconds"/>
    /// unless set). The pipeline itself does not read it: whoever runs a conversion makes its cancellation token from it
    /// (the <c>msbuild-batch</c> items; <c>convert</c> has its own <c>--timeout</c>).</summary>
    public int TimeoutSeconds { get; init; } = Options.ConversionOptionTable.DefaultTimeoutSeconds;

    /// <summary>Values of format-specific options (<see cref="ConversionOptionDescriptor.ForFormat"/>), by option name.</summary>
    public IReadOnlyDictionary<string, object> FormatOptions { get; init; } = new Dictionary<string, object>(StringComparer.Ordinal);

    /// <summary>The value of <paramref name="option"/>, or null when it was not given.</summary>
    public object? Get(ConversionOptionDescriptor option)
    {
        ArgumentNullException.ThrowIfNull(option);
        return option.GetValue(this);
    }
}

/// <summary>
/// One entry of <c>--input-shapes</c>: a graph input named or given by 0-based position, and its dimensions,
/// where null marks a dynamic dimension (written <c>N</c>, <c>-1</c>, or any other symbol).
/// </summary>
public sealed record InputShapeSpec(string? Name, int? Position, IReadOnlyList<long?> Dimensions)
{
    /// <summary>For each dimension, the symbol it was written with (<c>N</c>, <c>batch</c>), or null for a size, <c>-1</c>
    /// or <c>?</c>; empty when the spec was not parsed from text. Formats that name dynamic dimensions use it so that
    /// two inputs written with the same symbol share one dimension.</summary>
    public IReadOnlyList<string?> Symbols { get; init; } = Array.Empty<string?>();

    /// <summary>The symbol of dimension <paramref name="index"/>, or null.</summary>
    public string? SymbolAt(int index) => index < Symbols.Count ? Symbols[index] : null;

    /// <summary>
    /// Parses <c>"a:N,3,224,224;b:1,10"</c> or <c>"0:1,3"</c>. Entries are separated by <c>;</c>; each is a name or a
    /// 0-based position, a colon, then comma-separated dimensions. An empty dimension list means a scalar.
    /// </summary>
    /// <exception cref="BuildConvertException">BCONV0003 when the text is malformed.</exception>
    public static IReadOnlyList<InputShapeSpec> ParseList(string? text)
    {
        try
        {
            return ParseListOrProblem(text);
        }
        catch (OptionValueException e)
        {
            throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"--input-shapes / InputShapes '{text}': {e.Message}");
        }
    }

    /// <summary>The parser of <see cref="ConversionOptionTable.InputShapes"/>.</summary>
    /// <exception cref="OptionValueException">The text is malformed.</exception>
    internal static IReadOnlyList<InputShapeSpec> ParseListOrProblem(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Array.Empty<InputShapeSpec>();
        }

        var result = new List<InputShapeSpec>();
        foreach (var rawEntry in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = rawEntry.LastIndexOf(':');
            if (colon <= 0)
            {
                throw Invalid(text, $"entry '{rawEntry}' needs the form name:d1,d2,...");
            }

            var key = rawEntry[..colon].Trim();
            var dimsText = rawEntry[(colon + 1)..].Trim();
            var dims = new List<long?>();
            var symbols = new List<string?>();
            if (dimsText.Length > 0)
            {
                foreach (var d in dimsText.Split(',', StringSplitOptions.TrimEntries))
                {
                    if (long.TryParse(d, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
                    {
                        if (v < -1)
                        {
                            throw Invalid(text, $"dimension '{d}' of '{key}' is negative");
                        }

                        dims.Add(v == -1 ? null : v);
                        symbols.Add(null);
                    }
                    else if (d == "?" || (d.Length > 0 && char.IsLetter(d[0]) && d.All(c => char.IsLetterOrDigit(c) || c == '_')))
                    {
                        dims.Add(null);
                        symbols.Add(d == "?" ? null : d);
                    }
                    else
                    {
                        throw Invalid(text, $"dimension '{d}' of '{key}' is not a number or a symbol such as N");
                    }
                }
            }

            var isPosition = int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var position);
            result.Add(new InputShapeSpec(isPosition ? null : key, isPosition ? position : null, dims) { Symbols = symbols });
        }

        return result;
    }

    public override string ToString() =>
        $"{Name ?? Position?.ToString(CultureInfo.InvariantCulture)}:{string.Join(",", Dimensions.Select((d, i) => d?.ToString(CultureInfo.InvariantCulture) ?? SymbolAt(i) ?? "N"))}";

    private static OptionValueException Invalid(string text, string why) =>
        OptionValueException.Invalid("name:d1,d2,... entries separated by ';'", why);
}
