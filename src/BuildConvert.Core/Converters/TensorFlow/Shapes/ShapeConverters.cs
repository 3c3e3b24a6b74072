using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TensorFlow.Shapes;

/// <summary>
/// Shape ops (https://www.tensorflow.org/api_docs/python/tf/raw_ops: Reshape, Squeeze, ExpandDims, ConcatV2, Concat,
/// Pack, Unpack, Split, SplitV, Shape, ShapeN, Fill). Axes, sizes and split sizes that ONNX takes as attributes must be
/// constants (or computed only from constants and static shapes); shape tensors may be computed at run time.
/// TensorFlow's Reshape reads a 0 in the shape literally (an empty dimension), which ONNX spells <c>allowzero=1</c>
/// (opset 14); TensorFlow's Squeeze without dims drops every size-1 dimension, as ONNX Squeeze without axes does.
/// </summary>
internal static class ShapeConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("Reshape", 13, Reshape, "-1 inferred; 0 is an empty dimension (allowzero=1 from opset 14; at opset 13 only in constant shapes)");
        r.Add("Squeeze", 13, Squeeze, "squeeze_dims, negative; none: every size-1 dimension");
        r.Add("ExpandDims", 13, ExpandDims, "axis input, negative");
        r.Add("ConcatV2", 13, ConcatV2, "axis (last input) constant, negative");
        r.Add("Concat", 13, Concat, "concat_dim (first input) constant");
        r.Add("Pack", 13, Pack, "axis, negative");
        r.Add("Unpack", 13, Unpack, "num, axis, negative");
        r.Add("Split", 13, Split, "split_dim (first input) constant, num_split");
        r.Add("SplitV", 13, SplitV, "size_splits constant with at most one -1 (resolved at run time when the dimension is dynamic)");
        r.Add("Shape", 13, Shape, "out_type int32/int64");
        r.Add("ShapeN", 13, ShapeN, "out_type int32/int64");
        r.Add("Fill", 13, Fill, "dims may be computed at run time");
    }

    /// <summary>Reshape(tensor, shape[int32|int64]).</summary>
    private static void Reshape(TfNodeContext c)
    {
        var b = c.Builder;
        var x = c.Input(0);
        if (c.ConstantInput(1) is { } constant)
        {
            var dims = constant.ToInt64s();
            if (dims.Count(d => d == -1) > 1 || dims.Any(d => d < -1))
            {
                throw c.Error($"input 1 (shape) [{string.Join(", ", dims)}] may hold at most one -1 and no other negative size");
            }

            if (!dims.Contains(0))
            {
                c.SetOutput(0, b.Op("Reshape", x, b.Int64s(dims)));
                return;
            }

            if (dims.Contains(-1))
            {
                throw c.Error($"input 1 (shape) [{string.Join(", ", dims)}]: a -1 cannot be inferred for an empty tensor");
            }

            c.SetOutput(0, c.Opset >= 14
                ? b.Op("Reshape", new[] { x, b.Int64s(dims) }, NodeAttribute.Of("allowzero", 1L))
                : b.Const(TensorData.Filled(c.InputElementType(0), dims, 0), "empty"));
            return;
        }

        var shape = ToInt64(c, c.Input(1));
        c.SetOutput(0, c.Opset >= 14
            ? b.Op("Reshape", new[] { x, shape }, NodeAttribute.Of("allowzero", 1L))
            : b.Op("Reshape", x, shape));
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
        var sizes = c.ConstantInts(1, "size_splits");
        var axis = Axis(c, 2);
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
