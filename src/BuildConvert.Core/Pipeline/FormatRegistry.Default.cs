using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.TensorFlow;
using BuildConvert.Core.Formats.TorchScript;

namespace BuildConvert.Core.Pipeline;

// The composition root of the formats: the only Pipeline file that names a format's plugin type. Formats depend on the
// pipeline's contracts (IModelFormat, SourceModel, ConversionOptions); the pipeline reaches them only through this list.
// tests/BuildConvert.Core.Tests/Architecture/DependencyTests.cs keeps it that way.
public sealed partial class FormatRegistry
{
    /// <summary>The registry of every format BuildConvert supports.</summary>
    public static FormatRegistry CreateDefault() => new(new IModelFormat[]
    {
        new OnnxModelFormat(),
        new TfSavedModelFormat(),
        new TfGraphDefFormat(),
        new TorchScriptFormat(),
    });
}
