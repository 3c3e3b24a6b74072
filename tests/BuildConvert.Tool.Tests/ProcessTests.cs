using System.Text.Json;
using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests;

/// <summary>Runs the built <c>buildconvert.dll</c> as a real process, the way the MSBuild task and scripts do.</summary>
[TestClass]
public sealed class ProcessTests
{
    [TestMethod]
    public void The_built_tool_checks_a_model_and_prints_json()
    {
        var (code, stdout, stderr) = ToolProcess.Run("check", TestPaths.SmallCnn, "--json");

        Assert.AreEqual(0, code, stdout + stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.AreEqual("passed", json.RootElement.GetProperty("models")[0].GetProperty("status").GetString());
    }

    [TestMethod]
    public void The_built_tool_exits_2_on_misuse_and_1_on_a_bad_model()
    {
        using var temp = new TempFolder();
        var bad = temp.WriteFile("bad.onnx", Models.Truncated(TestPaths.SmallCnn));

        var misuse = ToolProcess.Run("inspect");
        var failure = ToolProcess.Run("check", bad);

        Assert.AreEqual(2, misuse.Code, misuse.Stderr);
        StringAssert.Contains(misuse.Stderr, "error BCONV0001");
        Assert.AreEqual(1, failure.Code, failure.Stderr);
        StringAssert.Contains(failure.Stderr, $"{bad}: error BCONV1003: ");
    }
}
