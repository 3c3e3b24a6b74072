using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TensorFlow.Math;

/// <summary>
/// Reductions and arg-reductions (https://www.tensorflow.org/api_docs/python/tf/raw_ops: Sum, Mean, Max, Min, Prod,
/// All, Any, EuclideanNorm, ArgMax, ArgMin). <c>op(input, reduction_indices, keep_dims)</c>: the axes are a scalar or
/// a vector, negative counting from the end; an empty axes list reduces nothing (TensorFlow copies the input, where
/// ONNX would reduce everything), so constant empty axes give the input and run-time axes use
/// <c>noop_with_empty_axes=1</c> (ONNX opset 18, ReduceSum 13). Integer Mean truncates the sum divided by the count,
/// as TensorFlow; All/Any count the false/true elements (so empty reductions give true/false).
/// </summary>
internal static class ReductionConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("Sum", 13, Reduce("ReduceSum"), "run-time axes from opset 13");
        r.Add("Mean", 13, Mean, "integers: the sum divided by the count, truncated; run-time axes from opset 18");
        r.Add("Max", 13, Reduce("ReduceMax"), "run-time axes from opset 18");
        r.Add("Min", 13, Reduce("ReduceMin"), "run-time axes from opset 18");
        r.Add("Prod", 13, Reduce("ReduceProd"), "run-time axes from opset 18");
        r.Add("EuclideanNorm", 13, EuclideanNorm, "floats: ReduceL2; integers: the square root truncated");
        r.Add("All", 13, All, "run-time axes from opset 13");
        r.Add("Any", 13, Any, "run-time axes from opset 13");
        r.Add("ArgMax", 13, Arg("ArgMax"), "dimension constant; output_type int32/int64; ties: the first index");
        r.Add("ArgMin", 13, Arg("ArgMin"), "dimension constant; output_type int32/int64; ties: the first index");
    }

    /// <summary>op(input, reduction_indices, keep_dims) → ONNX <paramref name="onnx"/>.</summary>
    private static TfOpHandler Reduce(string onnx) => c => c.SetOutput(0, Apply(c, onnx, c.Input(0)));

    /// <summary>Mean: ReduceMean for floats; for integers the truncating Div of the sum by the element count.</summary>
    private static void Mean(TfNodeContext c)
    {
        var type = c.InputElementType(0);
        if (ElementwiseConverters.IsFloat(type))
        {
            c.SetOutput(0, Apply(c, "ReduceMean", c.Input(0)));
            return;
        }

        var b = c.Builder;
        var sum = Apply(c, "ReduceSum", c.Input(0));
        if (ReferenceEquals(sum, c.Input(0)))
        {
            c.SetOutput(0, sum);
            return;
        }

        // The count: the product of the reduced dimensions (all of them for a scalar axes tensor of the whole rank).
        var axes = AxesValue(c);
        var dims = b.Op("Gather", new[] { b.Op("Shape", c.Input(0)), axes }, NodeAttribute.Of("axis", 0L));
        var count = b.Cast(b.Reduce("ReduceProd", dims, (IReadOnlyList<long>?)null, keepDims: false), type);
        c.SetOutput(0, b.Op("Div", sum, b.Op("Max", count, b.Scalar(type, 1))));
    }

    /// <summary>EuclideanNorm: sqrt(sum(x²)) over the axes.</summary>
    private static void EuclideanNorm(TfNodeContext c)
    {
        var type = c.InputElementType(0);
        if (ElementwiseConverters.IsFloat(type))
        {
            c.SetOutput(0, Apply(c, "ReduceL2", c.Input(0)));
            return;
        }

        var b = c.Builder;
        var squares = Apply(c, "ReduceSumSquare", c.Input(0));
        c.SetOutput(0, ReferenceEquals(squares, c.Input(0)) ? squares : b.Cast(b.Op("Sqrt", b.Cast(squares, DataType.Double)), type));
    }

    /// <summary>All: no element is false (the count of false elements is 0).</summary>
    private static void All(TfNodeContext c)
    {
        var b = c.Builder;
        var falses = Apply(c, "ReduceSum", b.Cast(b.Op("Not", c.Input(0)), DataType.Int64), c.Input(0));
        c.SetOutput(0, falses.Type?.ElementType == DataType.Bool ? falses : b.Op("Equal", falses, b.Scalar(DataType.Int64, 0)));
    }

    /// <summary>Any: some element is true (the count of true elements is above 0).</summary>
    private static void Any(TfNodeContext c)
    {
        var b = c.Builder;
        var trues = Apply(c, "ReduceSum", b.Cast(c.Input(0), DataType.Int64), c.Input(0));
        c.SetOutput(0, trues.Type?.ElementType == DataType.Bool ? trues : b.Op("Greater", trues, b.Scalar(DataType.Int64, 0)));
    }

    /// <summary>ArgMax/ArgMin(input, dimension, output_type): the first index of the extreme along dimension.</summary>
    private static TfOpHandler Arg(string onnx) => c =>
    {
        var dims = c.ConstantInts(1, "dimension", $"ONNX {onnx} takes the axis as an attribute");
        if (dims.Length != 1)
        {
            throw c.Error($"input 1 (dimension) must hold one value and holds {dims.Length}");
        }

        if (c.InputRank(0) is { } rank && (dims[0] < -rank || dims[0] >= rank))
        {
            throw c.Error($"input 1 (dimension) {dims[0]} is outside a rank-{rank} input");
        }

        var output = c.ElementType("output_type", DataType.Int64);
        if (output is not (DataType.Int32 or DataType.Int64))
        {
            throw c.AttributeError("output_type", $"{Values.ElementTypes.Name(output)} is not supported; expected int32 or int64");
        }

        var y = c.Builder.Op(onnx, new[] { c.Input(0) }, NodeAttribute.Of("axis", dims[0]), NodeAttribute.Of("keepdims", 0L));
        c.SetOutput(0, output == DataType.Int64 ? y : c.Builder.Cast(y, output));
    };

    /// <summary>
    /// <paramref name="onnx"/> of <paramref name="x"/> over the node's axes with its keep_dims; <paramref name="identity"/>
    /// (default x) when the axes are a constant empty list.
    /// </summary>
    private static Value Apply(TfNodeContext c, string onnx, Value x, Value? identity = null)
    {
        var keep = c.Bool("keep_dims", false);
        if (c.ConstantInput(1) is { } constant)
        {
            var axes = constant.ToInt64s();
            if (axes.Length == 0)
            {
                return identity ?? x;
            }

            if (c.InputRank(0) is { } rank && axes.FirstOrDefault(a => a < -rank || a >= rank, long.MinValue) is var bad && bad != long.MinValue)
            {
                throw c.Error($"input 1 (reduction_indices) {bad} is outside a rank-{rank} input");
            }

            return c.Builder.Reduce(onnx, x, axes, keep);
        }

        var runTime = onnx is "ReduceSum" ? c.Opset >= 13 : c.Opset >= 18;
        if (!runTime)
        {
            throw c.ConstantRequired(1, "reduction_indices", $"ONNX {onnx} takes run-time axes from opset 18 (convert with --opset 18 or higher)");
        }

        return c.Builder.Reduce(onnx, x, AxesValue(c), keep, noopWithEmptyAxes: true);
    }

    /// <summary>The axes input as a 1-D int64 tensor.</summary>
    private static Value AxesValue(TfNodeContext c)
    {
        if (c.ConstantInput(1) is { } constant)
        {
            return c.Builder.Int64s(constant.ToInt64s());
        }

        return c.Builder.Op("Reshape", Shapes.ShapeConverters.ToInt64(c, c.Input(1)), c.Builder.Int64s(-1));
    }
}
