using System.Text.Json.Nodes;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Values;

namespace BuildConvert.TorchOracle.Tests;

/// <summary>
/// The TorchScript archives of ../shared/corpora/pytorch: those TorchSharp can run reproduce PyTorch 1.13's outputs
/// (tests/fixtures/torchscript-corpus, written by eng/torchscript/make-corpus-goldens.py) and the values transcribed
/// from the upstream tests (golden.json); the rest get the coded error that says why.
/// </summary>
[TestClass]
public sealed class CorpusTests
{
    private static readonly Tolerance Tolerance = new(1e-4, 1e-5);

    private static string GoldenRoot => Path.Combine(OracleProcess.RepoRoot, "tests", "fixtures", "torchscript-corpus");

    public static IEnumerable<object[]> Runnable => new[]
    {
        "torchsharp-scripted-mv-linear", "torchsharp-func-add", "torchsharp-exported-methods", "tchrs-foo2-traced-tuple",
        "tchrs-foo3-loop", "tchrs-foo9-residual-mlp", "djl-identity",
    }.Select(n => new object[] { n });

    /// <summary>Entries TorchSharp 0.107 cannot run, each with the code it must give and the reason (data, not code paths).</summary>
    public static IEnumerable<object[]> Refused => new[]
    {
        new object[] { "tchrs-foo4-scalar-tuple", "foo4.pt", "forward", "BCONV4104", "a Tuple[float, float, int] parameter: TorchSharp passes no tuples" },
        new object[] { "tchrs-foo7-class-methods", "foo7.pt", "make_input_object", "BCONV4107", "returns a class object (InputObject)" },
        new object[] { "triton-dict-output-mlp", "model.pt", "forward", "BCONV4107", "returns Dict[str, Tensor]: TorchSharp reads no dicts" },
        new object[] { "torchjs-traced-add-2019", "test_model.pt", "forward", "BCONV4102", "archive format 1 (model.json), which LibTorch 2.10 no longer loads" },
        new object[] { "negative-burn-state-dict", "conv2d.pt", "forward", "BCONV4102", "a state_dict saved with torch.save: no code/" },
        new object[] { "negative-hls4ml-legacy-pickle", "two_layer_model.pt", "forward", "BCONV4102", "a legacy (non-zip) pickle" },
    };

    [TestMethod]
    [DynamicData(nameof(Runnable))]
    public void ReproducesPyTorch(string name)
    {
        var entry = (JsonNode.Parse(File.ReadAllText(Path.Combine(GoldenRoot, "manifest.json")))!["entries"] as JsonArray)!
            .Single(e => e!["name"]!.GetValue<string>() == name)!;
        var archive = Path.Combine(Corpus(), name, entry["archive"]!.GetValue<string>());
        var golden = Path.Combine(GoldenRoot, name, "golden");
        var answer = OracleProcess.Golden(archive, method: entry["method"]!.GetValue<string>(), inputsFrom: golden);
        Assert.AreEqual(0, answer.ExitCode, $"{answer.Codes} {string.Join("; ", answer.Diagnostics.Select(d => d.Message))} {answer.Stderr}");
        OracleProcess.AssertMatches(OnnxTestLayout.Read(golden, null), answer.DataSets, Tolerance, name);
    }

    [TestMethod]
    [DynamicData(nameof(Refused))]
    public void RefusesWithItsCode(string name, string file, string method, string code, string why)
    {
        var archive = Path.Combine(Corpus(), name, file);
        var inputs = name switch
        {
            "tchrs-foo7-class-methods" => new[] { Floats("foo", 1, 2, 3), Floats("bar", 4, 5, 6) },
            "triton-dict-output-mlp" => new[] { TensorValue.FromFloats("x", [2, 10], new float[20]) },
            "torchjs-traced-add-2019" => new[] { Floats("input1", 1, 2, 3, 4), Floats("input2", 1, 2, 3, 4) },
            _ => null,
        };
        var answer = OracleProcess.Golden(archive, method: method, inputs: inputs);
        Assert.AreEqual(1, answer.ExitCode, answer.Stderr);
        Assert.AreEqual(code, answer.Codes, $"{name} ({why}): {string.Join("; ", answer.Diagnostics.Select(d => d.Message))}");
    }

    [TestMethod]
    public void MatchesTheUpstreamTestsValues()
    {
        // TestLoadJIT_2 of TorchSharp: forward(ones(6)).
        var mv = Run("torchsharp-scripted-mv-linear", "scripted.script.dat", "forward", Floats("input", 1, 1, 1, 1, 1, 1));
        AssertValues(mv[0], 1.554085, 1.01024628, -1.35086036, -1.84021854, 0.0127189457, 0.5994258);

        // tch-rs jit2: (42, 1337) -> (1421, -1295), int64 scalars.
        var foo2 = Run("tchrs-foo2-traced-tuple", "foo2.pt", "forward", Int64("x", 42), Int64("y", 1337));
        AssertValues(foo2[0], 1421);
        AssertValues(foo2[1], -1295);

        // tch-rs jit3: the product of [1, 2, 3, 4, 5] by a scripted loop.
        AssertValues(Run("tchrs-foo3-loop", "foo3.pt", "forward", Floats("x", 1, 2, 3, 4, 5))[0], 120);

        // TorchSharp TestLoadJIT_Methods: add_scalar(zeros(10), 1) = ones(10) (an int parameter).
        var added = Run("torchsharp-exported-methods", "exported.method.dat", "add_scalar", TensorValue.FromFloats("x", [10], new float[10]), Int64("i", 1));
        AssertValues(added[0], Enumerable.Repeat(1.0, 10).ToArray());
    }

    private static IReadOnlyList<DataValue> Run(string name, string file, string method, params TensorValue[] inputs)
    {
        var answer = OracleProcess.Golden(Path.Combine(Corpus(), name, file), method: method, inputs: inputs);
        Assert.AreEqual(0, answer.ExitCode, $"{answer.Codes} {string.Join("; ", answer.Diagnostics.Select(d => d.Message))} {answer.Stderr}");
        return answer.DataSets.Single().Outputs;
    }

    private static void AssertValues(DataValue value, params double[] expected)
    {
        var tensor = (TensorValue)value;
        Assert.AreEqual(expected.Length, tensor.ElementCount);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], tensor.GetDouble(i), 1e-5 + (1e-4 * Math.Abs(expected[i])), $"element {i}");
        }
    }

    private static TensorValue Floats(string name, params float[] values) => TensorValue.FromFloats(name, [values.Length], values);

    private static TensorValue Int64(string name, long value) =>
        new(name, Core.Formats.Onnx.Proto.TensorProto.Types.DataType.Int64, [], BitConverter.GetBytes(value));

    private static string Corpus()
    {
        if (!Directory.Exists(OracleProcess.PytorchCorpus))
        {
            Assert.Inconclusive($"the shared corpus is not at {OracleProcess.PytorchCorpus}");
        }

        return OracleProcess.PytorchCorpus;
    }
}
