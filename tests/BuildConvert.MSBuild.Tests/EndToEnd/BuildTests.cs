using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using Google.Protobuf;

namespace BuildConvert.MSBuild.Tests.EndToEnd;

/// <summary>
/// End-to-end: pack BuildConvert.MSBuild once, then run real <c>dotnet build</c> and <c>dotnet clean</c> processes on
/// projects that reference only that package and list ONNX models from the ONNX backend corpus with their golden data.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class BuildTests
{
    private static PackageFeed? feed;

    private static PackageFeed Feed => feed ?? throw new InvalidOperationException("the package feed was not created");

    [ClassInitialize]
    public static void PackOnce(TestContext context) => feed = PackageFeed.Shared;

    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public void Build_ConvertsAndValidates_NoOpRebuildStartsNoTool_MetadataChangeRerunsOneItem_CleanLeavesNothing()
    {
        var project = TwoModelProject(nameof(Build_ConvertsAndValidates_NoOpRebuildStartsNoTool_MetadataChangeRerunsOneItem_CleanLeavesNothing), reluRtol: "");
        project.CopyFolder(Path.Combine(RepoPaths.Root, "tests", "BuildConvert.Tool.Tests", "Fixtures", "small_cnn_ext"), "models/cnn");
        var host = RecordingDotnetHost.Create(Path.Combine(project.Directory, "host"));
        var hostProperty = $"<BuildConvertDotnetHost>{host.Script}</BuildConvertDotnetHost><BuildConvertUseNativeTool>false</BuildConvertUseNativeTool>";
        project.Write(TwoModelItems(reluRtol: "") + CnnItem, hostProperty);

        var designTime = project.Dotnet("msbuild", "-restore", "-nodeReuse:false", "-tl:off", "-v:n",
            "-t:GetCopyToOutputDirectoryItems", "-p:DesignTimeBuild=true");
        Assert.IsTrue(designTime.Succeeded, designTime.ToString());
        Assert.IsEmpty(TestProject.ConvertedItems(designTime), "a design-time build must not convert:\n" + designTime.Output);
        Assert.IsFalse(Directory.Exists(project.IntermediateFolder), "a design-time build writes no stamps or models");

        var first = project.Build();
        Assert.IsTrue(first.Succeeded, first.ToString());
        Assert.HasCount(1, host.Starts, "the first build starts the tool once for all three items");
        StringAssert.Contains(host.Starts[0], "msbuild-batch --request");
        CollectionAssert.AreEquivalent(new[] { "models/add/model.onnx", "models/relu/model.onnx", "models/cnn/model.onnx" }, TestProject.ConvertedItems(first).ToArray(), first.Output);
        StringAssert.Contains(first.Output, "models/add/model.onnx: passed");
        StringAssert.Contains(first.Output, "validated on 1 data set(s)");
        var addOut = Path.Combine(project.OutputFolder, "add.onnx");
        var reluOut = Path.Combine(project.OutputFolder, "models", "relu", "model.onnx");
        AssertIsOnnxModel(addOut, "Add");
        AssertIsOnnxModel(reluOut, "Relu");
        var addIntermediate = Path.Combine(project.IntermediateFolder, "add.onnx");
        var reluIntermediate = Path.Combine(project.IntermediateFolder, "models", "relu", "model.onnx");
        var request = Path.Combine(project.IntermediateFolder, "request.json");
        var times = Times(addIntermediate, reluIntermediate, request, addOut);

        var second = project.Build();
        Assert.IsTrue(second.Succeeded, second.ToString());
        Assert.HasCount(1, host.Starts, "a no-op rebuild must not start the tool (the recording host saw a start):\n" + second.Output);
        Assert.IsEmpty(TestProject.ConvertedItems(second), "a no-op rebuild must not start the tool:\n" + second.Output);
        StringAssert.Contains(second.Output, "BuildConvert: all 3 model(s) are up to date.");
        CollectionAssert.AreEqual(times, Times(addIntermediate, reluIntermediate, request, addOut), "nothing was rewritten");

        project.Write(TwoModelItems(reluRtol: "1e-2") + CnnItem, hostProperty);
        var third = project.Build();
        Assert.IsTrue(third.Succeeded, third.ToString());
        Assert.HasCount(2, host.Starts, "a changed item starts the tool again (so the marker can see a start)");
        CollectionAssert.AreEqual(new[] { "models/relu/model.onnx" }, TestProject.ConvertedItems(third).ToArray(), third.Output);
        Assert.AreEqual(times[0], File.GetLastWriteTimeUtc(addIntermediate), "the unchanged item was not converted again");
        Assert.IsTrue(File.GetLastWriteTimeUtc(reluIntermediate) > times[1], "the changed item was converted again");

        var weights = Path.Combine(project.Directory, "models", "cnn", "weights.bin");
        var cnnOut = Path.Combine(project.OutputFolder, "models", "cnn", "model.onnx");
        Assert.IsTrue(File.Exists(cnnOut + ".data"), "external data is written and copied beside its model");
        StringAssert.Contains(File.ReadAllText(Path.Combine(project.IntermediateFolder, "models", "cnn", "model.onnx.deps")), weights);
        File.SetLastWriteTimeUtc(weights, DateTime.UtcNow.AddSeconds(5));
        var fourth = project.Build();
        Assert.IsTrue(fourth.Succeeded, fourth.ToString());
        Assert.HasCount(3, host.Starts);
        CollectionAssert.AreEqual(new[] { "models/cnn/model.onnx" }, TestProject.ConvertedItems(fourth).ToArray(), "a changed weights file re-runs its model only:\n" + fourth.Output);

        var clean = project.Clean();
        Assert.IsTrue(clean.Succeeded, clean.ToString());
        Assert.IsFalse(Directory.Exists(project.IntermediateFolder), "clean removes converted models, stamps and the request");
        var left = Directory.EnumerateFiles(project.Directory, "*", SearchOption.AllDirectories)
            .Where(f => f.StartsWith(Path.Combine(project.Directory, "bin"), StringComparison.Ordinal)
                     || f.StartsWith(Path.Combine(project.Directory, "obj"), StringComparison.Ordinal))
            .Where(f => f.EndsWith(".onnx", StringComparison.Ordinal) || f.EndsWith(".options", StringComparison.Ordinal) || f.Contains("buildconvert", StringComparison.OrdinalIgnoreCase))
            .ToArray();
        Assert.IsEmpty(left, "clean left: " + string.Join(", ", left));
        Assert.IsFalse(Directory.Exists(Path.Combine(project.OutputFolder, "models")), "clean leaves no empty model folders in the output folder: " + string.Join(", ", Directory.Exists(Path.Combine(project.OutputFolder, "models")) ? Directory.GetFileSystemEntries(Path.Combine(project.OutputFolder, "models"), "*", SearchOption.AllDirectories) : []) + "\n" + clean.Output);
    }

    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public void TamperedGoldenOutput_FailsWithTheMismatchCodeAtTheGoldenFile_AndTheFixedGoldenIsConvertedAgain()
    {
        var project = TwoModelProject(nameof(TamperedGoldenOutput_FailsWithTheMismatchCodeAtTheGoldenFile_AndTheFixedGoldenIsConvertedAgain), reluRtol: "");
        var golden = Path.Combine(project.Directory, "models", "add", "test_data_set_0", "output_0.pb");
        var original = File.ReadAllBytes(golden);
        var good = project.Build();
        Assert.IsTrue(good.Succeeded, good.ToString());
        Assert.IsTrue(File.Exists(Path.Combine(project.OutputFolder, "add.onnx")));
        var outputName = Tamper(golden);

        var failed = project.Build();
        Assert.IsFalse(failed.Succeeded, failed.ToString());
        var mismatch = TestProject.Errors(failed).Where(e => e.Code == DiagnosticCodes.OutputMismatch.Code).ToArray();
        Assert.HasCount(1, mismatch, failed.Output);
        Assert.AreEqual(golden, mismatch[0].File, "a mismatch points at the golden file");
        StringAssert.Contains(mismatch[0].Message, outputName);
        Assert.IsFalse(File.Exists(Path.Combine(project.IntermediateFolder, "add.onnx")), "a failed validation leaves no output");
        Assert.IsFalse(File.Exists(Path.Combine(project.OutputFolder, "add.onnx")), "nor its copy from the earlier build");
        Assert.IsTrue(File.Exists(Path.Combine(project.OutputFolder, "models", "relu", "model.onnx")), "the other model is untouched");

        File.WriteAllBytes(golden, original);
        var fixedRun = project.Build();
        Assert.IsTrue(fixedRun.Succeeded, fixedRun.ToString());
        CollectionAssert.AreEqual(new[] { "models/add/model.onnx" }, TestProject.ConvertedItems(fixedRun).ToArray(), "the failed item is not skipped as up to date");
        AssertIsOnnxModel(Path.Combine(project.OutputFolder, "add.onnx"), "Add");
    }

    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public void CorruptModelAndBadMetadata_FailWithTheirCodes_AndLeaveNoOutput()
    {
        var project = new TestProject(Feed, nameof(CorruptModelAndBadMetadata_FailWithTheirCodes_AndLeaveNoOutput));
        var folder = project.CopyCorpusModel("node/test_relu", "models/relu");
        var model = Path.Combine(folder, "model.onnx");
        var bytes = File.ReadAllBytes(model);
        File.WriteAllBytes(model, bytes[..(bytes.Length / 2)]);
        var other = project.CopyCorpusModel("node/test_add", "models/add");
        project.Write("""
            <OnnxModel Include="models/relu/model.onnx" OutputPath="relu.onnx" />
            <OnnxModel Include="models/add/model.onnx" InputShapes="x:1,,3" />
            """);

        var run = project.Build();

        Assert.IsFalse(run.Succeeded, run.ToString());
        var errors = TestProject.Errors(run);
        Assert.IsTrue(errors.Any(e => e.Code.StartsWith("BCONV10", StringComparison.Ordinal) && e.File == model),
            "expected a BCONV10xx read error at the model:\n" + run.Output);
        var option = errors.Where(e => e.Code == DiagnosticCodes.InvalidOption.Code).ToArray();
        Assert.HasCount(1, option, "item metadata reaches the tool, which rejects a malformed InputShapes:\n" + run.Output);
        Assert.AreEqual(Path.Combine(other, "model.onnx"), option[0].File);
        StringAssert.Contains(option[0].Message, "x:1,,3");
        Assert.IsFalse(File.Exists(Path.Combine(project.IntermediateFolder, "relu.onnx")));
        Assert.IsFalse(File.Exists(Path.Combine(project.OutputFolder, "relu.onnx")));
    }

    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public void ABrokenTool_IsACodedErrorWithTheCommandLineToReproduce()
    {
        var project = new TestProject(Feed, nameof(ABrokenTool_IsACodedErrorWithTheCommandLineToReproduce));
        project.CopyCorpusModel("node/test_relu", "models/relu");
        var brokenTool = Path.Combine(project.Directory, "broken", "buildconvert.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(brokenTool)!);
        File.WriteAllText(brokenTool, "this is not an assembly");
        project.Write("""<OnnxModel Include="models/relu/model.onnx" />""", $"<BuildConvertToolPath>{brokenTool}</BuildConvertToolPath><BuildConvertUseNativeTool>false</BuildConvertUseNativeTool>");

        var run = project.Build();

        Assert.IsFalse(run.Succeeded, run.ToString());
        var crash = TestProject.Errors(run).Where(e => e.Code == DiagnosticCodes.ToolFailedInBuild.Code).ToArray();
        Assert.HasCount(1, crash, run.Output);
        StringAssert.Contains(crash[0].Message, "To reproduce, run: ");
        StringAssert.Contains(crash[0].Message, $"exec {brokenTool} msbuild-batch --request {Path.Combine(project.IntermediateFolder, "request.json")}");
        Assert.IsFalse(File.Exists(Path.Combine(project.IntermediateFolder, "models", "relu", "model.onnx")));
    }

    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public void TheNativeTool_RunsWithoutDotnet_AndABrokenOneIsACodedErrorNamingIt()
    {
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64)
        {
            Assert.Inconclusive("packs carry a native tool for linux-x64 only");
        }

        var project = new TestProject(Feed, nameof(TheNativeTool_RunsWithoutDotnet_AndABrokenOneIsACodedErrorNamingIt));
        project.CopyCorpusModel("node/test_relu", "models/relu");
        var packed = Path.Combine(Feed.Packages, "buildconvert.msbuild", Feed.Version, "tools", "native", "linux-x64", "buildconvert");
        project.Write("""<OnnxModel Include="models/relu/model.onnx" />""", "<BuildConvertCache>false</BuildConvertCache>");

        var run = project.Build("-v:d");
        Assert.IsTrue(run.Succeeded, run.ToString());
        Assert.IsTrue(File.Exists(packed), "the linux-x64 package carries the native tool at " + packed);
        StringAssert.Contains(run.Output, $"{packed} msbuild-batch --request", "the task ran the native tool, not dotnet exec");
        StringAssert.Contains(run.Output, "models/relu/model.onnx: passed");

        // A native tool that fails is reported like the managed one, with the command line that reproduces it.
        var other = new TestProject(Feed, nameof(TheNativeTool_RunsWithoutDotnet_AndABrokenOneIsACodedErrorNamingIt) + "Broken");
        other.CopyCorpusModel("node/test_relu", "models/relu");
        var broken = Path.Combine(other.Directory, "broken", "buildconvert");
        Directory.CreateDirectory(Path.GetDirectoryName(broken)!);
        File.WriteAllText(broken, "#!/bin/sh\necho 'native tool broken' >&2\nexit 3\n");
        other.Write("""<OnnxModel Include="models/relu/model.onnx" />""", $"<BuildConvertCache>false</BuildConvertCache><BuildConvertNativeToolPath>{broken}</BuildConvertNativeToolPath>");
        var failed = other.Build();
        Assert.IsFalse(failed.Succeeded, failed.ToString());
        var crash = TestProject.Errors(failed).Where(e => e.Code == DiagnosticCodes.ToolFailedInBuild.Code).ToArray();
        Assert.HasCount(1, crash, failed.Output);
        StringAssert.Contains(crash[0].Message, $"To reproduce, run: {broken} msbuild-batch --request {Path.Combine(other.IntermediateFolder, "request.json")}");
    }

    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public void AnOldOpsetModel_IsRefusedWithAdvice_AndOpsetMetadataConvertsAndValidatesIt()
    {
        var project = new TestProject(Feed, nameof(AnOldOpsetModel_IsRefusedWithAdvice_AndOpsetMetadataConvertsAndValidatesIt));
        project.CopyCorpusModel("pytorch-converted/test_Linear", "models/linear");
        project.Write("""<OnnxModel Include="models/linear/model.onnx" />""");

        var refused = project.Build();

        Assert.IsFalse(refused.Succeeded, refused.ToString());
        var notRunnable = TestProject.Errors(refused).Where(e => e.Code == DiagnosticCodes.RuntimeNotImplemented.Code).ToArray();
        Assert.HasCount(1, notRunnable, refused.Output);
        StringAssert.Contains(notRunnable[0].Message, "--opset 13");

        project.Write("""<OnnxModel Include="models/linear/model.onnx" Opset="13" Optimize="true" />""");
        var converted = project.Build();

        Assert.IsTrue(converted.Succeeded, converted.ToString());
        StringAssert.Contains(converted.Output, "validated on 1 data set(s)");
        var output = Path.Combine(project.OutputFolder, "models", "linear", "model.onnx");
        AssertIsOnnxModel(output, "Gemm");
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(output));
        Assert.AreEqual(13L, model.OpsetImport.Single(o => o.Domain.Length == 0).Version);
    }

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void Cache_TwoClonesShareOneFolder_SecondConvertsNothing_OutputsByteIdentical()
    {
        var cache = Path.Combine(Feed.Root, "shared-cache");
        var clones = new[] { new TestProject(Feed, "CacheCloneA"), new TestProject(Feed, "CacheCloneB") };
        foreach (var clone in clones)
        {
            clone.CopyCorpusModel("node/test_add", "models/add");
            clone.CopyCorpusModel("node/test_relu", "models/relu");
            clone.CopyFolder(Path.Combine(RepoPaths.Root, "tests", "BuildConvert.Tool.Tests", "Fixtures", "small_cnn_ext"), "models/cnn");
            clone.Write(TwoModelItems(reluRtol: "") + CnnItem, $"<BuildConvertCacheDirectory>{cache}</BuildConvertCacheDirectory>");
        }

        var first = clones[0].Build();
        Assert.IsTrue(first.Succeeded, first.ToString());
        Assert.IsFalse(first.Output.Contains(", cached", StringComparison.Ordinal), "the first clone finds an empty cache:\n" + first.Output);
        Assert.IsTrue(Directory.Exists(Path.Combine(cache, "v1", "entries")), "passing conversions were stored");

        var second = clones[1].Build();
        Assert.IsTrue(second.Succeeded, second.ToString());
        foreach (var item in new[] { "models/add/model.onnx", "models/relu/model.onnx", "models/cnn/model.onnx" })
        {
            StringAssert.Contains(second.Output, $"BuildConvert: {item}: passed, cached (onnx", "the second clone converts nothing");
        }

        foreach (var file in new[] { "add.onnx", "models/relu/model.onnx", "models/cnn/model.onnx", "models/cnn/model.onnx.data" })
        {
            var a = Path.Combine(clones[0].OutputFolder, file);
            var b = Path.Combine(clones[1].OutputFolder, file);
            Assert.IsTrue(File.Exists(b), b + " was restored and copied");
            CollectionAssert.AreEqual(File.ReadAllBytes(a), File.ReadAllBytes(b), file + " is byte-identical");
        }

        var third = clones[1].Build();
        Assert.IsTrue(third.Succeeded, third.ToString());
        Assert.IsEmpty(TestProject.ConvertedItems(third), "a restored build is up to date:\n" + third.Output);
    }

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void Cache_TwoProjectsBuiltInParallel_ShareOneModel_TheLockConvertsItOnce()
    {
        var cache = Path.Combine(Feed.Root, "parallel-cache");
        var host = RecordingDotnetHost.Create(Path.Combine(Feed.Root, "parallel-host"), barrier: 2);
        var projects = new[] { new TestProject(Feed, "ParallelA"), new TestProject(Feed, "ParallelB") };
        foreach (var project in projects)
        {
            project.CopyCorpusModel("node/test_relu", "models/relu");
            project.Write("""<OnnxModel Include="models/relu/model.onnx" />""",
                $"<BuildConvertCacheDirectory>{cache}</BuildConvertCacheDirectory><BuildConvertDotnetHost>{host.Script}</BuildConvertDotnetHost><BuildConvertUseNativeTool>false</BuildConvertUseNativeTool>");
            var restore = project.Dotnet("restore", "-nodeReuse:false", "--disable-build-servers", "-tl:off", "-v:q");
            Assert.IsTrue(restore.Succeeded, restore.ToString());
        }

        var both = Path.Combine(Feed.Projects, "Parallel.proj");
        File.WriteAllText(both, $"""
            <Project>
              <Target Name="Build">
                <MSBuild Projects="{string.Join(";", projects.Select(p => Path.Combine(p.Directory, "Models.csproj")))}" BuildInParallel="true" />
              </Target>
            </Project>
            """);

        var run = DotnetProcess.Run(Feed.Projects, TimeSpan.FromMinutes(4), null,
            "build", both, "--no-restore", "-m:2", "-nodeReuse:false", "--disable-build-servers", "-tl:off", "-v:n");

        Assert.IsTrue(run.Succeeded, run.ToString());
        Assert.HasCount(2, host.Starts, run.Output);
        Assert.IsFalse(host.BarrierTimedOut, "both tools were running at once (each waited for the other to start):\n" + run.Output);
        var lines = run.Output.Split('\n').Where(l => l.Contains("BuildConvert: models/relu/model.onnx: passed", StringComparison.Ordinal)).ToArray();
        Assert.HasCount(2, lines, run.Output);
        Assert.HasCount(1, lines.Where(l => l.Contains("passed, cached (", StringComparison.Ordinal)).ToArray(),
            "one build converted the model and the other, waiting on the key's lock, restored it:\n" + string.Join("\n", lines));
        var entries = Directory.GetDirectories(Path.Combine(cache, "v1", "entries"), "*", SearchOption.TopDirectoryOnly)
            .SelectMany(d => Directory.GetDirectories(d)).ToArray();
        Assert.HasCount(1, entries, "one entry for the one model");
        Assert.HasCount(1, Directory.GetFiles(Path.Combine(cache, "v1", "locks")), "one key, one lock");
        Assert.IsEmpty(Directory.GetFileSystemEntries(Path.Combine(cache, "v1", "tmp")), "no store was abandoned");
        CollectionAssert.AreEqual(
            File.ReadAllBytes(Path.Combine(projects[0].OutputFolder, "models", "relu", "model.onnx")),
            File.ReadAllBytes(Path.Combine(projects[1].OutputFolder, "models", "relu", "model.onnx")));
    }

    private static TestProject TwoModelProject(string name, string reluRtol)
    {
        var project = new TestProject(Feed, name);
        project.CopyCorpusModel("node/test_add", "models/add");
        project.CopyCorpusModel("node/test_relu", "models/relu");
        project.Write(TwoModelItems(reluRtol));
        return project;
    }

    /// <summary>A model whose weights lie in external data (weights.bin beside it), with no golden data.</summary>
    private const string CnnItem = """

        <OnnxModel Include="models/cnn/model.onnx" />
        """;

    private static string TwoModelItems(string reluRtol) => $"""
        <OnnxModel Include="models/add/model.onnx" OutputPath="add.onnx" Rtol="1e-4" Atol="1e-6" />
        <OnnxModel Include="models/relu/model.onnx" Rtol="{reluRtol}" />
        """;

    /// <summary>Adds 0.5 to one element of a golden float tensor (an honest, detectable difference); returns its name.</summary>
    private static string Tamper(string goldenFile)
    {
        var tensor = TensorProto.Parser.ParseFrom(File.ReadAllBytes(goldenFile));
        Assert.AreEqual((int)TensorProto.Types.DataType.Float, tensor.DataType);
        if (tensor.RawData.Length > 0)
        {
            var raw = tensor.RawData.ToByteArray();
            var value = BitConverter.ToSingle(raw, 4) + 0.5f;
            BitConverter.GetBytes(value).CopyTo(raw, 4);
            tensor.RawData = ByteString.CopyFrom(raw);
        }
        else
        {
            tensor.FloatData[1] += 0.5f;
        }

        File.WriteAllBytes(goldenFile, tensor.ToByteArray());
        return tensor.Name;
    }

    private static void AssertIsOnnxModel(string path, string op)
    {
        Assert.IsTrue(File.Exists(path), path + " was not produced");
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.IsTrue(model.Graph.Node.Any(n => n.OpType == op), $"{path} has no {op} node");
    }

    private static DateTime[] Times(params string[] files) =>
        files.Select(f =>
        {
            Assert.IsTrue(File.Exists(f), f + " does not exist");
            return File.GetLastWriteTimeUtc(f);
        }).ToArray();
}
