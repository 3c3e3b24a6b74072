using System.Globalization;
using GoldenTolerance = BuildConvert.Core.Golden.Tolerance;

namespace BuildConvert.Core.Pipeline.Options;

/// <summary>
/// The conversion options every format can see, declared once. A format says which of the
/// <see cref="OptionScope.Format"/> ones it reads (and adds its own) in <see cref="IModelFormat.Options"/>; the
/// <see cref="OptionScope.Pipeline"/> ones apply to every format. From this table (plus the formats' own options, see
/// <see cref="OptionCatalog"/>) come the CLI options of <c>convert</c>, <c>verify</c>, <c>golden</c> and
/// <c>inspect</c>, the MSBuild item metadata defaults and the list of metadata the task forwards and stamps (generated
/// into <c>src/BuildConvert.MSBuild</c> by <c>eng/update-docs.sh</c>), and the keys of the batch request.
/// </summary>
public static class ConversionOptionTable
{
    /// <summary>The source format; detected when omitted.</summary>
    public static ConversionOptionDescriptor Format { get; } = new(
        "Format", "--format", OptionValueKind.Text,
        "The input's format (e.g. onnx); detected from the file when omitted.",
        text => text,
        o => o.Format, (o, v) => o with { Format = (string)v }, o => o.Format is not null)
    {
        Scope = OptionScope.Pipeline,
        Commands = OptionCommands.Convert | OptionCommands.Inspect,
    };

    /// <summary>The target ai.onnx opset.</summary>
    public static ConversionOptionDescriptor Opset { get; } = new(
        "Opset", "--opset", OptionValueKind.Integer,
        "Target ai.onnx opset (1-28). An ONNX model at another opset is converted to it (docs/opset-conversion.md); a node that cannot keep its meaning there is BCONV2002.",
        ParseOpset,
        o => o.Opset, (o, v) => o with { Opset = (int)v }, o => o.Opset is not null)
    {
        ProjectProperty = true,
    };

    /// <summary>Graph inputs to use, in order.</summary>
    public static ConversionOptionDescriptor Inputs { get; } = new(
        "Inputs", "--inputs", OptionValueKind.Text,
        "Graph inputs, comma-separated (for ONNX input: all of them, in the order wanted).",
        text => ConversionOptionDescriptor.SplitList(text, ','),
        o => o.Inputs, (o, v) => o with { Inputs = (string[])v }, o => o.Inputs.Count > 0);

    /// <summary>Graph outputs to keep, in order.</summary>
    public static ConversionOptionDescriptor Outputs { get; } = new(
        "Outputs", "--outputs", OptionValueKind.Text,
        "Graph outputs to keep, comma-separated, in the order wanted.",
        text => ConversionOptionDescriptor.SplitList(text, ','),
        o => o.Outputs, (o, v) => o with { Outputs = (string[])v }, o => o.Outputs.Count > 0);

    /// <summary>Input shape overrides.</summary>
    public static ConversionOptionDescriptor InputShapes { get; } = new(
        "InputShapes", "--input-shapes", OptionValueKind.Text,
        "Input shapes as \"a:N,3,224,224;b:1,10\" (a name or 0-based position, then dimensions; N or -1 is dynamic).",
        text => InputShapeSpec.ParseListOrProblem(text),
        o => o.InputShapes, (o, v) => o with { InputShapes = (IReadOnlyList<InputShapeSpec>)v }, o => o.InputShapes.Count > 0)
    {
        Commands = OptionCommands.Convert | OptionCommands.Golden,
    };

    /// <summary>Whether to run the graph optimization passes.</summary>
    public static ConversionOptionDescriptor Optimize { get; } = new(
        "Optimize", "--optimize", OptionValueKind.Flag,
        "Run the graph optimization passes on the converted model (default false).",
        ConversionOptionDescriptor.ParseFlag,
        o => o.Optimize, (o, v) => o with { Optimize = (bool)v }, o => o.Optimize)
    {
        DefaultText = "false",
        ProjectProperty = true,
    };

    /// <summary>The golden data folder.</summary>
    public static ConversionOptionDescriptor Golden { get; } = new(
        "Golden", "--golden", OptionValueKind.Text,
        "Golden data folder (the ONNX test layout test_data_set_N/input_K.pb, output_K.pb, or inputs.npz + outputs.npz) to validate against.",
        text => text,
        o => o.Golden, (o, v) => o with { Golden = (string)v }, o => o.Golden is not null)
    {
        Scope = OptionScope.Pipeline,
        Commands = OptionCommands.Convert | OptionCommands.Verify,
        ForwardedByTask = false,
    };

    /// <summary>The global relative tolerance.</summary>
    public static ConversionOptionDescriptor Rtol { get; } = new(
        "Rtol", "--rtol", OptionValueKind.Number,
        $"Relative tolerance for golden comparison (|actual - expected| <= atol + rtol * |expected|); default {GoldenTolerance.Default.Rtol.ToString(CultureInfo.InvariantCulture)}.",
        ParseTolerance,
        o => o.Tolerances.Global.Rtol,
        (o, v) => o with { Tolerances = o.Tolerances with { Global = o.Tolerances.Global with { Rtol = (double)v } } },
        o => o.Tolerances.Global.Rtol != GoldenTolerance.Default.Rtol)
    {
        Scope = OptionScope.Pipeline,
        Commands = OptionCommands.Convert | OptionCommands.Verify,
        ProjectProperty = true,
    };

    /// <summary>The global absolute tolerance.</summary>
    public static ConversionOptionDescriptor Atol { get; } = new(
        "Atol", "--atol", OptionValueKind.Number,
        $"Absolute tolerance for golden comparison; default {GoldenTolerance.Default.Atol.ToString(CultureInfo.InvariantCulture)}.",
        ParseTolerance,
        o => o.Tolerances.Global.Atol,
        (o, v) => o with { Tolerances = o.Tolerances with { Global = o.Tolerances.Global with { Atol = (double)v } } },
        o => o.Tolerances.Global.Atol != GoldenTolerance.Default.Atol)
    {
        Scope = OptionScope.Pipeline,
        Commands = OptionCommands.Convert | OptionCommands.Verify,
        ProjectProperty = true,
    };

    /// <summary>Per-output tolerances.</summary>
    public static ConversionOptionDescriptor Tolerance { get; } = new(
        "Tolerance", "--tolerance", OptionValueKind.List,
        "Tolerance for one output, as name=rtol,atol (repeat the option, or separate entries with ';' in metadata); overrides rtol/atol for that output.",
        ParsePerOutput,
        o => o.Tolerances.PerOutput,
        (o, v) => o with { Tolerances = o.Tolerances with { PerOutput = (IReadOnlyDictionary<string, GoldenTolerance>)v } },
        o => o.Tolerances.PerOutput.Count > 0)
    {
        Scope = OptionScope.Pipeline,
        Commands = OptionCommands.Convert | OptionCommands.Verify,
    };

    /// <summary>The default time limit for one model, in seconds (<c>convert --timeout</c>, <c>Timeout</c> metadata).</summary>
    public const int DefaultTimeoutSeconds = 600;

    /// <summary>The time limit for one model of a build. Not a CLI option built from this table: <c>convert</c>,
    /// <c>verify</c> and <c>check</c> have their own <c>--timeout</c> with the same default. Item metadata only.</summary>
    public static ConversionOptionDescriptor Timeout { get; } = new(
        "Timeout", "--timeout", OptionValueKind.Integer,
        $"Stop converting and validating one model after this many seconds (BCONV0009); 0 for no limit. Default {DefaultTimeoutSeconds}.",
        ParseTimeout,
        o => o.TimeoutSeconds, (o, v) => o with { TimeoutSeconds = (int)v }, o => o.TimeoutSeconds != DefaultTimeoutSeconds)
    {
        Scope = OptionScope.Pipeline,
        Commands = OptionCommands.None,

        // No project property: BuildConvertTimeout is already the task's limit for the whole tool process (ms).
    };

    /// <summary>Every shared option, in the order the CLI help, the props file and the stamp list them.</summary>
    public static IReadOnlyList<ConversionOptionDescriptor> All { get; } = new[]
    {
        Format, Opset, Inputs, Outputs, InputShapes, Optimize, Golden, Rtol, Atol, Tolerance, Timeout,
    };

    private static object ParseTimeout(string text)
    {
        const string expected = "a whole number of seconds";
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw OptionValueException.NotA(expected);
        }

        return value >= 0 ? value : throw OptionValueException.Invalid(expected, "must be 0 (no limit) or a positive number of seconds");
    }

    private static object ParseOpset(string text)
    {
        const string expected = "an opset version such as 17";
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw OptionValueException.NotA(expected);
        }

        return value > 0 ? value : throw OptionValueException.Invalid(expected, "must be a positive whole number");
    }

    private static object ParseTolerance(string text)
    {
        var value = ConversionOptionDescriptor.ParseNumber(text);
        return double.IsFinite(value) && value >= 0
            ? value
            : throw OptionValueException.Invalid("a number such as 1e-4", "must be a finite number >= 0");
    }

    private static object ParsePerOutput(string text)
    {
        const string expected = "name=rtol,atol entries, for example logits=1e-4,1e-5";
        var map = new Dictionary<string, GoldenTolerance>(StringComparer.Ordinal);
        foreach (var entry in ConversionOptionDescriptor.SplitList(text, ';'))
        {
            var equals = entry.LastIndexOf('=');
            var parts = equals > 0 ? entry[(equals + 1)..].Split(',', StringSplitOptions.TrimEntries) : Array.Empty<string>();
            if (equals <= 0 || parts.Length != 2
                || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var r)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var a))
            {
                throw OptionValueException.NotA(expected);
            }

            if (!double.IsFinite(r) || r < 0 || !double.IsFinite(a) || a < 0)
            {
                throw OptionValueException.Invalid(expected, $"entry '{entry}': rtol and atol must be finite numbers >= 0");
            }

            var name = entry[..equals].Trim();
            if (!map.TryAdd(name, GoldenTolerance.Default with { Rtol = r, Atol = a }))
            {
                throw OptionValueException.Invalid(expected, $"gives output '{name}' twice");
            }
        }

        return map;
    }
}
