using System.Text.Json;
using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests;

/// <summary>Contracts only a real process shows: output bytes that do not depend on the process that wrote them, and a
/// model path that is a FIFO refused in bounded time instead of blocking on open.</summary>
[TestClass]
public sealed class ProcessContractTests
{
    [TestMethod]
    public void Convert_in_two_processes_writes_byte_identical_models()
    {
        using var temp = new TempFolder();
        var model = TestPaths.BackendTest("node/test_add/model.onnx");
        var first = temp.Combine("first", "out.onnx");
        var second = temp.Combine("second", "out.onnx");

        var a = ToolProcess.Run("convert", model, "-o", first, "--optimize", "true");
        var b = ToolProcess.Run("convert", model, "-o", second, "--optimize", "true");

        Assert.AreEqual(0, a.Code, a.Stdout + a.Stderr);
        Assert.AreEqual(0, b.Code, b.Stdout + b.Stderr);
        CollectionAssert.AreEqual(File.ReadAllBytes(first), File.ReadAllBytes(second), "the output depends only on the input and the options");
    }

    [TestMethod]
    [DataRow("check")]
    [DataRow("verify")]
    public void A_model_path_that_is_a_FIFO_is_refused_in_bounded_time(string command)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("FIFOs are a Unix feature");
        }

        using var temp = new TempFolder();
        var fifo = Path.GetFullPath(temp.Combine("model.onnx"));
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", new[] { fifo })!)
        {
            mkfifo.WaitForExit();
        }

        var golden = temp.CopyFolder(TestPaths.BackendTest("node/test_abs"), "golden");
        var args = command == "verify"
            ? new[] { "verify", fifo, "--golden", golden, "--json", "--timeout", "5" }
            : new[] { "check", fifo, "--json" };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var run = ToolProcess.Run(TimeSpan.FromSeconds(60), args);

        Assert.IsLessThan(20, clock.Elapsed.TotalSeconds, "a FIFO must not block the tool");
        Assert.AreNotEqual(0, run.Code, run.Stdout + run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var codes = json.RootElement.Models().SelectMany(m => m.Codes())
            .Concat(json.RootElement.TryGetProperty("diagnostics", out var top) ? top.EnumerateArray().Select(d => d.GetProperty("code").GetString()!) : [])
            .ToArray();
        Assert.IsTrue(codes.Length > 0 && codes.All(c => c.StartsWith("BCONV", StringComparison.Ordinal) && c != "BCONV9001"),
            "coded, not an internal error: " + run.Stdout);
        Assert.DoesNotContain("   at ", run.Stderr, "no stack trace");
    }
}
