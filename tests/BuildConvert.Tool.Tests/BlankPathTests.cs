using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests;

/// <summary>An empty or blank path is command-line misuse (exit 2, coded), never an internal error with a stack trace.</summary>
[TestClass]
public sealed class BlankPathTests
{
    [TestMethod]
    [DataRow("convert", "-o", "")]
    [DataRow("convert", "-o", "   ")]
    [DataRow("golden", "-o", "   ")]
    [DataRow("check", "--sarif", "")]
    [DataRow("inspect", "--sarif", " ")]
    public void BlankPathIsACodedUsageError(string command, string option, string value)
    {
        var model = TestPaths.BackendTest("node/test_abs/model.onnx");
        var args = command is "convert" or "golden" || option != "-o"
            ? new[] { command, model, option, value }
            : new[] { command, model };

        var result = Cli.Run(args);

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "BCONV0001");
        StringAssert.Contains(result.Stderr, "needs a path");
        Assert.DoesNotContain("BCONV9001", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr, "no stack trace for misuse");
    }
}
