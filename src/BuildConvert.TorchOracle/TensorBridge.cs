using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Values;
using TorchSharp;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;
using ScalarType = TorchSharp.torch.ScalarType;

namespace BuildConvert.TorchOracle;

/// <summary>Copies tensors between <see cref="TensorValue"/> (ONNX element types, little-endian bytes) and LibTorch.</summary>
internal static class TensorBridge
{
    private static readonly (DataType Onnx, ScalarType Torch)[] Types =
    [
        (DataType.Float, ScalarType.Float32), (DataType.Double, ScalarType.Float64), (DataType.Float16, ScalarType.Float16),
        (DataType.Bfloat16, ScalarType.BFloat16), (DataType.Int64, ScalarType.Int64), (DataType.Int32, ScalarType.Int32),
        (DataType.Int16, ScalarType.Int16), (DataType.Int8, ScalarType.Int8), (DataType.Uint8, ScalarType.Byte),
        (DataType.Bool, ScalarType.Bool),
    ];

    /// <summary>The element types the oracle passes and reads, by their ONNX names.</summary>
    public static IEnumerable<DataType> Supported => Types.Select(t => t.Onnx);

    public static ScalarType? ToTorch(DataType type) => Types.Any(t => t.Onnx == type) ? Types.First(t => t.Onnx == type).Torch : null;

    public static DataType? ToOnnx(ScalarType type) => Types.Any(t => t.Torch == type) ? Types.First(t => t.Torch == type).Onnx : null;

    /// <summary>A LibTorch tensor holding a copy of <paramref name="value"/>; the caller disposes it.</summary>
    public static torch.Tensor ToTorch(TensorValue value)
    {
        var type = ToTorch(value.ElementType)
            ?? throw BuildConvertException.Create(DiagnosticCodes.TorchInputMismatch,
                $"input '{value.Name}' is {ElementTypes.Name(value.ElementType)}; the oracle passes {string.Join(", ", Supported.Select(ElementTypes.Name))}", location: value.Name);
        var tensor = torch.empty(value.Shape, type);
        if (value.Data.Length > 0)
        {
            tensor.bytes = value.Data.ToArray();
        }

        return tensor;
    }

    /// <summary>Flattens a TorchScript result as TorchSharp returns it (a tensor, a scalar, tuples and arrays of them,
    /// null for None) into tensors named <c>output_K</c>, K counting the flat list; None is left out.</summary>
    /// <exception cref="BuildConvertException">BCONV4107 for a value that is none of these.</exception>
    public static List<TensorValue> Flatten(object? result, string method)
    {
        var outputs = new List<TensorValue>();
        Add(result, outputs, method);
        return outputs;
    }

    private static void Add(object? value, List<TensorValue> outputs, string method)
    {
        var name = "output_" + outputs.Count.ToString(CultureInfo.InvariantCulture);
        switch (value)
        {
            case null:
                return;
            case torch.Tensor t:
                outputs.Add(FromTorch(name, t));
                t.Dispose();
                return;
            case Scalar s:
                outputs.Add(FromScalar(name, s));
                s.Dispose();
                return;
            case System.Runtime.CompilerServices.ITuple tuple:
                for (var i = 0; i < tuple.Length; i++)
                {
                    Add(tuple[i], outputs, method);
                }

                return;
            case System.Collections.IEnumerable items:
                foreach (var item in items)
                {
                    Add(item, outputs, method);
                }

                return;
            default:
                throw BuildConvertException.Create(DiagnosticCodes.TorchOutputUnsupported,
                    $"method '{method}' returned a {value.GetType().Name}, which the oracle cannot read");
        }
    }

    private static TensorValue FromTorch(string name, torch.Tensor tensor)
    {
        var type = ToOnnx(tensor.dtype)
            ?? throw BuildConvertException.Create(DiagnosticCodes.TorchOutputUnsupported, $"output '{name}' is a {tensor.dtype} tensor, which the oracle does not read");
        using var contiguous = tensor.contiguous();
        var bytes = contiguous.bytes.ToArray();
        return new TensorValue(name, type, tensor.shape.ToArray(), bytes);
    }

    private static TensorValue FromScalar(string name, Scalar scalar)
    {
        // TorchScript scalars are int (int64), float (double) or bool.
        switch (scalar.Type)
        {
            case ScalarType.Bool:
                return new TensorValue(name, DataType.Bool, [], new[] { scalar.ToBoolean() ? (byte)1 : (byte)0 });
            case ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64:
                return new TensorValue(name, DataType.Double, [], BitConverter.GetBytes(scalar.ToDouble()));
            case ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64:
                return new TensorValue(name, DataType.Int64, [], BitConverter.GetBytes(scalar.ToInt64()));
            default:
                throw BuildConvertException.Create(DiagnosticCodes.TorchOutputUnsupported, $"output '{name}' is a {scalar.Type} scalar, which the oracle does not read");
        }
    }
}
