using System.Text;
using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests.Commands;

[TestClass]
public sealed class CheckCommandTests
{
    [TestMethod]
    public void A_corpus_model_passes()
    {
        var model = TestPaths.BackendTest("node/test_abs/model.onnx");

        var result = Cli.Run("check", model);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "ok");
        StringAssert.Contains(result.Stdout, "test_abs");
        Assert.AreEqual("", result.Stderr);
    }

    [TestMethod]
    public void A_folder_of_good_and_bad_models_reports_each_and_fails()
    {
        using var temp = new TempFolder();
        temp.CopyFile(TestPaths.BackendTest("node/test_abs/model.onnx"), "good/abs.onnx");
        temp.CopyFile(TestPaths.BackendTest("pytorch-converted/test_Conv2d/model.onnx"), "good/nested/conv.onnx");
        temp.CopyFile(TestPaths.SmallCnn, "good/cnn.onnx");
        temp.WriteFile("bad/truncated.onnx", Models.Truncated(TestPaths.SmallCnn));
        temp.WriteFile("bad/text.onnx", Encoding.UTF8.GetBytes("this is not a model, just some text\n"));
        temp.WriteFile("bad/dangling.onnx", Models.WithoutFirstNode(TestPaths.SmallCnn));
        temp.WriteFile("good/ignored.txt", Encoding.UTF8.GetBytes("not an .onnx file"));

        var result = Cli.Run("check", temp.Path, "--json");

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        var json = result.Json();
        Assert.AreEqual("check", json.GetProperty("command").GetString());
        Assert.IsFalse(json.GetProperty("succeeded").GetBoolean());
        var summary = json.GetProperty("summary");
        Assert.AreEqual(6, summary.GetProperty("total").GetInt32());
        Assert.AreEqual(3, summary.GetProperty("passed").GetInt32());
        Assert.AreEqual(1, summary.GetProperty("failed").GetInt32());
        Assert.AreEqual(2, summary.GetProperty("error").GetInt32());
        var byName = json.Models().ToDictionary(m => Path.GetFileName(m.GetProperty("path").GetString()!));
        Assert.AreEqual("passed", byName["cnn.onnx"].GetProperty("status").GetString());
        Assert.AreEqual("passed", byName["conv.onnx"].GetProperty("status").GetString());
        Assert.AreEqual("error", byName["truncated.onnx"].GetProperty("status").GetString());
        CollectionAssert.Contains(byName["truncated.onnx"].Codes(), "BCONV1003");
        Assert.AreEqual("error", byName["text.onnx"].GetProperty("status").GetString());
        CollectionAssert.Contains(byName["text.onnx"].Codes(), "BCONV1005");
        Assert.AreEqual("failed", byName["dangling.onnx"].GetProperty("status").GetString());
        Assert.IsTrue(byName["dangling.onnx"].Codes().All(c => c.StartsWith("BCONV3", StringComparison.Ordinal)), string.Join(",", byName["dangling.onnx"].Codes()));
        Assert.IsTrue(byName["dangling.onnx"].GetProperty("errorCount").GetInt32() >= 1);
    }

    [TestMethod]
    public void A_folder_prints_a_line_per_model_errors_in_compiler_form_and_a_summary()
    {
        using var temp = new TempFolder();
        temp.CopyFile(TestPaths.SmallCnn, "a.onnx");
        var bad = temp.WriteFile("b.onnx", Models.Truncated(TestPaths.SmallCnn));

        var result = Cli.Run("check", temp.Path);

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "check: 2 models: 1 passed, 0 failed, 1 error, 0 skipped");
        StringAssert.Contains(result.Stderr, $"{bad}: error BCONV1003: ");
    }

    [TestMethod]
    public void An_empty_folder_is_an_error()
    {
        using var temp = new TempFolder();

        var result = Cli.Run("check", temp.Path);

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0007");
    }

    [TestMethod]
    public void A_missing_path_is_command_line_misuse()
    {
        var result = Cli.Run("check", "/nonexistent/model.onnx", "--json");

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        var json = result.Json();
        Assert.AreEqual(2, json.GetProperty("exitCode").GetInt32());
        var diagnostic = json.GetProperty("diagnostics")[0];
        Assert.AreEqual("BCONV0002", diagnostic.GetProperty("code").GetString());
        Assert.AreEqual("error", diagnostic.GetProperty("severity").GetString());
        Assert.AreEqual("/nonexistent/model.onnx", diagnostic.GetProperty("file").GetString());
        Assert.AreEqual("", result.Stderr, "with --json, diagnostics go into the document only");
    }

    [TestMethod]
    public void Every_model_of_the_onnx_backend_corpus_passes()
    {
        var result = Cli.Run("check", TestPaths.OnnxBackend, "--json");

        var summary = result.Json().GetProperty("summary");
        Assert.AreEqual(0, result.ExitCode, summary.ToString());
        Assert.AreEqual(1951, summary.GetProperty("total").GetInt32());
        Assert.AreEqual(1951, summary.GetProperty("passed").GetInt32());
    }

    [TestMethod]
    public void Every_model_of_the_simple_corpus_passes()
    {
        var result = Cli.Run("check", TestPaths.BackendTest("simple"), "--json");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.AreEqual(23, result.Json().GetProperty("summary").GetProperty("passed").GetInt32());
    }

    [TestMethod]
    public void A_folder_with_one_model_still_gets_the_summary_line_and_a_file_does_not()
    {
        using var temp = new TempFolder();
        var folder = temp.CopyFolder(TestPaths.BackendTest("node/test_abs"), "models/abs");

        var fromFolder = Cli.Run("check", temp.Combine("models"));
        var fromFile = Cli.Run("check", Path.Combine(folder, "model.onnx"));
        var verified = Cli.Run("verify", "--recursive", temp.Combine("models"));

        Assert.AreEqual(0, fromFolder.ExitCode, fromFolder.ToString());
        StringAssert.Contains(fromFolder.Stdout, "check: 1 model: 1 passed, 0 failed, 0 errors, 0 skipped");
        Assert.DoesNotContain("check: ", fromFile.Stdout);
        Assert.AreEqual(0, verified.ExitCode, verified.ToString());
        StringAssert.Contains(verified.Stdout, "verify: 1 model: 1 passed");
    }
}
