using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Tests.Graphs;

/// <summary>Every corpus model survives import into the graph core and export back, field for field.</summary>
[TestClass]
public sealed class GraphRoundTripCorpusTests
{
    [TestMethod]
    public void EveryCorpusModelRoundTripsThroughTheGraph()
    {
        var models = Directory.EnumerateFiles(RepoPaths.OnnxBackend, "model.onnx", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        Assert.IsTrue(models.Length > 1900, $"expected the onnx-backend corpus at {RepoPaths.OnnxBackend}, found {models.Length} models");
        var failures = new List<string>();
        foreach (var path in models)
        {
            var original = OnnxModelReader.Read(path);
            var graph = OnnxGraphImporter.FromProto(original);
            var exported = OnnxGraphExporter.ToProto(graph);
            if (!exported.Equals(original))
            {
                failures.Add(Path.GetRelativePath(RepoPaths.OnnxBackend, path));
            }
        }

        Assert.AreEqual(0, failures.Count, $"{failures.Count} of {models.Length} models changed in the round trip, e.g. {string.Join(", ", failures.Take(10))}");
    }

    [TestMethod]
    public void WeightsAreSharedNotCopied()
    {
        var path = Directory.EnumerateFiles(Path.Combine(RepoPaths.OnnxBackend, "pytorch-converted"), "model.onnx", SearchOption.AllDirectories)
            .Select(p => (Path: p, Model: OnnxModelReader.Read(p)))
            .Where(m => m.Model.Graph.Initializer.Any(i => i.RawData.Length > 1024))
            .OrderByDescending(m => new FileInfo(m.Path).Length).First().Path;
        var original = OnnxModelReader.Read(path);
        var exported = OnnxGraphExporter.ToProto(OnnxGraphImporter.FromProto(original));
        var shared = 0;
        for (var i = 0; i < original.Graph.Initializer.Count; i++)
        {
            var a = original.Graph.Initializer[i].RawData;
            var b = exported.Graph.Initializer[i].RawData;
            if (a.Length > 0)
            {
                Assert.IsTrue(a.Memory.Span == b.Memory.Span || System.Runtime.CompilerServices.Unsafe.AreSame(
                    ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a.Memory.Span),
                    ref System.Runtime.InteropServices.MemoryMarshal.GetReference(b.Memory.Span)), $"initializer {i} was copied");
                shared++;
            }
        }

        Assert.IsTrue(shared > 0, "the model has no raw initializers to check");
    }
}
