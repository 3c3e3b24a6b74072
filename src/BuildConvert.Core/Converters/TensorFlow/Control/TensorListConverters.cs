using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TensorFlow.Control;

/// <summary>
/// TensorFlow's TensorList ops (the variant-typed lists TF2 uses for <c>tf.TensorArray</c>, as Keras RNNs do inside
/// a <c>While</c>; https://www.tensorflow.org/api_docs/python/tf/raw_ops) as ONNX sequences, the one ONNX type that
/// holds a run-time number of tensors and that <c>Loop</c> can carry and <c>If</c> return:
/// <list type="table">
/// <item><term><c>TensorListFromTensor</c></term><description><c>SplitToSequence</c> along axis 0, <c>keepdims</c> 0 (one item per row).</description></item>
/// <item><term><c>TensorListReserve</c></term><description>a sequence of <c>num_elements</c> zero tensors of <c>element_shape</c>
/// (<c>ConstantOfShape</c> then <c>SplitToSequence</c>), unknown sizes (-1) taken as 0; an unknown rank gives scalars.
/// TensorFlow's items are uninitialized until set; reading one before it is set gives zeros here where TensorFlow gives
/// zeros (fully known shape) or fails (otherwise). A constant count of 0 gives <c>SequenceEmpty</c>.</description></item>
/// <item><term><c>EmptyTensorList</c></term><description><c>SequenceEmpty</c> (<c>max_num_elements</c> is a capacity hint).</description></item>
/// <item><term><c>TensorListGetItem</c></term><description><c>SequenceAt</c>.</description></item>
/// <item><term><c>TensorListSetItem</c></term><description><c>SequenceErase</c> then <c>SequenceInsert</c> at the index;
/// <c>resize_if_index_out_of_bounds</c> true is refused (BCONV2101).</description></item>
/// <item><term><c>TensorListPushBack</c></term><description><c>SequenceInsert</c> at the end.</description></item>
/// <item><term><c>TensorListPopBack</c></term><description><c>SequenceErase</c> and <c>SequenceAt</c> of position -1.</description></item>
/// <item><term><c>TensorListStack</c></term><description><c>ConcatFromSequence</c> with <c>new_axis</c> 1; when
/// <c>element_shape</c> is a constant fully known shape, an empty list gives a <c>[0, ...element_shape]</c> tensor (an
/// <c>If</c> on the length), as TensorFlow does. <c>num_elements</c> is a check in TensorFlow and is not repeated.</description></item>
/// <item><term><c>TensorListLength</c></term><description><c>SequenceLength</c> as int32.</description></item>
/// <item><term><c>TensorListElementShape</c></term><description>the shape of item 0 (<c>Shape</c> of <c>SequenceAt</c>), or,
/// for an empty list, the statically known element shape with -1 for unknown sizes (a scalar -1 for an unknown rank),
/// in <c>shape_type</c>.</description></item>
/// </list>
/// A pattern-based mapping (a Gather by the loop counter for items read from an unstacked tensor, a Loop scan output
/// for items written then stacked) would avoid sequences but only for the loops that follow the pattern exactly;
/// sequences convert every use and ONNX Runtime runs them in and out of Loops.
/// </summary>
internal static class TensorListConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("TensorListFromTensor", 13, FromTensor, "SplitToSequence along axis 0");
        r.Add("TensorListReserve", 13, Reserve, "a sequence of zero tensors; unknown sizes of element_shape taken as 0");
        r.Add("EmptyTensorList", 13, Empty, "SequenceEmpty");
        r.Add("TensorListGetItem", 13, GetItem, "SequenceAt");
        r.Add("TensorListSetItem", 13, SetItem, "SequenceErase + SequenceInsert; resize_if_index_out_of_bounds false only");
        r.Add("TensorListPushBack", 13, PushBack, "SequenceInsert");
        r.Add("TensorListPopBack", 13, PopBack, "SequenceErase + SequenceAt at -1");
        r.Add("TensorListStack", 13, Stack, "ConcatFromSequence new_axis=1");
        r.Add("TensorListLength", 13, Length, "SequenceLength as int32");
        r.Add("TensorListElementShape", 13, ElementShape, "shape of item 0, else the static element shape");
    }

    private static void FromTensor(TfNodeContext c) =>
        c.SetOutput(0, c.Builder.Op("SplitToSequence", new[] { c.Input(0) }, NodeAttribute.Of("axis", 0L), NodeAttribute.Of("keepdims", 0L)));

    private static void Reserve(TfNodeContext c)
    {
        var element = c.ElementType("element_dtype");
        var b = c.Builder;
        if (c.ConstantInput(1) is { } n && n.FitsInt64 && n.ElementCount == 1 && n.ToInt64s()[0] == 0)
        {
            c.SetOutput(0, SequenceEmpty(b, element));
            return;
        }

        // element_shape: -1 (unknown rank) or a vector with -1 for unknown sizes.
        Value dims;
        if (c.ConstantInput(0) is { FitsInt64: true } shape)
        {
            var values = shape.ToInt64s();
            dims = b.Int64s(shape.Dims.Length == 0 ? Array.Empty<long>() : values.Select(v => System.Math.Max(v, 0)).ToArray());
        }
        else
        {
            if (c.InputRank(0) is not 1)
            {
                throw c.Error("input 0 (element_shape) is computed at run time and is not a vector; its rank must be known");
            }

            var asInt64 = b.Op("Cast", new[] { c.Input(0) }, NodeAttribute.Of("to", (long)DataType.Int64));
            dims = b.Op("Max", asInt64, b.Const(TensorData.FromInt64s(new[] { 0L }), "zero"));
        }

        var count = b.Op("Reshape", b.Op("Cast", new[] { c.Input(1) }, NodeAttribute.Of("to", (long)DataType.Int64)), b.Int64s(1));
        var full = b.Op("Concat", new[] { count, dims }, NodeAttribute.Of("axis", 0L));
        var zeros = b.Op("ConstantOfShape", new[] { full }, NodeAttribute.Of("value", TensorData.Filled(element, new long[] { 1 }, 0)));
        c.SetOutput(0, b.Op("SplitToSequence", new[] { zeros }, NodeAttribute.Of("axis", 0L), NodeAttribute.Of("keepdims", 0L)));
    }

    private static void Empty(TfNodeContext c)
    {
        var element = c.ElementType("element_dtype");
        var empty = SequenceEmpty(c.Builder, element);
        if (Declared(c, 0, element) is { } item)
        {
            empty.Type = OnnxType.Sequence(item);
        }

        c.SetOutput(0, empty);
    }

    /// <summary>The item type that a constant <c>element_shape</c> input (a vector, -1 for unknown sizes) declares, or null.</summary>
    private static OnnxType? Declared(TfNodeContext c, int input, DataType element) =>
        c.ConstantInput(input) is { FitsInt64: true, Dims.Length: 1 } shape
            ? OnnxType.Tensor(element, shape.ToInt64s().Select(d => d >= 0 ? Dim.Of(d) : Dim.Unknown).ToArray())
            : null;

    private static Value SequenceEmpty(OpBuilder b, DataType element) =>
        b.Op("SequenceEmpty", Array.Empty<Value>(), NodeAttribute.Of("dtype", (long)element));

    private static void GetItem(TfNodeContext c)
    {
        var item = c.Builder.Op("SequenceAt", c.Input(0), c.Input(1));
        item.Type = Declared(c, 2, c.ElementType("element_dtype"));
        c.SetOutput(0, item);
    }

    private static void SetItem(TfNodeContext c)
    {
        if (c.Bool("resize_if_index_out_of_bounds", false))
        {
            throw c.AttributeError("resize_if_index_out_of_bounds", "true is not supported (the list cannot grow on a write); only false");
        }

        var b = c.Builder;
        var erased = b.Op("SequenceErase", c.Input(0), c.Input(1));
        c.SetOutput(0, b.Op("SequenceInsert", erased, c.Input(2), c.Input(1)));
    }

    private static void PushBack(TfNodeContext c) => c.SetOutput(0, c.Builder.Op("SequenceInsert", c.Input(0), c.Input(1)));

    private static void PopBack(TfNodeContext c)
    {
        var b = c.Builder;
        var last = b.Const(TensorData.FromInt64s(new[] { -1L }, Array.Empty<long>()), "last");
        c.SetOutput(0, b.Op("SequenceErase", c.Input(0), last));
        if (c.OutputCount > 1)
        {
            var item = b.Op("SequenceAt", c.Input(0), last);
            item.Type = Declared(c, 1, c.ElementType("element_dtype"));
            c.SetOutput(1, item);
        }
    }

    private static void Stack(TfNodeContext c)
    {
        var b = c.Builder;
        var element = c.ElementType("element_dtype");
        var dims = c.ConstantInput(1) is { FitsInt64: true, Dims.Length: 1 } shape ? shape.ToInt64s() : null;
        Value stacked;
        if (dims is not null && dims.All(d => d >= 0))
        {
            // An empty list stacks to [0, ...element_shape].
            var thenBranch = c.Graph.CreateSubgraph($"{c.Name}/empty");
            var emptyBuilder = new OpBuilder(thenBranch, c.Opset) { NamePrefix = $"{c.Name}/empty" };
            thenBranch.Outputs.Add(emptyBuilder.Op("ConstantOfShape", new[] { emptyBuilder.Int64s(new long[] { 0 }.Concat(dims).ToArray()) },
                NodeAttribute.Of("value", TensorData.Filled(element, new long[] { 1 }, 0))));
            var elseBranch = c.Graph.CreateSubgraph($"{c.Name}/stack");
            var stackBuilder = new OpBuilder(elseBranch, c.Opset) { NamePrefix = $"{c.Name}/stack" };
            elseBranch.Outputs.Add(stackBuilder.Op("ConcatFromSequence", new[] { c.Input(0) }, NodeAttribute.Of("axis", 0L), NodeAttribute.Of("new_axis", 1L)));
            var isEmpty = b.Op("Equal", b.Op("SequenceLength", c.Input(0)), b.Const(TensorData.FromInt64s(new[] { 0L }, Array.Empty<long>()), "zero"));
            stacked = b.Node("If", new[] { isEmpty }, 1, new[] { NodeAttribute.Of("then_branch", thenBranch), NodeAttribute.Of("else_branch", elseBranch) }).Outputs[0]!;
        }
        else
        {
            stacked = b.Op("ConcatFromSequence", new[] { c.Input(0) }, NodeAttribute.Of("axis", 0L), NodeAttribute.Of("new_axis", 1L));
        }

        // The element shape (when a constant) gives the result's rank and the sizes it knows.
        if (dims is not null)
        {
            stacked.Type = OnnxType.Tensor(element, new[] { Dim.Unknown }.Concat(dims.Select(d => d >= 0 ? Dim.Of(d) : Dim.Unknown)).ToArray());
        }

        c.SetOutput(0, stacked);
    }

    private static void Length(TfNodeContext c) =>
        c.SetOutput(0, c.Builder.Op("Cast", new[] { c.Builder.Op("SequenceLength", c.Input(0)) }, NodeAttribute.Of("to", (long)DataType.Int32)));

    private static void ElementShape(TfNodeContext c)
    {
        var b = c.Builder;
        var shapeType = c.ElementType("shape_type", DataType.Int32);
        var known = c.Input(0).Type is { Kind: OnnxTypeKind.Sequence, Element: { IsTensor: true } e } ? e.Shape : null;
        if (known is not null && known.All(d => d.IsFixed))
        {
            c.SetOutput(0, b.Const(CastTo(TensorData.FromInt64s(known.Select(d => d.Value!.Value).ToArray()), shapeType), "element_shape"));
            return;
        }

        var fallback = known is null
            ? TensorData.FromInt64s(new[] { -1L }, Array.Empty<long>())
            : TensorData.FromInt64s(known.Select(d => d.IsFixed ? d.Value!.Value : -1L).ToArray());
        var thenBranch = c.Graph.CreateSubgraph($"{c.Name}/empty");
        var emptyBuilder = new OpBuilder(thenBranch, c.Opset) { NamePrefix = $"{c.Name}/empty" };
        thenBranch.Outputs.Add(emptyBuilder.Op("Identity", emptyBuilder.Const(CastTo(fallback, shapeType), "element_shape")));
        var elseBranch = c.Graph.CreateSubgraph($"{c.Name}/first");
        var firstBuilder = new OpBuilder(elseBranch, c.Opset) { NamePrefix = $"{c.Name}/first" };
        var first = firstBuilder.Op("SequenceAt", c.Input(0), firstBuilder.Const(TensorData.FromInt64s(new[] { 0L }, Array.Empty<long>()), "zero"));
        elseBranch.Outputs.Add(firstBuilder.Op("Cast", new[] { firstBuilder.Op("Shape", first) }, NodeAttribute.Of("to", (long)shapeType)));
        var isEmpty = b.Op("Equal", b.Op("SequenceLength", c.Input(0)), b.Const(TensorData.FromInt64s(new[] { 0L }, Array.Empty<long>()), "zero"));
        c.SetOutput(0, b.Node("If", new[] { isEmpty }, 1, new[] { NodeAttribute.Of("then_branch", thenBranch), NodeAttribute.Of("else_branch", elseBranch) }).Outputs[0]!);
    }

    private static TensorData CastTo(TensorData data, DataType type) =>
        type == DataType.Int64 ? data : TensorData.FromInt32s(data.ToInt64s().Select(v => (int)v).ToArray(), data.Dims);
}
