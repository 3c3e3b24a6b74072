using System.Diagnostics;

namespace BuildConvert.Tool.Tests.Infrastructure;

/// <summary>Runs the built <c>buildconvert.dll</c> as a separate process.</summary>
internal static class ToolProcess
{
    public static (int Code, string Stdout, string Stderr) Run(TimeSpan timeout, params string[] args)
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
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"buildconvert {string.Join(" ", args)} did not finish in {timeout}");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public static (int Code, string Stdout, string Stderr) Run(params string[] args) => Run(TimeSpan.FromMinutes(2), args);

    /// <summary>The tool as built by its own project (same configuration as these tests), else the copy beside the tests.</summary>
    private static string ToolDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Release";
        var own = Path.Combine(TestPaths.RepoRoot, "src", "BuildConvert.Tool", "bin", configuration, "net8.0", "buildconvert.dll");
        return File.Exists(own) ? own : Path.Combine(AppContext.BaseDirectory, "buildconvert.dll");
    }
}
