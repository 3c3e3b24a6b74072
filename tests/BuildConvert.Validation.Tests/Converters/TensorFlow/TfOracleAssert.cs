using System.Globalization;
using BuildConvert.Core.Checking;
using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Values;
using Microsoft.ML.OnnxRuntime;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// The comparison path of the TensorFlow converter tests: the graph converted by <see cref="TfModelConverter"/>, checked
/// with the ONNX checker and run by ONNX Runtime, against TensorFlow.js running the same GraphDef on the same inputs.
/// Shapes must be equal, element kinds must agree (float / integer / bool), and each value must satisfy
/// |onnx - tfjs| &lt;= atol + rtol * |tfjs| (NaN matches NaN, infinities match by sign).
/// </summary>
internal static class TfOracleAssert
{
    /// <summary>Converts and runs <paramref name="graph"/> at each of <paramref name="opsets"/> and compares every output with TF.js.</summary>
    /// <param name="checkKind">False where TF.js returns another element kind than TensorFlow (its FloorDiv returns int32 for floats).</param>
    public static Model Matches(TfTestGraph graph, IReadOnlyList<string> outputs, double atol = 1e-5, double rtol = 1e-5, bool checkKind = true, params int[] opsets)
    {
        TfjsOracle.RequireInstalled();
        var expected = TfjsOracle.Run(graph, outputs);
        Model? last = null;
        foreach (var opset in opsets.Length == 0 ? new[] { TfModelConverter.DefaultOpset } : opsets)
        {
            var model = Convert(graph, outputs, opset);
            var actual = RunOnnx(model, graph);
            for (var k = 0; k < outputs.Count; k++)
            {
                Compare(expected[k], actual[k], atol, rtol, $"opset {opset}, output '{outputs[k]}'", checkKind);
            }

            last = model;
        }

        return last!;
    }

    /// <summary>
    /// For ops TensorFlow.js lacks: <paramref name="graph"/> (the op under test) converted and run by ONNX Runtime, against
    /// TF.js running <paramref name="reference"/>, the op's documented definition written with ops TF.js has, on the same
    /// placeholders and values.
    /// </summary>
    public static void MatchesDefinition(TfTestGraph graph, string output, TfTestGraph reference, string referenceOutput, double atol = 1e-5, double rtol = 1e-5)
    {
        TfjsOracle.RequireInstalled();
        var expected = TfjsOracle.Run(reference, new[] { referenceOutput });
        var actual = RunOnnx(Convert(graph, new[] { output }), graph);
        Compare(expected[0], actual[0], atol, rtol, $"output '{output}' vs the definition", true);
    }

    /// <summary>Converts <paramref name="graph"/> at <paramref name="opset"/> and asserts the ONNX checker accepts it.</summary>
    public static Model Convert(TfTestGraph graph, IReadOnlyList<string> outputs, int opset = TfModelConverter.DefaultOpset)
    {
        var model = TfModelConverter.Convert(graph.ToTfGraph(outputs), opset, null).Model;
        var proto = OnnxGraphExporter.ToProto(model);
        var errors = OnnxChecker.Check(proto, null).Where(d => d.Descriptor.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.IsEmpty(errors, "checker: " + string.Join("; ", errors.Select(e => e.Message)));
        return model;
    }

    /// <summary>Runs <paramref name="model"/> with ONNX Runtime on the graph's placeholder values; outputs in order.</summary>
    public static IReadOnlyList<TensorValue> RunOnnx(Model model, TfTestGraph graph) => RunOnnx(model, graph.Placeholders);

    /// <summary>Runs <paramref name="model"/> with ONNX Runtime, each feed's name an ONNX input name; outputs in order.</summary>
    public static IReadOnlyList<TensorValue> RunOnnx(Model model, IEnumerable<TfPlaceholder> placeholders)
    {
        var bytes = OnnxModelWriter.ToBytes(OnnxGraphExporter.ToProto(model));
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(bytes, options);
        var feeds = new List<OrtValue>();
        try
        {
            var names = new List<string>();
            foreach (var p in placeholders)
            {
                var type = TfDataTypes.ToOnnx(p.Type)!.Value;
                var data = TensorData.FromBytes(type, p.Shape, Pack(type, p.Values));
                feeds.Add(OrtValueBridge.ToOrtValue(data.ToTensorValue(p.Name)));
                names.Add(p.Name);
            }

            using var runOptions = new RunOptions();
            var outputNames = model.Graph.Outputs.Select(o => o.Name).ToArray();
            using var results = session.Run(runOptions, names, feeds, outputNames);
            return results.Select((r, i) => (TensorValue)OrtValueBridge.FromOrtValue(outputNames[i], r)).ToArray();
        }
        finally
        {
            foreach (var feed in feeds)
            {
                feed.Dispose();
            }
        }
    }

    /// <summary>Packs <paramref name="values"/> as ONNX stores <paramref name="type"/>.</summary>
    internal static byte[] Pack(Core.Formats.Onnx.Proto.TensorProto.Types.DataType type, double[] values)
    {
        var bytes = new byte[ElementTypes.ByteCount(type, values.Length)];
        var size = ElementTypes.BitsPerElement(type) / 8;
        for (var i = 0; i < values.Length; i++)
        {
            ElementWriter.Write(type, bytes.AsSpan(i * size, size), values[i]);
        }

        return bytes;
    }

    /// <summary>Asserts <paramref name="actual"/> matches <paramref name="expected"/>; returns the largest absolute difference.</summary>
    internal static double Compare(OracleTensor expected, TensorValue actual, double atol, double rtol, string what, bool checkKind)
    {
        CollectionAssert.AreEqual(expected.Shape, actual.Shape, $"{what}: shape [{string.Join(",", actual.Shape)}], TF.js [{string.Join(",", expected.Shape)}]");
        var kind = actual.ElementType switch
        {
            Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Bool => "bool",
            var t when t is Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Float or Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Double
                or Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Float16 or Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Bfloat16 => "float32",
            _ => "int32",
        };
        if (checkKind)
        {
            Assert.AreEqual(expected.Dtype, kind, $"{what}: ONNX element type {ElementTypes.Name(actual.ElementType)}");
        }

        if (expected.Strings is { } strings)
        {
            CollectionAssert.AreEqual(strings, actual.Strings, $"{what}: strings");
            return 0;
        }

        Assert.HasCount(expected.Values.Length, Enumerable.Range(0, (int)actual.ElementCount).ToArray(), $"{what}: element count");
        var bad = new List<string>();
        var max = 0.0;
        for (var i = 0; i < expected.Values.Length; i++)
        {
            var e = expected.Values[i];
            var a = actual.GetDouble(i);
            var ok = double.IsNaN(e) ? double.IsNaN(a) : double.IsInfinity(e) ? a == e : System.Math.Abs(a - e) <= atol + (rtol * System.Math.Abs(e));
            if (double.IsFinite(e))
            {
                max = System.Math.Max(max, System.Math.Abs(a - e));
            }

            if (!ok && bad.Count < 8)
            {
                bad.Add($"[{i.ToString(CultureInfo.InvariantCulture)}] onnx {a.ToString("R", CultureInfo.InvariantCulture)} vs tfjs {e.ToString("R", CultureInfo.InvariantCulture)}");
            }
        }

        Assert.IsEmpty(bad, $"{what}: {string.Join("; ", bad)}");
        return max;
    }

    /// <summary>An int placeholder shape helper for readability.</summary>
    public static long[] S(params long[] dims) => dims;

    /// <summary>Shorthand for the float32 dtype.</summary>
    public static TfDataType F32 => TfDataType.DtFloat;
}
