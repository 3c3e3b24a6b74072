using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.Onnx.Rules;

/// <summary>
/// Element-wise operators: <c>consumed_inputs</c> dropped at 6, the old <c>broadcast</c>/<c>axis</c> rule replaced by
/// numpy broadcasting at 7 (Changelog: Add-7 and the other binary operators), variadic Max/Min/Mean/Sum broadcasting
/// at 8, PRelu's slope broadcasting at 7, Celu's new types at 28.
/// </summary>
internal static class ElementwiseRules
{
    /// <summary>Operators whose version 6 only dropped <c>consumed_inputs</c> (the legacy in-place hint).</summary>
    internal static readonly string[] ConsumedInputsAt6 =
    {
        "Abs", "Add", "Ceil", "Clip", "Div", "Dropout", "Elu", "Exp", "Floor", "HardSigmoid", "InstanceNormalization",
        "LeakyRelu", "Log", "Max", "Mean", "Min", "Mul", "Neg", "PRelu", "Reciprocal", "Relu", "Selu", "Sigmoid", "Sqrt",
        "Sub", "Sum", "Tanh",
    };

    private static readonly string[] BroadcastAt7 = { "Add", "Sub", "Mul", "Div", "Pow", "And", "Or", "Xor", "Equal", "Greater", "Less" };

    public static void Register(OpsetRuleTable t)
    {
        foreach (var op in ConsumedInputsAt6)
        {
            t.Adapter(op, 6, "attribute consumed_inputs removed", DropConsumedInputs, OpsetRuleTable.NoOp);
        }

        foreach (var op in BroadcastAt7)
        {
            t.Adapter(op, 7, "broadcast/axis attributes replaced by numpy broadcasting", UpgradeBroadcast, DowngradeBroadcast);
        }

        t.Adapters(8, "numpy broadcasting between the inputs (before: all the same shape)", OpsetRuleTable.NoOp, DowngradeSameShapes,
            "Max", "Min", "Mean", "Sum");
        t.Adapter("PRelu", 7, "slope broadcasts unidirectionally (numpy) instead of per channel", UpgradePRelu, DowngradePRelu);
        t.Adapter("Celu", 28, "float16, bfloat16 and double added", OpsetRuleTable.NoOp, DowngradeCelu);
    }

    internal static void DropConsumedInputs(OpsetStepContext c) => c.Node.RemoveAttribute("consumed_inputs");

    private static void UpgradeBroadcast(OpsetStepContext c)
    {
        var broadcast = c.Node.RemoveAttribute("broadcast")?.Int ?? 0;
        var axis = c.Node.RemoveAttribute("axis");
        if (broadcast != 0 && axis is not null)
        {
            c.AlignAtAxis(1, c.Node.Input(0)!, axis.Int, "the old broadcast rule");
        }
    }

    private static void DowngradeBroadcast(OpsetStepContext c)
    {
        var (a, b) = (c.Node.Input(0)!, c.Node.Input(1)!);
        var (sa, sb) = (c.Shape(a), c.Shape(b));
        if (sa is null || sb is null)
        {
            throw c.Impossible("before opset 7 the second input must match a suffix of the first's shape, and the shapes are unknown");
        }

        if (sa.Count == sb.Count && sa.Zip(sb).All(p => p.First.SameAs(p.Second)))
        {
            return;
        }

        if (sb.Count > sa.Count || !sa.Skip(sa.Count - sb.Count).Zip(sb).All(p => p.First.SameAs(p.Second)))
        {
            throw c.Impossible("before opset 7 the second input must match a suffix of the first's shape exactly, and it does not");
        }

        c.Node.SetAttribute(NodeAttribute.Of("broadcast", 1L));
    }

    private static void DowngradeSameShapes(OpsetStepContext c)
    {
        var shapes = c.Node.Inputs.Select(v => c.Shape(v)).ToArray();
        if (shapes.Any(s => s is null) || shapes.Any(s => s!.Count != shapes[0]!.Count || !s.Zip(shapes[0]!).All(p => p.First.SameAs(p.Second))))
        {
            throw c.Impossible("before opset 8 every input must have the same shape, and that is not known to hold");
        }
    }

    private static void UpgradePRelu(OpsetStepContext c)
    {
        // PRelu-6 applies a 1-D slope per channel (axis 1); from 7 it broadcasts like numpy, aligned at the last axis.
        var slope = c.Node.Input(1)!;
        if (c.Rank(slope) == 1 && (c.Shape(slope) is not { } s || s[0].Value != 1))
        {
            var rankX = c.Rank(c.Node.Input(0));
            if (rankX is null || rankX > 2)
            {
                c.AlignAtAxis(1, c.Node.Input(0)!, 1, "PRelu-6's per-channel slope");
            }
        }
    }

    private static void DowngradePRelu(OpsetStepContext c)
    {
        var slope = c.Shape(c.Node.Input(1));
        var x = c.Shape(c.Node.Input(0));
        if (slope is not null && (slope.Count == 0 || (slope.Count == 1 && slope[0].Value == 1)))
        {
            return;
        }

        if (slope is not null && x is not null && slope.Count == x.Count - 1 && slope.Skip(1).All(d => d.Value == 1) && x.Count > 1)
        {
            // [C,1,...,1] aligned at axis 1 is PRelu-6's per-channel slope [C].
            var sl = c.Node.Input(1)!;
            c.Node.SetInput(1, c.Builder.Reshape(sl, new long[] { -1 }));
            return;
        }

        throw c.Impossible("PRelu below opset 7 takes a per-channel or single slope, and this slope's broadcasting cannot be expressed that way");
    }

    private static void DowngradeCelu(OpsetStepContext c)
    {
        var type = c.RequireElementType(c.Node.Input(0), "Celu below opset 28 only takes float");
        if (type == DataType.Float)
        {
            return;
        }

        if (type is DataType.Float16 or DataType.Bfloat16)
        {
            // Celu-12 in float, rounded back: at least as exact as computing in the 16-bit type.
            c.Node.SetInput(0, c.Builder.Cast(c.Node.Input(0)!, DataType.Float));
            c.TransformOutput(0, y => c.Builder.Cast(y, type));
            return;
        }

        // celu(x) = max(0, x) + min(0, alpha * (exp(x / alpha) - 1)), spelled with operators that take every float type.
        var b = c.Builder;
        var x = c.Node.Input(0)!;
        var alpha = b.Scalar(type, c.Node.GetFloat("alpha", 1f));
        var zero = b.Scalar(type, 0);
        var one = b.Scalar(type, 1);
        var negative = b.Op("Min", zero, b.Op("Mul", alpha, b.Op("Sub", b.Op("Exp", b.Op("Div", x, alpha)), one)));
        var positive = b.Op("Max", zero, x);
        c.Node.OpType = "Add";
        c.Node.RemoveAttribute("alpha");
        c.Node.TruncateInputs(0);
        c.Node.AddInput(positive);
        c.Node.AddInput(negative);
    }
}
