namespace BuildConvert.Core.Formats.Npy;

/// <summary>
/// A read-only pass-through stream that computes the CRC-32 (ISO-HDLC, the zip polynomial 0xEDB88320) of every byte
/// read through it, so a zip entry can be checked against its stored checksum while it is read once.
/// </summary>
internal sealed class Crc32Stream : Stream
{
    private static readonly uint[] Table = MakeTable();
    private readonly Stream inner;
    private uint crc = 0xFFFFFFFFu;

    public Crc32Stream(Stream inner)
    {
        this.inner = inner;
    }

    /// <summary>The CRC-32 of the bytes read so far.</summary>
    public uint Crc => ~crc;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        var c = crc;
        foreach (var b in buffer[..n])
        {
            c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        crc = c;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private static uint[] MakeTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
