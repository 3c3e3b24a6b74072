using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TensorFlow.Image;

/// <summary>
/// Image resizing (https://www.tensorflow.org/api_docs/python/tf/raw_ops/ResizeBilinear and its siblings):
/// <c>ResizeBilinear</c> and <c>ResizeNearestNeighbor</c> on NHWC images with <c>size</c> = [new_height,
/// new_width], through ONNX Resize on NCHW between two Transposes. TensorFlow's source coordinate for output index o,
/// with scale = in / out (or (in - 1) / (out - 1) under align_corners), maps to ONNX coordinate_transformation_mode:
/// <list type="bullet">
/// <item>align_corners: o * scale, ONNX align_corners;</item>
/// <item>half_pixel_centers: (o + 0.5) * scale - 0.5 for linear and cubic, ONNX half_pixel; nearest takes
/// floor((o + 0.5) * scale), which is ONNX half_pixel with nearest_mode round_prefer_ceil (round_prefer_ceil(y - 0.5)
/// = floor(y));</item>
/// <item>neither (legacy): o * scale, ONNX asymmetric; nearest takes floor, or round (half away from zero, which is
/// round_prefer_ceil for non-negative coordinates) under align_corners.</item>
/// </list>
/// Setting both align_corners and half_pixel_centers is refused, as TensorFlow does. Bilinear and bicubic return float32
/// whatever the input type (integer images are cast first); nearest keeps the type.
/// <para>ResizeBicubic (core/kernels/image/resize_bicubic_op.cc): with half_pixel_centers TensorFlow uses Keys' cubic
/// (a = -0.5) and gives taps outside the image weight 0, renormalizing the rest (ONNX <c>cubic_coeff_a=-0.5</c>,
/// <c>exclude_outside=1</c>); otherwise a = -0.75 with the outside taps clamped to the edge (ONNX's default
/// <c>exclude_outside=0</c>). TensorFlow reads its coefficients from a table of 1024 steps, so it differs from the exact
/// cubic ONNX computes by up to about 1e-3 of the value range.</para>
/// <para>ResizeArea (core/kernels/image/resize_area_op.cc): each output pixel is the average of the input area it covers
/// (scale = in / out, or (in - 1) / (out - 1) under align_corners, rows past the end read the last row), which is separable:
/// a weight matrix per spatial dimension, computed here, applied with two MatMuls. It needs a constant size and static
/// input height and width.</para>
/// </summary>
internal static class ResizeConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("ResizeBilinear", 13, Resize("linear"));
        r.Add("ResizeNearestNeighbor", 13, Resize("nearest"));
        r.Add("ResizeBicubic", 13, Resize("cubic"), "a = -0.5 and outside taps excluded under half_pixel_centers, else a = -0.75 and edge taps repeated");
        r.Add("ResizeArea", 13, ResizeArea, "align_corners; size constant and the input's height and width static (two MatMuls by area weights)");
    }

    /// <summary>ResizeArea(images, size, align_corners): the area average, as two MatMuls by per-dimension weights.</summary>
    private static void ResizeArea(TfNodeContext c)
    {
        var b = c.Builder;
        var alignCorners = c.Bool("align_corners", false);
        var rank = c.RequireRank(0, "a resize");
        if (rank != 4)
        {
            throw c.Error($"images must be rank 4 (NHWC), and the input has rank {rank}");
        }

        var size = c.ConstantInts(1, "size", "the area weights are computed when converting");
        if (size.Length != 2 || size.Any(s => s <= 0))
        {
            throw c.Error($"input 1 (size) [{string.Join(", ", size)}] must be two positive sizes");
        }

        var shape = c.InputShape(0)!;
        if (shape[1].Value is not { } height || shape[2].Value is not { } width)
        {
            throw c.Error("the input's height and width must be static for ResizeArea (give the graph inputs' shapes)");
        }

        var x = c.InputElementType(0) == DataType.Float ? c.Input(0) : b.Cast(c.Input(0), DataType.Float);
        var nchw = c.Transpose(x, TfNodeContext.ToChannelsFirst(4));
        var rows = b.Const(TensorData.FromFloats(AreaWeights(height, size[0], alignCorners), new[] { size[0], height }), "row_weights");
        var columns = b.Const(TensorData.FromFloats(Transposed(AreaWeights(width, size[1], alignCorners), size[1], width), new[] { width, size[1] }), "column_weights");
        var resized = b.Op("MatMul", b.Op("MatMul", rows, nchw), columns);
        c.SetOutput(0, c.Transpose(resized, TfNodeContext.ToChannelsLast(4)));
    }

    /// <summary>
    /// The [out, in] weights of TensorFlow's area resize along one dimension: output index o covers
    /// [o * scale, (o + 1) * scale) of the input, each input cell weighted by its overlap (cells past the end read the
    /// last one), divided by scale.
    /// </summary>
    private static float[] AreaWeights(long input, long output, bool alignCorners)
    {
        var scale = alignCorners && output > 1 ? (input - 1) / (float)(output - 1) : input / (float)output;
        var weights = new float[output * input];
        for (long o = 0; o < output; o++)
        {
            var from = o * scale;
            var to = (o + 1) * scale;
            for (var i = (long)System.Math.Floor(from); i < (long)System.Math.Ceiling(to); i++)
            {
                var overlap = i < from ? (i + 1 > to ? scale : i + 1 - from) : (i + 1 > to ? to - i : 1f);
                weights[(o * input) + System.Math.Clamp(i, 0, input - 1)] += overlap / scale;
            }
        }

        return weights;
    }

    private static float[] Transposed(float[] m, long rows, long columns)
    {
        var t = new float[m.Length];
        for (long r = 0; r < rows; r++)
        {
            for (long k = 0; k < columns; k++)
            {
                t[(k * rows) + r] = m[(r * columns) + k];
            }
        }

        return t;
    }

    private static TfOpHandler Resize(string mode) => c =>
    {
        var b = c.Builder;
        var alignCorners = c.Bool("align_corners", false);
        var halfPixel = c.Bool("half_pixel_centers", false);
        if (alignCorners && halfPixel)
        {
            throw c.AttributeError("half_pixel_centers", "cannot be true together with align_corners");
        }

        var rank = c.RequireRank(0, "a resize");
        if (rank != 4)
        {
            throw c.Error($"images must be rank 4 (NHWC), and the input has rank {rank}");
        }

        var x = c.Input(0);
        var type = c.InputElementType(0);
        if (mode != "nearest" && type != DataType.Float)
        {
            x = b.Cast(x, DataType.Float);
        }

        var nchw = c.Transpose(x, TfNodeContext.ToChannelsFirst(4));
        var size = c.Input(1);
        size = size.Type?.ElementType == DataType.Int64 ? size : b.Cast(size, DataType.Int64);
        var batchAndChannels = b.Slice(b.Op("Shape", nchw), new long[] { 0 }, new long[] { 2 });
        var sizes = b.Op("Concat", new[] { batchAndChannels, size }, NodeAttribute.Of("axis", 0L));

        var attributes = new List<NodeAttribute>
        {
            NodeAttribute.Of("mode", mode),
            NodeAttribute.Of("coordinate_transformation_mode", alignCorners ? "align_corners" : halfPixel ? "half_pixel" : "asymmetric"),
        };
        if (mode == "nearest")
        {
            attributes.Add(NodeAttribute.Of("nearest_mode", alignCorners || halfPixel ? "round_prefer_ceil" : "floor"));
        }
        else if (mode == "cubic")
        {
            attributes.Add(NodeAttribute.Of("cubic_coeff_a", halfPixel ? -0.5f : -0.75f));
            attributes.Add(NodeAttribute.Of("exclude_outside", halfPixel ? 1L : 0L));
        }

        var resized = b.Op("Resize", new Value?[] { nchw, null, null, sizes }, attributes.ToArray());
        c.SetOutput(0, c.Transpose(resized, TfNodeContext.ToChannelsLast(4)));
    };
}
