using System.Buffers.Binary;
using System.Text;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Formats.Npy;

/// <summary>
/// Reads NumPy <c>.npy</c> files (format 1.0, 2.0, 3.0) into <see cref="TensorValue"/>s: bool, signed and unsigned
/// integers, float16/32/64, complex64/128 in either byte order, C or Fortran order (converted to row-major), and
/// <c>U</c> (UTF-32) / <c>S</c> (bytes, read as UTF-8) strings as ONNX string tensors. Object arrays are never
/// unpickled. Declared sizes are checked against the bytes that remain before anything is allocated.
/// </summary>
/// <remarks>Spec: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html</remarks>
public static class NpyReader
{
    /// <summary>Reads a <c>.npy</c> file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="name">The tensor's name; null uses the file name without extension.</param>
    /// <exception cref="BuildConvertException">BCONV1106-1108 for bad content; BCONV1112 when the file cannot be read;
    /// BCONV1113 for an empty or non-regular file (refused before opening).</exception>
    public static TensorValue Read(string path, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var stream = GoldenFileAccess.OpenRegular(path, long.MaxValue);
            return Read(stream, stream.Length, name ?? Path.GetFileNameWithoutExtension(path), path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenFileIoError, $"cannot read '{path}': {ex.Message}", path, inner: ex);
        }
    }

    /// <summary>Reads a <c>.npy</c> image held in memory.</summary>
    /// <exception cref="BuildConvertException">BCONV1106-1108 for bad content.</exception>
    public static TensorValue Read(ReadOnlyMemory<byte> bytes, string name, string? file = null)
    {
        using var stream = new ReadOnlyMemoryStream(bytes);
        return Read(stream, bytes.Length, name, file);
    }

    /// <summary>
    /// Reads one array from <paramref name="stream"/>, which must hold exactly <paramref name="length"/> more bytes:
    /// fewer or more is an error. The stream is not disposed.
    /// </summary>
    /// <param name="stream">The stream, positioned at the magic string.</param>
    /// <param name="length">The bytes the stream holds from its position (a file's or zip entry's declared size).</param>
    /// <param name="name">The tensor's name.</param>
    /// <param name="file">The file name for diagnostics (for npz entries, <c>archive.npz:key.npy</c>).</param>
    /// <exception cref="BuildConvertException">BCONV1106 bad header, BCONV1107 unsupported dtype, BCONV1108 data size
    /// mismatch (truncated, trailing bytes, larger than the limit).</exception>
    public static TensorValue Read(Stream stream, long length, string name, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        var header = NpyHeader.Read(stream, length, file);
        var dtype = NpyDtype.Parse(header.Descr, file);
        var shape = header.Shape;
        var count = CountElements(shape, file);
        var remaining = length - header.DataOffset;
        if (dtype.ItemSize == 0 && count > 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.NpyDtypeUnsupported,
                $"'{file ?? name}': dtype '{header.Descr}' has zero-sized elements", file);
        }

        if (dtype.ItemSize > 0 && count > long.MaxValue / dtype.ItemSize)
        {
            throw SizeError($"shape ({string.Join(", ", shape)}) of '{header.Descr}' declares more bytes than can exist", file ?? name, file);
        }

        var dataBytes = count * dtype.ItemSize;
        if (dataBytes > remaining)
        {
            throw SizeError($"shape ({string.Join(", ", shape)}) of '{header.Descr}' needs {dataBytes} data bytes but only {remaining} remain", file ?? name, file);
        }

        if (dataBytes < remaining)
        {
            throw SizeError($"the file has {remaining - dataBytes} bytes after the {dataBytes} data bytes its header declares", file ?? name, file);
        }

        if (dataBytes > Array.MaxLength)
        {
            throw SizeError($"the array holds {dataBytes} bytes, more than one tensor can hold ({Array.MaxLength})", file ?? name, file);
        }

        var raw = new byte[dataBytes];
        if (NpyHeader.ReadAtMost(stream, raw) < raw.Length)
        {
            throw SizeError($"the data ends early: {dataBytes} bytes expected", file ?? name, file);
        }

        Span<byte> probe = stackalloc byte[1];
        if (stream.Read(probe) != 0)
        {
            throw SizeError("the data continues past the size its header and container declare", file ?? name, file);
        }

        return dtype.ElementType == DataType.String
            ? ToStrings(raw, dtype, header, count, name, file)
            : ToNumbers(raw, dtype, header, count, name);
    }

    private static long CountElements(long[] shape, string? file)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d != 0 && count > long.MaxValue / 128 / d)
            {
                throw BuildConvertException.Create(DiagnosticCodes.NpyHeaderInvalid,
                    $"'{file ?? "(stream)"}': shape ({string.Join(", ", shape)}) has an element count that overflows", file);
            }

            count *= d;
        }

        return count;
    }

    private static TensorValue ToNumbers(byte[] raw, NpyDtype dtype, NpyHeader header, long count, string name)
    {
        if (dtype.BigEndian)
        {
            SwapInPlace(raw, dtype.SwapUnit);
        }

        if (dtype.ElementType == DataType.Bool)
        {
            for (var i = 0; i < raw.Length; i++)
            {
                raw[i] = raw[i] != 0 ? (byte)1 : (byte)0;
            }
        }

        var data = raw;
        if (header.FortranOrder && header.Shape.Length > 1 && count > 1)
        {
            data = new byte[raw.Length];
            var size = dtype.ItemSize;
            ForEachFortranOffset(header.Shape, count, (c, f) => raw.AsSpan((int)(f * size), size).CopyTo(data.AsSpan((int)(c * size))));
        }

        return new TensorValue(name, dtype.ElementType, header.Shape, data);
    }

    private static TensorValue ToStrings(byte[] raw, NpyDtype dtype, NpyHeader header, long count, string name, string? file)
    {
        var size = dtype.ItemSize;
        var stored = new string[count];
        for (var i = 0; i < count; i++)
        {
            var item = raw.AsSpan((int)(i * size), size);
            stored[i] = dtype.Kind == 'U' ? DecodeUtf32(item, dtype.BigEndian, file ?? name, file) : DecodeBytes(item);
        }

        var strings = stored;
        if (header.FortranOrder && header.Shape.Length > 1 && count > 1)
        {
            strings = new string[count];
            ForEachFortranOffset(header.Shape, count, (c, f) => strings[c] = stored[f]);
        }

        return new TensorValue(name, DataType.String, header.Shape, ReadOnlyMemory<byte>.Empty, strings);
    }

    private static string DecodeBytes(ReadOnlySpan<byte> item)
    {
        var end = item.Length;
        while (end > 0 && item[end - 1] == 0)
        {
            end--;
        }

        return Encoding.UTF8.GetString(item[..end]);
    }

    private static string DecodeUtf32(ReadOnlySpan<byte> item, bool bigEndian, string label, string? file)
    {
        var chars = item.Length / 4;
        while (chars > 0 && ReadCodePoint(item, chars - 1, bigEndian) == 0)
        {
            chars--;
        }

        var sb = new StringBuilder(chars);
        for (var i = 0; i < chars; i++)
        {
            var cp = ReadCodePoint(item, i, bigEndian);
            if (!Rune.IsValid(cp))
            {
                throw BuildConvertException.Create(DiagnosticCodes.NpyDataSizeMismatch,
                    $"'{label}': a unicode string holds 0x{cp:X}, which is not a valid code point", file);
            }

            sb.Append(new Rune(cp).ToString());
        }

        return sb.ToString();
    }

    private static uint ReadCodePoint(ReadOnlySpan<byte> item, int index, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(item[(index * 4)..]) : BinaryPrimitives.ReadUInt32LittleEndian(item[(index * 4)..]);

    private static void SwapInPlace(Span<byte> data, int unit)
    {
        if (unit <= 1)
        {
            return;
        }

        for (var i = 0; i + unit <= data.Length; i += unit)
        {
            data.Slice(i, unit).Reverse();
        }
    }

    /// <summary>Calls <paramref name="visit"/>(row-major index, column-major index) for every element.</summary>
    private static void ForEachFortranOffset(long[] shape, long count, Action<long, long> visit)
    {
        var rank = shape.Length;
        var strides = new long[rank];
        long stride = 1;
        for (var j = 0; j < rank; j++)
        {
            strides[j] = stride;
            stride *= shape[j];
        }

        var index = new long[rank];
        long offset = 0;
        for (long c = 0; c < count; c++)
        {
            visit(c, offset);
            for (var j = rank - 1; j >= 0; j--)
            {
                index[j]++;
                offset += strides[j];
                if (index[j] < shape[j])
                {
                    break;
                }

                offset -= index[j] * strides[j];
                index[j] = 0;
            }
        }
    }

    private static BuildConvertException SizeError(string message, string label, string? file) =>
        BuildConvertException.Create(DiagnosticCodes.NpyDataSizeMismatch, $"'{label}': {message}", file);

    /// <summary>A read-only, seekable stream over memory (no copy).</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> memory) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => memory.Length;

        public override long Position
        {
            get => _position;
            set => _position = (int)Math.Clamp(value, 0, memory.Length);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, memory.Length - _position);
            memory.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            Position = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _position + offset,
                _ => memory.Length + offset,
            };
            return _position;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
