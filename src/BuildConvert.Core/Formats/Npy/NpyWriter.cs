using System.Buffers.Binary;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Values;

namespace BuildConvert.Core.Formats.Npy;

/// <summary>
/// Writes <see cref="TensorValue"/>s as NumPy <c>.npy</c> files the way <c>numpy.save</c> does: format 1.0 (2.0 for a
/// header past 64 KiB), little-endian, C order, data aligned to 64 bytes. String tensors become <c>&lt;U{n}</c> arrays
/// with n the longest string's code point count. Output bytes depend only on the value.
/// </summary>
public static class NpyWriter
{
    /// <summary>Writes <paramref name="value"/> to <paramref name="stream"/> (not disposed).</summary>
    /// <exception cref="BuildConvertException">BCONV1111 when the element type has no NumPy dtype (bfloat16, float8,
    /// 4-bit and 2-bit types).</exception>
    /// <exception cref="ArgumentException">The value's data does not match its shape.</exception>
    public static void Write(Stream stream, TensorValue value)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(value);
        var count = value.ElementCount;
        if (value.IsString)
        {
            var strings = value.Strings ?? Array.Empty<string>();
            if (strings.Length != count)
            {
                throw new ArgumentException($"string tensor '{value.Name}' has {strings.Length} strings for {count} elements", nameof(value));
            }

            var width = Math.Max(1, strings.Select(s => s.EnumerateRunes().Count()).DefaultIfEmpty(0).Max());
            stream.Write(NpyHeader.Format($"<U{width}", false, value.Shape));
            var item = new byte[width * 4];
            foreach (var s in strings)
            {
                Array.Clear(item);
                var i = 0;
                foreach (var rune in s.EnumerateRunes())
                {
                    BinaryPrimitives.WriteInt32LittleEndian(item.AsSpan(i * 4), rune.Value);
                    i++;
                }

                stream.Write(item);
            }

            return;
        }

        var descr = NpyDtype.DescrFor(value.ElementType) ?? throw BuildConvertException.Create(DiagnosticCodes.GoldenValueNotWritable,
            $"tensor '{value.Name}' has element type {ElementTypes.Name(value.ElementType)}, which NumPy files cannot hold", location: value.Name);
        var byteCount = ElementTypes.ByteCount(value.ElementType, count);
        if (value.Data.Length != byteCount)
        {
            throw new ArgumentException($"tensor '{value.Name}' has {value.Data.Length} data bytes; its shape needs {byteCount}", nameof(value));
        }

        stream.Write(NpyHeader.Format(descr, false, value.Shape));
        stream.Write(value.Data.Span);
    }

    /// <summary>The bytes of a <c>.npy</c> file holding <paramref name="value"/>.</summary>
    /// <exception cref="BuildConvertException">BCONV1111 for a type NumPy cannot hold.</exception>
    public static byte[] ToBytes(TensorValue value)
    {
        using var stream = new MemoryStream();
        Write(stream, value);
        return stream.ToArray();
    }

    /// <summary>Writes a <c>.npy</c> file through an <see cref="OutputSet"/>, so a failure leaves no partial file.</summary>
    /// <exception cref="BuildConvertException">BCONV1111 for a type NumPy cannot hold; BCONV1112 for I/O errors.</exception>
    public static void Write(string path, TensorValue value) =>
        NpyFile.Write(path, stream => Write(stream, value));
}
