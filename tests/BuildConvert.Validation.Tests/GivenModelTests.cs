using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;

namespace BuildConvert.Validation.Tests;

/// <summary>The overload the pipeline uses, which takes the model it already parsed instead of reading the file again.</summary>
[TestClass]
public sealed class GivenModelTests
{
    [TestMethod]
    public void GivenModelGivesTheSameReportAsReadingTheFile()
    {
        var folder = Path.Combine(TestPaths.OnnxBackendCorpus, "pytorch-converted", "test_Conv2d");
        if (!Directory.Exists(folder))
        {
            Assert.Inconclusive("the onnx-backend corpus is not beside the repository");
        }

        var path = Path.Combine(folder, "model.onnx");
        var validator = new OrtModelValidator(intraOpThreads: 1);
        var fromFile = validator.Validate(path, folder, ToleranceSet.Default);
        var fromModel = validator.Validate(path, OnnxModelReader.Read(path), folder, ToleranceSet.Default);

        Assert.IsTrue(fromFile.Passed, string.Join("\n", fromFile.Diagnostics));
        Assert.IsTrue(fromModel.Passed, string.Join("\n", fromModel.Diagnostics));
        var a = fromFile.DataSets.SelectMany(d => d.Outputs).Single();
        var b = fromModel.DataSets.SelectMany(d => d.Outputs).Single();
        Assert.AreEqual(a.OutputName, b.OutputName);
        Assert.AreEqual(a.ElementCount, b.ElementCount);
        Assert.AreEqual(a.MaxAbsError, b.MaxAbsError);
    }

    [TestMethod]
    public void GivenModelIsStillHeldToTheExternalDataPathRules()
    {
        var folder = Path.Combine(TestPaths.OnnxBackendCorpus, "pytorch-converted", "test_Conv2d");
        if (!Directory.Exists(folder))
        {
            Assert.Inconclusive("the onnx-backend corpus is not beside the repository");
        }

        var path = Path.Combine(folder, "model.onnx");
        var model = OnnxModelReader.Read(path);
        var weight = model.Graph.Initializer[0];
        weight.RawData = Google.Protobuf.ByteString.Empty;
        weight.FloatData.Clear();
        weight.DataLocation = TensorProto.Types.DataLocation.External;
        weight.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "../../../../etc/passwd" });

        var report = new OrtModelValidator(intraOpThreads: 1).Validate(path, model, folder, ToleranceSet.Default);

        Assert.IsFalse(report.Passed);
        Assert.AreEqual("BCONV1012", report.Diagnostics.Single().Code, string.Join("\n", report.Diagnostics));
        Assert.IsEmpty(report.DataSets);
    }
}
