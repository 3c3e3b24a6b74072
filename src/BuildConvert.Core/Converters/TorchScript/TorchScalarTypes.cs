using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript;

/// <summary>How an operand takes part in PyTorch's type promotion (c10 <c>ResultTypeState</c>): a tensor with
/// dimensions, a zero-dimensional tensor, or a wrapped Python number (a <c>Scalar</c> argument).</summary>
public enum TorchOperandKind
{
    /// <summary>A tensor of rank one or more (or of unknown rank).</summary>
    Dimensioned,

    /// <summary>A zero-dimensional tensor (for example <c>prim::NumToTensor</c>'s result).</summary>
    ZeroDim,

    /// <summary>A Python number passed as a <c>Scalar</c>.</summary>
    Wrapped,
}

/// <summary>
/// PyTorch's element types as the converter sees them: the <c>ScalarType</c> codes that dtype arguments carry
/// (c10/core/ScalarType.h: 0 uint8, 1 int8, 2 int16, 3 int32, 4 int64, 5 float16, 6 float32, 7 float64, 8-10 complex,
/// 11 bool, 12-14 quantized, 15 bfloat16) mapped to ONNX element types, and the type promotion rules of
/// <c>torch.result_type</c> (c10 <c>promoteTypes</c> and <c>at::native::result_type</c>): categories bool &lt; integer
/// &lt; floating; dimensioned tensors decide before zero-dimensional ones, which decide before Python numbers, unless a
/// lower class has a higher category; a Python float counts as the default dtype (float32).
/// </summary>
public static class TorchScalarTypes
{
    /// <summary>The default floating dtype (<c>torch.get_default_dtype()</c>).</summary>
    public const DataType DefaultFloat = DataType.Float;

    /// <summary>The ONNX element type of ScalarType code <paramref name="code"/>, or null for complex, quantized and unknown codes.</summary>
    public static DataType? ToOnnx(long code) => code switch
    {
        0 => DataType.Uint8,
        1 => DataType.Int8,
        2 => DataType.Int16,
        3 => DataType.Int32,
        4 => DataType.Int64,
        5 => DataType.Float16,
        6 => DataType.Float,
        7 => DataType.Double,
        11 => DataType.Bool,
        15 => DataType.Bfloat16,
        _ => null,
    };

    /// <summary>PyTorch's name of ScalarType code <paramref name="code"/>.</summary>
    public static string Name(long code) => code switch
    {
        0 => "uint8",
        1 => "int8",
        2 => "int16",
        3 => "int32",
        4 => "int64",
        5 => "float16",
        6 => "float32",
        7 => "float64",
        8 => "complex32",
        9 => "complex64",
        10 => "complex128",
        11 => "bool",
        12 => "qint8",
        13 => "quint8",
        14 => "qint32",
        15 => "bfloat16",
        _ => $"unknown ScalarType {code}",
    };

    /// <summary>Whether PyTorch has <paramref name="type"/> as a tensor element type.</summary>
    public static bool IsTorchType(DataType type) => type is DataType.Uint8 or DataType.Int8 or DataType.Int16 or DataType.Int32
        or DataType.Int64 or DataType.Float16 or DataType.Float or DataType.Double or DataType.Bool or DataType.Bfloat16;

    /// <summary>Whether <paramref name="type"/> is a floating type.</summary>
    public static bool IsFloating(DataType type) => type is DataType.Float16 or DataType.Float or DataType.Double or DataType.Bfloat16;

    /// <summary>Whether <paramref name="type"/> is an integer type (bool excluded).</summary>
    public static bool IsIntegral(DataType type) => type is DataType.Uint8 or DataType.Int8 or DataType.Int16 or DataType.Int32
        or DataType.Int64 or DataType.Uint16 or DataType.Uint32 or DataType.Uint64;

    /// <summary>c10 <c>promoteTypes</c>: the smallest type both <paramref name="a"/> and <paramref name="b"/> convert to.</summary>
    /// <exception cref="ArgumentException">A type PyTorch does not have.</exception>
    public static DataType Promote(DataType a, DataType b)
    {
        if (a == DataType.Undefined)
        {
            return b;
        }

        if (b == DataType.Undefined || a == b)
        {
            return a;
        }

        if (!IsTorchType(a) || !IsTorchType(b))
        {
            throw new ArgumentException($"PyTorch has no element type {(IsTorchType(a) ? b : a)}");
        }

        if (a == DataType.Bool)
        {
            return b;
        }

        if (b == DataType.Bool)
        {
            return a;
        }

        var fa = IsFloating(a);
        var fb = IsFloating(b);
        if (fa && fb)
        {
            if ((a, b) is (DataType.Float16, DataType.Bfloat16) or (DataType.Bfloat16, DataType.Float16))
            {
                return DataType.Float;
            }

            return FloatRank(a) >= FloatRank(b) ? a : b;
        }

        if (fa)
        {
            return a;
        }

        if (fb)
        {
            return b;
        }

        // Two integer types: uint8 with a signed type needs a signed type of twice its width at least.
        if (a == DataType.Uint8 || b == DataType.Uint8)
        {
            var signed = a == DataType.Uint8 ? b : a;
            return signed == DataType.Int8 ? DataType.Int16 : signed;
        }

        return IntRank(a) >= IntRank(b) ? a : b;
    }

    /// <summary><c>torch.result_type</c> of the operands.</summary>
    public static DataType ResultType(IEnumerable<(DataType Type, TorchOperandKind Kind)> operands)
    {
        var dim = DataType.Undefined;
        var zero = DataType.Undefined;
        var wrapped = DataType.Undefined;
        foreach (var (type, kind) in operands)
        {
            switch (kind)
            {
                case TorchOperandKind.Dimensioned:
                    dim = Promote(dim, type);
                    break;
                case TorchOperandKind.ZeroDim:
                    zero = Promote(zero, type);
                    break;
                default:
                    wrapped = Promote(wrapped, IsFloating(type) ? DefaultFloat : type);
                    break;
            }
        }

        return Combine(dim, Combine(zero, wrapped));
    }

    /// <summary>c10 <c>combine_categories</c>: the higher class's type unless the lower class has a higher category.</summary>
    private static DataType Combine(DataType higher, DataType lower)
    {
        if (IsFloating(higher))
        {
            return higher;
        }

        if (higher == DataType.Bool || IsFloating(lower))
        {
            return Promote(higher, lower);
        }

        return higher != DataType.Undefined ? higher : lower;
    }

    private static int FloatRank(DataType t) => t switch
    {
        DataType.Float16 or DataType.Bfloat16 => 0,
        DataType.Float => 1,
        _ => 2,
    };

    private static int IntRank(DataType t) => t switch
    {
        DataType.Int8 => 0,
        DataType.Int16 => 1,
        DataType.Int32 => 2,
        _ => 3,
    };
}
