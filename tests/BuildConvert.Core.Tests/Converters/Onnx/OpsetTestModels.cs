using BuildConvert.Core.Checking;
using BuildConvert.Core.Converters.Onnx;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Graphs.Inference;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Converters.Onnx;

/// <summary>Single-node models for the opset step tests, and a check that a converted model passes our ONNX checker.</summary>
internal static class OpsetTestModels
{
    public static OnnxType Float(params long[] dims) => OnnxType.Tensor(DataType.Float, dims);

    /// <summary>A model at <paramref name="opset"/> with one node of <paramref name="op"/> reading the given graph inputs.</summary>
    public static (Model Model, Node Node) Single(long opset, string op, (string Name, OnnxType Type)[] inputs, int outputs = 1, params NodeAttribute[] attributes)
    {
        var model = new Model(opset, OnnxOpsetConverter.MinimumIrVersion(opset));
        var g = model.Graph;
        var values = inputs.Select(i => g.AddInput(i.Name, i.Type)).ToArray();
        var node = g.AddNode(op, values, outputs, attributes, name: "n");
        foreach (var o in node.Outputs)
        {
            g.Outputs.Add(o!);
        }

        return (model, node);
    }

    /// <summary>Converts and checks the result with the ONNX checker (no errors).</summary>
    public static OpsetConversionResult ConvertChecked(Model model, int target)
    {
        var result = OnnxOpsetConverter.Convert(model, target);

        // The test graphs leave output types to the core's inference, which also proves the converted nodes consistent.
        var inference = ShapeInference.Run(model);
        Assert.IsEmpty(inference.Errors, string.Join("\n", inference.Errors));

        var proto = OnnxGraphExporter.ToProto(model);
        var errors = OnnxChecker.Check(proto, null).Where(d => d.Severity == DiagnosticSeverity.Error && d.Code != "BCONV3024").ToArray(); // shapeless test I/O is deliberate
        Assert.IsEmpty(errors, string.Join("\n", errors.Select(e => e.ToString())));
        return result;
    }

    /// <summary>The conversion fails with BCONV2002; returns the message.</summary>
    public static string ConvertFails(Model model, int target)
    {
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => OnnxOpsetConverter.Convert(model, target));
        Assert.AreEqual("BCONV2002", ex.Code, ex.Message);
        return ex.Message;
    }

    public static Node Producer(Model model, int output = 0) => model.Graph.Outputs[output].Producer!;
}
