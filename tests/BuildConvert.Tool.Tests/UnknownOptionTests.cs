using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests;

/// <summary>An unknown option is named in the usage error wherever it stands, also before the path (where the parser
/// would otherwise take it as the path and blame the real path).</summary>
[TestClass]
public sealed class UnknownOptionTests
{
    [TestMethod]
    [DataRow("check", true)]
    [DataRow("check", false)]
    [DataRow("verify", true)]
    [DataRow("inspect", true)]
    [DataRow("convert", true)]
    public void TheUnknownOptionIsNamedNotThePath(string command, bool before)
    {
        var model = TestPaths.BackendTest("node/test_abs/model.onnx");
        using var temp = new TempFolder();
        var args = new List<string> { command };
        args.AddRange(before ? new[] { "--bogus", model } : new[] { model, "--bogus" });
        if (command == "convert")
        {
            args.AddRange(new[] { "-o", temp.Combine("out.onnx") });
        }

        var result = Cli.Run(args.ToArray());

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0001");
        StringAssert.Contains(result.Stderr, "'--bogus'");
        Assert.DoesNotContain($"'{model}'", result.Stderr, "the real path is not blamed");
    }
}
