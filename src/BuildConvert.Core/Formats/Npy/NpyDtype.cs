using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Formats.Npy;

/// <summary>
/// A NumPy dtype string (<c>descr</c>) mapped to an ONNX element type: byte order <c>&lt; &gt; | =</c>, kind and size.
/// </summary>
/// <param name="ElementType">The ONNX element type (STRING for <c>U</c> and <c>S</c>).</param>
/// <param name="Kind">The NumPy kind character: b i u f c U S.</param>
/// <param name="ItemSize">Bytes per element in the file.</param>
/// <param name="BigEndian">Whether multi-byte values are stored big-endian.</param>
public sealed record NpyDtype(DataType ElementType, char Kind, int ItemSize, bool BigEndian)
{
    /// <summary>Bytes per swapped unit: the element size, half of it for complex, 4 for UTF-32 strings, 1 for bytes.</summary>
    internal int SwapUnit => Kind switch
    {
        'c' => ItemSize / 2,
        'U' => 4,
        'S' or 'b' => 1,
        _ => ItemSize,
    };

    /// <summary>Parses a descr string such as <c>&lt;f4</c>, <c>|b1</c>, <c>&gt;c16</c>, <c>&lt;U7</c>, <c>|S3</c>.</summary>
    /// <exception cref="BuildConvertException">BCONV1107 for object, structured, datetime, void, long double and other
    /// dtypes golden data cannot hold; BCONV1106 for text that is not a dtype.</exception>
    public static NpyDtype Parse(string descr, string? file)
    {
        ArgumentNullException.ThrowIfNull(descr);
        var rest = descr.AsSpan();
        var bigEndian = false;
        if (rest.Length > 0 && rest[0] is '<' or '>' or '|' or '=')
        {
            bigEndian = rest[0] == '>';
            rest = rest[1..];
        }

        if (rest.Length == 0)
        {
            throw Header($"dtype '{descr}' is empty", file);
        }

        var kind = rest[0];
        var digits = rest[1..];
        if (kind == '?' && digits.Length == 0)
        {
            return new NpyDtype(DataType.Bool, 'b', 1, false);
        }

        if (kind is 'O' or 'V' or 'M' or 'm')
        {
            var what = kind switch
            {
                'O' => "an object array (it would need unpickling, which is never done)",
                'V' => "a void/structured dtype",
                _ => "a datetime/timedelta dtype",
            };
            throw Unsupported($"'{descr}' is {what}", file);
        }

        if (digits.Length == 0 || digits.Length > 9 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            throw Unsupported($"'{descr}' is not a dtype golden data supports", file);
        }

        DataType? type = kind is 'U' or 'S' or 'a'
            ? DataType.String
            : ElementTypeTable.FindByNpyKindAndSize(string.Concat(kind.ToString(), size.ToString(CultureInfo.InvariantCulture)))?.Type;
        if (type is null)
        {
            throw Unsupported($"'{descr}' is not a dtype golden data supports (bool, int8-64, uint8-64, float16/32/64, complex64/128, U, S)", file);
        }

        var normalizedKind = kind == 'a' ? 'S' : kind;
        var itemSize = normalizedKind == 'U' ? checked(size * 4) : size;
        if (normalizedKind == 'U' && size > int.MaxValue / 4)
        {
            throw Unsupported($"'{descr}' has strings too long to read", file);
        }

        return new NpyDtype(type.Value, normalizedKind, itemSize, bigEndian && itemSize > 1);
    }

    /// <summary>The little-endian descr NumPy writes for an ONNX element type, or null when NumPy has no such dtype.
    /// Strings are not covered (their descr depends on the longest string).</summary>
    public static string? DescrFor(DataType type) => ElementTypeTable.Find(type)?.NpyDescr;

    private static BuildConvertException Unsupported(string message, string? file) =>
        BuildConvertException.Create(DiagnosticCodes.NpyDtypeUnsupported, $"'{file ?? "(stream)"}': {message}", file);

    private static BuildConvertException Header(string message, string? file) =>
        BuildConvertException.Create(DiagnosticCodes.NpyHeaderInvalid, $"'{file ?? "(stream)"}': {message}", file);
}
