using System.Text.Json;

namespace BuildConvert.Tool.Tests.Infrastructure;

internal static class JsonExtensions
{
    /// <summary>The codes of a <c>diagnostics</c> array.</summary>
    public static string[] Codes(this JsonElement element) =>
        element.GetProperty("diagnostics").EnumerateArray().Select(d => d.GetProperty("code").GetString()!).ToArray();

    public static JsonElement[] Models(this JsonElement document) => document.GetProperty("models").EnumerateArray().ToArray();
}
