using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace BuildConvert.MSBuild.Tests;

[TestClass]
public sealed class ResolveOnnxModelsTests
{
    [TestMethod]
    public void OutputPaths_AreAPureFunctionOfTheItem()
    {
        using var project = new TempFolder();
        project.Write("models/a.onnx", "x");
        project.Write("models/sub/b.onnx", "x");
        var task = NewTask(project, Item(project, "models/a.onnx"), Item(project, "models/sub/b.onnx", ("OutputPath", "nets/bee.onnx")));

        Assert.IsTrue(task.Execute());

        var a = task.ResolvedModels[0];
        Assert.AreEqual(Path.Combine("models", "a.onnx"), a.GetMetadata("BuildConvertTargetPath"));
        Assert.AreEqual(project.Combine("obj/bc/models/a.onnx"), a.GetMetadata("IntermediateFile"));
        Assert.AreEqual(project.Combine("obj/bc/models/a.onnx") + ".options", a.GetMetadata("StampFile"));
        Assert.AreEqual("false", a.GetMetadata("ValidateResolved"), "no golden data: nothing to validate");
        var b = task.ResolvedModels[1];
        Assert.AreEqual(Path.Combine("nets", "bee.onnx"), b.GetMetadata("BuildConvertTargetPath"));
        Assert.IsEmpty(task.StaleModels, "stale items are only computed when stamps are updated");
        Assert.IsFalse(File.Exists(a.GetMetadata("StampFile")), "a pure resolve writes nothing");
    }

    [TestMethod]
    public void GoldenConventions_AndValidateDefault()
    {
        using var project = new TempFolder();
        project.Write("m/beside.onnx", "x");
        project.Write("m/beside.golden/test_data_set_0/output_0.pb", "y");
        project.Write("layout/model.onnx", "x");
        project.Write("layout/test_data_set_0/output_0.pb", "y");
        project.Write("explicit.onnx", "x");
        project.Write("gold/outputs.npz", "y");
        var task = NewTask(project,
            Item(project, "m/beside.onnx"),
            Item(project, "layout/model.onnx"),
            Item(project, "explicit.onnx", ("Golden", "gold"), ("Validate", "False")));

        Assert.IsTrue(task.Execute());

        Assert.AreEqual(project.Combine("m/beside.golden"), task.ResolvedModels[0].GetMetadata("GoldenDirectory"));
        Assert.AreEqual("true", task.ResolvedModels[0].GetMetadata("ValidateResolved"));
        Assert.AreEqual(project.Combine("layout"), task.ResolvedModels[1].GetMetadata("GoldenDirectory"));
        Assert.AreEqual("true", task.ResolvedModels[1].GetMetadata("ValidateResolved"));
        Assert.AreEqual(project.Combine("gold"), task.ResolvedModels[2].GetMetadata("GoldenDirectory"));
        Assert.AreEqual("false", task.ResolvedModels[2].GetMetadata("ValidateResolved"));
    }

    [TestMethod]
    public void BadItems_AreCodedErrorsNamingTheItem()
    {
        using var project = new TempFolder();
        project.Write("a.onnx", "x");
        project.Write("sub/a.onnx", "x");
        var engine = new RecordingBuildEngine();
        var task = NewTask(project,
            Item(project, "missing.onnx"),
            Item(project, "a.onnx", ("Validate", "maybe")),
            Item(project, "a.onnx", ("Golden", "nowhere")),
            Item(project, "a.onnx", ("OutputPath", "../escape.onnx")),
            Item(project, "a.onnx"),
            Item(project, "sub/a.onnx", ("OutputPath", "a.onnx")));
        task.BuildEngine = engine;

        Assert.IsFalse(task.Execute());

        CollectionAssert.AreEqual(
            new[] { "BCONV0002", "BCONV0204", "BCONV0002", "BCONV0204", "BCONV0203" },
            engine.Errors.Select(e => e.Code).ToArray(), engine.ErrorText);
        StringAssert.Contains(engine.Errors[0].Message, "missing.onnx");
        StringAssert.Contains(engine.Errors[1].Message, "Validate 'maybe'");
        StringAssert.Contains(engine.Errors[2].Message, "nowhere");
        StringAssert.Contains(engine.Errors[4].Message, "sub/a.onnx");
    }

    [TestMethod]
    public void Stamps_AreWrittenOnlyWhenTheyChange_AndMakeOnlyTheirItemStale()
    {
        using var project = new TempFolder();
        project.Write("a.onnx", "x");
        project.Write("b.onnx", "x");
        project.Write("b.golden/test_data_set_0/output_0.pb", "y");

        var first = Run(project, Item(project, "a.onnx"), Item(project, "b.onnx"));
        Assert.HasCount(2, first.StaleModels, "nothing converted yet");
        var stampA = first.ResolvedModels[0].GetMetadata("StampFile");
        var stampB = first.ResolvedModels[1].GetMetadata("StampFile");
        StringAssert.Contains(File.ReadAllText(stampB), "validate=true");
        StringAssert.Matches(File.ReadAllText(stampA), new System.Text.RegularExpressions.Regex("sha256=[0-9a-f]{64}"));

        // Pretend the tool converted both, after the stamps were written.
        var outA = first.ResolvedModels[0].GetMetadata("IntermediateFile");
        var outB = first.ResolvedModels[1].GetMetadata("IntermediateFile");
        var past = DateTime.UtcNow.AddMinutes(-10);
        foreach (var file in Directory.EnumerateFileSystemEntries(project.Path, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, past);
        }

        File.WriteAllText(outA, "converted");
        File.WriteAllText(outB, "converted");
        var stampTime = File.GetLastWriteTimeUtc(stampA);

        var second = Run(project, Item(project, "a.onnx"), Item(project, "b.onnx"));
        Assert.IsEmpty(second.StaleModels, "nothing changed");
        Assert.AreEqual(stampTime, File.GetLastWriteTimeUtc(stampA), "an unchanged stamp is not rewritten");

        var third = Run(project, Item(project, "a.onnx", ("Rtol", "1e-2")), Item(project, "b.onnx"));
        CollectionAssert.AreEqual(new[] { "a.onnx" }, third.StaleModels.Select(m => m.ItemSpec).ToArray(), "changed metadata");
        StringAssert.Contains(File.ReadAllText(stampA), "Rtol=1e-2");

        File.WriteAllText(outA, "converted again");
        File.WriteAllText(project.Combine("b.golden/test_data_set_0/output_0.pb"), "tampered");
        var fourth = Run(project, Item(project, "a.onnx", ("Rtol", "1e-2")), Item(project, "b.onnx"));
        CollectionAssert.AreEqual(new[] { "b.onnx" }, fourth.StaleModels.Select(m => m.ItemSpec).ToArray(), "changed golden file");

        File.WriteAllText(outB, "converted again");
        File.SetLastWriteTimeUtc(project.Combine("b.onnx"), DateTime.UtcNow.AddMinutes(1));
        var edited = Run(project, Item(project, "a.onnx", ("Rtol", "1e-2")), Item(project, "b.onnx"));
        CollectionAssert.AreEqual(new[] { "b.onnx" }, edited.StaleModels.Select(m => m.ItemSpec).ToArray(), "changed model file");

        File.SetLastWriteTimeUtc(project.Combine("b.onnx"), past);
        File.Delete(outA);
        var fifth = Run(project, Item(project, "a.onnx", ("Rtol", "1e-2")), Item(project, "b.onnx"));
        CollectionAssert.AreEqual(new[] { "a.onnx" }, fifth.StaleModels.Select(m => m.ItemSpec).ToArray(), "deleted output (a failed run)");
    }

    [TestMethod]
    public void FilesTheToolReported_AreInputsToo()
    {
        using var project = new TempFolder();
        project.Write("a.onnx", "x");
        var data = project.Write("a.onnx.data", "weights");
        var first = Run(project, Item(project, "a.onnx"));
        var output = first.ResolvedModels[0].GetMetadata("IntermediateFile");
        File.WriteAllText(output, "converted");
        File.WriteAllText(first.ResolvedModels[0].GetMetadata("DependencyFile"), "# deps\n" + data + "\n");
        var past = DateTime.UtcNow.AddMinutes(-10);
        File.SetLastWriteTimeUtc(project.Combine("a.onnx"), past);
        File.SetLastWriteTimeUtc(data, past);
        File.SetLastWriteTimeUtc(first.ResolvedModels[0].GetMetadata("StampFile"), past);
        Assert.IsEmpty(Run(project, Item(project, "a.onnx")).StaleModels);

        File.SetLastWriteTimeUtc(data, DateTime.UtcNow.AddMinutes(1));
        Assert.HasCount(1, Run(project, Item(project, "a.onnx")).StaleModels);
        File.Delete(data);
        Assert.HasCount(1, Run(project, Item(project, "a.onnx")).StaleModels);
    }

    [TestMethod]
    public void GoldenInTheModelsOwnFolder_CountsOnlyTheGoldenData()
    {
        using var project = new TempFolder();
        project.Write("net/model.onnx", "x");
        var set = project.Write("net/test_data_set_0/output_0.pb", "y");
        project.Write("net/notes.txt", "z");
        var single = project.Write("net/output_0.pb", "y");
        var npy = project.Write("net/outputs/y.npy", "y");
        var entries = ResolveOnnxModels.GoldenEntries(project.Combine("net"), project.Combine("obj/net/model.onnx")).ToArray();
        CollectionAssert.Contains(entries, set);
        CollectionAssert.Contains(entries, single);
        CollectionAssert.Contains(entries, npy);
        CollectionAssert.DoesNotContain(entries, project.Combine("net/notes.txt"));
        CollectionAssert.DoesNotContain(entries, project.Combine("net/model.onnx"));
    }

    [TestMethod]
    public void AFolderModel_IsStaleWhenAnyFileInsideItChanges()
    {
        using var project = new TempFolder();
        project.Write("saved/saved_model.pb", "graph");
        var weights = project.Write("saved/variables/variables.data-00000-of-00001", "weights");
        var first = Run(project, Item(project, "saved"));
        var output = first.ResolvedModels[0].GetMetadata("IntermediateFile");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        File.WriteAllText(output, "converted");
        var past = DateTime.UtcNow.AddMinutes(-10);
        foreach (var entry in Directory.EnumerateFileSystemEntries(project.Combine("saved"), "*", SearchOption.AllDirectories).Append(project.Combine("saved")))
        {
            File.SetLastWriteTimeUtc(entry, past);
        }

        File.SetLastWriteTimeUtc(first.ResolvedModels[0].GetMetadata("StampFile"), past);
        Assert.IsEmpty(Run(project, Item(project, "saved")).StaleModels, "nothing changed");

        File.SetLastWriteTimeUtc(weights, DateTime.UtcNow.AddMinutes(1));
        var touched = Run(project, Item(project, "saved"));
        Assert.HasCount(1, touched.StaleModels, "a file two levels down changed; the folder's own time did not");
    }

    private static ResolveOnnxModels Run(TempFolder project, params ITaskItem[] items)
    {
        var engine = new RecordingBuildEngine();
        var task = NewTask(project, items);
        task.BuildEngine = engine;
        task.UpdateStamps = true;
        Assert.IsTrue(task.Execute(), engine.ErrorText);
        return task;
    }

    private static ResolveOnnxModels NewTask(TempFolder project, params ITaskItem[] items) => new()
    {
        BuildEngine = new RecordingBuildEngine(),
        Models = items,
        ProjectDirectory = project.Path,
        IntermediateDirectory = "obj/bc/",
    };

    private static ITaskItem Item(TempFolder _, string include, params (string Name, string Value)[] metadata)
    {
        var item = new TaskItem(include);
        foreach (var (name, value) in metadata)
        {
            item.SetMetadata(name, value);
        }

        return item;
    }
}
