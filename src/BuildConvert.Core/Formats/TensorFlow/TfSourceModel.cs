using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Formats.TensorFlow;

/// <summary>A TensorFlow model as read (a frozen GraphDef or a SavedModel's MetaGraph), not yet flattened.</summary>
public abstract class TfSourceModel : SourceModel
{
    /// <summary>A source read from <paramref name="sourcePath"/> by <paramref name="format"/>.</summary>
    protected TfSourceModel(string sourcePath, string baseDirectory, string format, GraphDef graph, TfReadOptions readOptions)
        : base(sourcePath, baseDirectory, format)
    {
        Graph = graph;
        ReadOptions = readOptions;
    }

    /// <summary>The GraphDef as read (owned by the source; never modified).</summary>
    public GraphDef Graph { get; }

    /// <summary>The limits it was read with (they also bound inlining and variable reads).</summary>
    public TfReadOptions ReadOptions { get; }

    /// <summary>
    /// The graph a conversion with <paramref name="options"/> sees: the chosen inputs and outputs (Inputs, Outputs,
    /// InputShapes, and for a SavedModel the Signature), calls inlined, variables read, pruned.
    /// </summary>
    /// <exception cref="Diagnostics.BuildConvertException">BCONV12xx when the model or the options do not fit.</exception>
    public abstract TfGraph BuildGraph(ConversionOptions options);

    /// <summary>
    /// Converts this source as <paramref name="options"/> ask: <see cref="BuildGraph"/>, then the TensorFlow converters
    /// at the target opset, then (with <see cref="ConversionOptions.Optimize"/>) every pass of the core's optimizer.
    /// </summary>
    /// <exception cref="Diagnostics.BuildConvertException">The model or the options do not fit (BCONV12xx), or an op
    /// cannot be converted (BCONV2xxx).</exception>
    public ConvertedModel Convert(ConversionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var conversion = TfModelConverter.Convert(BuildGraph(options), options.Opset, SourcePath, cancellationToken);
        var steps = conversion.Steps.ToList();
        if (options.Optimize)
        {
            Optimizers.OptimizationReport report;
            try
            {
                report = Optimizers.GraphOptimizer.Optimize(conversion.Model);
            }
            catch (Exception e) when (e is not (Diagnostics.BuildConvertException or OutOfMemoryException or OperationCanceledException))
            {
                throw Diagnostics.BuildConvertException.Create(Diagnostics.DiagnosticCodes.ConversionStepFailed,
                    $"the optimizer failed ({e.GetType().Name}: {e.Message})", SourcePath, inner: e);
            }

            steps.Add($"optimize: {report}");
        }

        return new ConvertedModel(conversion.Model, conversion.Warnings, steps);
    }

    /// <summary>The op histogram of the GraphDef and its function library.</summary>
    protected IReadOnlyList<OpCount> OpHistogram() =>
        Graph.Node.Concat(Graph.Library?.Function.SelectMany(f => f.NodeDef) ?? Enumerable.Empty<NodeDef>())
            .GroupBy(n => n.Op, StringComparer.Ordinal)
            .Select(g => new OpCount(g.Key, g.LongCount()))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Op, StringComparer.Ordinal)
            .ToArray();

    /// <summary>Describes a tensor for <c>inspect</c>.</summary>
    protected static ValueSummary Describe(string name, DataType type, IReadOnlyList<long>? shape) =>
        new(name, type == DataType.DtInvalid ? "unknown" : $"tensor({TfDataTypes.Name(type)})",
            shape?.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
}
