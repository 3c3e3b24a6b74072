using BuildConvert.Core.Formats.Onnx.Proto;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs;

/// <summary>
/// Emits ONNX nodes into a <see cref="Graph"/> in the form the target opset wants, so a converter writes one call
/// whatever the opset: <c>Squeeze</c>/<c>Unsqueeze</c>/<c>ReduceSum</c>/<c>Split</c> take axes as an attribute below 13
/// and as an input from 13; the other reductions from 18; <c>Pad</c> and <c>Clip</c> take inputs from 11; <c>Slice</c>
/// from 10; <c>Reshape</c> from 5; <c>TopK</c>'s k from 10; <c>Resize</c> replaces <c>Upsample</c> from 10.
/// Where an older form needs a constant and a run-time value is given, a BCONV2002 error says so.
/// New nodes go at the end of the graph, or before <see cref="InsertBefore"/> when it is set.
/// </summary>
public sealed class OpBuilder
{
    /// <summary>A builder for <paramref name="graph"/> at the model's <c>ai.onnx</c> opset (or <paramref name="opset"/>).</summary>
    public OpBuilder(Graph graph, long? opset = null)
    {
        Graph = graph ?? throw new ArgumentNullException(nameof(graph));
        Opset = opset ?? graph.Opset();
    }

    /// <summary>The graph nodes are added to.</summary>
    public Graph Graph { get; }

    /// <summary>The target <c>ai.onnx</c> opset.</summary>
    public long Opset { get; }

    /// <summary>When set, new nodes are inserted before this node (keeping a topological order during rewrites).</summary>
    public Node? InsertBefore { get; set; }

    /// <summary>The prefix for new node and value names (for example the source node's name).</summary>
    public string NamePrefix { get; set; } = "";

    /// <summary>The node that errors are attributed to (the source node being converted), if any.</summary>
    public Node? Source { get; set; }

    /// <summary>Adds a node with <paramref name="outputs"/> outputs.</summary>
    public Node Node(string opType, IEnumerable<Value?> inputs, int outputs = 1, IEnumerable<NodeAttribute>? attributes = null, string domain = "")
    {
        var hint = NamePrefix.Length > 0 ? $"{NamePrefix}/{opType}" : opType;
        return Graph.AddNode(opType, inputs, outputs, attributes, domain, Graph.UniqueNodeName(hint), InsertBefore, hint);
    }

    /// <summary>Adds a single-output node and returns its output.</summary>
    public Value Op(string opType, params Value?[] inputs) => Node(opType, inputs).Outputs[0]!;

    /// <summary>Adds a single-output node with attributes and returns its output.</summary>
    public Value Op(string opType, IEnumerable<Value?> inputs, params NodeAttribute[] attributes) => Node(opType, inputs, 1, attributes).Outputs[0]!;

    /// <summary>An initializer holding <paramref name="data"/>.</summary>
    public Value Const(TensorData data, string hint = "const") =>
        Graph.AddInitializer(NamePrefix.Length > 0 ? $"{NamePrefix}/{hint}" : hint, data);

    /// <summary>A 1-D int64 initializer.</summary>
    public Value Int64s(params long[] values) => Const(TensorData.FromInt64s(values));

    /// <summary>A 1-D int64 initializer.</summary>
    public Value Int64s(IReadOnlyList<long> values) => Const(TensorData.FromInt64s(values.ToArray()));

    /// <summary>A scalar initializer of <paramref name="type"/>.</summary>
    public Value Scalar(DataType type, double value) => Const(TensorData.Scalar(type, value), "scalar");

    /// <summary><c>Squeeze</c> of <paramref name="axes"/> (null squeezes every size-1 dimension).</summary>
    public Value Squeeze(Value x, IReadOnlyList<long>? axes) =>
        Opset >= 13
            ? Op("Squeeze", axes is null ? new[] { x } : new[] { x, Int64s(axes) })
            : Op("Squeeze", new[] { x }, axes is null ? Array.Empty<NodeAttribute>() : new[] { NodeAttribute.Of("axes", axes) });

    /// <summary><c>Unsqueeze</c> at <paramref name="axes"/>.</summary>
    public Value Unsqueeze(Value x, IReadOnlyList<long> axes) =>
        Opset >= 13 ? Op("Unsqueeze", x, Int64s(axes)) : Op("Unsqueeze", new[] { x }, NodeAttribute.Of("axes", axes));

    /// <summary>
    /// A reduction (<c>ReduceSum</c>, <c>ReduceMean</c>, ...) over constant <paramref name="axes"/> (null or empty: all axes).
    /// </summary>
    public Value Reduce(string opType, Value x, IReadOnlyList<long>? axes, bool keepDims = true)
    {
        var axesAsInput = opType == "ReduceSum" ? Opset >= 13 : Opset >= 18;
        var attributes = new List<NodeAttribute> { NodeAttribute.Of("keepdims", keepDims ? 1L : 0L) };
        if (axes is { Count: > 0 })
        {
            if (axesAsInput)
            {
                return Op(opType, new[] { x, Int64s(axes) }, attributes.ToArray());
            }

            attributes.Add(NodeAttribute.Of("axes", axes));
        }

        return Op(opType, new[] { x }, attributes.ToArray());
    }

    /// <summary>A reduction whose axes are a run-time value (needs the opset where axes are an input).</summary>
    public Value Reduce(string opType, Value x, Value axes, bool keepDims = true, bool noopWithEmptyAxes = false)
    {
        var axesAsInput = opType == "ReduceSum" ? Opset >= 13 : Opset >= 18;
        if (!axesAsInput)
        {
            if (axes.ConstantValue is { } constant)
            {
                return Reduce(opType, x, constant.ToInt64s(), keepDims);
            }

            throw ConversionErrors.ConstantRequired(Source, opType, Opset, "the axes");
        }

        var attributes = new List<NodeAttribute> { NodeAttribute.Of("keepdims", keepDims ? 1L : 0L) };
        if (noopWithEmptyAxes)
        {
            attributes.Add(NodeAttribute.Of("noop_with_empty_axes", 1L));
        }

        return Op(opType, new[] { x, axes }, attributes.ToArray());
    }

    /// <summary><c>Split</c> along <paramref name="axis"/> into the given sizes, or into <paramref name="outputs"/> equal parts.</summary>
    public Value[] Split(Value x, long axis, IReadOnlyList<long>? sizes, int outputs)
    {
        var attributes = new List<NodeAttribute> { NodeAttribute.Of("axis", axis) };
        var inputs = new List<Value?> { x };
        if (sizes is not null)
        {
            outputs = sizes.Count;
            if (Opset >= 13)
            {
                inputs.Add(Int64s(sizes));
            }
            else
            {
                attributes.Add(NodeAttribute.Of("split", sizes));
            }
        }
        else if (Opset >= 18)
        {
            attributes.Add(NodeAttribute.Of("num_outputs", (long)outputs));
        }

        return Node("Split", inputs, outputs, attributes).Outputs.Select(o => o!).ToArray();
    }

    /// <summary><c>Pad</c> with constant <paramref name="pads"/> (ONNX layout: all begins, then all ends).</summary>
    public Value Pad(Value x, IReadOnlyList<long> pads, string mode = "constant", double constantValue = 0, DataType? elementType = null)
    {
        if (Opset >= 11)
        {
            var inputs = new List<Value?> { x, Int64s(pads) };
            if (mode == "constant" && constantValue != 0)
            {
                var type = elementType ?? x.Type?.ElementType ?? DataType.Float;
                inputs.Add(Scalar(type, constantValue));
            }

            return Op("Pad", inputs, NodeAttribute.Of("mode", mode));
        }

        return Op("Pad", new[] { x },
            NodeAttribute.Of("mode", mode),
            NodeAttribute.Of(Opset >= 2 ? "pads" : "paddings", pads),
            NodeAttribute.Of("value", (float)constantValue));
    }

    /// <summary><c>Clip</c> to [<paramref name="min"/>, <paramref name="max"/>] (null: unbounded on that side).</summary>
    public Value Clip(Value x, Value? min, Value? max)
    {
        if (Opset >= 11)
        {
            var inputs = new List<Value?> { x, min, max };
            while (inputs.Count > 1 && inputs[^1] is null)
            {
                inputs.RemoveAt(inputs.Count - 1);
            }

            return Op("Clip", inputs);
        }

        var attributes = new List<NodeAttribute>();
        if (min is not null)
        {
            attributes.Add(NodeAttribute.Of("min", (float)ScalarOf(min, "the minimum")));
        }

        if (max is not null)
        {
            attributes.Add(NodeAttribute.Of("max", (float)ScalarOf(max, "the maximum")));
        }

        return Op("Clip", new[] { x }, attributes.ToArray());
    }

    /// <summary><c>Slice</c> with constant bounds (null axes: 0..n-1; null steps: all 1).</summary>
    public Value Slice(Value x, IReadOnlyList<long> starts, IReadOnlyList<long> ends, IReadOnlyList<long>? axes = null, IReadOnlyList<long>? steps = null)
    {
        if (Opset >= 10)
        {
            var inputs = new List<Value?> { x, Int64s(starts), Int64s(ends) };
            if (axes is not null || steps is not null)
            {
                inputs.Add(Int64s(axes ?? Enumerable.Range(0, starts.Count).Select(i => (long)i).ToArray()));
            }

            if (steps is not null)
            {
                inputs.Add(Int64s(steps));
            }

            return Op("Slice", inputs);
        }

        if (steps is not null && steps.Any(s => s != 1))
        {
            throw ConversionErrors.StepImpossible(Source, "Slice", Opset, "Slice below opset 10 has no steps, and a step other than 1 was asked for");
        }

        var attributes = new List<NodeAttribute> { NodeAttribute.Of("starts", starts), NodeAttribute.Of("ends", ends) };
        if (axes is not null)
        {
            attributes.Add(NodeAttribute.Of("axes", axes));
        }

        return Op("Slice", new[] { x }, attributes.ToArray());
    }

    /// <summary><c>Reshape</c> to constant <paramref name="shape"/> (0 copies a dimension, -1 infers one).</summary>
    public Value Reshape(Value x, IReadOnlyList<long> shape) =>
        Opset >= 5 ? Op("Reshape", x, Int64s(shape)) : Op("Reshape", new[] { x }, NodeAttribute.Of("shape", shape));

    /// <summary><c>Reshape</c> to a run-time shape (opset 5 and later).</summary>
    public Value Reshape(Value x, Value shape)
    {
        if (Opset >= 5)
        {
            return Op("Reshape", x, shape);
        }

        return shape.ConstantValue is { } constant
            ? Reshape(x, constant.ToInt64s())
            : throw ConversionErrors.ConstantRequired(Source, "Reshape", Opset, "the shape");
    }

    /// <summary><c>Cast</c> to <paramref name="to"/>.</summary>
    public Value Cast(Value x, DataType to) =>
        Opset >= 6 ? Op("Cast", new[] { x }, NodeAttribute.Of("to", (long)to)) : Op("Cast", new[] { x }, NodeAttribute.Of("to", CastName(to)));

    /// <summary><c>TopK</c> of constant <paramref name="k"/>; returns values and indices.</summary>
    public (Value Values, Value Indices) TopK(Value x, long k, long axis = -1, bool largest = true, bool sorted = true)
    {
        var attributes = new List<NodeAttribute> { NodeAttribute.Of("axis", axis) };
        if (Opset >= 11)
        {
            attributes.Add(NodeAttribute.Of("largest", largest ? 1L : 0L));
            attributes.Add(NodeAttribute.Of("sorted", sorted ? 1L : 0L));
        }
        else if (!largest || !sorted)
        {
            throw ConversionErrors.StepImpossible(Source, "TopK", Opset, "TopK below opset 11 always returns the largest values, sorted");
        }

        var node = Opset >= 10
            ? Node("TopK", new[] { x, Int64s(k) }, 2, attributes)
            : Node("TopK", new[] { x }, 2, attributes.Append(NodeAttribute.Of("k", k)));
        return (node.Outputs[0]!, node.Outputs[1]!);
    }

    /// <summary>Scales <paramref name="x"/> by constant per-axis <paramref name="scales"/> (<c>Resize</c> from 10, <c>Upsample</c> below).</summary>
    public Value ResizeByScales(Value x, IReadOnlyList<float> scales, string mode = "nearest")
    {
        if (Opset >= 11)
        {
            var attributes = new List<NodeAttribute> { NodeAttribute.Of("mode", mode) };
            if (mode == "nearest")
            {
                // Upsample's nearest picks floor(i / scale): ONNX Resize spells that asymmetric + floor.
                attributes.Add(NodeAttribute.Of("coordinate_transformation_mode", "asymmetric"));
                attributes.Add(NodeAttribute.Of("nearest_mode", "floor"));
            }
            else
            {
                attributes.Add(NodeAttribute.Of("coordinate_transformation_mode", "asymmetric"));
            }

            var roi = Opset >= 13 ? null : Const(TensorData.FromFloats(Array.Empty<float>()), "roi");
            return Op("Resize", new[] { x, roi, Const(TensorData.FromFloats(scales.ToArray()), "scales") }, attributes.ToArray());
        }

        if (Opset == 10)
        {
            return Op("Resize", new[] { x, Const(TensorData.FromFloats(scales.ToArray()), "scales") }, NodeAttribute.Of("mode", mode));
        }

        return Opset >= 9
            ? Op("Upsample", new[] { x, Const(TensorData.FromFloats(scales.ToArray()), "scales") }, NodeAttribute.Of("mode", mode))
            : Op("Upsample", new[] { x }, NodeAttribute.Of("mode", mode), NodeAttribute.Of("scales", scales));
    }

    private double ScalarOf(Value v, string what)
    {
        if (v.ConstantValue is { ElementCount: 1 } c)
        {
            return c.ToDoubles()[0];
        }

        throw ConversionErrors.ConstantRequired(Source, "Clip", Opset, what);
    }

    /// <summary>The type names Cast-1 takes in its string attribute <c>to</c>.</summary>
    internal static string CastName(DataType type) => type switch
    {
        DataType.Float => "FLOAT",
        DataType.Uint8 => "UINT8",
        DataType.Int8 => "INT8",
        DataType.Uint16 => "UINT16",
        DataType.Int16 => "INT16",
        DataType.Int32 => "INT32",
        DataType.Int64 => "INT64",
        DataType.Bool => "BOOL",
        DataType.Float16 => "FLOAT16",
        DataType.Double => "DOUBLE",
        DataType.Uint32 => "UINT32",
        DataType.Uint64 => "UINT64",
        DataType.String => "STRING",
        _ => throw new ArgumentException($"Cast-1 cannot name {type}", nameof(type)),
    };
}
