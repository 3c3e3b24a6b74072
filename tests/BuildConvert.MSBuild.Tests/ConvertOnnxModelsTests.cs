using System.Text.Json;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace BuildConvert.MSBuild.Tests;

/// <summary>
/// The tool task against a fake <c>dotnet</c> host (a shell script standing in for <c>dotnet exec buildconvert.dll</c>)
/// that prints scripted output and exit codes, as the real tool does or as a crashing one would.
/// </summary>
[TestClass]
public sealed class ConvertOnnxModelsTests
{
    [TestMethod]
    public void ToolLines_BecomeCodedErrorsWarningsAndResults()
    {
        using var folder = new TempFolder();
        var golden = folder.Combine("b.golden/test_data_set_0/output_0.pb");
        var a = Model(folder, "a.onnx");
        var b = Model(folder, "b.onnx");
        File.WriteAllText(b.GetMetadata("IntermediateFile"), "stale output of b");
        var script = string.Join("\n",
            Echo("{\"kind\":\"diagnostic\",\"code\":\"BCONV3105\",\"severity\":\"warning\",\"message\":\"unused initializer 'w'\",\"file\":null,\"item\":\"a.onnx\"}"),
            Echo("{\"kind\":\"model\",\"item\":\"a.onnx\",\"status\":\"passed\",\"summary\":\"onnx, opset ai.onnx 13\",\"dependencies\":[\"" + folder.Combine("a.onnx.data") + "\"]}"),
            "echo 'some plain progress text'",
            Echo("{\"kind\":\"diagnostic\",\"code\":\"BCONV4001\",\"severity\":\"error\",\"message\":\"output 'y' differs \\u00e9\",\"file\":\"" + golden + "\",\"line\":3,\"location\":\"test_data_set_0\",\"item\":\"b.onnx\"}"),
            Echo("{\"kind\":\"model\",\"item\":\"b.onnx\",\"status\":\"failed\"}"),
            Echo("{\"kind\":\"done\",\"models\":2,\"failed\":1,\"message\":\"1 of 2 model(s) passed\"}"),
            "exit 1");
        var (task, engine) = NewTask(folder, script, a, b);

        Assert.IsFalse(task.Execute());

        Assert.HasCount(1, engine.Errors, engine.ErrorText);
        var error = engine.Errors[0];
        Assert.AreEqual("BCONV4001", error.Code);
        Assert.AreEqual(golden, error.File, "a mismatch points at the golden file");
        Assert.AreEqual(3, error.LineNumber);
        Assert.AreEqual("output 'y' differs \u00e9 [test_data_set_0]", error.Message);
        Assert.AreEqual("docs/diagnostics.md#bconv4001", error.HelpLink);
        Assert.HasCount(1, engine.Warnings);
        Assert.AreEqual("BCONV3105", engine.Warnings[0].Code);
        Assert.AreEqual(a.GetMetadata("InputFile"), engine.Warnings[0].File, "no file: the item's model");
        Assert.IsTrue(engine.Messages.Any(m => m.Message!.Contains("a.onnx: passed (onnx, opset ai.onnx 13)") && m.Importance == MessageImportance.High));
        CollectionAssert.AreEqual(new[] { "a.onnx" }, task.ConvertedModels.Select(m => m.ItemSpec).ToArray());
        Assert.IsFalse(File.Exists(b.GetMetadata("IntermediateFile")), "a failed item keeps no output");
        StringAssert.Contains(File.ReadAllText(a.GetMetadata("DependencyFile")), folder.Combine("a.onnx.data"));
    }

    [TestMethod]
    public void ControlCharactersInToolDiagnostics_AreEscapedSoTheyCannotForgeBuildLines()
    {
        using var folder = new TempFolder();
        var a = Model(folder, "a.onnx");
        var script = string.Join("\n",
            Echo("{\"kind\":\"diagnostic\",\"code\":\"BCONV4001\",\"severity\":\"error\",\"message\":\"output 'y\\nerror BCONV0000: fake' differs\",\"location\":\"y\\r\\nz\",\"item\":\"a.onnx\"}"),
            Echo("{\"kind\":\"model\",\"item\":\"a.onnx\",\"status\":\"failed\",\"summary\":\"mismatch in y\\nerror BCONV0000: fake\"}"),
            "exit 1");
        var (task, engine) = NewTask(folder, script, a);

        Assert.IsFalse(task.Execute());

        Assert.HasCount(1, engine.Errors, engine.ErrorText);
        Assert.AreEqual(@"output 'y\nerror BCONV0000: fake' differs [y\r\nz]", engine.Errors[0].Message);
        Assert.IsFalse(engine.Messages.Any(m => m.Message!.Contains('\n')), string.Join(" | ", engine.Messages.Select(m => m.Message)));
    }

    [TestMethod]
    public void ACrashWithoutDiagnostics_IsBCONV0201WithTheCommandLineToReproduce()
    {
        using var folder = new TempFolder();
        var a = Model(folder, "a.onnx");
        File.WriteAllText(a.GetMetadata("IntermediateFile"), "old output");
        var (task, engine) = NewTask(folder, "echo 'Segmentation fault (core dumped)' >&2\nexit 139", a);

        Assert.IsFalse(task.Execute());

        Assert.HasCount(1, engine.Errors, engine.ErrorText);
        Assert.AreEqual("BCONV0201", engine.Errors[0].Code);
        var message = engine.Errors[0].Message!;
        StringAssert.Contains(message, "exited with code 139");
        StringAssert.Contains(message, "To reproduce, run: " + task.DotnetHost + " exec " + task.ToolAssembly + " msbuild-batch --request " + task.RequestFile);
        StringAssert.Contains(message, "Segmentation fault");
        Assert.IsFalse(File.Exists(a.GetMetadata("IntermediateFile")));
    }

    [TestMethod]
    public void AnItemWithoutAResult_IsBCONV0202()
    {
        using var folder = new TempFolder();
        var a = Model(folder, "a.onnx");
        var b = Model(folder, "b.onnx");
        var (task, engine) = NewTask(folder, Echo("{\"kind\":\"model\",\"item\":\"a.onnx\",\"status\":\"passed\"}") + "\nexit 0", a, b);

        Assert.IsFalse(task.Execute());

        Assert.HasCount(1, engine.Errors, engine.ErrorText);
        Assert.AreEqual("BCONV0202", engine.Errors[0].Code);
        StringAssert.Contains(engine.Errors[0].Message, "'b.onnx'");
        CollectionAssert.AreEqual(new[] { "a.onnx" }, task.ConvertedModels.Select(m => m.ItemSpec).ToArray());
    }

    [TestMethod]
    public void AMissingTool_IsBCONV0200_AndNothingRuns()
    {
        using var folder = new TempFolder();
        var (task, engine) = NewTask(folder, "exit 0", Model(folder, "a.onnx"));
        task.ToolAssembly = folder.Combine("nowhere/buildconvert.dll");

        Assert.IsFalse(task.Execute());

        Assert.AreEqual("BCONV0200", engine.Errors.Single().Code);
        StringAssert.Contains(engine.Errors[0].Message, "nowhere");
        Assert.IsFalse(File.Exists(task.RequestFile));
    }

    [TestMethod]
    public void TheRequest_ListsEveryItemWithItsOptions()
    {
        using var folder = new TempFolder();
        var a = Model(folder, "caf\u00e9 \"a\".onnx");
        a.SetMetadata("GoldenDirectory", folder.Combine("gold"));
        a.SetMetadata("ValidateResolved", "true");
        a.SetMetadata("Rtol", " 1e-4 ");
        a.SetMetadata("InputShapes", "x:N,3");
        a.SetMetadata("Tolerance", "y=1e-3,0;z=0,1e-2");
        var b = Model(folder, "b.onnx");

        var json = ConvertOnnxModels.BuildRequest(new[] { a, b });

        Assert.IsTrue(json.All(c => c < 0x80), "the request is plain ASCII");
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.AreEqual(1, root.GetProperty("version").GetInt32());
        var items = root.GetProperty("items").EnumerateArray().ToArray();
        Assert.HasCount(2, items);
        Assert.AreEqual("caf\u00e9 \"a\".onnx", items[0].GetProperty("id").GetString());
        Assert.AreEqual(a.GetMetadata("InputFile"), items[0].GetProperty("input").GetString());
        Assert.AreEqual(a.GetMetadata("IntermediateFile"), items[0].GetProperty("output").GetString());
        Assert.AreEqual(folder.Combine("gold"), items[0].GetProperty("golden").GetString());
        Assert.IsTrue(items[0].GetProperty("validate").GetBoolean());
        Assert.AreEqual("1e-4", items[0].GetProperty("rtol").GetString());
        Assert.AreEqual("x:N,3", items[0].GetProperty("inputShapes").GetString());
        Assert.AreEqual("y=1e-3,0;z=0,1e-2", items[0].GetProperty("tolerance").GetString());
        Assert.AreEqual(JsonValueKind.Null, items[0].GetProperty("atol").ValueKind);
        Assert.AreEqual(JsonValueKind.Null, items[1].GetProperty("golden").ValueKind);
        Assert.IsFalse(items[1].GetProperty("validate").GetBoolean());
    }

    private static string Echo(string jsonLine) => "printf '%s\\n' '" + jsonLine.Replace("'", "'\\''") + "'";

    private static ITaskItem Model(TempFolder folder, string name)
    {
        var item = new TaskItem(name);
        item.SetMetadata("InputFile", folder.Combine(name));
        item.SetMetadata("IntermediateFile", folder.Combine("obj/" + name));
        item.SetMetadata("DependencyFile", folder.Combine("obj/" + name + ".deps"));
        item.SetMetadata("ValidateResolved", "false");
        Directory.CreateDirectory(folder.Combine("obj"));
        return item;
    }

    [TestMethod]
    public void TheReproLineQuotesPathsWithSpacesQuotesAndDollarsForAShell()
    {
        var task = new ConvertOnnxModels
        {
            DotnetHost = "/opt/my tools/dotnet",
            ToolAssembly = "/home/o'neil/$HOME/tool \\x/buildconvert.dll",
            RequestFile = "/tmp/\"req\".json",
        };

        Assert.AreEqual(
            "'/opt/my tools/dotnet' exec '/home/o'\\''neil/$HOME/tool \\x/buildconvert.dll' msbuild-batch --request '/tmp/\"req\".json'",
            task.ReproCommand());
    }

    private static (ConvertOnnxModels Task, RecordingBuildEngine Engine) NewTask(TempFolder folder, string script, params ITaskItem[] models)
    {
        var host = folder.Write("fake-dotnet", "#!/bin/sh\n" + script + "\n");
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("the fake dotnet host is a POSIX shell script");
        }
        else
        {
            File.SetUnixFileMode(host, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var tool = folder.Write("tool/buildconvert.dll", "not really an assembly");
        var engine = new RecordingBuildEngine();
        var task = new ConvertOnnxModels
        {
            BuildEngine = engine,
            Models = models,
            ToolAssembly = tool,
            RequestFile = folder.Combine("obj/request.json"),
            DotnetHost = host,
        };
        return (task, engine);
    }
}
