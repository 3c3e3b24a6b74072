using System.Text;
using System.Text.Json;
using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests.Commands;

[TestClass]
public sealed class InspectCommandTests
{
    // Expected values for Fixtures/small_cnn.onnx, computed independently by Fixtures/make_fixtures.py with Debian's
    // onnx 1.12 and numpy 1.24 (sum of numpy_helper.to_array(t).size / .nbytes over graph.initializer, a Counter of
    // node.op_type); recorded in Fixtures/inspect_expected.txt.
    private const long ExpectedParameterCount = 3962;
    private const long ExpectedParameterBytes = 15848;
    private const long ExpectedExternalBytes = 14848;

    [TestMethod]
    public void Json_numbers_match_what_onnx_reports()
    {
        var result = Cli.Run("inspect", TestPaths.SmallCnn, "--json");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var model = result.Json().Models().Single();
        Assert.AreEqual("onnx", model.GetProperty("format").GetString());
        Assert.AreEqual(7, model.GetProperty("irVersion").GetInt64());
        Assert.AreEqual("pytorch", model.GetProperty("producerName").GetString());
        Assert.AreEqual("1.13.0", model.GetProperty("producerVersion").GetString());
        var opset = model.GetProperty("opsets").EnumerateArray().Single();
        Assert.AreEqual("ai.onnx", opset.GetProperty("domain").GetString());
        Assert.AreEqual(13, opset.GetProperty("version").GetInt64());
        AssertValue(model.GetProperty("inputs").EnumerateArray().Single(), "image", "tensor(float)", "batch", "3", "16", "16");
        AssertValue(model.GetProperty("outputs").EnumerateArray().Single(), "probabilities", "tensor(float)", "batch", "10");
        var histogram = model.GetProperty("opHistogram").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        CollectionAssert.AreEquivalent(
            new Dictionary<string, long> { ["Conv"] = 2, ["Flatten"] = 1, ["Gemm"] = 1, ["MaxPool"] = 2, ["Relu"] = 2, ["Softmax"] = 1 },
            histogram);
        Assert.AreEqual(9, model.GetProperty("nodeCount").GetInt64());
        Assert.AreEqual(6, model.GetProperty("initializerCount").GetInt32());
        Assert.AreEqual(ExpectedParameterCount, model.GetProperty("parameterCount").GetInt64());
        Assert.AreEqual(ExpectedParameterBytes, model.GetProperty("parameterBytes").GetInt64());
        Assert.AreEqual(0, model.GetProperty("externalDataBytes").GetInt64());
    }

    [TestMethod]
    public void A_TorchScript_archive_shows_its_version_root_methods_and_parameters()
    {
        // 172,801 parameters in 8 tensors: what Debian's PyTorch lists for foo9 (eng/torchscript/archive-contents.json).
        var path = Path.Combine(TestPaths.Corpora, "pytorch", "tchrs-foo9-residual-mlp", "foo9.pt");
        var text = Cli.Run("inspect", path);
        Assert.AreEqual(0, text.ExitCode, text.ToString());
        StringAssert.Contains(text.Stdout, "format:     torchscript");
        StringAssert.Contains(text.Stdout, "TorchScript version 3 (from version), root folder 'model.scr/'");
        StringAssert.Contains(text.Stdout, "module:     __torch__.models.regression.resfcl_concat.RegResFClConcatModel");
        StringAssert.Contains(text.Stdout, "methods:    forward");
        StringAssert.Contains(text.Stdout, "parameters: 172,801 in 8 initializers, 691,204 bytes");

        var json = Cli.Run("inspect", path, "--json");
        Assert.AreEqual(0, json.ExitCode, json.ToString());
        var model = json.Json().Models().Single();
        Assert.AreEqual("torchscript", model.GetProperty("format").GetString());
        Assert.AreEqual(172801, model.GetProperty("parameterCount").GetInt64());
        Assert.AreEqual("forward", model.GetProperty("details").GetProperty("methods").GetString());
        Assert.AreEqual("forward", model.GetProperty("signatures").EnumerateArray().Single().GetProperty("key").GetString());
    }

    [TestMethod]
    public void External_data_sizes_are_counted()
    {
        var result = Cli.Run("inspect", TestPaths.SmallCnnExternal, "--json");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var model = result.Json().Models().Single();
        Assert.AreEqual(ExpectedParameterCount, model.GetProperty("parameterCount").GetInt64());
        Assert.AreEqual(ExpectedParameterBytes, model.GetProperty("parameterBytes").GetInt64());
        Assert.AreEqual(ExpectedExternalBytes, model.GetProperty("externalDataBytes").GetInt64());
    }

    [TestMethod]
    public void Text_output_lists_interface_operators_and_sizes()
    {
        var result = Cli.Run("inspect", TestPaths.SmallCnn);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "image  tensor(float) [batch,3,16,16]");
        StringAssert.Contains(result.Stdout, "probabilities  tensor(float) [batch,10]");
        StringAssert.Contains(result.Stdout, "opsets:     ai.onnx 13");
        StringAssert.Contains(result.Stdout, "9 nodes, 6 distinct");
        StringAssert.Contains(result.Stdout, "parameters: 3,962 in 6 initializers, 15,848 bytes");
    }

    [TestMethod]
    public void A_file_in_no_known_format_is_reported_with_the_known_formats()
    {
        using var temp = new TempFolder();
        var path = temp.WriteFile("notes.txt", Encoding.UTF8.GetBytes("hello, world\n"));

        var result = Cli.Run("inspect", path);

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, $"{path}: error BCONV0004: ");
        StringAssert.Contains(result.Stderr, "onnx (ONNX model, .onnx)");
    }

    [TestMethod]
    public void An_unknown_format_name_is_misuse()
    {
        var result = Cli.Run("inspect", TestPaths.SmallCnn, "--format", "caffe");

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0003: --format / Format 'caffe' is not a known format; known formats: onnx");
    }

    [TestMethod]
    public void A_model_without_the_onnx_extension_is_recognised_by_content()
    {
        using var temp = new TempFolder();
        var path = temp.CopyFile(TestPaths.SmallCnn, "weights.bin");

        var result = Cli.Run("inspect", path, "--json");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.AreEqual(ExpectedParameterCount, result.Json().Models().Single().GetProperty("parameterCount").GetInt64());
    }

    private static void AssertValue(JsonElement value, string name, string type, params string[] shape)
    {
        Assert.AreEqual(name, value.GetProperty("name").GetString());
        Assert.AreEqual(type, value.GetProperty("type").GetString());
        CollectionAssert.AreEqual(shape, value.GetProperty("shape").EnumerateArray().Select(d => d.GetString()).ToArray());
    }
}
