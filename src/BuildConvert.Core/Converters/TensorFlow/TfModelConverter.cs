using BuildConvert.Core.Formats.TensorFlow;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Converters.TensorFlow;

/// <summary>
/// Turns a <see cref="TfGraph"/> into the core ONNX graph at the target opset (13-21, default 17): every node through
/// the TensorFlow converter registry, NHWC layouts through Transposes that the core's passes push and cancel.
/// </summary>
public static class TfModelConverter
{
    /// <summary>The ONNX opset used when the options name none.</summary>
    public const int DefaultOpset = 17;

    /// <summary>The TensorFlow converters, keyed by TensorFlow op and minimum ONNX opset.</summary>
    public static OpConverterRegistry<object> Registry { get; } = new OpConverterRegistry<object>("TensorFlow").Freeze();

    /// <summary>Converts <paramref name="graph"/>; every op without a converter is reported at once (BCONV2001).</summary>
    /// <exception cref="Diagnostics.BuildConvertException">The graph cannot be converted as asked.</exception>
    public static ConvertedModel Convert(TfGraph graph, ConversionOptions options, string? file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(options);
        var opset = options.Opset ?? DefaultOpset;
        var unsupported = Registry.FindUnsupported(graph.Nodes.Select(n => ("", n.Op, n.Name)), opset);
        if (unsupported.Count > 0)
        {
            throw UnsupportedOperator.Error("TensorFlow", unsupported, opset, file);
        }

        throw new InvalidOperationException("the TensorFlow converter registry is empty");
    }
}
