using System.Diagnostics;

namespace BuildConvert.Tool.Tests.Infrastructure;

/// <summary>Runs the built <c>buildconvert.dll</c> as a separate process.</summary>
internal static class ToolProcess
{
    public static (int Code, string Stdout, string Stderr) Run(TimeSpan timeout, params string[] args)
    {
        var run = RunMeasured(timeout, args);
        return (run.Code, run.Stdout, run.Stderr);
    }

    /// <summary>Runs the tool and measures its wall time and peak resident memory (the kernel's high-water mark,
    /// sampled every 20 ms until the process exits).</summary>
    public static MeasuredRun RunMeasured(TimeSpan timeout, params string[] args)
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

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!process.WaitForExit(20))
        {
            peak = Math.Max(peak, PeakResidentBytes(process.Id));
            if (clock.Elapsed > timeout)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"buildconvert {string.Join(" ", args)} did not finish in {timeout}");
            }
        }

        process.WaitForExit();
        return new MeasuredRun(process.ExitCode, stdout.Result, stderr.Result, clock.Elapsed, peak);
    }

    /// <summary>VmHWM of a running process (Linux), or 0 where it cannot be read.</summary>
    private static long PeakResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return 0;
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

/// <summary>One measured tool run.</summary>
internal sealed record MeasuredRun(int Code, string Stdout, string Stderr, TimeSpan Elapsed, long PeakBytes)
{
    public override string ToString() => $"exit {Code} in {Elapsed.TotalSeconds:0.0} s, peak {PeakBytes >> 20} MiB\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
