using System.Diagnostics;
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
        var (code, stdout, stderr) = RunTool("check", TestPaths.SmallCnn, "--json");

        Assert.AreEqual(0, code, stdout + stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.AreEqual("passed", json.RootElement.GetProperty("models")[0].GetProperty("status").GetString());
    }

    [TestMethod]
    public void The_built_tool_exits_2_on_misuse_and_1_on_a_bad_model()
    {
        using var temp = new TempFolder();
        var bad = temp.WriteFile("bad.onnx", Models.Truncated(TestPaths.SmallCnn));

        var misuse = RunTool("inspect");
        var failure = RunTool("check", bad);

        Assert.AreEqual(2, misuse.Code, misuse.Stderr);
        StringAssert.Contains(misuse.Stderr, "error BCONV0001");
        Assert.AreEqual(1, failure.Code, failure.Stderr);
        StringAssert.Contains(failure.Stderr, $"{bad}: error BCONV1003: ");
    }

    private static (int Code, string Stdout, string Stderr) RunTool(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(ToolDll());
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("buildconvert did not finish in 2 minutes");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The tool as built by its own project (same configuration as these tests), else the copy beside the tests.</summary>
    private static string ToolDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Release";
        var own = Path.Combine(TestPaths.RepoRoot, "src", "BuildConvert.Tool", "bin", configuration, "net8.0", "buildconvert.dll");
        return File.Exists(own) ? own : Path.Combine(AppContext.BaseDirectory, "buildconvert.dll");
    }
}
