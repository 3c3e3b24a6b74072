using System.Collections.Concurrent;
using System.Diagnostics;
using BuildConvert.Core.Checking;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Optimizers;
using BuildConvert.Validation.Tests.Conformance;

namespace BuildConvert.Validation.Tests.Optimizers;

/// <summary>
/// Every ONNX backend corpus model that ONNX Runtime passes at its own opset (the conformance skip manifest lists the
/// others) is optimized with <see cref="GraphOptimizer"/>, exported, checked with <see cref="OnnxChecker"/> and
/// validated through ONNX Runtime against its golden data; the light zoo models, which ship no inputs, are compared
/// with ONNX Runtime's outputs for the unoptimized model on generated inputs.
/// </summary>
[TestClass]
public sealed class OptimizedCorpusTests
{
    private static readonly Lazy<SkipManifest> Manifest = new(() => SkipManifest.Load(Path.Combine(TestPaths.ConformanceFolder, SkipManifest.FileName)));

    /// <summary>
    /// Models that break an operator's rules in a way ONNX Runtime only notices once optimizing makes a shape known;
    /// the optimized model is right by the specification. Each must still fail, with this code (keeps the list honest).
    /// </summary>
    private static readonly Dictionary<string, (string Code, string Reason)> KnownDeviations = new(StringComparer.Ordinal)
    {
        ["node/test_affine_grid_2d_expanded"] = ("BCONV4006", "Range reads a 1-element 1-D If output (the spec wants scalars); folding the If condition lets ONNX Runtime inline the branch, and its shape inference then rejects the Range"),
        ["node/test_affine_grid_2d_align_corners_expanded"] = ("BCONV4006", "as test_affine_grid_2d_expanded: a 1-D Range input exposed by the constant If condition"),
    };

    public TestContext TestContext { get; set; } = null!;

    /// <summary>Floors measured with ONNX Runtime 1.31.1 (the conformance floors: nothing lost to optimizing).</summary>
    [TestMethod]
    [DataRow("node", 1489)]
    [DataRow("simple", 21)]
    [DataRow("pytorch-converted", 59)]
    [DataRow("pytorch-operator", 24)]
    public void OptimizedModelsStillCheckAndMatchTheirGoldenData(string folder, int minimumPassing)
    {
        var manifest = Manifest.Value;
        var skipped = manifest.Skips.Select(s => s.Test).ToHashSet(StringComparer.Ordinal);
        var root = Path.Combine(TestPaths.OnnxBackendCorpus, folder);
        var tests = Directory.EnumerateDirectories(root).Where(d => File.Exists(Path.Combine(d, "model.onnx")))
            .Where(d => !skipped.Contains(folder + "/" + Path.GetFileName(d))).Order(StringComparer.Ordinal).ToArray();
        Assert.IsNotEmpty(tests);
        var tolerances = new ToleranceSet(new Tolerance(manifest.Rtol, manifest.Atol), new Dictionary<string, Tolerance>());
        var validator = new OrtModelValidator(intraOpThreads: 1);
        var temp = TestPaths.NewTempFolder();
        var problems = new ConcurrentBag<string>();
        var totals = new ConcurrentBag<(int Nodes, int Initializers, int NodesAfter, int InitializersAfter)>();
        var passed = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            Parallel.ForEach(tests, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, dir =>
            {
                var name = Path.GetFileName(dir);
                var modelPath = Path.Combine(dir, "model.onnx");
                var (problem, counts) = OptimizeAndValidate(modelPath, Path.Combine(temp, name + ".onnx"), dir, tolerances, validator);
                totals.Add(counts);
                if (KnownDeviations.TryGetValue(folder + "/" + name, out var known))
                {
                    if (problem is null || !problem.Contains(known.Code, StringComparison.Ordinal))
                    {
                        problems.Add($"{folder}/{name}: listed as a known deviation ({known.Code}) but got: {problem ?? "a pass"}");
                    }
                }
                else if (problem is null)
                {
                    Interlocked.Increment(ref passed);
                }
                else
                {
                    problems.Add($"{folder}/{name}: {problem}");
                }
            });
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }

        Report(folder, tests.Length, passed, totals, clock.Elapsed);
        Assert.IsEmpty(problems, $"{problems.Count} problems:\n" + string.Join("\n", problems.Order(StringComparer.Ordinal).Take(40)));
        Assert.IsGreaterThanOrEqualTo(minimumPassing, passed, $"{folder}: fewer optimized models pass than the recorded {minimumPassing}");
    }

    [TestMethod]
    public void OptimizedLightModelsMatchTheUnoptimizedModel()
    {
        var root = Path.Combine(TestPaths.OnnxBackendCorpus, "light");
        var models = Directory.EnumerateFiles(root, "light_*.onnx").Order(StringComparer.Ordinal).ToArray();
        Assert.IsNotEmpty(models);
        var temp = TestPaths.NewTempFolder();
        var problems = new List<string>();
        var totals = new ConcurrentBag<(int, int, int, int)>();
        var passed = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            foreach (var path in models)
            {
                var name = Path.GetFileNameWithoutExtension(path);
                var golden = Path.Combine(temp, name + ".golden");
                new GoldenGenerator().GenerateTo(path, golden, new GoldenGenerationOptions { Seed = 7, IntraOpThreads = 2 });
                var (problem, counts) = OptimizeAndValidate(path, Path.Combine(temp, name + ".onnx"), golden,
                    new ToleranceSet(new Tolerance(1e-4, 1e-5), new Dictionary<string, Tolerance>()), new OrtModelValidator(intraOpThreads: 2));
                totals.Add(counts);
                if (problem is null)
                {
                    passed++;
                }
                else
                {
                    problems.Add($"{name}: {problem}");
                }
            }
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }

        Report("light", models.Length, passed, totals, clock.Elapsed);
        Assert.IsEmpty(problems, string.Join("\n", problems));
    }

    private static (string? Problem, (int, int, int, int) Counts) OptimizeAndValidate(string modelPath, string optimizedPath, string golden,
        ToleranceSet tolerances, OrtModelValidator validator)
    {
        var model = OnnxGraphImporter.FromProto(OnnxModelReader.Read(modelPath));
        var before = (Nodes: model.AllNodes().Count(), Initializers: model.Graph.SelfAndDescendants().Sum(g => g.Initializers.Count));
        try
        {
            var optimization = GraphOptimizer.Optimize(model);
            if (!optimization.Converged)
            {
                return ($"the passes did not reach a fixed point: {optimization}", (before.Nodes, before.Initializers, before.Nodes, before.Initializers));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException)
        {
            return ($"the optimizer threw {ex}", (before.Nodes, before.Initializers, before.Nodes, before.Initializers));
        }

        var counts = (before.Nodes, before.Initializers, model.AllNodes().Count(), model.Graph.SelfAndDescendants().Sum(g => g.Initializers.Count));
        var proto = OnnxGraphExporter.ToProto(model);
        var errors = OnnxChecker.Check(proto, optimizedPath).Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (errors.Length > 0)
        {
            return ("checker: " + string.Join(" | ", errors.Take(3).Select(e => e.ToString())), counts);
        }

        OnnxModelWriter.Write(proto, optimizedPath);
        var report = validator.Validate(optimizedPath, proto, golden, tolerances);
        if (!report.Passed || report.DataSets.Count == 0)
        {
            return ("validation: " + string.Join(" | ", report.Diagnostics.Take(3).Select(d => d.ToString())) + (report.Diagnostics.Count == 0 ? "(a data set failed)" : ""), counts);
        }

        return (null, counts);
    }

    private void Report(string folder, int models, int passed, IEnumerable<(int Nodes, int Initializers, int NodesAfter, int InitializersAfter)> totals, TimeSpan elapsed)
    {
        var all = totals.ToArray();
        TestContext.WriteLine($"{folder}: {models} models, {passed} pass after optimizing; nodes {all.Sum(t => t.Nodes)} -> {all.Sum(t => t.NodesAfter)}, " +
            $"initializers {all.Sum(t => t.Initializers)} -> {all.Sum(t => t.InitializersAfter)}, models changed {all.Count(t => t.Nodes != t.NodesAfter || t.Initializers != t.InitializersAfter)} in {elapsed.TotalSeconds:0.0} s");
    }
}
