using BuildConvert.Core.Graphs;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript.Creation;

/// <summary>
/// Tensor factories and casts (https://pytorch.org/docs/1.13/torch.html#creation-ops): <c>zeros</c>/<c>ones</c>/
/// <c>full</c>/<c>empty</c> (empty is zeros: any content is a valid result) and their <c>_like</c> and <c>new_</c> forms,
/// <c>arange</c> (three overloads; values start + i * step computed in float64 and converted, as PyTorch's CPU kernel
/// does), <c>linspace</c>, <c>tensor</c>/<c>scalar_tensor</c>, <c>fill_</c>/<c>zero_</c>/<c>copy_</c>, and the casts
/// <c>to</c> (every overload: dtype, device + dtype, other, dtype_layout, and the prim forms), <c>type_as</c>,
/// <c>_to_copy</c>. A dtype argument is a PyTorch ScalarType code (<see cref="TorchScalarTypes"/>); without one the
/// dtype follows PyTorch: float32 for zeros/ones/empty, the fill value's kind for full (bool, int64, float32), int64
/// for an all-int arange and float32 otherwise, and the source tensor's for the _like/new_ forms.
/// </summary>
internal static class CreationConverters
{
    public static void Register(OpConverterRegistry<TorchOpHandler> r)
    {
        r.Op("aten::zeros", c => Filled(c, 0, dtypeAt: 1), "dtype codes 0-7, 11, 15; default float32");
        r.Op("aten::ones", c => Filled(c, 1, dtypeAt: 1));
        r.Op("aten::empty", c => Filled(c, 0, dtypeAt: 1), "zeros");
        r.Op("aten::full", c => Filled(c, null, dtypeAt: 2), "dtype from the fill value when None");
        r.Op("aten::zeros_like", c => Like(c, 0, dtypeAt: 1));
        r.Op("aten::ones_like", c => Like(c, 1, dtypeAt: 1));
        r.Op("aten::empty_like", c => Like(c, 0, dtypeAt: 1), "zeros");
        r.Op("aten::full_like", c => Like(c, null, dtypeAt: 2));
        r.Op("aten::new_zeros", c => New(c, 0, dtypeAt: 2));
        r.Op("aten::new_ones", c => New(c, 1, dtypeAt: 2));
        r.Op("aten::new_empty", c => New(c, 0, dtypeAt: 2), "zeros");
        r.Op("aten::new_full", c => New(c, null, dtypeAt: 3));
        r.Op("aten::arange", Arange, "arange(end), (start, end), (start, end, step); computed in float64");
        r.Op("aten::linspace", Linspace, "constant bounds");
        r.Op("aten::tensor", Tensor, "a list of numbers (constant or computed), one level deep");
        r.Op("aten::as_tensor", Tensor);
        r.Op("aten::scalar_tensor", ScalarTensor, "default float32");
        r.Op("aten::fill", Fill, inPlace: true);
        r.Op("aten::zero", c => c.SetOutput(0, ConstantOfShape(c, c.ShapeVector(c.Tensor(0)), c.ElementType(c.Tensor(0)), 0)), inPlace: true);
        r.Op("aten::copy", Copy, "src cast to self's dtype and broadcast to its shape");
        r.Op("aten::copy_", Copy, "src cast to self's dtype and broadcast to its shape");
        r.Op("aten::to", To, "every overload: dtype, device, other, dtype_layout, prim forms; devices ignored");
        r.Op("aten::_to_copy", c => Cast(c, c.DType(1)));
        r.Op("aten::type_as", c => c.SetOutput(0, c.CastTo(c.Tensor(0), c.ElementType(c.Tensor(1)))));
    }

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="value"/>.</summary>
    internal static Value ConstantOfShape(TorchNodeContext c, Value shape, DataType type, double value) =>
        c.Builder.Op("ConstantOfShape", new[] { shape }, NodeAttribute.Of("value", TensorData.Filled(type, new long[] { 1 }, value)));

    private static DataType FillType(TorchNodeContext c, int index) => c.Slot(index) switch
    {
        { Kind: TorchSlotKind.Constant, Constant: bool } => DataType.Bool,
        { Kind: TorchSlotKind.Constant, Constant: long } => DataType.Int64,
        { Kind: TorchSlotKind.Scalar, ScalarKind: TorchTypeKind.Bool } => DataType.Bool,
        { Kind: TorchSlotKind.Scalar, ScalarKind: TorchTypeKind.Int } => DataType.Int64,
        { Kind: TorchSlotKind.Tensor } s => c.ElementType(s.Value!),
        _ => TorchScalarTypes.DefaultFloat,
    };

    /// <summary>Fills <paramref name="shape"/> with the constant <paramref name="fill"/>, or with argument <paramref name="fillAt"/>.</summary>
    private static Value Fill(TorchNodeContext c, Value shape, DataType type, double? fill, int fillAt)
    {
        if (fill is { } f)
        {
            return ConstantOfShape(c, shape, type, f);
        }

        if (c.ConstantOf(fillAt) is long or double or bool)
        {
            return ConstantOfShape(c, shape, type, TorchNodeContext.ToDouble(c.ConstantOf(fillAt)));
        }

        return c.Builder.Op("Expand", c.TensorOf(fillAt, type), shape);
    }

    private static void Filled(TorchNodeContext c, double? fill, int dtypeAt)
    {
        var type = c.DType(dtypeAt) ?? (fill is null ? FillType(c, 1) : TorchScalarTypes.DefaultFloat);
        c.SetOutput(0, Fill(c, c.IntVector(0, "size"), type, fill, 1));
    }

    private static void Like(TorchNodeContext c, double? fill, int dtypeAt)
    {
        var x = c.Tensor(0);
        var type = c.DType(dtypeAt) ?? c.ElementType(x);
        c.SetOutput(0, Fill(c, c.ShapeVector(x), type, fill, 1));
    }

    private static void New(TorchNodeContext c, double? fill, int dtypeAt)
    {
        var type = c.DType(dtypeAt) ?? c.ElementType(c.Tensor(0));
        c.SetOutput(0, Fill(c, c.IntVector(1, "size"), type, fill, 2));
    }

    private static void Arange(TorchNodeContext c)
    {
        // arange(end, dtype, layout, device, pin_memory); arange.start(start, end, dtype, ...); arange.start_step(start, end, step, dtype, ...)
        int startAt, endAt, stepAt, dtypeAt;
        switch (c.InputCount)
        {
            case <= 5:
                (startAt, endAt, stepAt, dtypeAt) = (-1, 0, -1, 1);
                break;
            case 6:
                (startAt, endAt, stepAt, dtypeAt) = (0, 1, -1, 2);
                break;
            default:
                (startAt, endAt, stepAt, dtypeAt) = (0, 1, 2, 3);
                break;
        }

        var args = new[] { startAt, endAt, stepAt }.Where(i => i >= 0).ToArray();
        var anyFloat = args.Any(i => c.Slot(i) is { Kind: TorchSlotKind.Constant, Constant: double } or { Kind: TorchSlotKind.Scalar, ScalarKind: TorchTypeKind.Float }
            || c.Slot(i).Kind == TorchSlotKind.Tensor && TorchScalarTypes.IsFloating(c.ElementType(c.Slot(i).Value!)));
        var type = c.DType(dtypeAt) ?? (anyFloat ? TorchScalarTypes.DefaultFloat : DataType.Int64);
        var b = c.Builder;
        var start = startAt >= 0 ? c.ConstantOf(startAt) : 0L;
        var end = c.ConstantOf(endAt);
        var step = stepAt >= 0 ? c.ConstantOf(stepAt) : 1L;
        if (start is long or double && end is long or double && step is long or double)
        {
            var s = TorchNodeContext.ToDouble(start);
            var e = TorchNodeContext.ToDouble(end);
            var d = TorchNodeContext.ToDouble(step);
            if (d == 0 || (d > 0 && e < s) || (d < 0 && e > s))
            {
                throw c.Error("upper bound and larger bound inconsistent with step sign");
            }

            var count = (long)System.Math.Ceiling((e - s) / d);
            double[] values;
            if (start is long ls && step is long lstep && !TorchScalarTypes.IsFloating(type))
            {
                values = Enumerable.Range(0, (int)count).Select(i => (double)(ls + (i * lstep))).ToArray();
            }
            else
            {
                values = Enumerable.Range(0, (int)count).Select(i => s + (i * d)).ToArray();
            }

            c.SetOutput(0, b.Const(FromDoubles(type, values, new[] { count }), "arange"));
            return;
        }

        var work = anyFloat || TorchScalarTypes.IsFloating(type) ? DataType.Double : DataType.Int64;
        Value Arg(int index, long fallback) => index >= 0 ? c.TensorOf(index, work) : b.Scalar(work, fallback);
        var range = b.Op("Range", Arg(startAt, 0), Arg(endAt, 0), Arg(stepAt, 1));
        c.SetOutput(0, c.CastTo(range, type));
    }

    private static void Linspace(TorchNodeContext c)
    {
        // linspace(start, end, steps, dtype, layout, device, pin_memory)
        var start = c.Double(0, "start");
        var end = c.Double(1, "end");
        var steps = c.Int(2, "steps");
        var type = c.DType(3) ?? TorchScalarTypes.DefaultFloat;
        if (steps < 0)
        {
            throw c.Error("number of steps must be non-negative");
        }

        var values = new double[steps];
        var step = steps > 1 ? (end - start) / (steps - 1) : 0;
        var half = steps / 2;
        for (var i = 0; i < steps; i++)
        {
            values[i] = i < half ? start + (step * i) : end - (step * (steps - i - 1));
        }

        if (steps == 1)
        {
            values[0] = start;
        }

        c.SetOutput(0, c.Builder.Const(FromDoubles(type, values, new[] { steps }), "linspace"));
    }

    private static void Tensor(TorchNodeContext c)
    {
        // tensor(data, dtype, device, requires_grad)
        var slot = c.Slot(0);
        var explicitType = c.InputCount > 1 ? c.DType(1) : null;
        if (slot.Kind == TorchSlotKind.Constant && slot.Constant is long or double or bool)
        {
            var type = explicitType ?? KindType(slot.Constant);
            c.SetOutput(0, c.Builder.Scalar(type, TorchNodeContext.ToDouble(slot.Constant)));
            return;
        }

        if (c.IsTensor(0))
        {
            var x = c.Tensor(0);
            c.SetOutput(0, explicitType is { } t ? c.CastTo(x, t) : c.Builder.Op("Identity", x));
            return;
        }

        var items = c.Items(0, "data");
        if (items.Any(i => i.Kind == TorchSlotKind.List || i.Constant is IReadOnlyList<object>))
        {
            throw c.Unsupported("nested lists in torch.tensor(...) are not supported");
        }

        var kinds = items.Select(i => i.Kind == TorchSlotKind.Constant ? KindType(i.Constant) : i.ScalarKind switch
        {
            TorchTypeKind.Bool => DataType.Bool,
            TorchTypeKind.Int => DataType.Int64,
            _ => TorchScalarTypes.DefaultFloat,
        }).ToArray();
        var inferred = kinds.Length == 0 ? TorchScalarTypes.DefaultFloat
            : kinds.Contains(TorchScalarTypes.DefaultFloat) ? TorchScalarTypes.DefaultFloat : kinds.Contains(DataType.Int64) ? DataType.Int64 : DataType.Bool;
        var target = explicitType ?? inferred;
        var b = c.Builder;
        if (items.All(i => i.Kind == TorchSlotKind.Constant))
        {
            c.SetOutput(0, b.Const(FromDoubles(target, items.Select(i => TorchNodeContext.ToDouble(i.Constant)).ToArray(), new long[] { items.Count }), "tensor"));
            return;
        }

        var parts = items.Select(i => b.Reshape(c.CastTo(c.AsTensor(i) ?? throw c.Error("an item is not a number"), target), new long[] { 1 })).ToArray();
        c.SetOutput(0, parts.Length == 1 ? parts[0] : b.Op("Concat", parts, NodeAttribute.Of("axis", 0L)));
    }

    private static void ScalarTensor(TorchNodeContext c)
    {
        var type = c.DType(1) ?? TorchScalarTypes.DefaultFloat;
        c.SetOutput(0, c.TensorOf(0, type));
    }

    private static void Fill(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var type = c.ElementType(x);
        c.SetOutput(0, Fill(c, c.ShapeVector(x), type, null, 1));
    }

    private static void Copy(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        c.SetOutput(0, c.Builder.Op("Expand", c.CastTo(c.Tensor(1), c.ElementType(x)), c.ShapeVector(x)));
    }

    private static void To(TorchNodeContext c)
    {
        DataType? dtype;
        if (c.IsTensor(1))
        {
            // to.other(self, other, non_blocking, copy, memory_format)
            dtype = c.ElementType(c.Tensor(1));
        }
        else if (c.InputCount == 8)
        {
            // to.dtype_layout(self, dtype, layout, device, pin_memory, non_blocking, copy, memory_format)
            dtype = c.DType(1);
        }
        else if (c.InputCount == 6 || (c.InputCount == 5 && (c.TypeOf(1).Kind == TorchTypeKind.Device || c.ConstantOf(1) is string
            || (c.IsNone(1) && c.ConstantOf(2) is not bool))))
        {
            // to.device(self, device, dtype, non_blocking, copy, memory_format); to.prim_Device(self, device, dtype, non_blocking, copy)
            dtype = c.DType(2);
        }
        else if (c.InputCount == 3)
        {
            // to.prim_other(self, non_blocking, copy)
            dtype = null;
        }
        else
        {
            // to.dtype(self, dtype, non_blocking, copy, memory_format); to.prim_dtype(self, dtype, non_blocking, copy)
            dtype = c.DType(1);
        }

        Cast(c, dtype);
    }

    private static void Cast(TorchNodeContext c, DataType? dtype)
    {
        var x = c.Tensor(0);
        c.SetOutput(0, dtype is { } t && TorchNodeContext.ElementTypeOrNull(x) != t ? c.Builder.Cast(x, t) : c.Builder.Op("Identity", x));
    }

    private static DataType KindType(object? constant) => constant switch
    {
        bool => DataType.Bool,
        long => DataType.Int64,
        _ => TorchScalarTypes.DefaultFloat,
    };

    /// <summary>A tensor of <paramref name="type"/> from doubles (values converted as a C cast does: integers truncate).</summary>
    internal static TensorData FromDoubles(DataType type, double[] values, long[] dims)
    {
        if (type == DataType.Int64)
        {
            return TensorData.FromInt64s(values.Select(v => (long)v).ToArray(), dims);
        }

        var size = ElementTypes.BitsPerElement(type) / 8;
        var bytes = new byte[ElementTypes.ByteCount(type, values.Length)];
        for (var i = 0; i < values.Length; i++)
        {
            var v = TorchScalarTypes.IsFloating(type) || type == DataType.Bool ? values[i] : System.Math.Truncate(values[i]);
            ElementWriter.Write(type, bytes.AsSpan(i * size, size), v);
        }

        return TensorData.FromBytes(type, dims, bytes);
    }
}
