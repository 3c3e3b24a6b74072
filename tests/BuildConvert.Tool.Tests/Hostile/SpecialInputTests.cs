using System.Text.Json;
using BuildConvert.Tool.Tests.Infrastructure;

namespace BuildConvert.Tool.Tests.Hostile;

/// <summary>
/// The special inputs an independent fuzz pass found to crash, hang or exhaust memory (issue 6), each run through the
/// real tool process as a user would: a coded error, in bounded time and memory (every run under
/// <see cref="MaxSeconds"/> s and <see cref="MaxMiB"/> MiB), with one JSON document on stdout and nothing on stderr
/// under <c>--json</c>, and nothing left behind.
/// </summary>
[TestClass]
[DoNotParallelize] // the time and memory bounds are measured; two of these at once on a small machine would skew them
public sealed class SpecialInputTests
{
    private const int MaxSeconds = 10;
    private const int MaxMiB = 500;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void A_chain_of_3000_functions_is_BCONV3151_in_check_and_verify_instead_of_a_runtime_crash()
    {
        using var temp = new TempFolder();
        var folder = HostileModels.WriteTest(temp, "chain", HostileModels.FunctionChain(3000));

        var check = Bounded("check", Path.Combine(folder, "model.onnx"), "--json");
        var verify = Bounded("verify", folder, "--json");

        Assert.AreEqual(1, check.Code, check.ToString());
        CollectionAssert.Contains(ModelCodes(check), "BCONV3151", check.ToString());
        Assert.AreEqual(1, verify.Code, verify.ToString());
        CollectionAssert.AreEqual(new[] { "BCONV3151" }, ModelCodes(verify), verify.ToString());
        StringAssert.Contains(verify.Stdout, "3000 levels deep");
    }

    [TestMethod]
    public void Verify_recursive_reports_the_function_chain_and_still_verifies_the_other_models()
    {
        using var temp = new TempFolder();
        HostileModels.WriteTest(temp, "a_chain", HostileModels.FunctionChain(3000));
        HostileModels.WriteTest(temp, "b_identity", HostileModels.Identity());

        var run = Bounded("verify", temp.Path, "--recursive", "--json");

        Assert.AreEqual(1, run.Code, run.ToString());
        using var json = JsonDocument.Parse(run.Stdout);
        var models = json.RootElement.Models();
        CollectionAssert.AreEqual(new[] { "error", "passed" }, models.Select(m => m.GetProperty("status").GetString()).ToArray(), run.ToString());
        CollectionAssert.AreEqual(new[] { "BCONV3151" }, models[0].Codes());
    }

    [TestMethod]
    public void Convert_with_external_data_refuses_the_function_chain_and_leaves_nothing()
    {
        using var temp = new TempFolder();
        var folder = HostileModels.WriteTest(temp, "chain", HostileModels.FunctionChain(3000));
        var output = temp.Combine("out", "out.onnx");
        Directory.CreateDirectory(temp.Combine("out"));

        var run = Bounded("convert", Path.Combine(folder, "model.onnx"), "-o", output, "--external-data", "--golden", folder, "--json");

        Assert.AreEqual(1, run.Code, run.ToString());
        StringAssert.Contains(run.Stdout, "BCONV3151");
        Assert.IsEmpty(Directory.GetFileSystemEntries(temp.Combine("out")), string.Join(", ", Directory.GetFileSystemEntries(temp.Combine("out"))));
    }

    [TestMethod]
    public void Convert_with_external_data_removes_the_staging_folder_of_a_crashed_run_and_leaves_only_its_outputs()
    {
        using var temp = new TempFolder();
        var folder = HostileModels.WriteTest(temp, "identity", HostileModels.Identity());
        var output = temp.Combine("out", "out.onnx");

        // What a process killed during validation leaves: its staging folder, named after a process id no longer running.
        var abandoned = temp.Combine("out", $".out.onnx.{int.MaxValue - 7}.0123456789abcdef0123456789abcdef.staging");
        Directory.CreateDirectory(abandoned);
        File.WriteAllBytes(Path.Combine(abandoned, "out.onnx.data"), new byte[1024]);

        var run = Bounded("convert", Path.Combine(folder, "model.onnx"), "-o", output, "--external-data", "--golden", folder, "--json");

        Assert.AreEqual(0, run.Code, run.ToString());
        var left = Directory.GetFileSystemEntries(temp.Combine("out")).Select(Path.GetFileName).ToArray();
        CollectionAssert.AreEquivalent(new[] { "out.onnx", "out.onnx.data" }, left, string.Join(", ", left));
    }

    [TestMethod]
    [DataRow("test_data_set_0/input_0.pb", "BCONV1113")]
    [DataRow("test_data_set_0/output_0.pb", "BCONV1113")]
    public void A_FIFO_golden_file_is_refused_instead_of_hanging_verify(string relative, string code)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("FIFOs are a Unix feature");
        }

        using var temp = new TempFolder();
        var folder = HostileModels.WriteTest(temp, "fifo", HostileModels.Identity());
        var fifo = Path.Combine(folder, relative);
        File.Delete(fifo);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", new[] { fifo })!)
        {
            mkfifo.WaitForExit();
        }

        var run = Bounded("verify", folder, "--json", "--timeout", "5");

        Assert.AreEqual(1, run.Code, run.ToString());
        CollectionAssert.AreEqual(new[] { code }, ModelCodes(run), run.ToString());
    }

    [TestMethod]
    public void A_golden_pb_linked_to_dev_zero_is_refused_before_reading()
    {
        if (!File.Exists("/dev/zero"))
        {
            Assert.Inconclusive("no /dev/zero here");
        }

        using var temp = new TempFolder();
        var folder = HostileModels.WriteTest(temp, "zero", HostileModels.Identity());
        var input = Path.Combine(folder, "test_data_set_0", "input_0.pb");
        File.Delete(input);
        File.CreateSymbolicLink(input, "/dev/zero");

        var run = Bounded("verify", folder, "--json");

        Assert.AreEqual(1, run.Code, run.ToString());
        CollectionAssert.AreEqual(new[] { "BCONV1114" }, ModelCodes(run), run.ToString());
    }

    [TestMethod]
    public void An_npz_bomb_and_an_empty_outputs_npz_are_coded()
    {
        using var temp = new TempFolder();
        var bomb = HostileModels.WriteTest(temp, "bomb", HostileModels.Identity());
        Directory.Delete(Path.Combine(bomb, "test_data_set_0"), recursive: true);
        HostileModels.WriteNpz(Path.Combine(bomb, "inputs.npz"), ("x", 2));
        HostileModels.WriteNpz(Path.Combine(bomb, "outputs.npz"), ("y", 512L << 20)); // 2 GiB of zeros in about 2 MB
        var empty = HostileModels.WriteTest(temp, "empty", HostileModels.Identity());
        Directory.Delete(Path.Combine(empty, "test_data_set_0"), recursive: true);
        HostileModels.WriteNpz(Path.Combine(empty, "inputs.npz"), ("x", 2));
        HostileModels.WriteNpz(Path.Combine(empty, "outputs.npz"));

        var bombRun = Bounded("verify", bomb, "--json");
        var emptyRun = Bounded("verify", empty, "--json");

        Assert.AreEqual(1, bombRun.Code, bombRun.ToString());
        CollectionAssert.AreEqual(new[] { "BCONV1110" }, ModelCodes(bombRun), bombRun.ToString());
        Assert.AreEqual(1, emptyRun.Code, emptyRun.ToString());
        CollectionAssert.AreEqual(new[] { "BCONV4013" }, ModelCodes(emptyRun), emptyRun.ToString());
    }

    [TestMethod]
    public void A_value_name_with_a_newline_cannot_forge_a_diagnostic_line_on_stderr_or_in_SARIF()
    {
        const string Forged = "y\nerror BCONV0000: fake";
        using var temp = new TempFolder();
        var folder = HostileModels.WriteTest(temp, "forged", HostileModels.Identity(Forged));
        var expected = HostileModels.FloatTensor(Forged);
        expected.FloatData[0] = 5f; // a mismatch, so the name appears in the diagnostic and the summary line
        File.WriteAllBytes(Path.Combine(folder, "test_data_set_0", "output_0.pb"), Google.Protobuf.MessageExtensions.ToByteArray(expected));
        var sarif = temp.Combine("report.sarif");

        var run = ToolProcess.RunMeasured(TimeSpan.FromSeconds(60), "verify", folder, "--sarif", sarif);

        Assert.AreEqual(1, run.Code, run.ToString());
        var lines = (run.Stdout + run.Stderr).Split('\n');
        Assert.IsFalse(lines.Any(l => l.Contains("BCONV0000", StringComparison.Ordinal) && !l.Contains("y\\nerror BCONV0000", StringComparison.Ordinal)), run.ToString());
        StringAssert.Contains(run.Stderr, "error BCONV4001: data set 'test_data_set_0', output 'y\\nerror BCONV0000: fake'");
        using var log = JsonDocument.Parse(File.ReadAllText(sarif));
        var result = log.RootElement.GetProperty("runs")[0].GetProperty("results")[0];
        var text = result.GetProperty("message").GetProperty("text").GetString()!;
        Assert.IsFalse(text.Contains('\n'), text);
        StringAssert.Contains(text, "y\\nerror BCONV0000: fake");
    }

    [TestMethod]
    public void ONNX_Runtime_logs_nothing_on_stderr_under_json()
    {
        // An unused initializer makes ONNX Runtime log a warning while it optimizes the graph.
        using var temp = new TempFolder();
        var model = HostileModels.Identity();
        model.Graph.Initializer.Add(new BuildConvert.Core.Formats.Onnx.Proto.TensorProto { Name = "unused", DataType = 1, Dims = { 1 }, FloatData = { 0f } });
        var folder = HostileModels.WriteTest(temp, "noisy", model);

        var run = Bounded("verify", folder, "--json");

        Assert.AreEqual(0, run.Code, run.ToString());
    }

    /// <summary>Runs the tool and asserts the time and memory bounds (and a silent stderr under --json).</summary>
    private MeasuredRun Bounded(params string[] args)
    {
        var run = ToolProcess.RunMeasured(TimeSpan.FromSeconds(60), args);
        TestContext.WriteLine($"buildconvert {args[0]}: exit {run.Code}, {run.Elapsed.TotalSeconds:0.00} s, peak {run.PeakBytes >> 20} MiB");
        Assert.IsLessThan(MaxSeconds, run.Elapsed.TotalSeconds, run.ToString());
        Assert.IsLessThan((long)MaxMiB << 20, run.PeakBytes, run.ToString());
        if (args.Contains("--json"))
        {
            Assert.AreEqual(string.Empty, run.Stderr, run.ToString());
            using var _ = JsonDocument.Parse(run.Stdout);
        }

        return run;
    }

    private static string[] ModelCodes(MeasuredRun run)
    {
        using var json = JsonDocument.Parse(run.Stdout);
        return json.RootElement.Models().SelectMany(m => m.Codes()).ToArray();
    }
}
