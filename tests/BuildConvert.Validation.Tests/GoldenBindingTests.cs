using BuildConvert.Core.Golden;

namespace BuildConvert.Validation.Tests;

/// <summary>Golden values bind to model values by name; a named value the model lacks is never compared by position.</summary>
[TestClass]
public sealed class GoldenBindingTests
{
    [TestMethod]
    public void AnotherModelsGoldenOutputIsReportedAsUnmatchedNotAsAValueMismatch()
    {
        var abs = Path.Combine(TestPaths.OnnxBackendCorpus, "node", "test_abs");
        var add = Path.Combine(TestPaths.OnnxBackendCorpus, "node", "test_add");
        if (!Directory.Exists(abs) || !Directory.Exists(add))
        {
            Assert.Inconclusive("the onnx-backend corpus is not beside the repository");
        }

        var work = TestPaths.NewTempFolder();
        try
        {
            var data = Path.Combine(work, "test_data_set_0");
            Directory.CreateDirectory(data);
            File.Copy(Path.Combine(abs, "test_data_set_0", "input_0.pb"), Path.Combine(data, "input_0.pb"));
            File.Copy(Path.Combine(add, "test_data_set_0", "output_0.pb"), Path.Combine(data, "output_0.pb")); // named 'sum'

            var report = new OrtModelValidator(intraOpThreads: 1).Validate(Path.Combine(abs, "model.onnx"), work, ToleranceSet.Default);

            Assert.IsFalse(report.Passed);
            var codes = report.Diagnostics.Select(d => d.Code).ToArray();
            CollectionAssert.Contains(codes, "BCONV4004", string.Join("\n", report.Diagnostics));
            CollectionAssert.DoesNotContain(codes, "BCONV4001", "the golden 'sum' must not be compared with the model's 'y'");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}

[TestClass]
public sealed class PerOutputToleranceTests
{
    [TestMethod]
    public void AToleranceForAnOutputTheModelLacksIsAnError()
    {
        var abs = Path.Combine(TestPaths.OnnxBackendCorpus, "node", "test_abs");
        if (!Directory.Exists(abs))
        {
            Assert.Inconclusive("the onnx-backend corpus is not beside the repository");
        }

        var validator = new OrtModelValidator(intraOpThreads: 1);
        var typo = new ToleranceSet(Tolerance.Default, new Dictionary<string, Tolerance> { ["nope"] = new(1, 1) });
        var report = validator.Validate(Path.Combine(abs, "model.onnx"), abs, typo);
        Assert.IsFalse(report.Passed);
        var diagnostic = report.Diagnostics.Single();
        Assert.AreEqual("BCONV0003", diagnostic.Code);
        StringAssert.Contains(diagnostic.Message, "'nope'");
        StringAssert.Contains(diagnostic.Message, "'y'");

        var right = new ToleranceSet(Tolerance.Default, new Dictionary<string, Tolerance> { ["y"] = new(1e-3, 1e-5) });
        Assert.IsTrue(validator.Validate(Path.Combine(abs, "model.onnx"), abs, right).Passed);
    }
}
