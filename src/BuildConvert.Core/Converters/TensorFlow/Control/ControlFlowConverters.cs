using BuildConvert.Core.Formats.TensorFlow.Proto;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TensorFlow.Control;

/// <summary>
/// Functional control flow of TF2 graphs (https://www.tensorflow.org/api_docs/python/tf/raw_ops), with the bodies
/// converted from the function library by <see cref="TfNodeContext.ConvertFunction"/>:
/// <list type="bullet">
/// <item><c>If</c>/<c>StatelessIf</c> (<c>cond</c>, <c>input</c>...; <c>then_branch</c>, <c>else_branch</c>,
/// <c>Tcond</c>, <c>Tin</c>, <c>Tout</c>, <c>output_shapes</c>) → ONNX <c>If</c>. The branches have no inputs: their
/// arguments are bound to the node's inputs, which they read from the outer scope. <c>cond</c> becomes a boolean as
/// TensorFlow defines it: a bool scalar as is, a numeric scalar is true when non-zero, a tensor of rank ≥ 1 is true when
/// non-empty (string conditions are refused).</item>
/// <item><c>While</c>/<c>StatelessWhile</c> (<c>input</c>...; <c>cond</c>, <c>body</c>, <c>T</c>, <c>output_shapes</c>,
/// <c>parallel_iterations</c> — ignored, it only tunes TensorFlow's scheduler) → ONNX <c>Loop</c>: the condition
/// function runs once on the initial values before the loop (the Loop's <c>cond</c> input, so zero iterations are
/// possible) and again inside the body on the body's results (the body's <c>cond</c> output). Loop-invariant
/// arguments — those the body returns unchanged, through <c>Identity</c>s, as while_v2 does with captured weights —
/// are not carried: the body and condition read the outer value (so weights stay initializers that constant folding
/// sees) and the node's output is its input. The carried body inputs take their shapes from <c>output_shapes</c>
/// when it gives a rank (else the initial value's rank), their element types from the initial values. TF2's
/// <c>maximum_iterations</c> lives in the condition function (a counter in the loop variables), so it needs nothing
/// here; an int attribute <c>maximum_iterations</c> on the node, which some writers add, becomes the Loop's trip count.</item>
/// <item><c>PartitionedCall</c>/<c>StatefulPartitionedCall</c> (inside bodies; the reader inlines those of the main
/// graph) → the callee's body converted in place.</item>
/// </list>
/// </summary>
internal static class ControlFlowConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("If", 13, If, "then_branch/else_branch become If subgraphs reading the inputs from the outer scope");
        r.Add("StatelessIf", 13, If, "as If");
        r.Add("While", 13, While, "Loop; cond evaluated before the loop and at the end of each iteration; loop invariants read from the outer scope");
        r.Add("StatelessWhile", 13, While, "as While");
        r.Add("PartitionedCall", 13, Call, "the function body converted in place");
        r.Add("StatefulPartitionedCall", 13, Call, "the function body converted in place");
    }

    private static void Call(TfNodeContext c)
    {
        var outputs = c.ConvertFunction(c.FunctionAttribute("f"), c.Graph, c.Inputs, c.Name);
        if (outputs.Count < c.OutputCount)
        {
            throw c.Error($"output {c.OutputCount - 1} is read, and the function has {outputs.Count} output(s)");
        }

        c.SetOutputs(outputs);
    }

    private static void If(TfNodeContext c)
    {
        var condition = ToBool(c, c.Builder, c.Input(0), "cond");
        var args = c.Inputs.Skip(1).ToArray();
        var thenName = c.FunctionAttribute("then_branch");
        var elseName = c.FunctionAttribute("else_branch");
        var branches = new List<Graph>();
        var counts = new List<int>();
        foreach (var (attribute, function) in new[] { ("then_branch", thenName), ("else_branch", elseName) })
        {
            var branch = c.Graph.CreateSubgraph($"{c.Name}/{attribute}");
            var outputs = c.ConvertFunction(function, branch, args, $"{c.Name}/{attribute}");
            SetBodyOutputs(branch, c.Opset, $"{c.Name}/{attribute}", outputs);
            branches.Add(branch);
            counts.Add(outputs.Count);
        }

        if (counts[0] != counts[1])
        {
            throw c.Error($"then_branch '{thenName}' returns {counts[0]} tensor(s) and else_branch '{elseName}' returns {counts[1]}");
        }

        if (c.Attribute("Tout") is { ValueCase: AttrValue.ValueOneofCase.List } tout && tout.List.Type.Count != counts[0])
        {
            throw c.AttributeError("Tout", $"lists {tout.List.Type.Count} type(s), and the branches return {counts[0]} tensor(s)");
        }

        var node = c.Builder.Node("If", new[] { condition }, counts[0], new[]
        {
            NodeAttribute.Of("then_branch", branches[0]), NodeAttribute.Of("else_branch", branches[1]),
        });
        c.SetOutputs(node.Outputs.Select(o => o!).ToArray());
    }

    private static void While(TfNodeContext c)
    {
        var condName = c.FunctionAttribute("cond");
        var bodyName = c.FunctionAttribute("body");
        var initial = c.Inputs;
        var invariant = c.Source.Library.Function.FirstOrDefault(f => f.Signature.Name == bodyName) is { } bodyDef
            ? LoopInvariants(bodyDef, initial.Count)
            : new bool[initial.Count];
        var shapes = c.Attribute("output_shapes") is { ValueCase: AttrValue.ValueOneofCase.List } s ? s.List.Shape : null;

        // The first test, on the initial values, in the enclosing graph.
        var first = c.ConvertFunction(condName, c.Graph, initial, $"{c.Name}/cond_initial");
        if (first.Count != 1)
        {
            throw c.Error($"cond '{condName}' returns {first.Count} tensor(s); it must return one");
        }

        var condition = ToBool(c, c.Builder, first[0], "the value cond returns");
        var body = c.Graph.CreateSubgraph($"{c.Name}/body");
        var iteration = body.NewValue($"{c.Name}/iteration", OnnxType.Tensor(DataType.Int64, Array.Empty<Dim>()));
        var conditionIn = body.NewValue($"{c.Name}/cond_in", OnnxType.Tensor(DataType.Bool, Array.Empty<Dim>()));
        body.Inputs.Add(iteration);
        body.Inputs.Add(conditionIn);
        var args = new Value[initial.Count];
        var carried = new List<int>();
        for (var i = 0; i < initial.Count; i++)
        {
            if (invariant[i])
            {
                args[i] = initial[i];
                continue;
            }

            var shape = shapes is not null && i < shapes.Count ? shapes[i] : null;
            args[i] = body.NewValue($"{c.Name}/carried_{i}", CarriedType(initial[i].Type, shape));
            body.Inputs.Add(args[i]);
            carried.Add(i);
        }

        var results = c.ConvertFunction(bodyName, body, args, $"{c.Name}/body");
        if (results.Count != initial.Count)
        {
            throw c.Error($"body '{bodyName}' returns {results.Count} tensor(s) for {initial.Count} loop variable(s)");
        }

        var bodyBuilder = new OpBuilder(body, c.Opset) { NamePrefix = $"{c.Name}/body" };
        var again = c.ConvertFunction(condName, body, results, $"{c.Name}/cond");
        if (again.Count != 1)
        {
            throw c.Error($"cond '{condName}' returns {again.Count} tensor(s); it must return one");
        }

        var next = ToBool(c, bodyBuilder, again[0], "the value cond returns");
        SetBodyOutputs(body, c.Opset, $"{c.Name}/body", new[] { next }.Concat(carried.Select(i => results[i])).ToArray());

        Value? tripCount = null;
        if (c.Attribute("maximum_iterations") is { ValueCase: AttrValue.ValueOneofCase.I } max && max.I >= 0)
        {
            tripCount = c.Builder.Const(TensorData.FromInt64s(new[] { max.I }, Array.Empty<long>()), "maximum_iterations");
        }

        var loopInputs = new Value?[] { tripCount, condition }.Concat(carried.Select(i => initial[i]));
        var loop = c.Builder.Node("Loop", loopInputs, carried.Count, new[] { NodeAttribute.Of("body", body) });
        var outputs = initial.ToArray();
        for (var k = 0; k < carried.Count; k++)
        {
            outputs[carried[k]] = loop.Outputs[k]!;
        }

        c.SetOutputs(outputs);
    }

    /// <summary>
    /// Which loop variables the body returns unchanged: output k of the body is argument k, directly or through a
    /// chain of Identity nodes (how while_v2 passes captured tensors along).
    /// </summary>
    internal static bool[] LoopInvariants(FunctionDef body, int count)
    {
        var result = new bool[count];
        var signature = body.Signature;
        if (signature.InputArg.Count != count || signature.OutputArg.Count != count)
        {
            return result;
        }

        var nodes = body.NodeDef.GroupBy(n => n.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        for (var k = 0; k < count; k++)
        {
            if (!body.Ret.TryGetValue(signature.OutputArg[k].Name, out var reference))
            {
                continue;
            }

            for (var steps = 0; steps < 64; steps++)
            {
                var name = reference.Split(':')[0];
                if (name == signature.InputArg[k].Name && !nodes.ContainsKey(name))
                {
                    result[k] = reference.Split(':').Length == 1 || reference.EndsWith(":0", StringComparison.Ordinal);
                    break;
                }

                if (!nodes.TryGetValue(name, out var node) || node.Op is not ("Identity" or "Snapshot" or "StopGradient"))
                {
                    break;
                }

                var data = node.Input.Where(i => !i.StartsWith('^')).ToList();
                if (data.Count != 1)
                {
                    break;
                }

                reference = data[0];
            }
        }

        return result;
    }

    /// <summary>The type of a carried body input: the element type of the initial value, the shape of
    /// <c>output_shapes</c> when it gives a rank (-1: unknown), else the initial value's rank with unknown sizes.</summary>
    private static OnnxType? CarriedType(OnnxType? initial, TensorShapeProto? shape)
    {
        if (initial is null)
        {
            return null;
        }

        if (initial.Kind == OnnxTypeKind.Sequence)
        {
            return OnnxType.Sequence(initial.Element is { IsTensor: true } e
                ? OnnxType.Tensor(e.ElementType, e.Shape?.Select(_ => Dim.Unknown).ToArray())
                : null);
        }

        if (!initial.IsTensor)
        {
            return initial;
        }

        if (shape is { UnknownRank: false })
        {
            return OnnxType.Tensor(initial.ElementType, shape.Dim.Select(d => d.Size >= 0 ? Dim.Of(d.Size) : Dim.Unknown).ToArray());
        }

        return OnnxType.Tensor(initial.ElementType, initial.Shape?.Select(_ => Dim.Unknown).ToArray());
    }

    /// <summary>Lists <paramref name="outputs"/> as the outputs of <paramref name="body"/>, through an Identity where a
    /// value is not computed by a node of the body itself or is listed twice.</summary>
    private static void SetBodyOutputs(Graph body, long opset, string prefix, IReadOnlyList<Value> outputs)
    {
        var builder = new OpBuilder(body, opset) { NamePrefix = prefix };
        var listed = new HashSet<Value>(ReferenceEqualityComparer.Instance);
        foreach (var value in outputs)
        {
            var output = value.Owner == body && value.Producer is not null && listed.Add(value) ? value : builder.Op("Identity", value);
            listed.Add(output);
            body.Outputs.Add(output);
        }
    }

    /// <summary>A TensorFlow condition as a bool scalar: bool scalars as they are, numeric scalars true when non-zero,
    /// tensors of rank ≥ 1 true when non-empty.</summary>
    internal static Value ToBool(TfNodeContext c, OpBuilder builder, Value x, string what)
    {
        var type = x.Type;
        var element = type is { IsTensor: true } ? type.ElementType : DataType.Undefined;
        if (element == DataType.String)
        {
            throw c.Error($"{what} is a string tensor; string conditions have no ONNX form");
        }

        if (type is not { IsTensor: true })
        {
            throw c.Error($"{what} is not a tensor, or its type is unknown");
        }

        var rank = type.Shape?.Count;
        if (rank is > 0)
        {
            return builder.Op("Greater", builder.Op("Size", x), builder.Const(TensorData.FromInt64s(new[] { 0L }, Array.Empty<long>()), "zero"));
        }

        var scalar = rank == 0 ? x : builder.Op("Reshape", x, builder.Int64s(Array.Empty<long>()));
        return element == DataType.Bool ? scalar : builder.Op("Cast", new[] { scalar }, NodeAttribute.Of("to", (long)DataType.Bool));
    }
}
