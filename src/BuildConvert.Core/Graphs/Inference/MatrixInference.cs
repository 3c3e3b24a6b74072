using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs.Inference;

/// <summary>Matrix products: Gemm (transA/transB), MatMul (1-D operands, batched broadcasting), MatMulInteger, QLinearMatMul, Einsum, Det.</summary>
internal static class MatrixInference
{
    public static void Register(InferenceRegistry.Builder r)
    {
        r.Add("Gemm", Gemm);
        r.Add("MatMul", c => MatMul(c, 0, 1, c.InputElementType(0)));
        r.Add("MatMulInteger", 10, c => MatMul(c, 0, 1, DataType.Int32));
        r.Add("QLinearMatMul", 10, c => MatMul(c, 0, 3, c.InputElementType(7)));
        r.Add("Einsum", 12, Einsum);
        r.Add("Det", 11, Det);
    }

    private static void Gemm(InferenceContext c)
    {
        var a = c.InputShape(0);
        var b = c.InputShape(1);
        var elem = c.InputElementType(0);
        if (a is not null && a.Count != 2 || b is not null && b.Count != 2)
        {
            c.Fail($"A {OnnxType.FormatShape(a)} and B {OnnxType.FormatShape(b)} must be matrices");
        }

        var transA = c.Node.GetInt("transA", 0) != 0;
        var transB = c.Node.GetInt("transB", 0) != 0;
        var m = a is null ? Dim.Unknown : ShapeMath.Plain(a[transA ? 1 : 0]);
        var n = b is null ? Dim.Unknown : ShapeMath.Plain(b[transB ? 0 : 1]);
        if (a is not null && b is not null)
        {
            ShapeMath.Unify(c, a[transA ? 0 : 1], b[transB ? 1 : 0], $"inner dimensions of A {OnnxType.FormatShape(a)} and B {OnnxType.FormatShape(b)} differ");
        }

        c.SetOutput(0, elem, new[] { m, n });
    }

    private static void MatMul(InferenceContext c, int left, int right, DataType elem)
    {
        var a = c.InputShape(left);
        var b = c.InputShape(right);
        if (a is null || b is null)
        {
            c.SetOutput(0, elem, null);
            return;
        }

        if (a.Count == 0 || b.Count == 0)
        {
            c.Fail("MatMul operands must not be scalars");
        }

        var a2 = a.Count == 1 ? new[] { Dim.Of(1), a[0] } : a.ToArray();
        var b2 = b.Count == 1 ? new[] { b[0], Dim.Of(1) } : b.ToArray();
        ShapeMath.Unify(c, a2[^1], b2[^2], $"inner dimensions of {OnnxType.FormatShape(a)} and {OnnxType.FormatShape(b)} differ");
        var batch = ShapeMath.Broadcast(c, a2.Take(a2.Length - 2).ToArray(), b2.Take(b2.Length - 2).ToArray())!;
        var result = batch.ToList();
        if (a.Count > 1)
        {
            result.Add(ShapeMath.Plain(a2[^2]));
        }

        if (b.Count > 1)
        {
            result.Add(ShapeMath.Plain(b2[^1]));
        }

        c.SetOutput(0, elem, result);
    }

    private static void Det(InferenceContext c)
    {
        var input = c.InputShape(0);
        if (input is not null && input.Count < 2)
        {
            c.Fail($"the input must have rank 2 or more, not {input.Count}");
        }

        if (input is not null)
        {
            ShapeMath.Unify(c, input[^1], input[^2], "the matrices are not square");
        }

        c.SetOutput(0, c.InputElementType(0), input?.Take(input.Count - 2).Select(ShapeMath.Plain).ToArray());
    }

    private static void Einsum(InferenceContext c)
    {
        var equation = c.Node.GetString("equation", "").Replace(" ", "");
        var arrow = equation.IndexOf("->", StringComparison.Ordinal);
        var left = arrow >= 0 ? equation[..arrow] : equation;
        var terms = left.Split(',');
        var inputs = Enumerable.Range(0, c.InputCount).Where(c.HasInput).ToArray();
        var elem = inputs.Select(c.InputElementType).FirstOrDefault(t => t != default);
        if (terms.Length != inputs.Length)
        {
            c.Fail($"equation '{equation}' has {terms.Length} operands for {inputs.Length} inputs");
        }

        var letters = new Dictionary<char, Dim>();
        var counts = new Dictionary<char, int>();
        IReadOnlyList<Dim>? ellipsis = Array.Empty<Dim>();
        var ellipsisRank = 0;
        for (var t = 0; t < terms.Length; t++)
        {
            var term = terms[t];
            var hasEllipsis = term.Contains("...", StringComparison.Ordinal);
            var named = term.Replace("...", "");
            var shape = c.InputShape(inputs[t]);
            if (shape is null)
            {
                foreach (var ch in named)
                {
                    counts[ch] = counts.GetValueOrDefault(ch) + 1;
                    letters.TryAdd(ch, Dim.Unknown);
                }

                if (hasEllipsis)
                {
                    ellipsis = null;
                }

                continue;
            }

            var extra = shape.Count - named.Length;
            if (extra < 0 || (!hasEllipsis && extra != 0))
            {
                c.Fail($"operand '{term}' does not fit input {t} of shape {OnnxType.FormatShape(shape)}");
            }

            var at = 0;
            for (var i = 0; i < term.Length; i++)
            {
                if (term[i] == '.')
                {
                    var part = shape.Skip(at).Take(extra).ToArray();
                    ellipsisRank = Math.Max(ellipsisRank, extra);
                    ellipsis = ellipsis is null ? null : ShapeMath.Broadcast(c, ellipsis, part);
                    at += extra;
                    i += 2;
                    continue;
                }

                var ch = term[i];
                var d = shape[at++];
                counts[ch] = counts.GetValueOrDefault(ch) + 1;
                letters[ch] = letters.TryGetValue(ch, out var seen) ? MergeLetter(c, seen, d, ch) : ShapeMath.Plain(d);
            }
        }

        var output = arrow >= 0 ? equation[(arrow + 2)..]
            : "..." + new string(counts.Where(kv => kv.Value == 1).Select(kv => kv.Key).Order().ToArray());
        var result = new List<Dim>();
        foreach (var part in SplitOutput(output))
        {
            if (part == '.')
            {
                if (ellipsis is null)
                {
                    c.SetOutput(0, elem, null);
                    return;
                }

                result.AddRange(ellipsis);
            }
            else if (letters.TryGetValue(part, out var d))
            {
                result.Add(d);
            }
            else
            {
                c.Fail($"output label '{part}' of '{equation}' is not in any operand");
            }
        }

        c.SetOutput(0, elem, result);
    }

    private static IEnumerable<char> SplitOutput(string output)
    {
        for (var i = 0; i < output.Length; i++)
        {
            if (output[i] == '.')
            {
                i += 2;
                yield return '.';
            }
            else
            {
                yield return output[i];
            }
        }
    }

    private static Dim MergeLetter(InferenceContext c, Dim a, Dim b, char label)
    {
        if (a.Value == 1 && b.Value is not null)
        {
            return Dim.Of(b.Value.Value);
        }

        if (b.Value == 1 && a.Value is not null)
        {
            return a;
        }

        return ShapeMath.Unify(c, a, b, $"label '{label}' has different sizes");
    }
}
