using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Golden;

namespace BuildConvert.Validation.Tests;

/// <summary>When ONNX Runtime refuses a model for its opset, the error says which --opset would make it run.</summary>
[TestClass]
public sealed class OpsetAdviceTests
{
    [TestMethod]
    [DataRow("pytorch-converted/test_Linear", "--opset 13")]
    [DataRow("node/test_causal_conv_with_state_b1_c1_degenerate", "--opset 26")]
    public void TheRefusalNamesAnOpsetThatRuns(string test, string advice)
    {
        var folder = Path.Combine(TestPaths.OnnxBackendCorpus, test);
        if (!Directory.Exists(folder))
        {
            Assert.Inconclusive("the onnx-backend corpus is not beside the repository");
        }

        var path = Path.Combine(folder, "model.onnx");
        var report = new OrtModelValidator(intraOpThreads: 1).Validate(path, OnnxModelReader.Read(path), folder, ToleranceSet.Default);

        Assert.IsFalse(report.Passed);
        var error = report.Diagnostics.Single(d => d.Code == "BCONV4007");
        StringAssert.Contains(error.Message, advice);
    }

    [TestMethod]
    public void NoAdviceWhenTheOpsetIsNotTheReason()
    {
        Assert.AreEqual("", SessionFactory.OpsetAdvice(17, "Could not find an implementation for Foo(1) node with name ''"));
        Assert.AreEqual("", SessionFactory.OpsetAdvice(null, "anything"));
        StringAssert.Contains(SessionFactory.OpsetAdvice(6, "Could not find an implementation for Gemm(6) node with name ''"), "--opset 13");
    }
}
