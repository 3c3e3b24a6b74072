using BuildConvert.Core.Checking;
using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.TensorFlow;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// The corpus's Keras LSTM SavedModel (StatelessWhile over TensorLists, as Keras 2.12 writes an LSTM layer): read by
/// the SavedModel reader, converted, checked, run by ONNX Runtime and compared with TensorFlow.js running the graph the
/// reader made (its nodes, function library and variable values) on the same seeded input.
/// </summary>
[TestClass]
public sealed class ControlFlowCorpusTests
{
    private static string Corpus(string entry)
    {
        var path = Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, "..", "shared", "corpora", "tensorflow", entry));
        if (!Directory.Exists(path))
        {
            Assert.Inconclusive($"the corpus entry {path} is missing");
        }

        return path;
    }

    [TestMethod]
    [DataRow(1L)]
    [DataRow(3L)]
    public void KerasLstmSavedModelMatchesTfjs(long batch)
    {
        TfjsOracle.RequireInstalled();
        var path = Corpus("tfnet-keras-lstm-saved-model");
        var source = (TfSourceModel)FormatRegistry.CreateDefault().Resolve(path, null).Import(path, new ConversionOptions());
        var graph = source.BuildGraph(new ConversionOptions());
        Assert.HasCount(1, graph.Inputs);
        var input = graph.Inputs[0];
        var shape = input.Shape!.Select(d => d < 0 ? batch : d).ToArray();
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        var random = new Random(7);
        var values = Enumerable.Range(0, count).Select(_ => System.Math.Round((random.NextDouble() * 2) - 1, 3)).ToArray();
        var tfNode = input.Tensor[..input.Tensor.LastIndexOf(':')];
        var outputs = graph.Outputs.Select(o => o.Tensor).ToArray();

        var expected = TfjsOracle.Run(graph.Nodes, graph.Library, graph.Variables,
            new[] { new TfPlaceholder(tfNode, input.ElementType, shape, shape, values) }, outputs);
        var model = TfModelConverter.Convert(graph, null, path).Model;
        Assert.IsTrue(model.Graph.Nodes.Any(n => n.OpType == "Loop"), "the StatelessWhile is an ONNX Loop");
        var errors = OnnxChecker.Check(OnnxGraphExporter.ToProto(model), null).Where(d => d.Descriptor.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.IsEmpty(errors, "checker: " + string.Join("; ", errors.Select(e => e.Message)));
        var actual = TfOracleAssert.RunOnnx(model, new[] { new TfPlaceholder(input.Name, input.ElementType, shape, shape, values) });
        for (var k = 0; k < outputs.Length; k++)
        {
            TfOracleAssert.Compare(expected[k], actual[k], 1e-5, 1e-4, $"batch {batch}, output '{graph.Outputs[k].Name}'", true);
        }
    }
}
