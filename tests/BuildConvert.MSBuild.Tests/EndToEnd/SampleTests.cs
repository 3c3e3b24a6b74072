namespace BuildConvert.MSBuild.Tests.EndToEnd;

/// <summary>
/// samples/HelloOnnx, the README's first command, builds against this repository's task and tool. The sample is copied
/// (without any bin/obj of an in-place build) so the repository is not written to, and it uses the task and tool the
/// tests were built with instead of building them again.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class SampleTests
{
    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public void HelloOnnx_ConvertsChecksAndValidatesItsModels()
    {
        using var temp = new TempFolder("bconv-sample-");
        var samples = Path.Combine(RepoPaths.Root, "samples");
        foreach (var file in Directory.EnumerateFiles(samples, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(samples, file);
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Contains("bin") || parts.Contains("obj"))
            {
                continue;
            }

            var target = Path.Combine(temp.Path, "samples", relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var sample = Path.Combine(temp.Path, "samples", "HelloOnnx");
        var run = DotnetProcess.Run(sample, TimeSpan.FromMinutes(3), null,
            "build", "-nodeReuse:false", "--disable-build-servers", "-tl:off", "-v:n",
            "-p:BuildConvertRepoRoot=" + RepoPaths.Root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar,
            "-p:BuildConvertSkipRepoBuild=true", "-p:BuildConvertRepoConfiguration=" + RepoPaths.Configuration,
            "-p:BuildConvertCacheDirectory=" + Path.Combine(temp.Path, "cache"));

        Assert.IsTrue(run.Succeeded, run.ToString());
        CollectionAssert.AreEquivalent(new[] { "models/add/model.onnx", "models/relu/model.onnx" }, TestProject.ConvertedItems(run).ToArray(), run.Output);
        Assert.AreEqual(2, run.Output.Split("validated on 1 data set(s)").Length - 1, run.Output);
        var output = Path.Combine(sample, "bin", "Debug", "net10.0");
        Assert.IsTrue(File.Exists(Path.Combine(output, "models", "add.onnx")));
        Assert.IsTrue(File.Exists(Path.Combine(output, "models", "relu", "model.onnx")));
    }
}
