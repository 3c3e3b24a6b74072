using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Npy;
using BuildConvert.Core.Tests.Formats.Onnx;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Formats.Npy;

[TestClass]
public sealed class NpyWriterTests
{
    [TestMethod]
    public void OutputIsByteIdenticalToNumpySaveForLittleEndianCOrderArrays()
    {
        var compared = 0;
        foreach (var file in NpyFixtures.NpyFiles.Where(f => f.Contains("_le_c") || f.Contains("_na_c") || f.Contains("_scalar")
                     || f.Contains("_empty") || f is "f4_1d.npy" or "version_1_0.npy" or "U_le_c.npy").Where(f => !f.StartsWith("S_", StringComparison.Ordinal) && f != "U_empty.npy"))
        {
            var numpyBytes = File.ReadAllBytes(NpyFixtures.PathOf(file));
            var ours = NpyWriter.ToBytes(NpyReader.Read(NpyFixtures.PathOf(file)));
            CollectionAssert.AreEqual(numpyBytes, ours, file);
            compared++;
        }

        Assert.IsGreaterThan(40, compared);
    }

    [TestMethod]
    public void EveryFixtureRoundTripsThroughTheWriter()
    {
        foreach (var file in NpyFixtures.NpyFiles)
        {
            var value = NpyReader.Read(NpyFixtures.PathOf(file));
            var again = NpyReader.Read(NpyWriter.ToBytes(value), value.Name);
            OnnxTensorCodecTests.AssertSameValue(value, again, file);
        }
    }

    [TestMethod]
    public void TypesWithoutANumpyDtypeAreRefusedWithACode()
    {
        foreach (var type in new[] { DataType.Bfloat16, DataType.Float8E4M3Fn, DataType.Int4, DataType.Uint2, DataType.Float4E2M1 })
        {
            var value = new TensorValue("t", type, new long[] { 2 }, new byte[ElementTypes.ByteCount(type, 2)]);
            var ex = Assert.ThrowsExactly<BuildConvertException>(() => NpyWriter.ToBytes(value));
            Assert.AreEqual("BCONV1111", ex.Code);
        }
    }

    [TestMethod]
    public void FailedWritesLeaveNoFile()
    {
        var folder = GoldenTestPaths.NewTempFolder();
        try
        {
            var path = Path.Combine(folder, "x.npy");
            var value = new TensorValue("t", DataType.Bfloat16, new long[] { 1 }, new byte[2]);
            Assert.ThrowsExactly<BuildConvertException>(() => NpyWriter.Write(path, value));
            Assert.IsEmpty(Directory.GetFileSystemEntries(folder), "no file and no staging folder");
            NpyWriter.Write(path, TensorValue.FromFloats("t", new long[] { 1 }, new[] { 1f }));
            CollectionAssert.AreEqual(new[] { path }, Directory.GetFileSystemEntries(folder));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    /// <summary>
    /// Writes files with our writers for eng/fixtures/check-our-npy.py, which checks them with numpy by hand:
    /// <c>/usr/bin/python3 eng/fixtures/check-our-npy.py $TMPDIR/buildconvert-our-npy</c>.
    /// </summary>
    [TestMethod]
    public void WritesFilesForTheNumpyCheckScript()
    {
        var folder = GoldenTestPaths.ScriptOutputFolder("buildconvert-our-npy");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, true);
        }

        Directory.CreateDirectory(folder);
        var values = new List<TensorValue>();
        foreach (var file in NpyFixtures.NpyFiles.Where(f => !f.StartsWith("version_", StringComparison.Ordinal)))
        {
            var value = NpyReader.Read(NpyFixtures.PathOf(file));
            NpyWriter.Write(Path.Combine(folder, file), value);
            values.Add(value);
        }

        NpzWriter.Write(Path.Combine(folder, "all_stored.npz"), values.Where(v => v.Name.EndsWith("_c", StringComparison.Ordinal)).ToArray());
        NpzWriter.Write(Path.Combine(folder, "all_compressed.npz"), values.Where(v => v.Name.EndsWith("_f", StringComparison.Ordinal)).ToArray(), compressed: true);
        File.Copy(Path.Combine(GoldenTestPaths.NpyFixtures, "manifest.json"), Path.Combine(folder, "manifest.json"));
        Assert.IsGreaterThan(80, Directory.GetFiles(folder, "*.npy").Length);
    }
}
