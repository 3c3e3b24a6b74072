using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace BuildConvert.Core.Tests.Formats.TorchScript;

/// <summary>Writes zip files byte by byte (PKWARE APPNOTE layout), including the malformed ones the reader must refuse.</summary>
internal sealed class ZipBuilder
{
    private readonly List<Entry> entries = new();

    public ZipBuilder Stored(string name, byte[] data, int align = 64)
    {
        entries.Add(new Entry(name, data, data, 0, data.LongLength, align));
        return this;
    }

    public ZipBuilder Deflated(string name, byte[] data, long? declaredSize = null)
    {
        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(data);
        }

        entries.Add(new Entry(name, data, buffer.ToArray(), 8, declaredSize ?? data.LongLength, 0));
        return this;
    }

    public byte[] Build()
    {
        using var file = new MemoryStream();
        var central = new MemoryStream();
        foreach (var entry in entries)
        {
            var name = Encoding.UTF8.GetBytes(entry.Name);
            var offset = file.Position;
            var pad = 0;
            if (entry.Align > 0)
            {
                var dataStart = offset + 30 + name.Length + 4;
                pad = (int)((entry.Align - (dataStart % entry.Align)) % entry.Align);
            }

            var extra = entry.Align > 0 ? new byte[4 + pad] : Array.Empty<byte>();
            if (extra.Length > 0)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(extra, 0x4246); // PyTorch's 'FB' padding field
                BinaryPrimitives.WriteUInt16LittleEndian(extra.AsSpan(2), (ushort)pad);
            }

            var crc = Crc(entry.Data);
            WriteHeader(file, 0x04034b50, entry, crc, name, extra, local: true, offset);
            file.Write(entry.Stored);
            WriteHeader(central, 0x02014b50, entry, crc, name, Array.Empty<byte>(), local: false, offset);
        }

        var directoryOffset = file.Position;
        central.Position = 0;
        central.CopyTo(file);
        var end = new byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(8), (ushort)entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(10), (ushort)entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(12), (uint)central.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(16), (uint)directoryOffset);
        file.Write(end);
        return file.ToArray();
    }

    private static void WriteHeader(Stream s, uint signature, Entry entry, uint crc, byte[] name, byte[] extra, bool local, long offset)
    {
        var header = new byte[local ? 30 : 46];
        BinaryPrimitives.WriteUInt32LittleEndian(header, signature);
        var at = local ? 4 : 6;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(at), 20); // version needed
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(at + 4), (ushort)entry.Method);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(at + 10), crc);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(at + 14), (uint)entry.Stored.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(at + 18), (uint)entry.DeclaredSize);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(at + 22), (ushort)name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(at + 24), (ushort)extra.Length);
        if (!local)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(42), (uint)offset);
        }

        s.Write(header);
        s.Write(name);
        s.Write(extra);
    }

    internal static uint Crc(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }

    private sealed record Entry(string Name, byte[] Data, byte[] Stored, int Method, long DeclaredSize, int Align);
}

/// <summary>Writes pickles opcode by opcode, as PyTorch's C++ pickler does (protocol 2).</summary>
internal sealed class PickleBuilder
{
    private readonly MemoryStream bytes = new();

    public PickleBuilder() => Op(0x80, 2);

    public PickleBuilder Op(params byte[] code)
    {
        bytes.Write(code);
        return this;
    }

    public PickleBuilder Global(string module, string name) => Op((byte)'c').Text(module + "\n" + name + "\n");

    public PickleBuilder Str(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
        return Op((byte)'X').Op(length).Op(utf8);
    }

    public PickleBuilder Int(long value)
    {
        if (value is >= 0 and < 256)
        {
            return Op((byte)'K', (byte)value);
        }

        var b = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, value);
        return Op(0x8a, 8).Op(b);
    }

    public PickleBuilder Mark() => Op((byte)'(');

    public PickleBuilder Tuple() => Op((byte)'t');

    public PickleBuilder Ints(params long[] values)
    {
        Mark();
        foreach (var v in values)
        {
            Int(v);
        }

        return Tuple();
    }

    /// <summary>A TorchScript object: GLOBAL, EMPTY_TUPLE, NEWOBJ, then the caller writes the state's items and calls <see cref="EndObject"/>.</summary>
    public PickleBuilder BeginObject(string module, string name) => Global(module, name).Op((byte)')', 0x81, (byte)'}').Mark();

    public PickleBuilder EndObject() => Op((byte)'u', (byte)'b');

    /// <summary>torch._utils._rebuild_tensor_v2((storage), offset, size, stride, requires_grad, OrderedDict()).</summary>
    public PickleBuilder Tensor(string storageType, string key, long numel, long offset, long[] size, long[] stride, string location = "cpu")
    {
        Global("torch._utils", "_rebuild_tensor_v2").Mark();
        Mark().Str("storage").Global("torch", storageType).Str(key).Str(location).Int(numel).Tuple().Op((byte)'Q');
        Int(offset).Ints(size).Ints(stride).Op(0x89).Global("collections", "OrderedDict").Op((byte)')', (byte)'R');
        return Tuple().Op((byte)'R');
    }

    public PickleBuilder Text(string text) => Op(Encoding.UTF8.GetBytes(text));

    public byte[] Stop() => Op((byte)'.').bytes.ToArray();
}

/// <summary>Small TorchScript archives built in code: the layout torch.jit.save writes, with parts replaceable.</summary>
internal static class TorchArchives
{
    public const string Code = "class M(Module):\n  __parameters__ = [\"w\", ]\n  __buffers__ = []\n  w : Tensor\n  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n    return torch.add(x, self.w)\n";

    /// <summary>The empty constants table, as PyTorch writes it.</summary>
    public static readonly byte[] EmptyConstants = { 0x80, 0x02, (byte)')', (byte)'.' };

    /// <summary>data.pkl of a module __torch__.M with one float tensor attribute w over storage data/0.</summary>
    public static byte[] ModuleWithTensor(long numel, long offset, long[] size, long[] stride, string storageType = "FloatStorage") =>
        new PickleBuilder().BeginObject("__torch__", "M")
            .Str("training").Op(0x89)
            .Str("w").Tensor(storageType, "0", numel, offset, size, stride)
            .EndObject().Stop();

    public static ZipBuilder Standard(byte[] dataPkl, byte[] storage, string root = "m", string byteOrder = "little") => new ZipBuilder()
        .Stored(root + "/data.pkl", dataPkl)
        .Deflated(root + "/code/__torch__.py", Encoding.UTF8.GetBytes(Code))
        .Stored(root + "/constants.pkl", EmptyConstants)
        .Stored(root + "/data/0", storage)
        .Stored(root + "/version", Encoding.ASCII.GetBytes("3\n"))
        .Stored(root + "/byteorder", Encoding.ASCII.GetBytes(byteOrder));

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }
}
