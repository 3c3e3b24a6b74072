using System.Buffers.Binary;
using System.Globalization;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Golden;

/// <summary>
/// Compares an actual value with its expected (golden) value the way NumPy <c>allclose</c> does: an element passes when
/// <c>|actual - expected| &lt;= atol + rtol * |expected|</c>; NaN equals NaN only when <see cref="Tolerance.NanEqual"/>;
/// an infinity equals only the same infinity. Element types and shapes must match exactly (a difference is reported as
/// <see cref="OutputComparison.Problem"/> and no element is compared). Integers are compared by their exact difference
/// (so zero tolerance means exact equality even for large int64/uint64 values); bool and string elements must be equal.
/// Sequences, optionals and maps are compared element by element; a reported index then starts with the item position.
/// </summary>
/// <remarks>
/// Arithmetic is done in double precision for every floating-point type (float16/bfloat16 are decoded first), which is
/// at least as precise as NumPy's float32 arithmetic; results can differ from NumPy only for elements within one float32
/// ulp of the tolerance boundary. A NaN or infinity that does not match counts as an infinite error, so the required
/// atol/rtol are then infinite too.
/// </remarks>
public static class TensorComparer
{
    /// <summary>Compares <paramref name="actual"/> with <paramref name="expected"/>.</summary>
    /// <param name="outputName">The output's name, copied into the result.</param>
    /// <param name="actual">The value the model produced.</param>
    /// <param name="expected">The golden value.</param>
    /// <param name="tolerance">The tolerance to apply.</param>
    /// <param name="goldenFile">The golden file holding <paramref name="expected"/>, copied into the result.</param>
    /// <returns>The comparison; never null. Malformed values (data shorter than the shape needs) are reported as a problem.</returns>
    public static OutputComparison Compare(string outputName, DataValue actual, DataValue expected, Tolerance tolerance, string? goldenFile = null)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(tolerance);

        var acc = new Accumulator(tolerance);
        var problem = Walk(actual, expected, acc, Array.Empty<long>());
        if (problem is not null)
        {
            return new OutputComparison(outputName, false, problem.Value.Message, 0, 0, 0, 0, null, null, null,
                double.PositiveInfinity, double.PositiveInfinity, tolerance, goldenFile)
            {
                ProblemKind = problem.Value.Kind,
            };
        }

        return acc.ToResult(outputName, goldenFile);
    }

    /// <summary>Formats element <paramref name="flatIndex"/> of a tensor in round-trip form (the shortest text that reads
    /// back to the same float/double/half, integers exactly, bool as true/false, strings quoted, and NumPy's
    /// <c>nan</c>, <c>inf</c>, <c>-inf</c>).</summary>
    public static string FormatElement(TensorValue tensor, long flatIndex)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var span = tensor.Data.Span;
        var inv = CultureInfo.InvariantCulture;
        checked
        {
            var i = (int)flatIndex;
            return tensor.ElementType switch
            {
                DataType.String => "\"" + tensor.Strings![i] + "\"",
                DataType.Bool => span[i] != 0 ? "true" : "false",
                DataType.Float => FormatReal(BinaryPrimitives.ReadSingleLittleEndian(span.Slice(i * 4))),
                DataType.Double => FormatReal(BinaryPrimitives.ReadDoubleLittleEndian(span.Slice(i * 8))),
                DataType.Float16 => FormatReal(BinaryPrimitives.ReadHalfLittleEndian(span.Slice(i * 2))),
                DataType.Bfloat16 => FormatReal((float)tensor.GetDouble(i)),
                DataType.Complex64 => FormatComplex(
                    FormatReal(BinaryPrimitives.ReadSingleLittleEndian(span.Slice(i * 8))),
                    FormatReal(BinaryPrimitives.ReadSingleLittleEndian(span.Slice((i * 8) + 4)))),
                DataType.Complex128 => FormatComplex(
                    FormatReal(BinaryPrimitives.ReadDoubleLittleEndian(span.Slice(i * 16))),
                    FormatReal(BinaryPrimitives.ReadDoubleLittleEndian(span.Slice((i * 16) + 8)))),
                _ when IsInteger(tensor.ElementType) => ReadInteger(tensor.ElementType, span, i).ToString(inv),
                _ => FormatReal(tensor.GetDouble(i)),
            };
        }
    }

    /// <summary>Turns a row-major flat index into a multi-index for <paramref name="shape"/>.</summary>
    public static long[] Unravel(long flatIndex, ReadOnlySpan<long> shape)
    {
        var index = new long[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] == 0)
            {
                continue;
            }

            index[d] = flatIndex % shape[d];
            flatIndex /= shape[d];
        }

        return index;
    }

    private static string FormatReal<T>(T value)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        if (T.IsNaN(value))
        {
            return "nan";
        }

        if (T.IsInfinity(value))
        {
            return T.IsNegative(value) ? "-inf" : "inf";
        }

        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string FormatComplex(string re, string im) => $"({re}{(im.StartsWith('-') ? "" : "+")}{im}j)";

    private static Issue? Walk(DataValue actual, DataValue expected, Accumulator acc, long[] prefix)
    {
        var where = prefix.Length == 0 ? "" : $"item [{string.Join(",", prefix)}]: ";
        switch (expected)
        {
            case TensorValue e when actual is TensorValue a:
                return CompareTensors(a, e, acc, prefix, where);

            case SequenceValue e when actual is SequenceValue a:
                if (a.Items.Count != e.Items.Count)
                {
                    return new(ComparisonProblem.Shape, $"{where}sequence has {a.Items.Count} items, expected {e.Items.Count}");
                }

                for (var i = 0; i < e.Items.Count; i++)
                {
                    var problem = Walk(a.Items[i], e.Items[i], acc, [.. prefix, i]);
                    if (problem is not null)
                    {
                        return problem;
                    }
                }

                return null;

            case OptionalValue e when actual is OptionalValue a:
                if (e.Value is null || a.Value is null)
                {
                    return e.Value is null && a.Value is null
                        ? null
                        : new(ComparisonProblem.Type, $"{where}optional is {(a.Value is null ? "empty" : "present")}, expected {(e.Value is null ? "empty" : "present")}");
                }

                return Walk(a.Value, e.Value, acc, prefix);

            case MapValue e when actual is MapValue a:
                return CompareMaps(a, e, acc, prefix, where);

            default:
                return new(ComparisonProblem.Type, $"{where}value is a {Kind(actual)}, expected a {Kind(expected)}");
        }
    }

    /// <summary>Maps match when they hold the same keys (in any order) with close values; values are compared in the
    /// expected map's key order.</summary>
    private static Issue? CompareMaps(MapValue a, MapValue e, Accumulator acc, long[] prefix, string where)
    {
        if (a.Keys.ElementCount != e.Keys.ElementCount)
        {
            return new(ComparisonProblem.Shape, $"{where}map has {a.Keys.ElementCount} keys, expected {e.Keys.ElementCount}");
        }

        var keyAcc = new Accumulator(new Tolerance(0, 0) { NanEqual = false });
        var keyProblem = CompareTensors(a.Keys with { Shape = [a.Keys.ElementCount] }, e.Keys with { Shape = [e.Keys.ElementCount] }, keyAcc, prefix, where + "map keys: ");
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        if (a.Values.Items.Count != a.Keys.ElementCount || e.Values.Items.Count != e.Keys.ElementCount)
        {
            return new(ComparisonProblem.Shape, $"{where}map has a different number of keys and values");
        }

        var actualValues = a.Values.Items;
        if (keyAcc.Mismatch > 0)
        {
            var positions = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < a.Keys.ElementCount; i++)
            {
                positions.TryAdd(FormatElement(a.Keys, i), i);
            }

            var reordered = new List<DataValue>(actualValues.Count);
            for (var i = 0; i < e.Keys.ElementCount; i++)
            {
                var key = FormatElement(e.Keys, i);
                if (!positions.TryGetValue(key, out var at))
                {
                    return new(ComparisonProblem.Shape, $"{where}map has no key {key}");
                }

                reordered.Add(actualValues[at]);
            }

            actualValues = reordered;
        }

        return Walk(a.Values with { Items = actualValues }, e.Values, acc, prefix);
    }

    private static string Kind(DataValue value) => value switch
    {
        TensorValue t => $"tensor({ElementTypes.Name(t.ElementType)})",
        SequenceValue => "sequence",
        OptionalValue => "optional",
        MapValue => "map",
        _ => value.GetType().Name,
    };

    private static Issue? CompareTensors(TensorValue a, TensorValue e, Accumulator acc, long[] prefix, string where)
    {
        if (a.ElementType != e.ElementType)
        {
            return new(ComparisonProblem.Type, $"{where}element type is {ElementTypes.Name(a.ElementType)}, expected {ElementTypes.Name(e.ElementType)}");
        }

        if (!a.Shape.AsSpan().SequenceEqual(e.Shape))
        {
            return new(ComparisonProblem.Shape, $"{where}shape is [{string.Join(",", a.Shape)}], expected [{string.Join(",", e.Shape)}]");
        }

        long count;
        try
        {
            count = e.ElementCount;
        }
        catch (Exception ex) when (ex is OverflowException or ArgumentException)
        {
            return new(ComparisonProblem.Shape, $"{where}shape [{string.Join(",", e.Shape)}] is not valid");
        }

        var type = e.ElementType;
        if (type == DataType.String)
        {
            if (a.Strings is null || e.Strings is null || a.Strings.Length != count || e.Strings.Length != count)
            {
                return new(ComparisonProblem.Shape, $"{where}string tensor holds a different number of strings than its shape [{string.Join(",", e.Shape)}] needs");
            }

            for (long i = 0; i < count; i++)
            {
                acc.AddExact(string.Equals(a.Strings[i], e.Strings[i], StringComparison.Ordinal), 0, a, e, i, prefix);
            }

            return null;
        }

        var bytes = ElementTypes.ByteCount(type, count);
        if (bytes < 0 || !IsComparable(type))
        {
            return new(ComparisonProblem.Unsupported, $"{where}comparing {ElementTypes.Name(type)} elements is not supported");
        }

        if (a.Data.Length < bytes || e.Data.Length < bytes)
        {
            return new(ComparisonProblem.Shape, $"{where}tensor data holds {Math.Min(a.Data.Length, e.Data.Length)} bytes, its shape [{string.Join(",", e.Shape)}] needs {bytes}");
        }

        var aSpan = a.Data.Span;
        var eSpan = e.Data.Span;
        if (type == DataType.Bool)
        {
            for (long i = 0; i < count; i++)
            {
                var av = aSpan[(int)i] != 0;
                var ev = eSpan[(int)i] != 0;
                acc.AddExact(av == ev, av == ev ? 0 : 1, a, e, i, prefix);
            }
        }
        else if (IsInteger(type))
        {
            for (long i = 0; i < count; i++)
            {
                var av = ReadInteger(type, aSpan, i);
                var ev = ReadInteger(type, eSpan, i);
                acc.AddInteger(av, ev, a, e, i, prefix);
            }
        }
        else if (type is DataType.Complex64 or DataType.Complex128)
        {
            for (long i = 0; i < count; i++)
            {
                acc.AddComplex(ReadComplex(type, aSpan, i), ReadComplex(type, eSpan, i), a, e, i, prefix);
            }
        }
        else
        {
            for (long i = 0; i < count; i++)
            {
                acc.AddReal(ElementTypes.ReadAsDouble(type, aSpan, i), ElementTypes.ReadAsDouble(type, eSpan, i), a, e, i, prefix);
            }
        }

        return null;
    }

    private static bool IsComparable(DataType type) =>
        type is DataType.Float or DataType.Double or DataType.Float16 or DataType.Bfloat16 or DataType.Bool
            or DataType.Complex64 or DataType.Complex128 || IsInteger(type);

    private static bool IsInteger(DataType type) =>
        type is DataType.Int8 or DataType.Int16 or DataType.Int32 or DataType.Int64 or DataType.Uint8 or DataType.Uint16
            or DataType.Uint32 or DataType.Uint64 or DataType.Int4 or DataType.Uint4;

    private static Int128 ReadInteger(DataType type, ReadOnlySpan<byte> data, long index)
    {
        checked
        {
            return type switch
            {
                DataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(data.Slice((int)(index * 8))),
                DataType.Uint64 => BinaryPrimitives.ReadUInt64LittleEndian(data.Slice((int)(index * 8))),
                DataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(data.Slice((int)(index * 4))),
                DataType.Uint32 => BinaryPrimitives.ReadUInt32LittleEndian(data.Slice((int)(index * 4))),
                DataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(data.Slice((int)(index * 2))),
                DataType.Uint16 => BinaryPrimitives.ReadUInt16LittleEndian(data.Slice((int)(index * 2))),
                DataType.Int8 => unchecked((sbyte)data[(int)index]),
                DataType.Uint8 => data[(int)index],
                _ => (Int128)(long)ElementTypes.ReadAsDouble(type, data, index),
            };
        }
    }

    private static System.Numerics.Complex ReadComplex(DataType type, ReadOnlySpan<byte> data, long index)
    {
        checked
        {
            return type == DataType.Complex64
                ? new(BinaryPrimitives.ReadSingleLittleEndian(data.Slice((int)(index * 8))),
                    BinaryPrimitives.ReadSingleLittleEndian(data.Slice((int)(index * 8) + 4)))
                : new(BinaryPrimitives.ReadDoubleLittleEndian(data.Slice((int)(index * 16))),
                    BinaryPrimitives.ReadDoubleLittleEndian(data.Slice((int)(index * 16) + 8)));
        }
    }

    private readonly record struct Issue(ComparisonProblem Kind, string Message);

    /// <summary>Running totals over every element compared for one output.</summary>
    private sealed class Accumulator(Tolerance tolerance)
    {
        private double maxAbs;
        private double maxRel;
        private double requiredAtol;
        private double requiredRtol;
        private bool worstIsMismatch;
        private double worstScore;
        private TensorValue? worstActual;
        private TensorValue? worstExpected;
        private long worstFlat;
        private long[]? worstPrefix;

        public long Count { get; private set; }

        public long Mismatch { get; private set; }

        public void AddExact(bool equal, double error, TensorValue a, TensorValue e, long i, long[] prefix)
        {
            Count++;
            maxAbs = Math.Max(maxAbs, error);
            if (equal)
            {
                return;
            }

            Mismatch++;
            requiredAtol = double.PositiveInfinity;
            requiredRtol = double.PositiveInfinity;
            Consider(true, double.PositiveInfinity, a, e, i, prefix);
        }

        public void AddInteger(Int128 av, Int128 ev, TensorValue a, TensorValue e, long i, long[] prefix)
        {
            var diff = (double)Int128.Abs(av - ev);
            var absE = (double)Int128.Abs(ev);
            AddFinite(diff, absE, diff == 0, a, e, i, prefix);
        }

        public void AddReal(double av, double ev, TensorValue a, TensorValue e, long i, long[] prefix)
        {
            if (double.IsNaN(av) || double.IsNaN(ev))
            {
                AddNonFinite(double.IsNaN(av) && double.IsNaN(ev) && tolerance.NanEqual, a, e, i, prefix);
            }
            else if (double.IsInfinity(av) || double.IsInfinity(ev))
            {
                AddNonFinite(av == ev, a, e, i, prefix);
            }
            else
            {
                AddFinite(Math.Abs(av - ev), Math.Abs(ev), false, a, e, i, prefix);
            }
        }

        public void AddComplex(System.Numerics.Complex av, System.Numerics.Complex ev, TensorValue a, TensorValue e, long i, long[] prefix)
        {
            if (System.Numerics.Complex.IsNaN(av) || System.Numerics.Complex.IsNaN(ev))
            {
                AddNonFinite(System.Numerics.Complex.IsNaN(av) && System.Numerics.Complex.IsNaN(ev) && tolerance.NanEqual, a, e, i, prefix);
            }
            else if (System.Numerics.Complex.IsInfinity(av) || System.Numerics.Complex.IsInfinity(ev))
            {
                AddNonFinite(av == ev, a, e, i, prefix);
            }
            else
            {
                AddFinite(System.Numerics.Complex.Abs(av - ev), System.Numerics.Complex.Abs(ev), false, a, e, i, prefix);
            }
        }

        private void AddNonFinite(bool equal, TensorValue a, TensorValue e, long i, long[] prefix)
        {
            Count++;
            if (equal)
            {
                return;
            }

            Mismatch++;
            maxAbs = double.PositiveInfinity;
            maxRel = double.PositiveInfinity;
            requiredAtol = double.PositiveInfinity;
            requiredRtol = double.PositiveInfinity;
            Consider(true, double.PositiveInfinity, a, e, i, prefix);
        }

        private void AddFinite(double diff, double absE, bool exactlyEqual, TensorValue a, TensorValue e, long i, long[] prefix)
        {
            Count++;
            if (exactlyEqual || diff == 0)
            {
                return;
            }

            var allowed = tolerance.Atol + (tolerance.Rtol * absE);
            var passed = diff <= allowed;
            maxAbs = Math.Max(maxAbs, diff);
            if (absE > 0)
            {
                maxRel = Math.Max(maxRel, diff / absE);
            }

            requiredAtol = Math.Max(requiredAtol, diff - (tolerance.Rtol * absE));
            if (diff > tolerance.Atol)
            {
                requiredRtol = Math.Max(requiredRtol, absE > 0 ? (diff - tolerance.Atol) / absE : double.PositiveInfinity);
            }

            if (!passed)
            {
                Mismatch++;
                Consider(true, diff - allowed, a, e, i, prefix);
            }
            else
            {
                Consider(false, diff, a, e, i, prefix);
            }
        }

        private void Consider(bool mismatch, double score, TensorValue a, TensorValue e, long i, long[] prefix)
        {
            var better = worstActual is null
                || (mismatch && !worstIsMismatch)
                || (mismatch == worstIsMismatch && score > worstScore);
            if (!better)
            {
                return;
            }

            worstIsMismatch = mismatch;
            worstScore = score;
            worstActual = a;
            worstExpected = e;
            worstFlat = i;
            worstPrefix = prefix;
        }

        public OutputComparison ToResult(string outputName, string? goldenFile)
        {
            long[]? index = null;
            string? actualText = null;
            string? expectedText = null;
            if (worstActual is not null && worstExpected is not null)
            {
                index = [.. worstPrefix!, .. Unravel(worstFlat, worstExpected.Shape)];
                actualText = FormatElement(worstActual, worstFlat);
                expectedText = FormatElement(worstExpected, worstFlat);
            }

            return new OutputComparison(outputName, Mismatch == 0, null, Count, Mismatch, maxAbs, maxRel, index,
                actualText, expectedText, Math.Max(0, requiredAtol), Math.Max(0, requiredRtol), tolerance, goldenFile);
        }
    }
}
