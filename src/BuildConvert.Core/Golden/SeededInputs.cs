using System.Buffers.Binary;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Golden;

/// <summary>
/// The seeded random values golden data is made from, shared by every live oracle (ONNX Runtime for ONNX models,
/// LibTorch for TorchScript archives) so that the same seed, shapes and types give the same inputs whichever framework
/// runs them. Data set N draws from <see cref="ForDataSet"/>(seed, N); each input consumes the stream in model-input
/// order. Floating point values are uniform in [-1, 1), integers uniform in [0, 4) (small enough to be valid indices
/// for most models), bools uniform, strings from a small word list.
/// </summary>
public static class SeededInputs
{
    /// <summary>The most elements one random input may have.</summary>
    public const long MaxElements = 1L << 28;

    private static readonly string[] Words = ["alpha", "beta", "gamma", "delta", "", "epsilon", "zeta", "eta"];

    /// <summary>The random stream of data set <paramref name="dataSet"/>.</summary>
    public static Random ForDataSet(int seed, int dataSet) => new(unchecked((seed * 7919) + dataSet));

    /// <summary>The element count of <paramref name="shape"/>, or <see cref="long.MaxValue"/> when it overflows.</summary>
    public static long ElementCount(IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        try
        {
            return ElementTypes.ElementCount(shape.ToArray());
        }
        catch (OverflowException)
        {
            return long.MaxValue;
        }
    }

    /// <summary>A random tensor named <paramref name="name"/> of <paramref name="type"/> and <paramref name="shape"/>,
    /// drawn from <paramref name="random"/> (one draw of each kind per element, as golden generation always did).</summary>
    /// <exception cref="ArgumentException">The shape has more than <see cref="MaxElements"/> elements.</exception>
    public static TensorValue Tensor(string name, DataType type, IReadOnlyList<long> shape, Random random)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(random);
        var count = ElementCount(shape);
        if (count > MaxElements)
        {
            throw new ArgumentException($"shape [{string.Join(",", shape)}] has more than {MaxElements} elements", nameof(shape));
        }

        var dims = shape.ToArray();
        if (type == DataType.String)
        {
            var strings = new string[count];
            for (var i = 0; i < count; i++)
            {
                strings[i] = Words[random.Next(Words.Length)];
            }

            return new TensorValue(name, type, dims, default, strings);
        }

        var width = (int)ElementTypes.ByteCount(type, 1);
        var data = new byte[count * width];
        for (var i = 0; i < count; i++)
        {
            var slot = data.AsSpan(i * width, width);
            var real = (random.NextDouble() * 2) - 1;
            var integer = random.Next(0, 4);
            switch (type)
            {
                case DataType.Float: BinaryPrimitives.WriteSingleLittleEndian(slot, (float)real); break;
                case DataType.Double: BinaryPrimitives.WriteDoubleLittleEndian(slot, real); break;
                case DataType.Float16: BinaryPrimitives.WriteHalfLittleEndian(slot, (Half)real); break;
                case DataType.Bfloat16: BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)(BitConverter.SingleToUInt32Bits((float)real) >> 16)); break;
                case DataType.Bool: slot[0] = (byte)(integer & 1); break;
                default:
                    slot.Clear();
                    slot[0] = (byte)integer;
                    break;
            }
        }

        return new TensorValue(name, type, dims, data);
    }
}
