using System.Runtime.InteropServices;

namespace BuildConvert.MSBuild.Tests.EndToEnd;

/// <summary>
/// A local NuGet feed holding the BuildConvert.MSBuild package packed from this repository's build output (the same
/// configuration as the tests), and a private packages folder, both under one temp folder for the test run.
/// The package carries the ONNX Runtime natives of the current platform only, to keep packing and restoring fast.
/// </summary>
internal sealed class PackageFeed : IDisposable
{
    private PackageFeed(string root)
    {
        Root = root;
    }

    /// <summary>The temp folder of the run: feed/, packages/, tool-publish/, projects/.</summary>
    public string Root { get; }

    public string Feed => Path.Combine(Root, "feed");

    public string Packages => Path.Combine(Root, "packages");

    public string Projects => Path.Combine(Root, "projects");

    /// <summary>The version the packed package has (the repository's VersionPrefix).</summary>
    public string Version { get; private set; } = "";

    private static readonly Lazy<PackageFeed> SharedFeed = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The one feed of the test run: packing (which compiles the native tool) happens once for every
    /// end-to-end class; <see cref="EndToEndAssembly.DeleteSharedFeed"/> removes it at the end of the run.</summary>
    public static PackageFeed Shared => SharedFeed.Value;

    /// <summary>Whether <see cref="Shared"/> was ever packed.</summary>
    public static bool SharedCreated => SharedFeed.IsValueCreated;

    /// <summary>Packs BuildConvert.MSBuild into a fresh feed; fails the test run when packing fails.</summary>
    public static PackageFeed Create()
    {
        var root = Path.Combine(Path.GetTempPath(), "bconv-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var feed = new PackageFeed(root);
        var project = Path.Combine(RepoPaths.Root, "src", "BuildConvert.MSBuild", "BuildConvert.MSBuild.csproj");
        // Packing also compiles the native tool ahead of time (a minute or two on two cores).
        var run = DotnetProcess.Run(RepoPaths.Root, TimeSpan.FromMinutes(10), null,
            "pack", project, "-c", RepoPaths.Configuration, "--no-build", "-o", feed.Feed,
            "-nodeReuse:false", "-p:BuildConvertToolPublishDir=" + Path.Combine(root, "tool-publish") + Path.DirectorySeparatorChar,
            "-p:BuildConvertPackRuntimes=" + CurrentRuntime());
        var package = Directory.Exists(feed.Feed) ? Directory.GetFiles(feed.Feed, "BuildConvert.MSBuild.*.nupkg").SingleOrDefault() : null;
        if (!run.Succeeded || package is null)
        {
            feed.Dispose();
            Assert.Fail("packing BuildConvert.MSBuild failed (build the solution in the same configuration first):\n" + run);
        }

        feed.Version = Path.GetFileNameWithoutExtension(package!)["BuildConvert.MSBuild.".Length..];
        return feed;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the system's temp cleaning.
        }
    }

    private static string CurrentRuntime()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var arch = RuntimeInformation.OSArchitecture switch
        {
            Architecture.Arm64 => "arm64",
            _ => "x64",
        };
        return os + "-" + arch;
    }
}

/// <summary>Run-wide set-up of the end-to-end tests.</summary>
[TestClass]
public static class EndToEndAssembly
{
    /// <summary>Deletes the shared package feed, if a test packed it.</summary>
    [AssemblyCleanup]
    public static void DeleteSharedFeed()
    {
        if (PackageFeed.SharedCreated)
        {
            PackageFeed.Shared.Dispose();
        }
    }
}
