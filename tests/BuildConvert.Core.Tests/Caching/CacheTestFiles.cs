using BuildConvert.Core.Caching;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Tests.Pipeline;
using Google.Protobuf;

namespace BuildConvert.Core.Tests.Caching;

/// <summary>A model folder (model + golden files) and a cache folder in one scratch folder, for the cache tests.</summary>
internal sealed class CacheFixture : IDisposable
{
    private readonly ScratchFolder scratch = new();

    public CacheFixture(bool externalData = false)
    {
        ModelFolder = Directory.CreateDirectory(System.IO.Path.Combine(scratch.Path, "project", "models")).FullName;
        Golden = Directory.CreateDirectory(System.IO.Path.Combine(ModelFolder, "m.golden", "test_data_set_0")).Parent!.FullName;
        File.WriteAllBytes(System.IO.Path.Combine(Golden, "test_data_set_0", "input_0.pb"), new byte[] { 1, 2, 3 });
        File.WriteAllBytes(System.IO.Path.Combine(Golden, "test_data_set_0", "output_0.pb"), new byte[] { 4, 5, 6 });
        Model = System.IO.Path.Combine(ModelFolder, "m.onnx");
        if (externalData)
        {
            OnnxModelWriter.Write(WithWeights(), Model, new OnnxWriteOptions { ExternalData = true, ExternalDataFileName = "m.onnx.data" });
        }
        else
        {
            File.WriteAllBytes(Model, PipelineTestFiles.AddRelu().ToByteArray());
        }

        CacheFolder = System.IO.Path.Combine(scratch.Path, "cache");
    }

    public string Path => scratch.Path;

    public string ModelFolder { get; }

    public string Model { get; }

    public string Golden { get; }

    public string CacheFolder { get; }

    public static CacheEnvironment Environment { get; } = new("1.2.3", "1.31.1");

    public ConvertRequest Request(string output, ConversionOptions? options = null) =>
        new(Model, System.IO.Path.Combine(Path, output), (options ?? new ConversionOptions()) with { Golden = Golden });

    public CachingModelPipeline Pipeline() =>
        new(new ModelPipeline(), new ConversionCache(CacheFolder), FormatRegistry.CreateDefault().Options, Environment);

    /// <summary>y = Add(a, w) with w a 300-float initializer (so it goes to external data); opset 13.</summary>
    public static ModelProto WithWeights()
    {
        var graph = new GraphProto { Name = "weights" };
        graph.Input.Add(Vector("a", 300));
        graph.Output.Add(Vector("y", 300));
        var w = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 300 } };
        w.RawData = ByteString.CopyFrom(Enumerable.Range(0, 300).SelectMany(i => BitConverter.GetBytes((float)i)).ToArray());
        graph.Initializer.Add(w);
        graph.Node.Add(new NodeProto { Name = "add", OpType = "Add", Input = { "a", "w" }, Output = { "y" } });
        var model = new ModelProto { IrVersion = 7, ProducerName = "cache-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model;
    }

    public void Dispose() => scratch.Dispose();

    private static ValueInfoProto Vector(string name, long length) => new()
    {
        Name = name,
        Type = new TypeProto
        {
            TensorType = new TypeProto.Types.Tensor
            {
                ElemType = (int)TensorProto.Types.DataType.Float,
                Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimValue = length } } },
            },
        },
    };
}

/// <summary>A validator that counts its runs (each one is a conversion that was not restored) and passes or fails.</summary>
internal sealed class CountingValidator : IModelValidator
{
    private int runs;

    public CountingValidator(bool passes = true, TimeSpan? delay = null)
    {
        Passes = passes;
        Delay = delay ?? TimeSpan.Zero;
    }

    public bool Passes { get; }

    public TimeSpan Delay { get; }

    public int Runs => runs;

    public ValidationReport Validate(string modelPath, string goldenFolder, ToleranceSet tolerances, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref runs);
        Thread.Sleep(Delay);
        var comparison = new OutputComparison("z", Passes, null, 8, Passes ? 0 : 1, Passes ? 0.25 : 0.5, 0, null, null, null, 0.5, 1, tolerances.For("z"), null);
        var diagnostics = Passes
            ? Array.Empty<Diagnostic>()
            : new[] { new DiagnosticDescriptor("BCONV4001", DiagnosticSeverity.Error, "mismatch", "test").Create("output 'z' differs", goldenFolder) };
        return new ValidationReport(modelPath, new[] { new DataSetResult("test_data_set_0", new[] { comparison }) }, diagnostics);
    }
}
