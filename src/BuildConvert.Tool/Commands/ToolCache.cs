using System.CommandLine;
using System.Reflection;
using BuildConvert.Core.Caching;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Tool.Commands;

/// <summary>
/// Where the tool's conversion cache is: <c>--cache DIR</c> (or the batch request's cache folder), else the
/// <c>BUILDCONVERT_CACHE</c> environment variable, else none (the CLI caches nothing by default).
/// </summary>
internal static class ToolCache
{
    /// <summary>The environment variable naming the cache folder.</summary>
    public const string EnvironmentVariable = "BUILDCONVERT_CACHE";

    /// <summary>The tool and ONNX Runtime versions every key includes. The tool's is its full informational version
    /// (with the commit it was built from, when the build recorded one), so builds of two commits never share entries.</summary>
    public static CacheEnvironment Environment { get; } = new(
        typeof(ToolCache).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? ToolVersion.Text,
        RuntimeVersion());

    /// <summary>The <c>--cache</c> option of <c>convert</c>.</summary>
    public static Option<string?> Option() => CommonOptions.NotBlank(new Option<string?>("--cache")
    {
        Description = $"Conversion cache folder: a passing conversion is stored there and an identical one (same bytes, options, golden data and versions) is restored instead of converted. Default: ${EnvironmentVariable}, else no cache.",
    });

    /// <summary>The cache at <paramref name="folder"/>, else at <c>BUILDCONVERT_CACHE</c>, else null.</summary>
    public static ConversionCache? Resolve(string? folder)
    {
        var chosen = !string.IsNullOrWhiteSpace(folder) ? folder : System.Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(chosen) ? null : new ConversionCache(chosen);
    }

    /// <summary>The pipeline the command runs, with <paramref name="cache"/> in front when there is one.</summary>
    public static CachingModelPipeline Pipeline(CliContext context, ConversionCache? cache) =>
        new(new ModelPipeline(context.Services.Formats), cache, context.Services.Formats.Options, Environment);

    // The managed ONNX Runtime assembly's version names the native library it ships with; reading it loads no native code.
    private static string RuntimeVersion() =>
        typeof(Microsoft.ML.OnnxRuntime.OrtValue).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(Microsoft.ML.OnnxRuntime.OrtValue).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
