using System.Xml.Linq;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.MSBuild.Tests.Options;

/// <summary>The task's option list and the props defaults are the Core option table, generated, never a copy by hand.</summary>
[TestClass]
public sealed class TaskOptionsTests
{
    private static OptionCatalog Catalog => FormatRegistry.CreateDefault().Options;

    [TestMethod]
    public void TheTasksCompiledList_IsCoresTable()
    {
        var expected = Catalog.ForwardedByTask.Select(o => $"{o.Name}:{o.RequestKey}").ToArray();
        var actual = TaskOptions.All.Select(o => $"{o.MetadataName}:{o.RequestKey}").ToArray();

        CollectionAssert.AreEqual(expected, actual, "src/BuildConvert.MSBuild/Generated/TaskOptions.g.cs is stale: run bash eng/update-docs.sh");
        CollectionAssert.Contains(actual, "Optimize:optimize");
        CollectionAssert.DoesNotContain(actual.Select(a => a.Split(':')[0]).ToArray(), "Golden", "the task resolves Golden itself");
    }

    [TestMethod]
    public void GeneratedTaskOptionFiles_DocumentIsCurrent()
    {
        var csharp = TaskOptionFiles.RenderCSharp(Catalog);
        var props = TaskOptionFiles.RenderProps(Catalog);
        if (Environment.GetEnvironmentVariable("BUILDCONVERT_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(TaskOptionFiles.CSharpPath, csharp);
            File.WriteAllText(TaskOptionFiles.PropsPath, props);
        }

        Assert.AreEqual(csharp, File.ReadAllText(TaskOptionFiles.CSharpPath).ReplaceLineEndings("\n"), "TaskOptions.g.cs is stale: run bash eng/update-docs.sh");
        Assert.AreEqual(props, File.ReadAllText(TaskOptionFiles.PropsPath).ReplaceLineEndings("\n"), "BuildConvert.MSBuild.Options.g.props is stale: run bash eng/update-docs.sh");
    }

    [TestMethod]
    public void ThePropsDefaults_CoverEveryOption_AndAreImportedByThePackageProps()
    {
        var props = XDocument.Load(TaskOptionFiles.PropsPath);
        var metadata = props.Descendants("OnnxModel").Single().Elements().Select(e => e.Name.LocalName).ToArray();
        CollectionAssert.AreEqual(Catalog.All.Select(o => o.Name).ToArray(), metadata);
        var optimize = props.Descendants("OnnxModel").Single().Element("Optimize")!.Value;
        Assert.AreEqual("$(BuildConvertOptimize)", optimize);
        Assert.AreEqual("false", props.Descendants("BuildConvertOptimize").Single().Value);

        var main = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "BuildConvert.MSBuild", "build", "BuildConvert.MSBuild.props"));
        StringAssert.Contains(main, "BuildConvert.MSBuild.Options.g.props");
    }

    [TestMethod]
    public void TheStamp_HasALinePerForwardedOption()
    {
        var item = new Microsoft.Build.Utilities.TaskItem("a.onnx");
        item.SetMetadata("Opset", "17");
        item.SetMetadata("Optimize", "true");

        var stamp = ResolveOnnxModels.StampText(item, "tool");

        foreach (var option in Catalog.ForwardedByTask)
        {
            StringAssert.Contains(stamp, "\n" + option.Name + "=");
        }

        StringAssert.Contains(stamp, "\nOpset=17\n");
        StringAssert.Contains(stamp, "\nOptimize=true\n");
        Assert.AreNotEqual(stamp, ResolveOnnxModels.StampText(new Microsoft.Build.Utilities.TaskItem("a.onnx"), "tool"));
    }
}
