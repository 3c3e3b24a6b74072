using System.Collections.ObjectModel;
using System.Text.Json;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Checking;

/// <summary>
/// The table of published ONNX operator versions (ai.onnx, ai.onnx.ml and the preview domains), generated from the ONNX
/// operator changelogs by <c>eng/schemas/gen-operator-schemas.py</c> and embedded in this assembly as
/// <c>Checking/Schemas/onnx-operators.json</c>. Immutable and safe to share between threads.
/// The domain names <c>""</c> and <c>"ai.onnx"</c> denote the same (default) domain everywhere; operator and domain
/// names are otherwise compared exactly (case-sensitive), as ONNX does.
/// </summary>
public sealed class OperatorSchemaRegistry
{
    internal const string ResourceName = "BuildConvert.Core.Checking.Schemas.onnx-operators.json";

    private const string DefaultDomainAlias = "ai.onnx";

    private const string Format = "buildconvert-onnx-operator-schemas/2";

    private static readonly Lazy<OperatorSchemaRegistry> DefaultInstance =
        new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Dictionary<(string Domain, string Name), ReadOnlyCollection<OperatorSchema>> versions;
    private readonly Dictionary<string, int> maxOpset;

    private OperatorSchemaRegistry(
        IReadOnlyList<OperatorSchema> all,
        Dictionary<(string Domain, string Name), ReadOnlyCollection<OperatorSchema>> versions,
        Dictionary<string, int> maxOpset,
        string onnxVersion,
        string onnxCommit)
    {
        All = all;
        this.versions = versions;
        this.maxOpset = maxOpset;
        OnnxVersion = onnxVersion;
        OnnxCommit = onnxCommit;
        SourceDescription = $"ONNX {onnxVersion} operator changelogs (onnx/onnx commit {onnxCommit})";
    }

    /// <summary>
    /// The registry built from the embedded table, loaded on first use (once per process).
    /// </summary>
    /// <exception cref="InvalidDataException">The embedded table is missing or malformed (a build defect).</exception>
    public static OperatorSchemaRegistry Default => DefaultInstance.Value;

    /// <summary>Every operator version, ordered by domain, name and since-version.</summary>
    public IReadOnlyList<OperatorSchema> All { get; }

    /// <summary>The ONNX release whose operator changelogs the table was generated from (e.g. <c>1.23.0</c>).</summary>
    public string OnnxVersion { get; }

    /// <summary>The onnx/onnx git commit the changelogs were read at.</summary>
    public string OnnxCommit { get; }

    /// <summary>Where the table came from, e.g. <c>ONNX 1.23.0 (onnx/onnx commit f754691…) operator changelogs</c>.</summary>
    public string SourceDescription { get; }

    /// <summary>
    /// The schema a node of <paramref name="opType"/> in <paramref name="domain"/> is checked against when the model imports
    /// <paramref name="opsetVersion"/> of that domain: the version with the highest since-version &lt;= the opset, or
    /// null when the operator is unknown or only introduced later. The result may be <see cref="OperatorSchema.Deprecated"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> or <paramref name="opType"/> is null.</exception>
    public OperatorSchema? Find(string domain, string opType, int opsetVersion)
    {
        if (!versions.TryGetValue(Key(domain, opType), out var list))
        {
            return null;
        }

        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (list[i].SinceVersion <= opsetVersion)
            {
                return list[i];
            }
        }

        return null;
    }

    /// <summary>Whether any version of the operator exists in the domain.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> or <paramref name="opType"/> is null.</exception>
    public bool IsKnownOperator(string domain, string opType) => versions.ContainsKey(Key(domain, opType));

    /// <summary>Every published version of the operator, by increasing since-version; empty when unknown.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> or <paramref name="opType"/> is null.</exception>
    public IReadOnlyList<OperatorSchema> GetVersions(string domain, string opType) =>
        versions.TryGetValue(Key(domain, opType), out var list) ? list : Array.Empty<OperatorSchema>();

    /// <summary>The newest opset version the table knows for the domain, or null for a domain it does not know.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> is null.</exception>
    public int? MaxOpsetVersion(string domain) =>
        maxOpset.TryGetValue(NormalizeDomain(domain), out var max) ? max : null;

    /// <summary>Whether the table describes this domain (<c>""</c>/<c>ai.onnx</c>, <c>ai.onnx.ml</c>, the preview domains).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> is null.</exception>
    public bool IsKnownDomain(string domain) => maxOpset.ContainsKey(NormalizeDomain(domain));

    /// <summary>Maps <c>ai.onnx</c> to <c>""</c>; returns every other domain unchanged.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> is null.</exception>
    public static string NormalizeDomain(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return string.Equals(domain, DefaultDomainAlias, StringComparison.Ordinal) ? string.Empty : domain;
    }

    /// <summary>Builds a registry from the JSON table's UTF-8 bytes.</summary>
    /// <exception cref="InvalidDataException">The table is malformed, inconsistent, or lists an operator version twice.</exception>
    internal static OperatorSchemaRegistry Parse(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            using var document = JsonDocument.ParseValue(ref reader);
            return FromDocument(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"operator schema table: not valid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new InvalidDataException($"operator schema table: unexpected structure: {e.Message}", e);
        }
    }

    private static OperatorSchemaRegistry LoadEmbedded()
    {
        using var stream = typeof(OperatorSchemaRegistry).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidDataException($"the embedded operator schema table '{ResourceName}' is missing");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return Parse(bytes);
    }

    private static OperatorSchemaRegistry FromDocument(JsonElement root)
    {
        var format = root.GetProperty("format").GetString();
        if (!string.Equals(format, Format, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"operator schema table: format '{format}' is not '{Format}'");
        }

        if (root.GetProperty("unbounded_count").GetInt32() != OperatorSchema.Unbounded)
        {
            throw new InvalidDataException($"operator schema table: unbounded_count must be {OperatorSchema.Unbounded}");
        }

        var source = root.GetProperty("source");
        var onnxVersion = source.GetProperty("onnx_version").GetString();
        var commit = source.GetProperty("commit").GetString();
        if (string.IsNullOrEmpty(onnxVersion) || string.IsNullOrEmpty(commit))
        {
            throw new InvalidDataException("operator schema table: source.onnx_version and source.commit are required");
        }

        var maxOpset = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in root.GetProperty("max_opset").EnumerateObject())
        {
            var domain = NormalizeDomain(entry.Name);
            if (!maxOpset.TryAdd(domain, entry.Value.GetInt32()))
            {
                throw new InvalidDataException($"operator schema table: max_opset lists domain '{entry.Name}' twice");
            }
        }

        var all = new List<OperatorSchema>();
        var grouped = new Dictionary<(string Domain, string Name), List<OperatorSchema>>();
        foreach (var element in root.GetProperty("schemas").EnumerateArray())
        {
            var schema = ReadSchema(element);
            if (!maxOpset.TryGetValue(schema.Domain, out var max))
            {
                throw new InvalidDataException($"operator schema table: {Describe(schema)} is in a domain max_opset does not list");
            }

            if (schema.SinceVersion < 1 || schema.SinceVersion > max)
            {
                throw new InvalidDataException($"operator schema table: {Describe(schema)} has a since-version outside 1..{max}");
            }

            var key = (schema.Domain, schema.Name);
            if (!grouped.TryGetValue(key, out var list))
            {
                list = new List<OperatorSchema>();
                grouped.Add(key, list);
            }

            if (list.Exists(s => s.SinceVersion == schema.SinceVersion))
            {
                throw new InvalidDataException($"operator schema table: {Describe(schema)} is listed twice");
            }

            list.Add(schema);
            all.Add(schema);
        }

        var versions = new Dictionary<(string Domain, string Name), ReadOnlyCollection<OperatorSchema>>(grouped.Count);
        foreach (var (key, list) in grouped)
        {
            var sorted = list.ToArray();
            Array.Sort(sorted, static (a, b) => a.SinceVersion.CompareTo(b.SinceVersion));
            versions.Add(key, Array.AsReadOnly(sorted));
        }

        all.Sort(static (a, b) =>
        {
            var c = string.CompareOrdinal(a.Domain, b.Domain);
            if (c == 0)
            {
                c = string.CompareOrdinal(a.Name, b.Name);
            }

            return c != 0 ? c : a.SinceVersion.CompareTo(b.SinceVersion);
        });

        return new OperatorSchemaRegistry(new ReadOnlyCollection<OperatorSchema>(all), versions, maxOpset, onnxVersion, commit);
    }

    private static OperatorSchema ReadSchema(JsonElement e)
    {
        var domain = NormalizeDomain(RequiredString(e, "domain", allowEmpty: true));
        var name = RequiredString(e, "name", allowEmpty: false);
        var since = e.GetProperty("since_version").GetInt32();
        var deprecated = e.GetProperty("deprecated").GetBoolean();
        var experimental = e.GetProperty("experimental").GetBoolean();
        var inputs = ReadFormals(e.GetProperty("inputs"), domain, name, since);
        var outputs = ReadFormals(e.GetProperty("outputs"), domain, name, since);
        var attributes = ReadAttributes(e.GetProperty("attributes"), domain, name, since);
        var schema = new OperatorSchema(
            domain,
            name,
            since,
            inputs,
            outputs,
            attributes,
            e.GetProperty("min_inputs").GetInt32(),
            e.GetProperty("max_inputs").GetInt32(),
            e.GetProperty("min_outputs").GetInt32(),
            e.GetProperty("max_outputs").GetInt32(),
            deprecated,
            experimental)
        {
            TypeConstraints = ReadTypeConstraints(e.GetProperty("type_constraints"), domain, name, since),
        };
        CheckFormalTypes(schema, schema.Inputs);
        CheckFormalTypes(schema, schema.Outputs);
        CheckCounts(schema, schema.Inputs, schema.MinInputs, schema.MaxInputs, "inputs");
        CheckCounts(schema, schema.Outputs, schema.MinOutputs, schema.MaxOutputs, "outputs");
        return schema;
    }

    private static ReadOnlyCollection<FormalParameter> ReadFormals(JsonElement array, string domain, string op, int since)
    {
        var result = new List<FormalParameter>(array.GetArrayLength());
        foreach (var f in array.EnumerateArray())
        {
            var name = RequiredString(f, "name", allowEmpty: false);
            var type = RequiredString(f, "type", allowEmpty: false);
            var optionText = RequiredString(f, "option", allowEmpty: false);
            var option = optionText switch
            {
                "single" => FormalParameterOption.Single,
                "optional" => FormalParameterOption.Optional,
                "variadic" => FormalParameterOption.Variadic,
                _ => throw new InvalidDataException(
                    $"operator schema table: {Describe(domain, op, since)} formal '{name}' has unknown option '{optionText}'"),
            };
            var minArity = 1;
            var homogeneous = true;
            if (option == FormalParameterOption.Variadic)
            {
                minArity = f.GetProperty("min_arity").GetInt32();
                homogeneous = f.GetProperty("homogeneous").GetBoolean();
            }

            result.Add(new FormalParameter(name, type, option, minArity, homogeneous));
        }

        return result.AsReadOnly();
    }

    private static ReadOnlyCollection<TypeConstraint> ReadTypeConstraints(JsonElement array, string domain, string op, int since)
    {
        var result = new List<TypeConstraint>(array.GetArrayLength());
        foreach (var c in array.EnumerateArray())
        {
            var name = RequiredString(c, "name", allowEmpty: false);
            if (result.Exists(x => string.Equals(x.Name, name, StringComparison.Ordinal)))
            {
                throw new InvalidDataException(
                    $"operator schema table: {Describe(domain, op, since)} declares type constraint '{name}' twice");
            }

            var allowed = new List<string>();
            foreach (var t in c.GetProperty("allowed").EnumerateArray())
            {
                var type = t.GetString();
                if (string.IsNullOrEmpty(type) || !OnnxTypeStrings.IsTypeString(type))
                {
                    throw new InvalidDataException(
                        $"operator schema table: {Describe(domain, op, since)} type constraint '{name}' allows '{type}', which is not a type string");
                }

                allowed.Add(type);
            }

            if (allowed.Count == 0)
            {
                throw new InvalidDataException(
                    $"operator schema table: {Describe(domain, op, since)} type constraint '{name}' allows no type");
            }

            result.Add(new TypeConstraint(name, allowed.AsReadOnly()));
        }

        return result.AsReadOnly();
    }

    private static void CheckFormalTypes(OperatorSchema schema, IReadOnlyList<FormalParameter> formals)
    {
        foreach (var formal in formals)
        {
            if (schema.FindTypeConstraint(formal.TypeConstraint) is null && !OnnxTypeStrings.IsTypeString(formal.TypeConstraint))
            {
                throw new InvalidDataException(
                    $"operator schema table: {Describe(schema)} formal '{formal.Name}' has type '{formal.TypeConstraint}', which is neither a type constraint of the operator nor a type string");
            }
        }
    }

    private static ReadOnlyCollection<AttributeSchema> ReadAttributes(JsonElement array, string domain, string op, int since)
    {
        var result = new List<AttributeSchema>(array.GetArrayLength());
        foreach (var a in array.EnumerateArray())
        {
            var name = RequiredString(a, "name", allowEmpty: false);
            var typeText = RequiredString(a, "type", allowEmpty: false);
            var type = ParseAttributeType(typeText) ?? throw new InvalidDataException(
                $"operator schema table: {Describe(domain, op, since)} attribute '{name}' has unknown type '{typeText}'");

            if (result.Exists(x => string.Equals(x.Name, name, StringComparison.Ordinal)))
            {
                throw new InvalidDataException(
                    $"operator schema table: {Describe(domain, op, since)} declares attribute '{name}' twice");
            }

            result.Add(new AttributeSchema(name, type, a.GetProperty("required").GetBoolean()));
        }

        return result.AsReadOnly();
    }

    private static AttributeProto.Types.AttributeType? ParseAttributeType(string text) => text switch
    {
        "FLOAT" => AttributeProto.Types.AttributeType.Float,
        "INT" => AttributeProto.Types.AttributeType.Int,
        "STRING" => AttributeProto.Types.AttributeType.String,
        "TENSOR" => AttributeProto.Types.AttributeType.Tensor,
        "GRAPH" => AttributeProto.Types.AttributeType.Graph,
        "SPARSE_TENSOR" => AttributeProto.Types.AttributeType.SparseTensor,
        "TYPE_PROTO" => AttributeProto.Types.AttributeType.TypeProto,
        "FLOATS" => AttributeProto.Types.AttributeType.Floats,
        "INTS" => AttributeProto.Types.AttributeType.Ints,
        "STRINGS" => AttributeProto.Types.AttributeType.Strings,
        "TENSORS" => AttributeProto.Types.AttributeType.Tensors,
        "GRAPHS" => AttributeProto.Types.AttributeType.Graphs,
        "SPARSE_TENSORS" => AttributeProto.Types.AttributeType.SparseTensors,
        "TYPE_PROTOS" => AttributeProto.Types.AttributeType.TypeProtos,
        _ => null,
    };

    private static void CheckCounts(OperatorSchema schema, IReadOnlyList<FormalParameter> formals, int min, int max, string what)
    {
        if (schema.Deprecated && formals.Count == 0)
        {
            if (min != 0 || max != 0)
            {
                throw new InvalidDataException($"operator schema table: {Describe(schema)} is deprecated without formals but has {what} counts");
            }

            return;
        }

        var lo = 0;
        var hi = 0;
        for (var i = 0; i < formals.Count; i++)
        {
            switch (formals[i].Option)
            {
                case FormalParameterOption.Single:
                    hi++;
                    lo = hi;
                    break;
                case FormalParameterOption.Optional:
                    hi++;
                    break;
                default:
                    if (i != formals.Count - 1 || formals[i].MinArity < 0)
                    {
                        throw new InvalidDataException($"operator schema table: {Describe(schema)} has a misplaced or invalid variadic {what[..^1]}");
                    }

                    lo = hi + formals[i].MinArity;
                    hi = OperatorSchema.Unbounded;
                    break;
            }
        }

        if (lo != min || hi != max)
        {
            throw new InvalidDataException(
                $"operator schema table: {Describe(schema)} declares {what} {min}..{max} but its formals give {lo}..{hi}");
        }
    }

    private static string RequiredString(JsonElement e, string property, bool allowEmpty)
    {
        var value = e.GetProperty(property).GetString();
        if (value is null || (!allowEmpty && value.Length == 0))
        {
            throw new InvalidDataException($"operator schema table: property '{property}' must be a non-empty string");
        }

        return value;
    }

    private static (string, string) Key(string domain, string opType)
    {
        ArgumentNullException.ThrowIfNull(opType);
        return (NormalizeDomain(domain), opType);
    }

    private static string Describe(OperatorSchema s) => Describe(s.Domain, s.Name, s.SinceVersion);

    private static string Describe(string domain, string op, int since) =>
        $"{(domain.Length == 0 ? DefaultDomainAlias : domain)}.{op}-{since}";
}
