using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Formats.TorchScript;

/// <summary>
/// A tensor storage of an archive, as a pickle's persistent id <c>('storage', torch.FloatStorage, key, location,
/// numel)</c> names it: <paramref name="Numel"/> elements of <paramref name="ElementType"/> in entry
/// <paramref name="Entry"/>. <paramref name="Bytes"/> is the entry's bytes (a slice of the mapped file for a stored
/// entry), or null where the archive writes storages without data (traced inputs).
/// </summary>
internal sealed record TorchStorage(string StorageType, DataType ElementType, int ElementSize, string Entry, long Numel, ReadOnlyMemory<byte>? Bytes, bool BigEndian);

/// <summary>
/// Turns a storage and a view of it (storage offset, sizes, strides: <c>torch._utils._rebuild_tensor_v2</c>'s
/// arguments) into a tensor. A contiguous view of a little-endian storage is a slice of the storage's memory (the
/// archive's mapping: nothing copied); any other view (strided, transposed, expanded, a big-endian storage) is
/// gathered into one new row-major buffer.
/// </summary>
internal static class TorchTensors
{
    /// <summary>Builds the tensor; a <see cref="TorchTensorSpec"/> when the storage has no bytes.</summary>
    /// <exception cref="BuildConvertException">BCONV1317 when the view leaves the storage.</exception>
    public static object Build(TorchStorage storage, long offset, long[] sizes, long[] strides, bool requiresGrad, string path, string where)
    {
        if (sizes.Length != strides.Length)
        {
            throw OutOfBounds(path, where, $"has {sizes.Length} sizes but {strides.Length} strides");
        }

        if (offset < 0 || sizes.Any(s => s < 0) || strides.Any(s => s < 0))
        {
            throw OutOfBounds(path, where, $"has a negative storage offset, size or stride (offset {offset}, sizes [{string.Join(",", sizes)}], strides [{string.Join(",", strides)}])");
        }

        long count, last;
        try
        {
            count = 1;
            last = offset;
            foreach (var s in sizes)
            {
                count = checked(count * s);
            }

            for (var i = 0; i < sizes.Length; i++)
            {
                if (sizes[i] > 0)
                {
                    last = checked(last + ((sizes[i] - 1) * strides[i]));
                }
            }
        }
        catch (OverflowException)
        {
            throw OutOfBounds(path, where, $"has sizes [{string.Join(",", sizes)}] and strides [{string.Join(",", strides)}] whose extent overflows 64 bits");
        }

        if (count > 0 && last >= storage.Numel)
        {
            throw OutOfBounds(path, where,
                $"(storage offset {offset}, sizes [{string.Join(",", sizes)}], strides [{string.Join(",", strides)}]) reads element {last} of storage '{storage.Entry}', which has {storage.Numel} elements");
        }

        if (storage.Bytes is not { } bytes)
        {
            return new TorchTensorSpec(storage.ElementType, sizes, null);
        }

        var size = storage.ElementSize;
        if (count == 0)
        {
            return new TorchTensorConstant(TensorData.FromBytes(storage.ElementType, sizes, ReadOnlyMemory<byte>.Empty), requiresGrad);
        }

        var swap = storage.BigEndian && size > 1;
        if (IsContiguous(sizes, strides) && !swap)
        {
            return new TorchTensorConstant(TensorData.FromBytes(storage.ElementType, sizes, bytes.Slice(checked((int)(offset * size)), checked((int)(count * size)))), requiresGrad);
        }

        var buffer = Gather(bytes.Span, size, offset, sizes, strides, count);
        if (swap)
        {
            Swap(buffer, storage.ElementType is DataType.Complex64 or DataType.Complex128 ? size / 2 : size);
        }

        return new TorchTensorConstant(TensorData.FromBytes(storage.ElementType, sizes, buffer), requiresGrad);
    }

    /// <summary>Whether the strides are row-major for the sizes (dimensions of size 1 may have any stride).</summary>
    public static bool IsContiguous(long[] sizes, long[] strides)
    {
        long expected = 1;
        for (var i = sizes.Length - 1; i >= 0; i--)
        {
            if (sizes[i] != 1 && strides[i] != expected)
            {
                return false;
            }

            expected *= sizes[i];
        }

        return true;
    }

    private static byte[] Gather(ReadOnlySpan<byte> source, int size, long offset, long[] sizes, long[] strides, long count)
    {
        var buffer = new byte[checked(count * size)];
        var rank = sizes.Length;
        if (rank == 0)
        {
            source.Slice((int)(offset * size), size).CopyTo(buffer);
            return buffer;
        }

        // Runs along the innermost dimension are copied at once where its stride is 1.
        var inner = sizes[rank - 1];
        var innerStride = strides[rank - 1];
        var index = new long[rank];
        var written = 0;
        while (written < buffer.Length)
        {
            long start = offset;
            for (var d = 0; d < rank - 1; d++)
            {
                start += index[d] * strides[d];
            }

            if (innerStride == 1)
            {
                var run = checked((int)(inner * size));
                source.Slice(checked((int)(start * size)), run).CopyTo(buffer.AsSpan(written));
                written += run;
            }
            else
            {
                for (long k = 0; k < inner; k++)
                {
                    source.Slice(checked((int)((start + (k * innerStride)) * size)), size).CopyTo(buffer.AsSpan(written));
                    written += size;
                }
            }

            for (var d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < sizes[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }

        return buffer;
    }

    private static void Swap(byte[] buffer, int width)
    {
        for (var i = 0; i + width <= buffer.Length; i += width)
        {
            buffer.AsSpan(i, width).Reverse();
        }
    }

    private static BuildConvertException OutOfBounds(string path, string where, string what) =>
        BuildConvertException.Create(DiagnosticCodes.TorchTensorOutOfBounds, $"'{path}': the tensor at {where} {what}", path);
}
