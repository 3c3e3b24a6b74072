using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace BuildConvert.Core.Caching;

/// <summary>
/// The JSON settings of cache keys and entries (infinite tolerances and errors are written as names). The entry types
/// are source-generated (<see cref="CacheJsonContext"/>), so a cache hit in a fresh tool process pays no reflection
/// warm-up; option values of other types fall back to reflection.
/// </summary>
internal static class CacheJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = JsonTypeInfoResolver.Combine(CacheJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };
}

/// <summary>The source-generated serializers of the cache entry files.</summary>
[JsonSerializable(typeof(CacheManifest))]
[JsonSerializable(typeof(CachedResult))]
internal sealed partial class CacheJsonContext : JsonSerializerContext
{
}
