using System.Text.RegularExpressions;

namespace BuildConvert.MSBuild.Tests.EndToEnd;

/// <summary>
/// A throwaway project that references only the packed BuildConvert.MSBuild package (from the local feed, with
/// every other NuGet source cleared) and has <c>&lt;OnnxModel&gt;</c> items; built with real <c>dotnet</c> processes.
/// </summary>
internal sealed partial class TestProject
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly PackageFeed feed;
    private string items = "";
    private string properties = "";

    public TestProject(PackageFeed feed, string name)
    {
        this.feed = feed;
        Directory = Path.Combine(feed.Projects, name);
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(Path.Combine(Directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="buildconvert-test-feed" value="{feed.Feed}" />
              </packageSources>
            </configuration>
            """);
    }

    public string Directory { get; }

    /// <summary>The folder the package's targets put converted models, stamps and the request in.</summary>
    public string IntermediateFolder => Path.Combine(Directory, "obj", "Debug", "net10.0", "buildconvert");

    public string OutputFolder => Path.Combine(Directory, "bin", "Debug", "net10.0");

    /// <summary>Copies a corpus test folder (model.onnx + test_data_set_*) to <paramref name="relative"/>, writable.</summary>
    public string CopyCorpusModel(string corpusTest, string relative) =>
        CopyFolder(Path.Combine(RepoPaths.OnnxBackend, corpusTest), relative);

    /// <summary>Copies every file under <paramref name="source"/> to <paramref name="relative"/>, writable.</summary>
    public string CopyFolder(string source, string relative)
    {
        var target = Path.Combine(Directory, relative);
        foreach (var file in System.IO.Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
            File.SetAttributes(destination, FileAttributes.Normal);
        }

        return target;
    }

    /// <summary>Sets the project's <c>&lt;OnnxModel&gt;</c> items (raw XML) and extra properties, and writes the project.
    /// Each project has its own conversion cache folder (never the user's), unless the properties set another.</summary>
    public void Write(string onnxModelItems, string extraProperties = "")
    {
        items = onnxModelItems;
        properties = extraProperties;
        File.WriteAllText(Path.Combine(Directory, "Models.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <RestorePackagesPath>{feed.Packages}</RestorePackagesPath>
                <EnableDefaultItems>false</EnableDefaultItems>
                <BuildConvertCacheDirectory>{System.IO.Path.Combine(feed.Root, "caches", System.IO.Path.GetFileName(Directory))}</BuildConvertCacheDirectory>
                {properties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="BuildConvert.MSBuild" Version="{feed.Version}" />
              </ItemGroup>
              <ItemGroup>
                {items}
              </ItemGroup>
            </Project>
            """);
    }

    public DotnetRun Build(params string[] extra) =>
        Dotnet(new[] { "build", "-nodeReuse:false", "--disable-build-servers", "-tl:off", "-v:n" }.Concat(extra).ToArray());

    public DotnetRun Clean() => Dotnet("clean", "-nodeReuse:false", "--disable-build-servers", "-tl:off", "-v:n");

    /// <summary>The items the task handed to the tool in this run (from its "converting N model(s): a, b" line).</summary>
    public static IReadOnlyList<string> ConvertedItems(DotnetRun run) =>
        ConvertingLine().Matches(run.Output).SelectMany(m => m.Groups["items"].Value.Split(", ")).Select(s => s.Trim()).ToArray();

    /// <summary>The errors the build printed, as (file, code, message), once each.</summary>
    public static IReadOnlyList<(string File, string Code, string Message)> Errors(DotnetRun run) =>
        ErrorLine().Matches(run.Output)
            .Select(m => (m.Groups["file"].Value.Trim(), m.Groups["code"].Value, m.Groups["message"].Value.Trim()))
            .Distinct()
            .ToArray();

    /// <summary>Runs <c>dotnet</c> with <paramref name="args"/> in the project folder.</summary>
    public DotnetRun Dotnet(params string[] args) => DotnetProcess.Run(Directory, Timeout, null, args);

    [GeneratedRegex(@"BuildConvert: converting \d+ model\(s\): (?<items>[^\r\n]+)")]
    private static partial Regex ConvertingLine();

    [GeneratedRegex(@"^\s*(?:\d+>)?(?<file>[^\r\n]*?)(?:\(\d+(?:,\d+)?\))?\s*:\s*(?:[A-Za-z][\w.]* )?error (?<code>[A-Z]+\d+)\s*:\s*(?<message>[^\r\n]*?)(?:\s\[[^\]]*\])?\r?$", RegexOptions.Multiline)]
    private static partial Regex ErrorLine();
}
