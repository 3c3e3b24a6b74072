using System.Globalization;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Pipeline.Options;

/// <summary>How an option's value is written: on the command line, in item metadata and in the batch request.</summary>
public enum OptionValueKind
{
    /// <summary>One text value (<c>--format onnx</c>, <c>Format="onnx"</c>).</summary>
    Text,

    /// <summary>One whole number (<c>--opset 17</c>).</summary>
    Integer,

    /// <summary>One number (<c>--rtol 1e-4</c>).</summary>
    Number,

    /// <summary>A switch: <c>--optimize</c> (or <c>--optimize false</c>) on the command line, <c>true</c>/<c>false</c> in metadata.</summary>
    Flag,

    /// <summary>Entries given by repeating the option on the command line and separated by <c>;</c> in metadata.</summary>
    List,
}

/// <summary>Whether an option belongs to the pipeline (every format takes it) or only to the formats that declare it.</summary>
public enum OptionScope
{
    /// <summary>Read by a pipeline stage every format goes through (detect, validate): format, golden data, tolerances.</summary>
    Pipeline,

    /// <summary>Read by an importer: only formats that list the option in <see cref="IModelFormat.Options"/> take it;
    /// giving it for another format is BCONV0005.</summary>
    Format,
}

/// <summary>The <c>buildconvert</c> commands an option appears on.</summary>
[Flags]
public enum OptionCommands
{
    None = 0,
    Convert = 1,
    Verify = 2,
    Golden = 4,
    Inspect = 8,
}

/// <summary>Where an option's text came from, so that a malformed value is reported in the user's own spelling.</summary>
/// <param name="ItemId">The <c>&lt;OnnxModel&gt;</c> item (its Include) when the value is item metadata; null for the command line.</param>
/// <param name="File">The file the diagnostic points at (the item's model); null for none.</param>
public sealed record OptionSource(string? ItemId, string? File)
{
    /// <summary>A value given on the command line.</summary>
    public static OptionSource CommandLine { get; } = new(null, null);

    /// <summary>A value given as metadata of the item <paramref name="id"/> whose model is <paramref name="file"/>.</summary>
    public static OptionSource Item(string id, string? file) => new(id, file);
}

/// <summary>
/// Thrown by an option's value parser when the text is not a valid value. <see cref="Expected"/> is a noun phrase
/// (<c>a number such as 1e-4</c>); <see cref="Detail"/>, when set, says what is wrong with a value of the right shape.
/// Only <see cref="ConversionOptionDescriptor.Parse"/> catches it and turns it into BCONV0003.
/// </summary>
public sealed class OptionValueException : Exception
{
    private OptionValueException(string expected, string? detail)
        : base(detail ?? "expected " + expected)
    {
        Expected = expected;
        Detail = detail;
    }

    /// <summary>What a valid value looks like.</summary>
    public string Expected { get; }

    /// <summary>What is wrong with this value beyond its shape, or null.</summary>
    public string? Detail { get; }

    /// <summary>The text does not have the shape of a value (not a number, not true/false).</summary>
    public static OptionValueException NotA(string expected) => new(expected, null);

    /// <summary>The text has the right shape but the value is not allowed.</summary>
    public static OptionValueException Invalid(string expected, string detail) => new(expected, detail);
}

/// <summary>
/// One conversion option, declared once: its name (which is also its MSBuild item metadata name), its command-line
/// spelling, its value parser, where it applies and its help text. The CLI options of the commands, the MSBuild
/// defaults and the metadata the task forwards and stamps, and the batch request keys are all made from these
/// descriptors (<see cref="ConversionOptionTable"/> for the shared ones, <see cref="IModelFormat.Options"/> for a
/// format's own). Immutable.
/// </summary>
public sealed class ConversionOptionDescriptor
{
    private readonly Func<string, object> parse;
    private readonly Func<ConversionOptions, object?> get;
    private readonly Func<ConversionOptions, object, ConversionOptions> set;
    private readonly Func<ConversionOptions, bool> isSet;

    /// <summary>Declares an option whose value lives in a property of <see cref="ConversionOptions"/>.</summary>
    /// <param name="name">The MSBuild item metadata name, PascalCase (<c>InputShapes</c>); also the stamp line's name.</param>
    /// <param name="cliName">The command-line spelling (<c>--input-shapes</c>).</param>
    /// <param name="kind">How the value is written.</param>
    /// <param name="help">One sentence for <c>--help</c>, the props file and the docs.</param>
    /// <param name="parse">Parses the text (never empty) into the value; throws <see cref="OptionValueException"/>.</param>
    /// <param name="get">Reads the value back from options (null when unset).</param>
    /// <param name="set">Returns options with the value applied.</param>
    /// <param name="isSet">Whether options carry a value other than the default (used for BCONV0005).</param>
    /// <exception cref="ArgumentException">The name or the CLI spelling is malformed.</exception>
    public ConversionOptionDescriptor(
        string name,
        string cliName,
        OptionValueKind kind,
        string help,
        Func<string, object> parse,
        Func<ConversionOptions, object?> get,
        Func<ConversionOptions, object, ConversionOptions> set,
        Func<ConversionOptions, bool> isSet)
    {
        if (string.IsNullOrEmpty(name) || !char.IsUpper(name[0]) || !name.All(char.IsLetterOrDigit))
        {
            throw new ArgumentException($"option name '{name}' must be PascalCase letters and digits (it is an MSBuild metadata name)", nameof(name));
        }

        if (!cliName.StartsWith("--", StringComparison.Ordinal) || cliName.Length < 3 || !cliName[2..].All(c => char.IsLower(c) || char.IsDigit(c) || c == '-'))
        {
            throw new ArgumentException($"option '{name}': CLI spelling '{cliName}' must be --lower-case-words", nameof(cliName));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(help);
        Name = name;
        CliName = cliName;
        Kind = kind;
        Help = help;
        this.parse = parse;
        this.get = get;
        this.set = set;
        this.isSet = isSet;
    }

    /// <summary>The item metadata name (<c>Opset</c>).</summary>
    public string Name { get; }

    /// <summary>The command-line spelling (<c>--opset</c>).</summary>
    public string CliName { get; }

    /// <summary>The key of the value in an item of the batch request: <see cref="Name"/> in camelCase (<c>inputShapes</c>).</summary>
    public string RequestKey => char.ToLowerInvariant(Name[0]) + Name[1..];

    /// <summary>How the value is written.</summary>
    public OptionValueKind Kind { get; }

    /// <summary>One sentence of help.</summary>
    public string Help { get; }

    /// <summary>Whether every format takes it or only formats that declare it. Default: <see cref="OptionScope.Format"/>.</summary>
    public OptionScope Scope { get; init; } = OptionScope.Format;

    /// <summary>The commands it appears on. Default: <c>convert</c>.</summary>
    public OptionCommands Commands { get; init; } = OptionCommands.Convert;

    /// <summary>The metadata default in the props file (empty: the tool's default). With <see cref="ProjectProperty"/>
    /// the default is the property <c>$(BuildConvert&lt;Name&gt;)</c>, itself defaulting to this text.</summary>
    public string DefaultText { get; init; } = "";

    /// <summary>Whether a project-wide property <c>BuildConvert&lt;Name&gt;</c> sets the default for every item.</summary>
    public bool ProjectProperty { get; init; }

    /// <summary>Whether the MSBuild task forwards the metadata as is (and stamps it). False for options the task
    /// resolves itself and sends under a protocol key of its own (Golden, which becomes the resolved golden folder).</summary>
    public bool ForwardedByTask { get; init; } = true;

    /// <summary>The name of the project-wide default property (<c>BuildConvertOpset</c>).</summary>
    public string ProjectPropertyName => "BuildConvert" + Name;

    /// <summary>Parses <paramref name="text"/> given at <paramref name="source"/>.</summary>
    /// <exception cref="BuildConvertException">BCONV0003 naming the option in the source's spelling.</exception>
    public object Parse(string text, OptionSource source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            return parse(text.Trim());
        }
        catch (OptionValueException e)
        {
            var subject = source.ItemId is null ? CliName : $"<OnnxModel> '{source.ItemId}': {Name}";
            throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"{subject} '{text}': {e.Message}", source.File);
        }
    }

    /// <summary>Parses <paramref name="text"/> without a diagnostic: the CLI uses it to report a value of the wrong
    /// shape as a command-line error. Returns null when the text is valid.</summary>
    public OptionValueException? Problem(string text)
    {
        try
        {
            parse(text.Trim());
            return null;
        }
        catch (OptionValueException e)
        {
            return e;
        }
    }

    /// <summary>Returns <paramref name="options"/> with <paramref name="value"/> (from <see cref="Parse"/>) applied.</summary>
    public ConversionOptions Apply(ConversionOptions options, object value) => set(options, value);

    /// <summary>Parses and applies <paramref name="text"/>; blank text leaves the options as they are.</summary>
    /// <exception cref="BuildConvertException">BCONV0003 for a malformed value.</exception>
    public ConversionOptions ApplyText(ConversionOptions options, string? text, OptionSource source) =>
        string.IsNullOrWhiteSpace(text) ? options : Apply(options, Parse(text, source));

    /// <summary>The value in <paramref name="options"/>, or null when unset.</summary>
    public object? GetValue(ConversionOptions options) => get(options);

    /// <summary>Whether <paramref name="options"/> give this option a value other than its default.</summary>
    public bool IsSet(ConversionOptions options) => isSet(options);

    /// <summary>
    /// Declares an option of one format (a SavedModel <c>Signature</c>, ONNX export <c>DynamicAxes</c>): its value is
    /// kept in <see cref="ConversionOptions.FormatOptions"/> under <paramref name="name"/>, parsed by kind (text as
    /// given, a whole number, a number, true/false, or a list of entries as <c>string[]</c>). List it in the format's
    /// <see cref="IModelFormat.Options"/>; the CLI, MSBuild and the batch request pick it up from there.
    /// </summary>
    public static ConversionOptionDescriptor ForFormat(string name, string cliName, OptionValueKind kind, string help, Func<string, object>? parse = null) =>
        new(name, cliName, kind, help, parse ?? DefaultParser(kind),
            o => o.FormatOptions.TryGetValue(name, out var v) ? v : null,
            (o, v) => o with { FormatOptions = new Dictionary<string, object>(o.FormatOptions, StringComparer.Ordinal) { [name] = v } },
            o => o.FormatOptions.TryGetValue(name, out var v) && !(v is false));

    /// <inheritdoc />
    public override string ToString() => $"{CliName} / {Name}";

    /// <summary>The parser of a kind's plain values.</summary>
    public static Func<string, object> DefaultParser(OptionValueKind kind) => kind switch
    {
        OptionValueKind.Integer => ParseInteger,
        OptionValueKind.Number => text => ParseNumber(text),
        OptionValueKind.Flag => ParseFlag,
        OptionValueKind.List => text => SplitList(text, ';'),
        _ => text => text,
    };

    internal static object ParseInteger(string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw OptionValueException.NotA("a whole number");

    internal static double ParseNumber(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw OptionValueException.NotA("a number such as 1e-4");

    internal static object ParseFlag(string text) =>
        bool.TryParse(text, out var value) ? value : throw OptionValueException.NotA("true or false");

    internal static string[] SplitList(string text, char separator) =>
        text.Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
