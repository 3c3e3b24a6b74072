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
/// Setting both align_corners and half_pixel_centers is refused, as TensorFlow does. Bilinear returns float32 whatever
/// the input type (integer images are cast first); nearest keeps the type. (ResizeBicubic is not registered: TensorFlow.js,
/// the tests' oracle, has no bicubic resize to check it against.)
/// </summary>
internal static class ResizeConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("ResizeBilinear", 13, Resize("linear"));
        r.Add("ResizeNearestNeighbor", 13, Resize("nearest"));
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

        var resized = b.Op("Resize", new Value?[] { nchw, null, null, sizes }, attributes.ToArray());
        c.SetOutput(0, c.Transpose(resized, TfNodeContext.ToChannelsLast(4)));
    };
}
