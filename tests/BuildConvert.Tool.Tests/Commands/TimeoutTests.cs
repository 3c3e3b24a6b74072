using System.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Values;
using BuildConvert.Tool.Tests.Infrastructure;
using Google.Protobuf;

namespace BuildConvert.Tool.Tests.Commands;

[TestClass]
public sealed class TimeoutTests
{
    [TestMethod]
    public void A_model_that_runs_too_long_is_stopped_with_BCONV0009()
    {
        using var temp = new TempFolder();
        var folder = WriteEndlessLoopTest(temp);
        var clock = Stopwatch.StartNew();

        var result = Cli.Run("verify", folder, "--timeout", "2", "--json");

        Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        var model = result.Json().Models().Single();
        Assert.AreEqual("error", model.GetProperty("status").GetString());
        CollectionAssert.AreEqual(new[] { "BCONV0009" }, model.Codes());
    }

    [TestMethod]
    public void Convert_with_golden_data_is_stopped_too_and_leaves_nothing()
    {
        using var temp = new TempFolder();
        var folder = WriteEndlessLoopTest(temp);
        var output = temp.Combine("out", "loop.onnx");

        var result = Cli.Run("convert", Path.Combine(folder, "model.onnx"), "-o", output, "--golden", folder, "--timeout", "2");

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0009");
        Assert.AreEqual(0, Directory.GetFileSystemEntries(temp.Combine("out")).Length);
    }

    [TestMethod]
    public void A_negative_timeout_is_misuse()
    {
        var result = Cli.Run("verify", TestPaths.BackendTest("node/test_abs"), "--timeout", "-1");

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0003");
    }

    /// <summary>
    /// A valid model whose Loop runs for the trip count it is given (here 10^15 iterations: effectively forever),
    /// with golden data feeding that count.
    /// </summary>
    internal static string WriteEndlessLoopTest(TempFolder temp)
    {
        var body = new GraphProto { Name = "body" };
        body.Input.Add(Value("i", TensorProto.Types.DataType.Int64));
        body.Input.Add(Value("cond_in", TensorProto.Types.DataType.Bool));
        body.Input.Add(Value("v_in", TensorProto.Types.DataType.Float));
        body.Output.Add(Value("cond_out", TensorProto.Types.DataType.Bool));
        body.Output.Add(Value("v_out", TensorProto.Types.DataType.Float));
        body.Node.Add(new NodeProto { Name = "keep_going", OpType = "Identity", Input = { "cond_in" }, Output = { "cond_out" } });
        body.Node.Add(new NodeProto { Name = "step", OpType = "Add", Input = { "v_in", "v_in" }, Output = { "v_out" } });

        var graph = new GraphProto { Name = "endless" };
        graph.Input.Add(Value("trip_count", TensorProto.Types.DataType.Int64));
        graph.Input.Add(Value("start", TensorProto.Types.DataType.Float));
        graph.Output.Add(Value("result", TensorProto.Types.DataType.Float));
        graph.Initializer.Add(new TensorProto { Name = "always", DataType = (int)TensorProto.Types.DataType.Bool, Int32Data = { 1 } });
        var loop = new NodeProto { Name = "loop", OpType = "Loop", Input = { "trip_count", "always", "start" }, Output = { "result" } };
        loop.Attribute.Add(new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graph, G = body });
        graph.Node.Add(loop);
        var model = new ModelProto { IrVersion = 8, ProducerName = "tool-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 16 });

        var folder = temp.Combine("endless");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), model.ToByteArray());
        var tripCount = new TensorValue("trip_count", TensorProto.Types.DataType.Int64, Array.Empty<long>(), BitConverter.GetBytes(1_000_000_000_000_000L));
        var start = TensorValue.FromFloats("start", Array.Empty<long>(), new[] { 0f });
        var result = TensorValue.FromFloats("result", Array.Empty<long>(), new[] { 0f });
        OnnxTestLayout.Write(folder, new[] { new GoldenDataSet("test_data_set_0", new DataValue[] { tripCount, start }, new DataValue[] { result }) });
        Assert.AreEqual(0, Cli.Run("check", Path.Combine(folder, "model.onnx")).ExitCode, "the model itself is valid");
        return folder;
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type) => new()
    {
        Name = name,
        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = new TensorShapeProto() } },
    };
}
