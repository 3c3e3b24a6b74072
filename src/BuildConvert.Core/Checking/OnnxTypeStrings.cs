using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Checking;

/// <summary>
/// ONNX type strings, the notation of operator type constraints: <c>tensor(float)</c>, <c>sparse_tensor(int64)</c>,
/// <c>seq(tensor(int64))</c>, <c>optional(seq(tensor(bool)))</c>, <c>map(string, tensor(float))</c>. Shapes are not
/// part of a type string. The canonical form used for comparisons writes every tensor explicitly (ONNX reads a bare
/// element type such as the <c>float</c> in <c>map(int64, float)</c> as <c>tensor(float)</c>), has no spaces except
/// the one after a map's comma, and uses ONNX's lower-case element type names.
/// </summary>
public static class OnnxTypeStrings
{
    /// <summary>The canonical type string of a tensor of <paramref name="elementType"/>, or null for UNDEFINED or an
    /// element type this version does not know.</summary>
    public static string? Tensor(int elementType) => ElementName(elementType) is { } name ? $"tensor({name})" : null;

    /// <summary>
    /// The canonical type string of <paramref name="type"/> (shape ignored), or null when it is null or not fully known:
    /// an undefined or unknown element type, a missing element/value type, an opaque type or no type at all.
    /// </summary>
    public static string? FromTypeProto(TypeProto? type) => FromTypeProto(type, depth: 0);

    /// <summary>
    /// The canonical form of a type string (see the class summary); a string it cannot read is returned trimmed and
    /// otherwise unchanged, so it compares equal only to itself.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="typeString"/> is null.</exception>
    public static string Canonical(string typeString)
    {
        ArgumentNullException.ThrowIfNull(typeString);
        return TryCanonical(typeString.AsSpan().Trim(), depth: 0) ?? typeString.Trim();
    }

    /// <summary>Whether <paramref name="typeString"/> reads as a type string (its element type names are not checked
    /// against a list: an unknown one simply matches nothing).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="typeString"/> is null.</exception>
    public static bool IsTypeString(string typeString)
    {
        ArgumentNullException.ThrowIfNull(typeString);
        return TryCanonical(typeString.AsSpan().Trim(), depth: 0) is not null;
    }

    /// <summary>The element type string inside <c>seq(...)</c>, or null when <paramref name="type"/> is not a sequence type.</summary>
    public static string? SequenceElement(string? type) => Inner(type, "seq(");

    /// <summary>The type string inside <c>optional(...)</c>, or null when <paramref name="type"/> is not an optional type.</summary>
    public static string? OptionalElement(string? type) => Inner(type, "optional(");

    private static string? Inner(string? type, string prefix) =>
        type is not null && type.StartsWith(prefix, StringComparison.Ordinal) && type.EndsWith(')') ? type[prefix.Length..^1] : null;

    private static string? ElementName(int elementType)
    {
        var type = (DataType)elementType;
        return type != DataType.Undefined && Enum.IsDefined(type) ? ElementTypes.Name(type) : null;
    }

    private static string? FromTypeProto(TypeProto? type, int depth)
    {
        if (type is null || depth > 32)
        {
            return null;
        }

        switch (type.ValueCase)
        {
            case TypeProto.ValueOneofCase.TensorType:
                return Tensor(type.TensorType.ElemType);
            case TypeProto.ValueOneofCase.SparseTensorType:
                return ElementName(type.SparseTensorType.ElemType) is { } sparse ? $"sparse_tensor({sparse})" : null;
            case TypeProto.ValueOneofCase.SequenceType:
                return FromTypeProto(type.SequenceType.ElemType, depth + 1) is { } element ? $"seq({element})" : null;
            case TypeProto.ValueOneofCase.OptionalType:
                return FromTypeProto(type.OptionalType.ElemType, depth + 1) is { } optional ? $"optional({optional})" : null;
            case TypeProto.ValueOneofCase.MapType:
                var key = ElementName(type.MapType.KeyType);
                var value = FromTypeProto(type.MapType.ValueType, depth + 1);
                return key is not null && value is not null ? $"map({key}, {value})" : null;
            default:
                return null;
        }
    }

    private static string? TryCanonical(ReadOnlySpan<char> text, int depth)
    {
        if (depth > 32)
        {
            return null;
        }

        var open = text.IndexOf('(');
        if (open < 0)
        {
            return IsElementName(text) ? $"tensor({text})" : null;
        }

        if (text[^1] != ')')
        {
            return null;
        }

        var kind = text[..open].Trim();
        var inner = text[(open + 1)..^1].Trim();
        switch (kind)
        {
            case "tensor":
            case "sparse_tensor":
                return IsElementName(inner) ? $"{kind}({inner})" : null;
            case "seq":
            case "optional":
                return TryCanonical(inner, depth + 1) is { } element ? $"{kind}({element})" : null;
            case "map":
                var comma = inner.IndexOf(',');
                if (comma < 0)
                {
                    return null;
                }

                var key = inner[..comma].Trim();
                var value = TryCanonical(inner[(comma + 1)..].Trim(), depth + 1);
                return IsElementName(key) && value is not null ? $"map({key}, {value})" : null;
            default:
                return null;
        }
    }

    private static bool IsElementName(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
