using BuildConvert.Core.Converters.TensorFlow;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using BuildConvert.Core.Graphs;
using Google.Protobuf;
using TfType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Core.Formats.TensorFlow.Bundle;

/// <summary>
/// A TensorFlow checkpoint in the tensor bundle format (tensorflow/core/util/tensor_bundle): <c>PREFIX.index</c>, a
/// sorted-string table whose key <c>""</c> holds a <see cref="BundleHeaderProto"/> and every other key a variable's
/// <see cref="BundleEntryProto"/>, and the shards <c>PREFIX.data-NNNNN-of-NNNNN</c> holding the values at the
/// entries' offsets, each checked against its masked CRC-32C. Variables saved in slices are assembled. Opening reads
/// only the index (and checks that every shard exists); each value is read once, when asked for, into the one array
/// that then backs its <see cref="TensorData"/>. Immutable; safe for concurrent reads.
/// </summary>
internal sealed class TensorBundle
{
    /// <summary>The key under which TF2 checkpoints keep their serialized <see cref="TrackableObjectGraph"/>.</summary>
    public const string ObjectGraphKey = "_CHECKPOINTABLE_OBJECT_GRAPH";

    private readonly Dictionary<string, BundleEntryProto> entries;
    private readonly Dictionary<ByteKey, BundleEntryProto> sliceEntries;
    private readonly string[] shards;
    private readonly string indexPath;
    private readonly TfReadOptions options;

    private TensorBundle(string indexPath, string[] shards, Dictionary<string, BundleEntryProto> entries, Dictionary<ByteKey, BundleEntryProto> sliceEntries, TfReadOptions options)
    {
        this.indexPath = indexPath;
        this.shards = shards;
        this.entries = entries;
        this.sliceEntries = sliceEntries;
        this.options = options;
    }

    /// <summary>The shard files, in shard order.</summary>
    public IReadOnlyList<string> DataFiles => shards;

    /// <summary>The index file.</summary>
    public string IndexFile => indexPath;

    /// <summary>The variable keys (slice entries left out).</summary>
    public IEnumerable<string> Keys => entries.Keys;

    /// <summary>Whether the bundle has an entry named <paramref name="key"/>.</summary>
    public bool Contains(string key) => entries.ContainsKey(key);

    /// <summary>The entry of <paramref name="key"/>, or null.</summary>
    public BundleEntryProto? Entry(string key) => entries.GetValueOrDefault(key);

    /// <summary>Opens the bundle whose files start with <paramref name="prefix"/> (e.g. <c>variables/variables</c>).</summary>
    /// <exception cref="BuildConvertException">BCONV1209 without an index, BCONV1210 for a damaged index,
    /// BCONV1212 for a missing shard, BCONV1214 for a big-endian bundle.</exception>
    public static TensorBundle Open(string prefix, TfReadOptions options)
    {
        var indexPath = prefix + ".index";
        byte[] index;
        try
        {
            var info = new FileInfo(indexPath);
            if (!info.Exists)
            {
                throw BuildConvertException.Create(DiagnosticCodes.TfVariableNotFound, $"the variables index '{indexPath}' does not exist", indexPath);
            }

            if (info.Length > options.MaxIndexBytes)
            {
                throw BuildConvertException.Create(DiagnosticCodes.TfModelReadLimitExceeded,
                    $"the variables index '{indexPath}' has {info.Length} bytes, more than TfReadOptions.MaxIndexBytes ({options.MaxIndexBytes})", indexPath);
            }

            index = File.ReadAllBytes(indexPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.ModelReadFailed, $"the variables index '{indexPath}' could not be read: {e.Message}", indexPath, inner: e);
        }

        var header = new BundleHeaderProto();
        var entries = new Dictionary<string, BundleEntryProto>(StringComparer.Ordinal);
        var slices = new Dictionary<ByteKey, BundleEntryProto>();
        foreach (var (key, value) in SortedStringTable.ReadAll(index, indexPath))
        {
            try
            {
                if (key.Length == 0)
                {
                    header = BundleHeaderProto.Parser.ParseFrom(value);
                }
                else if (key[0] == 0)
                {
                    slices[new ByteKey(key)] = BundleEntryProto.Parser.ParseFrom(value);
                }
                else
                {
                    entries[Encoding.UTF8.GetString(key)] = BundleEntryProto.Parser.ParseFrom(value);
                }
            }
            catch (InvalidProtocolBufferException e)
            {
                throw BuildConvertException.Create(DiagnosticCodes.TfBundleCorrupt,
                    $"tensor bundle index '{indexPath}': the entry '{Printable(key)}' is not a valid {(key.Length == 0 ? "BundleHeaderProto" : "BundleEntryProto")} ({e.Message})", indexPath, inner: e);
            }
        }

        if (header.Endianness != BundleHeaderProto.Types.Endianness.Little)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TfBundleUnsupported, $"tensor bundle '{indexPath}' is big-endian; only little-endian bundles are read", indexPath);
        }

        if (header.NumShards < 0 || header.NumShards > 100_000)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TfBundleCorrupt, $"tensor bundle index '{indexPath}': the header claims {header.NumShards} shards", indexPath);
        }

        var shards = new string[header.NumShards];
        for (var i = 0; i < shards.Length; i++)
        {
            shards[i] = string.Create(CultureInfo.InvariantCulture, $"{prefix}.data-{i:D5}-of-{header.NumShards:D5}");
            if (!File.Exists(shards[i]))
            {
                throw BuildConvertException.Create(DiagnosticCodes.TfBundleShardMissing,
                    $"tensor bundle '{indexPath}' has {header.NumShards} shard(s) but '{Path.GetFileName(shards[i])}' is missing", shards[i]);
            }
        }

        return new TensorBundle(indexPath, shards, entries, slices, options);
    }

    /// <summary>Reads the variable <paramref name="key"/> (assembling its slices), its checksums checked.</summary>
    /// <exception cref="BuildConvertException">BCONV1209 when there is no such entry; BCONV1211, BCONV1213, BCONV1214 for bad data.</exception>
    public TensorData Read(string key)
    {
        var entry = entries.GetValueOrDefault(key)
            ?? throw BuildConvertException.Create(DiagnosticCodes.TfVariableNotFound, $"tensor bundle '{indexPath}' has no variable '{key}'", indexPath);
        var onnxType = TfDataTypes.ToOnnx(entry.Dtype);
        if (onnxType is null)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TfBundleUnsupported,
                $"tensor bundle '{indexPath}': variable '{key}' has dtype {TfDataTypes.Name(entry.Dtype)}, which has no ONNX equivalent", indexPath);
        }

        var dims = Dims(entry.Shape, key);
        var count = ElementCount(dims, key);
        if (entry.Dtype == TfType.DtString)
        {
            if (entry.Slices.Count > 0)
            {
                throw BuildConvertException.Create(DiagnosticCodes.TfBundleUnsupported, $"tensor bundle '{indexPath}': string variable '{key}' is sliced", indexPath);
            }

            return TensorData.FromStrings(dims, ReadStrings(entry, key, count).Select(b => Encoding.UTF8.GetString(b)).ToArray());
        }

        var elementSize = ElementSize(onnxType.Value, key);
        var bytes = checked(count * elementSize);
        if (bytes > options.MaxVariableBytes)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TfModelReadLimitExceeded,
                $"tensor bundle '{indexPath}': variable '{key}' needs {bytes} bytes, more than TfReadOptions.MaxVariableBytes ({options.MaxVariableBytes})", indexPath);
        }

        if (entry.Slices.Count == 0)
        {
            var data = ReadChecked(entry, key, bytes);
            return TensorData.FromBytes(onnxType.Value, dims, data);
        }

        var full = new byte[bytes];
        foreach (var slice in entry.Slices)
        {
            var extents = new List<(long Start, long Length)>();
            if (slice.Extent.Count != dims.Length)
            {
                throw BuildConvertException.Create(DiagnosticCodes.TfBundleCorrupt, $"tensor bundle '{indexPath}': a slice of '{key}' has {slice.Extent.Count} extents for a rank-{dims.Length} variable", indexPath);
            }

            for (var d = 0; d < dims.Length; d++)
            {
                var e = slice.Extent[d];
                var length = e.HasLength ? e.Length : -1;
                if (e.Start < 0 || e.Start > dims[d] || (length >= 0 && length > dims[d] - e.Start))
                {
                    throw BuildConvertException.Create(DiagnosticCodes.TfBundleOutOfRange, $"tensor bundle '{indexPath}': a slice of '{key}' lies outside its shape [{string.Join(",", dims)}]", indexPath);
                }

                extents.Add((e.Start, length));
            }

            var sliceKey = new ByteKey(OrderedCode.EncodeTensorNameSlice(key, extents));
            var sliceEntry = sliceEntries.GetValueOrDefault(sliceKey)
                ?? throw BuildConvertException.Create(DiagnosticCodes.TfBundleCorrupt, $"tensor bundle '{indexPath}': the slice [{string.Join(",", extents.Select(x => $"{x.Start}:{x.Length}"))}] of '{key}' has no entry", indexPath);
            var sliceDims = extents.Select((x, d) => x.Length < 0 ? dims[d] - x.Start : x.Length).ToArray();
            var sliceBytes = ReadChecked(sliceEntry, key, checked(ElementCount(sliceDims, key) * elementSize));
            Scatter(sliceBytes, full, dims, extents.Select(x => x.Start).ToArray(), sliceDims, (int)elementSize);
        }

        return TensorData.FromBytes(onnxType.Value, dims, full);
    }

    /// <summary>Reads a string variable (such as <see cref="ObjectGraphKey"/>) as raw byte strings.</summary>
    public IReadOnlyList<byte[]> ReadStrings(string key)
    {
        var entry = entries.GetValueOrDefault(key)
            ?? throw BuildConvertException.Create(DiagnosticCodes.TfVariableNotFound, $"tensor bundle '{indexPath}' has no entry '{key}'", indexPath);
        if (entry.Dtype != TfType.DtString)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TfBundleCorrupt, $"tensor bundle '{indexPath}': entry '{key}' is {TfDataTypes.Name(entry.Dtype)}, not DT_STRING", indexPath);
        }

        return ReadStrings(entry, key, ElementCount(Dims(entry.Shape, key), key));
    }

    // String tensors are stored as [varint64 length]*n, a masked CRC-32C of the lengths (each as a little-endian uint32, or uint64 past 4 GiB),
    // then the bytes; the entry's CRC extends over the lengths, that checksum and the bytes.
    private byte[][] ReadStrings(BundleEntryProto entry, string key, long count)
    {
        var data = ReadRange(entry, key, entry.Size);
        var position = 0;
        var lengths = new ulong[count <= data.Length ? count : throw OutOfRange(key, $"it claims {count} strings in {data.Length} bytes")];
        uint crc = 0;
        Span<byte> word = stackalloc byte[8];
        for (var i = 0; i < lengths.Length; i++)
        {
            if (!SortedStringTable.TryReadVarint64(data, ref position, out lengths[i]))
            {
                throw OutOfRange(key, "its string lengths are malformed");
            }

            if (lengths[i] <= uint.MaxValue)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(word, (uint)lengths[i]);
                crc = Crc32C.Extend(crc, word[..4]);
            }
            else
            {
                BinaryPrimitives.WriteUInt64LittleEndian(word, lengths[i]);
                crc = Crc32C.Extend(crc, word);
            }
        }

        if (data.Length - position < 4)
        {
            throw OutOfRange(key, "it ends before the checksum of its string lengths");
        }

        if (Crc32C.Unmask(BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(position))) != crc)
        {
            throw Mismatch(key, "the checksum of its string lengths");
        }

        crc = Crc32C.Extend(crc, data.AsSpan(position, 4));
        position += 4;
        var result = new byte[lengths.Length][];
        for (var i = 0; i < lengths.Length; i++)
        {
            if (lengths[i] > (ulong)(data.Length - position))
            {
                throw OutOfRange(key, $"string {i} reaches past the entry's {data.Length} bytes");
            }

            result[i] = data.AsSpan(position, (int)lengths[i]).ToArray();
            crc = Crc32C.Extend(crc, result[i]);
            position += (int)lengths[i];
        }

        if (Crc32C.Unmask(entry.Crc32C) != crc)
        {
            throw Mismatch(key, "the entry's CRC-32C");
        }

        return result;
    }

    private byte[] ReadChecked(BundleEntryProto entry, string key, long expectedBytes)
    {
        if (entry.Size != expectedBytes)
        {
            throw OutOfRange(key, $"its entry has {entry.Size} bytes where its dtype and shape need {expectedBytes}");
        }

        var data = ReadRange(entry, key, expectedBytes);
        if (Crc32C.Unmask(entry.Crc32C) != Crc32C.Compute(data))
        {
            throw Mismatch(key, "the entry's CRC-32C");
        }

        return data;
    }

    private byte[] ReadRange(BundleEntryProto entry, string key, long size)
    {
        if (entry.ShardId < 0 || entry.ShardId >= shards.Length)
        {
            throw OutOfRange(key, $"its entry names shard {entry.ShardId} of {shards.Length}");
        }

        var shard = shards[entry.ShardId];
        try
        {
            using var handle = File.OpenHandle(shard, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
            var length = RandomAccess.GetLength(handle);
            if (entry.Offset < 0 || size < 0 || entry.Offset > length || size > length - entry.Offset)
            {
                throw OutOfRange(key, $"its {size} bytes at offset {entry.Offset} lie outside '{Path.GetFileName(shard)}' ({length} bytes)");
            }

            if (size > options.MaxVariableBytes)
            {
                throw BuildConvertException.Create(DiagnosticCodes.TfModelReadLimitExceeded,
                    $"tensor bundle '{indexPath}': entry '{key}' has {size} bytes, more than TfReadOptions.MaxVariableBytes ({options.MaxVariableBytes})", indexPath);
            }

            var data = new byte[size];
            var read = 0;
            while (read < data.Length)
            {
                var n = RandomAccess.Read(handle, data.AsSpan(read), entry.Offset + read);
                if (n <= 0)
                {
                    throw OutOfRange(key, $"'{Path.GetFileName(shard)}' ended while it was read");
                }

                read += n;
            }

            return data;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.ModelReadFailed, $"the variables shard '{shard}' could not be read: {e.Message}", shard, inner: e);
        }
    }

    private static void Scatter(byte[] slice, byte[] full, long[] dims, long[] starts, long[] sliceDims, int elementSize)
    {
        var rank = dims.Length;
        if (slice.Length == 0)
        {
            return;
        }

        if (rank == 0)
        {
            slice.CopyTo(full, 0);
            return;
        }

        var strides = new long[rank];
        strides[rank - 1] = 1;
        for (var d = rank - 2; d >= 0; d--)
        {
            strides[d] = strides[d + 1] * dims[d + 1];
        }

        var run = (int)(sliceDims[rank - 1] * elementSize);
        var index = new long[rank];
        var source = 0;
        while (true)
        {
            long offset = 0;
            for (var d = 0; d < rank; d++)
            {
                offset += (starts[d] + index[d]) * strides[d];
            }

            Buffer.BlockCopy(slice, source, full, (int)(offset * elementSize), run);
            source += run;
            var k = rank - 2;
            while (k >= 0 && ++index[k] == sliceDims[k])
            {
                index[k] = 0;
                k--;
            }

            if (k < 0)
            {
                return;
            }
        }
    }

    private long[] Dims(TensorShapeProto? shape, string key)
    {
        if (shape is null)
        {
            return Array.Empty<long>();
        }

        if (shape.UnknownRank || shape.Dim.Any(d => d.Size < 0))
        {
            throw BuildConvertException.Create(DiagnosticCodes.TfBundleCorrupt, $"tensor bundle '{indexPath}': variable '{key}' has a shape that is not fully known", indexPath);
        }

        return shape.Dim.Select(d => d.Size).ToArray();
    }

    private long ElementCount(long[] dims, string key)
    {
        try
        {
            long count = 1;
            foreach (var d in dims)
            {
                count = checked(count * d);
            }

            return count;
        }
        catch (OverflowException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TfModelReadLimitExceeded, $"tensor bundle '{indexPath}': variable '{key}' has more elements than fit in 64 bits", indexPath);
        }
    }

    private long ElementSize(Onnx.Proto.TensorProto.Types.DataType type, string key)
    {
        var size = Values.ElementTypes.ByteCount(type, 1);
        if (size <= 0 || type is Onnx.Proto.TensorProto.Types.DataType.Int4 or Onnx.Proto.TensorProto.Types.DataType.Uint4)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TfBundleUnsupported, $"tensor bundle '{indexPath}': variable '{key}' has a sub-byte or unsized element type", indexPath);
        }

        return size;
    }

    private BuildConvertException OutOfRange(string key, string why) =>
        BuildConvertException.Create(DiagnosticCodes.TfBundleOutOfRange, $"tensor bundle '{indexPath}': variable '{key}': {why}", indexPath);

    private BuildConvertException Mismatch(string key, string what) =>
        BuildConvertException.Create(DiagnosticCodes.TfBundleChecksumMismatch, $"tensor bundle '{indexPath}': the bytes of variable '{key}' do not match {what}", indexPath);

    private static string Printable(byte[] key) =>
        string.Concat(key.Select(b => b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}"));

    private readonly record struct ByteKey(byte[] Bytes)
    {
        public bool Equals(ByteKey other) => Bytes.AsSpan().SequenceEqual(other.Bytes);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.AddBytes(Bytes);
            return hash.ToHashCode();
        }
    }
}
