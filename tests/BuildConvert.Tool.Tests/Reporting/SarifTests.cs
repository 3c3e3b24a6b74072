using System.Text.Json;
using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests.Reporting;

[TestClass]
public sealed class SarifTests
{
    [TestMethod]
    public void Check_writes_every_diagnostic_as_a_sarif_result_with_its_rule()
    {
        using var temp = new TempFolder();
        temp.CopyFile(TestPaths.SmallCnn, "models/good.onnx");
        var bad = temp.WriteFile("models/bad.onnx", Models.Truncated(TestPaths.SmallCnn));
        var sarif = temp.Combine("reports", "check.sarif");

        var result = Cli.Run("check", temp.Combine("models"), "--sarif", sarif);

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        using var log = JsonDocument.Parse(File.ReadAllText(sarif));
        Assert.AreEqual("2.1.0", log.RootElement.GetProperty("version").GetString());
        var run = log.RootElement.GetProperty("runs")[0];
        Assert.AreEqual("buildconvert", run.GetProperty("tool").GetProperty("driver").GetProperty("name").GetString());
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToArray();
        CollectionAssert.AreEqual(new[] { "BCONV1003" }, rules);
        var single = run.GetProperty("results").EnumerateArray().Single();
        Assert.AreEqual("BCONV1003", single.GetProperty("ruleId").GetString());
        Assert.AreEqual(0, single.GetProperty("ruleIndex").GetInt32());
        Assert.AreEqual("error", single.GetProperty("level").GetString());
        Assert.AreEqual(new Uri(bad).AbsoluteUri, single.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
        CollectionAssert.AreEquivalent(new[] { "check.sarif" }, Directory.GetFiles(temp.Combine("reports")).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void A_clean_run_writes_an_empty_result_list()
    {
        using var temp = new TempFolder();
        var sarif = temp.Combine("ok.sarif");

        var result = Cli.Run("verify", TestPaths.BackendTest("node/test_abs"), "--sarif", sarif, "--json");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        using var log = JsonDocument.Parse(File.ReadAllText(sarif));
        Assert.AreEqual(0, log.RootElement.GetProperty("runs")[0].GetProperty("results").GetArrayLength());
        Assert.AreEqual("verify", result.Json().GetProperty("command").GetString(), "--json and --sarif work together");
    }
}
