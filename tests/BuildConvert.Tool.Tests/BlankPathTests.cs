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

/// <summary>A malformed number is a usage error in the user's terms, without .NET type names.</summary>
[TestClass]
public sealed class MalformedNumberTests
{
    [TestMethod]
    [DataRow("verify", "--rtol", "abc", "--rtol needs a number")]
    [DataRow("verify", "--atol", "1,5", "--atol needs a number")]
    [DataRow("verify", "--timeout", "0.5", "--timeout needs a whole number of seconds")]
    [DataRow("convert", "--opset", "x", "--opset needs an opset version")]
    [DataRow("golden", "--seed", "y", "--seed needs a whole number")]
    public void MalformedNumberIsACodedUsageErrorInPlainWords(string command, string option, string value, string expected)
    {
        var folder = TestPaths.BackendTest("node/test_add");
        var args = command switch
        {
            "verify" => new[] { command, folder, option, value },
            _ => new[] { command, Path.Combine(folder, "model.onnx"), "-o", Path.Combine(Path.GetTempPath(), "never-" + Guid.NewGuid().ToString("N")), option, value },
        };

        var result = Cli.Run(args);

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "BCONV0001");
        StringAssert.Contains(result.Stderr, expected);
        Assert.DoesNotContain("System.", result.Stderr);
    }
}
