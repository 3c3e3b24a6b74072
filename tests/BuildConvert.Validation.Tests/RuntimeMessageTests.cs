using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Golden;

namespace BuildConvert.Validation.Tests;

/// <summary>ONNX Runtime's messages are embedded without the C++ source locations it quotes.</summary>
[TestClass]
public sealed class RuntimeMessageTests
{
    [TestMethod]
    [DataRow(
        "[ErrorCode:Fail] Load model from /m/model.onnx failed:/onnxruntime_src/onnxruntime/core/graph/model.cc:180 onnxruntime::Model::Model(onnx::ModelProto&&, const PathString&, const IOnnxRuntimeOpSchemaRegistryList*, const onnxruntime::logging::Logger&, const onnxruntime::ModelOptions&) Unsupported model IR version: 99, max supported IR version: 11",
        "[ErrorCode:Fail] Load model from /m/model.onnx failed: Unsupported model IR version: 99, max supported IR version: 11")]
    [DataRow(
        @"[ErrorCode:RuntimeException] Non-zero status code returned while running Add node. Name:'add' Status Message: D:\a\_work\1\s\onnxruntime\core/providers/cpu/math/element_wise_ops.h:560 void onnxruntime::BroadcastIterator::Append(ptrdiff_t, ptrdiff_t) axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 2 by 3",
        "[ErrorCode:RuntimeException] Non-zero status code returned while running Add node. Name:'add' Status Message: axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 2 by 3")]
    [DataRow("no location here: x.cc is a name", "no location here: x.cc is a name")]
    public void Source_locations_are_removed(string message, string expected)
    {
        Assert.AreEqual(expected, SessionFactory.CleanMessage(message));
    }

    [TestMethod]
    public void A_refused_model_gives_a_message_without_source_paths()
    {
        var folder = Path.Combine(TestPaths.OnnxBackendCorpus, "node/test_abs");
        if (!Directory.Exists(folder))
        {
            Assert.Inconclusive("the onnx-backend corpus is not beside the repository");
        }

        var model = OnnxModelReader.Read(Path.Combine(folder, "model.onnx"));
        model.IrVersion = 99;
        var temp = Directory.CreateTempSubdirectory("bconv-ir").FullName;
        try
        {
            var path = Path.Combine(temp, "model.onnx");
            File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));

            var report = new OrtModelValidator(intraOpThreads: 1).Validate(path, folder, ToleranceSet.Default);

            var error = report.Diagnostics.Single();
            StringAssert.Contains(error.Message, "IR version");
            Assert.DoesNotContain(".cc:", error.Message, error.Message);
            Assert.DoesNotContain("onnxruntime_src", error.Message, error.Message);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
