using System.Reflection;

namespace BuildConvert.Core.Tests;

/// <summary>Where the repository and the shared corpora are, for tests.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = Path.GetFullPath(
        typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!);

    public static string Corpora { get; } = Path.GetFullPath(Path.Combine(Root, "..", "shared", "corpora"));

    public static string OnnxBackend { get; } = Path.Combine(Corpora, "onnx-backend");
}
