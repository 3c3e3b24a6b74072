using System.Globalization;
using BuildConvert.Core.Checking;
using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Values;
using Microsoft.ML.OnnxRuntime;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Validation.Tests.Converters.TorchScript;

/// <summary>
/// The comparison path of the TorchScript converter tests: a <see cref="TorchGraph"/> converted by
/// <see cref="TorchModelConverter"/>, checked with the ONNX checker, run by ONNX Runtime, and compared with what PyTorch
/// computed: shapes and element types must be equal; floats within |onnx - torch| &lt;= atol + rtol * |torch| (NaN
/// matches NaN), integers and bools exactly.
/// </summary>
internal static class TorchOnnxRunner
{
    /// <summary>Converts <paramref name="graph"/> at <paramref name="opset"/> and asserts the ONNX checker accepts it.</summary>
    public static Model Convert(TorchGraph graph, int opset = TorchModelConverter.DefaultOpset)
    {
        var model = TorchModelConverter.Convert(graph, opset, null).Model;
        var proto = OnnxGraphExporter.ToProto(model);
        var errors = OnnxChecker.Check(proto, null).Where(d => d.Descriptor.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.IsEmpty(errors, "checker: " + string.Join("; ", errors.Select(e => e.Message)));
        return model;
    }

    /// <summary>Runs <paramref name="model"/> with ONNX Runtime; <paramref name="feeds"/> are named as the graph inputs.</summary>
    public static IReadOnlyList<TensorValue> Run(Model model, IReadOnlyList<TensorValue> feeds)
    {
        var bytes = OnnxModelWriter.ToBytes(OnnxGraphExporter.ToProto(model));
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(bytes, options);
        var values = new List<OrtValue>();
        try
        {
            foreach (var feed in feeds)
            {
                values.Add(OrtValueBridge.ToOrtValue(feed));
            }

            using var runOptions = new RunOptions();
            var outputNames = model.Graph.Outputs.Select(o => o.Name).ToArray();
            using var results = session.Run(runOptions, feeds.Select(f => f.Name).ToArray(), values, outputNames);
            return results.Select((r, i) => (TensorValue)OrtValueBridge.FromOrtValue(outputNames[i], r)).ToArray();
        }
        finally
        {
            foreach (var v in values)
            {
                v.Dispose();
            }
        }
    }

    /// <summary>Asserts <paramref name="actual"/> matches PyTorch's <paramref name="expected"/>.</summary>
    public static void Compare(TensorValue expected, TensorValue actual, double rtol, double atol, string what)
    {
        Assert.AreEqual(ElementTypes.Name(expected.ElementType), ElementTypes.Name(actual.ElementType), $"{what}: element type");
        CollectionAssert.AreEqual(expected.Shape, actual.Shape, $"{what}: shape [{string.Join(",", actual.Shape)}], PyTorch [{string.Join(",", expected.Shape)}]");
        var exact = !(expected.ElementType is DataType.Float or DataType.Double or DataType.Float16 or DataType.Bfloat16);
        if (expected.ElementType == DataType.Float16)
        {
            rtol = System.Math.Max(rtol, 1e-3);
            atol = System.Math.Max(atol, 1e-3);
        }

        var bad = new List<string>();
        for (long i = 0; i < expected.ElementCount; i++)
        {
            var e = expected.GetDouble(i);
            var a = actual.GetDouble(i);
            var ok = exact ? e == a
                : double.IsNaN(e) ? double.IsNaN(a)
                : double.IsInfinity(e) ? a == e
                : System.Math.Abs(a - e) <= atol + (rtol * System.Math.Abs(e));
            if (!ok && bad.Count < 8)
            {
                bad.Add($"[{i.ToString(CultureInfo.InvariantCulture)}] onnx {a.ToString("R", CultureInfo.InvariantCulture)} vs torch {e.ToString("R", CultureInfo.InvariantCulture)}");
            }
        }

        Assert.IsEmpty(bad, $"{what}: {string.Join("; ", bad)}");
    }
}
