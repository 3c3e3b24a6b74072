using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Tests.Pipeline;

[TestClass]
public sealed class OnnxOptionApplierTests
{
    [TestMethod]
    public void No_options_change_nothing()
    {
        var model = PipelineTestFiles.AddRelu();

        OnnxOptionApplier.Apply(model, new ConversionOptions(), "m.onnx");

        Assert.AreEqual(PipelineTestFiles.AddRelu(), model);
    }

    [TestMethod]
    public void Inputs_can_be_reordered_but_not_dropped()
    {
        var model = PipelineTestFiles.AddRelu();
        OnnxOptionApplier.Apply(model, new ConversionOptions { Inputs = new[] { "b", "a" } }, "m.onnx");
        CollectionAssert.AreEqual(new[] { "b", "a" }, model.Graph.Input.Select(i => i.Name).ToArray());

        var error = Assert.ThrowsExactly<BuildConvertException>(() =>
            OnnxOptionApplier.Apply(PipelineTestFiles.AddRelu(), new ConversionOptions { Inputs = new[] { "a" } }, "m.onnx"));
        Assert.AreEqual("BCONV0005", error.Code);
        StringAssert.Contains(error.Message, "leaves out 'b'");
    }

    [TestMethod]
    public void Outputs_can_be_selected_and_reordered()
    {
        var model = PipelineTestFiles.AddRelu();

        OnnxOptionApplier.Apply(model, new ConversionOptions { Outputs = new[] { "z" } }, "m.onnx");

        CollectionAssert.AreEqual(new[] { "z" }, model.Graph.Output.Select(o => o.Name).ToArray());
    }

    [TestMethod]
    public void Input_shapes_by_name_or_position_fix_dynamic_dimensions()
    {
        var model = PipelineTestFiles.AddRelu();

        OnnxOptionApplier.Apply(model, new ConversionOptions { InputShapes = InputShapeSpec.ParseList("a:2,4;1:N,4") }, "m.onnx");

        Assert.AreEqual(2, model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimValue);
        Assert.AreEqual("N", model.Graph.Input[1].Type.TensorType.Shape.Dim[0].DimParam);
    }

    [TestMethod]
    [DataRow("a:2,5", "fixed at 4")]
    [DataRow("a:2", "rank 2")]
    [DataRow("a:N,N", "cannot be made dynamic")]
    [DataRow("c:1,4", "'c' is not an input")]
    [DataRow("5:1,4", "position 5 is out of range")]
    [DataRow("a:1,4;0:2,4", "twice")]
    public void Input_shapes_the_model_contradicts_are_BCONV0005(string spec, string message)
    {
        var error = Assert.ThrowsExactly<BuildConvertException>(() =>
            OnnxOptionApplier.Apply(PipelineTestFiles.AddRelu(), new ConversionOptions { InputShapes = InputShapeSpec.ParseList(spec) }, "m.onnx"));

        Assert.AreEqual("BCONV0005", error.Code);
        StringAssert.Contains(error.Message, message);
        Assert.AreEqual("m.onnx", error.Diagnostics[0].File);
    }
}
