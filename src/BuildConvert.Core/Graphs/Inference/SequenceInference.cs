using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs.Inference;

/// <summary>Sequence and optional types: SequenceConstruct/Empty/At/Insert/Erase/Length, ConcatFromSequence, SplitToSequence, Optional, OptionalGetElement, OptionalHasElement.</summary>
internal static class SequenceInference
{
    public static void Register(InferenceRegistry.Builder r)
    {
        r.Add("SequenceEmpty", 11, c => c.SetOutput(0, OnnxType.Sequence(OnnxType.Tensor(Rules.DataTypeAttribute(c, "dtype", DataType.Float)))));
        r.Add("SequenceConstruct", 11, SequenceConstruct);
        r.Add("SequenceAt", 11, c => c.SetOutput(0, Rules.Strip(Element(c, 0))));
        r.Add("SequenceInsert", 11, SequenceInsert);
        r.Add("SequenceErase", 11, Rules.SameAsInput());
        r.Add("SequenceLength", 11, c => c.SetOutput(0, DataType.Int64, Array.Empty<Dim>()));
        r.Add("ConcatFromSequence", 11, ConcatFromSequence);
        r.Add("SplitToSequence", 11, SplitToSequence);
        r.Add("Optional", 15, Optional);
        r.Add("OptionalGetElement", 15, c => c.SetOutput(0, Rules.Strip(c.InputType(0) is { Kind: OnnxTypeKind.Optional } o ? o.Element : c.InputType(0))));
        r.Add("OptionalHasElement", 15, c => c.SetOutput(0, DataType.Bool, Array.Empty<Dim>()));
    }

    private static OnnxType? Element(InferenceContext c, int input) => c.InputType(input) is { Kind: OnnxTypeKind.Sequence } s ? s.Element : null;

    private static void SequenceConstruct(InferenceContext c)
    {
        var types = Enumerable.Range(0, c.InputCount).Select(c.InputType).ToArray();
        if (types.Length == 0)
        {
            return;
        }

        var element = types[0];
        foreach (var t in types.Skip(1))
        {
            element = ShapeMath.Union(element, t);
        }

        if (element is null && types.Select(t => t?.ElementType).Distinct().Count() == 1 && types[0] is { IsTensor: true } first)
        {
            element = OnnxType.Tensor(first.ElementType);
        }

        c.SetOutput(0, OnnxType.Sequence(Rules.Strip(element)));
    }

    private static void SequenceInsert(InferenceContext c)
    {
        var existing = Element(c, 0);
        var inserted = c.InputType(1);
        var element = existing is { Shape: null } && inserted is { IsTensor: true }
            ? OnnxType.Tensor(existing.ElementType == default ? inserted.ElementType : existing.ElementType)
            : ShapeMath.Union(existing, inserted);
        c.SetOutput(0, OnnxType.Sequence(Rules.Strip(element ?? (inserted is { IsTensor: true } t ? OnnxType.Tensor(t.ElementType) : null))));
    }

    private static void ConcatFromSequence(InferenceContext c)
    {
        var element = Element(c, 0);
        var elem = element?.ElementType ?? default;
        if (element?.Shape is not { } shape)
        {
            c.SetOutput(0, elem, null);
            return;
        }

        var newAxis = c.Node.GetInt("new_axis", 0) != 0;
        var rank = shape.Count + (newAxis ? 1 : 0);
        var axis = c.Axis(c.Node.GetInt("axis", 0), rank);
        var result = shape.Select(ShapeMath.Plain).ToList();
        if (newAxis)
        {
            result.Insert(axis, Dim.Unknown);
        }
        else
        {
            result[axis] = Dim.Unknown;
        }

        c.SetOutput(0, elem, result);
    }

    private static void SplitToSequence(InferenceContext c)
    {
        var input = c.InputShape(0);
        var elem = c.InputElementType(0);
        if (input is null)
        {
            c.SetOutput(0, OnnxType.Sequence(OnnxType.Tensor(elem)));
            return;
        }

        var axis = c.Axis(c.Node.GetInt("axis", 0), input.Count);
        var shape = input.Select(ShapeMath.Plain).ToList();
        if (!c.HasInput(1))
        {
            if (c.Node.GetInt("keepdims", 1) != 0)
            {
                shape[axis] = Dim.Of(1);
            }
            else
            {
                shape.RemoveAt(axis);
            }
        }
        else
        {
            var split = c.InputInts(1);
            var scalar = c.InputShape(1) is { Count: 0 };
            shape[axis] = split switch
            {
                [var s] when scalar && input[axis].Value is { } d && d % s == 0 => Dim.Of(s),
                not null when !scalar && split.Length > 0 && split.All(v => v == split[0]) => Dim.Of(split[0]),
                _ => Dim.Unknown,
            };
        }

        c.SetOutput(0, OnnxType.Sequence(OnnxType.Tensor(elem, shape)));
    }

    private static void Optional(InferenceContext c)
    {
        if (c.HasInput(0))
        {
            c.SetOutput(0, OnnxType.Optional(Rules.Strip(c.InputType(0))));
        }
        else if (c.Node.Attribute("type")?.TypeValue is { } t)
        {
            c.SetOutput(0, OnnxType.Optional(t));
        }
        else
        {
            c.Fail("Optional needs an input or a 'type' attribute");
        }
    }
}
