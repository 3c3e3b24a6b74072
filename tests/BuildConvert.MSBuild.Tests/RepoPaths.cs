using System.Reflection;

namespace BuildConvert.MSBuild.Tests;

/// <summary>Where the repository, its build configuration and the shared corpora are, for tests.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = Path.GetFullPath(Metadata("RepoRoot"));

    /// <summary>The configuration the tests were built in; the end-to-end tests pack the task and tool built the same way.</summary>
    public static string Configuration { get; } = Metadata("Configuration");

    public static string Corpora { get; } = Path.GetFullPath(Path.Combine(Root, "..", "shared", "corpora"));

    public static string OnnxBackend { get; } = Path.Combine(Corpora, "onnx-backend");

    private static string Metadata(string key) =>
        typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
