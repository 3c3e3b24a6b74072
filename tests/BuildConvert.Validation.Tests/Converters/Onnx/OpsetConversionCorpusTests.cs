using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using BuildConvert.Core.Converters.Onnx;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Graphs;
using BuildConvert.Validation.Tests.Conformance;
using Google.Protobuf;

namespace BuildConvert.Validation.Tests.Converters.Onnx;

/// <summary>
/// Converts the ONNX backend corpus between opsets with <see cref="OnnxOpsetConverter"/> and runs every converted model
/// through ONNX Runtime against the golden data shipped with it: a conversion either verifies or fails with a coded
/// BCONV2002 error; a converted model that runs and disagrees is a failure unless <c>opset-conversion-skips.json</c>
/// lists it with a reason. Counts are held as floors.
/// </summary>
[TestClass]
public sealed class OpsetConversionCorpusTests
{
    private static readonly Lazy<SkipManifest> BaseManifest = new(() => SkipManifest.Load(Path.Combine(TestPaths.ConformanceFolder, SkipManifest.FileName)));
    private static readonly Lazy<ConversionSkips> Skips = new(() => ConversionSkips.Load(Path.Combine(TestPaths.RepoRoot, "tests", "BuildConvert.Validation.Tests", "Converters", "Onnx", ConversionSkips.FileName)));

    /// <summary>The newest ai.onnx opset ONNX Runtime 1.31 runs (measured: it refuses 27 and 28 as under development).</summary>
    public const int NewestRuntimeOpset = 26;

    public TestContext TestContext { get; set; } = null!;

    /// <summary>Every model of the folder, converted to each opset, verifies (skips only with a listed reason).</summary>
    [TestMethod]
    [DataRow("pytorch-converted", 82)]
    [DataRow("pytorch-operator", 35)]
    [DataRow("simple", 21)]
    public void ModelsVerifyAtOpsets13And17And21(string folder, int minimumPerTarget)
    {
        var tests = TestFolders(folder);
        var jobs = tests.SelectMany(t => new[] { 13, 17, 21 }.Select(o => (Test: t, Target: o))).ToArray();
        var outcomes = Run(jobs.Select(j => (j.Test, j.Target, Golden: j.Test)).ToArray());
        var problems = new List<string>();
        foreach (var target in new[] { 13, 17, 21 })
        {
            var passed = outcomes.Where(o => o.Target == target && o.Verified).Count();
            TestContext.WriteLine($"{folder} -> opset {target}: {passed} of {tests.Length} verify");
            if (passed < minimumPerTarget)
            {
                problems.Add($"{folder} -> {target}: {passed} verify, fewer than the recorded {minimumPerTarget}");
            }
        }

        foreach (var o in outcomes.Where(o => !o.Verified))
        {
            if (!IsSkipped(o, problems))
            {
                problems.Add($"{o.Test} -> {o.Target}: {o.Summary}");
            }
        }

        Assert.IsEmpty(problems, string.Join("\n", problems.Take(80)));
    }

    /// <summary>The light model-zoo topologies (no stored inputs): ONNX Runtime's outputs for the original model on seeded
    /// random inputs are the golden data for the converted one.</summary>
    [TestMethod]
    public void LightModelsVerifyAtOpsets13And17And21()
    {
        var root = Path.Combine(TestPaths.OnnxBackendCorpus, "light");
        var models = Directory.EnumerateFiles(root, "*.onnx").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.IsNotEmpty(models);
        var temp = TestPaths.NewTempFolder();
        try
        {
            var generator = new GoldenGenerator();
            var jobs = new List<(string Test, int Target, string Golden)>();
            foreach (var model in models)
            {
                var golden = Path.Combine(temp, Path.GetFileNameWithoutExtension(model));
                generator.GenerateTo(model, golden, new GoldenGenerationOptions { Seed = 7, IntraOpThreads = 1 });
                jobs.AddRange(new[] { 13, 17, 21 }.Select(t => (model, t, golden)));
            }

            var outcomes = Run(jobs.ToArray());
            var failed = outcomes.Where(o => !o.Verified).Select(o => $"{Path.GetFileName(o.Test)} -> {o.Target}: {o.Summary}").ToArray();
            TestContext.WriteLine($"light: {outcomes.Count(o => o.Verified)} of {outcomes.Count} conversions verify");
            Assert.IsEmpty(failed, string.Join("\n", failed));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>
    /// Node tests below opset 21 converted up to 21: of those that verify at their own opset, at least 97% verify after
    /// the upgrade and every other one gets a coded conversion error (no silent wrong answer).
    /// </summary>
    [TestMethod]
    public void NodeTestsUpgradeTo21()
    {
        var verifying = NodeTestsVerifyingAtOwnOpset().Where(t => t.Opset < 21).ToArray();
        var outcomes = Run(verifying.Select(t => (t.Test, 21, t.Test)).ToArray());
        var passed = outcomes.Count(o => o.Verified);
        var refused = outcomes.Count(o => o.Code == DiagnosticCodes.OpsetStepImpossible.Code);
        var problems = outcomes.Where(o => !o.Verified && o.Code != DiagnosticCodes.OpsetStepImpossible.Code && !IsSkipped(o, null))
            .Select(o => $"{o.Test}: {o.Summary}").ToList();
        TestContext.WriteLine($"node -> 21: {verifying.Length} verify at their own opset; {passed} verify after the upgrade, {refused} refused with BCONV2002");
        foreach (var o in outcomes.Where(o => o.Code == DiagnosticCodes.OpsetStepImpossible.Code))
        {
            TestContext.WriteLine($"  refused {o.Test}: {o.Summary}");
        }

        Assert.IsEmpty(problems, string.Join("\n", problems.Take(80)));
        Assert.IsGreaterThanOrEqualTo(Math.Ceiling(0.97 * verifying.Length), passed, $"{passed} of {verifying.Length} verify after the upgrade, under 97%");
        Assert.IsGreaterThanOrEqualTo(MinimumNodeUpgrades, passed, $"fewer node tests verify after the upgrade than the recorded {MinimumNodeUpgrades}");
    }

    /// <summary>Node tests at opsets 27 and 28 (which ONNX Runtime refuses) converted down to the newest opset it runs.</summary>
    [TestMethod]
    public void NodeTestsAt27And28DowngradeToTheNewestRuntimeOpset()
    {
        var tests = TestFolders("node").Select(t => (Test: t, Opset: OpsetOf(t))).Where(t => t.Opset >= 27).ToArray();
        var outcomes = Run(tests.Select(t => (t.Test, NewestRuntimeOpset, t.Test)).ToArray());
        var passed = outcomes.Count(o => o.Verified);
        var refused = outcomes.Where(o => o.Code == DiagnosticCodes.OpsetStepImpossible.Code).ToArray();
        var problems = outcomes.Where(o => !o.Verified && o.Code != DiagnosticCodes.OpsetStepImpossible.Code && !IsSkipped(o, null))
            .Select(o => $"{o.Test}: {o.Summary}").ToList();
        TestContext.WriteLine($"node 27/28 -> {NewestRuntimeOpset}: {tests.Length} tests, {passed} verify, {refused.Length} refused with BCONV2002");
        foreach (var o in refused)
        {
            TestContext.WriteLine($"  refused {o.Test}: {o.Summary}");
        }

        Assert.IsEmpty(problems, string.Join("\n", problems.Take(80)));
        Assert.IsGreaterThanOrEqualTo(MinimumNodeDowngrades, passed, $"fewer node tests verify after the downgrade than the recorded {MinimumNodeDowngrades}");
    }

    /// <summary>Passing counts measured with ONNX Runtime 1.31.1; a lower count is a regression.</summary>
    private const int MinimumNodeUpgrades = 931;

    private const int MinimumNodeDowngrades = 40;

    [TestMethod]
    public void SkipEntriesAreWellFormed()
    {
        foreach (var skip in Skips.Value.Skips)
        {
            Assert.IsGreaterThan(15, skip.Reason.Length, $"{skip.Test}: the reason must be concrete");
            Assert.IsTrue(skip.Code.StartsWith("BCONV", StringComparison.Ordinal), $"{skip.Test}: code");
            Assert.IsTrue(Directory.Exists(Path.Combine(TestPaths.OnnxBackendCorpus, skip.Test)), $"{skip.Test}: no such corpus test");
        }
    }

    private static bool IsSkipped(Outcome o, List<string>? problems)
    {
        var name = Path.GetRelativePath(TestPaths.OnnxBackendCorpus, o.Test).Replace('\\', '/');
        var skip = Skips.Value.Skips.FirstOrDefault(s => s.Test == name && (s.Target is null || s.Target == o.Target));
        if (skip is null)
        {
            return false;
        }

        if (skip.Code != o.Code)
        {
            problems?.Add($"{name} -> {o.Target}: skipped for {skip.Code} but fails with {o.Code}: {o.Summary}");
        }

        return true;
    }

    private static string[] TestFolders(string folder)
    {
        var root = Path.Combine(TestPaths.OnnxBackendCorpus, folder);
        Assert.IsTrue(Directory.Exists(root), $"corpus folder '{root}' is missing");
        return Directory.EnumerateDirectories(root).Where(d => File.Exists(Path.Combine(d, "model.onnx"))).OrderBy(d => d, StringComparer.Ordinal).ToArray();
    }

    private static long OpsetOf(string test) =>
        OnnxModelReader.Read(Path.Combine(test, "model.onnx")).OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();

    /// <summary>Node tests that ONNX Runtime verifies unconverted (not in the conformance skip list) and that use only ai.onnx.</summary>
    private static (string Test, long Opset)[] NodeTestsVerifyingAtOwnOpset()
    {
        var skipped = BaseManifest.Value.Skips.Select(s => s.Test).ToHashSet(StringComparer.Ordinal);
        return TestFolders("node").Where(t => !skipped.Contains("node/" + Path.GetFileName(t)))
            .Select(t => (t, OpsetOf(t))).Where(t => t.Item2 > 0).ToArray();
    }

    private List<Outcome> Run((string Test, int Target, string Golden)[] jobs)
    {
        var manifest = BaseManifest.Value;
        var tolerances = new ToleranceSet(new Tolerance(manifest.Rtol, manifest.Atol), new Dictionary<string, Tolerance>());
        var validator = new OrtModelValidator(intraOpThreads: 1);
        var temp = TestPaths.NewTempFolder();
        var results = new ConcurrentBag<Outcome>();
        try
        {
            Parallel.ForEach(jobs.Select((j, i) => (j, i)), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, item =>
            {
                var (job, index) = item;
                var modelFile = File.Exists(job.Test) ? job.Test : Path.Combine(job.Test, "model.onnx");
                try
                {
                    var model = OnnxGraphImporter.FromProto(OnnxModelReader.Read(modelFile));
                    OnnxOpsetConverter.Convert(model, job.Target, modelFile);
                    var proto = OnnxGraphExporter.ToProto(model);
                    var path = Path.Combine(temp, $"m{index}.onnx");
                    File.WriteAllBytes(path, proto.ToByteArray());
                    var report = validator.Validate(path, proto, job.Golden, tolerances);
                    var compared = report.DataSets.Count > 0 && report.DataSets.All(d => d.Outputs.Count > 0);
                    results.Add(new Outcome(job.Test, job.Target, report.Passed && compared,
                        report.Diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error)?.Code ?? (report.Passed ? "" : "BCONV4001"),
                        report.Passed ? (compared ? "verified" : "nothing compared") : string.Join(" | ", report.Diagnostics.Select(d => d.Message)).ReplaceLineEndings(" ")));
                    File.Delete(path);
                }
                catch (BuildConvertException ex)
                {
                    results.Add(new Outcome(job.Test, job.Target, false, ex.Code, ex.Message));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    results.Add(new Outcome(job.Test, job.Target, false, "crash", ex.ToString()));
                }
            });
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }

        var dump = Environment.GetEnvironmentVariable("BUILDCONVERT_OPSET_DUMP");
        if (!string.IsNullOrEmpty(dump))
        {
            var text = new StringBuilder();
            foreach (var o in results.OrderBy(r => r.Test, StringComparer.Ordinal).ThenBy(r => r.Target))
            {
                text.Append(o.Test).Append('\t').Append(o.Target).Append('\t').Append(o.Verified ? "OK" : o.Code).Append('\t').AppendLine(o.Verified ? "" : o.Summary[..Math.Min(400, o.Summary.Length)]);
            }

            File.AppendAllText(dump, text.ToString());
        }

        return results.ToList();
    }

    private sealed record Outcome(string Test, int Target, bool Verified, string Code, string Summary);
}

/// <summary>Corpus conversions that do not verify for a reason outside the converter (ONNX Runtime's own limits), as data.</summary>
internal sealed record ConversionSkips([property: JsonPropertyName("skips")] IReadOnlyList<ConversionSkip> Skips)
{
    public const string FileName = "opset-conversion-skips.json";

    public static ConversionSkips Load(string path) =>
        JsonSerializer.Deserialize<ConversionSkips>(File.ReadAllText(path)) ?? throw new InvalidDataException($"'{path}' holds no skip list");
}

/// <summary>One skipped conversion: the corpus test, the target opset (null: every target), the code it fails with, and why.</summary>
internal sealed record ConversionSkip(
    [property: JsonPropertyName("test")] string Test,
    [property: JsonPropertyName("target")] int? Target,
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("reason")] string Reason);
