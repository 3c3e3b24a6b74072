using System.Text.Json;
using BuildConvert.Core.Values;

namespace BuildConvert.Core.Tests.Formats.Npy;

/// <summary>The manifest written by eng/fixtures/make-npy-fixtures.py (numpy is the oracle).</summary>
internal static class NpyFixtures
{
    private static readonly Lazy<JsonDocument> Manifest = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(GoldenTestPaths.NpyFixtures, "manifest.json"))));

    public static string PathOf(string file) => Path.Combine(GoldenTestPaths.NpyFixtures, file);

    public static IEnumerable<JsonElement> Arrays => Manifest.Value.RootElement.GetProperty("arrays").EnumerateArray();

    public static IEnumerable<JsonElement> Rejected => Manifest.Value.RootElement.GetProperty("rejected").EnumerateArray();

    public static IEnumerable<string> NpyFiles => Arrays.Where(a => !a.TryGetProperty("entries", out _)).Select(a => a.GetProperty("file").GetString()!);

    public static IEnumerable<string> NpzFiles => Arrays.Where(a => a.TryGetProperty("entries", out _)).Select(a => a.GetProperty("file").GetString()!);

    /// <summary>Null when <paramref name="value"/> matches the manifest entry, else the difference.</summary>
    public static string? Compare(TensorValue value, JsonElement expected)
    {
        if ((int)value.ElementType != expected.GetProperty("data_type").GetInt32())
        {
            return $"type {value.ElementType}, expected {expected.GetProperty("data_type").GetInt32()}";
        }

        var shape = expected.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        return ExpectedValues.Compare(value, shape, expected.GetProperty("kind").GetString()!, expected.GetProperty("values"));
    }
}
