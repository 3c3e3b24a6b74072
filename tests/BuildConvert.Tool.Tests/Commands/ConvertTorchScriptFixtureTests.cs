using System.Text.Json.Nodes;
using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests.Commands;

/// <summary>
/// <c>convert model.pt --golden</c> on every committed small TorchScript fixture (tests/fixtures/torchscript, written by
/// eng/torchscript/make-fixtures.py with PyTorch 1.13), traced and scripted: the conversion passes ONNX Runtime against
/// PyTorch's outputs on both data sets (rtol 1e-4, atol 1e-5). Every dynamic dimension of the manifest is its own
/// symbol (src_0, src_1, ...), so that nothing is assumed equal that the manifest does not say is.
/// </summary>
[TestClass]
public sealed class ConvertTorchScriptFixtureTests
{
    private static string Fixtures => Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "torchscript");

    public static IEnumerable<object[]> Variants()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "manifest.json")))!;
        foreach (var model in (manifest["models"] as JsonArray)!)
        {
            foreach (var (variant, info) in (model!["variants"] as JsonObject)!)
            {
                if (info!["ok"]!.GetValue<bool>())
                {
                    yield return new object[] { model["name"]!.GetValue<string>(), variant };
                }
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Variants))]
    public void ConvertsAndMatchesPyTorch(string model, string variant)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "manifest.json")))!;
        var entry = (manifest["models"] as JsonArray)!.Single(m => m!["name"]!.GetValue<string>() == model)!;
        var shapes = new List<string>();
        var types = new List<string>();
        foreach (var input in (entry["inputs"] as JsonArray)!)
        {
            var name = input!["name"]!.GetValue<string>();
            var dynamic = (input["dynamic"] as JsonArray)!.Select(d => d!.GetValue<int>()).ToHashSet();
            var dims = (input["shape"] as JsonArray)!.Select((d, k) => dynamic.Contains(k) ? $"{name}_{k}" : d!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture));
            shapes.Add($"{name}:{string.Join(",", dims)}");
            if (input["dtype"]!.GetValue<string>() is var dtype && dtype != "float32")
            {
                types.Add($"{name}:{dtype}");
            }
        }

        using var temp = new TempFolder();
        var args = new List<string>
        {
            "convert", Path.Combine(Fixtures, model, variant + ".pt"), "-o", temp.Combine("out.onnx"), "--input-shapes", string.Join(";", shapes),
            "--golden", Path.Combine(Fixtures, model, variant + ".golden"), "--rtol", "1e-4", "--atol", "1e-5", "--json",
        };
        if (types.Count > 0)
        {
            args.AddRange(new[] { "--input-types", string.Join(";", types) });
        }

        var result = Cli.Run(args.ToArray());
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var validation = result.Json().Models().Single().GetProperty("validation");
        var expected = entry["variants"]![variant]!["dataSets"]!.GetValue<int>();
        Assert.AreEqual(expected, validation.GetProperty("dataSets").GetArrayLength(), "every data set of the golden folder is compared");
    }
}
