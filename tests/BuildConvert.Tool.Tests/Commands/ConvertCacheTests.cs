using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests.Commands;

/// <summary><c>convert --cache DIR</c>: off unless asked for; a second identical conversion is restored and says so.</summary>
[TestClass]
public sealed class ConvertCacheTests
{
    [TestMethod]
    public void A_second_conversion_with_the_same_cache_is_restored_byte_for_byte_and_says_cached()
    {
        using var temp = new TempFolder();
        var source = temp.CopyFolder(Path.GetDirectoryName(TestPaths.SmallCnnExternal)!, "src");
        var cache = temp.Combine("cache");
        var first = temp.Combine("one", "cnn.onnx");
        var second = temp.Combine("two", "cnn.onnx");

        var a = Cli.Run("convert", Path.Combine(source, "model.onnx"), "-o", first, "--cache", cache);
        var b = Cli.Run("convert", Path.Combine(source, "model.onnx"), "-o", second, "--cache", cache, "--json");
        var c = Cli.Run("convert", Path.Combine(source, "model.onnx"), "-o", second, "--cache", cache);

        Assert.AreEqual(0, a.ExitCode, a.ToString());
        Assert.IsFalse(a.Stdout.Contains("cached", StringComparison.Ordinal), a.ToString());
        Assert.AreEqual(0, b.ExitCode, b.ToString());
        var model = b.Json().Models().Single();
        Assert.IsTrue(model.GetProperty("cached").GetBoolean());
        Assert.AreEqual("passed", model.GetProperty("status").GetString());
        StringAssert.Contains(c.Stdout, "onnx, cached, ");
        CollectionAssert.AreEqual(File.ReadAllBytes(first), File.ReadAllBytes(second));
        CollectionAssert.AreEqual(File.ReadAllBytes(first + ".data"), File.ReadAllBytes(second + ".data"));
        Assert.AreEqual(0, Cli.Run("check", second).ExitCode);
    }

    [TestMethod]
    public void Two_tool_processes_converting_one_model_at_once_convert_it_once()
    {
        using var temp = new TempFolder();
        var model = TestPaths.BackendTest("node/test_abs");
        var cache = temp.Combine("cache");
        var runs = Enumerable.Range(0, 2)
            .Select(i => Task.Run(() => ToolProcess.Run("convert", Path.Combine(model, "model.onnx"), "-o", temp.Combine($"out{i}", "abs.onnx"),
                "--golden", model, "--cache", cache, "--json")))
            .ToArray();
        Task.WaitAll(runs);

        var cached = new List<bool>();
        foreach (var (code, stdout, stderr) in runs.Select(r => r.Result))
        {
            Assert.AreEqual(0, code, stdout + stderr);
            using var json = System.Text.Json.JsonDocument.Parse(stdout);
            cached.Add(json.RootElement.GetProperty("models")[0].GetProperty("cached").GetBoolean());
        }

        Assert.AreEqual(1, cached.Count(c => c), "one process converts, the other restores");
        CollectionAssert.AreEqual(File.ReadAllBytes(temp.Combine("out0", "abs.onnx")), File.ReadAllBytes(temp.Combine("out1", "abs.onnx")));
    }

    [TestMethod]
    public void Without_cache_nothing_is_cached()
    {
        using var temp = new TempFolder();
        var output = temp.Combine("out.onnx");
        Assert.AreEqual(0, Cli.Run("convert", TestPaths.SmallCnn, "-o", output).ExitCode);
        var again = Cli.Run("convert", TestPaths.SmallCnn, "-o", output, "--json");
        Assert.AreEqual(0, again.ExitCode, again.ToString());
        Assert.IsFalse(again.Json().Models().Single().GetProperty("cached").GetBoolean());
    }
}
