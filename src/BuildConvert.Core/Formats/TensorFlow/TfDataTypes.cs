using OnnxType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;
using TfType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Core.Formats.TensorFlow;

/// <summary>
/// TensorFlow element types (tensorflow/core/framework/types.proto) and their ONNX equivalents. Reference types
/// (<c>DT_FLOAT_REF</c> = <c>DT_FLOAT</c> + 100, what TF1 variables output) stand for their value type.
/// </summary>
public static class TfDataTypes
{
    /// <summary>The value type of <paramref name="type"/>: a <c>_REF</c> type without its reference.</summary>
    public static TfType BaseType(TfType type) => (int)type > 100 ? (TfType)((int)type - 100) : type;

    /// <summary>The ONNX element type of <paramref name="type"/>, or null for types ONNX has none of (resource,
    /// variant, quantized types).</summary>
    public static OnnxType? ToOnnx(TfType type) => BaseType(type) switch
    {
        TfType.DtFloat => OnnxType.Float,
        TfType.DtDouble => OnnxType.Double,
        TfType.DtInt32 => OnnxType.Int32,
        TfType.DtUint8 => OnnxType.Uint8,
        TfType.DtInt16 => OnnxType.Int16,
        TfType.DtInt8 => OnnxType.Int8,
        TfType.DtString => OnnxType.String,
        TfType.DtComplex64 => OnnxType.Complex64,
        TfType.DtInt64 => OnnxType.Int64,
        TfType.DtBool => OnnxType.Bool,
        TfType.DtBfloat16 => OnnxType.Bfloat16,
        TfType.DtUint16 => OnnxType.Uint16,
        TfType.DtComplex128 => OnnxType.Complex128,
        TfType.DtHalf => OnnxType.Float16,
        TfType.DtUint32 => OnnxType.Uint32,
        TfType.DtUint64 => OnnxType.Uint64,
        TfType.DtFloat8E5M2 => OnnxType.Float8E5M2,
        TfType.DtFloat8E4M3Fn => OnnxType.Float8E4M3Fn,
        TfType.DtFloat8E4M3Fnuz => OnnxType.Float8E4M3Fnuz,
        TfType.DtFloat8E5M2Fnuz => OnnxType.Float8E5M2Fnuz,
        TfType.DtInt4 => OnnxType.Int4,
        TfType.DtUint4 => OnnxType.Uint4,
        _ => null,
    };

    /// <summary>The TensorFlow spelling (<c>DT_FLOAT</c>) for messages.</summary>
    public static string Name(TfType type) =>
        Proto.TypesReflection.Descriptor.EnumTypes[0].FindValueByNumber((int)type)?.Name ?? $"DT({(int)type})";
}
