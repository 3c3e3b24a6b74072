using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Tests.Checking;

namespace BuildConvert.Core.Tests.Formats.Onnx;

[TestClass]
public sealed class OnnxModelWriterTests
{
    [TestMethod]
    public void WritingTwiceGivesIdenticalBytes()
    {
        using var temp = new TempFolder();
        var model = CheckerTestModels.Valid();
        model.MetadataProps.Add(new StringStringEntryProto { Key = "b", Value = "2" });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "a", Value = "1" });

        OnnxModelWriter.Write(model, temp.File("one.onnx"));
        OnnxModelWriter.Write(OnnxModelReader.Read(temp.File("one.onnx")), temp.File("two.onnx"));
        using var stream = new MemoryStream();
        OnnxModelWriter.Write(model, stream);

        var one = File.ReadAllBytes(temp.File("one.onnx"));
        CollectionAssert.AreEqual(one, File.ReadAllBytes(temp.File("two.onnx")));
        CollectionAssert.AreEqual(one, stream.ToArray());
        CollectionAssert.AreEqual(one, OnnxModelWriter.ToBytes(model));
    }

    [TestMethod]
    public void ExternalDataOutputIsDeterministic()
    {
        using var a = new TempFolder();
        using var b = new TempFolder();
        var options = new OnnxWriteOptions { ExternalData = true, ExternalDataThreshold = 1, ExternalDataFileName = "weights.bin" };
        var model = OnnxModelReader.Read(OnnxCorpus.Model("pytorch-operator/test_operator_conv/model.onnx"));

        OnnxModelWriter.Write(model, a.File("m.onnx"), options);
        OnnxModelWriter.Write(model.Clone(), b.File("m.onnx"), options);

        CollectionAssert.AreEqual(File.ReadAllBytes(a.File("m.onnx")), File.ReadAllBytes(b.File("m.onnx")));
        CollectionAssert.AreEqual(File.ReadAllBytes(a.File("weights.bin")), File.ReadAllBytes(b.File("weights.bin")));
        Assert.AreEqual(model, OnnxModelReader.Read(a.File("m.onnx"), new OnnxReadOptions { LoadExternalData = true }),
            "raw_data tensors come back byte-identical");
    }

    [TestMethod]
    public void TheSourceModelIsNotModified()
    {
        using var temp = new TempFolder();
        var model = CheckerTestModels.Valid();
        var before = model.Clone();

        OnnxModelWriter.Write(model, temp.File("m.onnx"), new OnnxWriteOptions { ExternalData = true, ExternalDataThreshold = 1 });

        Assert.AreEqual(before, model);
    }

    [TestMethod]
    [DataRow("simple")]
    [DataRow("pytorch-converted")]
    [DataRow("pytorch-operator")]
    [DataRow("light")]
    [DataRow("node")]
    public void CorpusModelsRoundTrip(string folder)
    {
        var failures = new List<string>();
        foreach (var path in OnnxCorpus.Models(folder))
        {
            var model = OnnxModelReader.Read(path);
            var bytes = OnnxModelWriter.ToBytes(model);
            using var stream = new MemoryStream(bytes);
            var again = OnnxModelReader.Read(stream, path);
            if (!model.Equals(again) || !bytes.AsSpan().SequenceEqual(OnnxModelWriter.ToBytes(again)))
            {
                failures.Add(path);
            }
        }

        Assert.IsEmpty(failures, string.Join("\n", failures));
    }

    [TestMethod]
    public void AFailedWriteLeavesNothingBehind()
    {
        using var temp = new TempFolder();
        var path = temp.File("m.onnx");
        File.WriteAllText(path, "previous");
        var options = new OnnxWriteOptions { ExternalData = true, ExternalDataThreshold = 1, ExternalDataFileName = "no/such/folder/w.bin" };

        var e = Assert.ThrowsExactly<BuildConvertException>(() => OnnxModelWriter.Write(CheckerTestModels.Valid(), path, options));

        Assert.AreEqual("BCONV1020", e.Code);
        Assert.AreEqual("previous", File.ReadAllText(path), "the existing file is untouched");
        CollectionAssert.AreEqual(new[] { "m.onnx" }, Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void WritingIntoAMissingFolderIsCoded()
    {
        using var temp = new TempFolder();
        var e = Assert.ThrowsExactly<BuildConvertException>(() => OnnxModelWriter.Write(CheckerTestModels.Valid(), temp.File("missing/m.onnx")));
        Assert.AreEqual("BCONV1020", e.Code);
    }

    [TestMethod]
    public void ADataFileNameOutsideTheFolderIsCallerMisuse()
    {
        using var temp = new TempFolder();
        var options = new OnnxWriteOptions { ExternalData = true, ExternalDataFileName = "../w.bin" };
        Assert.ThrowsExactly<ArgumentException>(() => OnnxModelWriter.Write(CheckerTestModels.Valid(), temp.File("m.onnx"), options));
        Assert.IsEmpty(Directory.GetFileSystemEntries(temp.Path));
    }
}
