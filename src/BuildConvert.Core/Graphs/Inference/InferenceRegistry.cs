using BuildConvert.Core.Checking;

namespace BuildConvert.Core.Graphs.Inference;

/// <summary>Infers the output types of one node; reads inputs and attributes from the context and sets outputs on it.</summary>
public delegate void InferenceFunction(InferenceContext context);

/// <summary>The key of an inference rule: domain (<c>""</c> for ai.onnx), operator, and the opset it applies from.</summary>
public sealed record InferenceKey(string Domain, string OpType, int SinceVersion)
{
    public override string ToString() => $"{(Domain.Length == 0 ? "" : Domain + ".")}{OpType}-{SinceVersion}";
}

/// <summary>
/// The inference rules as data, keyed by (domain, operator, since-version): a node at opset <c>v</c> of its domain uses
/// the rule with the highest since-version &lt;= <c>v</c> (the same stacking the operator changelogs use). Registering a
/// key twice fails when the registry is built. Immutable once built; thread-safe.
/// </summary>
public sealed class InferenceRegistry
{
    private static readonly Lazy<InferenceRegistry> DefaultInstance = new(BuildDefault);
    private readonly Dictionary<(string Domain, string OpType), List<(int Since, InferenceFunction Function)>> rules;

    private InferenceRegistry(Dictionary<(string, string), List<(int, InferenceFunction)>> rules) => this.rules = rules;

    /// <summary>Every rule of the ONNX operator families this project knows.</summary>
    public static InferenceRegistry Default => DefaultInstance.Value;

    /// <summary>Every registered key, ordered by domain, operator and version.</summary>
    public IReadOnlyList<InferenceKey> Keys =>
        rules.SelectMany(r => r.Value.Select(v => new InferenceKey(r.Key.Domain, r.Key.OpType, v.Since)))
            .OrderBy(k => k.Domain, StringComparer.Ordinal).ThenBy(k => k.OpType, StringComparer.Ordinal).ThenBy(k => k.SinceVersion).ToArray();

    /// <summary>The distinct (domain, operator) pairs that have at least one rule.</summary>
    public IReadOnlyCollection<(string Domain, string OpType)> Operators => rules.Keys;

    /// <summary>The rule in force for <paramref name="opType"/> at <paramref name="opset"/> of <paramref name="domain"/>, or null.</summary>
    public InferenceFunction? Find(string domain, string opType, long opset)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(opType);
        if (!rules.TryGetValue((OperatorSchemaRegistry.NormalizeDomain(domain), opType), out var list))
        {
            return null;
        }

        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (list[i].Since <= opset)
            {
                return list[i].Function;
            }
        }

        return null;
    }

    /// <summary>Builds a registry from <paramref name="register"/> (for tests and for callers adding their own domains).</summary>
    /// <exception cref="InvalidOperationException">A key is registered twice.</exception>
    public static InferenceRegistry Create(Action<Builder> register)
    {
        ArgumentNullException.ThrowIfNull(register);
        var builder = new Builder();
        register(builder);
        return builder.Build();
    }

    private static InferenceRegistry BuildDefault() => Create(b =>
    {
        ElementwiseInference.Register(b);
        TensorShapeInference.Register(b);
        IndexingInference.Register(b);
        ReductionInference.Register(b);
        NeuralNetInference.Register(b);
        MatrixInference.Register(b);
        ControlFlowInference.Register(b);
        SequenceInference.Register(b);
        MiscInference.Register(b);
        AttentionInference.Register(b);
        ExtensionDomainInference.Register(b);
    });

    /// <summary>Collects rules; <c>Add</c> refuses a duplicate key.</summary>
    public sealed class Builder
    {
        private readonly Dictionary<(string, string), List<(int, InferenceFunction)>> rules = new();

        internal Builder()
        {
        }

        /// <summary>Registers <paramref name="function"/> for <paramref name="opType"/> from <paramref name="sinceVersion"/> of <paramref name="domain"/>.</summary>
        /// <exception cref="InvalidOperationException">The key is already registered.</exception>
        public Builder Add(string opType, int sinceVersion, InferenceFunction function, string domain = "")
        {
            ArgumentNullException.ThrowIfNull(opType);
            ArgumentNullException.ThrowIfNull(function);
            var key = (OperatorSchemaRegistry.NormalizeDomain(domain), opType);
            if (!rules.TryGetValue(key, out var list))
            {
                rules[key] = list = new List<(int, InferenceFunction)>();
            }

            if (list.Any(r => r.Item1 == sinceVersion))
            {
                throw new InvalidOperationException($"inference rule {new InferenceKey(key.Item1, opType, sinceVersion)} is registered twice");
            }

            list.Add((sinceVersion, function));
            return this;
        }

        /// <summary>Registers one rule for several operators, each from its first published version in the operator schema table.</summary>
        public Builder AddAll(IEnumerable<string> opTypes, InferenceFunction function, string domain = "")
        {
            foreach (var op in opTypes)
            {
                Add(op, FirstVersion(domain, op), function, domain);
            }

            return this;
        }

        /// <summary>Registers a rule from the operator's first published version in the operator schema table.</summary>
        public Builder Add(string opType, InferenceFunction function, string domain = "") => Add(opType, FirstVersion(domain, opType), function, domain);

        private static int FirstVersion(string domain, string opType) =>
            OperatorSchemaRegistry.Default.GetVersions(domain, opType) is { Count: > 0 } versions ? versions[0].SinceVersion : 1;

        /// <summary>Registers one rule for several operators.</summary>
        public Builder AddAll(IEnumerable<string> opTypes, int sinceVersion, InferenceFunction function, string domain = "")
        {
            foreach (var op in opTypes)
            {
                Add(op, sinceVersion, function, domain);
            }

            return this;
        }

        internal InferenceRegistry Build()
        {
            foreach (var list in rules.Values)
            {
                list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
            }

            return new InferenceRegistry(rules);
        }
    }
}
