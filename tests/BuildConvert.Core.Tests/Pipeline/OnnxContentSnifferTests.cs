using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using Google.Protobuf;

namespace BuildConvert.Core.Tests.Pipeline;

[TestClass]
public sealed class OnnxContentSnifferTests
{
    [TestMethod]
    public void Every_model_of_three_corpus_folders_is_recognised()
    {
        var models = new[] { "simple", "pytorch-converted", "pytorch-operator" }
            .SelectMany(f => Directory.EnumerateFiles(PipelineTestFiles.Corpus(f), "model.onnx", SearchOption.AllDirectories))
            .ToArray();

        Assert.IsTrue(models.Length > 100);
        var missed = models.Where(m => !OnnxContentSniffer.LooksLikeModel(m)).ToArray();
        Assert.HasCount(0, missed, string.Join("\n", missed));
    }

    [TestMethod]
    public void Golden_tensor_files_are_not_models()
    {
        var files = Directory.EnumerateFiles(PipelineTestFiles.Corpus("pytorch-converted"), "*.pb", SearchOption.AllDirectories).ToArray();

        Assert.IsTrue(files.Length > 100);
        Assert.HasCount(0, files.Where(OnnxContentSniffer.LooksLikeModel).ToArray());
    }

    [TestMethod]
    public void A_graph_without_a_model_around_it_is_not_a_model()
    {
        var graph = PipelineTestFiles.AddRelu().Graph;

        Assert.IsFalse(OnnxContentSniffer.LooksLikeModel(new MemoryStream(graph.ToByteArray())));
    }

    [TestMethod]
    public void A_model_needs_both_ir_version_and_graph()
    {
        var model = PipelineTestFiles.AddRelu();
        Assert.IsTrue(OnnxContentSniffer.LooksLikeModel(new MemoryStream(model.ToByteArray())));

        var noGraph = model.Clone();
        noGraph.Graph = null;
        Assert.IsFalse(OnnxContentSniffer.LooksLikeModel(new MemoryStream(noGraph.ToByteArray())));

        var noIr = model.Clone();
        noIr.IrVersion = 0;
        Assert.IsFalse(OnnxContentSniffer.LooksLikeModel(new MemoryStream(noIr.ToByteArray())));
    }

    [TestMethod]
    public void Every_truncation_of_a_model_is_rejected_or_still_whole_fields()
    {
        var bytes = PipelineTestFiles.AddRelu().ToByteArray();

        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes.AsSpan(0, length).ToArray();
            if (OnnxContentSniffer.LooksLikeModel(new MemoryStream(prefix)))
            {
                // Only a cut exactly between top-level fields can still look whole; it must then parse.
                ModelProto.Parser.ParseFrom(prefix);
            }
        }
    }

    [TestMethod]
    public void Random_bytes_are_never_taken_for_a_model()
    {
        var random = new Random(20261123);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 512)];
            random.NextBytes(bytes);
            Assert.IsFalse(OnnxContentSniffer.LooksLikeModel(new MemoryStream(bytes)), $"buffer {i}");
        }
    }

    [TestMethod]
    public void A_huge_declared_length_is_rejected_without_reading()
    {
        // ir_version = 7, then graph (field 7) declaring 2^40 bytes in a 20-byte file.
        var bytes = new byte[] { 0x08, 0x07, 0x3A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };

        Assert.IsFalse(OnnxContentSniffer.LooksLikeModel(new MemoryStream(bytes)));
    }
}
