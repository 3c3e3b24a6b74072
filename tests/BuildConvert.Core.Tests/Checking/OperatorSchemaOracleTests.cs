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
    };

    private static readonly string[] ArityFields = { "min_inputs", "max_inputs", "min_outputs", "max_outputs", "inputs", "outputs", "attributes" };

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

                var theirs = field.Value.GetRawText();
                var mine = actual.TryGetProperty(field.Name, out var value) ? value.GetRawText() : "<missing>";
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
        Assert.HasCount(0, differences, $"{differences.Count} difference(s) between the table and ONNX 1.12:\n" + string.Join("\n", differences));
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
