using BuildConvert.Core.Formats.TensorFlow.Proto;

namespace BuildConvert.Core.Converters.TensorFlow;

/// <summary>
/// The output arguments of TensorFlow ops with more than one output, or with list outputs, and which attribute gives
/// each list's length (from the ops' registrations, tensorflow/core/ops/*.cc). Function bodies name outputs as
/// <c>node:output_arg:index</c>; the graph names them <c>node:k</c>, counting over the flattened arguments, so
/// inlining needs this layout. A SavedModel's stripped op list gives the same facts for the ops it uses and is
/// preferred; this table covers frozen graphs and ops missing there. Ops not listed have one output, <c>output</c>.
/// The reader uses it to inline calls; the converter to resolve references inside the bodies of <c>If</c>/<c>While</c>.
/// </summary>
public static class TfOpOutputs
{
    /// <summary>One output argument: its name and how many tensors it is.</summary>
    /// <param name="Name">The argument's name (<c>y</c>, <c>batch_mean</c>).</param>
    /// <param name="NumberAttr">The int attribute giving the count of a homogeneous list, or null.</param>
    /// <param name="TypeListAttr">The type-list attribute whose length gives the count of a mixed list, or null.</param>
    public sealed record OutputArg(string Name, string? NumberAttr = null, string? TypeListAttr = null);

    private static OutputArg One(string name) => new(name);

    private static OutputArg Number(string name, string attr) => new(name, NumberAttr: attr);

    private static OutputArg Types(string name, string attr) => new(name, TypeListAttr: attr);

    private static readonly IReadOnlyDictionary<string, OutputArg[]> Table = new Dictionary<string, OutputArg[]>(StringComparer.Ordinal)
    {
        ["Split"] = new[] { Number("output", "num_split") },
        ["SplitV"] = new[] { Number("output", "num_split") },
        ["Unpack"] = new[] { Number("output", "num") },
        ["FusedBatchNorm"] = new[] { One("y"), One("batch_mean"), One("batch_variance"), One("reserve_space_1"), One("reserve_space_2") },
        ["FusedBatchNormV2"] = new[] { One("y"), One("batch_mean"), One("batch_variance"), One("reserve_space_1"), One("reserve_space_2") },
        ["FusedBatchNormV3"] = new[] { One("y"), One("batch_mean"), One("batch_variance"), One("reserve_space_1"), One("reserve_space_2"), One("reserve_space_3") },
        ["TopKV2"] = new[] { One("values"), One("indices") },
        ["TopK"] = new[] { One("values"), One("indices") },
        ["Unique"] = new[] { One("y"), One("idx") },
        ["UniqueV2"] = new[] { One("y"), One("idx") },
        ["UniqueWithCounts"] = new[] { One("y"), One("idx"), One("count") },
        ["IdentityN"] = new[] { Types("output", "T") },
        ["ShapeN"] = new[] { Number("output", "N") },
        ["ConcatOffset"] = new[] { Number("offset", "N") },
        ["Switch"] = new[] { One("output_false"), One("output_true") },
        ["RefSwitch"] = new[] { One("output_false"), One("output_true") },
        ["Merge"] = new[] { One("output"), One("value_index") },
        ["RefMerge"] = new[] { One("output"), One("value_index") },
        ["While"] = new[] { Types("output", "T") },
        ["StatelessWhile"] = new[] { Types("output", "T") },
        ["If"] = new[] { Types("output", "Tout") },
        ["StatelessIf"] = new[] { Types("output", "Tout") },
        ["Case"] = new[] { Types("output", "Tout") },
        ["StatelessCase"] = new[] { Types("output", "Tout") },
        ["PartitionedCall"] = new[] { Types("output", "Tout") },
        ["StatefulPartitionedCall"] = new[] { Types("output", "Tout") },
        ["DynamicPartition"] = new[] { Number("outputs", "num_partitions") },
        ["BroadcastGradientArgs"] = new[] { One("r0"), One("r1") },
        ["SoftmaxCrossEntropyWithLogits"] = new[] { One("loss"), One("backprop") },
        ["SparseSoftmaxCrossEntropyWithLogits"] = new[] { One("loss"), One("backprop") },
        ["MaxPoolWithArgmax"] = new[] { One("output"), One("argmax") },
        ["Qr"] = new[] { One("q"), One("r") },
        ["Svd"] = new[] { One("s"), One("u"), One("v") },
        ["SelfAdjointEigV2"] = new[] { One("e"), One("v") },
        ["NonMaxSuppressionV4"] = new[] { One("selected_indices"), One("valid_outputs") },
        ["NonMaxSuppressionV5"] = new[] { One("selected_indices"), One("selected_scores"), One("valid_outputs") },
        ["CombinedNonMaxSuppression"] = new[] { One("nmsed_boxes"), One("nmsed_scores"), One("nmsed_classes"), One("valid_detections") },
        ["StringSplit"] = new[] { One("indices"), One("values"), One("shape") },
        ["StringSplitV2"] = new[] { One("indices"), One("values"), One("shape") },
        ["ParseExample"] = new[] { Number("sparse_indices", "Nsparse"), Types("sparse_values", "sparse_types"), Number("sparse_shapes", "Nsparse"), Types("dense_values", "Tdense") },
        ["ParseExampleV2"] = new[]
        {
            Number("sparse_indices", "num_sparse"), Types("sparse_values", "sparse_types"), Number("sparse_shapes", "num_sparse"),
            Types("dense_values", "Tdense"), Types("ragged_values", "ragged_value_types"), Types("ragged_row_splits", "ragged_split_types"),
        },
        ["CudnnRNN"] = new[] { One("output"), One("output_h"), One("output_c"), One("reserve_space") },
        ["CudnnRNNV2"] = new[] { One("output"), One("output_h"), One("output_c"), One("reserve_space"), One("host_reserved") },
        ["CudnnRNNV3"] = new[] { One("output"), One("output_h"), One("output_c"), One("reserve_space"), One("host_reserved") },
        ["LSTMBlockCell"] = new[] { One("i"), One("cs"), One("f"), One("o"), One("ci"), One("co"), One("h") },
        ["BlockLSTM"] = new[] { One("i"), One("cs"), One("f"), One("o"), One("ci"), One("co"), One("h") },
        ["BlockLSTMV2"] = new[] { One("i"), One("cs"), One("f"), One("o"), One("ci"), One("co"), One("h") },
        ["GRUBlockCell"] = new[] { One("r"), One("u"), One("c"), One("h") },
        ["TensorListPopBack"] = new[] { One("output_handle"), One("tensor") },
        ["QuantizeV2"] = new[] { One("output"), One("output_min"), One("output_max") },
        ["FakeQuantWithMinMaxVarsGradient"] = new[] { One("backprops_wrt_input"), One("backprop_wrt_min"), One("backprop_wrt_max") },
        ["RaggedTensorToSparse"] = new[] { One("sparse_indices"), One("sparse_values"), One("sparse_dense_shape") },
        ["SparseFillEmptyRows"] = new[] { One("output_indices"), One("output_values"), One("empty_row_indicator"), One("reverse_index_map") },
        ["SparseReshape"] = new[] { One("output_indices"), One("output_shape") },
        ["CTCGreedyDecoder"] = new[] { One("decoded_indices"), One("decoded_values"), One("decoded_shape"), One("log_probability") },
    };

    /// <summary>The output arguments of <paramref name="op"/> from the table, or null when it has no entry.</summary>
    public static IReadOnlyList<OutputArg>? Find(string op) => Table.GetValueOrDefault(op);

    /// <summary>The output arguments an <see cref="OpDef"/> declares.</summary>
    public static IReadOnlyList<OutputArg> FromOpDef(OpDef def) =>
        def.OutputArg.Select(a => new OutputArg(a.Name,
            a.NumberAttr.Length > 0 ? a.NumberAttr : null,
            a.TypeListAttr.Length > 0 ? a.TypeListAttr : null)).ToArray();

    /// <summary>
    /// The flat output index of <c>node:arg:index</c> from the table and the node's own attributes; null when the op is
    /// not listed (it then has one output argument, whatever its name) or the attributes do not give a list's length.
    /// </summary>
    /// <param name="node">The producing node.</param>
    /// <param name="arg">The output argument named in the reference.</param>
    /// <param name="index">The index within that argument.</param>
    /// <param name="known">False when the op is not in the table, so the caller treats the reference as output <paramref name="index"/>.</param>
    /// <returns>The flat index, or null when the op is listed but has no such argument or an unreadable length.</returns>
    public static int? FlatIndex(NodeDef node, string arg, int index, out bool known)
    {
        ArgumentNullException.ThrowIfNull(node);
        var layout = Find(node.Op);
        known = layout is not null;
        if (layout is null)
        {
            return index;
        }

        var offset = 0;
        foreach (var output in layout)
        {
            var count = CountOf(output, node);
            if (count is null)
            {
                return null;
            }

            if (output.Name == arg)
            {
                return index < count ? offset + index : null;
            }

            offset += count.Value;
        }

        return null;
    }

    private static int? CountOf(OutputArg output, NodeDef node)
    {
        if (output.NumberAttr is { } number)
        {
            return node.Attr.TryGetValue(number, out var n) && n.ValueCase == AttrValue.ValueOneofCase.I && n.I is >= 0 and <= int.MaxValue ? (int)n.I : null;
        }

        if (output.TypeListAttr is { } types)
        {
            return node.Attr.TryGetValue(types, out var t) && t.ValueCase == AttrValue.ValueOneofCase.List ? t.List.Type.Count : null;
        }

        return 1;
    }
}
