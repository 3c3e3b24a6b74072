using System.Reflection;

namespace BuildConvert.Validation.Tests;

/// <summary>Where the validation tests find the repository and the shared corpora.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = typeof(TestPaths).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;

    public static string OnnxBackendCorpus => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "corpora", "onnx-backend"));

    public static string ConformanceFolder => Path.Combine(RepoRoot, "tests", "BuildConvert.Validation.Tests", "Conformance");

    /// <summary>A fresh empty folder under the system temp folder; the caller deletes it.</summary>
    public static string NewTempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "bconv-validation-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
