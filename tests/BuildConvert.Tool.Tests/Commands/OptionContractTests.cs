using System.Text.Json;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Pipeline.Options;
using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests.Commands;

/// <summary>Options come from the option catalog: a format's own option reaches the CLI and the batch request without
/// the tool knowing it; an option the format does not take is BCONV0005; one outcome rule everywhere.</summary>
[TestClass]
public sealed class OptionContractTests
{
    [TestMethod]
    public void A_formats_own_option_is_a_convert_option_and_reaches_its_importer()
    {
        using var temp = new TempFolder();
        var input = temp.WriteFile("model.fake", new byte[] { 1 });
        var format = new FakeFormat();

        var help = Cli.Run(format.Services(), "convert", "--help");
        var result = Cli.Run(format.Services(), "convert", input, "-o", temp.Combine("out.onnx"), "--flavor", "serving_default", "--optimize");

        StringAssert.Contains(help.Stdout, "--flavor");
        StringAssert.Contains(help.Stdout, "The flavor of the fake model to convert.");
        Assert.DoesNotContain("--flavor", Cli.Run("convert", "--help").Stdout, "only registered formats add options");
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var options = format.Imports.Single();
        Assert.AreEqual("serving_default", options.Get(FakeFormat.Flavor));
        Assert.IsTrue(options.Optimize);
    }

    [TestMethod]
    public void An_option_the_format_does_not_take_is_BCONV0005()
    {
        using var temp = new TempFolder();
        var input = temp.WriteFile("model.fake", new byte[] { 1 });
        var format = new FakeFormat();

        var fake = Cli.Run(format.Services(), "convert", input, "-o", temp.Combine("out.onnx"), "--opset", "13", "--json");
        var onnx = Cli.Run(format.Services(), "convert", TestPaths.SmallCnn, "-o", temp.Combine("out2.onnx"), "--flavor", "x");

        Assert.AreEqual(1, fake.ExitCode, fake.ToString());
        var model = fake.Json().Models().Single();
        Assert.AreEqual("error", model.GetProperty("status").GetString());
        Assert.AreEqual("import", model.GetProperty("stoppedAt").GetString());
        CollectionAssert.AreEqual(new[] { "BCONV0005" }, model.Codes().ToArray());
        Assert.IsEmpty(format.Imports);
        StringAssert.Contains(onnx.Stderr, "error BCONV0005: --flavor / Flavor is not used by the 'onnx' format (it applies to: fake)");
        Assert.IsFalse(File.Exists(temp.Combine("out2.onnx")));
    }

    [TestMethod]
    public void Optimize_is_a_flag_of_convert_for_onnx()
    {
        using var temp = new TempFolder();

        var on = Cli.Run("convert", TestPaths.SmallCnn, "-o", temp.Combine("a.onnx"), "--optimize");
        var off = Cli.Run("convert", TestPaths.SmallCnn, "-o", temp.Combine("b.onnx"), "--optimize", "false");
        var bad = Cli.Run("convert", TestPaths.SmallCnn, "-o", temp.Combine("c.onnx"), "--opset", "0");

        Assert.AreEqual(0, on.ExitCode, on.ToString());
        Assert.AreEqual(0, off.ExitCode, off.ToString());
        Assert.AreEqual(2, bad.ExitCode, bad.ToString());
        StringAssert.Contains(bad.Stderr, "error BCONV0003: --opset '0': must be a positive whole number");
    }

    [TestMethod]
    public void A_formats_own_option_in_the_batch_request_reaches_its_importer_and_the_repro_line()
    {
        using var temp = new TempFolder();
        var input = temp.WriteFile("model.fake", new byte[] { 1 });
        var format = new FakeFormat();
        var request = temp.WriteFile("request.json", JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["version"] = 1,
            ["items"] = new[] { new Dictionary<string, object?> { ["id"] = "m", ["input"] = input, ["output"] = temp.Combine("out", "m.onnx"), ["validate"] = false, ["flavor"] = "serving", ["optimize"] = "false" } },
        }));

        var result = Cli.Run(format.Services(), "msbuild-batch", "--request", request);
        var unknown = Cli.Run("msbuild-batch", "--request", request);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.AreEqual("serving", format.Imports.Single().Get(FakeFormat.Flavor));
        Assert.IsFalse(format.Imports.Single().Optimize);
        Assert.AreEqual(2, unknown.ExitCode, "the default tool has no Flavor option: the request and the tool disagree");
        var refused = JsonDocument.Parse(unknown.Stdout.Split('\n')[0]).RootElement;
        Assert.AreEqual("BCONV0003", refused.GetProperty("code").GetString());
        StringAssert.Contains(refused.GetProperty("message").GetString(), "'flavor', which is neither a protocol key nor a known option");

        var catalog = format.Services().Formats.Options;
        using var document = JsonDocument.Parse(File.ReadAllText(request));
        var item = BuildConvert.Tool.Commands.BatchItem.FromJson(document.RootElement.GetProperty("items")[0], request, catalog);
        StringAssert.Contains(item.ReproCommand(), " --flavor serving");
        StringAssert.Contains(item.ReproCommand(), " --optimize false");
    }

    [TestMethod]
    public void A_checker_failure_on_external_data_is_failed_not_checker_passed()
    {
        using var temp = new TempFolder();
        var input = temp.WriteFile("model.fake", new byte[] { 1 });
        var format = new FakeFormat(() =>
        {
            var model = OnnxModelReader.Read(TestPaths.SmallCnn);
            var tensor = model.Graph.Initializer[0];
            tensor.RawData = Google.Protobuf.ByteString.Empty;
            tensor.FloatData.Clear();
            tensor.DataLocation = TensorProto.Types.DataLocation.External;
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "../outside.bin" });
            return model;
        });
        var request = temp.WriteFile("request.json", JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["version"] = 1,
            ["items"] = new[] { new Dictionary<string, object?> { ["id"] = "m", ["input"] = input, ["output"] = temp.Combine("out", "m.onnx"), ["validate"] = false } },
        }));

        var result = Cli.Run(format.Services(), "msbuild-batch", "--request", request);

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        var model = lines.Single(l => l.GetProperty("kind").GetString() == "model");
        Assert.IsTrue(lines.Any(l => l.GetProperty("kind").GetString() == "diagnostic" && l.GetProperty("code").GetString()!.StartsWith("BCONV101", StringComparison.Ordinal)), result.Stdout);
        Assert.AreEqual("failed", model.GetProperty("checker").GetString(), result.Stdout);
        Assert.AreEqual("failed", model.GetProperty("status").GetString(), "the checker judged the model wrong");
        Assert.AreEqual("check-source", model.GetProperty("stoppedAt").GetString());
        Assert.DoesNotContain("checker passed", model.GetProperty("summary").GetString()!);
        StringAssert.Contains(model.GetProperty("summary").GetString(), "checker FAILED");
    }

    [TestMethod]
    public void Convert_and_msbuild_batch_give_a_checker_error_the_same_status()
    {
        using var temp = new TempFolder();
        var input = temp.WriteFile("dangling.onnx", Models.WithoutFirstNode(TestPaths.SmallCnn));
        var request = temp.WriteFile("request.json", JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["version"] = 1,
            ["items"] = new[] { new Dictionary<string, object?> { ["id"] = "d", ["input"] = input, ["output"] = temp.Combine("out", "d.onnx"), ["validate"] = false } },
        }));

        var convert = Cli.Run("convert", input, "-o", temp.Combine("out", "c.onnx"), "--json").Json().Models().Single();
        var batch = Cli.Run("msbuild-batch", "--request", request).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).Single(l => l.GetProperty("kind").GetString() == "model");
        var check = Cli.Run("check", input, "--json").Json().Models().Single();

        Assert.AreEqual("failed", convert.GetProperty("status").GetString());
        Assert.AreEqual("failed", batch.GetProperty("status").GetString());
        Assert.AreEqual("failed", check.GetProperty("status").GetString());
        Assert.AreEqual("check-source", convert.GetProperty("stoppedAt").GetString());
    }
}
