using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Formats.TorchScript;

/// <summary>
/// The storage types a TorchScript pickle names in a tensor's persistent id (<c>torch.FloatStorage</c>, ...), one per
/// c10::ScalarType (the C++ pickler writes <c>torch.</c> + the scalar type's name + <c>Storage</c>), and the ONNX element
/// type each one's bytes are. Quantized and bit-packed storages have no plain ONNX element type.
/// </summary>
public static class TorchStorageTypes
{
    /// <summary>What a storage type is.</summary>
    public enum Kind
    {
        /// <summary>Plain elements of an ONNX element type.</summary>
        Plain,

        /// <summary>A quantized storage (QInt8, QUInt8, QInt32, QUInt4x2, QUInt2x4).</summary>
        Quantized,

        /// <summary>No ONNX counterpart (ComplexHalf, the Bits types).</summary>
        Unsupported,
    }

    private static readonly Dictionary<string, (DataType Type, int Size, Kind Kind)> Table = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = (DataType.Float, 4, Kind.Plain),
        ["DoubleStorage"] = (DataType.Double, 8, Kind.Plain),
        ["HalfStorage"] = (DataType.Float16, 2, Kind.Plain),
        ["BFloat16Storage"] = (DataType.Bfloat16, 2, Kind.Plain),
        ["LongStorage"] = (DataType.Int64, 8, Kind.Plain),
        ["IntStorage"] = (DataType.Int32, 4, Kind.Plain),
        ["ShortStorage"] = (DataType.Int16, 2, Kind.Plain),
        ["CharStorage"] = (DataType.Int8, 1, Kind.Plain),
        ["ByteStorage"] = (DataType.Uint8, 1, Kind.Plain),
        ["BoolStorage"] = (DataType.Bool, 1, Kind.Plain),
        ["ComplexFloatStorage"] = (DataType.Complex64, 8, Kind.Plain),
        ["ComplexDoubleStorage"] = (DataType.Complex128, 16, Kind.Plain),
        ["UInt16Storage"] = (DataType.Uint16, 2, Kind.Plain),
        ["UInt32Storage"] = (DataType.Uint32, 4, Kind.Plain),
        ["UInt64Storage"] = (DataType.Uint64, 8, Kind.Plain),
        ["Float8_e4m3fnStorage"] = (DataType.Float8E4M3Fn, 1, Kind.Plain),
        ["Float8_e4m3fnuzStorage"] = (DataType.Float8E4M3Fnuz, 1, Kind.Plain),
        ["Float8_e5m2Storage"] = (DataType.Float8E5M2, 1, Kind.Plain),
        ["Float8_e5m2fnuzStorage"] = (DataType.Float8E5M2Fnuz, 1, Kind.Plain),
        ["Float8_e8m0fnuStorage"] = (DataType.Float8E8M0, 1, Kind.Plain),
        ["QInt8Storage"] = (DataType.Int8, 1, Kind.Quantized),
        ["QUInt8Storage"] = (DataType.Uint8, 1, Kind.Quantized),
        ["QInt32Storage"] = (DataType.Int32, 4, Kind.Quantized),
        ["QUInt4x2Storage"] = (DataType.Uint8, 1, Kind.Quantized),
        ["QUInt2x4Storage"] = (DataType.Uint8, 1, Kind.Quantized),
        ["ComplexHalfStorage"] = (DataType.Undefined, 4, Kind.Unsupported),
        ["Bits1x8Storage"] = (DataType.Undefined, 1, Kind.Unsupported),
        ["Bits2x4Storage"] = (DataType.Undefined, 1, Kind.Unsupported),
        ["Bits4x2Storage"] = (DataType.Undefined, 1, Kind.Unsupported),
        ["Bits8Storage"] = (DataType.Undefined, 1, Kind.Unsupported),
        ["Bits16Storage"] = (DataType.Undefined, 2, Kind.Unsupported),
    };

    /// <summary>Every storage class name the table knows (<c>FloatStorage</c>, ...), in no particular order.</summary>
    public static IEnumerable<string> Names => Table.Keys;

    /// <summary>Looks up the storage class <paramref name="name"/> of module <c>torch</c> (<c>FloatStorage</c>).</summary>
    /// <returns>False when <paramref name="name"/> is no storage type.</returns>
    public static bool TryFind(string name, out DataType type, out int elementSize, out Kind kind)
    {
        if (Table.TryGetValue(name, out var row))
        {
            (type, elementSize, kind) = row;
            return true;
        }

        (type, elementSize, kind) = (DataType.Undefined, 0, Kind.Unsupported);
        return false;
    }
}
