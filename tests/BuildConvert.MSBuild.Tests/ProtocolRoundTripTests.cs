extern alias tool;

using System.Text.Json;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;
using BuildConvert.MSBuild.Tests.Options;
using BuildConvert.Protocol;
using tool::BuildConvert.Tool;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace BuildConvert.MSBuild.Tests;

/// <summary>
/// The task and the tool speak through <see cref="BatchProtocol"/>: the request the task writes is read by the real
/// tool, and the tool's real answer is read by the task. Fails when the task reads a key the tool never writes, or
/// writes one the tool does not know.
/// </summary>
[TestClass]
public sealed class ProtocolRoundTripTests
{
    [TestMethod]
    public void EveryKeyTheTaskReads_IsWrittenByTheTool_AndEveryRequestKeyIsKnownToIt()
    {
        using var folder = new TempFolder();
        var add = Path.Combine(RepoPaths.OnnxBackend, "node", "test_add");
        var good = Item(folder, "good", Path.Combine(add, "model.onnx"), golden: add);
        good.SetMetadata("Rtol", "1e-4");
        good.SetMetadata("Optimize", "false");
        var corrupt = Item(folder, "corrupt", folder.Write("corrupt.onnx", "not a model"));
        var noGolden = Item(folder, "nogolden", Path.Combine(add, "model.onnx"));
        noGolden.SetMetadata("ValidateResolved", "true");
        var badOption = Item(folder, "badoption", Path.Combine(add, "model.onnx"));
        badOption.SetMetadata("Opset", "seventeen");
        var items = new[] { good, corrupt, noGolden, badOption };
        var request = folder.Write("obj/request.json", ConvertOnnxModels.BuildRequest(items));

        var lines = RunTool(ToolServices.CreateDefault(), request);
        var engine = new RecordingBuildEngine();
        var task = new ConvertOnnxModels { BuildEngine = engine, Models = items };
        foreach (var line in lines)
        {
            Assert.IsTrue(task.TryHandleJson(line), "every line the tool prints is a protocol line: " + line);
        }

        var parsed = lines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.IsTrue(task.KeysRead.Count > 10, "the task read the lines");
        foreach (var (kind, key) in task.KeysRead)
        {
            var ofKind = parsed.Where(p => p.GetProperty(BatchProtocol.Line.Kind).GetString() == kind).ToArray();
            Assert.IsNotEmpty(ofKind, $"the task reads '{kind}' lines; the tool printed none");
            Assert.IsTrue(ofKind.All(p => p.TryGetProperty(key, out _)), $"the task reads '{key}' of '{kind}' lines, but the tool does not write it");
        }

        foreach (var (kind, keys) in new[] { (BatchProtocol.Kinds.Diagnostic, BatchProtocol.Diagnostic.All), (BatchProtocol.Kinds.Model, BatchProtocol.Model.All), (BatchProtocol.Kinds.Done, BatchProtocol.Done.All) })
        {
            foreach (var line in parsed.Where(p => p.GetProperty(BatchProtocol.Line.Kind).GetString() == kind))
            {
                CollectionAssert.AreEquivalent(keys.Append(BatchProtocol.Line.Kind).ToArray(), line.EnumerateObject().Select(p => p.Name).ToArray(), $"a {kind} line has exactly the protocol's keys");
            }
        }

        CollectionAssert.AreEquivalent(new[] { "BCONV1005", "BCONV0008", "BCONV0003" }, engine.Errors.Select(e => e.Code).Distinct().ToArray(), engine.ErrorText);
        StringAssert.Contains(engine.Errors.Single(e => e.Code == "BCONV0003").Message, "<OnnxModel> 'badoption': Opset 'seventeen'");
        Assert.IsTrue(engine.Messages.Any(m => m.Message!.Contains("good: passed", StringComparison.Ordinal)), string.Join("\n", engine.Messages.Select(m => m.Message)));
    }

    [TestMethod]
    public void AFormatsOwnOption_GoesFromItemMetadata_IntoTheRequest_TheStamp_AndTheImporter()
    {
        using var folder = new TempFolder();
        var format = new SignatureFormat();
        var registry = new FormatRegistry(new IModelFormat[] { new OnnxModelFormat(), format });
        var options = TaskOptionFiles.ToTaskOptions(registry.Options);
        var item = Item(folder, "saved", folder.Write("model.saved", "x"));
        item.SetMetadata("Signature", " serving_default ");

        var request = folder.Write("obj/request.json", ConvertOnnxModels.BuildRequest(new[] { item }, options));
        var stamp = ResolveOnnxModels.StampText(item, "tool", options);
        item.SetMetadata("Signature", "other");
        var changed = ResolveOnnxModels.StampText(item, "tool", options);
        var lines = RunTool(new ToolServices(registry, () => throw new InvalidOperationException("no validation")), request);

        using (var document = JsonDocument.Parse(File.ReadAllText(request)))
        {
            Assert.AreEqual("serving_default", document.RootElement.GetProperty("items")[0].GetProperty("signature").GetString());
        }

        StringAssert.Contains(stamp, "\nSignature=serving_default\n");
        Assert.AreNotEqual(stamp, changed, "a changed format option makes the item stale");
        Assert.AreEqual("serving_default", format.Seen.Single().Get(SignatureFormat.Signature));
        StringAssert.Contains(lines.Last(l => l.Contains("\"model\"", StringComparison.Ordinal)), "\"status\":\"passed\"");
    }

    private static string[] RunTool(ToolServices services, string request)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run(new[] { BatchProtocol.CommandName, BatchProtocol.RequestSwitch, request }, stdout, stderr, services);
        Assert.IsTrue(code is 0 or 1, $"exit {code}\n{stdout}\n{stderr}");
        return stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static TaskItem Item(TempFolder folder, string id, string input, string golden = "")
    {
        var item = new TaskItem(id);
        item.SetMetadata("InputFile", input);
        item.SetMetadata("IntermediateFile", folder.Combine("obj/" + id + ".onnx"));
        item.SetMetadata("DependencyFile", folder.Combine("obj/" + id + ".onnx.deps"));
        item.SetMetadata("GoldenDirectory", golden);
        item.SetMetadata("ValidateResolved", golden.Length > 0 ? "true" : "false");
        return item;
    }

    /// <summary>A test-only format with an option of its own, as a SavedModel format would declare <c>Signature</c>.</summary>
    private sealed class SignatureFormat : IModelFormat
    {
        public static readonly ConversionOptionDescriptor Signature = ConversionOptionDescriptor.ForFormat(
            "Signature", "--signature", OptionValueKind.Text, "The signature to convert.");

        public List<ConversionOptions> Seen { get; } = new();

        public string Name => "saved";

        public string Description => "test format";

        public IReadOnlyList<string> Extensions => new[] { ".saved" };

        public IReadOnlyList<ConversionOptionDescriptor> Options => new[] { Signature };

        public FormatMatch Detect(string path) => path.EndsWith(".saved", StringComparison.Ordinal) ? FormatMatch.Content : FormatMatch.None;

        public SourceModel Import(string path, ConversionOptions options, CancellationToken cancellationToken = default)
        {
            Seen.Add(options);
            var model = OnnxModelReader.Read(Path.Combine(RepoPaths.OnnxBackend, "node", "test_add", "model.onnx"));
            return new OnnxSourceModel(model, path, Path.GetDirectoryName(path)!, Name);
        }

        public ConvertedModel Convert(SourceModel source, ConversionOptions options, CancellationToken cancellationToken = default) =>
            new(BuildConvert.Core.Graphs.OnnxGraphImporter.FromProto(((OnnxSourceModel)source).Proto), Array.Empty<Diagnostic>(), Array.Empty<string>());
    }
}
