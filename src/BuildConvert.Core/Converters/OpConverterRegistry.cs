using System.Globalization;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Converters;

/// <summary>The key of one converter: a source operator (domain and name) and the lowest target opset it emits for.</summary>
public sealed record OpConverterKey(string Domain, string OpType, int MinOpset)
{
    public override string ToString() =>
        $"{(Domain.Length == 0 ? "" : Domain + "::")}{OpType} (opset >= {MinOpset.ToString(CultureInfo.InvariantCulture)})";
}

/// <summary>One registered converter with its key and a note for docs/supported-ops.md.</summary>
public sealed record OpConverterEntry<THandler>(OpConverterKey Key, THandler Handler, string Note);

/// <summary>
/// The converters of one source framework, as data: each is keyed by (source operator, minimum target opset), and for a
/// target opset the registered version with the highest minimum not above it wins (the tf2onnx pattern). Registering a
/// key twice fails at once. <see cref="FindUnsupported"/> collects every operator of a model that has no converter at
/// the target, so that all of them are reported in one error. Immutable after <see cref="Freeze"/>; then thread-safe.
/// </summary>
/// <typeparam name="THandler">What a converter is (a delegate or an object).</typeparam>
public sealed class OpConverterRegistry<THandler>
    where THandler : class
{
    private readonly Dictionary<(string Domain, string OpType), List<OpConverterEntry<THandler>>> byOp = new();
    private bool frozen;

    /// <summary>A registry for converters from <paramref name="framework"/> (its name in messages and docs).</summary>
    public OpConverterRegistry(string framework)
    {
        ArgumentException.ThrowIfNullOrEmpty(framework);
        Framework = framework;
    }

    /// <summary>The source framework's name.</summary>
    public string Framework { get; }

    /// <summary>Every entry, ordered by domain, operator and minimum opset.</summary>
    public IReadOnlyList<OpConverterEntry<THandler>> Entries =>
        byOp.Values.SelectMany(v => v).OrderBy(e => e.Key.Domain, StringComparer.Ordinal)
            .ThenBy(e => e.Key.OpType, StringComparer.Ordinal).ThenBy(e => e.Key.MinOpset).ToArray();

    /// <summary>Registers <paramref name="handler"/> for <paramref name="opType"/> from target opset <paramref name="minOpset"/> on.</summary>
    /// <exception cref="InvalidOperationException">The key is registered already, or the registry is frozen.</exception>
    public OpConverterRegistry<THandler> Add(string opType, int minOpset, THandler handler, string note = "", string domain = "")
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        ArgumentNullException.ThrowIfNull(handler);
        if (frozen)
        {
            throw new InvalidOperationException($"the {Framework} converter registry is frozen");
        }

        var key = (domain, opType);
        if (!byOp.TryGetValue(key, out var list))
        {
            byOp[key] = list = new List<OpConverterEntry<THandler>>();
        }

        if (list.Any(e => e.Key.MinOpset == minOpset))
        {
            throw new InvalidOperationException($"{Framework} converter {new OpConverterKey(domain, opType, minOpset)} is registered twice");
        }

        list.Add(new OpConverterEntry<THandler>(new OpConverterKey(domain, opType, minOpset), handler, note));
        list.Sort((a, b) => a.Key.MinOpset.CompareTo(b.Key.MinOpset));
        return this;
    }

    /// <summary>Stops further registration.</summary>
    public OpConverterRegistry<THandler> Freeze()
    {
        frozen = true;
        return this;
    }

    /// <summary>Whether any converter exists for the operator, at any opset.</summary>
    public bool Knows(string opType, string domain = "") => byOp.ContainsKey((domain, opType));

    /// <summary>The converter for <paramref name="opType"/> at <paramref name="targetOpset"/>: the highest minimum opset not above it, or null.</summary>
    public OpConverterEntry<THandler>? Resolve(string opType, long targetOpset, string domain = "")
    {
        if (!byOp.TryGetValue((domain, opType), out var list))
        {
            return null;
        }

        OpConverterEntry<THandler>? best = null;
        foreach (var entry in list)
        {
            if (entry.Key.MinOpset <= targetOpset)
            {
                best = entry;
            }
        }

        return best;
    }

    /// <summary>
    /// The operators among <paramref name="nodes"/> (domain, operator, node name) with no converter at
    /// <paramref name="targetOpset"/>, grouped with their counts and node names; empty when everything converts.
    /// </summary>
    public IReadOnlyList<UnsupportedOperator> FindUnsupported(IEnumerable<(string Domain, string OpType, string NodeName)> nodes, long targetOpset)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var groups = new Dictionary<(string, string), UnsupportedOperator>();
        foreach (var (domain, op, name) in nodes)
        {
            if (Resolve(op, targetOpset, domain) is not null)
            {
                continue;
            }

            if (!groups.TryGetValue((domain, op), out var entry))
            {
                var lowest = byOp.TryGetValue((domain, op), out var list) ? list[0].Key.MinOpset : (int?)null;
                groups[(domain, op)] = entry = new UnsupportedOperator(domain, op, new List<string>(), lowest);
            }

            ((List<string>)entry.NodeNames).Add(name);
        }

        return groups.Values.OrderByDescending(g => g.NodeNames.Count).ThenBy(g => g.OpType, StringComparer.Ordinal).ToArray();
    }
}

/// <summary>An operator a model uses that has no converter: how many nodes use it, their names, and the lowest opset
/// at which one exists (null when none does).</summary>
public sealed record UnsupportedOperator(string Domain, string OpType, IReadOnlyList<string> NodeNames, int? AvailableFromOpset)
{
    /// <summary>Formats the list for a message: <c>Foo (3 nodes: a, b, c), Bar (1 node: d; needs opset >= 18)</c>.</summary>
    public static string Describe(IReadOnlyList<UnsupportedOperator> operators, int namesShown = 3) =>
        string.Join(", ", operators.Select(o =>
        {
            var names = o.NodeNames.Where(n => n.Length > 0).Take(namesShown).Select(n => $"'{n}'").ToArray();
            var more = o.NodeNames.Count > names.Length && names.Length > 0 ? ", ..." : "";
            var count = o.NodeNames.Count == 1 ? "1 node" : $"{o.NodeNames.Count} nodes";
            var list = names.Length > 0 ? $": {string.Join(", ", names)}{more}" : "";
            var hint = o.AvailableFromOpset is { } v ? $"; supported from opset {v}" : "";
            return $"{(o.Domain.Length == 0 ? "" : o.Domain + "::")}{o.OpType} ({count}{list}{hint})";
        }));

    /// <summary>The one BCONV2001 error for every unsupported operator of a model.</summary>
    public static BuildConvertException Error(string framework, IReadOnlyList<UnsupportedOperator> operators, long targetOpset, string? file)
    {
        var total = operators.Sum(o => o.NodeNames.Count);
        return BuildConvertException.Create(DiagnosticCodes.UnsupportedOperators,
            $"{operators.Count} {framework} operator(s) used by {total} node(s) cannot be converted at opset {targetOpset}: {Describe(operators)}", file);
    }
}
