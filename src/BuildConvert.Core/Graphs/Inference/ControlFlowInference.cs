using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs.Inference;

/// <summary>
/// Control flow: If (both branches, outputs are what they agree on), Loop and Scan (body inputs typed from the node;
/// loop-carried types widened until the body agrees with itself; scan outputs gain the iteration dimension),
/// SequenceMap. Outer-scope values are visible to the bodies as they are.
/// </summary>
internal static class ControlFlowInference
{
    public static void Register(InferenceRegistry.Builder r)
    {
        r.Add("If", If);
        r.Add("Loop", Loop);
        r.Add("Scan", 8, Scan8);
        r.Add("Scan", 9, Scan);
        r.Add("SequenceMap", 17, SequenceMap);
    }

    private static Graph Body(InferenceContext c, string name) =>
        c.Node.Attribute(name)?.Graph ?? throw new InferenceFailure($"attribute '{name}' is missing");

    private static void If(InferenceContext c)
    {
        var thenTypes = c.InferSubgraph(Body(c, "then_branch"), Array.Empty<OnnxType?>());
        var elseTypes = c.InferSubgraph(Body(c, "else_branch"), Array.Empty<OnnxType?>());
        if (thenTypes is null || elseTypes is null)
        {
            return;
        }

        if (thenTypes.Count != elseTypes.Count || thenTypes.Count != c.OutputCount)
        {
            c.Fail($"the branches have {thenTypes.Count} and {elseTypes.Count} outputs for {c.OutputCount} node outputs");
        }

        var condition = c.InputInts(0);
        for (var i = 0; i < c.OutputCount; i++)
        {
            var type = condition is [var v] ? (v != 0 ? thenTypes[i] : elseTypes[i]) : ShapeMath.Union(thenTypes[i], elseTypes[i]);
            c.SetOutput(i, Rules.Strip(type));
        }
    }

    /// <summary>
    /// Infers a body whose first <paramref name="fixedInputs"/> are given and whose next inputs are loop-carried: when
    /// the body's carried outputs disagree with the carried inputs, the body is inferred again with what both agree on.
    /// Returns the body's output types and the carried types used.
    /// </summary>
    private static (IReadOnlyList<OnnxType?> Outputs, OnnxType?[] Carried)? InferCarried(InferenceContext c, Graph body,
        IReadOnlyList<OnnxType?> fixedInputs, OnnxType?[] carried, IReadOnlyList<OnnxType?> trailing, int carriedOutputOffset,
        Func<OnnxType?, OnnxType?>? carriedFromOutput = null)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var mark = c.Run.Mark();
            var outputs = c.InferSubgraph(body, fixedInputs.Concat(carried).Concat(trailing).ToArray());
            if (outputs is null)
            {
                return null;
            }

            var changed = false;
            var widened = new OnnxType?[carried.Length];
            for (var i = 0; i < carried.Length; i++)
            {
                var produced = carriedOutputOffset + i < outputs.Count ? outputs[carriedOutputOffset + i] : null;
                produced = carriedFromOutput is null ? produced : carriedFromOutput(produced);
                widened[i] = ShapeMath.Union(carried[i], Rules.Strip(produced));
                changed |= !Equals(widened[i], carried[i]);
            }

            if (!changed || attempt == 2)
            {
                return (outputs, carried);
            }

            c.Run.ResetSubgraph(body, mark);
            carried = widened;
        }

        return null;
    }

    private static void Loop(InferenceContext c)
    {
        var body = Body(c, "body");
        var carriedCount = Math.Max(0, c.InputCount - 2);
        var carried = Enumerable.Range(2, carriedCount).Select(i => Rules.Strip(c.InputType(i))).ToArray();
        var fixedInputs = new[] { OnnxType.Tensor(DataType.Int64, Array.Empty<Dim>()), OnnxType.Tensor(DataType.Bool, Array.Empty<Dim>()) };
        var inferred = InferCarried(c, body, fixedInputs, carried, Array.Empty<OnnxType?>(), 1);
        if (inferred is not { } result)
        {
            return;
        }

        for (var i = 0; i < carriedCount; i++)
        {
            c.SetOutput(i, result.Carried[i]);
        }

        var iterations = IterationCount(c, body);
        for (var k = carriedCount; k < c.OutputCount; k++)
        {
            var produced = 1 + k < result.Outputs.Count ? result.Outputs[1 + k] : null;
            c.SetOutput(k, produced is { IsTensor: true } t
                ? OnnxType.Tensor(t.ElementType, t.Shape is null ? null : new[] { iterations }.Concat(t.Shape.Select(ShapeMath.Plain)).ToArray())
                : null);
        }
    }

    /// <summary>The trip count when the loop runs exactly M times: M is constant and the condition is absent or a constant true the body passes through.</summary>
    private static Dim IterationCount(InferenceContext c, Graph body)
    {
        if (c.InputInts(0) is [var m])
        {
            if (!c.HasInput(1))
            {
                return Dim.Of(m);
            }

            if (c.InputInts(1) is [var cond] && cond != 0 && body.Inputs.Count > 1 && body.Outputs.Count > 0 && ReferenceEquals(body.Outputs[0], body.Inputs[1]))
            {
                return Dim.Of(m);
            }
        }

        return c.DataDependentDim();
    }

    private static void Scan(InferenceContext c)
    {
        var body = Body(c, "body");
        var scanCount = (int)c.Node.GetInt("num_scan_inputs", 0);
        var stateCount = c.InputCount - scanCount;
        if (scanCount <= 0 || stateCount < 0)
        {
            c.Fail($"num_scan_inputs = {scanCount} does not fit {c.InputCount} inputs");
        }

        var inputAxes = c.Node.GetInts("scan_input_axes")?.ToArray() ?? new long[scanCount];
        var carried = Enumerable.Range(0, stateCount).Select(i => Rules.Strip(c.InputType(i))).ToArray();
        var scanTypes = new OnnxType?[scanCount];
        var length = Dim.Unknown;
        for (var j = 0; j < scanCount; j++)
        {
            var shape = c.InputShape(stateCount + j);
            if (shape is null)
            {
                scanTypes[j] = OnnxType.Tensor(c.InputElementType(stateCount + j));
                continue;
            }

            var axis = c.Axis(inputAxes[j], shape.Count, "scan_input_axes");
            length = ShapeMath.Unify(c, length, shape[axis], "scan inputs have different lengths");
            scanTypes[j] = OnnxType.Tensor(c.InputElementType(stateCount + j), shape.Where((_, i) => i != axis).Select(ShapeMath.Plain).ToArray());
        }

        var inferred = InferCarried(c, body, Array.Empty<OnnxType?>(), carried, scanTypes, 0);
        if (inferred is not { } result)
        {
            return;
        }

        for (var i = 0; i < stateCount; i++)
        {
            c.SetOutput(i, result.Carried[i]);
        }

        var outputAxes = c.Node.GetInts("scan_output_axes")?.ToArray();
        for (var k = stateCount; k < c.OutputCount; k++)
        {
            var produced = k < result.Outputs.Count ? result.Outputs[k] : null;
            if (produced is not { IsTensor: true } t)
            {
                continue;
            }

            if (t.Shape is null)
            {
                c.SetOutput(k, t.ElementType, null);
                continue;
            }

            var shape = t.Shape.Select(ShapeMath.Plain).ToList();
            var axis = outputAxes is null ? 0 : c.Axis(outputAxes[k - stateCount], shape.Count + 1, "scan_output_axes");
            shape.Insert(axis, length);
            c.SetOutput(k, t.ElementType, shape);
        }
    }

    /// <summary>Scan-8: input 0 is the optional sequence_lens; every other input and output has a leading batch dimension, scan inputs and outputs then the sequence.</summary>
    private static void Scan8(InferenceContext c)
    {
        var body = Body(c, "body");
        var scanCount = (int)c.Node.GetInt("num_scan_inputs", 0);
        var stateCount = c.InputCount - 1 - scanCount;
        if (scanCount <= 0 || stateCount < 0)
        {
            c.Fail($"num_scan_inputs = {scanCount} does not fit {c.InputCount} inputs");
        }

        Dim batch = Dim.Unknown, length = Dim.Unknown;
        OnnxType? Drop(int input, int leading, bool scan)
        {
            var shape = c.InputShape(input);
            if (shape is null || shape.Count < leading)
            {
                return OnnxType.Tensor(c.InputElementType(input));
            }

            batch = ShapeMath.Unify(c, batch, shape[0], "inputs have different batch sizes");
            if (scan)
            {
                length = ShapeMath.Unify(c, length, shape[1], "scan inputs have different lengths");
            }

            return OnnxType.Tensor(c.InputElementType(input), shape.Skip(leading).Select(ShapeMath.Plain).ToArray());
        }

        var carried = Enumerable.Range(1, stateCount).Select(i => Drop(i, 1, false)).ToArray();
        var scans = Enumerable.Range(1 + stateCount, scanCount).Select(i => Drop(i, 2, true)).ToArray();
        var inferred = InferCarried(c, body, Array.Empty<OnnxType?>(), carried, scans, 0);
        if (inferred is not { } result)
        {
            return;
        }

        for (var k = 0; k < c.OutputCount; k++)
        {
            var t = k < stateCount ? result.Carried[k] : k < result.Outputs.Count ? result.Outputs[k] : null;
            if (t is { IsTensor: true })
            {
                var leading = k < stateCount ? new[] { batch } : new[] { batch, length };
                c.SetOutput(k, t.ElementType, t.Shape is null ? null : leading.Concat(t.Shape.Select(ShapeMath.Plain)).ToArray());
            }
        }
    }

    private static void SequenceMap(InferenceContext c)
    {
        var body = Body(c, "body");
        var inputs = Enumerable.Range(0, c.InputCount).Select(i => c.InputType(i) is { Kind: OnnxTypeKind.Sequence } s ? s.Element : c.InputType(i)).ToArray();
        var outputs = c.InferSubgraph(body, inputs.Select(Rules.Strip).ToArray());
        if (outputs is null)
        {
            return;
        }

        for (var i = 0; i < c.OutputCount && i < outputs.Count; i++)
        {
            // Each element may have its own shape: keep the element type and rank only.
            var t = outputs[i];
            c.SetOutput(i, OnnxType.Sequence(t is { IsTensor: true } ? OnnxType.Tensor(t.ElementType, t.Shape?.Select(_ => Dim.Unknown).ToArray()) : Rules.Strip(t)));
        }
    }
}
