using System.Text.Json.Nodes;
using BuildConvert.Core.Golden;

namespace BuildConvert.TorchOracle.Tests;

/// <summary>
/// Every fixture of eng/torchscript/make-fixtures.py, traced and scripted: LibTorch 2.10 through the oracle, run on the
/// inputs PyTorch 1.13 was given, reproduces PyTorch's outputs within rtol 1e-4 / atol 1e-5. The small fixtures are
/// committed (tests/fixtures/torchscript); the torchvision models are generated into a cache folder by
/// eng/torchscript/large-fixtures.sh, which eng/test.sh (and so CI) runs first.
/// </summary>
[TestClass]
public sealed class FixtureTests
{
    private static readonly Tolerance Tolerance = new(1e-4, 1e-5);

    public static IEnumerable<object[]> SmallVariants => Variants(OracleProcess.SmallFixtures);

    public static IEnumerable<object[]> LargeVariants => Variants(OracleProcess.LargeFixtures).DefaultIfEmpty(["(generate with eng/torchscript/large-fixtures.sh)", ""]);

    [TestMethod]
    [DynamicData(nameof(SmallVariants))]
    public void SmallFixtureReproducesPyTorch(string model, string variant) => Reproduce(OracleProcess.SmallFixtures, model, variant);

    [TestMethod]
    [DynamicData(nameof(LargeVariants))]
    public void LargeFixtureReproducesPyTorch(string model, string variant)
    {
        if (variant.Length == 0)
        {
            Assert.Inconclusive($"no large fixtures at {OracleProcess.LargeFixtures}: run bash eng/torchscript/large-fixtures.sh (eng/test.sh does)");
        }

        Reproduce(OracleProcess.LargeFixtures, model, variant);
    }

    [TestMethod]
    public void ManifestCoversTheNamedFamiliesBothWays()
    {
        var small = Manifest(OracleProcess.SmallFixtures)!;
        var names = (small["models"] as JsonArray)!.Select(m => m!["name"]!.GetValue<string>()).ToHashSet();
        foreach (var expected in new[] { "lstm_batch_first", "lstm_seq_first", "gru_batch_first", "gru_seq_first", "rnn_tanh_batch_first", "rnn_relu_seq_first", "embedding", "layer_norm", "transformer_encoder_layer", "transformer_encoder_layer_norm_first_gelu", "transformer_encoder_key_padding", "multihead_self_attention_key_padding", "multihead_attention" })
        {
            Assert.IsTrue(names.Contains(expected), expected);
        }

        var variants = Variants(OracleProcess.SmallFixtures).ToArray();
        Assert.AreEqual(2 * names.Count, variants.Length, "every small fixture both traced and scripted");
    }

    [TestMethod]
    public void SeededInputsAreTheOnnxRuntimeGeneratorsStream()
    {
        // No --inputs-from: the oracle makes the inputs. They must be what SeededInputs (shared with the ONNX Runtime
        // generator) draws for seed 0, so that both oracles see the same data.
        var archive = Path.Combine(OracleProcess.SmallFixtures, "layer_norm", "traced.pt");
        var answer = OracleProcess.Golden(archive, inputShapes: "x:N,5,16");
        Assert.AreEqual(0, answer.ExitCode, answer.Codes + answer.Stderr);
        Assert.AreEqual(2, answer.DataSets.Count, "a dynamic dimension gives two data sets");
        for (var n = 0; n < 2; n++)
        {
            var expected = SeededInputs.Tensor("x", Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Float, [n == 0 ? 1 : 3, 5, 16], SeededInputs.ForDataSet(0, n));
            var actual = (Core.Values.TensorValue)answer.DataSets[n].Inputs[0];
            CollectionAssert.AreEqual(expected.Shape, actual.Shape);
            CollectionAssert.AreEqual(expected.Data.ToArray(), actual.Data.ToArray());
            Assert.AreEqual("x", actual.Name);
        }
    }

    private static void Reproduce(string root, string model, string variant)
    {
        var archive = Path.Combine(root, model, variant + ".pt");
        var golden = Path.Combine(root, model, variant + ".golden");
        var expected = OnnxTestLayout.Read(golden, null);
        var answer = OracleProcess.Golden(archive, inputsFrom: golden);
        Assert.AreEqual(0, answer.ExitCode, $"{answer.Codes} {string.Join("; ", answer.Diagnostics.Select(d => d.Message))} {answer.Stderr}");
        OracleProcess.AssertMatches(expected, answer.DataSets, Tolerance, $"{model}/{variant}");
    }

    private static IEnumerable<object[]> Variants(string root)
    {
        if (Manifest(root) is not { } manifest)
        {
            yield break;
        }

        foreach (var entry in (manifest["models"] as JsonArray)!)
        {
            foreach (var (variant, facts) in (entry!["variants"] as JsonObject)!)
            {
                if (facts!["ok"]!.GetValue<bool>())
                {
                    yield return [entry["name"]!.GetValue<string>(), variant];
                }
            }
        }
    }

    private static JsonNode? Manifest(string root)
    {
        var path = Path.Combine(root, "manifest.json");
        return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) : null;
    }
}
