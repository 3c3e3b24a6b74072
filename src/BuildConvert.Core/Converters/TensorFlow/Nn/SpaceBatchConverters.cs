using BuildConvert.Core.Formats.TensorFlow.Proto;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TensorFlow.Nn;

/// <summary>
/// SpaceToBatchND and BatchToSpaceND (https://www.tensorflow.org/api_docs/python/tf/raw_ops/SpaceToBatchND,
/// BatchToSpaceND). SpaceToBatchND(input[B, S1..SM, rest...], block_shape[M], paddings[M, 2]) pads the spatial
/// dimensions, splits each Si + pads into (Si' , bi), moves the block factors in front of the batch and merges them into
/// it: [B * prod(b), S1', ..., SM', rest...]. BatchToSpaceND(input, block_shape, crops) is the inverse followed by a crop.
/// Both are lowered with Pad, Reshape, Transpose and Slice whose shapes are computed from Shape at run time (folded
/// when static); block_shape must be a constant, paddings and crops may be computed at run time.
/// TensorFlow writes a dilated convolution as SpaceToBatchND → Conv2D/DepthwiseConv2dNative (VALID, stride 1) →
/// BatchToSpaceND with the same block: that pattern becomes one ONNX Conv with dilations = block_shape, its pads the
/// paddings less the crops (or, when those are computed at run time or negative, a Pad before and a Slice after).
/// </summary>
internal static class SpaceBatchConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("SpaceToBatchND", 13, SpaceToBatchNd, "block_shape constant; paddings may be computed at run time");
        r.Add("BatchToSpaceND", 13, BatchToSpaceNd, "block_shape constant; crops may be computed at run time; after SpaceToBatchND -> Conv2D: a dilated Conv");
    }

    private static void SpaceToBatchNd(TfNodeContext c)
    {
        var b = c.Builder;
        var block = Block(c);
        var m = block.Length;
        var rank = c.RequireRank(0, "SpaceToBatchND");
        if (rank < m + 1)
        {
            throw c.Error($"input 0 has rank {rank}; a block of {m} dimensions needs rank {m + 1} or more");
        }

        var padded = PadSpatial(c, c.Input(0), c.Input(2), rank, m);
        var s = b.Op("Shape", padded);
        var split = new List<Value> { Dims(b, s, 0, 1) };
        for (var i = 0; i < m; i++)
        {
            split.Add(b.Op("Div", Dims(b, s, 1 + i, 2 + i), b.Int64s(block[i])));
            split.Add(b.Int64s(block[i]));
        }

        if (rank > m + 1)
        {
            split.Add(Dims(b, s, 1 + m, rank));
        }

        var perm = Enumerable.Range(0, m).Select(i => 2L + (2 * i))
            .Append(0)
            .Concat(Enumerable.Range(0, m).Select(i => 1L + (2 * i)))
            .Concat(Enumerable.Range((2 * m) + 1, rank - m - 1).Select(i => (long)i)).ToArray();
        var moved = c.Transpose(b.Op("Reshape", padded, b.Op("Concat", split, NodeAttribute.Of("axis", 0L))), perm);
        var merged = new List<Value> { b.Op("Mul", Dims(b, s, 0, 1), b.Int64s(block.Aggregate(1L, (a, v) => a * v))) };
        merged.AddRange(split.Skip(1).Where((_, k) => k % 2 == 0).Take(m));
        if (rank > m + 1)
        {
            merged.Add(Dims(b, s, 1 + m, rank));
        }

        c.SetOutput(0, b.Op("Reshape", moved, b.Op("Concat", merged, NodeAttribute.Of("axis", 0L))));
    }

    private static void BatchToSpaceNd(TfNodeContext c)
    {
        if (TryDilatedConvolution(c))
        {
            return;
        }

        var b = c.Builder;
        var block = Block(c);
        var m = block.Length;
        var rank = c.RequireRank(0, "BatchToSpaceND");
        if (rank < m + 1)
        {
            throw c.Error($"input 0 has rank {rank}; a block of {m} dimensions needs rank {m + 1} or more");
        }

        var x = c.Input(0);
        var s = b.Op("Shape", x);
        var batch = b.Op("Div", Dims(b, s, 0, 1), b.Int64s(block.Aggregate(1L, (a, v) => a * v)));
        var split = b.Op("Concat", new[] { b.Int64s(block), batch, Dims(b, s, 1, rank) }, NodeAttribute.Of("axis", 0L));
        var perm = new List<long> { m };
        for (var i = 0; i < m; i++)
        {
            perm.Add(m + 1 + i);
            perm.Add(i);
        }

        perm.AddRange(Enumerable.Range((2 * m) + 1, rank - m - 1).Select(i => (long)i));
        var moved = c.Transpose(b.Op("Reshape", x, split), perm);
        var merged = new List<Value> { batch };
        merged.AddRange(Enumerable.Range(0, m).Select(i => b.Op("Mul", Dims(b, s, 1 + i, 2 + i), b.Int64s(block[i]))));
        if (rank > m + 1)
        {
            merged.Add(Dims(b, s, 1 + m, rank));
        }

        var y = b.Op("Reshape", moved, b.Op("Concat", merged, NodeAttribute.Of("axis", 0L)));
        c.SetOutput(0, CropSpatial(c, y, c.Input(2), m));
    }

    /// <summary>SpaceToBatchND → Conv2D/DepthwiseConv2dNative → this BatchToSpaceND, as one dilated Conv.</summary>
    private static bool TryDilatedConvolution(TfNodeContext c)
    {
        if (c.InputProducer(0) is not { Op: "Conv2D" or "DepthwiseConv2dNative" } conv || conv.Input.Count < 2 ||
            c.Converted(conv.Input[0]) is not { } stbOutput || stbOutput.Producer is null ||
            LookupNode(c, conv.Input[0]) is not { Op: "SpaceToBatchND" } stb || stb.Input.Count < 3 ||
            c.Converted(stb.Input[0]) is not { } x || c.Converted(stb.Input[1]) is not { } stbBlock ||
            c.Converted(stb.Input[2]) is not { } paddings || c.Converted(conv.Input[1]) is not { } filter ||
            c.ConstantInput(1) is not { } blockData || c.ConstantOf(stbBlock) is not { } stbBlockData)
        {
            return false;
        }

        var block = blockData.ToInt64s();
        if (block.Length != 2 || !block.SequenceEqual(stbBlockData.ToInt64s()) || x.Type?.Shape is not { Count: 4 } xs ||
            filter.Type?.Shape is not { Count: 4 } fs || !fs.Take(2).All(d => d.IsFixed))
        {
            return false;
        }

        var format = conv.Attr.TryGetValue("data_format", out var f) ? f.S.ToStringUtf8() : "NHWC";
        var padding = conv.Attr.TryGetValue("padding", out var p) ? p.S.ToStringUtf8() : "";
        if (format != "NHWC" || padding != "VALID" || !AllOnes(conv, "strides") || !AllOnes(conv, "dilations"))
        {
            return false;
        }

        var depthwise = conv.Op == "DepthwiseConv2dNative";
        long group = 1;
        if (xs[3].Value is { } cin && fs[2].Value is { } fin)
        {
            group = depthwise ? cin : cin / fin;
        }
        else if (depthwise)
        {
            return false;
        }

        var b = c.Builder;
        var kernel = fs.Take(2).Select(d => d.Value!.Value).ToArray();
        var pads = c.ConstantOf(paddings)?.ToInt64s();
        var crops = c.ConstantInput(2)?.ToInt64s();
        long[]? folded = null;
        if (pads is { Length: 4 } && crops is { Length: 4 })
        {
            folded = new[] { pads[0] - crops[0], pads[2] - crops[2], pads[1] - crops[1], pads[3] - crops[3] };
            if (folded.Any(v => v < 0))
            {
                folded = null;
            }
        }

        var input = folded is null ? PadSpatial(c, x, paddings, 4, 2) : x;
        var w = depthwise ? b.Op("Reshape", filter, b.Int64s(0, 0, 1, -1)) : filter;
        var y = b.Op("Conv", new[] { c.Transpose(input, TfNodeContext.ToChannelsFirst(4)), c.Transpose(w, ConvolutionConverters.FilterPerm(4)) },
            NodeAttribute.Of("kernel_shape", kernel), NodeAttribute.Of("strides", new long[] { 1, 1 }), NodeAttribute.Of("dilations", block),
            NodeAttribute.Of("pads", folded ?? new long[4]), NodeAttribute.Of("group", group));
        var nhwc = c.Transpose(y, TfNodeContext.ToChannelsLast(4));
        c.SetOutput(0, folded is null ? CropSpatial(c, nhwc, c.Input(2), 2) : nhwc);
        return true;
    }

    private static NodeDef? LookupNode(TfNodeContext c, string tensor) =>
        c.Lookup?.Invoke(tensor).Node;

    private static bool AllOnes(NodeDef node, string attribute) =>
        !node.Attr.TryGetValue(attribute, out var a) || a.List is null || a.List.I.All(v => v == 1);

    private static long[] Block(TfNodeContext c)
    {
        var block = c.ConstantInts(1, "block_shape");
        if (block.Length == 0 || block.Any(v => v < 1))
        {
            throw c.Error($"input 1 (block_shape) [{string.Join(", ", block)}] must hold one or more sizes of at least 1");
        }

        return block;
    }

    /// <summary>x padded in dimensions 1..m by paddings[m, 2] (before, after).</summary>
    private static Value PadSpatial(TfNodeContext c, Value x, Value paddings, int rank, int m)
    {
        var b = c.Builder;
        if (c.ConstantOf(paddings) is { } constant)
        {
            var p = constant.ToInt64s();
            if (p.Length != 2 * m || p.Any(v => v < 0))
            {
                throw c.Error($"the paddings [{string.Join(", ", p)}] must hold {m} non-negative (before, after) pairs");
            }

            if (p.All(v => v == 0))
            {
                return x;
            }

            var pads = new long[2 * rank];
            for (var i = 0; i < m; i++)
            {
                pads[1 + i] = p[2 * i];
                pads[rank + 1 + i] = p[(2 * i) + 1];
            }

            return b.Pad(x, pads);
        }

        var pairs = b.Op("Reshape", Shapes.ShapeConverters.ToInt64(c, paddings), b.Int64s(m, 2));
        var begins = b.Op("Reshape", b.Slice(pairs, new long[] { 0 }, new long[] { 1 }, new long[] { 1 }), b.Int64s(-1));
        var ends = b.Op("Reshape", b.Slice(pairs, new long[] { 1 }, new long[] { 2 }, new long[] { 1 }), b.Int64s(-1));
        var zero = b.Int64s(0);
        var rest = b.Int64s(new long[rank - m - 1]);
        var all = b.Op("Concat", new[] { zero, begins, rest, zero, ends, rest }, NodeAttribute.Of("axis", 0L));
        return b.Op("Pad", new[] { x, all }, NodeAttribute.Of("mode", "constant"));
    }

    /// <summary>y cropped in dimensions 1..m by crops[m, 2] (from the start, from the end).</summary>
    private static Value CropSpatial(TfNodeContext c, Value y, Value crops, int m)
    {
        var b = c.Builder;
        var axes = Enumerable.Range(1, m).Select(i => (long)i).ToArray();
        Value starts, amounts;
        if (c.ConstantOf(crops) is { } constant)
        {
            var p = constant.ToInt64s();
            if (p.Length != 2 * m || p.Any(v => v < 0))
            {
                throw c.Error($"input 2 (crops) [{string.Join(", ", p)}] must hold {m} non-negative (start, end) pairs");
            }

            if (p.All(v => v == 0))
            {
                return y;
            }

            starts = b.Int64s(Enumerable.Range(0, m).Select(i => p[2 * i]).ToArray());
            amounts = b.Int64s(Enumerable.Range(0, m).Select(i => p[(2 * i) + 1]).ToArray());
        }
        else
        {
            var pairs = b.Op("Reshape", Shapes.ShapeConverters.ToInt64(c, crops), b.Int64s(m, 2));
            starts = b.Op("Reshape", b.Slice(pairs, new long[] { 0 }, new long[] { 1 }, new long[] { 1 }), b.Int64s(-1));
            amounts = b.Op("Reshape", b.Slice(pairs, new long[] { 1 }, new long[] { 2 }, new long[] { 1 }), b.Int64s(-1));
        }

        var sizes = Dims(b, b.Op("Shape", y), 1, 1 + m);
        return b.Op("Slice", y, starts, b.Op("Sub", sizes, amounts), b.Int64s(axes));
    }

    /// <summary>Entries [start, end) of the 1-D int64 shape <paramref name="shape"/>.</summary>
    private static Value Dims(OpBuilder b, Value shape, int start, int end) =>
        b.Slice(shape, new long[] { start }, new long[] { end }, new long[] { 0 });
}
