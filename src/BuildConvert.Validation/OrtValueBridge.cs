using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Values;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Validation;

/// <summary>
/// Converts between BuildConvert's <see cref="DataValue"/>s and ONNX Runtime <see cref="OrtValue"/>s using only the
/// <c>OrtValue</c> API. Tensors are copied into memory ONNX Runtime allocates, so an <see cref="OrtValue"/> made here
/// does not pin or reference the <see cref="DataValue"/>'s memory.
/// </summary>
/// <remarks>
/// Supported element types are those ONNX Runtime's .NET API can create and read: float, double, float16, bfloat16,
/// int8-int64, uint8-uint64, bool and string. Float8 variants, 4-bit and 2-bit integers and complex numbers are refused
/// with <see cref="DiagnosticCodes.UnsupportedRuntimeType"/>. Sequences (non-empty), maps and present optionals are
/// supported as inputs; an empty optional cannot be created through the .NET API (leave such an input unfed instead).
/// </remarks>
public static class OrtValueBridge
{
    /// <summary>Whether ONNX Runtime's .NET API can carry tensors of <paramref name="type"/>.</summary>
    public static bool IsSupported(DataType type) => TryGetOrtType(type, out _);

    /// <summary>
    /// Creates an <see cref="OrtValue"/> holding a copy of <paramref name="value"/>. The caller owns the result and must
    /// dispose it (a <c>using</c> scoped to one run).
    /// </summary>
    /// <exception cref="BuildConvertException">BCONV4009 when the value's type or kind cannot be built through the
    /// .NET API; BCONV4005 when a tensor's data does not fit its shape.</exception>
    public static OrtValue ToOrtValue(DataValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value switch
        {
            TensorValue t => FromTensor(t),
            SequenceValue s => FromSequence(s),
            MapValue m => FromMap(m),
            OptionalValue { Value: not null } o => ToOrtValue(o.Value),
            OptionalValue o => throw Unsupported($"'{o.Name}': an empty optional cannot be created through ONNX Runtime's .NET API"),
            _ => throw Unsupported($"'{value.Name}': values of kind {value.GetType().Name} are not supported"),
        };
    }

    /// <summary>
    /// Reads <paramref name="value"/> into a <see cref="DataValue"/> holding copies of its data. The caller keeps
    /// ownership of <paramref name="value"/>; element values read from sequences and maps are disposed here.
    /// An optional output that holds nothing reads as an empty <see cref="OptionalValue"/>.
    /// </summary>
    /// <exception cref="BuildConvertException">BCONV4009 for element types or value kinds the .NET API cannot read.</exception>
    public static DataValue FromOrtValue(string name, OrtValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        OnnxValueType kind;
        try
        {
            kind = value.OnnxType;
        }
        catch (OnnxRuntimeException)
        {
            kind = OnnxValueType.ONNX_TYPE_UNKNOWN;
        }

        return kind switch
        {
            OnnxValueType.ONNX_TYPE_TENSOR => ReadTensor(name, value),
            OnnxValueType.ONNX_TYPE_SEQUENCE => ReadSequence(name, value),
            OnnxValueType.ONNX_TYPE_MAP => ReadMap(name, value),
            OnnxValueType.ONNX_TYPE_UNKNOWN or OnnxValueType.ONNX_TYPE_OPTIONAL => new OptionalValue(name, 0, null),
            _ => throw Unsupported($"'{name}': ONNX Runtime returned a value of kind {kind}, which cannot be read"),
        };
    }

    internal static bool TryGetOrtType(DataType type, out TensorElementType ortType)
    {
        var bridged = ElementTypeTable.Find(type) is { OrtBridged: true };
        ortType = bridged ? (TensorElementType)(int)type : TensorElementType.DataTypeMax;
        return bridged;
    }

    internal static DataType ToOnnxType(TensorElementType type) =>
        ElementTypeTable.Find((DataType)(int)type) is { OrtBridged: true } row ? row.Type : DataType.Undefined;

    private static BuildConvertException Unsupported(string message) =>
        BuildConvertException.Create(DiagnosticCodes.UnsupportedRuntimeType, message);

    private static OrtValue FromTensor(TensorValue tensor)
    {
        if (!TryGetOrtType(tensor.ElementType, out var ortType))
        {
            throw Unsupported($"'{tensor.Name}': ONNX Runtime's .NET API cannot create {ElementTypes.Name(tensor.ElementType)} tensors");
        }

        long count;
        try
        {
            count = tensor.ElementCount;
        }
        catch (Exception ex) when (ex is OverflowException or ArgumentException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenInputMismatch,
                $"'{tensor.Name}': shape [{string.Join(",", tensor.Shape)}] is not valid");
        }

        if (tensor.IsString)
        {
            var strings = tensor.Strings ?? [];
            if (strings.Length != count)
            {
                throw BuildConvertException.Create(DiagnosticCodes.GoldenInputMismatch,
                    $"'{tensor.Name}': {strings.Length} strings do not fill shape [{string.Join(",", tensor.Shape)}]");
            }

            var stringValue = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, tensor.Shape);
            try
            {
                for (var i = 0; i < strings.Length; i++)
                {
                    stringValue.StringTensorSetElementAt(strings[i].AsSpan(), i);
                }

                return stringValue;
            }
            catch
            {
                stringValue.Dispose();
                throw;
            }
        }

        var bytes = ElementTypes.ByteCount(tensor.ElementType, count);
        if (tensor.Data.Length != bytes)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenInputMismatch,
                $"'{tensor.Name}': {tensor.Data.Length} data bytes do not fit shape [{string.Join(",", tensor.Shape)}] of {ElementTypes.Name(tensor.ElementType)} ({bytes} bytes)");
        }

        var result = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, ortType, tensor.Shape);
        try
        {
            if (bytes > 0)
            {
                tensor.Data.Span.CopyTo(result.GetTensorMutableRawData());
            }

            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private static OrtValue FromSequence(SequenceValue sequence)
    {
        if (sequence.Items.Count == 0)
        {
            throw Unsupported($"'{sequence.Name}': an empty sequence cannot be created through ONNX Runtime's .NET API");
        }

        var items = new List<OrtValue>(sequence.Items.Count);
        try
        {
            foreach (var item in sequence.Items)
            {
                items.Add(ToOrtValue(item));
            }

            return OrtValue.CreateSequence(items);
        }
        finally
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }

    private static OrtValue FromMap(MapValue map)
    {
        var values = map.Values.Items;
        if (values.Count != map.Keys.ElementCount
            || values.Any(v => v is not TensorValue { ElementCount: 1 } t || t.ElementType != ((TensorValue)values[0]).ElementType))
        {
            throw Unsupported($"'{map.Name}': only maps whose values are scalars of one type can be passed to ONNX Runtime");
        }

        var first = (TensorValue)values[0];
        TensorValue packed;
        if (first.IsString)
        {
            packed = new TensorValue(map.Name, first.ElementType, [values.Count], default,
                values.Select(v => ((TensorValue)v).Strings![0]).ToArray());
        }
        else
        {
            var width = (int)ElementTypes.ByteCount(first.ElementType, 1);
            var data = new byte[values.Count * width];
            for (var i = 0; i < values.Count; i++)
            {
                ((TensorValue)values[i]).Data.Span[..width].CopyTo(data.AsSpan(i * width));
            }

            packed = new TensorValue(map.Name, first.ElementType, [values.Count], data);
        }

        OrtValue? keys = null;
        OrtValue? vals = null;
        try
        {
            keys = FromTensor(map.Keys with { Shape = [map.Keys.ElementCount] });
            vals = FromTensor(packed);
            return OrtValue.CreateMap(ref keys, ref vals);
        }
        finally
        {
            keys?.Dispose();
            vals?.Dispose();
        }
    }

    private static TensorValue ReadTensor(string name, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var type = ToOnnxType(info.ElementDataType);
        if (type == DataType.Undefined)
        {
            throw Unsupported($"'{name}': ONNX Runtime's .NET API cannot read tensors of element type {(int)info.ElementDataType}");
        }

        var shape = info.Shape;
        if (type == DataType.String)
        {
            return new TensorValue(name, type, shape, default, value.GetStringTensorAsArray());
        }

        return new TensorValue(name, type, shape, value.GetTensorMutableRawData().ToArray());
    }

    private static SequenceValue ReadSequence(string name, OrtValue value)
    {
        var count = value.GetValueCount();
        var items = new List<DataValue>(count);
        for (var i = 0; i < count; i++)
        {
            using var item = value.GetValue(i, OrtAllocator.DefaultInstance);
            items.Add(FromOrtValue(name, item));
        }

        var elementType = items.Count == 0 ? 1 : items[0] switch
        {
            SequenceValue => 3,
            MapValue => 4,
            OptionalValue => 5,
            _ => 1,
        };
        return new SequenceValue(name, elementType, items);
    }

    private static MapValue ReadMap(string name, OrtValue value)
    {
        using var keysValue = value.GetValue(0, OrtAllocator.DefaultInstance);
        using var valuesValue = value.GetValue(1, OrtAllocator.DefaultInstance);
        var keys = ReadTensor(name, keysValue);
        var values = ReadTensor(name, valuesValue);
        var items = new List<DataValue>((int)values.ElementCount);
        var width = values.IsString ? 0 : (int)ElementTypes.ByteCount(values.ElementType, 1);
        for (var i = 0; i < (int)values.ElementCount; i++)
        {
            items.Add(values.IsString
                ? new TensorValue(name, values.ElementType, [], default, [values.Strings![i]])
                : new TensorValue(name, values.ElementType, [], values.Data.Slice(i * width, width)));
        }

        return new MapValue(name, keys, new SequenceValue(name, 1, items));
    }
}
