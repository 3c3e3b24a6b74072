using System.Text;
using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests.Commands;

[TestClass]
public sealed class VerifyCommandTests
{
    private static string SkipManifest => Path.Combine(TestPaths.RepoRoot, "tests", "BuildConvert.Validation.Tests", "Conformance", "onnx-backend-skips.json");

    [TestMethod]
    public void A_corpus_test_folder_passes()
    {
        using var temp = new TempFolder();
        var folder = temp.CopyFolder(TestPaths.BackendTest("pytorch-converted/test_Conv2d"), "conv");

        var result = Cli.Run("verify", folder, "--json");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var model = result.Json().Models().Single();
        Assert.AreEqual("passed", model.GetProperty("status").GetString());
        var validation = model.GetProperty("validation");
        Assert.IsTrue(validation.GetProperty("passed").GetBoolean());
        var output = validation.GetProperty("dataSets")[0].GetProperty("outputs")[0];
        Assert.AreEqual("test_data_set_0", validation.GetProperty("dataSets")[0].GetProperty("name").GetString());
        Assert.AreEqual(0, output.GetProperty("mismatchCount").GetInt64());
        Assert.IsTrue(output.GetProperty("elementCount").GetInt64() > 0);
    }

    [TestMethod]
    public void A_model_file_with_a_golden_folder_passes()
    {
        var folder = TestPaths.BackendTest("node/test_relu");

        var result = Cli.Run("verify", Path.Combine(folder, "model.onnx"), "--golden", folder);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.StartsWith(result.Stdout, "ok");
    }

    [TestMethod]
    public void A_tampered_golden_output_fails_with_the_mismatch_code_naming_the_output()
    {
        using var temp = new TempFolder();
        var folder = temp.CopyFolder(TestPaths.BackendTest("pytorch-converted/test_Conv2d"), "conv");
        var goldenFile = Path.Combine(folder, "test_data_set_0", "output_0.pb");
        var outputName = Models.Load(Path.Combine(folder, "model.onnx")).Graph.Output[0].Name;
        Golden.Tamper(goldenFile, v => v + 10f);

        var result = Cli.Run("verify", folder);
        var json = Cli.Run("verify", folder, "--json").Json();

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.StartsWith(result.Stdout, "FAILED");
        StringAssert.Contains(result.Stderr, "error BCONV4001");
        StringAssert.Contains(result.Stderr, $"'{outputName}'");
        var model = json.Models().Single();
        Assert.AreEqual("failed", model.GetProperty("status").GetString());
        var mismatch = model.GetProperty("diagnostics").EnumerateArray().Single(d => d.GetProperty("code").GetString() == "BCONV4001");
        Assert.AreEqual(goldenFile, mismatch.GetProperty("file").GetString(), "a mismatch points at the golden file");
        var output = model.GetProperty("validation").GetProperty("dataSets")[0].GetProperty("outputs")[0];
        Assert.AreEqual(1, output.GetProperty("mismatchCount").GetInt64());
        Assert.AreEqual(outputName, output.GetProperty("name").GetString());
        CollectionAssert.AreEqual(new long[] { 0, 0, 0, 0 }, output.GetProperty("worstIndex").EnumerateArray().Select(i => i.GetInt64()).ToArray());
        Assert.IsTrue(output.GetProperty("maxAbsError").GetDouble() >= 9.99);
    }

    [TestMethod]
    public void Tolerances_can_be_loosened_globally_and_per_output()
    {
        using var temp = new TempFolder();
        var folder = temp.CopyFolder(TestPaths.BackendTest("pytorch-converted/test_Conv2d"), "conv");
        var goldenFile = Path.Combine(folder, "test_data_set_0", "output_0.pb");
        var outputName = Models.Load(Path.Combine(folder, "model.onnx")).Graph.Output[0].Name;
        Golden.Tamper(goldenFile, v => v + 0.01f);

        Assert.AreEqual(1, Cli.Run("verify", folder).ExitCode);
        Assert.AreEqual(0, Cli.Run("verify", folder, "--atol", "0.02").ExitCode);
        Assert.AreEqual(0, Cli.Run("verify", folder, "--tolerance", $"{outputName}=0,0.02").ExitCode);
        var typo = Cli.Run("verify", folder, "--tolerance", "some_other_output=0,0.02");
        Assert.AreEqual(2, typo.ExitCode, "a tolerance for an output the model lacks is misuse, not a silent no-op\n" + typo);
        StringAssert.Contains(typo.Stderr, "BCONV0003");
        StringAssert.Contains(typo.Stderr, "'some_other_output'");
        var bad = Cli.Run("verify", folder, "--tolerance", "nonsense");
        Assert.AreEqual(2, bad.ExitCode, bad.ToString());
        StringAssert.Contains(bad.Stderr, "error BCONV0003: --tolerance 'nonsense'");
    }

    [TestMethod]
    public void Recursive_reports_passed_failed_error_and_skipped()
    {
        using var temp = new TempFolder();
        temp.CopyFolder(TestPaths.BackendTest("node/test_abs"), "suite/a_abs");
        temp.CopyFolder(TestPaths.BackendTest("node/test_relu"), "suite/deep/b_relu");
        var tampered = temp.CopyFolder(TestPaths.BackendTest("pytorch-converted/test_Conv2d"), "suite/c_conv");
        Golden.Tamper(Path.Combine(tampered, "test_data_set_0", "output_0.pb"), v => v * 2 + 1);
        var corrupt = temp.CopyFolder(TestPaths.BackendTest("node/test_sigmoid"), "suite/d_corrupt");
        File.WriteAllBytes(Path.Combine(corrupt, "model.onnx"), Models.Truncated(Path.Combine(corrupt, "model.onnx"), 0.6));
        temp.CopyFolder(TestPaths.BackendTest("node/test_adagrad"), "suite/e_training");
        var manifest = temp.WriteFile("skips.txt", Encoding.UTF8.GetBytes("# model  category  reason\ne_training training-op no kernel in ORT\n"));

        var result = Cli.Run("verify", temp.Combine("suite"), "--recursive", "--skip", manifest, "--json");

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        var json = result.Json();
        var statuses = json.Models().ToDictionary(
            m => Path.GetFileName(Path.GetDirectoryName(m.GetProperty("path").GetString())!),
            m => m.GetProperty("status").GetString());
        CollectionAssert.AreEquivalent(
            new Dictionary<string, string?> { ["a_abs"] = "passed", ["b_relu"] = "passed", ["c_conv"] = "failed", ["d_corrupt"] = "error", ["e_training"] = "skipped" },
            statuses);
        var summary = json.GetProperty("summary");
        Assert.AreEqual(5, summary.GetProperty("total").GetInt32());
        Assert.AreEqual(2, summary.GetProperty("passed").GetInt32());
        Assert.AreEqual(1, summary.GetProperty("failed").GetInt32());
        Assert.AreEqual(1, summary.GetProperty("error").GetInt32());
        Assert.AreEqual(1, summary.GetProperty("skipped").GetInt32());
        var corruptModel = json.Models().Single(m => m.GetProperty("path").GetString()!.Contains("d_corrupt", StringComparison.Ordinal));
        Assert.IsTrue(corruptModel.Codes().Any(c => c.StartsWith("BCONV1", StringComparison.Ordinal) || c.StartsWith("BCONV40", StringComparison.Ordinal)), string.Join(",", corruptModel.Codes()));
    }

    [TestMethod]
    public void Recursive_over_the_node_corpus_passes_everything_outside_the_skip_manifest()
    {
        var result = Cli.Run("verify", TestPaths.BackendTest("node"), "--recursive", "--skip", SkipManifest, "--atol", "1e-7", "--json");

        var summary = result.Json().GetProperty("summary");
        var unexplained = result.Json().Models().Where(m => m.GetProperty("status").GetString() is "failed" or "error")
            .Select(m => $"{m.GetProperty("path").GetString()}: {string.Join(",", m.Codes())}").ToArray();
        Assert.HasCount(0, unexplained, string.Join("\n", unexplained));
        Assert.AreEqual(0, result.ExitCode);
        Assert.AreEqual(1802, summary.GetProperty("total").GetInt32());
        Assert.IsTrue(summary.GetProperty("passed").GetInt32() >= 1400, summary.ToString());
    }

    [TestMethod]
    public void Recursive_over_the_pytorch_corpus_with_the_manifest_passes()
    {
        var result = Cli.Run("verify", TestPaths.BackendTest("pytorch-converted"), "-r", "--skip", SkipManifest);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "verify: 82 models: 59 passed, 0 failed, 0 errors, 23 skipped");
    }

    [TestMethod]
    public void A_model_without_golden_data_is_BCONV0008()
    {
        using var temp = new TempFolder();
        var model = temp.CopyFile(TestPaths.SmallCnn, "cnn.onnx");

        var result = Cli.Run("verify", model);

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0008");
    }

    [TestMethod]
    public void Recursive_with_golden_is_misuse()
    {
        var result = Cli.Run("verify", TestPaths.BackendTest("simple"), "--recursive", "--golden", TestPaths.BackendTest("node/test_abs"));

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0001");
    }
}
