using System.Text.RegularExpressions;

namespace BuildConvert.Core.Tests.Architecture;

/// <summary>
/// The dependencies between the folders of BuildConvert.Core, read from the sources (using directives and qualified
/// names). Formats/Onnx is a library (reader, writer, walker, tensors) plus a pipeline plugin (OnnxModelFormat,
/// OnnxOptionApplier) that implements Pipeline's contracts; the pipeline names the plugin only in its composition root,
/// FormatRegistry.Default.cs. A new cycle between folders fails here; the cycles listed in <see cref="KnownCycles"/>
/// are debts that may only shrink.
/// </summary>
[TestClass]
public sealed partial class DependencyTests
{
    private const string Plugin = "Formats.Onnx(plugin)";
    private const string Composition = "Pipeline(composition)";

    private const string TfPlugin = "Formats.TensorFlow(plugin)";

    private static readonly string[] PluginFiles = ["Formats/Onnx/OnnxModelFormat.cs", "Formats/Onnx/OnnxOptionApplier.cs"];

    // The TensorFlow formats' pipeline plugin: the IModelFormat/SourceModel implementations, which call the converters.
    // The rest of Formats/TensorFlow (readers, bundle, graph builder, TfGraph) must not name Pipeline or Converters.
    private static readonly string[] TfPluginFiles =
        ["Formats/TensorFlow/TfGraphDefFormat.cs", "Formats/TensorFlow/TfSavedModelFormat.cs", "Formats/TensorFlow/TfSourceModel.cs", "Formats/TensorFlow/TfSavedModelSourceModel.cs"];
    private static readonly string[] PluginTypes = ["OnnxModelFormat", "OnnxSourceModel", "OnnxOptionApplier", "OnnxModelReader"];

    /// <summary>Edges that lie on a cycle today (from -> to). Remove a line when its cycle is broken.</summary>
    private static readonly string[] KnownCycles =
    [
        "Checking -> Graphs",
        "Graphs -> Checking",
    ];

    private static readonly string CoreRoot = Path.Combine(RepoPaths.Root, "src", "BuildConvert.Core");

    [TestMethod]
    public void NoNewCycleBetweenFolders()
    {
        var graph = Edges();
        var onCycles = graph.SelectMany(kv => kv.Value.Select(to => (From: kv.Key, To: to)))
            .Where(e => Reaches(graph, e.To, e.From))
            .Select(e => $"{e.From} -> {e.To}")
            .Order(StringComparer.Ordinal)
            .ToArray();
        var added = onCycles.Except(KnownCycles).ToArray();
        Assert.IsEmpty(added, "new dependency cycle(s): " + string.Join("; ", added));
        var broken = KnownCycles.Except(onCycles).ToArray();
        Assert.IsEmpty(broken, "these cycles are gone; remove them from KnownCycles: " + string.Join("; ", broken));
    }

    [TestMethod]
    public void PipelineAndTheOnnxFormatDoNotDependOnEachOther()
    {
        var graph = Edges();
        Assert.IsFalse(graph["Pipeline"].Any(next => Reaches(graph, next, "Pipeline")), "Pipeline is on a cycle");
        Assert.IsFalse(graph.GetValueOrDefault("Formats.Onnx")?.Contains("Pipeline") ?? false,
            "the ONNX format library names Pipeline; only the plugin files may");
        Assert.IsTrue(graph[Composition].Contains(Plugin), "the composition root is what names the plugin");
    }

    [TestMethod]
    public void OnlyTheCompositionRootNamesTheOnnxPlugin()
    {
        foreach (var file in Sources().Where(f => Area(f.Path, f.Text) == "Pipeline"))
        {
            foreach (var type in PluginTypes)
            {
                Assert.IsFalse(Regex.IsMatch(file.Text, $@"\b{type}\b"), $"{file.Path} names {type}; go through FormatRegistry.Default.cs");
            }
        }
    }

    private static IEnumerable<(string Path, string Text)> Sources() =>
        Directory.EnumerateFiles(CoreRoot, "*.cs", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(CoreRoot, p).Replace('\\', '/'))
            .Where(p => !p.StartsWith("obj/", StringComparison.Ordinal) && !p.StartsWith("bin/", StringComparison.Ordinal))
            .Select(p => (p, File.ReadAllText(Path.Combine(CoreRoot, p))));

    private static Dictionary<string, HashSet<string>> Edges()
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (path, text) in Sources())
        {
            var from = Area(path, text);
            if (from is null)
            {
                continue;
            }

            var targets = graph.TryGetValue(from, out var set) ? set : graph[from] = new HashSet<string>(StringComparer.Ordinal);
            foreach (Match m in QualifiedName().Matches(text))
            {
                var to = AreaOf(m.Groups[1].Value);
                if (to != from && !to.EndsWith(".Proto", StringComparison.Ordinal) && to is not ("Diagnostics" or "Core"))
                {
                    targets.Add(to);
                }
            }

            if (from is "Pipeline" or Composition && PluginTypes.Take(3).Any(t => Regex.IsMatch(text, $@"\b{t}\b")))
            {
                targets.Add(Plugin);
            }
        }

        return graph;
    }

    private static string? Area(string path, string text)
    {
        if (PluginFiles.Contains(path))
        {
            return Plugin;
        }

        if (TfPluginFiles.Contains(path))
        {
            return TfPlugin;
        }

        if (path == "Pipeline/FormatRegistry.Default.cs")
        {
            return Composition;
        }

        var ns = NamespaceLine().Match(text);
        return ns.Success ? AreaOf(ns.Groups[1].Value) : null;
    }

    private static string AreaOf(string name)
    {
        var parts = name.Split('.');
        if (parts.Length < 3)
        {
            return "Core";
        }

        var area = parts[2];
        if (area == "Formats" && parts.Length > 3)
        {
            area += "." + parts[3];
            if (parts.Length > 4 && parts[4] == "Proto")
            {
                area += ".Proto";
            }
        }

        return area;
    }

    private static bool Reaches(Dictionary<string, HashSet<string>> graph, string from, string to)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push(from);
        while (pending.Count > 0)
        {
            var at = pending.Pop();
            if (at == to)
            {
                return true;
            }

            foreach (var next in graph.GetValueOrDefault(at) ?? [])
            {
                if (seen.Add(next))
                {
                    pending.Push(next);
                }
            }
        }

        return false;
    }

    [GeneratedRegex(@"\b(BuildConvert\.Core(?:\.(?:Formats\.\w+\.Proto|Formats\.\w+|\w+))?)\b")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"^namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();
}
