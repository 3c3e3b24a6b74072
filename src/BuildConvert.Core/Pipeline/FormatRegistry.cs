using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.Core.Pipeline;

/// <summary>
/// The formats the pipeline knows, as data. A new source format (TensorFlow, TorchScript, Keras, scikit-learn) is one
/// more entry in <see cref="CreateDefault"/>. Names are unique (case-insensitive); a duplicate fails at construction.
/// Immutable and safe to share.
/// </summary>
public sealed partial class FormatRegistry
{
    private readonly IReadOnlyList<IModelFormat> formats;

    /// <summary>Makes a registry of <paramref name="formats"/>, in detection order.</summary>
    /// <exception cref="ArgumentException">A format has an empty name, two formats share a name, or two options share a
    /// name or CLI spelling (see <see cref="OptionCatalog"/>).</exception>
    public FormatRegistry(IEnumerable<IModelFormat> formats)
    {
        ArgumentNullException.ThrowIfNull(formats);
        var list = formats.ToArray();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var format in list)
        {
            if (string.IsNullOrWhiteSpace(format.Name))
            {
                throw new ArgumentException($"format {format.GetType().Name} has an empty name", nameof(formats));
            }

            if (!seen.Add(format.Name))
            {
                throw new ArgumentException($"two formats are registered under the name '{format.Name}'", nameof(formats));
            }
        }

        this.formats = list;
        Options = new OptionCatalog(ConversionOptionTable.All, list);
    }

    /// <summary>Every conversion option: the shared table plus the options the formats declare.</summary>
    public OptionCatalog Options { get; }

    /// <summary>The registered formats, in detection order.</summary>
    public IReadOnlyList<IModelFormat> Formats => formats;

    /// <summary>The format named <paramref name="name"/> (case-insensitive), or null.</summary>
    public IModelFormat? Find(string name) =>
        formats.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Picks the format of <paramref name="path"/>: the one named by <paramref name="formatName"/> when given, otherwise
    /// the strongest detection (content beats extension; the first registered wins a tie).
    /// </summary>
    /// <exception cref="BuildConvertException">BCONV0003 for an unknown <paramref name="formatName"/>; BCONV0004 when no format recognises the path.</exception>
    public IModelFormat Resolve(string path, string? formatName)
    {
        if (!string.IsNullOrWhiteSpace(formatName))
        {
            return Find(formatName.Trim()) ?? throw BuildConvertException.Create(
                DiagnosticCodes.InvalidOption,
                $"--format / Format '{formatName}' is not a known format; known formats: {KnownList()}",
                path);
        }

        IModelFormat? best = null;
        var bestMatch = FormatMatch.None;
        foreach (var format in formats)
        {
            var match = format.Detect(path);
            if (match > bestMatch)
            {
                best = format;
                bestMatch = match;
            }
        }

        return best ?? throw BuildConvertException.Create(
            DiagnosticCodes.UnknownFormat,
            $"the {(Directory.Exists(path) ? "folder" : "file")} is not in a format BuildConvert recognises; known formats: {KnownList()} (use --format to name one)",
            path);
    }

    private string KnownList() => string.Join(", ", formats.Select(f =>
        f.Extensions.Count == 0 ? $"{f.Name} ({f.Description})" : $"{f.Name} ({f.Description}, {string.Join("/", f.Extensions)})"));
}
