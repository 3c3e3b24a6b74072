using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Tests.Formats;
using BuildConvert.Core.Tests.Formats.Onnx;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Golden;

[TestClass]
public sealed class OnnxTestLayoutTests
{
    [TestMethod]
    public void WrittenDataSetsReadBackInNumericOrder()
    {
        var folder = GoldenTestPaths.NewTempFolder();
        try
        {
            var sets = Enumerable.Range(0, 12).Select(n => new GoldenDataSet(
                $"s{n}",
                new DataValue[] { TensorValue.FromFloats("x", new long[] { 2 }, new[] { n, 1f }), Int64("k", n) },
                new DataValue[]
                {
                    TensorValue.FromFloats("y", new long[] { 1 }, new[] { n * 2f }),
                    new SequenceValue("seq", 1, new DataValue[] { Int64("", n) }),
                })).ToArray();
            OnnxTestLayout.Write(folder, sets);
            Assert.IsEmpty(Directory.GetDirectories(Path.GetDirectoryName(folder)!, "." + Path.GetFileName(folder) + ".*"), "no staging folder is left");

            var model = MakeModel();
            var read = GoldenData.Load(folder, model);
            Assert.HasCount(12, read);
            for (var n = 0; n < 12; n++)
            {
                Assert.AreEqual($"test_data_set_{n}", read[n].Name);
                OnnxTensorCodecTests.AssertSameValue(sets[n].Inputs[0], read[n].Inputs[0], "x");
                OnnxTensorCodecTests.AssertSameValue(sets[n].Outputs[1], read[n].Outputs[1], "seq");
                Assert.AreEqual(Path.Combine(folder, $"test_data_set_{n}", "output_1.pb"), read[n].OutputFile("seq"));
                Assert.AreEqual(Path.Combine(folder, $"test_data_set_{n}", "output_0.pb"), read[n].OutputFile(0));
            }

            OnnxTestLayout.Write(folder, sets.Take(2).ToArray());
            Assert.HasCount(2, GoldenData.Load(folder, model));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [TestMethod]
    public void UnnamedProtosTakeTheGraphNameAtTheirPositionSkippingInitializers()
    {
        var folder = GoldenTestPaths.NewTempFolder();
        try
        {
            var ds = Path.Combine(folder, "test_data_set_0");
            Directory.CreateDirectory(ds);
            File.WriteAllBytes(Path.Combine(ds, "input_0.pb"), OnnxTestLayout.ToBytes(TensorValue.FromFloats("", new long[] { 2 }, new[] { 1f, 2f })));
            File.WriteAllBytes(Path.Combine(ds, "input_1.pb"), OnnxTestLayout.ToBytes(Int64("", 3)));
            File.WriteAllBytes(Path.Combine(ds, "output_0.pb"), OnnxTestLayout.ToBytes(TensorValue.FromFloats("", new long[] { 1 }, new[] { 1f })));
            File.WriteAllBytes(Path.Combine(ds, "output_1.pb"), OnnxTestLayout.ToBytes(new SequenceValue("", 1, Array.Empty<DataValue>())));
            File.WriteAllText(Path.Combine(ds, "notes.txt"), "ignored");

            var set = GoldenData.Load(folder, MakeModel()).Single();
            CollectionAssert.AreEqual(new[] { "x", "k" }, set.Inputs.Select(i => i.Name).ToArray());
            CollectionAssert.AreEqual(new[] { "y", "seq" }, set.Outputs.Select(i => i.Name).ToArray());
            Assert.IsInstanceOfType<SequenceValue>(set.Outputs[1]);

            File.Delete(Path.Combine(ds, "output_1.pb"));
            var noModel = GoldenData.Load(folder, null).Single();
            Assert.AreEqual("", noModel.Inputs[0].Name);
            Assert.IsInstanceOfType<TensorValue>(noModel.Outputs[0]);

            var single = GoldenData.Load(ds, null).Single();
            Assert.AreEqual("test_data_set_0", single.Name);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [TestMethod]
    [DataRow(new[] { "input_0.pb", "input_2.pb", "output_0.pb" }, "BCONV1101")]
    [DataRow(new[] { "input_1.pb", "output_0.pb" }, "BCONV1101")]
    [DataRow(new[] { "input_0.pb", "input_00.pb", "output_0.pb" }, "BCONV1101")]
    [DataRow(new[] { "input_0.pb" }, "BCONV1101")]
    public void BadNumberingIsRejected(string[] files, string code)
    {
        var folder = GoldenTestPaths.NewTempFolder();
        try
        {
            var ds = Path.Combine(folder, "test_data_set_0");
            Directory.CreateDirectory(ds);
            foreach (var f in files)
            {
                File.WriteAllBytes(Path.Combine(ds, f), OnnxTestLayout.ToBytes(Int64("", 1)));
            }

            var ex = Assert.ThrowsExactly<BuildConvertException>(() => GoldenData.Load(folder, null));
            Assert.AreEqual(code, ex.Code);
            Assert.IsNotNull(ex.Diagnostics[0].File);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [TestMethod]
    public void MissingOrEmptyFoldersAreNotGoldenData()
    {
        var folder = GoldenTestPaths.NewTempFolder();
        try
        {
            Assert.AreEqual("BCONV1100", Assert.ThrowsExactly<BuildConvertException>(() => GoldenData.Load(folder, null)).Code);
            Assert.AreEqual("BCONV1100", Assert.ThrowsExactly<BuildConvertException>(() => GoldenData.Load(Path.Combine(folder, "nope"), null)).Code);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [TestMethod]
    public void GarbageProtoBytesGiveCodedErrors()
    {
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => OnnxTestLayout.ParseValue(new byte[] { 0x0A, 0xFF, 0xFF }, null, "", "bad.pb"));
        Assert.AreEqual("BCONV1102", ex.Code);
        Assert.AreEqual("bad.pb", ex.Diagnostics[0].File);
    }

    [TestMethod]
    public void AFailedWriteLeavesTheFolderAsItWas()
    {
        var folder = GoldenTestPaths.NewTempFolder();
        try
        {
            var good = new GoldenDataSet("g", Array.Empty<DataValue>(), new DataValue[] { Int64("y", 1) });
            OnnxTestLayout.Write(folder, new[] { good });
            var before = File.ReadAllBytes(Path.Combine(folder, "test_data_set_0", "output_0.pb"));
            var bad = new GoldenDataSet("b", Array.Empty<DataValue>(), new DataValue[] { new TensorValue("y", DataType.Float, new long[] { 3 }, new byte[5]) });
            Assert.ThrowsExactly<ArgumentException>(() => OnnxTestLayout.Write(folder, new[] { good, bad }));
            CollectionAssert.AreEqual(new[] { Path.Combine(folder, "test_data_set_0") }, Directory.GetDirectories(folder));
            CollectionAssert.AreEqual(before, File.ReadAllBytes(Path.Combine(folder, "test_data_set_0", "output_0.pb")));
            Assert.IsEmpty(Directory.GetDirectories(Path.GetDirectoryName(folder)!, "." + Path.GetFileName(folder) + ".*"), "no staging folder is left");
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [TestMethod]
    public void UnreadableFilesGiveTheIoCode()
    {
        var folder = GoldenTestPaths.NewTempFolder();
        try
        {
            Assert.AreEqual("BCONV1112", Assert.ThrowsExactly<BuildConvertException>(() => OnnxTestLayout.ReadValueFile(Path.Combine(folder, "missing.pb"), null)).Code);
            Assert.AreEqual("BCONV1112", Assert.ThrowsExactly<BuildConvertException>(() => BuildConvert.Core.Formats.Npy.NpyReader.Read(folder)).Code);
            Assert.AreEqual("BCONV1112", Assert.ThrowsExactly<BuildConvertException>(() => BuildConvert.Core.Formats.Npy.NpzReader.Read(Path.Combine(folder, "none.npz"))).Code);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    internal static ModelProto MakeModel()
    {
        var graph = new GraphProto { Name = "g" };
        graph.Initializer.Add(new TensorProto { Name = "w", DataType = 1, Dims = { 1 }, FloatData = { 1 } });
        graph.Input.Add(TensorInfo("w", DataType.Float));
        graph.Input.Add(TensorInfo("x", DataType.Float));
        graph.Input.Add(TensorInfo("k", DataType.Int64));
        graph.Output.Add(TensorInfo("y", DataType.Float));
        graph.Output.Add(new ValueInfoProto
        {
            Name = "seq",
            Type = new TypeProto { SequenceType = new TypeProto.Types.Sequence { ElemType = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 7 } } } },
        });
        return new ModelProto { IrVersion = 8, Graph = graph };
    }

    private static ValueInfoProto TensorInfo(string name, DataType type) =>
        new() { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } } };

    private static TensorValue Int64(string name, long value) =>
        new(name, DataType.Int64, Array.Empty<long>(), BitConverter.GetBytes(value));
}
