using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace BuildConvert.MSBuild.Tests;

/// <summary>The tasks' own file operations fail as coded errors naming the file (never MSB4018 with a stack trace).
/// A regular file where a folder must be makes them fail even for root.</summary>
[TestClass]
public sealed class TaskFileErrorTests
{
    [TestMethod]
    public void AStampThatCannotBeWritten_IsBCONV0205()
    {
        using var project = new TempFolder();
        project.Write("a.onnx", "x");
        project.Write("obj/bc", "a file where the intermediate folder should be");
        var engine = new RecordingBuildEngine();
        var task = new ResolveOnnxModels
        {
            BuildEngine = engine,
            Models = new ITaskItem[] { new TaskItem("a.onnx") },
            ProjectDirectory = project.Path,
            IntermediateDirectory = "obj/bc/",
            UpdateStamps = true,
        };

        Assert.IsFalse(task.Execute());

        var error = engine.Errors.Single();
        Assert.AreEqual("BCONV0205", error.Code, engine.ErrorText);
        Assert.AreEqual("a.onnx", error.File);
        StringAssert.Contains(error.Message, project.Combine("obj/bc/a.onnx.options"));
        Assert.IsEmpty(task.StaleModels);
    }

    [TestMethod]
    public void ARequestThatCannotBeWritten_IsBCONV0206_AndNothingRuns()
    {
        using var folder = new TempFolder();
        var item = Model(folder, "a.onnx");
        var old = folder.Write("obj/a.onnx", "old output");
        folder.Write("blocked", "a file where the request's folder should be");
        var engine = new RecordingBuildEngine();
        var task = new ConvertOnnxModels
        {
            BuildEngine = engine,
            Models = new[] { item },
            ToolAssembly = folder.Write("tool/buildconvert.dll", "x"),
            RequestFile = folder.Combine("blocked/request.json"),
            DotnetHost = folder.Combine("no-such-dotnet"),
        };

        Assert.IsFalse(task.Execute());

        var error = engine.Errors.Single();
        Assert.AreEqual("BCONV0206", error.Code, engine.ErrorText);
        Assert.AreEqual(folder.Combine("blocked/request.json"), error.File);
        Assert.IsFalse(File.Exists(old), "no output of an item that was not converted is kept");
    }

    [TestMethod]
    public void ADependencyListThatCannotBeWritten_IsBCONV0208_AndTheOutputGoes()
    {
        using var folder = new TempFolder();
        var item = Model(folder, "a.onnx");
        var output = folder.Write("obj/a.onnx", "converted");
        Directory.CreateDirectory(item.GetMetadata("DependencyFile"));
        File.WriteAllText(Path.Combine(item.GetMetadata("DependencyFile"), "x"), "a folder where the dependency list should be");
        var (task, engine) = FakeTool(folder, item,
            "{\"kind\":\"model\",\"item\":\"a.onnx\",\"status\":\"passed\",\"dependencies\":[\"" + folder.Combine("a.onnx.data") + "\"]}");

        Assert.IsFalse(task.Execute());

        Assert.AreEqual("BCONV0208", engine.Errors.First().Code, engine.ErrorText);
        Assert.AreEqual(item.GetMetadata("DependencyFile"), engine.Errors[0].File);
        Assert.IsFalse(File.Exists(output), "a converted model whose inputs are not recorded is not kept");
        Assert.IsEmpty(task.ConvertedModels);
    }

    [TestMethod]
    public void AnOutputThatCannotBeDeleted_IsBCONV0207()
    {
        using var folder = new TempFolder();
        var item = Model(folder, "a.onnx");
        var blocker = item.GetMetadata("IntermediateFile");
        Directory.CreateDirectory(blocker);
        File.WriteAllText(Path.Combine(blocker, "x"), "a folder at the output path");
        var (task, engine) = FakeTool(folder, item,
            "{\"kind\":\"diagnostic\",\"code\":\"BCONV1004\",\"severity\":\"error\",\"message\":\"bad\",\"item\":\"a.onnx\"}",
            "{\"kind\":\"model\",\"item\":\"a.onnx\",\"status\":\"error\"}");

        Assert.IsFalse(task.Execute());

        var error = engine.Errors.Single(e => e.Code == "BCONV0207");
        Assert.AreEqual(blocker, error.File);
        StringAssert.Contains(error.Message, "could not be deleted");
    }

    private static TaskItem Model(TempFolder folder, string name)
    {
        var item = new TaskItem(name);
        item.SetMetadata("InputFile", folder.Combine(name));
        item.SetMetadata("IntermediateFile", folder.Combine("obj/" + name));
        item.SetMetadata("DependencyFile", folder.Combine("obj/" + name + ".deps"));
        item.SetMetadata("ValidateResolved", "false");
        Directory.CreateDirectory(folder.Combine("obj"));
        return item;
    }

    private static (ConvertOnnxModels Task, RecordingBuildEngine Engine) FakeTool(TempFolder folder, ITaskItem item, params string[] lines)
    {
        var script = "#!/bin/sh\n" + string.Concat(lines.Select(l => "printf '%s\\n' '" + l + "'\n")) + "exit 0\n";
        var host = folder.Write("fake-dotnet", script);
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("the fake dotnet host is a POSIX shell script");
        }
        else
        {
            File.SetUnixFileMode(host, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var engine = new RecordingBuildEngine();
        var task = new ConvertOnnxModels
        {
            BuildEngine = engine,
            Models = new[] { item },
            ToolAssembly = folder.Write("tool/buildconvert.dll", "x"),
            RequestFile = folder.Combine("obj/request.json"),
            DotnetHost = host,
        };
        return (task, engine);
    }
}
