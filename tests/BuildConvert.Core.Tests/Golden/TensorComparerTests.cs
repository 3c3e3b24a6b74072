using System.Buffers.Binary;
using System.Runtime.InteropServices;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Golden;

// Expected numbers were computed with numpy 1.24 by tensor_comparer_oracle.py beside this file (np.isclose and float64
// arithmetic on the float32 values); each test names them in its comment.
[TestClass]
public sealed class TensorComparerTests
{
    private static readonly Tolerance Loose = new(1e-3, 1e-5);

    private static TensorValue F32(long[] shape, params float[] v) => TensorValue.FromFloats("t", shape, v);

    private static TensorValue Typed<T>(DataType type, long[] shape, params T[] v)
        where T : struct => new("t", type, shape, MemoryMarshal.AsBytes(v.AsSpan()).ToArray());

    // a=[[0,1,2],[3,-4,5]], e=[[0,1.0005,2.5],[3,-4.002,0]] (float32), rtol 1e-3 atol 1e-5:
    // isclose mismatches 2 of 6, max abs 5.0, max rel 0.2, required atol 5.0, required rtol inf, worst (1,2) 5 vs 0.
    [TestMethod]
    public void ReportsErrorsCountsWorstIndexAndRequiredTolerances()
    {
        var r = TensorComparer.Compare("y", F32([2, 3], 0, 1, 2, 3, -4, 5), F32([2, 3], 0, 1.0005f, 2.5f, 3, -4.002f, 0), Loose, "out.pb");
        Assert.IsFalse(r.Passed);
        Assert.IsNull(r.Problem);
        Assert.AreEqual(6, r.ElementCount);
        Assert.AreEqual(2, r.MismatchCount);
        Assert.AreEqual(100.0 * 2 / 6, r.MismatchPercent, 1e-12);
        Assert.AreEqual(5.0, r.MaxAbsError);
        Assert.AreEqual(0.2, r.MaxRelError, 1e-15);
        Assert.AreEqual(5.0, r.RequiredAtol);
        Assert.AreEqual(double.PositiveInfinity, r.RequiredRtol);
        CollectionAssert.AreEqual(new long[] { 1, 2 }, r.WorstIndex);
        Assert.AreEqual("5", r.WorstActual);
        Assert.AreEqual("0", r.WorstExpected);
        Assert.AreEqual("out.pb", r.GoldenFile);
        Assert.AreEqual("y", r.OutputName);
    }

    // a=[[0,1,2],[3,-4,5]], e=[[0,1.0005,2.004],[3,-4.002,5.0001]]: mismatches 1, max abs 0.003999948501586914,
    // max rel 0.0019959823375133917, required atol 0.001995948553085327, required rtol 0.0019909923174250793,
    // worst (0,2) 2 vs 2.004.
    [TestMethod]
    public void RequiredTolerancesMatchNumpyAndAreTight()
    {
        var a = F32([2, 3], 0, 1, 2, 3, -4, 5);
        var e = F32([2, 3], 0, 1.0005f, 2.004f, 3, -4.002f, 5.0001f);
        var r = TensorComparer.Compare("y", a, e, Loose);
        Assert.AreEqual(1, r.MismatchCount);
        Assert.AreEqual(0.003999948501586914, r.MaxAbsError, 1e-15);
        Assert.AreEqual(0.0019959823375133917, r.MaxRelError, 1e-15);
        Assert.AreEqual(0.001995948553085327, r.RequiredAtol, 1e-15);
        Assert.AreEqual(0.0019909923174250793, r.RequiredRtol, 1e-15);
        CollectionAssert.AreEqual(new long[] { 0, 2 }, r.WorstIndex);
        Assert.AreEqual("2", r.WorstActual);
        Assert.AreEqual("2.004", r.WorstExpected);

        Assert.IsTrue(TensorComparer.Compare("y", a, e, new Tolerance(Loose.Rtol, r.RequiredAtol)).Passed);
        Assert.IsFalse(TensorComparer.Compare("y", a, e, new Tolerance(Loose.Rtol, r.RequiredAtol * 0.999)).Passed);
        Assert.IsTrue(TensorComparer.Compare("y", a, e, new Tolerance(r.RequiredRtol, Loose.Atol)).Passed);
        Assert.IsFalse(TensorComparer.Compare("y", a, e, new Tolerance(r.RequiredRtol * 0.999, Loose.Atol)).Passed);
    }

    [TestMethod]
    public void PassingValuesReportTheLargestErrorAsWorst()
    {
        var r = TensorComparer.Compare("y", F32([3], 1, 2, 3), F32([3], 1, 2.001f, 3), Loose);
        Assert.IsTrue(r.Passed);
        Assert.AreEqual(0, r.MismatchCount);
        CollectionAssert.AreEqual(new long[] { 1 }, r.WorstIndex);
        Assert.AreEqual("2.001", r.WorstExpected);
        Assert.IsTrue(r.RequiredAtol == 0 && r.RequiredRtol < Loose.Rtol);
    }

    [TestMethod]
    public void NanEqualsNanOnlyWhenAsked()
    {
        var a = F32([3], float.NaN, 1, float.NaN);
        var e = F32([3], float.NaN, float.NaN, 1);
        var withNan = TensorComparer.Compare("y", a, e, Loose);
        Assert.AreEqual(2, withNan.MismatchCount);
        Assert.AreEqual(double.PositiveInfinity, withNan.MaxAbsError);
        Assert.AreEqual(double.PositiveInfinity, withNan.RequiredAtol);
        CollectionAssert.AreEqual(new long[] { 1 }, withNan.WorstIndex);
        Assert.AreEqual("1", withNan.WorstActual);
        Assert.AreEqual("nan", withNan.WorstExpected);

        var strict = TensorComparer.Compare("y", a, e, Loose with { NanEqual = false });
        Assert.AreEqual(3, strict.MismatchCount);

        Assert.IsTrue(TensorComparer.Compare("y", F32([1], float.NaN), F32([1], float.NaN), Loose).Passed);
    }

    // numpy: isclose([inf,-inf,inf,1],[inf,-inf,-inf,inf]) = [T,T,F,F]
    [TestMethod]
    public void InfinitiesEqualOnlyTheSameInfinity()
    {
        var r = TensorComparer.Compare("y",
            F32([4], float.PositiveInfinity, float.NegativeInfinity, float.PositiveInfinity, 1),
            F32([4], float.PositiveInfinity, float.NegativeInfinity, float.NegativeInfinity, float.PositiveInfinity), Loose);
        Assert.AreEqual(2, r.MismatchCount);
        CollectionAssert.AreEqual(new long[] { 2 }, r.WorstIndex);
        Assert.AreEqual("inf", r.WorstActual);
        Assert.AreEqual("-inf", r.WorstExpected);

        Assert.IsTrue(TensorComparer.Compare("y", F32([2], float.PositiveInfinity, float.NegativeInfinity),
            F32([2], float.PositiveInfinity, float.NegativeInfinity), new Tolerance(0, 0)).Passed);
    }

    [TestMethod]
    public void NegativeZeroEqualsZeroEvenWithZeroTolerance()
    {
        var r = TensorComparer.Compare("y", F32([2], -0.0f, 0f), F32([2], 0f, -0.0f), new Tolerance(0, 0));
        Assert.IsTrue(r.Passed);
        Assert.AreEqual(0.0, r.MaxAbsError);
        Assert.IsNull(r.WorstIndex);
        Assert.AreEqual("-0", TensorComparer.FormatElement(F32([1], -0.0f), 0));
    }

    [TestMethod]
    public void EmptyTensorsPass()
    {
        var r = TensorComparer.Compare("y", F32([0, 3]), F32([0, 3]), Loose);
        Assert.IsTrue(r.Passed);
        Assert.AreEqual(0, r.ElementCount);
        Assert.AreEqual(0, r.MismatchPercent);
        Assert.IsNull(r.WorstIndex);
    }

    [TestMethod]
    public void ScalarsHaveAnEmptyWorstIndex()
    {
        var r = TensorComparer.Compare("y", F32([], 2), F32([], 3), Loose);
        Assert.AreEqual(1, r.MismatchCount);
        Assert.IsNotNull(r.WorstIndex);
        Assert.IsEmpty(r.WorstIndex);
    }

    [TestMethod]
    public void ShapeAndTypeMismatchesAreProblemsNotComparisons()
    {
        var shape = TensorComparer.Compare("y", F32([2, 3], 1, 2, 3, 4, 5, 6), F32([3, 2], 1, 2, 3, 4, 5, 6), Loose);
        Assert.IsFalse(shape.Passed);
        Assert.AreEqual("shape is [2,3], expected [3,2]", shape.Problem);
        Assert.AreEqual(ComparisonProblem.Shape, shape.ProblemKind);
        Assert.AreEqual(0, shape.ElementCount);

        var type = TensorComparer.Compare("y", F32([1], 1), Typed(DataType.Double, [1], 1.0), Loose);
        Assert.AreEqual("element type is float, expected double", type.Problem);
        Assert.AreEqual(ComparisonProblem.Type, type.ProblemKind);

        var kind = TensorComparer.Compare("y", F32([1], 1), new SequenceValue("y", 1, []), Loose);
        Assert.AreEqual("value is a tensor(float), expected a sequence", kind.Problem);
    }

    [TestMethod]
    public void ShortDataIsAProblem()
    {
        var bad = new TensorValue("t", DataType.Float, [4], new byte[8]);
        var r = TensorComparer.Compare("y", bad, F32([4], 1, 2, 3, 4), Loose);
        Assert.IsNotNull(r.Problem);
        StringAssert.Contains(r.Problem, "needs 16");
    }

    // 9007199254740993 and 9007199254740992 are the same double; as int64 they differ by 1.
    [TestMethod]
    public void LargeIntegersAreComparedExactly()
    {
        var a = Typed(DataType.Int64, [2], 9007199254740993L, -5L);
        var e = Typed(DataType.Int64, [2], 9007199254740992L, -5L);
        var exact = TensorComparer.Compare("y", a, e, new Tolerance(0, 0));
        Assert.AreEqual(1, exact.MismatchCount);
        Assert.AreEqual(1.0, exact.MaxAbsError);
        Assert.AreEqual("9007199254740993", exact.WorstActual);
        Assert.AreEqual("9007199254740992", exact.WorstExpected);
        Assert.IsTrue(TensorComparer.Compare("y", a, e, new Tolerance(0, 1)).Passed);

        var u = TensorComparer.Compare("y", Typed(DataType.Uint64, [1], ulong.MaxValue), Typed(DataType.Uint64, [1], ulong.MaxValue - 1), new Tolerance(0, 0));
        Assert.AreEqual(1, u.MismatchCount);
        Assert.AreEqual("18446744073709551615", u.WorstActual);
    }

    // |100 - 101| = 1 <= 0 + 0.01 * 101
    [TestMethod]
    public void IntegersUseTheToleranceFormulaWhenOneIsGiven()
    {
        Assert.IsTrue(TensorComparer.Compare("y", Typed(DataType.Int32, [1], 100), Typed(DataType.Int32, [1], 101), new Tolerance(0.01, 0)).Passed);
        Assert.IsFalse(TensorComparer.Compare("y", Typed(DataType.Int32, [1], 100), Typed(DataType.Int32, [1], 102), new Tolerance(0.001, 0)).Passed);
        Assert.IsFalse(TensorComparer.Compare("y", Typed(DataType.Int8, [1], (sbyte)-128), Typed(DataType.Int8, [1], (sbyte)127), Loose).Passed);
    }

    // float16(1.01) = 1.009765625: |1 - 1.009765625| = 0.009765625 > 1e-5 + 1e-3 * 1.009765625.
    [TestMethod]
    public void Float16AndBfloat16AreDecoded()
    {
        var h = TensorComparer.Compare("y", Typed(DataType.Float16, [2], (Half)1.0, (Half)65504), Typed(DataType.Float16, [2], (Half)1.01, (Half)65504), Loose);
        Assert.AreEqual(1, h.MismatchCount);
        Assert.AreEqual(0.009765625, h.MaxAbsError);
        Assert.AreEqual("1.01", h.WorstExpected);

        // bfloat16 bits: 0x3F80 = 1.0, 0x3F81 = 1.0078125, 0x7F80 = +inf.
        var b = TensorComparer.Compare("y", Typed(DataType.Bfloat16, [2], (ushort)0x3F80, (ushort)0x7F80), Typed(DataType.Bfloat16, [2], (ushort)0x3F81, (ushort)0x7F80), Loose);
        Assert.AreEqual(1, b.MismatchCount);
        Assert.AreEqual(0.0078125, b.MaxAbsError);
        Assert.AreEqual("1.0078125", b.WorstExpected);
    }

    [TestMethod]
    public void BoolsAndStringsMustBeEqual()
    {
        var b = TensorComparer.Compare("y", Typed(DataType.Bool, [2], (byte)1, (byte)0), Typed(DataType.Bool, [2], (byte)1, (byte)1), new Tolerance(1, 1));
        Assert.AreEqual(1, b.MismatchCount);
        CollectionAssert.AreEqual(new long[] { 1 }, b.WorstIndex);
        Assert.AreEqual("false", b.WorstActual);
        Assert.AreEqual("true", b.WorstExpected);
        Assert.AreEqual(double.PositiveInfinity, b.RequiredAtol);

        var s = TensorComparer.Compare("y",
            new TensorValue("t", DataType.String, [2], default, ["a", "b"]),
            new TensorValue("t", DataType.String, [2], default, ["a", "c"]), Loose);
        Assert.AreEqual(1, s.MismatchCount);
        Assert.AreEqual("\"b\"", s.WorstActual);
        Assert.AreEqual("\"c\"", s.WorstExpected);
        Assert.IsTrue(TensorComparer.Compare("y", new TensorValue("t", DataType.String, [1], default, ["é"]),
            new TensorValue("t", DataType.String, [1], default, ["é"]), new Tolerance(0, 0)).Passed);
    }

    // complex64 |(1+1j) - (1+1.1j)| = 0.1 (float32 rounding: 0.10000002384185791).
    [TestMethod]
    public void ComplexValuesUseTheModulus()
    {
        var r = TensorComparer.Compare("y", Typed(DataType.Complex64, [1], 1f, 1f), Typed(DataType.Complex64, [1], 1f, 1.1f), Loose);
        Assert.AreEqual(1, r.MismatchCount);
        Assert.AreEqual(0.10000002384185791, r.MaxAbsError, 1e-15);
        Assert.AreEqual("(1+1.1j)", r.WorstExpected);
    }

    [TestMethod]
    public void SequencesCompareItemByItemWithTheItemPositionFirst()
    {
        var a = new SequenceValue("s", 1, [F32([2], 1, 2), F32([2, 2], 1, 2, 3, 4)]);
        var e = new SequenceValue("s", 1, [F32([2], 1, 2), F32([2, 2], 1, 2, 3, 9)]);
        var r = TensorComparer.Compare("s", a, e, Loose);
        Assert.AreEqual(6, r.ElementCount);
        Assert.AreEqual(1, r.MismatchCount);
        CollectionAssert.AreEqual(new long[] { 1, 1, 1 }, r.WorstIndex);

        var shorter = TensorComparer.Compare("s", new SequenceValue("s", 1, [F32([1], 1)]), e, Loose);
        Assert.AreEqual("sequence has 1 items, expected 2", shorter.Problem);

        var inner = TensorComparer.Compare("s", new SequenceValue("s", 1, [F32([2], 1, 2), F32([4], 1, 2, 3, 4)]), e, Loose);
        Assert.AreEqual("item [1]: shape is [4], expected [2,2]", inner.Problem);
    }

    [TestMethod]
    public void OptionalsMustAgreeOnPresence()
    {
        Assert.IsTrue(TensorComparer.Compare("o", new OptionalValue("o", 1, null), new OptionalValue("o", 1, null), Loose).Passed);
        var r = TensorComparer.Compare("o", new OptionalValue("o", 1, F32([1], 1)), new OptionalValue("o", 1, null), Loose);
        Assert.AreEqual("optional is present, expected empty", r.Problem);
        Assert.IsFalse(TensorComparer.Compare("o", new OptionalValue("o", 1, F32([1], 1)), new OptionalValue("o", 1, F32([1], 2)), Loose).Passed);
    }

    [TestMethod]
    public void MapsNeedEqualKeysAndCloseValues()
    {
        var keys = Typed(DataType.Int64, [2], 1L, 2L);
        MapValue Map(TensorValue k, float v) => new("m", k, new SequenceValue("v", 1, [F32([], 1), F32([], v)]));
        Assert.IsTrue(TensorComparer.Compare("m", Map(keys, 2), Map(keys, 2.0000001f), Loose).Passed);
        Assert.IsFalse(TensorComparer.Compare("m", Map(keys, 2), Map(keys, 3), Loose).Passed);
        var other = TensorComparer.Compare("m", Map(Typed(DataType.Int64, [2], 1L, 3L), 2), Map(keys, 2), Loose);
        Assert.AreEqual("map has no key 2", other.Problem);

        var swapped = new MapValue("m", Typed(DataType.Int64, [2], 2L, 1L), new SequenceValue("v", 1, [F32([], 5), F32([], 1)]));
        Assert.IsTrue(TensorComparer.Compare("m", swapped, Map(keys, 5), Loose).Passed);
        var wrong = TensorComparer.Compare("m", swapped, Map(keys, 6), Loose);
        Assert.AreEqual(1, wrong.MismatchCount);
        CollectionAssert.AreEqual(new long[] { 1 }, wrong.WorstIndex);
    }

    [TestMethod]
    public void FormatsRoundTrip()
    {
        Assert.AreEqual("0.1", TensorComparer.FormatElement(F32([1], 0.1f), 0));
        Assert.AreEqual("0.33333334", TensorComparer.FormatElement(F32([1], 1f / 3), 0));
        Assert.AreEqual("0.1", TensorComparer.FormatElement(Typed(DataType.Double, [1], 0.1), 0));
        Assert.AreEqual("0.30000000000000004", TensorComparer.FormatElement(Typed(DataType.Double, [1], 0.1 + 0.2), 0));
        Assert.AreEqual("-7", TensorComparer.FormatElement(Typed(DataType.Int16, [1], (short)-7), 0));
        var bytes = new byte[2];
        BinaryPrimitives.WriteHalfLittleEndian(bytes, (Half)0.1);
        Assert.AreEqual("0.1", TensorComparer.FormatElement(new TensorValue("h", DataType.Float16, [1], bytes), 0));
    }

    [TestMethod]
    public void UnravelIsRowMajor()
    {
        CollectionAssert.AreEqual(new long[] { 1, 0, 2 }, TensorComparer.Unravel(14, [2, 4, 3]));
        CollectionAssert.AreEqual(Array.Empty<long>(), TensorComparer.Unravel(0, []));
    }
}
