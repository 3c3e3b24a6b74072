using static BuildConvert.Validation.Tests.Converters.TensorFlow.TfOracleAssert;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// One-node tests of Converters/TensorFlow/Image/ResizeConverters.cs against TensorFlow.js: upsampling and
/// downsampling by integer and fractional factors, each coordinate mode (legacy, align_corners, half_pixel_centers).
/// </summary>
[TestClass]
public sealed class ResizeConvertersTests
{
    private static readonly TfDataType I32 = TfDataType.DtInt32;

    public static IEnumerable<object[]> Cases()
    {
        foreach (var (h, w) in new[] { (8L, 6L), (2L, 3L), (5L, 7L), (1L, 1L), (3L, 3L) })
        {
            foreach (var (align, half) in new[] { (false, false), (true, false), (false, true) })
            {
                yield return new object[] { h, w, align, half };
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void ResizeBilinear(long height, long width, bool alignCorners, bool halfPixel)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 4, 2));
        Matches(g, new[]
        {
            g.Op("ResizeBilinear", new[] { x, g.Ints("size", height, width) }, ("T", A.T()), ("align_corners", A.Bool(alignCorners)), ("half_pixel_centers", A.Bool(halfPixel))),
        }, atol: 1e-5, rtol: 1e-5, opsets: new[] { 13, 19 });
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void ResizeNearestNeighbor(long height, long width, bool alignCorners, bool halfPixel)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(1, 3, 4, 2));
        var i = g.Placeholder("i", I32, S(1, 3, 4, 2), low: -50, high: 50);
        var attributes = new[] { ("align_corners", A.Bool(alignCorners)), ("half_pixel_centers", A.Bool(halfPixel)) };
        Matches(g, new[]
        {
            g.Op("ResizeNearestNeighbor", new[] { x, g.Ints("size", height, width) }, attributes.Append(("T", A.T())).ToArray()),
            g.Op("ResizeNearestNeighbor", new[] { i, g.Ints("size2", height, width) }, attributes.Append(("T", A.T(I32))).ToArray()),
        }, atol: 0, rtol: 0, opsets: new[] { 13, 19 });
    }

    [TestMethod]
    public void ResizeBilinearOfIntegersAndARunTimeSize()
    {
        var g = new TfTestGraph();
        var i = g.Placeholder("i", I32, S(1, 2, 3, 1), low: 0, high: 255);
        var size = g.Placeholder("size", I32, S(2), new double[] { 5, 4 });
        var x = g.Placeholder("x", F32, S(1, 2, 3, 1));
        Matches(g, new[]
        {
            g.Op("ResizeBilinear", new[] { i, g.Ints("s", 4, 6) }, ("T", A.T(I32)), ("half_pixel_centers", A.Bool(true))),
            g.Op("ResizeBilinear", new[] { x, size }, ("T", A.T()), ("half_pixel_centers", A.Bool(false))),
        }, atol: 1e-4, rtol: 1e-5);
    }

    [TestMethod]
    public void AlignCornersWithHalfPixelCentersIsACodedError()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(1, 2, 2, 1));
        var y = g.Op("ResizeBilinear", new[] { x, g.Ints("size", 4, 4) }, ("T", A.T()), ("align_corners", A.Bool(true)), ("half_pixel_centers", A.Bool(true)));
        var error = Assert.ThrowsExactly<BuildConvert.Core.Diagnostics.BuildConvertException>(() => Convert(g, new[] { y }));
        Assert.AreEqual("BCONV2101", error.Code);
        StringAssert.Contains(error.Message, "half_pixel_centers");
    }
}
