using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TensorFlow.Shapes;

/// <summary>
/// Shape ops (https://www.tensorflow.org/api_docs/python/tf/raw_ops: Reshape, Squeeze, ExpandDims, ConcatV2, Concat,
/// Pack, Unpack, Split, SplitV, Shape, ShapeN, Fill). Axes, sizes and split sizes that ONNX takes as attributes must be
/// constants (or computed only from constants and static shapes); shape tensors may be computed at run time.
/// TensorFlow's Reshape reads a 0 in the shape literally (an empty dimension), which ONNX spells <c>allowzero=1</c>
/// (opset 14; see <see cref="Reshape"/> for opset 13 and for a -1 beside a 0); TensorFlow's Squeeze without dims drops every size-1 dimension, as ONNX Squeeze without axes does.
/// </summary>
internal static class ShapeConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("Reshape", 13, Reshape, "-1 inferred as TensorFlow does (zero-size dimensions skipped when the shape has a 0); 0 is an empty dimension (allowzero=1 from opset 14; at opset 13 an empty tensor, through an If when the shape is computed at run time)");
        r.Add("Squeeze", 13, Squeeze, "squeeze_dims, negative; none: every size-1 dimension");
        r.Add("ExpandDims", 13, ExpandDims, "axis input, negative");
        r.Add("ConcatV2", 13, ConcatV2, "axis (last input) constant, negative");
        r.Add("Concat", 13, Concat, "concat_dim (first input) constant");
        r.Add("Pack", 13, Pack, "axis, negative");
        r.Add("Unpack", 13, Unpack, "num, axis, negative");
        r.Add("Split", 13, Split, "split_dim (first input) constant, num_split");
        r.Add("SplitV", 13, SplitV, "size_splits with at most one -1, may be computed at run time (num_split outputs); split_dim constant");
        r.Add("Shape", 13, Shape, "out_type int32/int64");
        r.Add("ShapeN", 13, ShapeN, "out_type int32/int64");
        r.Add("Fill", 13, Fill, "dims may be computed at run time");
    }

    /// <summary>
    /// Reshape(tensor, shape[int32|int64]), as TensorFlow's kernel defines it: a 0 is an empty dimension, and the one -1
    /// is the element count divided by the product of the other sizes, where both products skip zero-size dimensions when
    /// the shape has a 0 (so <c>[0, -1]</c> of a <c>[0, 6]</c> tensor is <c>[0, 6]</c>). ONNX's Reshape copies the input
    /// dimension for a 0 unless <c>allowzero=1</c> (opset 14), and refuses a 0 beside a -1: the -1 is resolved here (at
    /// conversion time when the sizes are known, else by a few shape ops) wherever a 0 may meet it; at opset 13 a shape
    /// with a 0 gives the empty tensor of that shape (a constant, or an <c>If</c> on "has a 0" when only the run time knows).
    /// </summary>
    private static void Reshape(TfNodeContext c)
    {
        var b = c.Builder;
        var x = c.Input(0);
        if (c.ConstantInput(1) is { } constant)
        {
            ReshapeToConstant(c, x, constant.ToInt64s());
            return;
        }

        var shape = ToInt64(c, c.Input(1));
        var (mayBeZero, mayBeMinusOne) = MayHold(c, shape);
        if (!mayBeZero)
        {
            c.SetOutput(0, b.Op("Reshape", x, shape));
            return;
        }

        var resolved = mayBeMinusOne ? ResolveInferredSize(c, x, shape) : shape;
        if (c.Opset >= 14)
        {
            c.SetOutput(0, b.Op("Reshape", new[] { x, resolved }, NodeAttribute.Of("allowzero", 1L)));
            return;
        }

        // Opset 13: no allowzero. A shape with a 0 means an empty result (TensorFlow requires the element counts to agree),
        // which an If makes without a Reshape; otherwise no 0 reaches the Reshape.
        var hasZero = b.Op("Equal", b.Reduce("ReduceProd", resolved, null, keepDims: false), b.Const(TensorData.FromInt64s(new[] { 0L }, Array.Empty<long>()), "zero"));
        var type = x.Type is { IsTensor: true, ElementType: not DataType.Undefined } t ? t.ElementType : c.InputElementType(0);
        var empty = c.Graph.CreateSubgraph($"{c.Name}/empty");
        var emptyBuilder = new OpBuilder(empty, c.Opset) { NamePrefix = $"{c.Name}/empty" };
        empty.Outputs.Add(Empty(emptyBuilder, resolved, type));
        var reshaped = c.Graph.CreateSubgraph($"{c.Name}/reshape");
        var reshapedBuilder = new OpBuilder(reshaped, c.Opset) { NamePrefix = $"{c.Name}/reshape" };
        reshaped.Outputs.Add(reshapedBuilder.Op("Reshape", x, resolved));
        c.SetOutput(0, b.Node("If", new[] { hasZero }, 1, new[]
        {
            NodeAttribute.Of("then_branch", empty), NodeAttribute.Of("else_branch", reshaped),
        }).Outputs[0]!);
    }

    private static void ReshapeToConstant(TfNodeContext c, Value x, long[] dims)
    {
        var b = c.Builder;
        if (dims.Count(d => d == -1) > 1 || dims.Any(d => d < -1))
        {
            throw c.Error($"input 1 (shape) [{string.Join(", ", dims)}] may hold at most one -1 and no other negative size");
        }

        if (!dims.Contains(0))
        {
            // Without a 0, ONNX's -1 is TensorFlow's (the element count over the product of the other sizes).
            c.SetOutput(0, b.Op("Reshape", x, b.Int64s(dims)));
            return;
        }

        var inferred = Array.IndexOf(dims, -1L);
        var known = dims.Where(d => d > 0).Aggregate(1L, (p, d) => p * d);
        Value shape;
        if (inferred < 0)
        {
            shape = b.Int64s(dims);
        }
        else if (c.InputShape(0) is { } inShape && inShape.All(d => d.IsFixed))
        {
            var count = inShape.Aggregate(1L, (p, d) => p * System.Math.Max(d.Value!.Value, 1));
            if (count % known != 0)
            {
                throw c.Error($"input 1 (shape) [{string.Join(", ", dims)}] does not fit an input of shape [{string.Join(", ", inShape)}]");
            }

            dims = (long[])dims.Clone();
            dims[inferred] = count / known;
            shape = b.Int64s(dims);
        }
        else
        {
            // The -1 is the product of the input's non-zero sizes over the shape's: computed at run time.
            var nonZero = b.Op("Max", b.Op("Shape", x), b.Int64s(1));
            var count = b.Reduce("ReduceProd", nonZero, null, keepDims: false);
            var missing = b.Op("Div", count, b.Const(TensorData.FromInt64s(new[] { known }, Array.Empty<long>()), "known"));
            var mask = b.Const(TensorData.FromBytes(DataType.Bool, new long[] { dims.Length }, dims.Select(d => d == -1 ? (byte)1 : (byte)0).ToArray()), "inferred");
            shape = b.Op("Where", mask, missing, b.Int64s(dims));
        }

        c.SetOutput(0, c.Opset >= 14
            ? b.Op("Reshape", new[] { x, shape }, NodeAttribute.Of("allowzero", 1L))
            : Empty(b, shape, c.InputElementType(0)));
    }

    /// <summary>
    /// TensorFlow's -1 resolved at run time in <paramref name="shape"/> (int64, rank 1): the element count over the product
    /// of the other sizes, both skipping zero-size dimensions when the shape has a 0.
    /// </summary>
    private static Value ResolveInferredSize(TfNodeContext c, Value x, Value shape)
    {
        var b = c.Builder;
        Value Scalar(long v, string hint) => b.Const(TensorData.FromInt64s(new[] { v }, Array.Empty<long>()), hint);
        var one = Scalar(1, "one");
        var hasZero = b.Op("Equal", b.Reduce("ReduceProd", shape, null, keepDims: false), Scalar(0, "zero"));
        var inShape = b.Op("Shape", x);
        var counted = b.Op("Where", hasZero, b.Op("Max", inShape, one), inShape);
        var count = b.Reduce("ReduceProd", counted, null, keepDims: false);
        var known = b.Reduce("ReduceProd", b.Op("Max", shape, one), null, keepDims: false);
        var missing = b.Op("Div", count, known);
        return b.Op("Where", b.Op("Equal", shape, Scalar(-1, "minus_one")), missing, shape);
    }

    /// <summary>
    /// Whether the int64 shape vector <paramref name="shape"/> may hold a 0 and a -1 at run time, read from how it is made:
    /// constants, the sizes of a Shape (never -1, maybe 0), and the Concat/Unsqueeze/Squeeze/Reshape/Slice/Gather/Cast
    /// that assemble them (their values are some of their inputs'); anything else may hold either.
    /// </summary>
    private static (bool Zero, bool MinusOne) MayHold(TfNodeContext c, Value shape)
    {
        var zero = false;
        var minusOne = false;
        var pending = new Stack<Value>();
        pending.Push(shape);
        var steps = 0;
        while (pending.Count > 0)
        {
            var v = pending.Pop();
            if (++steps > 64)
            {
                return (true, true);
            }

            if (c.ConstantOf(v) is { } known)
            {
                if (!known.FitsInt64)
                {
                    return (true, true);
                }

                var values = known.ToInt64s();
                zero |= values.Contains(0);
                minusOne |= values.Contains(-1);
                continue;
            }

            var producer = v.IsGraphInput ? null : v.Producer;
            switch (producer?.OpType)
            {
                case "Shape":
                    zero = true;
                    break;
                case "Concat" or "Identity" or "Unsqueeze" or "Squeeze" or "Reshape" or "Slice" or "Gather" or "Cast":
                    foreach (var input in producer.OpType is "Concat" or "Identity" ? producer.Inputs : producer.Inputs.Take(1))
                    {
                        if (input is null)
                        {
                            return (true, true);
                        }

                        pending.Push(input);
                    }

                    break;
                default:
                    return (true, true);
            }
        }

        return (zero, minusOne);
    }

    /// <summary>The empty tensor of element type <paramref name="type"/> and shape <paramref name="shape"/> (which holds a 0).</summary>
    private static Value Empty(OpBuilder b, Value shape, DataType type)
    {
        // ConstantOfShape's value: numbers and bool (bfloat16 from opset 20); anything else is made as float and cast.
        var direct = type is DataType.Float or DataType.Double or DataType.Float16 or DataType.Int8 or DataType.Int16 or DataType.Int32
            or DataType.Int64 or DataType.Uint8 or DataType.Uint16 or DataType.Uint32 or DataType.Uint64 or DataType.Bool
            || (type == DataType.Bfloat16 && b.Opset >= 20);
        var made = b.Op("ConstantOfShape", new[] { shape }, NodeAttribute.Of("value", TensorData.Filled(direct ? type : DataType.Float, new long[] { 1 }, 0)));
        return direct ? made : b.Cast(made, type);
    }

    /// <summary>Squeeze(input, squeeze_dims): the listed size-1 dimensions, or all of them when none are listed.</summary>
    private static void Squeeze(TfNodeContext c)
    {
        var name = c.HasAttribute("squeeze_dims") || !c.HasAttribute("axis") ? "squeeze_dims" : "axis";
        var dims = c.Ints(name, Array.Empty<long>());
        var shape = c.InputShape(0);
        if (dims.Count > 0)
        {
            if (shape is not null)
            {
                foreach (var d in dims)
                {
                    var axis = d < 0 ? d + shape.Count : d;
                    if (axis < 0 || axis >= shape.Count)
                    {
                        throw c.AttributeError(name, $"dimension {d} is outside a rank-{shape.Count} input");
                    }

                    if (shape[(int)axis].Value is { } size && size != 1)
                    {
                        throw c.AttributeError(name, $"dimension {d} has size {size}; only size-1 dimensions can be squeezed");
                    }
                }
            }

            c.SetOutput(0, c.Builder.Squeeze(c.Input(0), dims));
            return;
        }

        if (shape is not null && shape.All(d => d.IsFixed))
        {
            var ones = shape.Select((d, i) => (d, i)).Where(p => p.d.Value == 1).Select(p => (long)p.i).ToArray();
            c.SetOutput(0, ones.Length == 0 ? c.Input(0) : c.Builder.Squeeze(c.Input(0), ones));
            return;
        }

        c.SetOutput(0, c.Builder.Squeeze(c.Input(0), null));
    }

    /// <summary>ExpandDims(input, axis): a size-1 dimension at axis (negative counts from the end of the result).</summary>
    private static void ExpandDims(TfNodeContext c)
    {
        if (c.ConstantInput(1) is { } constant)
        {
            var axes = constant.ToInt64s();
            if (axes.Length != 1)
            {
                throw c.Error($"input 1 (axis) must hold one value and holds {axes.Length}");
            }

            if (c.InputRank(0) is { } rank && (axes[0] < -rank - 1 || axes[0] > rank))
            {
                throw c.Error($"input 1 (axis) {axes[0]} is outside [{-rank - 1}, {rank}] for a rank-{rank} input");
            }

            c.SetOutput(0, c.Builder.Unsqueeze(c.Input(0), axes));
            return;
        }

        var axis = c.Builder.Op("Reshape", ToInt64(c, c.Input(1)), c.Builder.Int64s(1));
        c.SetOutput(0, c.Builder.Op("Unsqueeze", c.Input(0), axis));
    }

    /// <summary>ConcatV2(values..., axis).</summary>
    private static void ConcatV2(TfNodeContext c)
    {
        if (c.InputCount < 2)
        {
            throw c.Error("needs at least one value and the axis");
        }

        ConcatValues(c, c.Inputs.Take(c.InputCount - 1).ToArray(), Axis(c, c.InputCount - 1));
    }

    /// <summary>Concat(concat_dim, values...): the legacy op, axis first.</summary>
    private static void Concat(TfNodeContext c)
    {
        if (c.InputCount < 2)
        {
            throw c.Error("needs the axis and at least one value");
        }

        ConcatValues(c, c.Inputs.Skip(1).ToArray(), Axis(c, 0));
    }

    private static void ConcatValues(TfNodeContext c, Value[] values, long axis)
    {
        if (values[0].Type?.Shape?.Count is { } rank && (axis < -rank || axis >= rank))
        {
            throw c.Error($"the axis {axis} is outside a rank-{rank} input");
        }

        c.SetOutput(0, values.Length == 1 ? values[0] : c.Builder.Op("Concat", values, NodeAttribute.Of("axis", axis)));
    }

    /// <summary>Pack(values..., N, axis): the values stacked along a new axis.</summary>
    private static void Pack(TfNodeContext c)
    {
        var axis = c.Int("axis", 0);
        if (c.InputRank(0) is { } rank && (axis < -rank - 1 || axis > rank))
        {
            throw c.AttributeError("axis", $"{axis} is outside [{-rank - 1}, {rank}] for rank-{rank} values");
        }

        var expanded = c.Inputs.Select(v => c.Builder.Unsqueeze(v, new[] { axis })).ToArray();
        c.SetOutput(0, expanded.Length == 1 ? expanded[0] : c.Builder.Op("Concat", expanded, NodeAttribute.Of("axis", axis)));
    }

    /// <summary>Unpack(value, num, axis): num tensors, the slices along axis, with the axis removed.</summary>
    private static void Unpack(TfNodeContext c)
    {
        var num = c.Int("num");
        var axis = c.Int("axis", 0);
        if (c.InputShape(0) is { } shape)
        {
            var normal = axis < 0 ? axis + shape.Count : axis;
            if (normal < 0 || normal >= shape.Count)
            {
                throw c.AttributeError("axis", $"{axis} is outside a rank-{shape.Count} input");
            }

            if (shape[(int)normal].Value is { } size && size != num)
            {
                throw c.AttributeError("num", $"is {num}, and dimension {axis} has size {size}");
            }
        }

        if (num < 1)
        {
            throw c.AttributeError("num", $"is {num}; it must be at least 1");
        }

        var parts = num == 1 ? new[] { c.Input(0) } : c.Builder.Split(c.Input(0), axis, null, (int)num);
        c.SetOutputs(parts.Select(p => c.Builder.Squeeze(p, new[] { axis })).ToArray());
    }

    /// <summary>Split(split_dim, value, num_split): num_split equal parts.</summary>
    private static void Split(TfNodeContext c)
    {
        var axis = Axis(c, 0);
        var count = c.Int("num_split");
        if (count < 1)
        {
            throw c.AttributeError("num_split", $"is {count}; it must be at least 1");
        }

        if (c.InputShape(1) is { } shape && Normalize(c, axis, shape.Count) is var a && shape[a].Value is { } size && size % count != 0)
        {
            throw c.AttributeError("num_split", $"{count} does not divide dimension {axis} of size {size}");
        }

        c.SetOutputs(count == 1 ? new[] { c.Input(1) } : c.Builder.Split(c.Input(1), axis, null, (int)count));
    }

    /// <summary>SplitV(value, size_splits, split_dim, num_split): parts of the given sizes (one may be -1: the rest).</summary>
    private static void SplitV(TfNodeContext c)
    {
        var b = c.Builder;
        var axis = Axis(c, 2);
        if (c.ConstantInput(1) is not { FitsInt64: true } constantSizes)
        {
            // Sizes known only at run time: ONNX Split takes them as an input; a -1 is the dimension less the others.
            var count = c.Int("num_split");
            if (count < 1)
            {
                throw c.AttributeError("num_split", $"is {count}; it must be at least 1");
            }

            if (count == 1)
            {
                c.SetOutput(0, c.Input(0));
                return;
            }

            var given = ToInt64(c, c.Input(1));
            var dimension = b.Op("Gather", new[] { b.Op("Shape", c.Input(0)), b.Int64s(axis) }, NodeAttribute.Of("axis", 0L));
            var minusOne = b.Const(TensorData.FromInt64s(new[] { -1L }, Array.Empty<long>()), "minus_one");
            var others = b.Op("Add", b.Reduce("ReduceSum", given, null, keepDims: true), b.Int64s(1));
            var resolved = b.Op("Where", b.Op("Equal", given, minusOne), b.Op("Sub", dimension, others), given);
            c.SetOutputs(b.Node("Split", new[] { c.Input(0), resolved }, (int)count, new[] { NodeAttribute.Of("axis", axis) })
                .Outputs.Select(o => o!).ToArray());
            return;
        }

        var sizes = constantSizes.ToInt64s();
        var inferred = Array.IndexOf(sizes, -1L);
        if (sizes.Count(s => s == -1) > 1 || sizes.Any(s => s < -1))
        {
            throw c.Error($"input 1 (size_splits) [{string.Join(", ", sizes)}] may hold at most one -1 and no other negative size");
        }

        if (sizes.Length == 1)
        {
            c.SetOutput(0, c.Input(0));
            return;
        }

        var known = sizes.Where(s => s >= 0).Sum();
        var dim = c.InputShape(0) is { } shape ? shape[Normalize(c, axis, shape.Count)].Value : null;
        if (dim is { } total)
        {
            if (inferred >= 0)
            {
                sizes[inferred] = total - known;
            }

            if (sizes.Sum() != total || sizes.Any(s => s < 0))
            {
                throw c.Error($"input 1 (size_splits) [{string.Join(", ", sizes)}] does not add up to dimension {axis} of size {total}");
            }
        }

        if (inferred < 0 || dim is not null)
        {
            c.SetOutputs(b.Split(c.Input(0), axis, sizes, sizes.Length));
            return;
        }

        // The dimension is only known at run time: the -1 becomes dim - (the others).
        var size = b.Op("Gather", new[] { b.Op("Shape", c.Input(0)), b.Int64s(axis) }, NodeAttribute.Of("axis", 0L));
        var rest = b.Op("Sub", size, b.Int64s(known));
        var parts = new List<Value>();
        if (inferred > 0)
        {
            parts.Add(b.Int64s(sizes.Take(inferred).ToArray()));
        }

        parts.Add(rest);
        if (inferred < sizes.Length - 1)
        {
            parts.Add(b.Int64s(sizes.Skip(inferred + 1).ToArray()));
        }

        var split = b.Op("Concat", parts, NodeAttribute.Of("axis", 0L));
        c.SetOutputs(b.Node("Split", new[] { c.Input(0), split }, sizes.Length, new[] { NodeAttribute.Of("axis", axis) }).Outputs.Select(o => o!).ToArray());
    }

    /// <summary>Shape(input, out_type): the dimensions as int32 (default) or int64.</summary>
    private static void Shape(TfNodeContext c) => c.SetOutput(0, ShapeOf(c, c.Input(0)));

    /// <summary>ShapeN(input..., N, out_type): the shape of each input.</summary>
    private static void ShapeN(TfNodeContext c) => c.SetOutputs(c.Inputs.Select(v => ShapeOf(c, v)).ToArray());

    private static Value ShapeOf(TfNodeContext c, Value x)
    {
        var type = c.ElementType("out_type", DataType.Int32);
        if (type is not (DataType.Int32 or DataType.Int64))
        {
            throw c.AttributeError("out_type", $"{Values.ElementTypes.Name(type)} is not supported; expected int32 or int64");
        }

        var shape = c.Builder.Op("Shape", x);
        return type == DataType.Int64 ? shape : c.Builder.Cast(shape, type);
    }

    /// <summary>Fill(dims, value): a tensor of shape dims filled with the scalar value.</summary>
    private static void Fill(TfNodeContext c)
    {
        var b = c.Builder;
        var dims = ToInt64(c, c.Input(0));
        if (c.InputShape(1) is { Count: not 0 } valueShape)
        {
            throw c.Error($"input 1 (value) must be a scalar and has rank {valueShape.Count}");
        }

        if (c.ConstantInput(1) is { IsString: false } value)
        {
            c.SetOutput(0, b.Op("ConstantOfShape", new[] { dims },
                NodeAttribute.Of("value", TensorData.Filled(value.ElementType, new long[] { 1 }, value.ToDoubles()[0]))));
            return;
        }

        c.SetOutput(0, b.Op("Expand", c.Input(1), dims));
    }

    /// <summary>A constant scalar axis input.</summary>
    private static long Axis(TfNodeContext c, int index)
    {
        var values = c.ConstantInts(index, "axis");
        return values.Length == 1 ? values[0] : throw c.Error($"input {index} (axis) must hold one value and holds {values.Length}");
    }

    private static int Normalize(TfNodeContext c, long axis, int rank)
    {
        var a = axis < 0 ? axis + rank : axis;
        return a >= 0 && a < rank ? (int)a : throw c.Error($"the axis {axis} is outside a rank-{rank} input");
    }

    /// <summary><paramref name="v"/> as int64 (shape tensors are int32 or int64 in TensorFlow).</summary>
    internal static Value ToInt64(TfNodeContext c, Value v) =>
        v.Type?.ElementType == DataType.Int64 ? v : c.Builder.Cast(v, DataType.Int64);
}
