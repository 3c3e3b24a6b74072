using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using BuildConvert.Core.Golden;

namespace BuildConvert.Validation.Tests.Conformance;

/// <summary>
/// Validates every model of the ONNX backend corpus (node, simple, pytorch-converted, pytorch-operator) against its
/// upstream reference outputs with <see cref="OrtModelValidator"/>: each test passes or is in the skip manifest with a
/// category whose diagnostic code it actually fails with; a skip entry that now passes fails the test (stale entry).
/// </summary>
[TestClass]
public sealed class OnnxBackendConformanceTests
{
    private static readonly Lazy<SkipManifest> Manifest = new(() => SkipManifest.Load(Path.Combine(TestPaths.ConformanceFolder, SkipManifest.FileName)));

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void ManifestEntriesAreWellFormed()
    {
        var manifest = Manifest.Value;
        Assert.AreEqual("Microsoft.ML.OnnxRuntime 1.31.1", manifest.Runtime);
        var duplicates = manifest.Skips.GroupBy(s => s.Test).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        Assert.IsEmpty(duplicates, "duplicate entries: " + string.Join(", ", duplicates));
        foreach (var skip in manifest.Skips)
        {
            Assert.IsTrue(SkipManifest.ExpectedCodes.ContainsKey(skip.Category), $"{skip.Test}: unknown category '{skip.Category}'");
            Assert.IsTrue(manifest.Categories.ContainsKey(skip.Category), $"{skip.Test}: category '{skip.Category}' is not described");
            Assert.IsGreaterThan(15, skip.Reason.Length, $"{skip.Test}: the reason must be concrete");
            Assert.IsTrue(Directory.Exists(Path.Combine(TestPaths.OnnxBackendCorpus, skip.Test)), $"{skip.Test}: no such corpus test");
        }
    }

    /// <summary>Passing counts measured with ONNX Runtime 1.31.1; a lower count means a regression or a widened skip list.</summary>
    [TestMethod]
    [DataRow("node", 1491)]
    [DataRow("simple", 21)]
    [DataRow("pytorch-converted", 59)]
    [DataRow("pytorch-operator", 24)]
    public void EveryModelPassesOrIsSkippedWithItsReason(string folder, int minimumPassing)
    {
        var root = Path.Combine(TestPaths.OnnxBackendCorpus, folder);
        Assert.IsTrue(Directory.Exists(root), $"corpus folder '{root}' is missing");
        var manifest = Manifest.Value;
        var skips = manifest.Skips.Where(s => s.Test.StartsWith(folder + "/", StringComparison.Ordinal)).ToDictionary(s => s.Test);
        var tests = Directory.EnumerateDirectories(root).Where(d => File.Exists(Path.Combine(d, "model.onnx"))).OrderBy(d => d, StringComparer.Ordinal).ToArray();
        Assert.IsNotEmpty(tests);

        var tolerances = new ToleranceSet(new Tolerance(manifest.Rtol, manifest.Atol), new Dictionary<string, Tolerance>());
        var validator = new OrtModelValidator(intraOpThreads: 1);
        var reports = new ConcurrentDictionary<string, ValidationReport>();
        var clock = Stopwatch.StartNew();
        Parallel.ForEach(tests, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, dir =>
            reports[folder + "/" + Path.GetFileName(dir)] = validator.Validate(Path.Combine(dir, "model.onnx"), dir, tolerances));
        clock.Stop();

        var problems = new List<string>();
        var passed = 0;
        var skippedByCategory = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var dump = new StringBuilder();
        foreach (var (test, report) in reports.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var codes = report.Diagnostics.Select(d => d.Code).Distinct().ToArray();
            if (!report.Passed)
            {
                var first = report.Diagnostics.FirstOrDefault()?.Message ?? "(no diagnostic; a data set failed)";
                dump.Append(test).Append('\t').Append(string.Join(",", codes)).Append('\t').AppendLine(first.ReplaceLineEndings(" "));
            }

            if (skips.TryGetValue(test, out var skip))
            {
                if (report.Passed)
                {
                    problems.Add($"{test}: stale skip entry ({skip.Category}): the test now passes; remove it from {SkipManifest.FileName}");
                }
                else if (!codes.Intersect(SkipManifest.ExpectedCodes[skip.Category]).Any())
                {
                    problems.Add($"{test}: skipped as {skip.Category} but fails with {string.Join(",", codes)}: {report.Diagnostics.FirstOrDefault()?.Message}");
                }
                else
                {
                    skippedByCategory[skip.Category] = skippedByCategory.GetValueOrDefault(skip.Category) + 1;
                }
            }
            else if (report.Passed && (report.DataSets.Count == 0 || report.DataSets.Any(d => d.Outputs.Count == 0)))
            {
                problems.Add($"{test}: passed without comparing any output");
            }
            else if (report.Passed)
            {
                passed++;
            }
            else
            {
                problems.Add($"{test}: unexplained failure: {string.Join(" | ", report.Diagnostics.Select(d => d.ToString()))}");
            }
        }

        var dumpPath = Environment.GetEnvironmentVariable("BUILDCONVERT_CONFORMANCE_DUMP");
        if (!string.IsNullOrEmpty(dumpPath))
        {
            File.AppendAllText(dumpPath, dump.ToString());
        }

        TestContext.WriteLine($"{folder}: {tests.Length} tests, {passed} passed, {skips.Count} skipped " +
            $"({string.Join(", ", skippedByCategory.Select(c => $"{c.Key} {c.Value}"))}) in {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.IsEmpty(problems, $"{problems.Count} problems:\n" + string.Join("\n", problems.Take(60)));
        Assert.AreEqual(tests.Length, passed + skips.Count, "every test is either passed or skipped");
        Assert.IsGreaterThanOrEqualTo(minimumPassing, passed, $"{folder}: fewer models pass than the recorded {minimumPassing}");
    }
}
