using System.Reflection;

namespace BuildConvert.Core.Tests.Checking;

/// <summary>Locations the schema tests read: this repository (from the RepoRoot assembly metadata) and the shared corpora beside it.</summary>
internal static class SchemaTestFiles
{
    public static string RepoRoot => RepoPaths.Root;

    public static string Fixture(string name) => Path.Combine(RepoRoot, "tests", "BuildConvert.Core.Tests", "Checking", "Fixtures", name);

    public static string OnnxBackendCorpus { get; } = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "corpora", "onnx-backend"));
}
