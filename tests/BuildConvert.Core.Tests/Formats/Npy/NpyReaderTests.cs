using System.Buffers.Binary;
using System.Text;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Npy;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Formats.Npy;

[TestClass]
public sealed class NpyReaderTests
{
    [TestMethod]
    public void EveryNumpyFixtureDecodesToTheValuesNumpyReports()
    {
        var failures = new List<string>();
        var checkedFiles = 0;
        var descrs = new HashSet<string>();
        foreach (var entry in NpyFixtures.Arrays.Where(a => !a.TryGetProperty("entries", out _)))
        {
            var file = entry.GetProperty("file").GetString()!;
            var value = NpyReader.Read(NpyFixtures.PathOf(file));
            Assert.AreEqual(Path.GetFileNameWithoutExtension(file), value.Name);
            descrs.Add(entry.GetProperty("descr").GetString()!);
            var problem = NpyFixtures.Compare(value, entry);
            if (problem is not null)
            {
                failures.Add($"{file}: {problem}");
            }

            checkedFiles++;
        }

        Assert.IsEmpty(failures, string.Join("\n", failures));
        Assert.IsGreaterThan(90, checkedFiles);
        foreach (var d in new[] { "|b1", "|i1", "|u1", "<i2", ">i2", "<u2", ">u2", "<i4", ">i4", "<u4", ">u4", "<i8", ">i8", "<u8", ">u8",
                     "<f2", ">f2", "<f4", ">f4", "<f8", ">f8", "<c8", ">c8", "<c16", ">c16", "<U12", ">U12", "|S8" })
        {
            Assert.Contains(d, descrs, $"no fixture with dtype {d}");
        }
    }

    [TestMethod]
    public void HeadersOfFortranAndVersionFixturesAreParsed()
    {
        foreach (var file in new[] { "f8_be_f.npy", "version_2_0.npy", "version_3_0.npy", "version_3_0_unicode.npy", "U_scalar.npy" })
        {
            using var stream = File.OpenRead(NpyFixtures.PathOf(file));
            var header = NpyHeader.Read(stream, stream.Length, file);
            var expected = NpyFixtures.Arrays.Single(a => a.GetProperty("file").GetString() == file);
            Assert.AreEqual(expected.GetProperty("descr").GetString(), header.Descr, file);
            Assert.AreEqual(expected.GetProperty("fortran_order").GetBoolean(), header.FortranOrder, file);
            Assert.AreEqual(0, header.DataOffset % 16, file);
        }

        using var v2 = File.OpenRead(NpyFixtures.PathOf("version_2_0.npy"));
        Assert.AreEqual(2, NpyHeader.Read(v2, v2.Length, null).MajorVersion);
    }

    [TestMethod]
    public void ObjectStructuredDatetimeAndLongDoubleArraysAreRejected()
    {
        var count = 0;
        foreach (var entry in NpyFixtures.Rejected)
        {
            var file = entry.GetProperty("file").GetString()!;
            var path = NpyFixtures.PathOf(file);
            var ex = Assert.ThrowsExactly<BuildConvertException>(() =>
            {
                if (file.EndsWith(".npz", StringComparison.Ordinal))
                {
                    NpzReader.Read(path);
                }
                else
                {
                    NpyReader.Read(path);
                }
            });
            Assert.AreEqual(entry.GetProperty("code").GetString(), ex.Code, file);
            count++;
        }

        Assert.AreEqual(5, count);
    }

    [TestMethod]
    public void DeclaredSizesAreCheckedBeforeAllocating()
    {
        var huge = Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }", new byte[8]);
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => NpyReader.Read(huge, "x", "huge.npy"));
        Assert.AreEqual("BCONV1108", ex.Code);
        StringAssert.Contains(ex.Message, "8000000000000");

        var overflow = Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", Array.Empty<byte>());
        Assert.AreEqual("BCONV1106", Assert.ThrowsExactly<BuildConvertException>(() => NpyReader.Read(overflow, "x")).Code);

        var longHeader = new byte[64];
        NpyHeader.Magic.CopyTo(longHeader);
        longHeader[6] = 2;
        BinaryPrimitives.WriteUInt32LittleEndian(longHeader.AsSpan(8), 0xFFFFFFF0);
        Assert.AreEqual("BCONV1106", Assert.ThrowsExactly<BuildConvertException>(() => NpyReader.Read(longHeader, "x")).Code);

        var trailing = Npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", new byte[8]);
        Assert.AreEqual("BCONV1108", Assert.ThrowsExactly<BuildConvertException>(() => NpyReader.Read(trailing, "x")).Code);
    }

    [TestMethod]
    [DataRow("{'descr': '<f4', 'fortran_order': False}", "BCONV1106")]
    [DataRow("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "BCONV1106")]
    [DataRow("{'descr': '<f4', 'fortran_order': maybe, 'shape': (2,), }", "BCONV1106")]
    [DataRow("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", "BCONV1106")]
    [DataRow("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", "BCONV1106")]
    [DataRow("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } junk", "BCONV1106")]
    [DataRow("['descr']", "BCONV1106")]
    [DataRow("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (2,), }", "BCONV1107")]
    [DataRow("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", "BCONV1107")]
    [DataRow("{'descr': '<f16', 'fortran_order': False, 'shape': (2,), }", "BCONV1107")]
    [DataRow("{'descr': '<M8[D]', 'fortran_order': False, 'shape': (2,), }", "BCONV1107")]
    [DataRow("{'descr': '<i3', 'fortran_order': False, 'shape': (2,), }", "BCONV1107")]
    [DataRow("{'descr': '|V8', 'fortran_order': False, 'shape': (2,), }", "BCONV1107")]
    public void MalformedHeadersGiveCodedErrors(string dict, string code)
    {
        var bytes = Npy(dict, new byte[8]);
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => NpyReader.Read(bytes, "x", "bad.npy"));
        Assert.AreEqual(code, ex.Code, ex.Message);
        Assert.AreEqual("bad.npy", ex.Diagnostics[0].File);
    }

    [TestMethod]
    [DataRow("=i4")]
    [DataRow("|i4")]
    [DataRow("<i4")]
    [DataRow("i4")]
    public void NativeAndUnmarkedByteOrdersReadAsLittleEndian(string descr)
    {
        var value = NpyReader.Read(Npy($"{{'descr': '{descr}', 'fortran_order': False, 'shape': (2,), }}", new byte[] { 1, 0, 0, 0, 0, 1, 0, 0 }), "x");
        Assert.AreEqual(DataType.Int32, value.ElementType);
        Assert.AreEqual(1.0, value.GetDouble(0));
        Assert.AreEqual(256.0, value.GetDouble(1));
    }

    [TestMethod]
    public void PythonTwoStyleLongsAndDoubleQuotesAreAccepted()
    {
        var bytes = Npy("{\"descr\": \"<i2\", \"fortran_order\": True, \"shape\": (2L, 1L)}", new byte[] { 1, 0, 2, 0 });
        var value = NpyReader.Read(bytes, "x");
        CollectionAssert.AreEqual(new long[] { 2, 1 }, value.Shape);
        Assert.AreEqual(2.0, value.GetDouble(1));
    }

    [TestMethod]
    public void BoolBytesAreNormalizedAndInvalidCodePointsRejected()
    {
        var b = NpyReader.Read(Npy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", new byte[] { 0, 7, 1 }), "b");
        CollectionAssert.AreEqual(new byte[] { 0, 1, 1 }, b.Data.ToArray());
        var bad = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bad, 0xD800);
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => NpyReader.Read(Npy("{'descr': '<U1', 'fortran_order': False, 'shape': (1,), }", bad), "s"));
        Assert.AreEqual("BCONV1108", ex.Code);
    }

    internal static byte[] Npy(string dict, byte[] data, int major = 1)
    {
        var header = Encoding.Latin1.GetBytes(dict + "\n");
        var prefix = major == 1 ? 10 : 12;
        var result = new byte[prefix + header.Length + data.Length];
        NpyHeader.Magic.CopyTo(result);
        result[6] = (byte)major;
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), (ushort)header.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(8), (uint)header.Length);
        }

        header.CopyTo(result, prefix);
        data.CopyTo(result, prefix + header.Length);
        return result;
    }
}
