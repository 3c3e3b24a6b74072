
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

    /// <summary>Converts <paramref name="graph"/> for ONNX opset <paramref name="opset"/> (default <see cref="DefaultOpset"/>);
    /// every op without a converter is reported at once (BCONV2001). Knows nothing of the pipeline: the TensorFlow
    /// format's plugin turns the result into the pipeline's ConvertedModel.</summary>
    /// <exception cref="Diagnostics.BuildConvertException">The graph cannot be converted as asked.</exception>
    public static TfConversion Convert(TfGraph graph, int? opset, string? file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var target = opset ?? DefaultOpset;
        var unsupported = Registry.FindUnsupported(graph.Nodes.Select(n => ("", n.Op, n.Name)), target);
        if (unsupported.Count > 0)
        {
            throw UnsupportedOperator.Error("TensorFlow", unsupported, target, file);
        }

        throw new InvalidOperationException("the TensorFlow converter registry is empty");
    }
}

/// <summary>What <see cref="TfModelConverter.Convert"/> made: the model (owned by the caller), non-fatal diagnostics,
/// and one line per notable step for reports.</summary>
public sealed record TfConversion(Graphs.Model Model, IReadOnlyList<Diagnostics.Diagnostic> Warnings, IReadOnlyList<string> Steps);
