using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Npy;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Tests.Formats;
using BuildConvert.Core.Tests.Formats.Onnx;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Golden;

[TestClass]
public sealed class GoldenDataTests
{
    [TestMethod]
    public void NpzLayoutLoadsInGraphOrderWithTheArchiveAsTheFile()
    {
        var folder = GoldenTestPaths.NewTempFolder();
        try
        {
            var set = new GoldenDataSet("any",
                new DataValue[] { Int64("k", 4), TensorValue.FromFloats("x", new long[] { 2 }, new[] { 1f, 2f }) },
                new DataValue[] { TensorValue.FromFloats("y", new long[] { 1 }, new[] { 3f }) });
            GoldenData.WriteNpz(folder, set);
            Assert.AreEqual(GoldenLayout.Npz, GoldenData.DetectLayout(folder));

            var loaded = GoldenData.Load(folder, OnnxTestLayoutTests.MakeModel()).Single();
            Assert.AreEqual(GoldenData.NpzDataSetName, loaded.Name);
            CollectionAssert.AreEqual(new[] { "x", "k" }, loaded.Inputs.Select(v => v.Name).ToArray());
            OnnxTensorCodecTests.AssertSameValue(set.Inputs[1], loaded.Inputs[0], "x");
            Assert.AreEqual(Path.Combine(folder, "outputs.npz"), loaded.OutputFile("y"));

            var noModel = GoldenData.Load(folder, null).Single();
            CollectionAssert.AreEqual(new[] { "k", "x" }, noModel.Inputs.Select(v => v.Name).ToArray());

            File.Delete(Path.Combine(folder, "outputs.npz"));
            Assert.AreEqual("BCONV1100", Assert.ThrowsExactly<BuildConvertException>(() => GoldenData.Load(folder, null)).Code);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [TestMethod]
    public void NpyFoldersLayoutLoads()
    {
        var folder = GoldenTestPaths.NewTempFolder();
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "inputs"));
            Directory.CreateDirectory(Path.Combine(folder, "outputs"));
            File.Copy(Path.Combine(GoldenTestPaths.NpyFixtures, "f4_le_c.npy"), Path.Combine(folder, "inputs", "x.npy"));
            File.Copy(Path.Combine(GoldenTestPaths.NpyFixtures, "i8_be_f.npy"), Path.Combine(folder, "outputs", "y.npy"));
            Assert.AreEqual(GoldenLayout.NpyFolders, GoldenData.DetectLayout(folder));
            var set = GoldenData.Load(folder, null).Single();
            Assert.AreEqual("x", set.Inputs.Single().Name);
            Assert.AreEqual(DataType.Int64, ((TensorValue)set.Outputs.Single()).ElementType);
            Assert.AreEqual(Path.Combine(folder, "outputs", "y.npy"), set.OutputFile(0));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [TestMethod]
    public void NonTensorValuesCannotBeWrittenAsNpz()
    {
        var folder = GoldenTestPaths.NewTempFolder();
        try
        {
            var set = new GoldenDataSet("s", Array.Empty<DataValue>(), new DataValue[] { new SequenceValue("seq", 1, Array.Empty<DataValue>()) });
            Assert.AreEqual("BCONV1111", Assert.ThrowsExactly<BuildConvertException>(() => GoldenData.WriteNpz(folder, set)).Code);
            Assert.IsEmpty(Directory.GetFiles(folder));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [TestMethod]
    public void OnnxLayoutWinsOverNpzWhenBothArePresent()
    {
        var folder = GoldenTestPaths.NewTempFolder();
        try
        {
            var set = new GoldenDataSet("s", Array.Empty<DataValue>(), new DataValue[] { Int64("y", 1) });
            GoldenData.WriteNpz(folder, set);
            GoldenData.WriteOnnxLayout(folder, new[] { set });
            Assert.AreEqual(GoldenLayout.OnnxTestDataSets, GoldenData.DetectLayout(folder));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    private static TensorValue Int64(string name, long value) =>
        new(name, DataType.Int64, Array.Empty<long>(), BitConverter.GetBytes(value));
}
