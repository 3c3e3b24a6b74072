using BuildConvert.Core.Caching;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Tests.Caching;

/// <summary>
/// The cache in front of the pipeline: a hit restores byte-identical outputs without converting or validating; entries
/// are verified on read (a damaged one is removed, warned about and rebuilt); only passing results are stored; the
/// cross-process lock makes concurrent conversions of one model convert it once.
/// </summary>
[TestClass]
public sealed class CachingModelPipelineTests
{
    [TestMethod]
    public void A_second_identical_conversion_is_restored_byte_for_byte_without_converting()
    {
        using var fixture = new CacheFixture();
        var validator = new CountingValidator();
        var first = fixture.Pipeline().Convert(fixture.Request("a/m.onnx"), () => validator);
        Assert.IsTrue(first.Succeeded, string.Join("\n", first.Diagnostics));
        Assert.IsFalse(first.Cached);

        var second = fixture.Pipeline().Convert(fixture.Request("b/m.onnx"), () => throw new InvalidOperationException("a hit must not make a validator"));
        Assert.IsTrue(second.Succeeded, string.Join("\n", second.Diagnostics));
        Assert.IsTrue(second.Cached);
        Assert.AreEqual(1, validator.Runs);
        CollectionAssert.AreEqual(File.ReadAllBytes(first.OutputPath!), File.ReadAllBytes(second.OutputPath!));
        Assert.AreEqual(Path.Combine(fixture.Path, "b", "m.onnx"), second.OutputPath);
        Assert.AreEqual(first.Format, second.Format);
        CollectionAssert.AreEqual(first.Summary!.Opsets.ToArray(), second.Summary!.Opsets.ToArray());
        Assert.AreEqual(first.Summary.NodeCount, second.Summary.NodeCount);
        Assert.AreEqual(first.Validation!.WorstAbsError, second.Validation!.WorstAbsError);
        Assert.AreEqual(PipelineOutcome.Passed, second.Outcome);
        Assert.AreEqual(0, Directory.GetDirectories(Path.Combine(fixture.Path, "b")).Length);
    }

    [TestMethod]
    public void External_data_is_stored_and_restored_and_a_change_to_it_is_a_miss()
    {
        using var fixture = new CacheFixture(externalData: true);
        var validator = new CountingValidator();
        var first = fixture.Pipeline().Convert(fixture.Request("a/m.onnx"), () => validator);
        Assert.IsTrue(first.Succeeded, string.Join("\n", first.Diagnostics));
        Assert.IsTrue(File.Exists(first.OutputPath + ".data"));
        Assert.IsTrue(first.InputFiles.Any(f => f.EndsWith("m.onnx.data", StringComparison.Ordinal)));

        var second = fixture.Pipeline().Convert(fixture.Request("b/m.onnx"), () => validator);
        Assert.IsTrue(second.Cached);
        CollectionAssert.AreEqual(File.ReadAllBytes(first.OutputPath + ".data"), File.ReadAllBytes(second.OutputPath + ".data"));
        CollectionAssert.AreEqual(first.InputFiles.ToArray(), second.InputFiles.ToArray());

        var data = Path.Combine(fixture.ModelFolder, "m.onnx.data");
        var bytes = File.ReadAllBytes(data);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(data, bytes);
        var third = fixture.Pipeline().Convert(fixture.Request("c/m.onnx"), () => validator);
        Assert.IsTrue(third.Succeeded, string.Join("\n", third.Diagnostics));
        Assert.IsFalse(third.Cached);
        Assert.AreEqual(2, validator.Runs);
        CollectionAssert.AreNotEqual(File.ReadAllBytes(first.OutputPath + ".data"), File.ReadAllBytes(third.OutputPath + ".data"));
    }

    [TestMethod]
    [DataRow("model")]
    [DataRow("result.json")]
    [DataRow("manifest.json")]
    public void A_tampered_entry_is_not_used_but_warned_about_removed_and_rebuilt(string file)
    {
        using var fixture = new CacheFixture();
        var validator = new CountingValidator();
        var request = fixture.Request("a/m.onnx");
        var first = fixture.Pipeline().Convert(request, () => validator);
        Assert.IsTrue(first.Succeeded);
        var entry = new ConversionCache(fixture.CacheFolder).EntryFolder(CacheKey.Compute(request, FormatRegistry.CreateDefault().Options, CacheFixture.Environment));
        var stored = Path.Combine(entry, file);
        var bytes = File.ReadAllBytes(stored);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(stored, bytes);

        var second = fixture.Pipeline().Convert(fixture.Request("b/m.onnx"), () => validator);
        Assert.IsTrue(second.Succeeded, string.Join("\n", second.Diagnostics));
        Assert.IsFalse(second.Cached);
        Assert.AreEqual(2, validator.Runs);
        var warning = Single(second.Diagnostics, DiagnosticCodes.CacheEntryDamaged.Code);
        Assert.AreEqual(DiagnosticSeverity.Warning, warning.Severity);
        CollectionAssert.AreEqual(File.ReadAllBytes(first.OutputPath!), File.ReadAllBytes(second.OutputPath!));

        var third = fixture.Pipeline().Convert(fixture.Request("c/m.onnx"), () => validator);
        Assert.IsTrue(third.Cached, "the rebuilt entry is used");
        Assert.AreEqual(2, validator.Runs);
    }

    [TestMethod]
    public void A_tampered_model_is_never_put_at_the_output()
    {
        using var fixture = new CacheFixture();
        var request = fixture.Request("a/m.onnx");
        Assert.IsTrue(fixture.Pipeline().Convert(request, () => new CountingValidator()).Succeeded);
        var cache = new ConversionCache(fixture.CacheFolder);
        var key = CacheKey.Compute(request, FormatRegistry.CreateDefault().Options, CacheFixture.Environment);
        File.AppendAllText(Path.Combine(cache.EntryFolder(key), "model"), "x");
        var other = request with { OutputPath = Path.Combine(fixture.Path, "b", "m.onnx") };
        Assert.AreEqual(CacheLookup.Damaged, cache.TryRestore(key, other, out var restored));
        Assert.IsNull(restored);
        Assert.IsFalse(File.Exists(other.OutputPath));
        Assert.IsFalse(Directory.Exists(cache.EntryFolder(key)));
        Assert.AreEqual(0, Directory.GetFileSystemEntries(Path.Combine(fixture.Path, "b")).Length);
    }

    [TestMethod]
    public void Only_passing_results_are_stored()
    {
        using var fixture = new CacheFixture();
        var failing = new CountingValidator(passes: false);
        var result = fixture.Pipeline().Convert(fixture.Request("a/m.onnx"), () => failing);
        Assert.IsFalse(result.Succeeded);
        var again = fixture.Pipeline().Convert(fixture.Request("a/m.onnx"), () => failing);
        Assert.IsFalse(again.Cached);
        Assert.AreEqual(2, failing.Runs);
        Assert.IsFalse(Directory.Exists(Path.Combine(fixture.CacheFolder, "v1", "entries")) && Directory.EnumerateFiles(Path.Combine(fixture.CacheFolder, "v1", "entries"), "*", SearchOption.AllDirectories).Any());
    }

    [TestMethod]
    public void Concurrent_conversions_of_one_model_convert_it_once()
    {
        using var fixture = new CacheFixture();
        var validator = new CountingValidator(delay: TimeSpan.FromMilliseconds(300));
        var results = new ConvertResult[6];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = results.Length }, i =>
            results[i] = fixture.Pipeline().Convert(fixture.Request($"out{i}/m.onnx"), () => validator));
        foreach (var r in results)
        {
            Assert.IsTrue(r.Succeeded, string.Join("\n", r.Diagnostics));
        }

        Assert.AreEqual(1, validator.Runs);
        Assert.AreEqual(results.Length - 1, results.Count(r => r.Cached));
        var bytes = File.ReadAllBytes(results[0].OutputPath!);
        foreach (var r in results)
        {
            CollectionAssert.AreEqual(bytes, File.ReadAllBytes(r.OutputPath!));
        }
        Assert.AreEqual(0, Directory.GetDirectories(Path.Combine(fixture.CacheFolder, "v1", "tmp")).Length);
    }

    [TestMethod]
    public void A_lock_held_past_the_timeout_is_a_warning_and_the_model_is_converted()
    {
        using var fixture = new CacheFixture();
        var request = fixture.Request("a/m.onnx");
        var cache = new ConversionCache(fixture.CacheFolder);
        var key = CacheKey.Compute(request, FormatRegistry.CreateDefault().Options, CacheFixture.Environment);
        using var held = cache.Lock(key, TimeSpan.Zero);
        Assert.IsNotNull(held);
        Assert.IsNull(cache.Lock(key, TimeSpan.FromMilliseconds(100)));
        var pipeline = new CachingModelPipeline(new ModelPipeline(), cache, FormatRegistry.CreateDefault().Options, CacheFixture.Environment)
        {
            LockTimeout = TimeSpan.FromMilliseconds(200),
        };
        var validator = new CountingValidator();
        var result = pipeline.Convert(request, () => validator);
        Assert.IsTrue(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.AreEqual(DiagnosticSeverity.Warning, Single(result.Diagnostics, DiagnosticCodes.CacheLockTimedOut.Code).Severity);
        Assert.AreEqual(1, validator.Runs);
    }

    [TestMethod]
    public void A_cache_folder_that_cannot_be_created_is_a_warning_and_the_model_is_converted()
    {
        using var fixture = new CacheFixture();
        var blocker = Path.Combine(fixture.Path, "not-a-folder");
        File.WriteAllText(blocker, "");
        var pipeline = new CachingModelPipeline(new ModelPipeline(), new ConversionCache(Path.Combine(blocker, "cache")), FormatRegistry.CreateDefault().Options, CacheFixture.Environment);
        var result = pipeline.Convert(fixture.Request("a/m.onnx"), () => new CountingValidator());
        Assert.IsTrue(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.IsTrue(result.Diagnostics.Any(d => d.Code == DiagnosticCodes.CacheUnavailable.Code), string.Join("\n", result.Diagnostics));
    }

    [TestMethod]
    public void An_output_that_is_the_input_is_refused_by_the_pipeline_and_never_overwritten_from_the_cache()
    {
        using var fixture = new CacheFixture();
        var pipeline = fixture.Pipeline();
        Assert.IsTrue(pipeline.Convert(fixture.Request("a/m.onnx"), () => new CountingValidator()).Succeeded);
        var bytes = File.ReadAllBytes(fixture.Model);
        var onto = fixture.Request("a/m.onnx") with { OutputPath = fixture.Model };
        var result = pipeline.Convert(onto, () => new CountingValidator());
        Assert.IsFalse(result.Succeeded);
        Assert.IsFalse(result.Cached);
        CollectionAssert.AreEqual(bytes, File.ReadAllBytes(fixture.Model));
    }

    [TestMethod]
    public void Without_a_cache_it_is_the_plain_pipeline()
    {
        using var fixture = new CacheFixture();
        var validator = new CountingValidator();
        var pipeline = new CachingModelPipeline(new ModelPipeline(), null, FormatRegistry.CreateDefault().Options, CacheFixture.Environment);
        Assert.IsFalse(pipeline.Convert(fixture.Request("a/m.onnx"), () => validator).Cached);
        Assert.IsFalse(pipeline.Convert(fixture.Request("a/m.onnx"), () => validator).Cached);
        Assert.AreEqual(2, validator.Runs);
    }

    private static Diagnostic Single(IEnumerable<Diagnostic> diagnostics, string code)
    {
        var found = diagnostics.Where(d => d.Code == code).ToArray();
        Assert.AreEqual(1, found.Length, string.Join("\n", diagnostics));
        return found[0];
    }
}
