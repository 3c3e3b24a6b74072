using System.Text.Json;
using System.Text.Json.Serialization;

namespace BuildConvert.Validation.Tests.Conformance;

/// <summary>
/// The committed list of ONNX backend tests that ONNX Runtime 1.31 (through its .NET API) cannot pass, each with a
/// category and a concrete reason (<c>onnx-backend-skips.json</c> beside this file).
/// </summary>
internal sealed record SkipManifest(
    [property: JsonPropertyName("runtime")] string Runtime,
    [property: JsonPropertyName("rtol")] double Rtol,
    [property: JsonPropertyName("atol")] double Atol,
    [property: JsonPropertyName("toleranceNote")] string ToleranceNote,
    [property: JsonPropertyName("categories")] IReadOnlyDictionary<string, string> Categories,
    [property: JsonPropertyName("skips")] IReadOnlyList<SkipEntry> Skips)
{
    public const string FileName = "onnx-backend-skips.json";

    /// <summary>The diagnostic codes a failure of each category must carry (keeps entries honest).</summary>
    public static IReadOnlyDictionary<string, string[]> ExpectedCodes { get; } = new Dictionary<string, string[]>
    {
        ["ort-not-implemented"] = ["BCONV4007"],
        ["training-op"] = ["BCONV4007"],
        ["ort-numerical-deviation"] = ["BCONV4001"],
        ["ort-behaviour-differs"] = ["BCONV4001", "BCONV4002", "BCONV4003", "BCONV4006", "BCONV4008"],
        ["random-op"] = ["BCONV4001"],
        ["unsupported-dtype-in-ort-csharp"] = ["BCONV4009"],
        ["ort-csharp-api-limit"] = ["BCONV4009"],
    };

    public static SkipManifest Load(string path) =>
        JsonSerializer.Deserialize<SkipManifest>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"'{path}' holds no skip manifest");
}

/// <summary>One skipped test: its folder relative to the corpus root (e.g. <c>node/test_foo</c>), its category and why.</summary>
internal sealed record SkipEntry(
    [property: JsonPropertyName("test")] string Test,
    [property: JsonPropertyName("category")] string Category,
    [property: JsonPropertyName("reason")] string Reason);
