using System.IO.Compression;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Tests.Checking;
using AttributeType = BuildConvert.Core.Formats.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace BuildConvert.Core.Tests.Formats.Onnx;

[TestClass]
public sealed class OnnxModelReaderTests
{
    private const string SmallModel = "node/test_abs/model.onnx";

    [TestMethod]
    public void ReadsACorpusModel()
    {
        var model = OnnxModelReader.Read(OnnxCorpus.Model(SmallModel));

        Assert.AreEqual("Abs", model.Graph.Node.Single().OpType);
        Assert.IsGreaterThan(0L, model.IrVersion);
    }

    [TestMethod]
    public void MissingFileIsCoded()
    {
        using var temp = new TempFolder();
        var e = Assert.ThrowsExactly<BuildConvertException>(() => OnnxModelReader.Read(temp.File("nope.onnx")));
        Assert.AreEqual("BCONV1001", e.Code);
        Assert.AreEqual(temp.File("nope.onnx"), e.Diagnostics[0].File);
    }

    [TestMethod]
    public void EmptyFileIsCoded()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("empty.onnx"), []);
        AssertCode("BCONV1002", temp.File("empty.onnx"));
    }

    [TestMethod]
    public void AFifoAsTheModelIsRejectedWithoutBlocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("FIFOs need Linux");
        }

        using var temp = new TempFolder();
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [temp.File("model.onnx")]))
        {
            mkfifo.WaitForExit();
        }

        var read = Task.Run(() => Assert.ThrowsExactly<BuildConvertException>(() => OnnxModelReader.Read(temp.File("model.onnx"))));
        Assert.IsTrue(read.Wait(TimeSpan.FromSeconds(20)), "reading blocked on the FIFO");
        Assert.AreEqual("BCONV1002", read.Result.Code);
    }

    [TestMethod]
    public void TruncatedFileIsCoded()
    {
        using var temp = new TempFolder();
        var bytes = File.ReadAllBytes(OnnxCorpus.Model("pytorch-operator/test_operator_conv/model.onnx"));
        File.WriteAllBytes(temp.File("cut.onnx"), bytes[..(bytes.Length / 2)]);
        AssertCode("BCONV1003", temp.File("cut.onnx"));
    }

    [TestMethod]
    public void RandomBytesAreCoded()
    {
        using var temp = new TempFolder();
        var random = new Random(1234);
        for (var i = 0; i < 20; i++)
        {
            var bytes = new byte[random.Next(1, 4000)];
            random.NextBytes(bytes);
            File.WriteAllBytes(temp.File("r.onnx"), bytes);
            var e = Assert.ThrowsExactly<BuildConvertException>(() => OnnxModelReader.Read(temp.File("r.onnx")));
            CollectionAssert.Contains(new[] { "BCONV1003", "BCONV1004", "BCONV1005" }, e.Code, e.Message);
        }
    }

    [TestMethod]
    public void ZipArchiveIsNotAModel()
    {
        using var temp = new TempFolder();
        using (var zip = ZipFile.Open(temp.File("model.onnx"), ZipArchiveMode.Create))
        {
            var entry = zip.CreateEntry("data.pkl");
            using var s = entry.Open();
            s.Write("hello"u8);
        }

        var e = AssertCode("BCONV1005", temp.File("model.onnx"));
        StringAssert.Contains(e.Message, "zip");
    }

    [TestMethod]
    public void TextFileIsNotAModel()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("model.onnx"), "ir_version: 8\ngraph { node { op_type: \"Relu\" } }\n");
        var e = AssertCode("BCONV1005", temp.File("model.onnx"));
        StringAssert.Contains(e.Message, "text");
    }

    [TestMethod]
    public void Hdf5FileIsNotAModel()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("model.onnx"), [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
        AssertCode("BCONV1005", temp.File("model.onnx"));
    }

    [TestMethod]
    public void NestingBeyondTheRecursionLimitIsCoded()
    {
        using var temp = new TempFolder();
        var model = CheckerTestModels.Valid();
        var graph = model.Graph;
        for (var i = 0; i < 60; i++)
        {
            var inner = new GraphProto { Name = $"g{i}" };
            var node = CheckerTestModels.Node("If", ["C"], [$"o{i}"], $"if{i}");
            node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeType.Graph, G = inner });
            graph.Node.Add(node);
            graph = inner;
        }

        OnnxModelWriter.Write(model, temp.File("deep.onnx"));
        AssertCode("BCONV1006", temp.File("deep.onnx"));
        Assert.IsNotNull(OnnxModelReader.Read(temp.File("deep.onnx"), new OnnxReadOptions { RecursionLimit = 1000 }).Graph);
    }

    [TestMethod]
    public void ReadsFromAStream()
    {
        using var stream = File.OpenRead(OnnxCorpus.Model(SmallModel));
        var model = OnnxModelReader.Read(stream, "abs");
        Assert.AreEqual("Abs", model.Graph.Node[0].OpType);
    }

    [TestMethod]
    public void WeightsAreHeldOnceWhileReading()
    {
        using var temp = new TempFolder();
        var model = CheckerTestModels.Valid();
        var big = new TensorProto { Name = "Big", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 16, 1024, 1024 } };
        big.RawData = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(new byte[64L << 20]);
        model.Graph.Initializer.Add(big);
        OnnxModelWriter.Write(model, temp.File("big.onnx"));
        var size = new FileInfo(temp.File("big.onnx")).Length;

        var before = GC.GetAllocatedBytesForCurrentThread();
        var read = OnnxModelReader.Read(temp.File("big.onnx"));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.AreEqual(64L << 20, read.Initializer("Big").RawData.Length);
        Assert.IsLessThan(size + (size / 10), allocated, $"reading a {size}-byte model allocated {allocated} bytes");
    }

    private static BuildConvertException AssertCode(string code, string path)
    {
        var e = Assert.ThrowsExactly<BuildConvertException>(() => OnnxModelReader.Read(path));
        Assert.AreEqual(code, e.Code, e.Message);
        Assert.AreEqual(path, e.Diagnostics[0].File);
        StringAssert.Contains(e.Message, path);
        return e;
    }
}
