using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;
using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests;

[TestClass]
public sealed class CliAppTests
{
    [TestMethod]
    [DataRow("check")]
    [DataRow("verify")]
    [DataRow("convert")]
    [DataRow("inspect")]
    [DataRow("golden")]
    public void Every_command_has_help_with_json(string command)
    {
        var result = Cli.Run(command, "--help");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "--json");
        StringAssert.Contains(result.Stdout, "--sarif");
        StringAssert.Contains(result.Stdout, "Usage:");
    }

    [TestMethod]
    public void An_unknown_option_exits_2_with_BCONV0001()
    {
        var result = Cli.Run("check", TestPaths.SmallCnn, "--frobnicate");

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "buildconvert: error BCONV0001: ");
        StringAssert.Contains(result.Stderr, "--frobnicate");
    }

    [TestMethod]
    public void A_parse_error_with_json_is_reported_in_the_json_document()
    {
        var result = Cli.Run("verify", TestPaths.SmallCnn, "--json", "--rtol");

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        var json = result.Json();
        Assert.AreEqual("verify", json.GetProperty("command").GetString());
        Assert.AreEqual(2, json.GetProperty("exitCode").GetInt32());
        CollectionAssert.Contains(json.Codes(), "BCONV0001");
        Assert.AreEqual("", result.Stderr);
    }

    [TestMethod]
    public void No_command_exits_2()
    {
        var result = Cli.Run();

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0001");
    }

    [TestMethod]
    public void An_unknown_command_exits_2()
    {
        var result = Cli.Run("transmogrify", "x");

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0001");
    }

    [TestMethod]
    public void A_bad_option_value_exits_2()
    {
        var result = Cli.Run("verify", TestPaths.SmallCnn, "--rtol", "lots");

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0001");
    }

    [TestMethod]
    public void An_unexpected_exception_is_BCONV9001_with_the_command_line()
    {
        var services = new ToolServices(FormatRegistry.CreateDefault(), () => new ThrowingValidator());
        var golden = TestPaths.BackendTest("node/test_abs");

        var result = Cli.Run(services, "convert", TestPaths.SmallCnn, "-o", Path.Combine(Path.GetTempPath(), "never written.onnx"), "--golden", golden);

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "buildconvert: error BCONV9001: unexpected InvalidOperationException: validator exploded");
        StringAssert.Contains(result.Stderr, $"buildconvert convert {TestPaths.SmallCnn} -o '{Path.Combine(Path.GetTempPath(), "never written.onnx")}' --golden {golden}");
        Assert.IsFalse(File.Exists(Path.Combine(Path.GetTempPath(), "never written.onnx")));
    }

    [TestMethod]
    public void An_unexpected_exception_with_json_still_prints_one_document()
    {
        var services = new ToolServices(FormatRegistry.CreateDefault(), () => new ThrowingValidator());

        var result = Cli.Run(services, "verify", TestPaths.BackendTest("node/test_abs"), "--json");

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        var json = result.Json();
        Assert.AreEqual(1, json.GetProperty("exitCode").GetInt32());
        var codes = json.Models().SelectMany(m => m.Codes()).Concat(json.Codes()).ToArray();
        CollectionAssert.Contains(codes, "BCONV9001");
    }

    private sealed class ThrowingValidator : IModelValidator
    {
        public ValidationReport Validate(string modelPath, string goldenFolder, ToleranceSet tolerances, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("validator exploded");
    }
}
