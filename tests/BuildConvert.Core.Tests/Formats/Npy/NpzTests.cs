using System.IO.Compression;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Npy;
using BuildConvert.Core.Tests.Formats.Onnx;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Formats.Npy;

[TestClass]
public sealed class NpzTests
{
    [TestMethod]
    public void NumpySavezAndSavezCompressedArchivesDecodeToNumpysValues()
    {
        foreach (var entry in NpyFixtures.Arrays.Where(a => a.TryGetProperty("entries", out _)))
        {
            var file = entry.GetProperty("file").GetString()!;
            var values = NpzReader.Read(NpyFixtures.PathOf(file));
            var expected = entry.GetProperty("entries").EnumerateArray().ToArray();
            Assert.HasCount(expected.Length, values, file);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.AreEqual(expected[i].GetProperty("key").GetString(), values[i].Name, file);
                var problem = NpyFixtures.Compare(values[i], expected[i]);
                Assert.IsNull(problem, $"{file}:{values[i].Name}: {problem}");
            }
        }
    }

    [TestMethod]
    public void WrittenArchivesReadBackAndAreDeterministic()
    {
        var values = NpzReader.Read(NpyFixtures.PathOf("stored.npz")).Concat(NpzReader.Read(NpyFixtures.PathOf("slash_keys.npz"))).ToArray();
        foreach (var compressed in new[] { false, true })
        {
            using var a = new MemoryStream();
            NpzWriter.Write(a, values, compressed);
            using var b = new MemoryStream();
            NpzWriter.Write(b, values, compressed);
            CollectionAssert.AreEqual(a.ToArray(), b.ToArray());
            a.Position = 0;
            var back = NpzReader.Read(a, "mem.npz");
            Assert.HasCount(values.Length, back);
            for (var i = 0; i < values.Length; i++)
            {
                OnnxTensorCodecTests.AssertSameValue(values[i], back[i], values[i].Name);
            }
        }
    }

    [TestMethod]
    [DataRow("../evil.npy")]
    [DataRow("/abs.npy")]
    [DataRow("\\abs.npy")]
    [DataRow("C:/x.npy")]
    [DataRow("a/../../b.npy")]
    [DataRow("a//b.npy")]
    [DataRow("notes.txt")]
    public void UnsafeOrForeignEntryNamesAreRejected(string name)
    {
        var bytes = Zip((name, NpyWriter.ToBytes(TensorValue.FromFloats("x", new long[] { 1 }, new[] { 1f }))));
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => NpzReader.Read(new MemoryStream(bytes), "evil.npz"));
        Assert.AreEqual("BCONV1110", ex.Code);
        Assert.AreEqual("evil.npz", ex.Diagnostics[0].File);
    }

    [TestMethod]
    public void DuplicateKeysTooManyEntriesAndBombsAreRejected()
    {
        var npy = NpyWriter.ToBytes(TensorValue.FromFloats("x", new long[] { 1 }, new[] { 1f }));
        Assert.AreEqual("BCONV1110", Assert.ThrowsExactly<BuildConvertException>(() =>
            NpzReader.Read(new MemoryStream(Zip(("a.npy", npy), ("a.npy", npy))), "dup.npz")).Code);
        Assert.AreEqual("BCONV1110", Assert.ThrowsExactly<BuildConvertException>(() =>
            NpzReader.Read(new MemoryStream(Zip(("a.npy", npy), ("b.npy", npy), ("c.npy", npy))), "many.npz", NpzReadOptions.Default with { MaxEntries = 2 })).Code);

        var zeros = NpyWriter.ToBytes(new TensorValue("z", DataType.Double, new long[] { 1 << 17 }, new byte[8 << 17]));
        var bomb = Zip(compressed: true, ("z.npy", zeros));
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => NpzReader.Read(new MemoryStream(bomb), "bomb.npz", NpzReadOptions.Default with { MaxCompressionRatio = 50, MaxBytesAtAnyRatio = 0 }));
        Assert.AreEqual("BCONV1110", ex.Code);
        StringAssert.Contains(ex.Message, "ratio");
        Assert.AreEqual("BCONV1110", Assert.ThrowsExactly<BuildConvertException>(() =>
            NpzReader.Read(new MemoryStream(bomb), "big.npz", NpzReadOptions.Default with { MaxTotalBytes = 1000 })).Code);
        Assert.HasCount(1, NpzReader.Read(new MemoryStream(bomb), "ok.npz"));
    }

    [TestMethod]
    public void EntriesWhoseSizeFieldsLieAreRejected()
    {
        var npy = NpyWriter.ToBytes(TensorValue.FromFloats("x", new long[] { 4 }, new[] { 1f, 2f, 3f, 4f }));
        foreach (var compressed in new[] { false, true })
        {
            foreach (var delta in new[] { -5, -1, 1, 7, 1 << 20 })
            {
                var zip = Zip(compressed, ("x.npy", npy));
                PatchUncompressedSizes(zip, npy.Length, npy.Length + delta);
                var ex = Assert.ThrowsExactly<BuildConvertException>(() => NpzReader.Read(new MemoryStream(zip), "lie.npz"), $"{compressed} {delta}");
                StringAssert.StartsWith(ex.Code, "BCONV11");
            }
        }
    }

    [TestMethod]
    public void GarbageIsNotAnArchive()
    {
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => NpzReader.Read(new MemoryStream(new byte[] { 1, 2, 3, 4, 5 }), "junk.npz"));
        Assert.AreEqual("BCONV1109", ex.Code);
    }

    internal static byte[] Zip(params (string Name, byte[] Data)[] entries) => Zip(false, entries);

    internal static byte[] Zip(bool compressed, params (string Name, byte[] Data)[] entries)
    {
        using var ms = new MemoryStream();
        using (var archive = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
            {
                var entry = archive.CreateEntry(name, compressed ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
                using var s = entry.Open();
                s.Write(data);
            }
        }

        return ms.ToArray();
    }

    /// <summary>Rewrites the uncompressed-size fields of local and central headers (signatures PK\3\4 and PK\1\2).</summary>
    private static void PatchUncompressedSizes(byte[] zip, int from, int to)
    {
        for (var i = 0; i + 4 <= zip.Length; i++)
        {
            var sig = BitConverter.ToUInt32(zip, i);
            var offset = sig switch { 0x04034b50 => 22, 0x02014b50 => 24, _ => -1 };
            if (offset > 0 && BitConverter.ToInt32(zip, i + offset) == from)
            {
                BitConverter.GetBytes(to).CopyTo(zip, i + offset);
            }
        }
    }
}
