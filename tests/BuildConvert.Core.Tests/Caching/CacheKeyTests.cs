using BuildConvert.Core.Caching;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.Core.Tests.Caching;

/// <summary>The cache key: equal inputs give equal keys (wherever the project is), and any change gives a new one.</summary>
[TestClass]
public sealed class CacheKeyTests
{
    private static readonly OptionCatalog Catalog = FormatRegistry.CreateDefault().Options;

    private static string Key(ConvertRequest request, CacheEnvironment? environment = null) =>
        CacheKey.Compute(request, Catalog, environment ?? CacheFixture.Environment).Hash;

    [TestMethod]
    public void Same_inputs_give_the_same_key_even_from_another_folder()
    {
        using var a = new CacheFixture();
        using var b = new CacheFixture();
        var first = Key(a.Request("out/m.onnx"));
        StringAssert.Matches(first, new System.Text.RegularExpressions.Regex("^[0-9a-f]{64}$"));
        Assert.AreEqual(first, Key(a.Request("out/m.onnx")));
        Assert.AreEqual(first, Key(b.Request("elsewhere/m.onnx")));
    }

    [TestMethod]
    public void Any_byte_of_the_model_changes_the_key()
    {
        using var fixture = new CacheFixture();
        var before = Key(fixture.Request("out/m.onnx"));
        var bytes = File.ReadAllBytes(fixture.Model);
        for (var i = 0; i < bytes.Length; i += Math.Max(1, bytes.Length / 7))
        {
            var changed = (byte[])bytes.Clone();
            changed[i] ^= 0x01;
            File.WriteAllBytes(fixture.Model, changed);
            Assert.AreNotEqual(before, Key(fixture.Request("out/m.onnx")));
        }

        File.WriteAllBytes(fixture.Model, bytes);
        Assert.AreEqual(before, Key(fixture.Request("out/m.onnx")));
    }

    [TestMethod]
    public void A_golden_file_changed_added_or_renamed_changes_the_key()
    {
        using var fixture = new CacheFixture();
        var request = fixture.Request("out/m.onnx");
        var before = Key(request);
        var output = Path.Combine(fixture.Golden, "test_data_set_0", "output_0.pb");
        File.WriteAllBytes(output, new byte[] { 4, 5, 7 });
        var changed = Key(request);
        Assert.AreNotEqual(before, changed);
        File.WriteAllBytes(Path.Combine(fixture.Golden, "test_data_set_0", "output_1.pb"), new byte[] { 1 });
        Assert.AreNotEqual(changed, Key(request));
        File.Delete(Path.Combine(fixture.Golden, "test_data_set_0", "output_1.pb"));
        File.WriteAllBytes(output, new byte[] { 4, 5, 6 });
        Assert.AreEqual(before, Key(request));
        File.Move(output, Path.Combine(fixture.Golden, "test_data_set_0", "output_9.pb"));
        Assert.AreNotEqual(before, Key(request));
    }

    [TestMethod]
    public void A_file_name_is_written_as_the_JSON_string_the_serializer_would_write_so_keys_did_not_change()
    {
        using var fixture = new CacheFixture();
        var name = "test_data_set_0/odd \"name\" é <&>\u0001.pb";
        File.WriteAllBytes(Path.Combine(fixture.Golden, "test_data_set_0", Path.GetFileName(name)), new byte[] { 9 });

        var text = CacheKey.Compute(fixture.Request("out/m.onnx"), Catalog, CacheFixture.Environment).Text;

        StringAssert.Contains(text, $"golden {System.Text.Json.JsonSerializer.Serialize(name)} 1 ");
    }

    [TestMethod]
    public void Every_option_change_changes_the_key()
    {
        using var fixture = new CacheFixture();
        var source = OptionSource.CommandLine;
        var baseline = Key(fixture.Request("out/m.onnx"));
        var variants = new (ConversionOptionDescriptor Option, string Text)[]
        {
            (ConversionOptionTable.Opset, "14"),
            (ConversionOptionTable.Optimize, "true"),
            (ConversionOptionTable.Inputs, "a,b"),
            (ConversionOptionTable.Outputs, "z"),
            (ConversionOptionTable.InputShapes, "a:2,4;b:2,4"),
            (ConversionOptionTable.Rtol, "0.01"),
            (ConversionOptionTable.Atol, "0.01"),
            (ConversionOptionTable.Tolerance, "z=1e-3,1e-4"),
            (ConversionOptionTable.Format, "onnx"),
            (BuildConvert.Core.Formats.TensorFlow.TfSavedModelFormat.Signature, "predict"),
        };
        var keys = new HashSet<string> { baseline };
        foreach (var (option, text) in variants)
        {
            var options = option.ApplyText(new ConversionOptions(), text, source);
            Assert.IsTrue(keys.Add(Key(fixture.Request("out/m.onnx", options))), $"{option.Name}={text} did not change the key");
        }

        Assert.IsTrue(keys.Add(Key(fixture.Request("out/m.onnx") with { ExternalData = true })));
        Assert.IsTrue(keys.Add(Key(fixture.Request("out/other.onnx"))));
        Assert.IsTrue(keys.Add(Key(fixture.Request("out/m.onnx") with { Options = new ConversionOptions() })), "no golden data");
    }

    [TestMethod]
    public void A_time_limit_changes_no_result_and_so_not_the_key()
    {
        using var fixture = new CacheFixture();
        var options = ConversionOptionTable.Timeout.ApplyText(new ConversionOptions(), "30", OptionSource.CommandLine);
        Assert.AreEqual(Key(fixture.Request("out/m.onnx")), Key(fixture.Request("out/m.onnx", options)));
    }

    [TestMethod]
    public void Equal_option_values_give_equal_keys_however_they_were_spelled()
    {
        using var fixture = new CacheFixture();
        var source = OptionSource.CommandLine;
        var a = ConversionOptionTable.Tolerance.ApplyText(new ConversionOptions(), "z=1e-3,1e-4;y=0.5,0", source);
        var b = ConversionOptionTable.Tolerance.ApplyText(new ConversionOptions(), " y = 0.5 , 0 ; z=0.001,0.0001", source);
        Assert.AreEqual(Key(fixture.Request("out/m.onnx", a)), Key(fixture.Request("out/m.onnx", b)));
        var rtolDefault = ConversionOptionTable.Rtol.ApplyText(new ConversionOptions(), Core.Golden.Tolerance.Default.Rtol.ToString(System.Globalization.CultureInfo.InvariantCulture), source);
        Assert.AreEqual(Key(fixture.Request("out/m.onnx")), Key(fixture.Request("out/m.onnx", rtolDefault)));
    }

    [TestMethod]
    public void Tool_and_runtime_versions_change_the_key()
    {
        using var fixture = new CacheFixture();
        var request = fixture.Request("out/m.onnx");
        var keys = new HashSet<string>
        {
            Key(request),
            Key(request, CacheFixture.Environment with { ToolVersion = "1.2.4" }),
            Key(request, CacheFixture.Environment with { RuntimeVersion = "1.32.0" }),
        };
        Assert.AreEqual(3, keys.Count);
    }

    [TestMethod]
    public void A_folder_input_is_keyed_on_every_file_inside_it()
    {
        using var fixture = new CacheFixture();
        var folder = Directory.CreateDirectory(Path.Combine(fixture.Path, "saved_model", "variables")).Parent!.FullName;
        File.WriteAllText(Path.Combine(folder, "saved_model.pb"), "graph");
        File.WriteAllText(Path.Combine(folder, "variables", "variables.data-00000-of-00001"), "weights");
        var request = new ConvertRequest(folder, Path.Combine(fixture.Path, "out", "s.onnx"), new ConversionOptions());
        var before = Key(request);
        File.WriteAllText(Path.Combine(folder, "variables", "variables.data-00000-of-00001"), "weightz");
        Assert.AreNotEqual(before, Key(request));
    }
}
