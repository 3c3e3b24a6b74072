using BuildConvert.Core.Formats.Onnx.Proto;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs.Inference;

/// <summary>
/// Operators that move data between shapes: Reshape, Flatten, Squeeze/Unsqueeze, Transpose, Concat, Split, Expand,
/// Tile, Pad, Shape, Size, Constant, ConstantOfShape, Range, DepthToSpace/SpaceToDepth, Resize/Upsample, CenterCropPad.
/// Shape, Size, Concat, Squeeze, Unsqueeze, Split, Range, Constant and ConstantOfShape also track small values.
/// </summary>
internal static class TensorShapeInference
{
    public static void Register(InferenceRegistry.Builder r)
    {
        r.Add("Reshape", Reshape);
        r.Add("Flatten", Flatten);
        r.Add("Squeeze", Squeeze);
        r.Add("Unsqueeze", Unsqueeze);
        r.Add("Transpose", Transpose);
        r.Add("Concat", Concat);
        r.Add("Split", Split);
        r.Add("Expand", 8, Expand);
        r.Add("Tile", Tile);
        r.Add("Pad", Pad);
        r.Add("Shape", Shape);
        r.Add("Size", Size);
        r.Add("Constant", Constant);
        r.Add("ConstantOfShape", 9, ConstantOfShape);
        r.Add("Range", 11, Range);
        r.Add("DepthToSpace", c => SpaceDepth(c, toSpace: true));
        r.Add("SpaceToDepth", c => SpaceDepth(c, toSpace: false));
        r.Add("Resize", 10, Resize);
        r.Add("Upsample", Resize);
        r.Add("CenterCropPad", 18, CenterCropPad);
    }

    private static void Reshape(InferenceContext c)
    {
        var input = c.InputShape(0);
        IReadOnlyList<Dim>? target = c.Opset < 5 ? c.Node.GetInts("shape")?.Select(Dim.Of).ToArray() : c.InputValues(1);
        var allowZero = c.Opset >= 14 && c.Node.GetInt("allowzero", 0) != 0;
        if (target is null)
        {
            var rank = c.InputShape(1) is [{ Value: { } n }] ? (int?)n : null;
            c.SetOutput(0, c.InputElementType(0), rank is { } k ? Enumerable.Repeat(Dim.Unknown, k).ToArray() : null);
            return;
        }

        var result = new Dim[target.Count];
        var inferAt = -1;
        for (var i = 0; i < target.Count; i++)
        {
            var t = target[i];
            if (t.Value == -1)
            {
                if (inferAt >= 0)
                {
                    c.Fail("the target shape has more than one -1");
                }

                inferAt = i;
            }
            else if (t.Value == 0 && !allowZero)
            {
                if (input is not null && i >= input.Count)
                {
                    c.Fail($"target dimension {i} is 0 (copy) but the input has rank {input.Count}");
                }

                result[i] = input is null ? Dim.Unknown : ShapeMath.Plain(input[i]);
            }
            else if (t.Value < -1)
            {
                c.Fail($"target dimension {i} is {t.Value}");
            }
            else
            {
                result[i] = ShapeMath.Plain(t);
            }
        }

        if (inferAt >= 0)
        {
            result[inferAt] = input is null ? Dim.Unknown : SolveMissing(c, input, result.Where((_, i) => i != inferAt).ToArray());
        }
        else if (input is not null && input.All(d => d.IsFixed) && result.All(d => d.IsFixed) &&
            ShapeMath.Product(input).Value != ShapeMath.Product(result).Value)
        {
            c.Fail($"cannot reshape {OnnxType.FormatShape(input)} to {OnnxType.FormatShape(result)}");
        }

        c.SetOutput(0, c.InputElementType(0), result);
        if (c.InputValues(0) is { } values && result is [{ Value: { } len }] && len == values.Count)
        {
            c.SetOutputValues(0, values);
        }
    }

    /// <summary>The size that makes <paramref name="known"/> hold as many elements as <paramref name="input"/>, cancelling equal symbols.</summary>
    private static Dim SolveMissing(InferenceContext c, IReadOnlyList<Dim> input, IReadOnlyList<Dim> known)
    {
        if (input.Any(d => d.IsUnknown) || known.Any(d => d.IsUnknown))
        {
            return Dim.Unknown;
        }

        var symbols = input.Where(d => !d.IsFixed).Select(d => d.Symbol!).ToList();
        foreach (var d in known.Where(d => !d.IsFixed))
        {
            if (!symbols.Remove(d.Symbol!))
            {
                return Dim.Unknown;
            }
        }

        long inputFixed = input.Where(d => d.IsFixed).Aggregate(1L, (p, d) => p * d.Value!.Value);
        long knownFixed = known.Where(d => d.IsFixed).Aggregate(1L, (p, d) => p * d.Value!.Value);
        if (knownFixed == 0)
        {
            return inputFixed == 0 ? Dim.Unknown : throw new InferenceFailure("the target shape has a 0 and a -1");
        }

        if (inputFixed % knownFixed != 0)
        {
            c.Fail($"cannot reshape {OnnxType.FormatShape(input)} to a shape with {OnnxType.FormatShape(known)} and -1");
        }

        var quotient = inputFixed / knownFixed;
        if (symbols.Count == 0)
        {
            return Dim.Of(quotient);
        }

        return symbols.Count == 1 && quotient == 1 ? Dim.Sym(symbols[0]) : Dim.Unknown;
    }

    private static void Flatten(InferenceContext c)
    {
        var input = c.InputShape(0);
        if (input is null)
        {
            c.SetOutput(0, c.InputElementType(0), new[] { Dim.Unknown, Dim.Unknown });
            return;
        }

        var axis = c.Node.GetInt("axis", 1);
        if (axis < -input.Count || axis > input.Count)
        {
            c.Fail($"axis {axis} is out of range for rank {input.Count}");
        }

        var a = (int)(axis < 0 ? axis + input.Count : axis);

        c.SetOutput(0, c.InputElementType(0), new[] { ShapeMath.Product(input.Take(a)), ShapeMath.Product(input.Skip(a)) });
    }

    private static void Squeeze(InferenceContext c)
    {
        var input = c.InputShape(0);
        var axes = c.Opset < 13 ? c.Node.GetInts("axes")?.ToArray() : c.HasInput(1) ? c.InputInts(1) : null;
        if (c.Opset >= 13 && c.HasInput(1) && axes is null)
        {
            c.SetOutput(0, c.InputElementType(0), null);
            return;
        }

        if (input is null)
        {
            c.SetOutput(0, c.InputElementType(0), null);
            return;
        }

        Dim[] result;
        if (axes is null)
        {
            if (input.Any(d => !d.IsFixed))
            {
                c.SetOutput(0, c.InputElementType(0), null);
                return;
            }

            result = input.Where(d => d.Value != 1).ToArray();
        }
        else
        {
            var set = Rules.Axes(c, axes, input.Count).ToHashSet();
            foreach (var a in set)
            {
                if (input[a].Value is { } v && v != 1)
                {
                    c.Fail($"axis {a} has size {v}, which cannot be squeezed");
                }
            }

            result = input.Where((_, i) => !set.Contains(i)).Select(ShapeMath.Plain).ToArray();
        }

        c.SetOutput(0, c.InputElementType(0), result);
        if (c.InputValues(0) is [var single] && result.Length == 0)
        {
            c.SetOutputValues(0, new[] { single }, scalar: true);
        }
    }

    private static void Unsqueeze(InferenceContext c)
    {
        var input = c.InputShape(0);
        var axes = c.Opset < 13 ? c.Node.GetInts("axes")?.ToArray() : c.InputInts(1);
        if (axes is null || input is null)
        {
            var rank = input is not null && c.InputShape(1) is [{ Value: { } k }] ? input.Count + (int)k : (int?)null;
            c.SetOutput(0, c.InputElementType(0), rank is { } n ? Enumerable.Repeat(Dim.Unknown, n).ToArray() : null);
            return;
        }

        var outRank = input.Count + axes.Length;
        var set = Rules.Axes(c, axes, outRank).ToHashSet();
        var result = new Dim[outRank];
        var next = 0;
        for (var i = 0; i < outRank; i++)
        {
            result[i] = set.Contains(i) ? Dim.Of(1) : ShapeMath.Plain(input[next++]);
        }

        c.SetOutput(0, c.InputElementType(0), result);
        if (c.InputValues(0) is { } values && (c.InputValueIsScalar(0) || input.Count == 0) && outRank == 1)
        {
            c.SetOutputValues(0, values);
        }
    }

    private static void Transpose(InferenceContext c)
    {
        var input = c.InputShape(0);
        if (input is null)
        {
            c.SetOutput(0, c.InputElementType(0), c.Node.GetInts("perm") is { } p ? Enumerable.Repeat(Dim.Unknown, p.Count).ToArray() : null);
            return;
        }

        var perm = c.Node.GetInts("perm")?.ToArray() ?? Enumerable.Range(0, input.Count).Reverse().Select(i => (long)i).ToArray();
        if (perm.Length != input.Count || perm.Order().Select((v, i) => v == i).Any(ok => !ok))
        {
            c.Fail($"perm [{string.Join(",", perm)}] is not a permutation of rank {input.Count}");
        }

        c.SetOutput(0, c.InputElementType(0), perm.Select(p => ShapeMath.Plain(input[(int)p])).ToArray());
    }

    private static void Concat(InferenceContext c)
    {
        var inputs = Enumerable.Range(0, c.InputCount).Where(c.HasInput).ToArray();
        var shapes = inputs.Select(c.InputShape).ToArray();
        var elem = inputs.Select(c.InputElementType).FirstOrDefault(t => t != default);
        var known = shapes.Where(s => s is not null).Select(s => s!).ToArray();
        if (known.Length == 0)
        {
            c.SetOutput(0, elem, null);
            return;
        }

        var rank = known[0].Count;
        if (known.Any(s => s.Count != rank))
        {
            c.Fail($"inputs have different ranks: {string.Join(", ", known.Select(OnnxType.FormatShape))}");
        }

        var axis = c.Axis(c.Node.GetInt("axis", c.Opset < 4 ? 1 : 0), rank);
        var result = new Dim[rank];
        for (var i = 0; i < rank; i++)
        {
            if (i == axis)
            {
                result[i] = known.Length == shapes.Length ? ConcatSize(known.Select(s => s[i]).ToArray()) : Dim.Unknown;
                continue;
            }

            var d = Dim.Unknown;
            foreach (var s in known)
            {
                d = ShapeMath.Unify(c, d, s[i], $"inputs disagree on dimension {i}");
            }

            result[i] = d;
        }

        c.SetOutput(0, elem, result);
        var values = inputs.Select(c.InputValues).ToArray();
        if (rank == 1 && values.All(v => v is not null))
        {
            c.SetOutputValues(0, values.SelectMany(v => v!).ToArray());
        }
    }

    private static Dim ConcatSize(Dim[] dims)
    {
        var nonZero = dims.Where(d => d.Value != 0).ToArray();
        if (nonZero.Length == 1)
        {
            return ShapeMath.Plain(nonZero[0]);
        }

        return dims.All(d => d.IsFixed) ? Dim.Of(dims.Sum(d => d.Value!.Value)) : Dim.Unknown;
    }

    private static void Split(InferenceContext c)
    {
        var input = c.InputShape(0);
        var n = c.OutputCount;
        var elem = c.InputElementType(0);
        if (input is null)
        {
            for (var i = 0; i < n; i++)
            {
                c.SetOutput(i, elem, null);
            }

            return;
        }

        var axis = c.Axis(c.Node.GetInt("axis", 0), input.Count);
        long[]? split = c.Opset >= 13 ? (c.HasInput(1) ? c.InputInts(1) : null)
            : c.Node.GetInts("split")?.ToArray() ?? (c.Opset < 2 && c.HasInput(1) ? c.InputInts(1) : null);
        var unknownSplit = split is null && (c.Opset >= 13 || c.Opset < 2) && c.HasInput(1);
        if (split is { Length: 0 })
        {
            split = null;
        }

        var d = input[axis];
        var sizes = new Dim[n];
        if (split is not null)
        {
            if (split.Length != n)
            {
                c.Fail($"split has {split.Length} sizes for {n} outputs");
            }

            if (d.Value is { } total && split.Sum() != total)
            {
                c.Fail($"split sizes [{string.Join(",", split)}] do not add up to dimension {axis} of size {total}");
            }

            sizes = split.Select(Dim.Of).ToArray();
        }
        else if (unknownSplit || d.Value is not { } size)
        {
            Array.Fill(sizes, n == 1 ? ShapeMath.Plain(d) : Dim.Unknown);
        }
        else if (c.Opset >= 18 && c.Node.Attribute("num_outputs") is { } numOutputs)
        {
            var chunk = ShapeMath.CeilDiv(size, numOutputs.Int);
            for (var i = 0; i < n; i++)
            {
                sizes[i] = Dim.Of(Math.Max(0, Math.Min(chunk, size - chunk * i)));
            }
        }
        else
        {
            if (size % n != 0)
            {
                c.Fail($"dimension {axis} of size {size} cannot be split evenly into {n} outputs");
            }

            Array.Fill(sizes, Dim.Of(size / n));
        }

        var values = input.Count == 1 ? c.InputValues(0) : null;
        var offset = 0;
        for (var i = 0; i < n; i++)
        {
            var shape = input.Select(ShapeMath.Plain).ToArray();
            shape[axis] = sizes[i];
            c.SetOutput(i, elem, shape);
            if (values is not null && sizes[i].Value is { } len && offset >= 0 && offset + len <= values.Count)
            {
                c.SetOutputValues(i, values.Skip(offset).Take((int)len).ToArray());
                offset += (int)len;
            }
            else
            {
                offset = -1;
            }
        }
    }

    private static void Expand(InferenceContext c)
    {
        var target = c.InputValues(1);
        if (target is null && c.InputShape(1) is [{ Value: { } k }])
        {
            target = Enumerable.Repeat(Dim.Unknown, (int)k).ToArray();
        }

        c.SetOutput(0, c.InputElementType(0), target is null ? null : ShapeMath.Broadcast(c, c.InputShape(0), target));
    }

    private static void Tile(InferenceContext c)
    {
        var input = c.InputShape(0);
        if (input is null)
        {
            c.SetOutput(0, c.InputElementType(0), null);
            return;
        }

        // Tile-1 takes (input, tiles, axis); from 6 the repeats input holds one count per axis.
        if (c.Opset < 6)
        {
            var tiles = c.InputInts(1);
            var axis = c.InputInts(2);
            var shape = input.Select(ShapeMath.Plain).ToArray();
            if (tiles is [var t] && axis is [var a])
            {
                var ax = c.Axis(a, input.Count);
                shape[ax] = ShapeMath.Map(shape[ax], v => v * t);
            }
            else
            {
                shape = shape.Select(_ => Dim.Unknown).ToArray();
            }

            c.SetOutput(0, c.InputElementType(0), shape);
            return;
        }

        var repeats = c.InputValues(1);
        if (repeats is not null && repeats.Count != input.Count)
        {
            c.Fail($"repeats has {repeats.Count} values for rank {input.Count}");
        }

        c.SetOutput(0, c.InputElementType(0), input.Select((d, i) =>
            repeats is null ? Dim.Unknown : repeats[i].Value == 1 ? ShapeMath.Plain(d) : ShapeMath.Map(d, repeats[i], (x, y) => x * y)).ToArray());
    }

    private static void Pad(InferenceContext c)
    {
        var input = c.InputShape(0);
        if (input is null)
        {
            c.SetOutput(0, c.InputElementType(0), null);
            return;
        }

        long[]? pads = c.Opset < 2 ? c.Node.GetInts("paddings")?.ToArray() : c.Opset < 11 ? c.Node.GetInts("pads")?.ToArray() : c.InputInts(1);
        int[] axes;
        if (c.Opset >= 18 && c.HasInput(3))
        {
            var given = c.InputInts(3);
            if (given is null)
            {
                c.SetOutput(0, c.InputElementType(0), input.Select(_ => Dim.Unknown).ToArray());
                return;
            }

            axes = Rules.Axes(c, given, input.Count);
        }
        else
        {
            axes = Enumerable.Range(0, input.Count).ToArray();
        }

        if (pads is null)
        {
            c.SetOutput(0, c.InputElementType(0), input.Select((d, i) => axes.Contains(i) ? Dim.Unknown : ShapeMath.Plain(d)).ToArray());
            return;
        }

        if (pads.Length != 2 * axes.Length)
        {
            c.Fail($"pads has {pads.Length} values for {axes.Length} axes");
        }

        var result = input.Select(ShapeMath.Plain).ToArray();
        for (var k = 0; k < axes.Length; k++)
        {
            var extra = pads[k] + pads[k + axes.Length];
            var i = axes[k];
            result[i] = extra == 0 ? result[i] : ShapeMath.Map(result[i], v => v + extra);
        }

        c.SetOutput(0, c.InputElementType(0), result);
    }

    private static void Shape(InferenceContext c)
    {
        var input = c.InputShape(0);
        if (input is null)
        {
            c.SetOutput(0, DataType.Int64, new[] { Dim.Unknown });
            return;
        }

        var rank = input.Count;
        long start = c.Opset >= 15 ? c.Node.GetInt("start", 0) : 0;
        long end = c.Opset >= 15 ? c.Node.GetInt("end", rank) : rank;
        start = Math.Clamp(start < 0 ? start + rank : start, 0, rank);
        end = Math.Clamp(end < 0 ? end + rank : end, 0, rank);
        var dims = input.Skip((int)start).Take((int)Math.Max(0, end - start)).Select(ShapeMath.Plain).ToArray();
        c.SetOutput(0, DataType.Int64, new[] { Dim.Of(dims.Length) });
        c.SetOutputValues(0, dims);
    }

    private static void Size(InferenceContext c)
    {
        c.SetOutput(0, DataType.Int64, Array.Empty<Dim>());
        if (c.InputShape(0) is { } shape)
        {
            var p = ShapeMath.Product(shape);
            c.SetOutputValues(0, new[] { p.IsFixed ? p : Dim.Unknown }, scalar: true);
        }
    }

    private static void Constant(InferenceContext c)
    {
        var node = c.Node;
        foreach (var a in node.Attributes)
        {
            switch (a.Name)
            {
                case "value" when a.Tensor is { } t:
                    c.SetOutput(0, t.ElementType, ShapeMath.Fixed(t.Dims));
                    return;
                case "sparse_value" when a.SparseTensor is { } s:
                    c.SetOutput(0, (DataType)(s.Values?.DataType ?? 0), ShapeMath.Fixed(s.Dims));
                    return;
                case "value_float":
                    c.SetOutput(0, DataType.Float, Array.Empty<Dim>());
                    return;
                case "value_floats":
                    c.SetOutput(0, DataType.Float, new[] { Dim.Of(a.Floats.Count) });
                    return;
                case "value_int":
                    c.SetOutput(0, DataType.Int64, Array.Empty<Dim>());
                    c.SetOutputValues(0, new[] { Dim.Of(a.Int) }, scalar: true);
                    return;
                case "value_ints":
                    c.SetOutput(0, DataType.Int64, new[] { Dim.Of(a.Ints.Count) });
                    c.SetOutputValues(0, a.Ints.Select(Dim.Of).ToArray());
                    return;
                case "value_string":
                    c.SetOutput(0, DataType.String, Array.Empty<Dim>());
                    return;
                case "value_strings":
                    c.SetOutput(0, DataType.String, new[] { Dim.Of(a.StringList.Count) });
                    return;
            }
        }

        c.Fail("Constant has none of the value attributes");
    }

    private static void ConstantOfShape(InferenceContext c)
    {
        var elem = c.Node.Attribute("value") is { Tensor: { } t } ? t.ElementType : DataType.Float;
        var dims = c.InputValues(0);
        if (dims is null)
        {
            c.SetOutput(0, elem, c.InputShape(0) is [{ Value: { } k }] ? Enumerable.Repeat(Dim.Unknown, (int)k).ToArray() : null);
            return;
        }

        if (dims.Any(d => d.Value < 0))
        {
            c.Fail($"the shape [{string.Join(",", dims)}] has a negative dimension");
        }

        var shape = dims.Select(ShapeMath.Plain).ToArray();
        c.SetOutput(0, elem, shape);
        if (shape is [{ Value: { } n }] && InferenceContext.IsIntegral(elem) && c.Node.Attribute("value") is { Tensor: { } value } &&
            value.ElementCount == 1 && n <= 64)
        {
            c.SetOutputValues(0, Enumerable.Repeat(Dim.Of(value.ToInt64s()[0]), (int)n).ToArray());
        }
    }

    private static void Range(InferenceContext c)
    {
        var elem = c.InputElementType(0);
        var start = c.InputDoubles(0);
        var limit = c.InputDoubles(1);
        var delta = c.InputDoubles(2);
        if (start is [var s] && limit is [var l] && delta is [var d])
        {
            if (d == 0)
            {
                c.Fail("delta is 0");
            }

            var count = (long)Math.Max(0, Math.Ceiling((l - s) / d));
            c.SetOutput(0, elem, new[] { Dim.Of(count) });
            if (InferenceContext.IsIntegral(elem) && count <= 64)
            {
                c.SetOutputValues(0, Enumerable.Range(0, (int)count).Select(i => Dim.Of((long)(s + i * d))).ToArray());
            }

            return;
        }

        c.SetOutput(0, elem, new[] { c.DataDependentDim() });
    }

    private static void SpaceDepth(InferenceContext c, bool toSpace)
    {
        var input = c.InputShape(0);
        var b = c.Node.GetInt("blocksize", 0);
        if (b <= 0)
        {
            c.Fail("blocksize must be positive");
        }

        if (input is null)
        {
            c.SetOutput(0, c.InputElementType(0), new[] { Dim.Unknown, Dim.Unknown, Dim.Unknown, Dim.Unknown });
            return;
        }

        if (input.Count != 4)
        {
            c.Fail($"the input must have rank 4, not {input.Count}");
        }

        var squared = b * b;
        if (toSpace && input[1].Value is { } ch && ch % squared != 0)
        {
            c.Fail($"channels {ch} are not a multiple of blocksize² = {squared}");
        }

        var result = toSpace
            ? new[] { ShapeMath.Plain(input[0]), ShapeMath.Map(input[1], v => v / squared), ShapeMath.Map(input[2], v => v * b), ShapeMath.Map(input[3], v => v * b) }
            : new[] { ShapeMath.Plain(input[0]), ShapeMath.Map(input[1], v => v * squared), ShapeMath.Map(input[2], v => v / b), ShapeMath.Map(input[3], v => v / b) };
        c.SetOutput(0, c.InputElementType(0), result);
    }

    private static void Resize(InferenceContext c)
    {
        var input = c.InputShape(0);
        var elem = c.InputElementType(0);
        if (input is null)
        {
            c.SetOutput(0, elem, null);
            return;
        }

        var rank = input.Count;
        double[]? scales;
        long[]? sizes = null;
        var unknown = false;
        if (c.Node.OpType == "Upsample")
        {
            if (c.Opset < 7)
            {
                var h = c.Node.GetFloat("height_scale", 1f);
                var w = c.Node.GetFloat("width_scale", 1f);
                scales = rank == 4 ? new double[] { 1, 1, h, w } : null;
            }
            else if (c.Opset < 9)
            {
                scales = c.Node.GetFloats("scales")?.Select(f => (double)f).ToArray();
            }
            else
            {
                scales = c.InputDoubles(1);
                unknown = scales is null;
            }
        }
        else
        {
            var scalesAt = c.Opset < 11 ? 1 : 2;
            scales = c.HasInput(scalesAt) ? c.InputDoubles(scalesAt) : null;
            if (scales is { Length: 0 })
            {
                scales = null;
            }

            if (c.Opset >= 11 && c.HasInput(3))
            {
                sizes = c.InputInts(3);
                unknown = sizes is null;
                if (sizes is { Length: 0 })
                {
                    sizes = null;
                    unknown = false;
                }
            }

            if (c.HasInput(scalesAt) && scales is null && c.InputConstant(scalesAt) is not { ElementCount: 0 } && sizes is null)
            {
                unknown = true;
            }
        }

        var axes = c.Opset >= 18 && c.Node.GetInts("axes") is { } given ? Rules.Axes(c, given, rank) : Enumerable.Range(0, rank).ToArray();
        var result = input.Select(ShapeMath.Plain).ToArray();
        if (unknown || (scales is null && sizes is null))
        {
            c.SetOutput(0, elem, unknown ? result.Select(_ => Dim.Unknown).ToArray() : null);
            return;
        }

        if (sizes is not null)
        {
            if (sizes.Length != axes.Length)
            {
                c.Fail($"sizes has {sizes.Length} values for {axes.Length} axes");
            }

            var policy = c.Opset >= 18 ? c.Node.GetString("keep_aspect_ratio_policy", "stretch") : "stretch";
            if (policy is "not_larger" or "not_smaller")
            {
                var ratios = new List<double>();
                for (var k = 0; k < axes.Length; k++)
                {
                    if (input[axes[k]].Value is not { } d)
                    {
                        c.SetOutput(0, elem, result.Select((x, i) => axes.Contains(i) ? Dim.Unknown : x).ToArray());
                        return;
                    }

                    ratios.Add((double)sizes[k] / d);
                }

                var scale = policy == "not_larger" ? ratios.Min() : ratios.Max();
                foreach (var a in axes)
                {
                    result[a] = Dim.Of((long)Math.Round(scale * input[a].Value!.Value, MidpointRounding.AwayFromZero));
                }
            }
            else
            {
                for (var k = 0; k < axes.Length; k++)
                {
                    result[axes[k]] = Dim.Of(sizes[k]);
                }
            }
        }
        else
        {
            if (scales!.Length != axes.Length)
            {
                c.Fail($"scales has {scales.Length} values for {axes.Length} axes");
            }

            for (var k = 0; k < axes.Length; k++)
            {
                var s = (float)scales[k];
                result[axes[k]] = s == 1f ? result[axes[k]] : ShapeMath.Map(input[axes[k]], d => (long)Math.Floor((double)(d * s)));
            }
        }

        c.SetOutput(0, elem, result);
    }

    private static void CenterCropPad(InferenceContext c)
    {
        var input = c.InputShape(0);
        var shape = c.InputInts(1);
        if (input is null || shape is null)
        {
            c.SetOutput(0, c.InputElementType(0), input?.Select(_ => Dim.Unknown).ToArray());
            return;
        }

        var axes = c.Node.GetInts("axes") is { } given ? Rules.Axes(c, given, input.Count) : Enumerable.Range(0, input.Count).ToArray();
        if (axes.Length != shape.Length)
        {
            c.Fail($"shape has {shape.Length} values for {axes.Length} axes");
        }

        var result = input.Select(ShapeMath.Plain).ToArray();
        for (var k = 0; k < axes.Length; k++)
        {
            result[axes[k]] = Dim.Of(shape[k]);
        }

        c.SetOutput(0, c.InputElementType(0), result);
    }
}
