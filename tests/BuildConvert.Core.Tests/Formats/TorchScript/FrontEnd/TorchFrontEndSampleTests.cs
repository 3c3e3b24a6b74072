using System.Text.Json;
using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Formats.TorchScript.FrontEnd;
using BuildConvert.Core.Graphs;
using static BuildConvert.Core.Tests.Formats.TorchScript.TorchScriptSamples;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Formats.TorchScript.FrontEnd;

/// <summary>torchvision and torch.nn models scripted and traced by Debian's PyTorch 1.13 (eng/torchscript/make-parser-samples.py),
/// through the front end with the module trees their data.pkl holds.</summary>
[TestClass]
public sealed class TorchFrontEndSampleTests
{
    public TestContext TestContext { get; set; } = null!;

    internal static TorchFrontEndResult BuildSample(string folder, Func<int, Dim>? batch = null)
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "sample.json")));
        var inputs = sample.RootElement.GetProperty("inputs").EnumerateArray().Select(i =>
        {
            var dims = i.GetProperty("shape").EnumerateArray().Select((d, k) => k == 0 && batch is not null ? batch(k) : Dim.Of(d.GetInt64())).ToArray();
            var dtype = i.GetProperty("dtype").GetString() == "int64" ? DataType.Int64 : DataType.Float;
            return new TorchInputSpec(i.GetProperty("name").GetString()!, TorchType.Tensor, dims, dtype);
        }).ToArray();
        var code = BuildConvert.Core.Formats.TorchScript.FrontEnd.TorchScriptCode.Parse(CodeFilesOfFolder(folder));
        return TorchFrontEnd.Build(ModuleTree(folder), code, Constants(folder), sample.RootElement.GetProperty("method").GetString()!, inputs, null);
    }

    [TestMethod]
    public void Survey()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("BCONV_SAMPLES") is { } only ? only.Split(",").AsEnumerable() : Directory.EnumerateDirectories(CommittedSamples).Concat(Directory.EnumerateDirectories(GeneratedSamples)).Order()))
        {
            try
            {
                var r = BuildSample(dir);
                TestContext.WriteLine($"{Path.GetFileName(dir)}: OK {Describe(KindCounts(r.Graph))} outputs={r.Graph.Outputs.Count} notes={string.Join(" | ", r.Notes)}");
                if (Environment.GetEnvironmentVariable("BCONV_SAMPLES") is not null)
                {
                    foreach (var n in r.Graph.Nodes)
                    {
                        TestContext.WriteLine($"  {n.Kind}({string.Join(", ", n.Inputs.Select(i => i.Constant is { } c and not TorchTensorConstant ? BuildConvert.Core.Formats.TorchScript.FrontEnd.TorchScriptCode.Show(c) : i.Name + "[" + string.Join(",", i.Shape ?? []) + "]"))}) -> {string.Join(", ", n.Outputs.Select(o => o.Name + "[" + string.Join(",", o.Shape ?? []) + "]"))}  {n.SourceRange}");
                    }
                }
            }
            catch (Exception e)
            {
                TestContext.WriteLine($"{Path.GetFileName(dir)}: {e.GetType().Name} {e.Message}");
            }
        }
    }
}
