using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests.Commands;

[TestClass]
public sealed class ConvertCommandTests
{
    [TestMethod]
    public void Converting_twice_gives_byte_identical_valid_output()
    {
        using var temp = new TempFolder();
        var first = temp.Combine("one", "out.onnx");
        var second = temp.Combine("two", "out.onnx");

        var a = Cli.Run("convert", TestPaths.SmallCnn, "-o", first);
        var b = Cli.Run("convert", TestPaths.SmallCnn, "--output", second, "--json");

        Assert.AreEqual(0, a.ExitCode, a.ToString());
        Assert.AreEqual(0, b.ExitCode, b.ToString());
        CollectionAssert.AreEqual(File.ReadAllBytes(first), File.ReadAllBytes(second));
        var model = b.Json().Models().Single();
        Assert.AreEqual("passed", model.GetProperty("status").GetString());
        Assert.AreEqual(second, model.GetProperty("output").GetString());
        Assert.AreEqual("onnx", model.GetProperty("format").GetString());
        Assert.AreEqual(3962, model.GetProperty("summary").GetProperty("parameterCount").GetInt64());
        Assert.IsTrue(model.GetProperty("timingsMs").TryGetProperty("check", out _));
        Assert.AreEqual(0, Cli.Run("check", second).ExitCode);
        CollectionAssert.AreEquivalent(new[] { "out.onnx" }, Directory.GetFiles(temp.Combine("one")).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void A_model_with_external_data_keeps_it_external_beside_the_output()
    {
        using var temp = new TempFolder();
        var source = temp.CopyFolder(Path.GetDirectoryName(TestPaths.SmallCnnExternal)!, "src");
        var output = temp.Combine("out", "cnn.onnx");

        var result = Cli.Run("convert", Path.Combine(source, "model.onnx"), "-o", output);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.IsTrue(File.Exists(output + ".data"));
        var inspect = Cli.Run("inspect", output, "--json").Json().Models().Single();
        Assert.AreEqual(15848, inspect.GetProperty("parameterBytes").GetInt64());
        Assert.IsTrue(inspect.GetProperty("externalDataBytes").GetInt64() > 0);
        Assert.AreEqual(0, Cli.Run("check", output).ExitCode);
    }

    [TestMethod]
    public void An_option_that_cannot_be_honoured_fails_and_removes_the_stale_output()
    {
        using var temp = new TempFolder();
        var output = temp.Combine("out.onnx");
        Assert.AreEqual(0, Cli.Run("convert", TestPaths.SmallCnn, "-o", output).ExitCode);
        Assert.IsTrue(File.Exists(output));

        var result = Cli.Run("convert", TestPaths.SmallCnn, "-o", output, "--outputs", "no_such_output");

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0005: --outputs / Outputs: 'no_such_output'");
        Assert.IsFalse(File.Exists(output), "a failed conversion must not leave a fresh-looking output");
        Assert.AreEqual(0, Directory.GetFileSystemEntries(temp.Path).Length, "no temporary files are left either");
    }

    [TestMethod]
    public void Opset_converts_the_model_and_the_result_is_checked_and_validated()
    {
        using var temp = new TempFolder();
        var corpus = Path.Combine(TestPaths.OnnxBackend, "pytorch-converted", "test_Linear");
        var output = temp.Combine("linear.onnx");

        var result = Cli.Run("convert", Path.Combine(corpus, "model.onnx"), "-o", output, "--opset", "17", "--golden", corpus, "--json");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var model = BuildConvert.Core.Formats.Onnx.OnnxModelReader.Read(output);
        Assert.AreEqual(17L, model.OpsetImport.Single(o => o.Domain.Length == 0).Version);
        StringAssert.Contains(result.Stdout, "opset 6 -> 17");
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        var first = json.RootElement.GetProperty("models")[0];
        Assert.IsTrue(first.GetProperty("validation").GetProperty("passed").GetBoolean());
        Assert.IsTrue(first.GetProperty("steps").GetArrayLength() > 1, "the opset steps are listed");
    }

    [TestMethod]
    public void An_opset_step_that_cannot_keep_the_meaning_is_BCONV2002_and_leaves_nothing()
    {
        using var temp = new TempFolder();
        var output = temp.Combine("out.onnx");
        var model = Path.Combine(TestPaths.OnnxBackend, "node", "test_swish", "model.onnx");
        if (!File.Exists(model))
        {
            Assert.Inconclusive("the onnx-backend corpus is not beside the repository");
        }

        var result = Cli.Run("convert", model, "-o", output, "--opset", "17");

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "BCONV2002");
        StringAssert.Contains(result.Stderr, "Swish");
        Assert.AreEqual(0, Directory.GetFileSystemEntries(temp.Path).Length);
    }

    [TestMethod]
    public void A_corrupt_input_leaves_nothing_behind()
    {
        using var temp = new TempFolder();
        var input = temp.WriteFile("in/model.onnx", Models.Truncated(TestPaths.SmallCnn, 0.7));
        var output = temp.Combine("out", "model.onnx");

        var result = Cli.Run("convert", input, "-o", output, "--json");

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        var model = result.Json().Models().Single();
        Assert.AreEqual("error", model.GetProperty("status").GetString());
        CollectionAssert.Contains(model.Codes(), "BCONV1003");
        Assert.IsFalse(Directory.Exists(temp.Combine("out")) && Directory.EnumerateFileSystemEntries(temp.Combine("out")).Any());
    }

    [TestMethod]
    public void A_checker_error_fails_the_conversion_and_names_the_input()
    {
        using var temp = new TempFolder();
        var input = temp.WriteFile("dangling.onnx", Models.WithoutFirstNode(TestPaths.SmallCnn));
        var output = temp.Combine("out.onnx");

        var result = Cli.Run("convert", input, "-o", output);

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, $"{input}: error BCONV3");
        Assert.IsFalse(File.Exists(output));
        CollectionAssert.AreEquivalent(new[] { "dangling.onnx" }, Directory.GetFiles(temp.Path).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void Input_shapes_fix_dynamic_dimensions()
    {
        using var temp = new TempFolder();
        var output = temp.Combine("fixed.onnx");

        var result = Cli.Run("convert", TestPaths.SmallCnn, "-o", output, "--input-shapes", "image:4,3,16,16");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var input = Cli.Run("inspect", output, "--json").Json().Models().Single().GetProperty("inputs")[0];
        CollectionAssert.AreEqual(new[] { "4", "3", "16", "16" }, input.GetProperty("shape").EnumerateArray().Select(d => d.GetString()).ToArray());
    }

    [TestMethod]
    [DataRow("--input-shapes", "image:4,3,32,32", "dimension 2 of input 'image' is fixed at 16")]
    [DataRow("--input-shapes", "0:N,3,16", "has rank 4")]
    [DataRow("--inputs", "pixels", "'pixels' is not an input")]
    [DataRow("--outputs", "logits", "'logits' is not an output")]
    public void Options_the_model_contradicts_are_coded_errors(string option, string value, string message)
    {
        using var temp = new TempFolder();
        var output = temp.Combine("out.onnx");

        var result = Cli.Run("convert", TestPaths.SmallCnn, "-o", output, option, value);

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0005");
        StringAssert.Contains(result.Stderr, message);
        Assert.IsFalse(File.Exists(output));
    }

    [TestMethod]
    public void Malformed_input_shapes_are_misuse()
    {
        using var temp = new TempFolder();

        var result = Cli.Run("convert", TestPaths.SmallCnn, "-o", temp.Combine("out.onnx"), "--input-shapes", "image:4,x-y");

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0003");
    }

    [TestMethod]
    public void The_output_option_is_required()
    {
        var result = Cli.Run("convert", TestPaths.SmallCnn);

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0001");
        StringAssert.Contains(result.Stderr, "--output");
    }
}

[TestClass]
public sealed class ConvertWithGoldenTests
{
    [TestMethod]
    public void Golden_data_validates_the_result_before_it_is_committed()
    {
        using var temp = new TempFolder();
        var corpus = TestPaths.BackendTest("pytorch-converted/test_Conv2d");
        var output = temp.Combine("out", "conv.onnx");

        var result = Cli.Run("convert", Path.Combine(corpus, "model.onnx"), "-o", output, "--golden", corpus, "--json");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var model = result.Json().Models().Single();
        Assert.IsTrue(model.GetProperty("validation").GetProperty("passed").GetBoolean());
        Assert.IsTrue(model.GetProperty("timingsMs").TryGetProperty("validate", out _));
        Assert.IsTrue(File.Exists(output));
    }

    [TestMethod]
    public void A_tampered_golden_output_fails_and_leaves_no_output()
    {
        using var temp = new TempFolder();
        var corpus = temp.CopyFolder(TestPaths.BackendTest("pytorch-converted/test_Conv2d"), "golden");
        var goldenFile = Path.Combine(corpus, "test_data_set_0", "output_0.pb");
        Golden.Tamper(goldenFile, v => v - 3f);
        var output = temp.Combine("out", "conv.onnx");
        Directory.CreateDirectory(temp.Combine("out"));
        File.WriteAllText(output, "stale");

        var result = Cli.Run("convert", Path.Combine(corpus, "model.onnx"), "-o", output, "--golden", corpus);

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, $"{goldenFile}: error BCONV4001");
        Assert.AreEqual(0, Directory.GetFileSystemEntries(temp.Combine("out")).Length, "no output, no stale output, no temporary file");
    }
}

[TestClass]
public sealed class ConvertMisuseTests
{
    [TestMethod]
    public void Writing_over_the_input_is_misuse_and_keeps_the_input()
    {
        using var temp = new TempFolder();
        var input = temp.CopyFile(TestPaths.SmallCnn, "cnn.onnx");

        var result = Cli.Run("convert", input, "-o", input);

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0003");
        CollectionAssert.AreEqual(File.ReadAllBytes(TestPaths.SmallCnn), File.ReadAllBytes(input));
    }

    [TestMethod]
    public void A_folder_input_in_no_known_format_is_BCONV0004()
    {
        using var temp = new TempFolder();
        temp.WriteFile("saved/variables.bin", new byte[] { 1, 2, 3 });

        var result = Cli.Run("convert", temp.Combine("saved"), "-o", temp.Combine("out.onnx"));

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0004: the folder is not in a format BuildConvert recognises");
    }
}
