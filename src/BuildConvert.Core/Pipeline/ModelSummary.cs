using System.Globalization;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Values;

namespace BuildConvert.Core.Pipeline;

/// <summary>
/// What <c>buildconvert inspect</c> shows about an ONNX model: its interface, the opsets it imports, how often each
/// operator occurs (subgraphs included, local functions counted apart) and the size of its parameters.
/// </summary>
/// <param name="IrVersion">The model's IR version.</param>
/// <param name="ProducerName">Producer name (empty when not set).</param>
/// <param name="ProducerVersion">Producer version (empty when not set).</param>
/// <param name="Opsets">Imported operator sets, by domain (<c>ai.onnx</c> for the default domain).</param>
/// <param name="Inputs">The graph inputs a caller feeds (inputs backed by an initializer are left out).</param>
/// <param name="Outputs">The graph outputs.</param>
/// <param name="OpHistogram">Node count per operator (<c>Op</c> or <c>domain:Op</c>), over the main graph and its subgraphs.</param>
/// <param name="NodeCount">Nodes in the main graph and its subgraphs.</param>
/// <param name="FunctionCount">Model-local functions.</param>
/// <param name="InitializerCount">Initializers (dense and sparse) of the main graph.</param>
/// <param name="ParameterCount">Elements over all initializers (stored values for sparse ones).</param>
/// <param name="ParameterBytes">Bytes of those elements at their element type's size (UTF-8 length for strings).</param>
/// <param name="ExternalDataBytes">The part of <paramref name="ParameterBytes"/> stored in external data files.</param>
public sealed record ModelSummary(
    long IrVersion,
    string ProducerName,
    string ProducerVersion,
    IReadOnlyList<OpsetSummary> Opsets,
    IReadOnlyList<ValueSummary> Inputs,
    IReadOnlyList<ValueSummary> Outputs,
    IReadOnlyList<OpCount> OpHistogram,
    long NodeCount,
    int FunctionCount,
    int InitializerCount,
    long ParameterCount,
    long ParameterBytes,
    long ExternalDataBytes)
{
    /// <summary>The signatures a source offers (a TensorFlow SavedModel's SignatureDefs), in key order; empty for
    /// formats without them. <see cref="Inputs"/> and <see cref="Outputs"/> are those of the one converted by default.</summary>
    public IReadOnlyList<SignatureSummary> Signatures { get; init; } = Array.Empty<SignatureSummary>();

    /// <summary>Facts particular to the source's format, as (label, text) lines for <c>inspect</c> (a TorchScript
    /// archive's version, root folder and root class); empty when the format has none.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Details { get; init; } = Array.Empty<KeyValuePair<string, string>>();

    /// <summary>Summarises <paramref name="model"/>. Never throws for malformed sizes: those tensors count as zero.</summary>
    /// <exception cref="Diagnostics.BuildConvertException">BCONV3198 for a subgraph nested past
    /// <see cref="OnnxModelWalker.DefaultMaxDepth"/> (the reader refuses such models first).</exception>
    public static ModelSummary FromModel(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph ?? new GraphProto();
        var histogram = new Dictionary<string, long>(StringComparer.Ordinal);
        long nodes = 0;
        foreach (var node in OnnxModelWalker.Walk(graph).Select(s => s.Node).OfType<NodeProto>())
        {
            nodes++;
            var key = node.Domain is "" or "ai.onnx" ? node.OpType : $"{node.Domain}:{node.OpType}";
            histogram[key] = histogram.GetValueOrDefault(key) + 1;
        }

        long parameters = 0, bytes = 0, external = 0;
        foreach (var tensor in graph.Initializer)
        {
            var (count, size) = TensorSize(tensor);
            parameters += count;
            bytes += size;
            if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
            {
                external += size;
            }
        }

        foreach (var sparse in graph.SparseInitializer)
        {
            if (sparse.Values is { } values)
            {
                var (count, size) = TensorSize(values);
                parameters += count;
                bytes += size;
                if (values.DataLocation == TensorProto.Types.DataLocation.External)
                {
                    external += size;
                }
            }
        }

        return new ModelSummary(
            model.IrVersion,
            model.ProducerName,
            model.ProducerVersion,
            model.OpsetImport.Select(o => new OpsetSummary(o.Domain is "" ? "ai.onnx" : o.Domain, o.Version)).ToArray(),
            GraphInputs.Fed(graph).Select(ValueSummary.FromValueInfo).ToArray(),
            graph.Output.Select(ValueSummary.FromValueInfo).ToArray(),
            histogram.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new OpCount(kv.Key, kv.Value)).ToArray(),
            nodes,
            model.Functions.Count,
            graph.Initializer.Count + graph.SparseInitializer.Count,
            parameters,
            bytes,
            external);
    }

    private static (long Count, long Bytes) TensorSize(TensorProto tensor)
    {
        try
        {
            var count = ElementTypes.ElementCount(tensor.Dims.ToArray());
            var type = (TensorProto.Types.DataType)tensor.DataType;
            if (type == TensorProto.Types.DataType.String)
            {
                return (count, tensor.StringData.Sum(s => (long)s.Length));
            }

            var size = ElementTypes.ByteCount(type, count);
            return (count, Math.Max(size, 0));
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            return (0, 0);
        }
    }
}

/// <summary>One signature of a source: its key, its method name and its inputs and outputs (by signature key).</summary>
public sealed record SignatureSummary(string Key, string MethodName, IReadOnlyList<ValueSummary> Inputs, IReadOnlyList<ValueSummary> Outputs);

/// <summary>One imported operator set.</summary>
public sealed record OpsetSummary(string Domain, long Version);

/// <summary>How many nodes run one operator.</summary>
public sealed record OpCount(string Op, long Count);

/// <summary>A graph input or output: its name, its type as ONNX writes it (<c>tensor(float)</c>,
/// <c>seq(tensor(int64))</c>) and, for tensors with a known rank, its dimensions (numbers or symbols, <c>?</c> when unknown).</summary>
public sealed record ValueSummary(string Name, string Type, IReadOnlyList<string>? Shape)
{
    /// <summary>Describes a graph input or output.</summary>
    public static ValueSummary FromValueInfo(ValueInfoProto value)
    {
        IReadOnlyList<string>? shape = null;
        if (value.Type?.TensorType?.Shape is { } s)
        {
            shape = s.Dim.Select(FormatDim).ToArray();
        }
        else if (value.Type?.SparseTensorType?.Shape is { } sparse)
        {
            shape = sparse.Dim.Select(FormatDim).ToArray();
        }

        return new ValueSummary(value.Name, FormatType(value.Type, 0), shape);
    }

    /// <summary>The shape as text, <c>[1,3,N]</c>, or <c>unknown</c>.</summary>
    public string ShapeText => Shape is null ? "unknown" : $"[{string.Join(",", Shape)}]";

    /// <summary>Formats a type the way ONNX type strings read.</summary>
    public static string FormatType(TypeProto? type, int depth)
    {
        if (type is null || depth > 32)
        {
            return "unknown";
        }

        return type.ValueCase switch
        {
            TypeProto.ValueOneofCase.TensorType => $"tensor({ElementTypes.Name((TensorProto.Types.DataType)type.TensorType.ElemType)})",
            TypeProto.ValueOneofCase.SparseTensorType => $"sparse_tensor({ElementTypes.Name((TensorProto.Types.DataType)type.SparseTensorType.ElemType)})",
            TypeProto.ValueOneofCase.SequenceType => $"seq({FormatType(type.SequenceType.ElemType, depth + 1)})",
            TypeProto.ValueOneofCase.OptionalType => $"optional({FormatType(type.OptionalType.ElemType, depth + 1)})",
            TypeProto.ValueOneofCase.MapType => $"map({ElementTypes.Name((TensorProto.Types.DataType)type.MapType.KeyType)},{FormatType(type.MapType.ValueType, depth + 1)})",
            _ => "unknown",
        };
    }

    private static string FormatDim(TensorShapeProto.Types.Dimension d) => d.ValueCase switch
    {
        TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => d.DimValue.ToString(CultureInfo.InvariantCulture),
        TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => d.DimParam,
        _ => "?",
    };
}
