using System.Collections.Frozen;

namespace BuildConvert.Core.Converters.TorchScript.Schemas;

/// <summary>
/// The aten:: and prim:: operator schemas of PyTorch 1.13 (aten-schemas.txt, embedded; written by
/// eng/torchscript/dump-aten-schemas.py from <c>torch._C._jit_get_all_schemas()</c>, out= overloads dropped), by
/// operator name. Loaded once, immutable, thread-safe.
/// </summary>
public sealed class AtenSchemaTable
{
    private const string ResourceName = "BuildConvert.Core.Converters.TorchScript.Schemas.aten-schemas.txt";

    private static readonly Lazy<AtenSchemaTable> Shared = new(Load);

    private readonly FrozenDictionary<string, IReadOnlyList<AtenSchema>> byName;

    private AtenSchemaTable(IEnumerable<AtenSchema> schemas)
    {
        var list = schemas.ToArray();
        All = list;
        byName = list.GroupBy(s => s.Name, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => (IReadOnlyList<AtenSchema>)g.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The PyTorch 1.13 table.</summary>
    public static AtenSchemaTable Default => Shared.Value;

    /// <summary>Every schema, in table order.</summary>
    public IReadOnlyList<AtenSchema> All { get; }

    /// <summary>The overloads of <paramref name="name"/> (<c>aten::add</c>), in table order; empty when unknown.</summary>
    public IReadOnlyList<AtenSchema> Overloads(string name) =>
        byName.TryGetValue(name, out var list) ? list : Array.Empty<AtenSchema>();

    /// <summary>Whether any overload of <paramref name="name"/> exists.</summary>
    public bool Contains(string name) => byName.ContainsKey(name);

    /// <summary>Builds a table from schema lines ('#' lines and blank lines are skipped).</summary>
    public static AtenSchemaTable FromLines(IEnumerable<string> lines) =>
        new(lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(AtenSchema.Parse));

    private static AtenSchemaTable Load()
    {
        using var stream = typeof(AtenSchemaTable).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return FromLines(lines);
    }
}
