using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Npy;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Values;
using BuildConvert.TorchOracle.Protocol;

namespace BuildConvert.TorchOracle.Tests;

/// <summary>What one run of the oracle process answered.</summary>
internal sealed record OracleAnswer(int ExitCode, JsonNode? Response, string Stderr, IReadOnlyList<GoldenDataSet> DataSets)
{
    public IReadOnlyList<Diagnostic> Diagnostics =>
        (Response?[TorchOracleProtocol.KeyDiagnostics] as JsonArray ?? []).Select(TorchOracleProtocol.FromJson).ToArray();

    public string Codes => string.Join(",", Diagnostics.Select(d => d.Code));
}

/// <summary>Runs buildconvert-torch-oracle (built by this project's reference) the way the tool does.</summary>
internal static class OracleProcess
{
    public static string RepoRoot { get; } = Metadata("RepoRoot");

    public static string OracleDll { get; } = Metadata("TorchOracleDll");

    public static string SmallFixtures => Path.Combine(RepoRoot, "tests", "fixtures", "torchscript");

    /// <summary>Where eng/torchscript/large-fixtures.sh writes the large fixtures (its default, or the variable both read).</summary>
    public static string LargeFixtures => Environment.GetEnvironmentVariable("BUILDCONVERT_TORCHSCRIPT_FIXTURES") is { Length: > 0 } given
        ? given
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache ? cache : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "buildconvert", "torchscript-fixtures");

    public static string PytorchCorpus => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "corpora", "pytorch"));

    /// <summary>Asks the oracle for golden data of <paramref name="archive"/>; given <paramref name="inputs"/> are passed as an npz file.</summary>
    public static OracleAnswer Golden(string archive, string? inputShapes = null, string? inputTypes = null, string method = "forward",
        IReadOnlyList<TensorValue>? inputs = null, string? inputsFrom = null, IDictionary<string, string>? environment = null)
    {
        var work = Path.Combine(Path.GetTempPath(), "bconv-oracle-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            if (inputs is not null)
            {
                inputsFrom = Path.Combine(work, "inputs.npz");
                NpzWriter.Write(inputsFrom, inputs);
            }

            var output = Path.Combine(work, "golden");
            var request = new JsonObject
            {
                [TorchOracleProtocol.KeyProtocol] = TorchOracleProtocol.Version,
                [TorchOracleProtocol.KeyArchive] = archive,
                [TorchOracleProtocol.KeyOutput] = output,
                [TorchOracleProtocol.KeyMethod] = method,
                [TorchOracleProtocol.KeyInputShapes] = inputShapes,
                [TorchOracleProtocol.KeyInputTypes] = inputTypes,
                [TorchOracleProtocol.KeyInputsFrom] = inputsFrom,
            };
            var requestFile = Path.Combine(work, "request.json");
            File.WriteAllText(requestFile, request.ToJsonString());
            var (code, stdout, stderr) = Run(environment, "golden", requestFile);
            var response = stdout.Trim().Length > 0 ? JsonNode.Parse(stdout.Trim().Split('\n')[^1]) : null;
            var dataSets = code == 0 ? OnnxTestLayout.Read(output, null) : Array.Empty<GoldenDataSet>();
            return new OracleAnswer(code, response, stderr, dataSets);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    public static (int Code, string Stdout, string Stderr) Run(IDictionary<string, string>? environment, params string[] arguments)
    {
        Assert.IsTrue(File.Exists(OracleDll), $"the oracle is not built at {OracleDll}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(OracleDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(5)), "the oracle did not finish in 5 minutes");
        return (process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>Compares every output of every data set with the expected ones (same count, each within tolerance).</summary>
    public static void AssertMatches(IReadOnlyList<GoldenDataSet> expected, IReadOnlyList<GoldenDataSet> actual, Tolerance tolerance, string what)
    {
        Assert.AreEqual(expected.Count, actual.Count, $"{what}: data sets");
        for (var n = 0; n < expected.Count; n++)
        {
            Assert.AreEqual(expected[n].Outputs.Count, actual[n].Outputs.Count, $"{what}, {expected[n].Name}: outputs");
            for (var k = 0; k < expected[n].Outputs.Count; k++)
            {
                var comparison = TensorComparer.Compare(expected[n].Outputs[k].Name, actual[n].Outputs[k], expected[n].Outputs[k], tolerance);
                Assert.IsTrue(comparison.Passed,
                    $"{what}, {expected[n].Name}, output {k}: {comparison.Problem ?? $"{comparison.MismatchCount} of {comparison.ElementCount} elements differ, max abs error {comparison.MaxAbsError:G3} at [{string.Join(",", comparison.WorstIndex ?? [])}]: {comparison.WorstActual} vs {comparison.WorstExpected}"}");
            }
        }
    }

    private static string Metadata(string key) =>
        typeof(OracleProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
