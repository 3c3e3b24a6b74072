using System.Reflection;

namespace BuildConvert.Core.Tests.Formats;

/// <summary>Where the golden-data tests find the repository, its fixtures and the shared corpora.</summary>
internal static class GoldenTestPaths
{
    public static string RepoRoot => RepoPaths.Root;

    public static string OnnxBackendCorpus => RepoPaths.OnnxBackend;

    public static string OnnxFixtures => Path.Combine(RepoRoot, "tests", "BuildConvert.Core.Tests", "Formats", "Onnx", "Fixtures");

    public static string NpyFixtures => Path.Combine(RepoRoot, "tests", "BuildConvert.Core.Tests", "Formats", "Npy", "Fixtures");

    /// <summary>Every test folder (holding model.onnx and test_data_set_N) in the ONNX backend corpus.</summary>
    public static IReadOnlyList<string> CorpusTestFolders() =>
        Directory.Exists(OnnxBackendCorpus)
            ? Directory.EnumerateFiles(OnnxBackendCorpus, "model.onnx", SearchOption.AllDirectories)
                .Select(f => Path.GetDirectoryName(f)!)
                .Where(d => Directory.EnumerateDirectories(d, "test_data_set_*").Any())
                .OrderBy(d => d, StringComparer.Ordinal)
                .ToArray()
            : Array.Empty<string>();

    /// <summary>A fresh empty folder under the system temp folder; the caller deletes it.</summary>
    public static string NewTempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "bconv-golden-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>
    /// Where a test writes files for a by-hand check script: <c>$BUILDCONVERT_FIXTURE_OUT/&lt;name&gt;</c> when that variable
    /// is set (so the script can be pointed at it), otherwise a fresh folder of this run, so concurrent runs never share it.
    /// </summary>
    public static string ScriptOutputFolder(string name)
    {
        var root = Environment.GetEnvironmentVariable("BUILDCONVERT_FIXTURE_OUT");
        return string.IsNullOrEmpty(root)
            ? Path.Combine(Path.GetTempPath(), "bconv-golden-" + Guid.NewGuid().ToString("N"), name)
            : Path.Combine(root, name);
    }
}
