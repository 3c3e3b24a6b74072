using System.Text.Json;
using BuildConvert.Core.Checking;

namespace BuildConvert.Core.Tests.Checking;

/// <summary>
/// Compares the table generated from the ONNX 1.23.0 changelogs with the schemas compiled into Debian's python3-onnx 1.12
/// (Fixtures/onnx-1.12-schemas.json, made by eng/schemas/dump-onnx112-schemas.py), for every operator version that ONNX 1.12
/// knows: ai.onnx up to opset 17, ai.onnx.ml up to 3, ai.onnx.preview.training 1.
/// </summary>
[TestClass]
public sealed class OperatorSchemaOracleTests
{
    /// <summary>
    /// Genuine differences: fields ONNX changed in place after 1.12 without publishing a new operator version.
    /// Key: "domain|op|since|field".
    /// </summary>
    private static readonly Dictionary<string, string> KnownDifferences = new(StringComparer.Ordinal)
    {
        // onnx/onnx#4655 (commit 8dc0ed5, first released in ONNX 1.13.0) corrected GridSample-16's type labels:
        // 'grid' is T2 and 'Y' is T1. ONNX 1.12 still carries the old labels.
        ["|GridSample|16|inputs"] = "GridSample-16 type labels corrected in ONNX 1.13 (onnx/onnx#4655)",
        ["|GridSample|16|outputs"] = "GridSample-16 type labels corrected in ONNX 1.13 (onnx/onnx#4655)",

        // onnx/onnx#7398 (commit a5a638d, first released in ONNX 1.20.0) removed the integer types from Erf-13's T
        // (the error function of an integer is not an integer); ONNX 1.12 still allows them.
        ["|Erf|13|type_constraints"] = "Erf-13 integer types removed in ONNX 1.20 (onnx/onnx#7398)",
    };

    private static readonly string[] ArityFields = { "min_inputs", "max_inputs", "min_outputs", "max_outputs", "inputs", "outputs", "attributes", "type_constraints" };

    [TestMethod]
    public void EverySchemaVersionOnnx112KnowsAgreesWithTheTable()
    {
        using var oracle = JsonDocument.Parse(File.ReadAllBytes(SchemaTestFiles.Fixture("onnx-1.12-schemas.json")));
        using var ours = JsonDocument.Parse(OperatorSchemaRegistryTests.ReadEmbeddedTable());
        Assert.AreEqual("1.12.0", oracle.RootElement.GetProperty("onnx_version").GetString());

        var oracleMax = oracle.RootElement.GetProperty("max_opset").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        CollectionAssert.AreEquivalent(new[] { "", "ai.onnx.ml", "ai.onnx.preview.training" }, oracleMax.Keys.ToArray());
        var oracleRows = Index(oracle.RootElement);
        var ourRows = Index(ours.RootElement);
        var registry = OperatorSchemaRegistry.Default;

        var differences = new List<string>();
        var usedExceptions = new HashSet<string>(StringComparer.Ordinal);
        var comparedConstraints = 0;
        foreach (var (key, expected) in oracleRows)
        {
            if (!ourRows.TryGetValue(key, out var actual))
            {
                differences.Add($"{key}: in ONNX 1.12 but not in the table");
                continue;
            }

            var deprecated = actual.GetProperty("deprecated").GetBoolean();
            foreach (var field in expected.EnumerateObject())
            {
                // The changelog publishes no formals or attributes for a deprecated version (the table keeps them empty),
                // so only the flags can be compared for those.
                if (deprecated && ArityFields.Contains(field.Name))
                {
                    continue;
                }

                var theirs = Canonical(field.Name, field.Value);
                var mine = actual.TryGetProperty(field.Name, out var value) ? Canonical(field.Name, value) : "<missing>";
                if (theirs == mine)
                {
                    continue;
                }

                var exceptionKey = $"{key}|{field.Name}";
                if (KnownDifferences.ContainsKey(exceptionKey))
                {
                    usedExceptions.Add(exceptionKey);
                    continue;
                }

                differences.Add($"{key} {field.Name}:\n    onnx 1.12: {theirs}\n    table:     {mine}");
            }

            var (domain, name, since) = Split(key);
            var resolved = registry.Find(domain, name, since);
            if (resolved is null || resolved.SinceVersion != since)
            {
                differences.Add($"{key}: the registry resolves {resolved?.SinceVersion.ToString() ?? "nothing"} at opset {since}");
            }
            else if (!deprecated && !KnownDifferences.ContainsKey($"{key}|type_constraints"))
            {
                // The registry's objects, not just the JSON rows: every type ONNX 1.12 allows is allowed, and nothing else.
                comparedConstraints++;
                foreach (var constraint in expected.GetProperty("type_constraints").EnumerateArray())
                {
                    var variable = constraint.GetProperty("name").GetString()!;
                    var allowed = constraint.GetProperty("allowed").EnumerateArray().Select(a => a.GetString()!).ToArray();
                    var ourConstraint = resolved.FindTypeConstraint(variable);
                    if (ourConstraint is null || ourConstraint.AllowedTypes.Count != allowed.Length || !allowed.All(ourConstraint.Allows))
                    {
                        differences.Add($"{key}: the registry's type constraint {variable} does not allow exactly [{string.Join(", ", allowed)}]");
                    }
                }

                foreach (var formal in resolved.Inputs.Concat(resolved.Outputs))
                {
                    if (resolved.FindTypeConstraint(formal.TypeConstraint) is null && !OnnxTypeStrings.IsTypeString(formal.TypeConstraint))
                    {
                        differences.Add($"{key}: formal {formal.Name} has type '{formal.TypeConstraint}', neither a type variable nor a type string");
                    }
                }
            }
        }

        foreach (var key in ourRows.Keys)
        {
            var (domain, _, since) = Split(key);
            if (oracleMax.TryGetValue(domain, out var max) && since <= max && !oracleRows.ContainsKey(key))
            {
                differences.Add($"{key}: in the table but unknown to ONNX 1.12 (which knows opsets up to {max})");
            }
        }

        foreach (var (domain, max) in oracleMax)
        {
            if (registry.MaxOpsetVersion(domain) is not int ourMax || ourMax < max)
            {
                differences.Add($"domain '{domain}': ONNX 1.12 knows opset {max}, the table {registry.MaxOpsetVersion(domain)}");
            }
        }

        foreach (var stale in KnownDifferences.Keys.Except(usedExceptions))
        {
            differences.Add($"{stale}: listed as a known difference but the two agree; remove it from the exception list");
        }

        Assert.IsGreaterThan(400, oracleRows.Count);
        Assert.IsGreaterThan(400, comparedConstraints);
        Assert.HasCount(0, differences, $"{differences.Count} difference(s) between the table and ONNX 1.12:\n" + string.Join("\n", differences));
    }

    [TestMethod]
    public void TheOracleFixtureCarriesTypeConstraints()
    {
        using var oracle = JsonDocument.Parse(File.ReadAllBytes(SchemaTestFiles.Fixture("onnx-1.12-schemas.json")));
        var relu = oracle.RootElement.GetProperty("schemas").EnumerateArray()
            .Single(s => s.GetProperty("domain").GetString() == "" && s.GetProperty("name").GetString() == "Relu" && s.GetProperty("since_version").GetInt32() == 14);
        var t = relu.GetProperty("type_constraints").EnumerateArray().Single();
        Assert.AreEqual("T", t.GetProperty("name").GetString());
        CollectionAssert.Contains(t.GetProperty("allowed").EnumerateArray().Select(a => a.GetString()).ToArray(), "tensor(int32)");
    }

    /// <summary>
    /// The text compared for one field. The order of type constraints and of their allowed types carries no meaning
    /// (ONNX 1.12 registers Exp-13's and Tanh-13's types in another order than the 1.23 changelog prints them), so type
    /// constraints are compared as name -> set of type strings.
    /// </summary>
    private static string Canonical(string field, JsonElement value)
    {
        if (field != "type_constraints")
        {
            return value.GetRawText();
        }

        var constraints = value.EnumerateArray()
            .Select(c => $"{c.GetProperty("name").GetString()}: " +
                string.Join(", ", c.GetProperty("allowed").EnumerateArray().Select(a => a.GetString()).Order(StringComparer.Ordinal)))
            .Order(StringComparer.Ordinal);
        return "[" + string.Join("; ", constraints) + "]";
    }

    private static Dictionary<string, JsonElement> Index(JsonElement root)
    {
        var rows = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var row in root.GetProperty("schemas").EnumerateArray())
        {
            var key = $"{row.GetProperty("domain").GetString()}|{row.GetProperty("name").GetString()}|{row.GetProperty("since_version").GetInt32()}";
            Assert.IsTrue(rows.TryAdd(key, row), $"{key} listed twice");
        }

        return rows;
    }

    private static (string Domain, string Name, int Since) Split(string key)
    {
        var parts = key.Split('|');
        return (parts[0], parts[1], int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
    }
}
