using BuildConvert.Core.Formats.TensorFlow.Proto;
using BuildConvert.Core.Graphs;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Core.Converters.TensorFlow;

/// <summary>
/// A TensorFlow graph as the converters see it, whatever file it came from: one flat list of nodes that computes the
/// chosen outputs from the chosen inputs. The reader has already
/// <list type="bullet">
/// <item>inlined calls to the function library (<c>PartitionedCall</c>, <c>StatefulPartitionedCall</c>), so node names
/// are unique and inputs are graph-level references (<c>node</c>, <c>node:k</c>, or <c>^node</c> for control);</item>
/// <item>turned every variable read into a <c>Const</c> node whose value is in <see cref="Variables"/> (keyed by node
/// name) instead of in its <c>value</c> attribute, so that weights are read once, from the checkpoint;</item>
/// <item>pruned what the outputs do not need, and bound each input to a <c>Placeholder</c> (or
/// <c>PlaceholderWithDefault</c>) with the shape the user or the signature gave.</item>
/// </list>
/// Functions that stay (bodies of <c>While</c>/<c>If</c> and their stateless forms) remain in <see cref="Library"/>.
/// Immutable once built; the converter does not change it.
/// </summary>
public sealed class TfGraph
{
    /// <summary>The nodes, in no particular order; names are unique.</summary>
    public required IReadOnlyList<NodeDef> Nodes { get; init; }

    /// <summary>The graph inputs, in the order the ONNX model will list them.</summary>
    public required IReadOnlyList<TfTensorBinding> Inputs { get; init; }

    /// <summary>The graph outputs, in the order the ONNX model will list them.</summary>
    public required IReadOnlyList<TfTensorBinding> Outputs { get; init; }

    /// <summary>Functions still referenced by control-flow nodes (empty when none).</summary>
    public FunctionDefLibrary Library { get; init; } = new();

    /// <summary>Values of <c>Const</c> nodes that hold a variable's value (from the checkpoint), by node name.</summary>
    public IReadOnlyDictionary<string, TensorData> Variables { get; init; } = new Dictionary<string, TensorData>(StringComparer.Ordinal);

    /// <summary>The GraphDef's producer version (0 when the file gives none).</summary>
    public int Producer { get; init; }
}

/// <summary>
/// One input or output of a <see cref="TfGraph"/>.
/// </summary>
/// <param name="Name">The name the ONNX model gives it: the signature key for a SavedModel, else the tensor name as the
/// user wrote it (e.g. <c>x:0</c>).</param>
/// <param name="Tensor">The tensor it is, as <c>node:index</c>.</param>
/// <param name="ElementType">Its TensorFlow element type, or <see cref="TfDataType.DtInvalid"/> when unknown.</param>
/// <param name="Shape">Its dimensions (-1 for a dynamic one), or null when the rank is unknown.</param>
public sealed record TfTensorBinding(string Name, string Tensor, TfDataType ElementType, IReadOnlyList<long>? Shape);
