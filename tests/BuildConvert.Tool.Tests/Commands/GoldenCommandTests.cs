using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests.Commands;

[TestClass]
public sealed class GoldenCommandTests
{
    [TestMethod]
    public void Golden_then_verify_round_trips_at_two_dynamic_sizes()
    {
        using var temp = new TempFolder();
        var golden = temp.Combine("golden");

        var made = Cli.Run("golden", TestPaths.SmallCnn, "-o", golden, "--seed", "3", "--json");
        var verified = Cli.Run("verify", TestPaths.SmallCnn, "--golden", golden);

        Assert.AreEqual(0, made.ExitCode, made.ToString());
        var dataSets = made.Json().Models().Single().GetProperty("dataSets").EnumerateArray().ToArray();
        Assert.HasCount(2, dataSets);
        CollectionAssert.AreEqual(
            new[] { "tensor(float)[1,3,16,16]", "tensor(float)[3,3,16,16]" },
            dataSets.Select(d => d.GetProperty("inputs")[0].GetProperty("value").GetString()).ToArray());
        Assert.AreEqual(0, verified.ExitCode, verified.ToString());
        StringAssert.Contains(verified.Stdout, "2 data sets");
        var probabilities = Golden.Read(Path.Combine(golden, "test_data_set_1", "output_0.pb"));
        CollectionAssert.AreEqual(new long[] { 3, 10 }, probabilities.Shape);
        for (var row = 0; row < 3; row++)
        {
            var sum = Enumerable.Range(0, 10).Sum(k => probabilities.GetDouble(row * 10 + k));
            Assert.AreEqual(1.0, sum, 1e-5, "softmax rows sum to one");
        }
    }

    [TestMethod]
    public void The_same_seed_gives_the_same_bytes_and_another_seed_other_inputs()
    {
        using var temp = new TempFolder();

        Assert.AreEqual(0, Cli.Run("golden", TestPaths.SmallCnn, "-o", temp.Combine("a"), "--seed", "5").ExitCode);
        Assert.AreEqual(0, Cli.Run("golden", TestPaths.SmallCnn, "-o", temp.Combine("b"), "--seed", "5").ExitCode);
        Assert.AreEqual(0, Cli.Run("golden", TestPaths.SmallCnn, "-o", temp.Combine("c"), "--seed", "6").ExitCode);

        var files = Directory.GetFiles(temp.Combine("a"), "*.pb", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(temp.Combine("a"), f)).ToArray();
        Assert.HasCount(4, files);
        foreach (var file in files)
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(temp.Combine("a"), file)), File.ReadAllBytes(Path.Combine(temp.Combine("b"), file)), file);
        }

        CollectionAssert.AreNotEqual(
            File.ReadAllBytes(temp.Combine("a", "test_data_set_0", "input_0.pb")),
            File.ReadAllBytes(temp.Combine("c", "test_data_set_0", "input_0.pb")));
    }

    [TestMethod]
    public void Input_shapes_choose_the_dynamic_size()
    {
        using var temp = new TempFolder();

        var result = Cli.Run("golden", TestPaths.SmallCnn, "-o", temp.Combine("g"), "--input-shapes", "image:2,3,16,16", "--json");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var dataSet = result.Json().Models().Single().GetProperty("dataSets").EnumerateArray().Single();
        Assert.AreEqual("tensor(float)[2,3,16,16]", dataSet.GetProperty("inputs")[0].GetProperty("value").GetString());
        Assert.AreEqual("tensor(float)[2,10]", dataSet.GetProperty("outputs")[0].GetProperty("value").GetString());
    }

    [TestMethod]
    public void Given_inputs_reproduce_the_reference_outputs_of_a_corpus_test()
    {
        // The corpus outputs were computed by PyTorch; ONNX Runtime on the same inputs must agree.
        using var temp = new TempFolder();
        var corpus = TestPaths.BackendTest("pytorch-converted/test_Conv2d");

        var result = Cli.Run("golden", Path.Combine(corpus, "model.onnx"), "-o", temp.Combine("g"), "--inputs-from", corpus);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var expected = Golden.Read(Path.Combine(corpus, "test_data_set_0", "output_0.pb"));
        var actual = Golden.Read(temp.Combine("g", "test_data_set_0", "output_0.pb"));
        CollectionAssert.AreEqual(expected.Shape, actual.Shape);
        for (long i = 0; i < expected.ElementCount; i++)
        {
            Assert.AreEqual(expected.GetDouble(i), actual.GetDouble(i), 1e-4 + 1e-3 * Math.Abs(expected.GetDouble(i)), $"element {i}");
        }
    }

    [TestMethod]
    public void A_corrupt_model_writes_nothing()
    {
        using var temp = new TempFolder();
        var model = temp.WriteFile("bad.onnx", Models.Truncated(TestPaths.SmallCnn));

        var result = Cli.Run("golden", model, "-o", temp.Combine("g"));

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV1003");
        Assert.IsFalse(Directory.Exists(temp.Combine("g")) && Directory.EnumerateFileSystemEntries(temp.Combine("g")).Any());
    }

    [TestMethod]
    public void The_output_option_is_required()
    {
        var result = Cli.Run("golden", TestPaths.SmallCnn);

        Assert.AreEqual(2, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "error BCONV0001");
    }
}

[TestClass]
public sealed class TorchOracleTests
{
    [TestMethod]
    public void The_exported_model_matches_pytorch_s_own_outputs_in_npz_golden_data()
    {
        var result = Cli.Run("verify", TestPaths.SmallCnn, "--golden", TestPaths.SmallCnnTorchGolden, "--json");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var dataSet = result.Json().Models().Single().GetProperty("validation").GetProperty("dataSets").EnumerateArray().Single();
        var output = dataSet.GetProperty("outputs").EnumerateArray().Single();
        Assert.AreEqual("probabilities", output.GetProperty("name").GetString());
        Assert.AreEqual(20, output.GetProperty("elementCount").GetInt64());
    }

    [TestMethod]
    public void Golden_from_npz_inputs_reproduces_pytorch_s_outputs()
    {
        using var temp = new TempFolder();

        var made = Cli.Run("golden", TestPaths.SmallCnn, "-o", temp.Combine("g"), "--inputs-from", Path.Combine(TestPaths.SmallCnnTorchGolden, "inputs.npz"));
        var verified = Cli.Run("verify", TestPaths.SmallCnn, "--golden", TestPaths.SmallCnnTorchGolden);

        Assert.AreEqual(0, made.ExitCode, made.ToString());
        Assert.AreEqual(0, verified.ExitCode, verified.ToString());
        var ours = Golden.Read(temp.Combine("g", "test_data_set_0", "output_0.pb"));
        var torch = BuildConvert.Core.Formats.Npy.NpzReader.Read(Path.Combine(TestPaths.SmallCnnTorchGolden, "outputs.npz")).Single();
        CollectionAssert.AreEqual(torch.Shape, ours.Shape);
        for (long i = 0; i < torch.ElementCount; i++)
        {
            Assert.AreEqual(torch.GetDouble(i), ours.GetDouble(i), 1e-5, $"element {i}");
        }
    }
}
