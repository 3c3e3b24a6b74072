using System.Text.Json;
using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests.Commands;

/// <summary><c>msbuild-batch</c>: the request the MSBuild task writes in, JSON lines out.</summary>
[TestClass]
public sealed class BatchCommandTests
{
    [TestMethod]
    public void Every_item_gets_its_diagnostics_and_one_result_line_and_only_passing_items_keep_an_output()
    {
        using var temp = new TempFolder();
        var good = temp.CopyFolder(TestPaths.BackendTest("node/test_add"), "good");
        var bad = temp.CopyFolder(TestPaths.BackendTest("node/test_add"), "bad");
        var tamperedFile = Path.Combine(bad, "test_data_set_0", "output_0.pb");
        Golden.Tamper(tamperedFile, v => v + 1);
        var request = WriteRequest(temp,
            Item("good", Path.Combine(good, "model.onnx"), temp.Combine("out", "good.onnx"), good, validate: true, rtol: "1e-4"),
            Item("bad", Path.Combine(bad, "model.onnx"), temp.Combine("out", "bad.onnx"), bad, validate: true),
            Item("nogolden", Path.Combine(good, "model.onnx"), temp.Combine("out", "nogolden.onnx"), null, validate: true),
            Item("badtol", Path.Combine(good, "model.onnx"), temp.Combine("out", "badtol.onnx"), good, validate: true, rtol: "tight"),
            Item("loosened", Path.Combine(bad, "model.onnx"), temp.Combine("out", "loosened.onnx"), bad, validate: true, tolerance: "sum=0,2"));

        var result = Cli.Run("msbuild-batch", "--request", request);

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        var lines = Lines(result);
        Assert.IsTrue(lines.All(l => l.TryGetProperty("kind", out _)), "every stdout line is a JSON object with a kind");
        var models = lines.Where(l => l.GetProperty("kind").GetString() == "model").ToDictionary(l => l.GetProperty("item").GetString()!);
        CollectionAssert.AreEquivalent(new[] { "good", "bad", "nogolden", "badtol", "loosened" }, models.Keys.ToArray());
        Assert.AreEqual("passed", models["loosened"].GetProperty("status").GetString(), "a per-output tolerance covers the difference");
        Assert.AreEqual("passed", models["good"].GetProperty("status").GetString());
        Assert.AreEqual("passed", models["good"].GetProperty("validation").GetString());
        Assert.AreEqual("passed", models["good"].GetProperty("checker").GetString());
        Assert.AreEqual("failed", models["bad"].GetProperty("status").GetString());
        Assert.AreEqual("error", models["nogolden"].GetProperty("status").GetString());
        Assert.AreEqual("error", models["badtol"].GetProperty("status").GetString());

        var diagnostics = lines.Where(l => l.GetProperty("kind").GetString() == "diagnostic").ToArray();
        var mismatch = diagnostics.Single(d => d.GetProperty("item").GetString() == "bad");
        Assert.AreEqual("BCONV4001", mismatch.GetProperty("code").GetString());
        Assert.AreEqual("error", mismatch.GetProperty("severity").GetString());
        Assert.AreEqual(tamperedFile, mismatch.GetProperty("file").GetString(), "a mismatch points at the golden file");
        Assert.AreEqual("BCONV0008", diagnostics.Single(d => d.GetProperty("item").GetString() == "nogolden").GetProperty("code").GetString());
        var tolerance = diagnostics.Single(d => d.GetProperty("item").GetString() == "badtol");
        Assert.AreEqual("BCONV0003", tolerance.GetProperty("code").GetString());
        StringAssert.Contains(tolerance.GetProperty("message").GetString(), "Rtol 'tight'");

        Assert.IsTrue(File.Exists(temp.Combine("out", "good.onnx")));
        CollectionAssert.AreEquivalent(new[] { "good.onnx", "loosened.onnx" },
            Directory.GetFiles(temp.Combine("out")).Select(Path.GetFileName).Where(f => !f!.EndsWith(".report.json", StringComparison.Ordinal)).ToArray(),
            "failed items leave no model, not even temporary files");

        // A failed item's one-line summary says where its full report is, and the report holds every comparison number.
        var reportPath = temp.Combine("out", "bad.onnx.report.json");
        Assert.AreEqual(reportPath, models["bad"].GetProperty("report").GetString());
        StringAssert.Contains(models["bad"].GetProperty("summary").GetString(), "full report: " + reportPath);
        using (var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(reportPath)))
        {
            var root = report.RootElement;
            Assert.AreEqual("failed", root.GetProperty("status").GetString());
            Assert.AreEqual("BCONV4001", root.GetProperty("diagnostics")[0].GetProperty("code").GetString());
            var output = root.GetProperty("validation").GetProperty("dataSets")[0].GetProperty("outputs")[0];
            Assert.AreEqual(1.0, output.GetProperty("maxAbsError").GetDouble(), 1e-6, output.ToString());
        }

        Assert.IsFalse(models["good"].GetProperty("summary").GetString()!.Contains("full report", StringComparison.Ordinal));

        // An item stopped by its options (BCONV0008, BCONV0003) links a report too.
        foreach (var (id, code) in new[] { ("nogolden", "BCONV0008"), ("badtol", "BCONV0003") })
        {
            var stoppedReport = temp.Combine("out", id + ".onnx.report.json");
            StringAssert.Contains(models[id].GetProperty("summary").GetString(), "full report: " + stoppedReport);
            using var stopped = JsonDocument.Parse(File.ReadAllText(stoppedReport));
            Assert.AreEqual(code, stopped.RootElement.GetProperty("diagnostics")[0].GetProperty("code").GetString());
        }
        var done = lines.Last();
        Assert.AreEqual("done", done.GetProperty("kind").GetString());
        Assert.AreEqual(5, done.GetProperty("models").GetInt32());
        Assert.AreEqual(3, done.GetProperty("failed").GetInt32());
    }

    [TestMethod]
    public void External_data_files_are_reported_as_dependencies()
    {
        using var temp = new TempFolder();
        var source = temp.CopyFolder(Path.GetDirectoryName(TestPaths.SmallCnnExternal)!, "src");
        var request = WriteRequest(temp, Item("cnn", Path.Combine(source, "model.onnx"), temp.Combine("out", "cnn.onnx"), null, validate: false));

        var result = Cli.Run("msbuild-batch", "--request", request);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var model = Lines(result).Single(l => l.GetProperty("kind").GetString() == "model");
        CollectionAssert.AreEqual(new[] { Path.Combine(source, "weights.bin") },
            model.GetProperty("dependencies").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.IsTrue(File.Exists(temp.Combine("out", "cnn.onnx.data")));
    }

    [TestMethod]
    public void A_malformed_request_is_a_coded_usage_error()
    {
        using var temp = new TempFolder();
        var request = temp.WriteFile("request.json", "{\"version\": 2, \"items\": []}"u8.ToArray());

        var result = Cli.Run("msbuild-batch", "--request", request);

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        var diagnostic = Lines(result).First();
        Assert.AreEqual("BCONV0003", diagnostic.GetProperty("code").GetString());
        Assert.AreEqual(request, diagnostic.GetProperty("file").GetString());
    }

    /// <summary>A NaN in the golden output makes the worst error infinite, which JSON cannot hold as a number: the batch
    /// must still report the item as failed (and go on to the next) instead of the tool crashing mid-batch.</summary>
    [TestMethod]
    public void An_infinite_worst_error_is_reported_not_a_crash()
    {
        using var temp = new TempFolder();
        var bad = temp.CopyFolder(TestPaths.BackendTest("node/test_add"), "nan");
        Golden.Tamper(Path.Combine(bad, "test_data_set_0", "output_0.pb"), _ => float.NaN);
        var good = temp.CopyFolder(TestPaths.BackendTest("node/test_add"), "good");
        var request = WriteRequest(temp,
            Item("nan", Path.Combine(bad, "model.onnx"), temp.Combine("out", "nan.onnx"), bad, validate: true),
            Item("good", Path.Combine(good, "model.onnx"), temp.Combine("out", "good.onnx"), good, validate: true));

        var result = Cli.Run("msbuild-batch", "--request", request);

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        var models = Lines(result).Where(l => l.GetProperty("kind").GetString() == "model").ToDictionary(l => l.GetProperty("item").GetString()!);
        Assert.AreEqual("failed", models["nan"].GetProperty("status").GetString());
        Assert.AreEqual("Infinity", models["nan"].GetProperty("worstAbsError").GetString());
        Assert.AreEqual("passed", models["good"].GetProperty("status").GetString());
    }

    [TestMethod]
    public void An_item_past_its_Timeout_metadata_is_stopped_with_BCONV0009_and_the_next_item_still_runs()
    {
        using var temp = new TempFolder();
        var endless = TimeoutTests.WriteEndlessLoopTest(temp);
        var good = temp.CopyFolder(TestPaths.BackendTest("node/test_add"), "good");
        var slow = Item("slow", Path.Combine(endless, "model.onnx"), temp.Combine("out", "slow.onnx"), endless, validate: true);
        slow["timeout"] = "2";
        var negative = Item("negative", Path.Combine(good, "model.onnx"), temp.Combine("out", "negative.onnx"), null, validate: false);
        negative["timeout"] = "-1";
        var request = WriteRequest(temp, slow, negative,
            Item("good", Path.Combine(good, "model.onnx"), temp.Combine("out", "good.onnx"), good, validate: true));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = Cli.Run("msbuild-batch", "--request", request);

        Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        var lines = Lines(result);
        var models = lines.Where(l => l.GetProperty("kind").GetString() == "model").ToDictionary(l => l.GetProperty("item").GetString()!);
        Assert.AreEqual("error", models["slow"].GetProperty("status").GetString());
        Assert.AreEqual("passed", models["good"].GetProperty("status").GetString(), "the batch goes on after a stopped item");
        var codes = lines.Where(l => l.GetProperty("kind").GetString() == "diagnostic")
            .ToLookup(l => l.GetProperty("item").GetString()!, l => l.GetProperty("code").GetString());
        CollectionAssert.AreEqual(new[] { "BCONV0009" }, codes["slow"].ToArray());
        CollectionAssert.AreEqual(new[] { "BCONV0003" }, codes["negative"].ToArray());
        Assert.IsFalse(File.Exists(temp.Combine("out", "slow.onnx")));
        Assert.IsFalse(Directory.EnumerateFileSystemEntries(temp.Combine("out")).Any(p => p.Contains("slow.onnx.", StringComparison.Ordinal) && !p.EndsWith(".report.json", StringComparison.Ordinal)),
            "no staging folder is left behind");
    }

    private static Dictionary<string, object?> Item(string id, string input, string output, string? golden, bool validate, string? rtol = null, string? tolerance = null) => new()
    {
        ["id"] = id,
        ["input"] = input,
        ["output"] = output,
        ["golden"] = golden,
        ["validate"] = validate,
        ["rtol"] = rtol,
        ["tolerance"] = tolerance,
    };

    private static string WriteRequest(TempFolder temp, params Dictionary<string, object?>[] items) =>
        temp.WriteFile("request.json", JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["version"] = 1, ["items"] = items }));

    private static JsonElement[] Lines(CliResult result) =>
        result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line =>
            {
                using var document = JsonDocument.Parse(line);
                return document.RootElement.Clone();
            })
            .ToArray();
}
