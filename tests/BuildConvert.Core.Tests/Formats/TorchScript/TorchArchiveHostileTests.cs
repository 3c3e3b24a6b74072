using System.Buffers.Binary;
using System.Text;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TorchScript;
using BuildConvert.Core.Tests.Pipeline;

namespace BuildConvert.Core.Tests.Formats.TorchScript;

/// <summary>
/// Archives made to hurt the reader: names that escape the folder, duplicates, zip bombs, sizes past the file, damaged
/// zip structures, storages larger than their entries, views outside their storage. Each is a coded error; nothing is
/// extracted or written (the folder the archive sits in is unchanged afterwards).
/// </summary>
[TestClass]
public sealed class TorchArchiveHostileTests
{
    private static byte[] Valid() => TorchArchives.Standard(TorchArchives.ModuleWithTensor(4, 0, new long[] { 2, 2 }, new long[] { 2, 1 }), TorchArchives.Floats(1, 2, 3, 4)).Build();

    [TestMethod]
    public void TheValidBaselineReads()
    {
        var program = Read(Valid(), out _);
        Assert.AreEqual("__torch__.M", program.Module.QualifiedName);
    }

    [TestMethod]
    [DataRow("m/../evil.txt", "'..' segment")]
    [DataRow("/etc/passwd", "absolute path")]
    [DataRow("m/code\\x.py", "backslash")]
    [DataRow("C:/evil.txt", "drive letter")]
    [DataRow("m/evil\0.txt", "NUL")]
    [DataRow("m/./x", "'.' segment")]
    [DataRow("m//x", "empty segment")]
    public void AnEntryNameThatCouldEscapeIsRefused(string name, string why)
    {
        var zip = TorchArchives.Standard(TorchArchives.ModuleWithTensor(4, 0, new long[] { 4 }, new long[] { 1 }), TorchArchives.Floats(1, 2, 3, 4))
            .Stored(name, Encoding.ASCII.GetBytes("x")).Build();
        var e = Refused(zip, "BCONV1305");
        StringAssert.Contains(e.Message, why);
    }

    [TestMethod]
    public void DuplicateNamesAreRefused()
    {
        var zip = TorchArchives.Standard(TorchArchives.ModuleWithTensor(4, 0, new long[] { 4 }, new long[] { 1 }), TorchArchives.Floats(1, 2, 3, 4))
            .Stored("m/data/0", TorchArchives.Floats(9, 9, 9, 9)).Build();
        StringAssert.Contains(Refused(zip, "BCONV1306").Message, "m/data/0");
    }

    [TestMethod]
    public void AZipBombIsRefusedBeforeItInflates()
    {
        // 256 MiB of zeros deflate to about 256 KiB: a ratio of about 1000:1, which no code file or pickle has.
        var zeros = new byte[256 << 20];
        var zip = TorchArchives.Standard(TorchArchives.ModuleWithTensor(4, 0, new long[] { 4 }, new long[] { 1 }), TorchArchives.Floats(1, 2, 3, 4))
            .Deflated("m/code/__torch__/bomb.py", zeros).Build();
        zeros = null;
        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Refused(zip, "BCONV1307");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        StringAssert.Contains(e.Message, "zip bomb");
        Assert.IsLessThan(16L << 20, allocated, $"refusing the bomb allocated {allocated >> 20} MiB");
    }

    [TestMethod]
    public void AnEntryThatInflatesPastItsDeclaredSizeIsRefused()
    {
        var code = Encoding.UTF8.GetBytes(TorchArchives.Code);
        var zip = new ZipBuilder()
            .Stored("m/data.pkl", TorchArchives.ModuleWithTensor(4, 0, new long[] { 4 }, new long[] { 1 }))
            .Deflated("m/code/__torch__.py", code, declaredSize: 10)
            .Stored("m/constants.pkl", TorchArchives.EmptyConstants)
            .Stored("m/data/0", TorchArchives.Floats(1, 2, 3, 4))
            .Stored("m/version", Encoding.ASCII.GetBytes("3\n")).Build();
        StringAssert.Contains(Refused(zip, "BCONV1307").Message, "inflates to more than");
    }

    [TestMethod]
    public void AnEntryLargerThanTheFileIsRefused()
    {
        var zip = Valid();
        // Declare the first entry (data.pkl, stored) as 1 GiB in the central directory.
        var central = CentralDirectoryOffset(zip);
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(central + 20), 1u << 30);
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(central + 24), 1u << 30);
        StringAssert.Contains(Refused(zip, "BCONV1303").Message, "past the end of the file");
    }

    [TestMethod]
    public void ATruncatedArchiveIsRefused()
    {
        var zip = Valid();
        Refused(zip.AsSpan(0, zip.Length / 2).ToArray(), "BCONV1303");
        Refused(zip.AsSpan(0, zip.Length - 10).ToArray(), "BCONV1303");
    }

    [TestMethod]
    public void ADamagedCentralDirectoryIsRefused()
    {
        var zip = Valid();
        zip[CentralDirectoryOffset(zip)] ^= 0xFF;
        StringAssert.Contains(Refused(zip, "BCONV1304").Message, "central file header signature");

        zip = Valid();
        var central = CentralDirectoryOffset(zip);
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(central + 42), 7); // local header offset into the middle of data
        Refused(zip, "BCONV1304");
    }

    [TestMethod]
    public void OverlappingEntriesAreRefused()
    {
        // The first entry (data.pkl, stored) claims 100 more bytes: its data runs into the next entry's local header.
        var zip = Valid();
        var central = CentralDirectoryOffset(zip);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(central + 20));
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(central + 20), size + 100);
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(central + 24), size + 100);
        StringAssert.Contains(Refused(zip, "BCONV1304").Message, "overlaps");
    }

    [TestMethod]
    public void NotAZipIsRefused()
    {
        var random = new byte[4096];
        new Random(3).NextBytes(random);
        Refused(random, "BCONV1300");
        Refused(Encoding.ASCII.GetBytes("hello"), "BCONV1300");
    }

    [TestMethod]
    public void AStorageLargerThanItsEntryIsRefused()
    {
        // The pickle declares 1,000,000 floats; data/0 holds 4.
        var zip = TorchArchives.Standard(TorchArchives.ModuleWithTensor(1_000_000, 0, new long[] { 4 }, new long[] { 1 }), TorchArchives.Floats(1, 2, 3, 4)).Build();
        StringAssert.Contains(Refused(zip, "BCONV1316").Message, "storage larger than the file");
    }

    [TestMethod]
    [DataRow(0L, new long[] { 5 }, new long[] { 1 })]
    [DataRow(3L, new long[] { 2 }, new long[] { 1 })]
    [DataRow(0L, new long[] { 2, 2 }, new long[] { 3, 1 })]
    [DataRow(-1L, new long[] { 1 }, new long[] { 1 })]
    [DataRow(0L, new long[] { 2 }, new long[] { -1 })]
    public void AViewOutsideItsStorageIsRefused(long offset, long[] size, long[] stride)
    {
        var zip = TorchArchives.Standard(TorchArchives.ModuleWithTensor(4, offset, size, stride), TorchArchives.Floats(1, 2, 3, 4)).Build();
        Refused(zip, "BCONV1317");
    }

    [TestMethod]
    public void AMissingStorageIsRefused()
    {
        var zip = new ZipBuilder()
            .Stored("m/data.pkl", TorchArchives.ModuleWithTensor(4, 0, new long[] { 4 }, new long[] { 1 }))
            .Stored("m/code/__torch__.py", Encoding.UTF8.GetBytes(TorchArchives.Code))
            .Stored("m/constants.pkl", TorchArchives.EmptyConstants)
            .Stored("m/version", Encoding.ASCII.GetBytes("3\n")).Build();
        Refused(zip, "BCONV1315");
    }

    [TestMethod]
    [DataRow("0\n")]
    [DataRow("11\n")]
    [DataRow("three")]
    public void AnUnsupportedVersionIsRefused(string version)
    {
        var zip = new ZipBuilder()
            .Stored("m/data.pkl", TorchArchives.ModuleWithTensor(4, 0, new long[] { 4 }, new long[] { 1 }))
            .Stored("m/code/__torch__.py", Encoding.UTF8.GetBytes(TorchArchives.Code))
            .Stored("m/constants.pkl", TorchArchives.EmptyConstants)
            .Stored("m/data/0", TorchArchives.Floats(1, 2, 3, 4))
            .Stored("m/version", Encoding.ASCII.GetBytes(version)).Build();
        Refused(zip, "BCONV1310");
    }

    [TestMethod]
    public void ADataVersionRecordWinsOverVersion()
    {
        var zip = TorchArchives.Standard(TorchArchives.ModuleWithTensor(4, 0, new long[] { 4 }, new long[] { 1 }), TorchArchives.Floats(1, 2, 3, 4))
            .Stored("m/.data/version", Encoding.ASCII.GetBytes("6\n")).Build();
        var program = Read(zip, out _);
        Assert.AreEqual(6, program.Archive.Version);
        Assert.AreEqual(".data/version", program.Archive.VersionEntry);
    }

    [TestMethod]
    public void AnUnknownByteOrderIsRefused()
    {
        var zip = TorchArchives.Standard(TorchArchives.ModuleWithTensor(4, 0, new long[] { 4 }, new long[] { 1 }), TorchArchives.Floats(1, 2, 3, 4), byteOrder: "middle").Build();
        Refused(zip, "BCONV1311");
    }

    [TestMethod]
    public void EntriesOutsideTheRootFolderAreRefused()
    {
        var zip = TorchArchives.Standard(TorchArchives.ModuleWithTensor(4, 0, new long[] { 4 }, new long[] { 1 }), TorchArchives.Floats(1, 2, 3, 4))
            .Stored("other/data.pkl", TorchArchives.EmptyConstants).Build();
        Refused(zip, "BCONV1309");
    }

    [TestMethod]
    public void AFlippedByteInAPickleFailsItsChecksum()
    {
        var zip = Valid();
        var at = zip.AsSpan().IndexOf(Encoding.ASCII.GetBytes("training"));
        zip[at] = (byte)'T';
        Refused(zip, "BCONV1304");
    }

    /// <summary>Writes <paramref name="zip"/> into a fresh folder, reads it, and checks that it fails with
    /// <paramref name="code"/> and that the folder holds exactly the archive afterwards.</summary>
    internal static BuildConvertException Refused(byte[] zip, string code)
    {
        using var scratch = new ScratchFolder();
        var path = Path.Combine(scratch.Path, "hostile.pt");
        File.WriteAllBytes(path, zip);
        var before = Snapshot(scratch.Path);
        var e = Assert.ThrowsExactly<BuildConvertException>(() => new TorchScriptFormat().Import(path, new Core.Pipeline.ConversionOptions()));
        Assert.AreEqual(code, e.Code, e.Message);
        Assert.AreEqual(before, Snapshot(scratch.Path), "reading the archive changed its folder");
        Assert.IsFalse(File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "PWNED")));
        return e;
    }

    internal static TorchScriptProgram Read(byte[] zip, out string path)
    {
        using var scratch = new ScratchFolder();
        path = Path.Combine(scratch.Path, "archive.pt");
        File.WriteAllBytes(path, zip);
        return TorchScriptProgram.Read(path);
    }

    private static string Snapshot(string folder) => string.Join("\n", Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal).Select(p => $"{Path.GetRelativePath(folder, p)} {(File.Exists(p) ? new FileInfo(p).Length : -1)}"));

    private static int CentralDirectoryOffset(byte[] zip) => (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(zip.Length - 22 + 16));
}
