using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript.Plumbing;

/// <summary>
/// TorchScript's structural operators (https://github.com/pytorch/pytorch/blob/v1.13.1/torch/csrc/jit/OVERVIEW.md):
/// lists and tuples are the converter's own slots (<c>prim::ListConstruct</c>, <c>prim::TupleConstruct</c>,
/// <c>prim::ListUnpack</c>, <c>prim::TupleUnpack</c>, <c>prim::TupleIndex</c>, <c>aten::__getitem__</c>,
/// <c>aten::len</c>, <c>aten::list</c>), numbers cross into tensors and back (<c>prim::NumToTensor</c>,
/// <c>aten::Int</c>/<c>Float</c>/<c>Bool</c>, <c>aten::ScalarImplicit</c>, <c>aten::item</c>), and tensor metadata is
/// read from the ONNX types (<c>aten::dim</c>, <c>aten::size</c>, <c>aten::numel</c>, <c>prim::dtype</c>,
/// <c>prim::device</c>): constants where the shapes are static, <c>Shape</c>/<c>Size</c>-based int64 values where
/// they are not. Python's <c>is None</c> tests, prints and warnings are resolved or dropped.
/// </summary>
internal static class PlumbingConverters
{
    public static void Register(OpConverterRegistry<TorchOpHandler> r)
    {
        r.Op("prim::Constant", c => c.SetConstant(0, c.Node.Outputs[0].Constant ?? TorchNone.Instance));
        r.Op("prim::ListConstruct", c => c.SetList(0, c.Slots), "a list of known length: the converter's own value, never an ONNX sequence");
        r.Op("prim::TupleConstruct", c => c.SetList(0, c.Slots));
        r.Op("prim::ListUnpack", Unpack);
        r.Op("prim::TupleUnpack", Unpack);
        r.Op("prim::TupleIndex", c => c.SetSlot(0, Item(c, c.Items(0, "tuple"), c.Int(1, "index"))));
        r.Op("aten::__getitem__", GetItem, "lists and tuples; an int list computed at run time is indexed with Gather");
        r.Op("aten::len", Len);
        r.Op("aten::list", c => c.SetSlot(0, c.Slot(0)));
        r.Op("prim::NumToTensor", NumToTensor, "a number as a 0-D tensor (int64, float64 or bool)");
        r.Op("aten::Int", c => ToNumber(c, TorchTypeKind.Int), "truncates toward zero, as int() does");
        r.Op("aten::IntImplicit", c => ToNumber(c, TorchTypeKind.Int));
        r.Op("aten::Float", c => ToNumber(c, TorchTypeKind.Float));
        r.Op("aten::FloatImplicit", c => ToNumber(c, TorchTypeKind.Float));
        r.Op("aten::Bool", c => ToNumber(c, TorchTypeKind.Bool), "true when non-zero");
        r.Op("aten::ScalarImplicit", c => ToNumber(c, null), "the tensor's only element, as an int, float or bool by its dtype");
        r.Op("aten::item", c => ToNumber(c, null));
        r.Op("aten::dim", c => c.SetConstant(0, (long)c.Rank(c.Tensor(0), "dim()")));
        r.Op("aten::size", Size, "size(dim) and size(): constants for fixed dimensions, Shape-based int64 values for dynamic ones");
        r.Op("aten::numel", Numel);
        r.Op("prim::dtype", Dtype);
        r.Op("prim::device", c => c.SetConstant(0, "cpu"), "always cpu: the ONNX model has no device");
        r.Op("aten::__is__", c => c.SetConstant(0, Is(c)), "None tests; decided at conversion time");
        r.Op("aten::__isnot__", c => c.SetConstant(0, !Is(c)), "None tests; decided at conversion time");
        r.Op("prim::unchecked_cast", c => c.SetSlot(0, c.Slot(0)));
        r.Op("prim::data", c => c.SetSlot(0, c.Slot(0)));
        r.Op("prim::RaiseException", _ => { }, "an if whose branch raises is converted as the other branch (ONNX has no exceptions)");
        r.Op("prim::Uninitialized", c => c.SetConstant(0, TorchNone.Instance), "the value a raising branch returns; never read");
        r.Op("aten::warn", _ => { }, "dropped");
        r.Op("prim::Print", _ => { }, "dropped");
    }

    /// <summary>The item of a list at Python index <paramref name="index"/> (negative counts from the end).</summary>
    internal static TorchSlot Item(TorchNodeContext c, IReadOnlyList<TorchSlot> items, long index)
    {
        var i = index < 0 ? index + items.Count : index;
        if (i < 0 || i >= items.Count)
        {
            throw c.Error($"index {index} is out of range for a list of {items.Count}");
        }

        return items[(int)i];
    }

    private static void Unpack(TorchNodeContext c)
    {
        var items = c.Items(0, "the unpacked value");
        if (items.Count != c.OutputCount)
        {
            throw c.Error($"unpacks {c.OutputCount} value(s) from a list or tuple of {items.Count}");
        }

        for (var k = 0; k < items.Count; k++)
        {
            c.SetSlot(k, items[k]);
        }
    }

    internal static void GetItem(TorchNodeContext c)
    {
        var list = c.Slot(0);
        if (c.ConstantOf(1) is long index)
        {
            c.SetSlot(0, Item(c, c.Items(0, "list"), index));
            return;
        }

        if (list.Kind == TorchSlotKind.IntVector || list.Kind == TorchSlotKind.List && list.Items!.All(i => i.Kind != TorchSlotKind.Tensor && i.Constant is long or null))
        {
            // A run-time index into an int list: Gather from its 1-D int64 form (negative indices count from the end, as Gather's do).
            var vector = c.IntVector(0, "list");
            var at = c.TensorOf(1, DataType.Int64);
            c.SetScalar(0, c.Builder.Op("Gather", new[] { vector, at }, NodeAttribute.Of("axis", 0L)), TorchTypeKind.Int);
            return;
        }

        throw c.Unsupported("indexing a list of tensors with an index computed at run time needs ONNX sequences, which the converter does not emit");
    }

    private static void Len(TorchNodeContext c)
    {
        if (c.IsTensor(0))
        {
            var x = c.Tensor(0);
            if (TorchNodeContext.StaticDim(x, 0) is { } d)
            {
                c.SetConstant(0, d);
                return;
            }

            c.SetScalar(0, c.Builder.Reshape(c.DimVector(x, 0), Array.Empty<long>()), TorchTypeKind.Int);
            return;
        }

        var slot = c.Slot(0);
        if (slot.Kind == TorchSlotKind.IntVector && slot.Length is null)
        {
            c.SetScalar(0, c.Builder.Reshape(c.Builder.Op("Shape", slot.Value!), Array.Empty<long>()), TorchTypeKind.Int);
            return;
        }

        c.SetConstant(0, (long)c.Items(0, "list").Count);
    }

    private static void NumToTensor(TorchNodeContext c)
    {
        var slot = c.Slot(0);
        if (slot.Kind == TorchSlotKind.Constant)
        {
            c.SetSlot(0, slot);
            return;
        }

        c.SetOutput(0, c.Tensor(0));
    }

    /// <summary>A tensor's only element or a number, as <paramref name="kind"/> (null: by the tensor's dtype).</summary>
    private static void ToNumber(TorchNodeContext c, TorchTypeKind? kind)
    {
        var slot = c.Slot(0);
        if (slot.Kind == TorchSlotKind.Constant)
        {
            switch (slot.Constant)
            {
                case long or double or bool:
                    c.SetConstant(0, Convert(slot.Constant, kind));
                    return;
                case string s when kind is TorchTypeKind.Int or TorchTypeKind.Float:
                    c.SetConstant(0, kind == TorchTypeKind.Int
                        ? long.Parse(s.Trim(), System.Globalization.CultureInfo.InvariantCulture)
                        : double.Parse(s.Trim(), System.Globalization.CultureInfo.InvariantCulture));
                    return;
                case TorchTensorConstant t when t.Data.ElementCount == 1:
                    var value = t.Data.ToDoubles()[0];
                    var own = TorchScalarTypes.IsFloating(t.Data.ElementType) ? TorchTypeKind.Float : t.Data.ElementType == DataType.Bool ? TorchTypeKind.Bool : TorchTypeKind.Int;
                    object number = own switch
                    {
                        TorchTypeKind.Float => value,
                        TorchTypeKind.Bool => value != 0,
                        _ => t.Data.ToInt64s()[0],
                    };
                    c.SetConstant(0, Convert(number, kind));
                    return;
            }
        }

        var x = c.Tensor(0);
        var type = c.ElementType(x);
        var target = kind ?? (TorchScalarTypes.IsFloating(type) ? TorchTypeKind.Float : type == DataType.Bool ? TorchTypeKind.Bool : TorchTypeKind.Int);
        var scalar = TorchNodeContext.RankOf(x) == 0 ? x : c.Builder.Reshape(x, Array.Empty<long>());
        Value result = target switch
        {
            TorchTypeKind.Bool => type == DataType.Bool ? scalar : c.Builder.Op("Not", c.Builder.Op("Equal", scalar, c.Builder.Scalar(type, 0))),
            TorchTypeKind.Float => c.CastTo(scalar, DataType.Double),
            _ => type == DataType.Bool || TorchScalarTypes.IsIntegral(type) ? c.CastTo(scalar, DataType.Int64) : c.CastTo(scalar, DataType.Int64),
        };
        c.SetScalar(0, result, target);
    }

    private static object Convert(object number, TorchTypeKind? kind) => kind switch
    {
        TorchTypeKind.Int => number switch { double d => (long)System.Math.Truncate(d), bool b => b ? 1L : 0L, _ => number },
        TorchTypeKind.Float => TorchNodeContext.ToDouble(number),
        TorchTypeKind.Bool => TorchNodeContext.ToDouble(number) != 0,
        _ => number,
    };

    private static void Size(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        if (c.InputCount >= 2 && c.Has(1))
        {
            var rank = c.Rank(x, "size(dim)");
            var axis = c.Axis(c.Int(1, "dim"), rank);
            if (TorchNodeContext.StaticDim(x, axis) is { } d)
            {
                c.SetConstant(0, d);
                return;
            }

            c.SetScalar(0, c.Builder.Reshape(c.DimVector(x, axis), Array.Empty<long>()), TorchTypeKind.Int);
            return;
        }

        var shape = TorchNodeContext.ShapeOf(x);
        if (shape is not null && shape.All(d => d.IsFixed))
        {
            c.SetConstant(0, shape.Select(d => (object)d.Value!.Value).ToArray());
            return;
        }

        c.SetSlot(0, TorchSlot.OfIntVector(c.Builder.Op("Shape", x), shape?.Count));
    }

    private static void Numel(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        if (TorchNodeContext.ShapeOf(x) is { } shape && shape.All(d => d.IsFixed))
        {
            c.SetConstant(0, shape.Aggregate(1L, (a, d) => a * d.Value!.Value));
            return;
        }

        c.SetScalar(0, c.Builder.Op("Size", x), TorchTypeKind.Int);
    }

    private static void Dtype(TorchNodeContext c)
    {
        var type = c.ElementType(c.Tensor(0));
        for (var code = 0L; code < 16; code++)
        {
            if (TorchScalarTypes.ToOnnx(code) == type)
            {
                c.SetConstant(0, code);
                return;
            }
        }

        throw c.TypeError($"the tensor's element type {type} is not a PyTorch dtype");
    }

    private static bool Is(TorchNodeContext c)
    {
        var a = c.Slot(0);
        var b = c.Slot(1);
        if (a.IsNone || b.IsNone)
        {
            return a.IsNone && b.IsNone;
        }

        if (a.Kind == TorchSlotKind.Constant && b.Kind == TorchSlotKind.Constant && a.Constant is bool or long && b.Constant is bool or long)
        {
            return Equals(a.Constant, b.Constant);
        }

        throw c.Unsupported("'is' compares object identity, which the converter decides only for None");
    }
}
