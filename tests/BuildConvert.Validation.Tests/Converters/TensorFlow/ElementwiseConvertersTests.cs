using static BuildConvert.Validation.Tests.Converters.TensorFlow.TfOracleAssert;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// One-node tests of Converters/TensorFlow/Math/ElementwiseConverters.cs: each op converted and run by ONNX Runtime,
/// compared with TensorFlow.js running the same GraphDef on the same seeded inputs (broadcasting shapes included).
/// </summary>
[TestClass]
public sealed class ElementwiseConvertersTests
{
    private static readonly TfDataType I32 = TfDataType.DtInt32;

    /// <summary>Divisors away from zero, both signs.</summary>
    private static double[] Divisors(int n) => Enumerable.Range(0, n).Select(i => (i % 2 == 0 ? 1 : -1) * (0.5 + (i * 0.37 % 2.5))).ToArray();

    [TestMethod]
    [DataRow("Add")]
    [DataRow("AddV2")]
    [DataRow("Sub")]
    [DataRow("Mul")]
    [DataRow("RealDiv")]
    [DataRow("Div")]
    [DataRow("FloorDiv")]
    [DataRow("FloorMod")]
    [DataRow("Maximum")]
    [DataRow("Minimum")]
    [DataRow("SquaredDifference")]
    [DataRow("Equal")]
    [DataRow("NotEqual")]
    [DataRow("Less")]
    [DataRow("LessEqual")]
    [DataRow("Greater")]
    [DataRow("GreaterEqual")]
    public void FloatBinaryOpsBroadcastLikeTensorFlow(string op)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3, 4), low: -4, high: 4);
        var y = g.Placeholder("y", F32, S(3, 1), Divisors(3));
        // TF.js's FloorDiv returns int32 whatever its inputs; TensorFlow keeps the float type (the values are compared).
        Matches(g, new[] { g.Op(op, new[] { x, y }, ("T", A.T())) }, checkKind: op != "FloorDiv");
    }

    [TestMethod]
    public void ComparisonsOfEqualValuesAreExact()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(6), new[] { 1.0, 2, 3, -1, 0, 5 });
        var y = g.Placeholder("y", F32, S(6), new[] { 1.0, 3, 2, -1, -0.0, 4 });
        Matches(g, new[] { "Equal", "NotEqual", "LessEqual", "GreaterEqual" }.Select(op => g.Op(op, new[] { x, y }, ("T", A.T()))).ToArray());
    }

    [TestMethod]
    public void PowOfPositiveBases()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3), low: 0.1, high: 3);
        var y = g.Placeholder("y", F32, S(2, 3), low: -2, high: 2);
        Matches(g, new[] { g.Op("Pow", new[] { x, y }, ("T", A.T())) }, atol: 1e-4, rtol: 1e-5);
    }

    [TestMethod]
    [DataRow("Add")]
    [DataRow("Sub")]
    [DataRow("Mul")]
    [DataRow("FloorDiv")]
    [DataRow("FloorMod")]
    [DataRow("Maximum")]
    [DataRow("Minimum")]
    [DataRow("SquaredDifference")]
    public void Int32BinaryOpsOnBothSigns(string op)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", I32, S(2, 6), new double[] { 7, -7, 7, -7, 0, 5, 9, -9, 6, -6, 1, -1 });
        var y = g.Placeholder("y", I32, S(6), new double[] { 2, 2, -2, -2, 3, -3 });
        Matches(g, new[] { g.Op(op, new[] { x, y }, ("T", A.T(I32))) });
    }

    [TestMethod]
    public void Int32DivOfNonNegativeValues()
    {
        // TensorFlow's integer Div truncates; TF.js floors, so only non-negative quotients compare.
        var g = new TfTestGraph();
        var x = g.Placeholder("x", I32, S(6), new double[] { 7, 0, 9, 1, 100, 5 });
        var y = g.Placeholder("y", I32, S(6), new double[] { 2, 3, 3, 4, 7, 5 });
        Matches(g, new[] { g.Op("Div", new[] { x, y }, ("T", A.T(I32))) });
    }

    [TestMethod]
    [DataRow("Neg", -3, 3)]
    [DataRow("Abs", -3, 3)]
    [DataRow("Sqrt", 0, 9)]
    [DataRow("Rsqrt", 0.1, 9)]
    [DataRow("Exp", -3, 3)]
    [DataRow("Expm1", -3, 3)]
    [DataRow("Log", 0.05, 9)]
    [DataRow("Log1p", -0.9, 9)]
    [DataRow("Square", -3, 3)]
    [DataRow("Reciprocal", 0.2, 3)]
    [DataRow("Floor", -3, 3)]
    [DataRow("Ceil", -3, 3)]
    [DataRow("Sign", -3, 3)]
    [DataRow("Erf", -2, 2)]
    [DataRow("Sin", -3, 3)]
    [DataRow("Cos", -3, 3)]
    [DataRow("Tan", -1.2, 1.2)]
    [DataRow("Asin", -0.99, 0.99)]
    [DataRow("Acos", -0.99, 0.99)]
    [DataRow("Atan", -3, 3)]
    [DataRow("Sinh", -3, 3)]
    [DataRow("Cosh", -3, 3)]
    [DataRow("Asinh", -3, 3)]
    [DataRow("Acosh", 1, 4)]
    [DataRow("Atanh", -0.9, 0.9)]
    public void FloatUnaryOps(string op, double low, double high)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(3, 4), low: low, high: high);
        Matches(g, new[] { g.Op(op, new[] { x }, ("T", A.T())) }, atol: 1e-5, rtol: 1e-4);
    }

    [TestMethod]
    public void RoundIsHalfToEven()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(10), new[] { -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 0.49, -0.51, 2.6 });
        Matches(g, new[] { g.Op("Round", new[] { x }, ("T", A.T())) });
    }

    [TestMethod]
    public void SignAndRoundingOfZeroAndIntegers()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", I32, S(5), new double[] { -3, 0, 4, -1, 7 });
        Matches(g, new[] { "Sign", "Abs", "Neg", "Square" }.Select(op => g.Op(op, new[] { x }, ("T", A.T(I32)))).ToArray());
    }

    [TestMethod]
    [DataRow("Floor")]
    [DataRow("Ceil")]
    [DataRow("Round")]
    public void RoundingAnIntegerKeepsIt(string op)
    {
        // TF.js rounds floats only; TensorFlow's rounding ops return integers unchanged.
        var g = new TfTestGraph();
        var x = g.Placeholder("x", I32, S(5), new double[] { -3, 0, 4, -1, 7 });
        var output = g.Op(op, new[] { x }, ("T", A.T(I32)));
        var reference = new TfTestGraph();
        var rx = reference.Placeholder("x", I32, S(5), new double[] { -3, 0, 4, -1, 7 });
        MatchesDefinition(g, output, reference, reference.Op("Identity", new[] { rx }, ("T", A.T(I32))));
    }

    [TestMethod]
    public void IsNanAndIsInf()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(5), new[] { double.NaN, 1, double.PositiveInfinity, double.NegativeInfinity, -0.0 });
        Matches(g, new[] { g.Op("IsNan", new[] { x }, ("T", A.T())), g.Op("IsInf", new[] { x }, ("T", A.T())) });
    }

    [TestMethod]
    public void LogicalOps()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", TfDataType.DtBool, S(2, 4));
        var y = g.Placeholder("y", TfDataType.DtBool, S(4));
        Matches(g, new[]
        {
            g.Op("LogicalAnd", new[] { x, y }), g.Op("LogicalOr", new[] { x, y }), g.Op("LogicalNot", new[] { x }),
        });
    }

    [TestMethod]
    public void AddNOfFloatsAndInts()
    {
        var g = new TfTestGraph();
        var a = g.Placeholder("a", F32, S(2, 3));
        var b = g.Placeholder("b", F32, S(2, 3));
        var c = g.Placeholder("c", F32, S(2, 3));
        var i = g.Placeholder("i", I32, S(4), low: -10, high: 10);
        var j = g.Placeholder("j", I32, S(4), low: -10, high: 10);
        Matches(g, new[]
        {
            g.Op("AddN", new[] { a, b, c }, ("T", A.T()), ("N", A.Int(3))),
            g.Op("AddN", new[] { i, j }, ("T", A.T(I32)), ("N", A.Int(2))),
            g.Op("AddN", new[] { a }, ("T", A.T()), ("N", A.Int(1))),
        });
    }

    [TestMethod]
    public void CastBetweenFloatIntAndBool()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(8), new[] { -2.7, -0.5, 0, 0.4, 1.9, 3, -0.0, 250.6 });
        var toInt = g.Op("Cast", new[] { x }, ("SrcT", A.T()), ("DstT", A.T(I32)));
        var toBool = g.Op("Cast", new[] { x }, ("SrcT", A.T()), ("DstT", A.T(TfDataType.DtBool)));
        var back = g.Op("Cast", new[] { toBool }, ("SrcT", A.T(TfDataType.DtBool)), ("DstT", A.T()));
        var intToFloat = g.Op("Cast", new[] { toInt }, ("SrcT", A.T(I32)), ("DstT", A.T()));
        Matches(g, new[] { toInt, toBool, back, intToFloat }, opsets: new[] { 13, 17, 21 });
    }

    [TestMethod]
    public void ZerosLikeAndOnesLike()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F32, S(2, 3));
        Matches(g, new[] { g.Op("ZerosLike", new[] { x }, ("T", A.T())), g.Op("OnesLike", new[] { x }, ("T", A.T())) });
    }

    [TestMethod]
    public void TruncateDivAndModFollowTheirDefinitions()
    {
        // TF.js has neither op: TruncateDiv(x, y) is the sign-corrected floor of |x| / |y|, and Mod x - TruncateDiv(x, y) * y.
        foreach (var type in new[] { F32, I32 })
        {
            var xs = new double[] { 7, -7, 7, -7, 0, 5.5 };
            var ys = new double[] { 2, 2, -2, -2, 3, -2 };
            if (type == I32)
            {
                xs[5] = 5;
            }

            TfTestGraph Inputs(out string x, out string y)
            {
                var graph = new TfTestGraph();
                x = graph.Placeholder("x", type, S(6), xs);
                y = graph.Placeholder("y", type, S(6), ys);
                return graph;
            }

            var div = Inputs(out var x, out var y);
            var divOut = div.Op("TruncateDiv", new[] { x, y }, ("T", A.T(type)));
            var divRef = Inputs(out x, out y);
            var quotient = TruncatedQuotient(divRef, x, y, type);
            MatchesDefinition(div, divOut, divRef, quotient);

            foreach (var op in new[] { "TruncateMod", "Mod" })
            {
                var mod = Inputs(out x, out y);
                var modOut = mod.Op(op, new[] { x, y }, ("T", A.T(type)));
                var modRef = Inputs(out x, out y);
                var q = TruncatedQuotient(modRef, x, y, type);
                var r = modRef.Op("Sub", new[] { x, modRef.Op("Mul", new[] { q, y }, ("T", A.T(type))) }, ("T", A.T(type)));
                MatchesDefinition(mod, modOut, modRef, r);
            }
        }
    }

    /// <summary>sign(x) * sign(y) * floor(|x| / |y|) with TF.js ops.</summary>
    private static string TruncatedQuotient(TfTestGraph g, string x, string y, TfDataType type)
    {
        var t = ("T", A.T(type));
        var magnitude = g.Op("FloorDiv", new[] { g.Op("Abs", new[] { x }, t), g.Op("Abs", new[] { y }, t) }, t);
        var sign = g.Op("Mul", new[] { g.Op("Sign", new[] { x }, t), g.Op("Sign", new[] { y }, t) }, t);
        return g.Op("Mul", new[] { sign, magnitude }, t);
    }
}
