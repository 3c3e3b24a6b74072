using System.Text.Json;
using System.Text.RegularExpressions;
using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests;

/// <summary>
/// Seeded mutations of corpus models (truncation, bit flips, byte overwrites, corrupted length fields) through the
/// real <c>check</c> and <c>verify</c> processes: the process finishes in time, prints one JSON document, and every
/// model is either passed or carries coded diagnostics (never BCONV9001).
/// </summary>
[TestClass]
public sealed partial class HostileInputTests
{
    private const int Seed = 20261123;

    [TestMethod]
    public void A_thousand_mutated_models_through_check_all_get_coded_results()
    {
        using var temp = new TempFolder();
        var sources = CorpusTests();
        var random = new Random(Seed);
        for (var i = 0; i < 1000; i++)
        {
            var source = sources[random.Next(sources.Length)];
            temp.WriteFile($"m{i:D4}.onnx", Mutate(File.ReadAllBytes(Path.Combine(source, "model.onnx")), random));
        }

        var (code, stdout, stderr) = ToolProcess.Run(TimeSpan.FromMinutes(5), "check", temp.Path, "--json");

        AssertCoded(code, stdout, stderr, 1000);
    }

    [TestMethod]
    public void Mutated_models_through_verify_all_get_coded_results()
    {
        using var temp = new TempFolder();
        var sources = CorpusTests();
        var random = new Random(Seed + 1);
        for (var i = 0; i < 300; i++)
        {
            var source = sources[random.Next(sources.Length)];
            var folder = temp.CopyFolder(source, $"t{i:D3}");
            File.WriteAllBytes(Path.Combine(folder, "model.onnx"), Mutate(File.ReadAllBytes(Path.Combine(source, "model.onnx")), random));
        }

        var (code, stdout, stderr) = ToolProcess.Run(TimeSpan.FromMinutes(8), "verify", temp.Path, "--recursive", "--json");

        AssertCoded(code, stdout, stderr, 300);
    }

    private static void AssertCoded(int code, string stdout, string stderr, int expected)
    {
        Assert.IsTrue(code is 0 or 1, $"exit {code}\n{stderr}");
        using var json = JsonDocument.Parse(stdout);
        var models = json.RootElement.GetProperty("models").EnumerateArray().ToArray();
        Assert.HasCount(expected, models);
        var rejected = models.Count(m => m.GetProperty("status").GetString() != "passed");
        Assert.IsTrue(rejected >= expected / 4, $"only {rejected} of {expected} mutations were rejected: the mutations are too weak to test anything");
        foreach (var model in models)
        {
            var path = model.GetProperty("path").GetString();
            var status = model.GetProperty("status").GetString();
            var codes = model.Codes();
            CollectionAssert.DoesNotContain(codes, "BCONV9001", path);
            Assert.IsTrue(codes.All(c => CodePattern().IsMatch(c) && BuildConvert.Core.Diagnostics.DiagnosticCodes.Find(c) is not null), path + ": " + string.Join(", ", codes));
            if (status != "passed")
            {
                Assert.IsNotEmpty(codes, $"{path} is {status} without a coded diagnostic");
            }
        }
    }

    private static string[] CorpusTests() =>
        new[] { "node", "pytorch-converted", "simple" }
            .SelectMany(c => Directory.GetDirectories(TestPaths.BackendTest(c)))
            .Where(d => File.Exists(Path.Combine(d, "model.onnx")))
            .OrderBy(d => d, StringComparer.Ordinal)
            .ToArray();

    private static byte[] Mutate(byte[] bytes, Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                return bytes[..random.Next(bytes.Length)];
            case 1:
                for (var k = 1 + random.Next(4); k > 0; k--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return bytes;
            case 2:
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return bytes;
            default:
                // A length-delimited field's size: find a byte whose low three bits say "length follows" and overwrite
                // the length after it with a huge varint.
                for (var attempt = 0; attempt < 64; attempt++)
                {
                    var at = random.Next(bytes.Length - 6);
                    if ((bytes[at] & 7) == 2)
                    {
                        var huge = new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x07 };
                        huge.AsSpan(0, random.Next(1, 6)).CopyTo(bytes.AsSpan(at + 1));
                        break;
                    }
                }

                return bytes;
        }
    }

    [GeneratedRegex("^BCONV[0-9]{4}$")]
    private static partial Regex CodePattern();
}
