using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Caching;

/// <summary>
/// The JSON settings of cache keys and entries (infinite tolerances and errors are written as names, enums as names).
/// Every type written is source-generated (<see cref="CacheJsonContext"/>): no reflection, so a cache hit in a fresh
/// tool process pays no serializer warm-up and the tool can be compiled ahead of time.
/// </summary>
internal static class CacheJson
{
    /// <summary>The context every cache file and key is written with.</summary>
    public static CacheJsonContext Context { get; } = new(new JsonSerializerOptions
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    });

    /// <summary>The serializer of an option value's runtime type.</summary>
    /// <exception cref="InvalidOperationException">The type is not declared on <see cref="CacheJsonContext"/> (a new
    /// option value type must be added there; a test sets every option to catch this).</exception>
    public static JsonTypeInfo TypeOf(Type type) =>
        Context.GetTypeInfo(type) ?? throw new InvalidOperationException(
            $"option values of type {type} cannot be written into a cache key: declare the type on CacheJsonContext");
}

/// <summary>The source-generated serializers of the cache entry files and of every option value type.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(CacheManifest))]
[JsonSerializable(typeof(CachedResult))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(InputShapeSpec[]))]
[JsonSerializable(typeof(List<InputShapeSpec>))]
[JsonSerializable(typeof(IReadOnlyList<InputShapeSpec>))]
[JsonSerializable(typeof(Tolerance))]
[JsonSerializable(typeof(Dictionary<string, Tolerance>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, Tolerance>))]
internal sealed partial class CacheJsonContext : JsonSerializerContext
{
}
