using System.Text.Json;
using System.Text.RegularExpressions;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests.Hostile;

/// <summary>
/// Seeded corruptions of real corpus models and of their golden data, pushed through the `check` and `verify` commands
/// as a user would: every run must end with exit code 0 or 1 (never a crash, a hang, or an internal error), and every
/// failure must carry a code from the diagnostics table.
/// </summary>
[TestClass]
[DoNotParallelize] // sets the process-wide validation memory budget
public sealed partial class HostileInputTests
{
    private const int Seed = 20261123;

    public TestContext TestContext { get; set; } = null!;

    /// <summary>Models with weights, sub-graphs, several inputs and non-float types, so mutations hit varied structures.</summary>
    private static readonly string[] Sources =
    {
        "pytorch-converted/test_ConvTranspose2d",
        "pytorch-operator/test_operator_symbolic_override_nested",
        "node/test_if_seq",
        "node/test_loop11",
        "node/test_gemm_default_single_elem_vector_bias",
        "node/test_ai_onnx_ml_label_encoder_string_int",
        "node/test_scan9_sum",
        "simple/test_gradient_of_add_and_mul",
    };

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void CorruptedModelsAndGoldenDataThroughCheckAndVerifyGiveCodedResults()
    {
        if (Sources.Select(TestPaths.BackendTest).Count(Directory.Exists) < 4)
        {
            Assert.Inconclusive("the onnx-backend corpus is not beside the repository");
        }

        // A corrupted Loop trip count makes a run allocate without end; a small budget stops it quickly (BCONV4012).
        var previousBudget = Environment.GetEnvironmentVariable("BUILDCONVERT_VALIDATION_MEMORY_LIMIT_MB");
        Environment.SetEnvironmentVariable("BUILDCONVERT_VALIDATION_MEMORY_LIMIT_MB", "1024");
        try
        {
            Run();
        }
        finally
        {
            Environment.SetEnvironmentVariable("BUILDCONVERT_VALIDATION_MEMORY_LIMIT_MB", previousBudget);
        }
    }

    private void Run()
    {
        var sources = Sources.Select(TestPaths.BackendTest).Where(Directory.Exists).ToArray();
        using var temp = new TempFolder();
        var random = new Random(Seed);
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        const int Cases = 1000;
        for (var i = 0; i < Cases; i++)
        {
            var source = sources[random.Next(sources.Length)];
            var folder = Path.Combine(temp.Path, "case" + (i % 8));
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            CopyFolder(source, folder);
            var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToArray();

            // Two thirds of the cases corrupt the model, the rest a golden file.
            var target = random.Next(3) < 2 ? Path.Combine(folder, "model.onnx") : files[random.Next(files.Length)];
            var kind = Mutate(target, random);
            var what = $"case {i}: {kind} of {Path.GetRelativePath(folder, target)} in {Path.GetFileName(source)}";

            var command = random.Next(2) == 0 ? "check" : "verify";
            var args = command == "check"
                ? new[] { "check", Path.Combine(folder, "model.onnx"), "--json" }
                : new[] { "verify", folder, "--json", "--timeout", "10" };
            var result = Cli.Run(args);
            Assert.IsTrue(result.ExitCode is 0 or 1, $"{what}: {command} exited {result.ExitCode}\n{result}");
            var codes = AllCodes(result.Json());
            Assert.DoesNotContain("BCONV9001", codes, $"{what}: internal error\n{result}");
            foreach (var code in codes)
            {
                Assert.IsNotNull(DiagnosticCodes.Find(code), $"{what}: {code} is not in the diagnostics table");
            }

            if (result.ExitCode == 1)
            {
                Assert.IsNotEmpty(codes, $"{what}: failed without a coded diagnostic\n{result}");
            }

            var key = $"{command} {(result.ExitCode == 0 ? "ok" : codes.FirstOrDefault() ?? "mismatch")}";
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
        }

        // The mutations must actually exercise failure paths of both commands, not only slip through.
        var summary = string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}"));
        TestContext.WriteLine(summary);
        Assert.IsGreaterThan(Cases / 4, outcomes.Where(o => o.Key.StartsWith("check BCONV", StringComparison.Ordinal)).Sum(o => o.Value), summary);
        Assert.IsGreaterThan(Cases / 4, outcomes.Where(o => o.Key.StartsWith("verify BCONV", StringComparison.Ordinal)).Sum(o => o.Value), summary);
        Assert.IsGreaterThan(8, outcomes.Keys.Select(k => k.Split(' ')[1]).Distinct().Count(), summary);
    }

    private static string Mutate(string path, Random random)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0)
        {
            File.WriteAllBytes(path, new byte[] { (byte)random.Next(256) });
            return "fill";
        }

        string kind;
        switch (random.Next(4))
        {
            case 0:
                bytes = bytes[..random.Next(bytes.Length)];
                kind = "truncation";
                break;
            case 1:
                for (var k = 1 + random.Next(6); k > 0; k--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                kind = "bit flips";
                break;
            case 2:
                // A varint length or size field made huge: 0xFF bytes followed by a terminator.
                var at = random.Next(bytes.Length);
                for (var k = 0; k < 4 && at + k < bytes.Length; k++)
                {
                    bytes[at + k] = 0xFF;
                }

                if (at + 4 < bytes.Length)
                {
                    bytes[at + 4] = 0x0F;
                }

                kind = "size field";
                break;
            default:
                var start = random.Next(bytes.Length);
                var length = Math.Min(bytes.Length - start, 1 + random.Next(32));
                random.NextBytes(bytes.AsSpan(start, length));
                kind = "overwrite";
                break;
        }

        File.WriteAllBytes(path, bytes);
        return kind;
    }

    private static List<string> AllCodes(JsonElement element)
    {
        var codes = new List<string>();
        Collect(element, codes);
        return codes;
    }

    private static void Collect(JsonElement element, List<string> codes)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "code" && property.Value.ValueKind == JsonValueKind.String && CodePattern().IsMatch(property.Value.GetString()!))
                    {
                        codes.Add(property.Value.GetString()!);
                    }
                    else
                    {
                        Collect(property.Value, codes);
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, codes);
                }

                break;
        }
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }

    [GeneratedRegex("^BCONV[0-9]{4}$")]
    private static partial Regex CodePattern();
}
