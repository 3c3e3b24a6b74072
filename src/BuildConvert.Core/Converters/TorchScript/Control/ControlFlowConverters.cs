using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript.Control;

/// <summary>
/// TorchScript control flow (https://github.com/pytorch/pytorch/blob/v1.13.1/torch/csrc/jit/OVERVIEW.md#loops):
/// <c>prim::If</c>(cond) with a then and an else block → ONNX <c>If</c> (the blocks read outer values directly; a
/// constant condition inlines the taken block; a block that raises is dropped and the other inlined, since ONNX has no
/// exceptions); <c>prim::Loop</c>(max_trip_count, initial_condition, carried...) with a body (iteration, carried...)
/// → (condition, carried...) → ONNX <c>Loop</c> (a trip count of 2^63-1, TorchScript's while loops, becomes no trip
/// count). Blocks return tensors and numbers (ints as int64, floats as double, bools as bool 0-D tensors); lists,
/// tuples and None cannot cross an ONNX If or Loop boundary (BCONV2204).
/// </summary>
internal static class ControlFlowConverters
{
    public static void Register(OpConverterRegistry<TorchOpHandler> r)
    {
        r.Op("prim::If", If, "ONNX If; constant conditions and raising branches inline the other block");
        r.Op("prim::Loop", Loop, "ONNX Loop; carried tensors and numbers");
    }

    private static BuildConvertException Invalid(TorchNodeContext c, string message) =>
        BuildConvertException.Create(DiagnosticCodes.TorchScriptControlFlowInvalid, $"{c.Where()}: {message}", location: c.Name);

    private static bool Raises(TorchBlock block) => block.Nodes.Any(n => n.Kind == "prim::RaiseException");

    private static void If(TorchNodeContext c)
    {
        if (c.Node.Blocks.Count != 2)
        {
            throw Invalid(c, $"has {c.Node.Blocks.Count} block(s); an if has two");
        }

        var thenBlock = c.Node.Blocks[0];
        var elseBlock = c.Node.Blocks[1];
        TorchBlock? inline = null;
        if (c.ConstantOf(0) is bool or long)
        {
            inline = TorchNodeContext.ToDouble(c.ConstantOf(0)) != 0 ? thenBlock : elseBlock;
        }
        else if (Raises(thenBlock) && !Raises(elseBlock))
        {
            inline = elseBlock;
        }
        else if (Raises(elseBlock) && !Raises(thenBlock))
        {
            inline = thenBlock;
        }

        if (inline is not null)
        {
            var results = c.ConvertBlock(inline, c.Graph, Array.Empty<TorchSlot>());
            SetResults(c, results);
            return;
        }

        var condition = Condition(c, c.Builder, c.Slot(0));
        var branches = new Graph[2];
        var outputs = new List<TorchSlot>[2];
        for (var k = 0; k < 2; k++)
        {
            branches[k] = c.Graph.CreateSubgraph($"{c.Name}/{(k == 0 ? "then" : "else")}");
            outputs[k] = c.ConvertBlock(c.Node.Blocks[k], branches[k], Array.Empty<TorchSlot>()).ToList();
        }

        if (outputs[0].Count != outputs[1].Count || outputs[0].Count != c.OutputCount)
        {
            throw Invalid(c, $"the blocks return {outputs[0].Count} and {outputs[1].Count} value(s) for {c.OutputCount} result(s)");
        }

        var kinds = new TorchTypeKind?[c.OutputCount];
        var types = new DataType[c.OutputCount];
        for (var i = 0; i < c.OutputCount; i++)
        {
            var (k0, t0) = Kind(c, outputs[0][i], i);
            var (k1, t1) = Kind(c, outputs[1][i], i);
            if ((k0 is null) != (k1 is null))
            {
                throw Invalid(c, $"result {i} is a tensor in one block and a number in the other");
            }

            kinds[i] = k0 is null ? null : k0 == TorchTypeKind.Float || k1 == TorchTypeKind.Float ? TorchTypeKind.Float : k0;
            types[i] = k0 is null ? TorchScalarTypes.Promote(t0, t1) : kinds[i] switch
            {
                TorchTypeKind.Float => DataType.Double,
                TorchTypeKind.Bool => k1 == TorchTypeKind.Bool ? DataType.Bool : DataType.Int64,
                _ => DataType.Int64,
            };
            if (types[i] == DataType.Int64 && kinds[i] == TorchTypeKind.Bool)
            {
                kinds[i] = TorchTypeKind.Int;
            }
        }

        for (var k = 0; k < 2; k++)
        {
            SetBodyOutputs(c, branches[k], outputs[k], types);
        }

        var node = c.Builder.Node("If", new[] { condition }, c.OutputCount, new[]
        {
            NodeAttribute.Of("then_branch", branches[0]), NodeAttribute.Of("else_branch", branches[1]),
        });
        for (var i = 0; i < c.OutputCount; i++)
        {
            c.SetSlot(i, kinds[i] is { } kind ? TorchSlot.OfScalar(node.Outputs[i]!, kind) : TorchSlot.OfTensor(node.Outputs[i]!));
        }
    }

    private static void SetResults(TorchNodeContext c, IReadOnlyList<TorchSlot> results)
    {
        if (results.Count != c.OutputCount)
        {
            throw Invalid(c, $"the block returns {results.Count} value(s) for {c.OutputCount} result(s)");
        }

        for (var i = 0; i < results.Count; i++)
        {
            c.SetSlot(i, results[i]);
        }
    }

    /// <summary>A block result's kind: null for a tensor (with its element type), else the number's kind.</summary>
    private static (TorchTypeKind? Kind, DataType Type) Kind(TorchNodeContext c, TorchSlot slot, int index)
    {
        switch (slot.Kind)
        {
            case TorchSlotKind.Tensor:
                return (null, c.ElementType(slot.Value!));
            case TorchSlotKind.Scalar:
                return (slot.ScalarKind, DataType.Undefined);
            case TorchSlotKind.Constant when slot.Constant is TorchTensorConstant t:
                return (null, t.Data.ElementType);
            case TorchSlotKind.Constant when slot.Constant is long:
                return (TorchTypeKind.Int, DataType.Undefined);
            case TorchSlotKind.Constant when slot.Constant is double:
                return (TorchTypeKind.Float, DataType.Undefined);
            case TorchSlotKind.Constant when slot.Constant is bool:
                return (TorchTypeKind.Bool, DataType.Undefined);
            default:
                throw Invalid(c, $"result {index} is {TorchNodeContext.Describe(slot)}; only tensors and numbers cross an ONNX If or Loop");
        }
    }

    /// <summary>The outputs of <paramref name="body"/>: each slot as a tensor of <paramref name="types"/>, produced inside the body.</summary>
    private static void SetBodyOutputs(TorchNodeContext c, Graph body, IReadOnlyList<TorchSlot> results, IReadOnlyList<DataType> types)
    {
        var builder = new OpBuilder(body, c.Opset) { NamePrefix = body.Name };
        var listed = new HashSet<Value>(ReferenceEqualityComparer.Instance);
        var before = body.Nodes.Count;
        for (var i = 0; i < results.Count; i++)
        {
            var value = c.AsTensor(results[i], builder) ?? throw Invalid(c, $"result {i} is {TorchNodeContext.Describe(results[i])}");
            if (TorchNodeContext.ElementTypeOrNull(value) != types[i])
            {
                value = builder.Cast(value, types[i]);
            }

            if (value.Owner != body || value.Producer is null || !listed.Add(value))
            {
                value = builder.Op("Identity", value);
                listed.Add(value);
            }

            body.Outputs.Add(value);
        }

        c.Infer(body.Nodes.Skip(before));
    }

    /// <summary>A condition slot as a bool 0-D tensor.</summary>
    private static Value Condition(TorchNodeContext c, OpBuilder b, TorchSlot slot)
    {
        if (slot.Kind == TorchSlotKind.Constant && slot.Constant is bool or long)
        {
            return b.Const(TensorData.Scalar(DataType.Bool, TorchNodeContext.ToDouble(slot.Constant) != 0 ? 1 : 0), "condition");
        }

        var value = c.AsTensor(slot, b) ?? throw Invalid(c, $"the condition is {TorchNodeContext.Describe(slot)}, not a bool");
        var type = TorchNodeContext.ElementTypeOrNull(value) ?? throw Invalid(c, "the condition's type is unknown");
        if (TorchNodeContext.RankOf(value) is not 0)
        {
            value = b.Reshape(value, Array.Empty<long>());
        }

        return type == DataType.Bool ? value : b.Op("Not", b.Op("Equal", value, b.Scalar(type, 0)));
    }

    private static void Loop(TorchNodeContext c)
    {
        if (c.Node.Blocks.Count != 1)
        {
            throw Invalid(c, $"has {c.Node.Blocks.Count} block(s); a loop has one");
        }

        var block = c.Node.Blocks[0];
        var carriedCount = c.InputCount - 2;
        if (carriedCount < 0 || block.Inputs.Count != carriedCount + 1 || block.Outputs.Count != carriedCount + 1 || c.OutputCount != carriedCount)
        {
            throw Invalid(c, $"the loop carries {carriedCount} value(s), its body takes {block.Inputs.Count} and returns {block.Outputs.Count}, and it has {c.OutputCount} result(s)");
        }

        var b = c.Builder;
        Value? tripCount = null;
        if (c.ConstantOf(0) is long trips)
        {
            if (trips != long.MaxValue)
            {
                tripCount = b.Const(TensorData.FromInt64s(new[] { System.Math.Max(trips, 0) }, Array.Empty<long>()), "trip_count");
            }
        }
        else
        {
            tripCount = c.TensorOf(0, DataType.Int64);
            if (TorchNodeContext.RankOf(tripCount) is not 0)
            {
                tripCount = b.Reshape(tripCount, Array.Empty<long>());
            }
        }

        var condition = Condition(c, b, c.Slot(1));
        var body = c.Graph.CreateSubgraph($"{c.Name}/body");
        var iteration = body.NewValue($"{c.Name}/iteration", OnnxType.Tensor(DataType.Int64, Array.Empty<Dim>()));
        var conditionIn = body.NewValue($"{c.Name}/cond_in", OnnxType.Tensor(DataType.Bool, Array.Empty<Dim>()));
        body.Inputs.Add(iteration);
        body.Inputs.Add(conditionIn);
        var initial = new Value[carriedCount];
        var kinds = new TorchTypeKind?[carriedCount];
        var types = new DataType[carriedCount];
        var args = new List<TorchSlot> { TorchSlot.OfScalar(iteration, TorchTypeKind.Int) };
        for (var i = 0; i < carriedCount; i++)
        {
            var slot = c.Slot(i + 2);
            var (kind, type) = Kind(c, slot, i);
            kinds[i] = kind;
            types[i] = kind switch
            {
                null => type,
                TorchTypeKind.Float => DataType.Double,
                TorchTypeKind.Bool => DataType.Bool,
                _ => DataType.Int64,
            };
            initial[i] = c.CastTo(c.AsTensor(slot)!, types[i]);
            var rank = TorchNodeContext.RankOf(initial[i]);
            var input = body.NewValue($"{c.Name}/carried_{i}", OnnxType.Tensor(types[i], rank is { } r ? Enumerable.Repeat(Dim.Unknown, r).ToArray() : null));
            body.Inputs.Add(input);
            args.Add(kind is { } k ? TorchSlot.OfScalar(input, k) : TorchSlot.OfTensor(input));
        }

        c.Infer();
        var results = c.ConvertBlock(block, body, args);
        var bodyBuilder = new OpBuilder(body, c.Opset) { NamePrefix = $"{c.Name}/body" };
        var next = Condition(c, bodyBuilder, results[0]);
        SetBodyOutputs(c, body, new[] { TorchSlot.OfTensor(next) }.Concat(results.Skip(1)).ToArray(), new[] { DataType.Bool }.Concat(types).ToArray());
        var loop = b.Node("Loop", new Value?[] { tripCount, condition }.Concat(initial), carriedCount, new[] { NodeAttribute.Of("body", body) });
        for (var i = 0; i < carriedCount; i++)
        {
            c.SetSlot(i, kinds[i] is { } kind ? TorchSlot.OfScalar(loop.Outputs[i]!, kind) : TorchSlot.OfTensor(loop.Outputs[i]!));
        }
    }
}
