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
