using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.Core.Formats.TensorFlow;

/// <summary>
/// Frozen TensorFlow GraphDefs (<c>tf.io.write_graph</c>, <c>freeze_graph</c>): recognised by content
/// (<see cref="TfContentSniffer"/>), weakly by <c>.pb</c>. Inputs and outputs are the Inputs/Outputs options
/// (<c>x:0</c>), else inferred: placeholders in, nodes nobody consumes out.
/// </summary>
public sealed class TfGraphDefFormat : IModelFormat
{
    /// <summary>The format's name.</summary>
    public const string FormatName = "tf-graphdef";

    private static readonly string[] FileExtensions = { ".pb" };

    private static readonly ConversionOptionDescriptor[] FormatOptions =
    {
        ConversionOptionTable.Opset, ConversionOptionTable.Inputs, ConversionOptionTable.Outputs,
        ConversionOptionTable.InputShapes, ConversionOptionTable.Optimize,
    };

    // Nodes that are never an inferred output: sinks without data outputs, bookkeeping, and sources.
    private static readonly HashSet<string> NotOutputs = new(StringComparer.Ordinal)
    {
        "NoOp", "Assert", "Print", "PrintV2", "SaveV2", "RestoreV2", "Save", "Restore", "SaveSlices", "MergeV2Checkpoints",
        "Const", "Placeholder", "PlaceholderWithDefault", "VariableV2", "Variable", "VarHandleOp", "Assign", "AssignVariableOp",
        "AssignAdd", "AssignSub", "AssignAddVariableOp", "AssignSubVariableOp", "ControlTrigger",
    };

    /// <inheritdoc />
    public string Name => FormatName;

    /// <inheritdoc />
    public string Description => "TensorFlow frozen GraphDef";

    /// <inheritdoc />
    public IReadOnlyList<string> Extensions => FileExtensions;

    /// <inheritdoc />
    public IReadOnlyList<ConversionOptionDescriptor> Options => FormatOptions;

    /// <inheritdoc />
    public FormatMatch Detect(string path)
    {
        if (!File.Exists(path))
        {
            return FormatMatch.None;
        }

        if (TfContentSniffer.Identify(path) == TfContentSniffer.Kind.GraphDef)
        {
            return FormatMatch.Content;
        }

        return FileExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase) ? FormatMatch.Extension : FormatMatch.None;
    }

    /// <inheritdoc />
    public SourceModel Import(string path, ConversionOptions options, CancellationToken cancellationToken = default) =>
        Read(path, TfReadOptions.Default);

    /// <summary>Reads the GraphDef at <paramref name="path"/>.</summary>
    /// <exception cref="BuildConvertException">BCONV1001/1002/1007, BCONV1200-1202 for an unreadable file.</exception>
    public static TfGraphDefSourceModel Read(string path, TfReadOptions readOptions)
    {
        ArgumentNullException.ThrowIfNull(readOptions);
        var graph = TfProtoReader.Read(path, GraphDef.Parser, "GraphDef", readOptions);
        if (graph.Node.Count == 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TfModelCorrupt, $"GraphDef '{path}' has no nodes", path);
        }

        return new TfGraphDefSourceModel(path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", graph, readOptions);
    }

    /// <inheritdoc />
    public ConvertedModel Convert(SourceModel source, ConversionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (source is not TfGraphDefSourceModel model)
        {
            throw new ArgumentException($"the {FormatName} format cannot convert a model read by '{source.Format}'", nameof(source));
        }

        return model.Convert(options, cancellationToken);
    }

    /// <summary>The inputs a frozen graph has when none are named: its placeholders, in graph order.</summary>
    internal static IEnumerable<NodeDef> InferredInputs(GraphDef graph) => graph.Node.Where(n => n.Op == "Placeholder");

    /// <summary>The outputs a frozen graph has when none are named: nodes no other node consumes, in graph order.</summary>
    internal static IEnumerable<NodeDef> InferredOutputs(GraphDef graph)
    {
        var consumed = new HashSet<string>(graph.Node.SelectMany(n => n.Input).Select(TfTensorRef.NodeOf), StringComparer.Ordinal);
        return graph.Node.Where(n => !consumed.Contains(n.Name) && !NotOutputs.Contains(n.Op));
    }
}

/// <summary>A frozen GraphDef as read.</summary>
public sealed class TfGraphDefSourceModel : TfSourceModel
{
    internal TfGraphDefSourceModel(string sourcePath, string baseDirectory, GraphDef graph, TfReadOptions readOptions)
        : base(sourcePath, baseDirectory, TfGraphDefFormat.FormatName, graph, readOptions)
    {
    }

    /// <inheritdoc />
    public override TfGraph BuildGraph(ConversionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var inputs = options.Inputs.Count > 0
            ? options.Inputs.Select(n => Endpoint(n, "--inputs / Inputs")).ToList()
            : TfGraphDefFormat.InferredInputs(Graph).Select(n => new TfEndpoint(n.Name + ":0", new TfTensorRef(n.Name, 0), DataType.DtInvalid, null, false)).ToList();
        var outputs = options.Outputs.Count > 0
            ? options.Outputs.Select(n => Endpoint(n, "--outputs / Outputs")).ToList()
            : TfGraphDefFormat.InferredOutputs(Graph).Select(n => new TfEndpoint(n.Name + ":0", new TfTensorRef(n.Name, 0), DataType.DtInvalid, null, false)).ToList();
        if (outputs.Count == 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TfTensorNotFound,
                "the graph has no node that nothing consumes, so its outputs cannot be inferred; name them with --outputs / Outputs", SourcePath);
        }

        return new TfGraphBuilder(Graph, new Dictionary<string, OpDef>(), ReadOptions, SourcePath).Build(inputs, outputs, options.InputShapes.Select(x => new TfShapeOverride(x.Name, x.Position, x.Dimensions)).ToArray(), null);
    }

    /// <inheritdoc />
    public override ModelSummary Summarize()
    {
        var inputs = TfGraphDefFormat.InferredInputs(Graph).Select(n => Describe(n.Name + ":0", TfNodes.OutputType(n, 0),
            n.Attr.TryGetValue("shape", out var s) && s.ValueCase == AttrValue.ValueOneofCase.Shape ? TfNodes.Dims(s.Shape) : null)).ToArray();
        var outputs = TfGraphDefFormat.InferredOutputs(Graph).Select(n => Describe(n.Name + ":0", TfNodes.OutputType(n, 0), TfNodes.OutputShape(n, 0))).ToArray();
        var constants = Graph.Node.Where(n => n.Op == "Const").ToList();
        long parameters = 0, bytes = 0;
        foreach (var c in constants)
        {
            if (c.Attr.TryGetValue("value", out var v) && v.Tensor is { } t)
            {
                var count = t.TensorShape?.Dim.Aggregate(1L, (a, d) => d.Size >= 0 ? a * d.Size : a) ?? 1;
                parameters += count;
                bytes += t.TensorContent.Length > 0 ? t.TensorContent.Length : 0;
            }
        }

        return new ModelSummary(0, "tensorflow", Graph.Versions?.Producer.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
            Array.Empty<OpsetSummary>(), inputs, outputs, OpHistogram(), Graph.Node.Count, Graph.Library?.Function.Count ?? 0,
            constants.Count, parameters, bytes, 0);
    }

    private TfEndpoint Endpoint(string text, string option)
    {
        var reference = TfTensorRef.Parse(text) ?? throw BuildConvertException.Create(DiagnosticCodes.InvalidOption,
            $"{option}: '{text}' is not a tensor name such as x:0", SourcePath);
        return new TfEndpoint(text, reference, DataType.DtInvalid, null, false);
    }
}
