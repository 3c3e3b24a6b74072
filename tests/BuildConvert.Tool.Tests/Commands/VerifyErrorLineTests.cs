using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests.Commands;

[TestClass]
public sealed class VerifyErrorLineTests
{
    /// <summary>A model whose golden data could not even be fed says so, instead of "0 data sets, max abs error 0".</summary>
    [TestMethod]
    public void AModelThatWasNotComparedSaysWhyOnItsLine()
    {
        var result = Cli.Run("verify", TestPaths.BackendTest("node/test_abs/model.onnx"), "--golden", TestPaths.BackendTest("node/test_add"));

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "(not compared: BCONV4005)");
        Assert.DoesNotContain("max abs error 0", result.Stdout);
    }
}
