using BuildConvert.Core.Checking;
using BuildConvert.Core.Converters.Onnx.Rules;

namespace BuildConvert.Core.Converters.Onnx;

/// <summary>
/// The table of <see cref="OpsetStepRule"/>s, keyed by (operator, version where it changed), built once from the rule
/// families under <c>Rules/</c>. A key registered twice fails at startup; <see cref="Missing"/> lists the boundaries of
/// the schema table that have no rule (a test keeps it empty). Immutable and thread-safe.
/// </summary>
public sealed class OpsetStepRules
{
    private static readonly Lazy<OpsetStepRules> DefaultInstance = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Dictionary<(string OpType, int Version), OpsetStepRule> rules;

    private OpsetStepRules(Dictionary<(string OpType, int Version), OpsetStepRule> rules) => this.rules = rules;

    /// <summary>The rules of every ai.onnx operator boundary.</summary>
    public static OpsetStepRules Default => DefaultInstance.Value;

    /// <summary>Every rule, ordered by operator and version.</summary>
    public IReadOnlyList<OpsetStepRule> All =>
        rules.Values.OrderBy(r => r.OpType, StringComparer.Ordinal).ThenBy(r => r.Version).ToArray();

    /// <summary>The rule for crossing into <paramref name="version"/> of <paramref name="opType"/>, or null.</summary>
    public OpsetStepRule? Find(string opType, int version) => rules.GetValueOrDefault((opType, version));

    /// <summary>
    /// The ai.onnx boundaries of <paramref name="schemas"/> up to opset 28 that have no rule, and the rules that name no
    /// boundary (neither a version change nor an operator's first version that a rule replaces). Empty when the table is complete.
    /// </summary>
    public IReadOnlyList<string> Missing(OperatorSchemaRegistry schemas)
    {
        ArgumentNullException.ThrowIfNull(schemas);
        var problems = new List<string>();
        var boundaries = new HashSet<(string, int)>();
        foreach (var group in schemas.All.Where(s => s.Domain.Length == 0).GroupBy(s => s.Name))
        {
            var versions = group.Select(s => s.SinceVersion).OrderBy(v => v).ToArray();
            foreach (var v in versions.Skip(1).Where(v => v <= OnnxOpsetConverter.MaxOpset))
            {
                boundaries.Add((group.Key, v));
                if (!rules.ContainsKey((group.Key, v)))
                {
                    problems.Add($"{group.Key} {v}: no rule for this version change");
                }
            }

            boundaries.Add((group.Key, versions[0]));
        }

        problems.AddRange(rules.Keys.Where(k => !boundaries.Contains(k)).Select(k => $"{k.OpType} {k.Version}: a rule for a version the schema table does not have"));
        return problems;
    }

    private static OpsetStepRules Build()
    {
        var table = new OpsetRuleTable();
        ElementwiseRules.Register(table);
        AxesRules.Register(table);
        NormalizationRules.Register(table);
        PoolingRules.Register(table);
        ResizeRules.Register(table);
        SoftmaxRules.Register(table);
        RecurrentRules.Register(table);
        MiscRules.Register(table);
        CompatibleRules.Register(table);
        return new OpsetStepRules(table.Rules);
    }
}

/// <summary>Collects rules while the families register them; a duplicate key fails at once.</summary>
internal sealed class OpsetRuleTable
{
    public Dictionary<(string OpType, int Version), OpsetStepRule> Rules { get; } = new();

    public void Add(OpsetStepRule rule)
    {
        if (!Rules.TryAdd((rule.OpType, rule.Version), rule))
        {
            throw new InvalidOperationException($"opset step rule {rule.OpType} {rule.Version} is registered twice");
        }
    }

    /// <summary>An adapter with both directions.</summary>
    public void Adapter(string op, int version, string change, OpsetStepHandler? up, OpsetStepHandler? down,
        string? upImpossible = null, string? downImpossible = null) =>
        Add(new OpsetStepRule(op, version, OpsetStepKind.Adapter, change, up, down, upImpossible, downImpossible));

    /// <summary>Boundaries where only the type constraints or the text changed: no rewrite in either direction.</summary>
    public void Compatible(string change, params (string Op, int Version)[] boundaries)
    {
        foreach (var (op, version) in boundaries)
        {
            Add(new OpsetStepRule(op, version, OpsetStepKind.Compatible, change, NoOp, NoOp));
        }
    }

    /// <summary>The same adapter for several operators at one version.</summary>
    public void Adapters(int version, string change, OpsetStepHandler? up, OpsetStepHandler? down, params string[] ops)
    {
        foreach (var op in ops)
        {
            Adapter(op, version, change, up, down);
        }
    }

    public static void NoOp(OpsetStepContext context)
    {
    }
}
