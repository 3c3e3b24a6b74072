using System.Collections.Frozen;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Values;

/// <summary>The <c>TensorProto</c> repeated field that holds a type's elements when <c>raw_data</c> is not used.</summary>
public enum TypedDataField
{
    /// <summary><c>float_data</c> (float, complex64).</summary>
    Float,

    /// <summary><c>int32_data</c> (every type narrower than 32 bits, int32, and the packed 4- and 2-bit types).</summary>
    Int32,

    /// <summary><c>string_data</c>.</summary>
    String,

    /// <summary><c>int64_data</c>.</summary>
    Int64,

    /// <summary><c>double_data</c> (double, complex128).</summary>
    Double,

    /// <summary><c>uint64_data</c> (uint32, uint64).</summary>
    Uint64,
}

/// <summary>One row of <see cref="ElementTypeTable"/>: every fact the formats, checker and runtime bridge need about an
/// ONNX element type.</summary>
/// <param name="Type">The ONNX element type.</param>
/// <param name="Bits">Bits per element in <c>raw_data</c> (0 for STRING).</param>
/// <param name="Name">The lower-case ONNX name (<c>float</c>, <c>int64</c>, <c>float8e4m3fn</c>).</param>
/// <param name="NpyDescr">The little-endian NumPy descr (<c>&lt;f4</c>), or null when NumPy has no such dtype (strings
/// included: their descr depends on the longest string).</param>
/// <param name="OrtBridged">Whether the ONNX Runtime bridge exchanges tensors of this type. ONNX Runtime's
/// <c>TensorElementType</c> uses the ONNX enum numbers, so the runtime type is <c>(TensorElementType)(int)Type</c>.</param>
/// <param name="Field">The typed field that holds the elements.</param>
/// <param name="ValuesPerField">Field entries per element as a ratio: 2/1 for complex (real, imaginary), 1/2 for 4-bit
/// types (two per int32), 1/4 for 2-bit types; 1/1 otherwise.</param>
public sealed record ElementTypeInfo(DataType Type, int Bits, string Name, string? NpyDescr, bool OrtBridged,
    TypedDataField Field, (int Values, int Elements) ValuesPerField)
{
    /// <summary>The protobuf name of <see cref="Field"/>, e.g. <c>float_data</c>.</summary>
    public string FieldName => ElementTypeTable.FieldName(Field);

    /// <summary>The number of typed-field entries <paramref name="elementCount"/> elements need (saturating at
    /// <see cref="long.MaxValue"/>).</summary>
    public long FieldCount(long elementCount)
    {
        var (values, elements) = ValuesPerField;
        if (values > 1)
        {
            return elementCount > long.MaxValue / values ? long.MaxValue : elementCount * values;
        }

        return elementCount / elements + (elementCount % elements == 0 ? 0 : 1);
    }
}

/// <summary>
/// The one table of ONNX element types. <see cref="ElementTypes"/>, the npy dtype mapping, the tensor codec, the
/// checker and the ONNX Runtime bridge all read it; a new element type is one row here.
/// </summary>
public static class ElementTypeTable
{
    private static readonly (int, int) One = (1, 1);

    /// <summary>Every defined element type except UNDEFINED, in enum order.</summary>
    public static IReadOnlyList<ElementTypeInfo> All { get; } = new ElementTypeInfo[]
    {
        new(DataType.Float, 32, "float", "<f4", true, TypedDataField.Float, One),
        new(DataType.Uint8, 8, "uint8", "|u1", true, TypedDataField.Int32, One),
        new(DataType.Int8, 8, "int8", "|i1", true, TypedDataField.Int32, One),
        new(DataType.Uint16, 16, "uint16", "<u2", true, TypedDataField.Int32, One),
        new(DataType.Int16, 16, "int16", "<i2", true, TypedDataField.Int32, One),
        new(DataType.Int32, 32, "int32", "<i4", true, TypedDataField.Int32, One),
        new(DataType.Int64, 64, "int64", "<i8", true, TypedDataField.Int64, One),
        new(DataType.String, 0, "string", null, true, TypedDataField.String, One),
        new(DataType.Bool, 8, "bool", "|b1", true, TypedDataField.Int32, One),
        new(DataType.Float16, 16, "float16", "<f2", true, TypedDataField.Int32, One),
        new(DataType.Double, 64, "double", "<f8", true, TypedDataField.Double, One),
        new(DataType.Uint32, 32, "uint32", "<u4", true, TypedDataField.Uint64, One),
        new(DataType.Uint64, 64, "uint64", "<u8", true, TypedDataField.Uint64, One),
        new(DataType.Complex64, 64, "complex64", "<c8", false, TypedDataField.Float, (2, 1)),
        new(DataType.Complex128, 128, "complex128", "<c16", false, TypedDataField.Double, (2, 1)),
        new(DataType.Bfloat16, 16, "bfloat16", null, true, TypedDataField.Int32, One),
        new(DataType.Float8E4M3Fn, 8, "float8e4m3fn", null, false, TypedDataField.Int32, One),
        new(DataType.Float8E4M3Fnuz, 8, "float8e4m3fnuz", null, false, TypedDataField.Int32, One),
        new(DataType.Float8E5M2, 8, "float8e5m2", null, false, TypedDataField.Int32, One),
        new(DataType.Float8E5M2Fnuz, 8, "float8e5m2fnuz", null, false, TypedDataField.Int32, One),
        new(DataType.Uint4, 4, "uint4", null, false, TypedDataField.Int32, (1, 2)),
        new(DataType.Int4, 4, "int4", null, false, TypedDataField.Int32, (1, 2)),
        new(DataType.Float4E2M1, 4, "float4e2m1", null, false, TypedDataField.Int32, (1, 2)),
        new(DataType.Float8E8M0, 8, "float8e8m0", null, false, TypedDataField.Int32, One),
        new(DataType.Uint2, 2, "uint2", null, false, TypedDataField.Int32, (1, 4)),
        new(DataType.Int2, 2, "int2", null, false, TypedDataField.Int32, (1, 4)),
    };

    private static readonly FrozenDictionary<DataType, ElementTypeInfo> ByType = All.ToFrozenDictionary(r => r.Type);

    private static readonly FrozenDictionary<string, ElementTypeInfo> ByDescr =
        All.Where(r => r.NpyDescr is not null).ToFrozenDictionary(r => r.NpyDescr![1..], StringComparer.Ordinal);

    /// <summary>The row for <paramref name="type"/>, or null for UNDEFINED and numbers outside the enum.</summary>
    public static ElementTypeInfo? Find(DataType type) => ByType.GetValueOrDefault(type);

    /// <summary>The row whose npy descr, without its byte-order character, is <paramref name="kindAndSize"/>
    /// (<c>f4</c>, <c>c16</c>, <c>b1</c>), or null.</summary>
    public static ElementTypeInfo? FindByNpyKindAndSize(string kindAndSize) => ByDescr.GetValueOrDefault(kindAndSize);

    /// <summary>The protobuf field name of <paramref name="field"/>.</summary>
    public static string FieldName(TypedDataField field) => field switch
    {
        TypedDataField.Float => "float_data",
        TypedDataField.Int32 => "int32_data",
        TypedDataField.String => "string_data",
        TypedDataField.Int64 => "int64_data",
        TypedDataField.Double => "double_data",
        TypedDataField.Uint64 => "uint64_data",
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };
}
