using BuildConvert.Core.Values;
using Google.Protobuf.Reflection;
using OnnxDataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Core.Converters.TensorFlow;

/// <summary>
/// TensorFlow element types (<c>tensorflow/core/framework/types.proto</c>) and their ONNX counterparts. Reference types
/// (<c>DT_FLOAT_REF</c>, value + 100) stand for their base type; quantized types map to their storage type
/// (<c>DT_QINT8</c> to int8); <c>DT_RESOURCE</c> and <c>DT_VARIANT</c> have no ONNX form.
/// </summary>
public static class TfDataTypes
{
    /// <summary>The base type of a reference type (<c>DT_FLOAT_REF</c> to <c>DT_FLOAT</c>); other types unchanged.</summary>
    public static TfDataType BaseType(TfDataType type) => (int)type > 100 ? (TfDataType)((int)type - 100) : type;

    /// <summary>The ONNX element type for <paramref name="type"/>, or null when it has none.</summary>
    public static OnnxDataType? ToOnnx(TfDataType type) => BaseType(type) switch
    {
        TfDataType.DtFloat => OnnxDataType.Float,
        TfDataType.DtDouble => OnnxDataType.Double,
        TfDataType.DtInt32 => OnnxDataType.Int32,
        TfDataType.DtUint8 => OnnxDataType.Uint8,
        TfDataType.DtInt16 => OnnxDataType.Int16,
        TfDataType.DtInt8 => OnnxDataType.Int8,
        TfDataType.DtString => OnnxDataType.String,
        TfDataType.DtComplex64 => OnnxDataType.Complex64,
        TfDataType.DtInt64 => OnnxDataType.Int64,
        TfDataType.DtBool => OnnxDataType.Bool,
        TfDataType.DtQint8 => OnnxDataType.Int8,
        TfDataType.DtQuint8 => OnnxDataType.Uint8,
        TfDataType.DtQint32 => OnnxDataType.Int32,
        TfDataType.DtBfloat16 => OnnxDataType.Bfloat16,
        TfDataType.DtQint16 => OnnxDataType.Int16,
        TfDataType.DtQuint16 => OnnxDataType.Uint16,
        TfDataType.DtUint16 => OnnxDataType.Uint16,
        TfDataType.DtComplex128 => OnnxDataType.Complex128,
        TfDataType.DtHalf => OnnxDataType.Float16,
        TfDataType.DtUint32 => OnnxDataType.Uint32,
        TfDataType.DtUint64 => OnnxDataType.Uint64,
        TfDataType.DtFloat8E5M2 => OnnxDataType.Float8E5M2,
        TfDataType.DtFloat8E4M3Fn => OnnxDataType.Float8E4M3Fn,
        TfDataType.DtFloat8E4M3Fnuz => OnnxDataType.Float8E4M3Fnuz,
        TfDataType.DtFloat8E5M2Fnuz => OnnxDataType.Float8E5M2Fnuz,
        TfDataType.DtInt4 => OnnxDataType.Int4,
        TfDataType.DtUint4 => OnnxDataType.Uint4,
        _ => null,
    };

    /// <summary>The TensorFlow type for an ONNX element type (the inverse of <see cref="ToOnnx"/> on unquantized types), or <c>DT_INVALID</c>.</summary>
    public static TfDataType FromOnnx(OnnxDataType type) => type switch
    {
        OnnxDataType.Float => TfDataType.DtFloat,
        OnnxDataType.Double => TfDataType.DtDouble,
        OnnxDataType.Int32 => TfDataType.DtInt32,
        OnnxDataType.Uint8 => TfDataType.DtUint8,
        OnnxDataType.Int16 => TfDataType.DtInt16,
        OnnxDataType.Int8 => TfDataType.DtInt8,
        OnnxDataType.String => TfDataType.DtString,
        OnnxDataType.Complex64 => TfDataType.DtComplex64,
        OnnxDataType.Int64 => TfDataType.DtInt64,
        OnnxDataType.Bool => TfDataType.DtBool,
        OnnxDataType.Bfloat16 => TfDataType.DtBfloat16,
        OnnxDataType.Uint16 => TfDataType.DtUint16,
        OnnxDataType.Complex128 => TfDataType.DtComplex128,
        OnnxDataType.Float16 => TfDataType.DtHalf,
        OnnxDataType.Uint32 => TfDataType.DtUint32,
        OnnxDataType.Uint64 => TfDataType.DtUint64,
        OnnxDataType.Float8E5M2 => TfDataType.DtFloat8E5M2,
        OnnxDataType.Float8E4M3Fn => TfDataType.DtFloat8E4M3Fn,
        OnnxDataType.Float8E4M3Fnuz => TfDataType.DtFloat8E4M3Fnuz,
        OnnxDataType.Float8E5M2Fnuz => TfDataType.DtFloat8E5M2Fnuz,
        OnnxDataType.Int4 => TfDataType.DtInt4,
        OnnxDataType.Uint4 => TfDataType.DtUint4,
        _ => TfDataType.DtInvalid,
    };

    /// <summary>TensorFlow's spelling of a type in messages, e.g. <c>DT_FLOAT</c>.</summary>
    public static string Name(TfDataType type) =>
        typeof(TfDataType).GetField(type.ToString())?.GetCustomAttributes(typeof(OriginalNameAttribute), false)
            .OfType<OriginalNameAttribute>().FirstOrDefault()?.Name ?? $"dtype {(int)type}";

    /// <summary>Whether ONNX's name for the type is known (for messages).</summary>
    internal static string OnnxName(OnnxDataType type) => ElementTypes.Name(type);
}
