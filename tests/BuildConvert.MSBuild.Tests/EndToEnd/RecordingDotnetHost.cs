namespace BuildConvert.MSBuild.Tests.EndToEnd;

/// <summary>
/// A fake <c>dotnet</c> host for <c>BuildConvertDotnetHost</c> (the Grpc.Tools pattern): a shell script that appends one
/// line per start of the buildconvert tool to a marker file and then runs the real host with the same arguments. With
/// a barrier of N it also holds each start until N tools have started, so N builds provably convert at the same time.
/// Unix only (a shell script).
/// </summary>
internal sealed class RecordingDotnetHost
{
    private const string StartPrefix = "start ";

    private RecordingDotnetHost(string script, string marker)
    {
        Script = script;
        Marker = marker;
    }

    /// <summary>The script to set as <c>BuildConvertDotnetHost</c>.</summary>
    public string Script { get; }

    /// <summary>The file the script appends to.</summary>
    public string Marker { get; }

    /// <summary>The tool starts recorded so far (their command lines).</summary>
    public IReadOnlyList<string> Starts =>
        File.Exists(Marker) ? File.ReadAllLines(Marker).Where(l => l.StartsWith(StartPrefix, StringComparison.Ordinal)).Select(l => l[StartPrefix.Length..]).ToArray() : [];

    /// <summary>Whether a start gave up waiting for the others at the barrier.</summary>
    public bool BarrierTimedOut => File.Exists(Marker) && File.ReadAllLines(Marker).Contains("barrier-timeout");

    /// <summary>Writes the script into <paramref name="folder"/>.</summary>
    /// <param name="folder">Where the script and its marker go.</param>
    /// <param name="barrier">Hold each start until this many have started (1: no waiting); at most 60 s.</param>
    public static RecordingDotnetHost Create(string folder, int barrier = 1)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("the recording host is a shell script");
        }

        Directory.CreateDirectory(folder);
        var script = Path.Combine(folder, "recording-dotnet.sh");
        var marker = Path.Combine(folder, "tool-starts.txt");
        File.WriteAllText(script, $"""
            #!/bin/sh
            echo "{StartPrefix}$*" >> {Quote(marker)}
            waited=0
            while [ "$(grep -c '^{StartPrefix}' {Quote(marker)})" -lt {barrier} ]; do
              waited=$((waited + 1))
              if [ $waited -gt 600 ]; then echo barrier-timeout >> {Quote(marker)}; break; fi
              sleep 0.1
            done
            exec {Quote(DotnetProcess.DotnetHost())} "$@"

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return new RecordingDotnetHost(script, marker);
    }

    private static string Quote(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
