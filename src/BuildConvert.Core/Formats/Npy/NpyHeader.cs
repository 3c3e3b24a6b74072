using System.Globalization;
using System.Text;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Formats.Npy;

/// <summary>
/// The header of a <c>.npy</c> file: the format version and the dictionary literal
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>.
/// </summary>
/// <remarks>Spec: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html</remarks>
/// <param name="MajorVersion">1, 2 or 3.</param>
/// <param name="Descr">The dtype string, e.g. <c>&lt;f4</c>, <c>|b1</c>, <c>&gt;U5</c>.</param>
/// <param name="FortranOrder">Whether the data is stored column-major.</param>
/// <param name="Shape">The dimensions; empty for a 0-d array.</param>
/// <param name="DataOffset">Bytes from the start of the file to the first data byte.</param>
public sealed record NpyHeader(int MajorVersion, string Descr, bool FortranOrder, long[] Shape, long DataOffset)
{
    /// <summary>The magic string every .npy file starts with.</summary>
    public static ReadOnlySpan<byte> Magic => new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    /// <summary>The largest header dictionary the reader accepts (NumPy writes well under 1 KiB for supported dtypes).</summary>
    public const int MaxHeaderLength = 1 << 20;

    /// <summary>
    /// Reads and parses the header at the stream's position; afterwards the stream stands at the first data byte.
    /// </summary>
    /// <param name="stream">The stream.</param>
    /// <param name="length">Bytes available from the current position.</param>
    /// <param name="file">The file name for diagnostics.</param>
    /// <exception cref="BuildConvertException">BCONV1106 for a bad magic, version or dictionary; BCONV1107 for a
    /// structured dtype (a list descr).</exception>
    public static NpyHeader Read(Stream stream, long length, string? file)
    {
        Span<byte> preamble = stackalloc byte[12];
        if (length < 10 || ReadAtMost(stream, preamble[..8]) < 8)
        {
            throw Invalid("the file is too short to hold a .npy header", file);
        }

        if (!preamble[..6].SequenceEqual(Magic))
        {
            throw Invalid("the file does not start with the .npy magic string \\x93NUMPY", file);
        }

        int major = preamble[6], minor = preamble[7];
        if (major is < 1 or > 3 || minor != 0)
        {
            throw Invalid($"format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are)", file);
        }

        var prefix = major == 1 ? 10 : 12;
        if (length < prefix || ReadAtMost(stream, preamble[8..prefix]) < prefix - 8)
        {
            throw Invalid("the file ends inside the header length field", file);
        }

        long headerLength = major == 1
            ? preamble[8] | (preamble[9] << 8)
            : (uint)(preamble[8] | (preamble[9] << 8) | (preamble[10] << 16) | (preamble[11] << 24));
        if (headerLength > length - prefix)
        {
            throw Invalid($"the header declares {headerLength} bytes but only {length - prefix} remain", file);
        }

        if (headerLength > MaxHeaderLength)
        {
            throw Invalid($"the header declares {headerLength} bytes, more than the limit of {MaxHeaderLength}", file);
        }

        var headerBytes = new byte[headerLength];
        if (ReadAtMost(stream, headerBytes) < headerLength)
        {
            throw Invalid("the file ends inside the header", file);
        }

        string text;
        try
        {
            text = major == 3 ? new UTF8Encoding(false, true).GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        }
        catch (DecoderFallbackException)
        {
            throw Invalid("the version 3.0 header is not valid UTF-8", file);
        }

        var (descr, fortran, shape) = new DictionaryParser(text, file).Parse();
        return new NpyHeader(major, descr, fortran, shape, prefix + headerLength);
    }

    /// <summary>Formats the header dictionary as NumPy writes it, padded with spaces and a newline so that the data
    /// starts at a multiple of 64 bytes. Returns the whole preamble (magic, version, length, dictionary).</summary>
    /// <param name="descr">The dtype string.</param>
    /// <param name="fortranOrder">Whether data is column-major.</param>
    /// <param name="shape">The dimensions.</param>
    public static byte[] Format(string descr, bool fortranOrder, IReadOnlyList<long> shape)
    {
        var dims = shape.Count switch
        {
            0 => "()",
            1 => $"({shape[0].ToString(CultureInfo.InvariantCulture)},)",
            _ => "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
        };
        var dict = $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {dims}, }}";
        var major = dict.Length + 1 + 10 > ushort.MaxValue ? 2 : 1;
        var prefix = major == 1 ? 10 : 12;
        var total = prefix + dict.Length + 1;
        var padded = (total + 63) / 64 * 64;
        var header = dict + new string(' ', padded - total) + "\n";
        var result = new byte[padded];
        Magic.CopyTo(result);
        result[6] = (byte)major;
        result[7] = 0;
        var headerLength = header.Length;
        result[8] = (byte)headerLength;
        result[9] = (byte)(headerLength >> 8);
        if (major == 2)
        {
            result[10] = (byte)(headerLength >> 16);
            result[11] = (byte)(headerLength >> 24);
        }

        Encoding.Latin1.GetBytes(header, result.AsSpan(prefix));
        return result;
    }

    internal static int ReadAtMost(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private static BuildConvertException Invalid(string message, string? file) =>
        BuildConvertException.Create(DiagnosticCodes.NpyHeaderInvalid, $"'{file ?? "(stream)"}': {message}", file);

    /// <summary>Parses the Python dict literal of a header: string keys; string, bool and int-tuple values.</summary>
    private sealed class DictionaryParser(string text, string? file)
    {
        private int _pos;

        public (string Descr, bool Fortran, long[] Shape) Parse()
        {
            string? descr = null;
            bool? fortran = null;
            long[]? shape = null;
            Expect('{');
            while (true)
            {
                SkipSpace();
                if (Peek() == '}')
                {
                    _pos++;
                    break;
                }

                var key = ReadString();
                Expect(':');
                SkipSpace();
                switch (key)
                {
                    case "descr":
                        if (Peek() == '[')
                        {
                            throw BuildConvertException.Create(DiagnosticCodes.NpyDtypeUnsupported,
                                $"'{file ?? "(stream)"}': the array has a structured dtype (a list descr), which golden data does not support", file);
                        }

                        descr = ReadString();
                        break;
                    case "fortran_order":
                        fortran = ReadBool();
                        break;
                    case "shape":
                        shape = ReadShape();
                        break;
                    default:
                        throw Invalid($"the header has the unexpected key '{key}'", file);
                }

                SkipSpace();
                if (Peek() == ',')
                {
                    _pos++;
                    continue;
                }

                Expect('}');
                break;
            }

            SkipSpace();
            if (_pos != text.Length)
            {
                throw Invalid("the header has text after the dictionary", file);
            }

            if (descr is null || fortran is null || shape is null)
            {
                throw Invalid("the header must have the keys 'descr', 'fortran_order' and 'shape'", file);
            }

            return (descr, fortran.Value, shape);
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void SkipSpace()
        {
            while (_pos < text.Length && text[_pos] is ' ' or '\t' or '\n' or '\r')
            {
                _pos++;
            }
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c)
            {
                throw Invalid($"malformed header dictionary: expected '{c}' at offset {_pos}", file);
            }

            _pos++;
        }

        private string ReadString()
        {
            SkipSpace();
            var quote = Peek();
            if (quote is not ('\'' or '"'))
            {
                throw Invalid($"malformed header dictionary: expected a string at offset {_pos}", file);
            }

            _pos++;
            var sb = new StringBuilder();
            while (_pos < text.Length && text[_pos] != quote)
            {
                if (text[_pos] == '\\' && _pos + 1 < text.Length)
                {
                    _pos++;
                }

                sb.Append(text[_pos++]);
            }

            if (_pos >= text.Length)
            {
                throw Invalid("malformed header dictionary: unterminated string", file);
            }

            _pos++;
            return sb.ToString();
        }

        private bool ReadBool()
        {
            if (string.CompareOrdinal(text, _pos, "True", 0, 4) == 0)
            {
                _pos += 4;
                return true;
            }

            if (string.CompareOrdinal(text, _pos, "False", 0, 5) == 0)
            {
                _pos += 5;
                return false;
            }

            throw Invalid($"malformed header dictionary: 'fortran_order' must be True or False (offset {_pos})", file);
        }

        private long[] ReadShape()
        {
            Expect('(');
            var dims = new List<long>();
            while (true)
            {
                SkipSpace();
                if (Peek() == ')')
                {
                    _pos++;
                    return dims.ToArray();
                }

                var start = _pos;
                while (_pos < text.Length && char.IsAsciiDigit(text[_pos]))
                {
                    _pos++;
                }

                if (_pos == start || _pos - start > 18)
                {
                    throw Invalid($"malformed header dictionary: 'shape' must be a tuple of non-negative integers (offset {start})", file);
                }

                dims.Add(long.Parse(text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture));
                if (Peek() == 'L')
                {
                    _pos++;
                }

                if (dims.Count > 64)
                {
                    throw Invalid("the shape has more than 64 dimensions", file);
                }

                SkipSpace();
                if (Peek() == ',')
                {
                    _pos++;
                    continue;
                }

                if (dims.Count == 1)
                {
                    // "(3)" is an int in Python, not a tuple; NumPy never writes it.
                    throw Invalid("malformed header dictionary: a one-dimensional shape must be written (n,)", file);
                }

                Expect(')');
                return dims.ToArray();
            }
        }
    }
}
