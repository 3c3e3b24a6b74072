using System.Text.Json.Nodes;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Values;
using BuildConvert.Tool.Tests.Infrastructure;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Tool.Tests.Commands;

/// <summary>
/// <c>convert</c> on the TorchScript archives of ../shared/corpora/pytorch and on the large torchvision fixtures
/// (eng/torchscript/large-fixtures.sh): ONNX Runtime matches PyTorch 1.13's outputs (tests/fixtures/torchscript-corpus,
/// the fixtures' own goldens) and the values transcribed from the upstream projects' tests (golden.json) at rtol 1e-4,
/// atol 1e-5; the corpus's negative entries get their coded errors and leave no output.
/// </summary>
[TestClass]
public sealed class ConvertTorchScriptCorpusTests
{
    private static string Corpus => Path.Combine(TestPaths.Corpora, "pytorch");

    private static string CorpusGoldens => Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "torchscript-corpus");

    private static string LargeFixtures => Environment.GetEnvironmentVariable("BUILDCONVERT_TORCHSCRIPT_FIXTURES") is { Length: > 0 } given
        ? given
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache ? cache : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "buildconvert", "torchscript-fixtures");

    public static IEnumerable<object[]> CorpusEntries() =>
        ((JsonNode.Parse(File.ReadAllText(Path.Combine(CorpusGoldens, "manifest.json")))!["entries"] as JsonArray)!)
        .Select(e => new object[] { e!["name"]!.GetValue<string>() });

    // The large fixtures' names, listed here because the cache folder may not exist when tests are discovered.
    public static IEnumerable<object[]> LargeVariants() =>
        new[] { "resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_small", "squeezenet1_0", "densenet121", "shufflenet_v2_x0_5", "vgg11", "alexnet", "googlenet", "mnasnet0_5", "efficientnet_b0", "regnet_x_400mf" }
            .SelectMany(m => new[] { new object[] { m, "traced" }, new object[] { m, "scripted" } });

    [TestMethod]
    [DynamicData(nameof(CorpusEntries))]
    public void CorpusArchiveMatchesPyTorch(string name)
    {
        var entry = ((JsonNode.Parse(File.ReadAllText(Path.Combine(CorpusGoldens, "manifest.json")))!["entries"] as JsonArray)!)
            .Single(e => e!["name"]!.GetValue<string>() == name)!;
        RequireCorpus();
        var args = new List<string> { "--method", entry["method"]!.GetValue<string>() };
        Convert(Path.Combine(Corpus, name, entry["archive"]!.GetValue<string>()), Path.Combine(CorpusGoldens, name, "golden"), entry, null, args);
    }

    [TestMethod]
    [DynamicData(nameof(LargeVariants))]
    public void LargeFixtureMatchesPyTorch(string model, string variant)
    {
        var manifestPath = Path.Combine(LargeFixtures, "manifest.json");
        if (!File.Exists(manifestPath))
        {
            Assert.Inconclusive($"the large TorchScript fixtures are not at {LargeFixtures}: run bash eng/torchscript/large-fixtures.sh");
        }

        var entry = ((JsonNode.Parse(File.ReadAllText(manifestPath))!["models"] as JsonArray)!).Single(m => m!["name"]!.GetValue<string>() == model)!;
        var info = entry["variants"]![variant]!;
        Assert.IsTrue(info["ok"]!.GetValue<bool>(), $"{model} {variant} was not generated");
        var result = Convert(Path.Combine(LargeFixtures, info["file"]!.GetValue<string>()), Path.Combine(LargeFixtures, info["golden"]!.GetValue<string>()), entry, dynamic: true, new List<string>());
        Assert.AreEqual(info["dataSets"]!.GetValue<int>(), result.GetProperty("validation").GetProperty("dataSets").GetArrayLength());
    }

    [TestMethod]
    public void CorpusArchivesMatchTheUpstreamTestsValues()
    {
        RequireCorpus();

        // tch-rs jit4: forward((2.0, 3.0, 4)) = 2 + 3 * 4, a tuple parameter taken as x.0, x.1, x.2 (TorchScript floats are doubles).
        Upstream("tchrs-foo4-scalar-tuple/foo4.pt", Array.Empty<string>(),
            new DataValue[] { Doubles("x.0", 2.0), Doubles("x.1", 3.0), new TensorValue("x.2", DataType.Int64, [], BitConverter.GetBytes(4L)) },
            Doubles("output_0", 14.0));

        // tch-rs jit_double_free: add_them(make_input_object(foo, bar)) = foo + bar; add_them takes the object, whose
        // attributes are given by their dotted names.
        Upstream("tchrs-foo7-class-methods/foo7.pt", new[] { "--method", "add_them", "--input-shapes", "data.foo:3;data.bar:3" },
            new DataValue[] { Floats("data.foo", [3], 1, 2, 3), Floats("data.bar", [3], 4, 5, 6) },
            Floats("output_0", [3], 5, 7, 9));

        // torch-js: a + b on [1, 4] float tensors, an archive of format 1 (model.json), parameters given by position.
        Upstream("torchjs-traced-add-2019/test_model.pt", new[] { "--input-shapes", "0:1,4;1:1,4" },
            new DataValue[] { Floats("input1", [1, 4], 1, 2, 3, 4), Floats("input2", [1, 4], 10, 20, 30, 40) },
            Floats("output_0", [1, 4], 11, 22, 33, 44));
    }

    [TestMethod]
    [DataRow("negative-burn-state-dict/conv2d.pt", "BCONV1302")]
    [DataRow("negative-hls4ml-legacy-pickle/two_layer_model.pt", "BCONV1301")]
    public void NegativeCorpusEntriesGetTheirCodeAndLeaveNothing(string file, string code)
    {
        RequireCorpus();
        using var temp = new TempFolder();
        var result = Cli.Run("convert", Path.Combine(Corpus, file), "-o", temp.Combine("out.onnx"), "--json");
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.ToString(), code);
        Assert.AreEqual(0, Directory.GetFiles(temp.Path).Length, "no output, not even a partial one");
    }

    private static void Upstream(string file, string[] options, DataValue[] inputs, DataValue output)
    {
        using var temp = new TempFolder();
        var golden = temp.Combine("golden");
        OnnxTestLayout.Write(golden, new[] { new GoldenDataSet("test_data_set_0", inputs, new[] { output }) });
        var args = new List<string> { "convert", Path.Combine(Corpus, file), "-o", temp.Combine("out.onnx"), "--golden", golden, "--rtol", "1e-4", "--atol", "1e-5" };
        args.AddRange(options);
        var result = Cli.Run(args.ToArray());
        Assert.AreEqual(0, result.ExitCode, $"{file}: {result}");
        StringAssert.Contains(result.ToString(), "validated");
    }

    private static System.Text.Json.JsonElement Convert(string archive, string golden, JsonNode entry, bool? dynamic, List<string> extra)
    {
        var shapes = new List<string>();
        var types = new List<string>();
        foreach (var input in (entry["inputs"] as JsonArray)!)
        {
            var name = input!["name"]!.GetValue<string>();
            var dynamicDims = dynamic == true && input["dynamic"] is JsonArray d ? d.Select(x => x!.GetValue<int>()).ToHashSet() : new HashSet<int>();
            var dims = (input["shape"] as JsonArray)!.Select((x, k) => dynamicDims.Contains(k) ? $"{name}_{k}" : x!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture));
            shapes.Add($"{name}:{string.Join(",", dims)}");
            if (input["dtype"]!.GetValue<string>() is var dtype && dtype != "float32")
            {
                types.Add($"{name}:{dtype}");
            }
        }

        using var temp = new TempFolder();
        var args = new List<string> { "convert", archive, "-o", temp.Combine("out.onnx"), "--input-shapes", string.Join(";", shapes), "--golden", golden, "--rtol", "1e-4", "--atol", "1e-5", "--json" };
        if (types.Count > 0)
        {
            args.AddRange(new[] { "--input-types", string.Join(";", types) });
        }

        args.AddRange(extra);
        var result = Cli.Run(args.ToArray());
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        return result.Json().Models().Single().Clone();
    }

    private static void RequireCorpus()
    {
        if (!Directory.Exists(Corpus))
        {
            Assert.Inconclusive($"the PyTorch corpus is not at {Corpus}");
        }
    }

    private static TensorValue Floats(string name, long[] shape, params float[] values) => TensorValue.FromFloats(name, shape, values);

    private static TensorValue Doubles(string name, double value) => new(name, DataType.Double, [], BitConverter.GetBytes(value));
}
