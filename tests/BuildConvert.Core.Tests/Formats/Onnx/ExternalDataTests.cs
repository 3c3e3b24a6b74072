using System.Diagnostics;
using BuildConvert.Core.Checking;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Tests.Checking;
using Google.Protobuf;

namespace BuildConvert.Core.Tests.Formats.Onnx;

[TestClass]
public sealed class ExternalDataTests
{
    private static readonly OnnxReadOptions Load = new() { LoadExternalData = true };

    [TestMethod]
    public void RoundTripThroughADataFile()
    {
        using var temp = new TempFolder();
        var original = CheckerTestModels.Valid();
        var path = temp.File("model.onnx");

        OnnxModelWriter.Write(original, path, new OnnxWriteOptions { ExternalData = true, ExternalDataThreshold = 16 });

        Assert.IsTrue(File.Exists(temp.File("model.onnx.data")));
        var external = OnnxModelReader.Read(path);
        var w = external.Initializer("W");
        var b = external.Initializer("B");
        Assert.AreEqual(TensorProto.Types.DataLocation.External, w.DataLocation);
        Assert.AreEqual(TensorProto.Types.DataLocation.External, b.DataLocation, "float_data tensors move to the data file too");
        Assert.IsTrue(w.RawData.IsEmpty);
        Assert.AreEqual(0L, long.Parse(w.ExternalData.Single(e => e.Key == "offset").Value) % 64);
        Assert.AreEqual(0L, long.Parse(b.ExternalData.Single(e => e.Key == "offset").Value) % 64);
        Assert.IsEmpty(OnnxChecker.Check(external, path));

        var loaded = OnnxModelReader.Read(path, Load);
        Assert.AreEqual(original.Initializer("W"), loaded.Initializer("W"));
        var expectedB = new byte[16];
        Buffer.BlockCopy(new[] { 1f, 2f, 3f, 4f }, 0, expectedB, 0, 16);
        CollectionAssert.AreEqual(expectedB, loaded.Initializer("B").RawData.ToByteArray());
        Assert.IsEmpty(loaded.Initializer("B").ExternalData);
        Assert.IsEmpty(OnnxChecker.Check(loaded, path));
    }

    [TestMethod]
    public void MissingLengthMeansToTheEndOfTheFile()
    {
        using var temp = new TempFolder();
        var model = ModelWithExternalW("w.bin", offset: 4, length: null);
        File.WriteAllBytes(temp.File("w.bin"), new byte[4 + 48]);
        var path = Save(temp, model);

        var loaded = OnnxModelReader.Read(path, Load);

        Assert.AreEqual(48, loaded.Initializer("W").RawData.Length);
    }

    [TestMethod]
    [DataRow("/etc/passwd", "BCONV1011")]
    [DataRow("../../etc/passwd", "BCONV1012")]
    [DataRow("sub/../../x.bin", "BCONV1012")]
    [DataRow("..\\..\\etc\\passwd", "BCONV1012")]
    [DataRow("C:\\Windows\\win.ini", "BCONV1011")]
    [DataRow("missing.bin", "BCONV1015")]
    [DataRow("", "BCONV1010")]
    public void LocationRulesAreEnforcedByTheReaderAndTheChecker(string location, string code)
    {
        using var temp = new TempFolder();
        var path = Save(temp, ModelWithExternalW(location, 0, 48));

        var e = Assert.ThrowsExactly<BuildConvertException>(() => OnnxModelReader.Read(path, Load));
        Assert.AreEqual(code, e.Code, e.Message);
        StringAssert.Contains(e.Message, "'W'");

        var problems = OnnxChecker.CheckFile(path);
        CollectionAssert.Contains(problems.Select(p => p.Code).ToArray(), code);
    }

    [TestMethod]
    public void RangePastTheEndOfTheFileIsRejected()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("w.bin"), new byte[40]);
        var path = Save(temp, ModelWithExternalW("w.bin", 0, 48));

        Assert.AreEqual("BCONV1016", Assert.ThrowsExactly<BuildConvertException>(() => OnnxModelReader.Read(path, Load)).Code);
        Assert.AreEqual("BCONV1016", OnnxChecker.CheckFile(path).Single().Code);
    }

    [TestMethod]
    public void LengthNotMatchingTheShapeIsRejected()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("w.bin"), new byte[100]);
        var path = Save(temp, ModelWithExternalW("w.bin", 0, 44));

        Assert.AreEqual("BCONV1017", Assert.ThrowsExactly<BuildConvertException>(() => OnnxModelReader.Read(path, Load)).Code);
    }

    [TestMethod]
    public void SymbolicLinkToAFileOutsideIsRejectedWithoutOpeningIt()
    {
        using var outside = new TempFolder();
        using var temp = new TempFolder();
        var target = outside.File("secret.fifo");
        MakeFifoOrSkip(target);
        File.CreateSymbolicLink(temp.File("w.bin"), target);
        var path = Save(temp, ModelWithExternalW("w.bin", 0, 48));

        var e = RunBounded(() => Assert.ThrowsExactly<BuildConvertException>(() => OnnxModelReader.Read(path, Load)));
        Assert.AreEqual("BCONV1013", e.Code);
        Assert.AreEqual("BCONV1013", RunBounded(() => OnnxChecker.CheckFile(path)).Single().Code);
    }

    [TestMethod]
    public void SymbolicLinkedFolderIsRejected()
    {
        using var outside = new TempFolder();
        using var temp = new TempFolder();
        File.WriteAllBytes(outside.File("w.bin"), new byte[48]);
        Directory.CreateSymbolicLink(temp.File("sub"), outside.Path);
        var path = Save(temp, ModelWithExternalW("sub/w.bin", 0, 48));

        Assert.AreEqual("BCONV1013", Assert.ThrowsExactly<BuildConvertException>(() => OnnxModelReader.Read(path, Load)).Code);
    }

    [TestMethod]
    public void TraversalToAFifoIsRejectedWithoutOpeningIt()
    {
        using var temp = new TempFolder();
        var modelFolder = Directory.CreateDirectory(temp.File("model")).FullName;
        MakeFifoOrSkip(temp.File("secret.fifo"));
        var path = Path.Combine(modelFolder, "model.onnx");
        OnnxModelWriter.Write(ModelWithExternalW("../secret.fifo", 0, 48), path);

        var e = RunBounded(() => Assert.ThrowsExactly<BuildConvertException>(() => OnnxModelReader.Read(path, Load)));
        Assert.AreEqual("BCONV1012", e.Code);
    }

    [TestMethod]
    public void AFifoInsideTheFolderIsNeverOpened()
    {
        using var temp = new TempFolder();
        MakeFifoOrSkip(temp.File("w.bin"));
        var path = Save(temp, ModelWithExternalW("w.bin", 0, 48));

        var e = RunBounded(() => Assert.ThrowsExactly<BuildConvertException>(() => OnnxModelReader.Read(path, Load)));
        var checker = RunBounded(() => BuildConvert.Core.Checking.OnnxChecker.CheckFile(path));

        // Not "past the end of its file" (BCONV1016): a FIFO is not a regular file at all.
        Assert.AreEqual("BCONV1015", e.Code);
        StringAssert.Contains(e.Message, "not a regular file");
        CollectionAssert.Contains(checker.Select(d => d.Code).ToArray(), "BCONV1015");
    }

    [TestMethod]
    public void An_empty_data_file_for_a_non_empty_tensor_is_BCONV1015()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("w.bin"), Array.Empty<byte>());
        var path = Save(temp, ModelWithExternalW("w.bin", 0, null));

        Assert.AreEqual("BCONV1015", Assert.ThrowsExactly<BuildConvertException>(() => OnnxModelReader.Read(path, Load)).Code);
    }

    [TestMethod]
    public void ReadingWithoutLoadingNeverTouchesTheLocation()
    {
        using var temp = new TempFolder();
        var path = Save(temp, ModelWithExternalW("../../etc/passwd", 0, 48));

        var model = OnnxModelReader.Read(path);

        Assert.AreEqual(TensorProto.Types.DataLocation.External, model.Initializer("W").DataLocation);
    }

    private static ModelProto ModelWithExternalW(string location, long offset, long? length)
    {
        var model = CheckerTestModels.Valid();
        var w = model.Initializer("W");
        w.RawData = ByteString.Empty;
        w.DataLocation = TensorProto.Types.DataLocation.External;
        w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        w.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString() });
        if (length is not null)
        {
            w.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.Value.ToString() });
        }

        return model;
    }

    private static string Save(TempFolder temp, ModelProto model)
    {
        var path = temp.File("model.onnx");
        OnnxModelWriter.Write(model, path);
        return path;
    }

    private static T RunBounded<T>(Func<T> action)
    {
        var task = Task.Run(action);
        if (!task.Wait(TimeSpan.FromSeconds(20)))
        {
            Assert.Fail("the operation blocked: it must have opened the FIFO");
        }

        return task.GetAwaiter().GetResult();
    }

    private static void MakeFifoOrSkip(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Assert.Inconclusive("FIFOs need a Unix system");
        }

        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false });
        mkfifo!.WaitForExit();
        if (mkfifo.ExitCode != 0)
        {
            Assert.Inconclusive($"mkfifo failed with exit status {mkfifo.ExitCode}");
        }
    }
}
