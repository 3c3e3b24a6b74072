using System.Diagnostics;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Npy;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Tests.Formats.Npy;
using BuildConvert.Core.Tests.Formats.Onnx;
using BuildConvert.Core.Values;
using Google.Protobuf;

namespace BuildConvert.Core.Tests.Golden;

/// <summary>
/// Golden data found by a fuzz pass to hang, exhaust memory or crash the loader (issue 6): FIFOs, links to devices and
/// outside the folder, non-ASCII digits, empty and bomb archives. Each must give a coded error quickly.
/// </summary>
[TestClass]
public sealed class HostileGoldenDataTests
{
    [TestMethod]
    [DataRow("test_data_set_0/input_0.pb")]
    [DataRow("test_data_set_0/output_0.pb")]
    [DataRow("outputs.npz")]
    [DataRow("outputs/y.npy")]
    public void A_FIFO_golden_file_is_BCONV1113_without_opening_it(string relative)
    {
        using var temp = new TempFolder();
        WriteLayoutFor(relative, temp.Path);
        var fifo = Path.Combine(temp.Path, relative);
        File.Delete(fifo);
        MakeFifo(fifo);

        var error = LoadWithin(temp.Path, TimeSpan.FromSeconds(20));

        Assert.AreEqual("BCONV1113", error.Code, error.Message);
        StringAssert.Contains(error.Message, "not a regular file");
    }

    [TestMethod]
    [DataRow("/dev/zero")]
    [DataRow("/dev/urandom")]
    public void A_pb_linked_to_a_device_is_refused_before_reading(string device)
    {
        if (!File.Exists(device))
        {
            Assert.Inconclusive($"{device} does not exist here");
        }

        using var temp = new TempFolder();
        WriteLayoutFor("test_data_set_0/input_0.pb", temp.Path);
        var input = Path.Combine(temp.Path, "test_data_set_0", "input_0.pb");
        File.Delete(input);
        File.CreateSymbolicLink(input, device);
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var viaLayout = LoadWithin(temp.Path, TimeSpan.FromSeconds(20));
        var direct = Assert.ThrowsExactly<BuildConvertException>(() => OnnxTestLayout.ReadValueFile(input, null));

        Assert.AreEqual("BCONV1114", viaLayout.Code, viaLayout.Message);
        Assert.AreEqual("BCONV1113", direct.Code, direct.Message);
        Assert.IsLessThan(16L << 20, GC.GetTotalAllocatedBytes(precise: true) - before);
    }

    [TestMethod]
    public void A_data_set_folder_linked_outside_the_golden_folder_is_BCONV1114_and_one_linked_inside_is_read()
    {
        using var temp = new TempFolder();
        var outside = Path.Combine(temp.Path, "elsewhere");
        var golden = Path.Combine(temp.Path, "golden");
        WriteLayoutFor("test_data_set_0/input_0.pb", outside);
        Directory.CreateDirectory(golden);
        Directory.CreateSymbolicLink(Path.Combine(golden, "test_data_set_0"), Path.Combine(outside, "test_data_set_0"));

        var error = Assert.ThrowsExactly<BuildConvertException>(() => GoldenData.Load(golden, Model()));

        Assert.AreEqual("BCONV1114", error.Code, error.Message);
        StringAssert.Contains(error.Message, "outside the golden folder");

        Directory.Delete(Path.Combine(golden, "test_data_set_0"));
        Directory.Move(Path.Combine(outside, "test_data_set_0"), Path.Combine(golden, "real_0"));
        Directory.CreateSymbolicLink(Path.Combine(golden, "test_data_set_0"), Path.Combine(golden, "real_0"));
        Assert.HasCount(1, GoldenData.Load(golden, Model()));
    }

    [TestMethod]
    public void Non_ASCII_digits_in_golden_names_are_not_numbers()
    {
        using var temp = new TempFolder();
        WriteLayoutFor("test_data_set_0/input_0.pb", temp.Path);
        Directory.Move(Path.Combine(temp.Path, "test_data_set_0"), Path.Combine(temp.Path, "test_data_set_\u0663"));

        var noDataSet = Assert.ThrowsExactly<BuildConvertException>(() => GoldenData.Load(temp.Path, Model()));
        Assert.AreEqual("BCONV1100", noDataSet.Code, noDataSet.Message);

        Directory.Move(Path.Combine(temp.Path, "test_data_set_\u0663"), Path.Combine(temp.Path, "test_data_set_0"));
        File.Move(Path.Combine(temp.Path, "test_data_set_0", "output_0.pb"), Path.Combine(temp.Path, "test_data_set_0", "output_\u0660.pb"));
        var noOutput = Assert.ThrowsExactly<BuildConvertException>(() => GoldenData.Load(temp.Path, Model()));
        Assert.AreEqual("BCONV1101", noOutput.Code, noOutput.Message);
    }

    [TestMethod]
    public void An_outputs_npz_without_arrays_is_BCONV4013()
    {
        using var temp = new TempFolder();
        NpzWriter.Write(Path.Combine(temp.Path, "inputs.npz"), new[] { TensorValue.FromFloats("x", new long[] { 2 }, new[] { 1f, 2f }) });
        NpzWriter.Write(Path.Combine(temp.Path, "outputs.npz"), Array.Empty<TensorValue>());

        var error = Assert.ThrowsExactly<BuildConvertException>(() => GoldenData.Load(temp.Path, Model()));

        Assert.AreEqual("BCONV4013", error.Code, error.Message);
    }

    [TestMethod]
    public void An_npz_input_the_model_does_not_take_is_BCONV4005_before_it_is_inflated()
    {
        using var temp = new TempFolder();
        NpzBombs.WriteZeros(Path.Combine(temp.Path, "inputs.npz"), ("x", 2), ("unused", 256L << 20));
        NpzWriter.Write(Path.Combine(temp.Path, "outputs.npz"), new[] { TensorValue.FromFloats("y", new long[] { 2 }, new[] { 1f, 2f }) });
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();

        var error = Assert.ThrowsExactly<BuildConvertException>(() => GoldenData.Load(temp.Path, Model()));

        Assert.AreEqual("BCONV4005", error.Code, error.Message);
        StringAssert.Contains(error.Message, "'unused'");
        Assert.IsLessThan(16L << 20, GC.GetTotalAllocatedBytes(precise: true) - before);
        Assert.IsLessThan(2.0, clock.Elapsed.TotalSeconds);
    }

    [TestMethod]
    public void An_outputs_npz_bomb_is_bounded_by_the_declared_output_shape()
    {
        using var temp = new TempFolder();
        NpzWriter.Write(Path.Combine(temp.Path, "inputs.npz"), new[] { TensorValue.FromFloats("x", new long[] { 2 }, new[] { 1f, 2f }) });
        NpzBombs.WriteZeros(Path.Combine(temp.Path, "outputs.npz"), ("y", 64L << 20));
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var error = Assert.ThrowsExactly<BuildConvertException>(() => GoldenData.Load(temp.Path, Model()));

        Assert.AreEqual("BCONV1110", error.Code, error.Message);
        StringAssert.Contains(error.Message, "the model's value 'y' needs 32");
        Assert.IsLessThan(16L << 20, GC.GetTotalAllocatedBytes(precise: true) - before);
    }

    [TestMethod]
    public void A_cancelled_token_stops_loading()
    {
        using var temp = new TempFolder();
        WriteLayoutFor("test_data_set_0/input_0.pb", temp.Path);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsExactly<OperationCanceledException>(() => GoldenData.Load(temp.Path, Model(), cancelled.Token));
    }

    /// <summary>y = Identity(x), float [2].</summary>
    internal static ModelProto Model()
    {
        var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimValue = 2 } } } } };
        var graph = new GraphProto { Name = "g", Input = { new ValueInfoProto { Name = "x", Type = type } }, Output = { new ValueInfoProto { Name = "y", Type = type.Clone() } } };
        graph.Node.Add(new NodeProto { OpType = "Identity", Input = { "x" }, Output = { "y" } });
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 17 });
        return model;
    }

    /// <summary>Writes a valid data set for <see cref="Model"/> in the layout <paramref name="relative"/> belongs to.</summary>
    private static void WriteLayoutFor(string relative, string folder)
    {
        var x = TensorValue.FromFloats("x", new long[] { 2 }, new[] { 1f, 2f });
        var y = TensorValue.FromFloats("y", new long[] { 2 }, new[] { 1f, 2f });
        if (relative.EndsWith(".npz", StringComparison.Ordinal))
        {
            GoldenData.WriteNpz(folder, new GoldenDataSet("npz", new DataValue[] { x }, new DataValue[] { y }));
        }
        else if (relative.EndsWith(".npy", StringComparison.Ordinal))
        {
            Directory.CreateDirectory(Path.Combine(folder, "inputs"));
            Directory.CreateDirectory(Path.Combine(folder, "outputs"));
            File.WriteAllBytes(Path.Combine(folder, "inputs", "x.npy"), NpyBytes(x));
            File.WriteAllBytes(Path.Combine(folder, "outputs", "y.npy"), NpyBytes(y));
        }
        else
        {
            OnnxTestLayout.Write(folder, new[] { new GoldenDataSet("s", new DataValue[] { x }, new DataValue[] { y }) });
        }
    }

    private static byte[] NpyBytes(TensorValue value)
    {
        using var stream = new MemoryStream();
        NpyWriter.Write(stream, value);
        return stream.ToArray();
    }

    /// <summary>Loads on another thread so that a regression (a blocking open) fails the test instead of hanging it.</summary>
    private static BuildConvertException LoadWithin(string folder, TimeSpan limit)
    {
        var load = Task.Run(() => GoldenData.Load(folder, Model()));
        // Task.Wait would rethrow the load's own failure; only wait for completion here.
        Assert.IsTrue(SpinWait.SpinUntil(() => load.IsCompleted, limit), $"loading did not finish within {limit}");
        Assert.IsTrue(load.IsFaulted, "loading succeeded");
        return load.Exception!.InnerException as BuildConvertException
            ?? throw new AssertFailedException($"loading failed with an uncoded {load.Exception.InnerException}");
    }

    private static void MakeFifo(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("FIFOs are a Unix feature");
        }

        using var mkfifo = Process.Start("mkfifo", new[] { path })!;
        mkfifo.WaitForExit();
        Assert.AreEqual(0, mkfifo.ExitCode, "mkfifo failed");
    }
}
