using BuildConvert.Core.Golden;

namespace BuildConvert.Validation.Tests;

/// <summary>Seeded byte-level mutations (truncation, bit flips, byte overwrites) of corpus models, validated against
/// the original golden data: every result must be a pass or a coded diagnostic, never an exception or an internal error.</summary>
[TestClass]
public sealed class MutatedModelTests
{
    [TestMethod]
    public void MutatedCorpusModelsGiveCodedResults()
    {
        var node = Path.Combine(TestPaths.OnnxBackendCorpus, "node");
        var tests = Directory.GetDirectories(node).OrderBy(d => d, StringComparer.Ordinal).ToArray();
        var random = new Random(20261123);
        var work = TestPaths.NewTempFolder();
        var validator = new OrtModelValidator(intraOpThreads: 1);
        var codes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        try
        {
            for (var i = 0; i < 300; i++)
            {
                var source = tests[random.Next(tests.Length)];
                var bytes = File.ReadAllBytes(Path.Combine(source, "model.onnx"));
                switch (random.Next(3))
                {
                    case 0:
                        bytes = bytes[..random.Next(bytes.Length)];
                        break;
                    case 1:
                        for (var k = 1 + random.Next(4); k > 0; k--)
                        {
                            bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                        }

                        break;
                    default:
                        bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                        break;
                }

                var model = Path.Combine(work, "model.onnx");
                File.WriteAllBytes(model, bytes);
                var report = validator.Validate(model, source, ToleranceSet.Default);
                var what = $"mutation {i} of {Path.GetFileName(source)}";
                Assert.IsTrue(report.Passed || report.Diagnostics.Count > 0 || report.DataSets.Any(d => !d.Passed), what);
                Assert.IsFalse(report.Diagnostics.Any(d => d.Code == "BCONV9001"), what + ": " + string.Join("\n", report.Diagnostics));
                Assert.IsTrue(report.Diagnostics.All(d => d.Code.StartsWith("BCONV1", StringComparison.Ordinal) || d.Code.StartsWith("BCONV4", StringComparison.Ordinal)), what);
                var key = report.Passed ? "pass" : report.Diagnostics.FirstOrDefault()?.Code ?? "mismatch";
                codes[key] = codes.GetValueOrDefault(key) + 1;
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        Assert.IsGreaterThan(3, codes.Count, string.Join(", ", codes));
    }
}
