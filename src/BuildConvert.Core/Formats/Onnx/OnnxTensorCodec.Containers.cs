using System.Buffers.Binary;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Values;
using Google.Protobuf;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;
using Kind = BuildConvert.Core.Formats.Onnx.Proto.SequenceProto.Types.DataType;

namespace BuildConvert.Core.Formats.Onnx;

// Sequence, optional and map values (onnx-data.proto), nested up to MaxNestingDepth.
public static partial class OnnxTensorCodec
{
    /// <summary>How deeply sequences, optionals and maps may nest inside each other.</summary>
    public const int MaxNestingDepth = 32;

    /// <summary>
    /// Decodes any ONNX value proto: <see cref="TensorProto"/>, <see cref="SequenceProto"/>, <see cref="OptionalProto"/>
    /// or <see cref="MapProto"/>.
    /// </summary>
    /// <param name="proto">The message.</param>
    /// <param name="name">The name to give the value; null uses the proto's name.</param>
    /// <param name="file">The file the proto came from, for diagnostics.</param>
    /// <exception cref="BuildConvertException">BCONV1103-1105 for malformed values.</exception>
    /// <exception cref="ArgumentException"><paramref name="proto"/> is not one of the four value messages.</exception>
    public static DataValue ToDataValue(IMessage proto, string? name = null, string? file = null) =>
        proto switch
        {
            TensorProto t => ToTensorValue(t, name, file),
            SequenceProto s => ToSequenceValue(s, name, file),
            OptionalProto o => ToOptionalValue(o, name, file),
            MapProto m => ToMapValue(m, name, file),
            null => throw new ArgumentNullException(nameof(proto)),
            _ => throw new ArgumentException($"{proto.Descriptor.Name} is not an ONNX value message", nameof(proto)),
        };

    /// <summary>Decodes a sequence; items keep their own proto names.</summary>
    /// <exception cref="BuildConvertException">BCONV1105 when elem_type and the value fields disagree or nesting is too
    /// deep; BCONV1103/1104 for a bad item; BCONV1104 for sparse tensor items.</exception>
    public static SequenceValue ToSequenceValue(SequenceProto proto, string? name = null, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(proto);
        return DecodeSequence(proto, name, file, 0);
    }

    /// <summary>Decodes an optional; an optional with no value (elem_type UNDEFINED or the value field unset) is empty.</summary>
    /// <exception cref="BuildConvertException">BCONV1105 when elem_type and the value fields disagree.</exception>
    public static OptionalValue ToOptionalValue(OptionalProto proto, string? name = null, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(proto);
        return DecodeOptional(proto, name, file, 0);
    }

    /// <summary>Decodes a map: keys become a 1-D tensor of the key type, values a sequence of the same length.</summary>
    /// <exception cref="BuildConvertException">BCONV1105 for a bad key type or a key/value count mismatch.</exception>
    public static MapValue ToMapValue(MapProto proto, string? name = null, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(proto);
        return DecodeMap(proto, name, file, 0);
    }

    /// <summary>Encodes any value as its ONNX proto (TensorProto, SequenceProto, OptionalProto or MapProto).</summary>
    /// <param name="value">The value; tensor memory is shared with the result, not copied.</param>
    /// <param name="name">The proto's name; null uses the value's name.</param>
    /// <exception cref="ArgumentException">The value is inconsistent.</exception>
    public static IMessage ToProto(DataValue value, string? name = null) =>
        value switch
        {
            TensorValue t => ToTensorProto(t, name),
            SequenceValue s => ToSequenceProto(s, name),
            OptionalValue o => ToOptionalProto(o, name),
            MapValue m => ToMapProto(m, name),
            null => throw new ArgumentNullException(nameof(value)),
            _ => throw new ArgumentException($"{value.GetType().Name} has no ONNX proto form", nameof(value)),
        };

    /// <summary>Encodes a sequence. An UNDEFINED element kind with items takes the kind of the first item.</summary>
    /// <exception cref="ArgumentException">Items do not all have the sequence's element kind.</exception>
    public static SequenceProto ToSequenceProto(SequenceValue value, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var kind = value.ElementType != 0 || value.Items.Count == 0 ? value.ElementType : KindOf(value.Items[0]);
        var proto = new SequenceProto { Name = name ?? value.Name, ElemType = kind };
        foreach (var item in value.Items)
        {
            if (KindOf(item) != kind)
            {
                throw new ArgumentException($"sequence '{value.Name}' of element kind {kind} holds a {item.GetType().Name}", nameof(value));
            }

            switch (item)
            {
                case TensorValue t: proto.TensorValues.Add(ToTensorProto(t)); break;
                case SequenceValue s: proto.SequenceValues.Add(ToSequenceProto(s)); break;
                case MapValue m: proto.MapValues.Add(ToMapProto(m)); break;
                case OptionalValue o: proto.OptionalValues.Add(ToOptionalProto(o)); break;
            }
        }

        return proto;
    }

    /// <summary>Encodes an optional; an empty one keeps its element kind and sets no value field.</summary>
    /// <exception cref="ArgumentException">The value does not have the optional's element kind.</exception>
    public static OptionalProto ToOptionalProto(OptionalValue value, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var kind = value.ElementType != 0 || value.Value is null ? value.ElementType : KindOf(value.Value);
        var proto = new OptionalProto { Name = name ?? value.Name, ElemType = kind };
        if (value.Value is null)
        {
            return proto;
        }

        if (KindOf(value.Value) != kind)
        {
            throw new ArgumentException($"optional '{value.Name}' of element kind {kind} holds a {value.Value.GetType().Name}", nameof(value));
        }

        switch (value.Value)
        {
            case TensorValue t: proto.TensorValue = ToTensorProto(t); break;
            case SequenceValue s: proto.SequenceValue = ToSequenceProto(s); break;
            case MapValue m: proto.MapValue = ToMapProto(m); break;
            case OptionalValue o: proto.OptionalValue = ToOptionalProto(o); break;
        }

        return proto;
    }

    /// <summary>Encodes a map: integer keys in keys, string keys in string_keys.</summary>
    /// <exception cref="ArgumentException">The key tensor is not 1-D of an integer or string type, or its length differs
    /// from the number of values.</exception>
    public static MapProto ToMapProto(MapValue value, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var keys = value.Keys;
        if (!IsMapKeyType(keys.ElementType) || keys.Shape.Length != 1 || keys.ElementCount != value.Values.Items.Count)
        {
            throw new ArgumentException(
                $"map '{value.Name}' needs a 1-D integer or string key tensor with one key per value; it has {keys}", nameof(value));
        }

        var proto = new MapProto { Name = name ?? value.Name, KeyType = (int)keys.ElementType, Values = ToSequenceProto(value.Values) };
        if (keys.IsString)
        {
            foreach (var s in keys.Strings ?? Array.Empty<string>())
            {
                proto.StringKeys.Add(ByteString.CopyFromUtf8(s));
            }
        }
        else
        {
            var data = keys.Data.Span;
            for (var i = 0; i < keys.ElementCount; i++)
            {
                proto.Keys.Add(ReadIntegerKey(keys.ElementType, data, i));
            }
        }

        return proto;
    }

    private static int KindOf(DataValue value) => value switch
    {
        TensorValue => (int)Kind.Tensor,
        SequenceValue => (int)Kind.Sequence,
        MapValue => (int)Kind.Map,
        OptionalValue => (int)Kind.Optional,
        _ => 0,
    };

    private static bool IsMapKeyType(DataType type) => type is DataType.Int8 or DataType.Int16 or DataType.Int32
        or DataType.Int64 or DataType.Uint8 or DataType.Uint16 or DataType.Uint32 or DataType.Uint64 or DataType.String;

    private static void CheckDepth(int depth, string label, string? file)
    {
        if (depth > MaxNestingDepth)
        {
            throw BuildConvertException.Create(DiagnosticCodes.ContainerValueInvalid,
                $"value {label} nests sequences, optionals and maps more than {MaxNestingDepth} levels deep", file, label);
        }
    }

    private static SequenceValue DecodeSequence(SequenceProto proto, string? name, string? file, int depth)
    {
        var label = Label(proto.Name, name);
        CheckDepth(depth, label, file);
        var present = new List<(Kind Kind, string Field)>();
        if (proto.TensorValues.Count > 0) present.Add((Kind.Tensor, "tensor_values"));
        if (proto.SparseTensorValues.Count > 0) present.Add((Kind.SparseTensor, "sparse_tensor_values"));
        if (proto.SequenceValues.Count > 0) present.Add((Kind.Sequence, "sequence_values"));
        if (proto.MapValues.Count > 0) present.Add((Kind.Map, "map_values"));
        if (proto.OptionalValues.Count > 0) present.Add((Kind.Optional, "optional_values"));
        if (present.Count > 1)
        {
            throw ContainerError($"sequence {label} sets more than one value field ({string.Join(", ", present.Select(p => p.Field))})", label, file);
        }

        var kind = (Kind)proto.ElemType;
        if (proto.ElemType < 0 || proto.ElemType > (int)Kind.Optional)
        {
            throw ContainerError($"sequence {label} has unknown elem_type {proto.ElemType}", label, file);
        }

        if (present.Count == 1)
        {
            if (kind != Kind.Undefined && kind != present[0].Kind)
            {
                throw ContainerError($"sequence {label} has elem_type {kind} but its items are in {present[0].Field}", label, file);
            }

            kind = present[0].Kind;
        }

        if (kind == Kind.SparseTensor && present.Count == 1)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TensorTypeUnsupported,
                $"sequence {label} holds sparse tensors, which golden data does not support", file, label);
        }

        var items = new List<DataValue>();
        foreach (var t in proto.TensorValues) items.Add(ToTensorValue(t, null, file));
        foreach (var s in proto.SequenceValues) items.Add(DecodeSequence(s, null, file, depth + 1));
        foreach (var m in proto.MapValues) items.Add(DecodeMap(m, null, file, depth + 1));
        foreach (var o in proto.OptionalValues) items.Add(DecodeOptional(o, null, file, depth + 1));
        return new SequenceValue(name ?? proto.Name, (int)kind, items);
    }

    private static OptionalValue DecodeOptional(OptionalProto proto, string? name, string? file, int depth)
    {
        var label = Label(proto.Name, name);
        CheckDepth(depth, label, file);
        var present = new List<(Kind Kind, string Field)>();
        if (proto.TensorValue is not null) present.Add((Kind.Tensor, "tensor_value"));
        if (proto.SparseTensorValue is not null) present.Add((Kind.SparseTensor, "sparse_tensor_value"));
        if (proto.SequenceValue is not null) present.Add((Kind.Sequence, "sequence_value"));
        if (proto.MapValue is not null) present.Add((Kind.Map, "map_value"));
        if (proto.OptionalValue is not null) present.Add((Kind.Optional, "optional_value"));
        if (present.Count > 1)
        {
            throw ContainerError($"optional {label} sets more than one value field ({string.Join(", ", present.Select(p => p.Field))})", label, file);
        }

        if (proto.ElemType < 0 || proto.ElemType > (int)Kind.Optional)
        {
            throw ContainerError($"optional {label} has unknown elem_type {proto.ElemType}", label, file);
        }

        var kind = (Kind)proto.ElemType;
        if (present.Count == 0)
        {
            return new OptionalValue(name ?? proto.Name, (int)kind, null);
        }

        if (kind != Kind.Undefined && kind != present[0].Kind)
        {
            throw ContainerError($"optional {label} has elem_type {kind} but its value is in {present[0].Field}", label, file);
        }

        DataValue value = present[0].Kind switch
        {
            Kind.Tensor => ToTensorValue(proto.TensorValue!, null, file),
            Kind.Sequence => DecodeSequence(proto.SequenceValue!, null, file, depth + 1),
            Kind.Map => DecodeMap(proto.MapValue!, null, file, depth + 1),
            Kind.Optional => DecodeOptional(proto.OptionalValue!, null, file, depth + 1),
            _ => throw BuildConvertException.Create(DiagnosticCodes.TensorTypeUnsupported,
                $"optional {label} holds a sparse tensor, which golden data does not support", file, label),
        };
        return new OptionalValue(name ?? proto.Name, (int)present[0].Kind, value);
    }

    private static MapValue DecodeMap(MapProto proto, string? name, string? file, int depth)
    {
        var label = Label(proto.Name, name);
        CheckDepth(depth, label, file);
        var keyType = (DataType)proto.KeyType;
        if (!IsMapKeyType(keyType))
        {
            throw ContainerError($"map {label} has key_type {proto.KeyType}; map keys must be an integer type or string", label, file);
        }

        TensorValue keys;
        int keyCount;
        if (keyType == DataType.String)
        {
            if (proto.Keys.Count > 0)
            {
                throw ContainerError($"map {label} has string keys but sets the integer keys field", label, file);
            }

            keyCount = proto.StringKeys.Count;
            keys = new TensorValue("", keyType, new long[] { keyCount }, ReadOnlyMemory<byte>.Empty,
                proto.StringKeys.Select(k => k.ToStringUtf8()).ToArray());
        }
        else
        {
            if (proto.StringKeys.Count > 0)
            {
                throw ContainerError($"map {label} has {ElementTypes.Name(keyType)} keys but sets string_keys", label, file);
            }

            keyCount = proto.Keys.Count;
            var width = ElementTypes.BitsPerElement(keyType) / 8;
            var data = new byte[keyCount * width];
            for (var i = 0; i < keyCount; i++)
            {
                WriteIntegerKey(keyType, data.AsSpan(i * width), proto.Keys[i]);
            }

            keys = new TensorValue("", keyType, new long[] { keyCount }, data);
        }

        var values = proto.Values is null
            ? new SequenceValue("", 0, Array.Empty<DataValue>())
            : DecodeSequence(proto.Values, null, file, depth + 1);
        if (values.Items.Count != keyCount)
        {
            throw ContainerError($"map {label} has {keyCount} keys but {values.Items.Count} values", label, file);
        }

        return new MapValue(name ?? proto.Name, keys, values);
    }

    private static void WriteIntegerKey(DataType type, Span<byte> destination, long key)
    {
        switch (ElementTypes.BitsPerElement(type))
        {
            case 8: destination[0] = unchecked((byte)key); break;
            case 16: BinaryPrimitives.WriteInt16LittleEndian(destination, unchecked((short)key)); break;
            case 32: BinaryPrimitives.WriteInt32LittleEndian(destination, unchecked((int)key)); break;
            default: BinaryPrimitives.WriteInt64LittleEndian(destination, key); break;
        }
    }

    private static long ReadIntegerKey(DataType type, ReadOnlySpan<byte> data, int index) => type switch
    {
        DataType.Int8 => (sbyte)data[index],
        DataType.Uint8 => data[index],
        DataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(data.Slice(index * 2)),
        DataType.Uint16 => BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(index * 2)),
        DataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(data.Slice(index * 4)),
        DataType.Uint32 => BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(index * 4)),
        _ => BinaryPrimitives.ReadInt64LittleEndian(data.Slice(index * 8)),
    };

    private static BuildConvertException ContainerError(string message, string label, string? file) =>
        BuildConvertException.Create(DiagnosticCodes.ContainerValueInvalid, message, file, label);
}
