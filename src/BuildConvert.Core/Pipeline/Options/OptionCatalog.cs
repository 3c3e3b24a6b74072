using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Pipeline.Options;

/// <summary>
/// Every conversion option a <see cref="FormatRegistry"/> knows: the shared <see cref="ConversionOptionTable"/> first,
/// then the options formats declare for themselves, in registration order. Names, CLI spellings and request keys are
/// unique across it (checked at construction). Immutable and safe to share.
/// </summary>
public sealed class OptionCatalog
{
    private readonly IReadOnlyList<IModelFormat> formats;

    /// <summary>Makes the catalog of <paramref name="shared"/> options plus the options <paramref name="formats"/> declare.</summary>
    /// <exception cref="ArgumentException">Two different options share a name, a CLI spelling or a request key; or a
    /// format declares a <see cref="OptionScope.Pipeline"/> option.</exception>
    public OptionCatalog(IEnumerable<ConversionOptionDescriptor> shared, IEnumerable<IModelFormat> formats)
    {
        ArgumentNullException.ThrowIfNull(shared);
        ArgumentNullException.ThrowIfNull(formats);
        this.formats = formats.ToArray();
        var all = new List<ConversionOptionDescriptor>();
        var byName = new Dictionary<string, ConversionOptionDescriptor>(StringComparer.OrdinalIgnoreCase);
        var byCli = new Dictionary<string, ConversionOptionDescriptor>(StringComparer.Ordinal);
        void Add(ConversionOptionDescriptor option, string owner)
        {
            if (byName.TryGetValue(option.Name, out var known))
            {
                if (ReferenceEquals(known, option))
                {
                    return;
                }

                throw new ArgumentException($"{owner} declares option '{option.Name}', but another option already has that name", nameof(formats));
            }

            if (byCli.ContainsKey(option.CliName))
            {
                throw new ArgumentException($"{owner} declares option '{option.Name}' as {option.CliName}, but another option already has that spelling", nameof(formats));
            }

            byName.Add(option.Name, option);
            byCli.Add(option.CliName, option);
            all.Add(option);
        }

        foreach (var option in shared)
        {
            Add(option, "the shared option table");
        }

        foreach (var format in this.formats)
        {
            foreach (var option in format.Options)
            {
                if (option.Scope == OptionScope.Pipeline)
                {
                    throw new ArgumentException($"format '{format.Name}' lists the pipeline option '{option.Name}'; every format takes it already", nameof(formats));
                }

                Add(option, $"format '{format.Name}'");
            }
        }

        All = all;
    }

    /// <summary>Every option, shared ones first.</summary>
    public IReadOnlyList<ConversionOptionDescriptor> All { get; }

    /// <summary>The options that appear on <paramref name="command"/>, in catalog order.</summary>
    public IReadOnlyList<ConversionOptionDescriptor> ForCommand(OptionCommands command) =>
        All.Where(o => (o.Commands & command) != 0).ToArray();

    /// <summary>The options the MSBuild task forwards as item metadata (and stamps), in catalog order.</summary>
    public IReadOnlyList<ConversionOptionDescriptor> ForwardedByTask => All.Where(o => o.ForwardedByTask).ToArray();

    /// <summary>The option named <paramref name="name"/> (case-insensitive), or null.</summary>
    public ConversionOptionDescriptor? Find(string name) =>
        All.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The names of the formats that take <paramref name="option"/> (every format for a pipeline option).</summary>
    public IReadOnlyList<string> FormatsUsing(ConversionOptionDescriptor option) =>
        formats.Where(f => option.Scope == OptionScope.Pipeline || f.Options.Contains(option)).Select(f => f.Name).ToArray();

    /// <summary>
    /// The BCONV0005 errors for options given in <paramref name="options"/> that <paramref name="format"/> does not
    /// take (a <see cref="OptionScope.Format"/> option it does not list); empty when every given option applies.
    /// </summary>
    public IReadOnlyList<Diagnostic> Unused(IModelFormat format, ConversionOptions options, string? file)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(options);
        var result = new List<Diagnostic>();
        foreach (var option in All)
        {
            if (option.Scope == OptionScope.Format && option.IsSet(options) && !format.Options.Contains(option))
            {
                var users = FormatsUsing(option);
                var who = users.Count == 0 ? "no registered format uses it" : $"it applies to: {string.Join(", ", users)}";
                result.Add(DiagnosticCodes.OptionNotSupported.Create(
                    $"{option} is not used by the '{format.Name}' format ({who}); remove the option", file, option.Name));
            }
        }

        return result;
    }
}
