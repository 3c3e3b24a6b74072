using static BuildConvert.Validation.Tests.Converters.TensorFlow.TfOracleAssert;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// One-node tests of Converters/TensorFlow/Image/ResizeConverters.cs against TensorFlow.js: upsampling and
/// downsampling by integer and fractional factors, each coordinate mode (legacy, align_corners, half_pixel_centers).
/// TF.js 4.22 has neither ResizeBicubic nor ResizeArea: those are checked against references written here from
/// TensorFlow's kernels (core/kernels/image/resize_bicubic_op.cc, resize_area_op.cc), pixel by pixel.
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

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void ResizeBicubicMatchesTensorFlowsKernel(long height, long width, bool alignCorners, bool halfPixel)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 4, 2));
        var i = g.Placeholder("i", I32, S(2, 3, 4, 2), low: 0, high: 255);
        var attributes = new[] { ("align_corners", A.Bool(alignCorners)), ("half_pixel_centers", A.Bool(halfPixel)) };
        var yf = g.Op("ResizeBicubic", new[] { x, g.Ints("size", height, width) }, attributes.Append(("T", A.T())).ToArray());
        var yi = g.Op("ResizeBicubic", new[] { i, g.Ints("size2", height, width) }, attributes.Append(("T", A.T(I32))).ToArray());
        foreach (var opset in new[] { 13, 19 })
        {
            var actual = RunOnnx(Convert(g, new[] { yf, yi }, opset), g);
            for (var k = 0; k < 2; k++)
            {
                var p = g.Placeholders[k];
                var expected = Bicubic(p.Values, p.Shape, height, width, alignCorners, halfPixel);
                // TensorFlow's table of 1024 coefficient steps: up to ~1e-3 of the value range (6 for x, 255 for i).
                var range = k == 0 ? 6.0 : 255.0;
                Compare(expected, actual[k], 2e-3 * range, 0, $"opset {opset}, output {k}", checkKind: true);
            }
        }
    }

    [TestMethod]
    [DataRow(2L, 2L, false)]
    [DataRow(3L, 5L, false)]
    [DataRow(4L, 3L, false)]
    [DataRow(9L, 7L, false)]
    [DataRow(1L, 1L, false)]
    [DataRow(3L, 5L, true)]
    [DataRow(9L, 2L, true)]
    public void ResizeAreaMatchesTensorFlowsKernel(long height, long width, bool alignCorners)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 6, 4, 3));
        var i = g.Placeholder("i", I32, S(2, 6, 4, 3), low: 0, high: 255);
        var yf = g.Op("ResizeArea", new[] { x, g.Ints("size", height, width) }, ("T", A.T()), ("align_corners", A.Bool(alignCorners)));
        var yi = g.Op("ResizeArea", new[] { i, g.Ints("size2", height, width) }, ("T", A.T(I32)), ("align_corners", A.Bool(alignCorners)));
        var actual = RunOnnx(Convert(g, new[] { yf, yi }), g);
        for (var k = 0; k < 2; k++)
        {
            var p = g.Placeholders[k];
            Compare(Area(p.Values, p.Shape, height, width, alignCorners), actual[k], 1e-4, 1e-5, $"output {k}", checkKind: true);
        }
    }

    [TestMethod]
    public void ResizeAreaOfARunTimeSizeIsACodedError()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(1, 4, 4, 1));
        var size = g.Placeholder("size", I32, S(2), new double[] { 2, 2 });
        var y = g.Op("ResizeArea", new[] { x, size }, ("T", A.T()));
        var error = Assert.ThrowsExactly<BuildConvert.Core.Diagnostics.BuildConvertException>(() => Convert(g, new[] { y }));
        Assert.AreEqual("BCONV2110", error.Code);
        StringAssert.Contains(error.Message, "input 1 (size)");
    }

    private static float Scale(long input, long output, bool alignCorners) =>
        alignCorners && output > 1 ? (input - 1) / (float)(output - 1) : input / (float)output;

    /// <summary>TensorFlow's ResizeBicubic, pixel by pixel, with its 1024-step coefficient table.</summary>
    private static OracleTensor Bicubic(double[] x, long[] shape, long outH, long outW, bool alignCorners, bool halfPixel)
    {
        const int table = 1024;
        var a = halfPixel ? -0.5 : -0.75;
        var coefficients = new double[(table + 1) * 2];
        for (var i = 0; i <= table; i++)
        {
            var d = i / (double)table;
            coefficients[i * 2] = ((a + 2) * d - (a + 3)) * d * d + 1;
            d += 1;
            coefficients[(i * 2) + 1] = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
        }

        (long[] Index, double[] Weight) Taps(long o, float scale, long limit)
        {
            var at = halfPixel ? ((o + 0.5f) * scale) - 0.5f : o * scale;
            var floor = (long)System.Math.Floor(at);
            var offset = (int)System.Math.Round((at - floor) * table, MidpointRounding.ToEven);
            var weights = new[] { coefficients[(offset * 2) + 1], coefficients[offset * 2], coefficients[(table - offset) * 2], coefficients[((table - offset) * 2) + 1] };
            var index = new long[4];
            for (var t = 0; t < 4; t++)
            {
                var want = floor - 1 + t;
                index[t] = System.Math.Clamp(want, 0, limit - 1);
                if (halfPixel && index[t] != want)
                {
                    weights[t] = 0;
                }
            }

            var sum = weights.Sum();
            return (index, halfPixel ? weights.Select(w => w / sum).ToArray() : weights);
        }

        var (n, h, w, ch) = (shape[0], shape[1], shape[2], shape[3]);
        var result = new double[n * outH * outW * ch];
        var (sh, sw) = (Scale(h, outH, alignCorners), Scale(w, outW, alignCorners));
        for (long b = 0; b < n; b++)
        {
            for (long y = 0; y < outH; y++)
            {
                var ty = Taps(y, sh, h);
                for (long xo = 0; xo < outW; xo++)
                {
                    var tx = Taps(xo, sw, w);
                    for (long c = 0; c < ch; c++)
                    {
                        double v = 0;
                        for (var p = 0; p < 4; p++)
                        {
                            for (var q = 0; q < 4; q++)
                            {
                                v += ty.Weight[p] * tx.Weight[q] * x[(((b * h) + ty.Index[p]) * w + tx.Index[q]) * ch + c];
                            }
                        }

                        result[(((b * outH) + y) * outW + xo) * ch + c] = v;
                    }
                }
            }
        }

        return new OracleTensor("bicubic", "float32", new[] { n, outH, outW, ch }, result);
    }

    /// <summary>TensorFlow's ResizeArea, pixel by pixel: the overlap-weighted sum of the covered cells over the cell area.</summary>
    private static OracleTensor Area(double[] x, long[] shape, long outH, long outW, bool alignCorners)
    {
        var (n, h, w, ch) = (shape[0], shape[1], shape[2], shape[3]);
        var (sh, sw) = (Scale(h, outH, alignCorners), Scale(w, outW, alignCorners));
        List<(long Index, float Weight)> Cells(long o, float scale, long limit)
        {
            var cells = new List<(long, float)>();
            var from = o * scale;
            var to = (o + 1) * scale;
            for (var i = (long)System.Math.Floor(from); i < (long)System.Math.Ceiling(to); i++)
            {
                var weight = i < from ? (i + 1 > to ? scale : i + 1 - from) : (i + 1 > to ? to - i : 1f);
                cells.Add((System.Math.Min(i, limit - 1), weight));
            }

            return cells;
        }

        var result = new double[n * outH * outW * ch];
        for (long b = 0; b < n; b++)
        {
            for (long y = 0; y < outH; y++)
            {
                for (long xo = 0; xo < outW; xo++)
                {
                    for (long c = 0; c < ch; c++)
                    {
                        double sum = 0;
                        foreach (var (iy, wy) in Cells(y, sh, h))
                        {
                            foreach (var (ix, wx) in Cells(xo, sw, w))
                            {
                                sum += wy * wx * x[(((b * h) + iy) * w + ix) * ch + c];
                            }
                        }

                        result[(((b * outH) + y) * outW + xo) * ch + c] = sum / (sh * sw);
                    }
                }
            }
        }

        return new OracleTensor("area", "float32", new[] { n, outH, outW, ch }, result);
    }
}
