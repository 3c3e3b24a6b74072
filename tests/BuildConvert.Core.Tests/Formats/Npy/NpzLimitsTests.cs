using System.Diagnostics;
using System.IO.Compression;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Npy;
using BuildConvert.Core.Tests.Formats.Onnx;

namespace BuildConvert.Core.Tests.Formats.Npy;

/// <summary>The .npz reader against zip bombs and damaged members: refused before inflating, or while reading, coded.</summary>
[TestClass]
public sealed class NpzLimitsTests
{
    [TestMethod]
    public void A_member_inflating_past_the_ratio_limit_is_refused_before_inflating()
    {
        using var temp = new TempFolder();
        var path = temp.File("bomb.npz");
        NpzBombs.WriteZeros(path, ("y", 64L << 20)); // 256 MiB of zeros: deflate packs it about 1,000:1
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();

        var error = Assert.ThrowsExactly<BuildConvertException>(() => NpzReader.Read(path));

        Assert.AreEqual("BCONV1110", error.Diagnostics.Single().Code);
        StringAssert.Contains(error.Message, "past the ratio limit of 200");
        Assert.IsLessThan(16L << 20, GC.GetTotalAllocatedBytes(precise: true) - before, "nothing may be inflated");
        Assert.IsLessThan(2.0, clock.Elapsed.TotalSeconds);
    }

    [TestMethod]
    public void A_member_larger_than_the_model_declares_is_refused_at_any_ratio_and_one_within_it_is_read()
    {
        using var temp = new TempFolder();
        var path = temp.File("outputs.npz");
        NpzBombs.WriteZeros(path, ("y", 1L << 20), ("z", 1L << 20));
        var declared = new Dictionary<string, long> { ["y"] = 16L << 20, ["z"] = 16 * 1000 };

        var error = Assert.ThrowsExactly<BuildConvertException>(() => NpzReader.Read(path, NpzReadOptions.Default with { ExpectedDataBytes = declared }));
        var values = NpzReader.Read(path, NpzReadOptions.Default with { ExpectedDataBytes = new Dictionary<string, long> { ["y"] = 16L << 20, ["z"] = 16L << 20 } });

        Assert.AreEqual("BCONV1110", error.Diagnostics.Single().Code);
        StringAssert.Contains(error.Message, "the model's value 'z' needs 16000");
        CollectionAssert.AreEqual(new[] { "y", "z" }, values.Select(v => v.Name).ToArray());
    }

    [TestMethod]
    public void ReadKeys_lists_a_huge_member_without_inflating_it()
    {
        using var temp = new TempFolder();
        var path = temp.File("inputs.npz");
        NpzBombs.WriteZeros(path, ("unused", 256L << 20));
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var keys = NpzReader.ReadKeys(path, NpzReadOptions.Default with { ExpectedDataBytes = new Dictionary<string, long> { ["unused"] = 16L << 30 } });

        CollectionAssert.AreEqual(new[] { "unused" }, keys.ToArray());
        Assert.IsLessThan(16L << 20, GC.GetTotalAllocatedBytes(precise: true) - before);
    }

    [TestMethod]
    public void A_member_whose_bytes_do_not_match_its_CRC_is_BCONV1116()
    {
        using var temp = new TempFolder();
        var path = temp.File("stored.npz");
        using (var file = File.Create(path))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            using var stream = zip.CreateEntry("y.npy", CompressionLevel.NoCompression).Open();
            stream.Write(NpzBombs.FloatVectorHeader(4));
            stream.Write(new byte[16]);
        }

        // Flip one data byte of the stored (uncompressed) member: the last 16 data bytes sit right before the central directory.
        var bytes = File.ReadAllBytes(path);
        var data = IndexOf(bytes, NpzBombs.FloatVectorHeader(4)) + NpzBombs.FloatVectorHeader(4).Length;
        bytes[data + 3] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        var error = Assert.ThrowsExactly<BuildConvertException>(() => NpzReader.Read(path));

        Assert.AreEqual("BCONV1116", error.Diagnostics.Single().Code);
        StringAssert.Contains(error.Message, "CRC-32");
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        throw new AssertFailedException("needle not found");
    }
}
