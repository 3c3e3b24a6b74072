namespace BuildConvert.Core.Formats.TensorFlow;

/// <summary>
/// Tells TensorFlow protobuf files apart by their field structure, reading only field headers: a <c>SavedModel</c>
/// has only field 1 (<c>saved_model_schema_version</c>, a varint) and field 2 (<c>meta_graphs</c>, messages); a
/// <c>GraphDef</c> has only fields 1 (<c>node</c>, messages whose own fields 1 and 2, name and op, are strings),
/// 2 (<c>library</c>), 3 (<c>version</c>, a varint) and 4 (<c>versions</c>). An ONNX <c>ModelProto</c> is neither: its
/// field 1 is the <c>ir_version</c> varint and it needs field 7, the graph. Never throws.
/// </summary>
internal static class TfContentSniffer
{
    /// <summary>What a file holds.</summary>
    public enum Kind
    {
        /// <summary>Neither.</summary>
        None,

        /// <summary>A GraphDef.</summary>
        GraphDef,

        /// <summary>A SavedModel.</summary>
        SavedModel,
    }

    private const int MaxTopLevelFields = 10_000_000;

    /// <summary>What the file at <paramref name="path"/> holds; <see cref="Kind.None"/> when it cannot be read.</summary>
    public static Kind Identify(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length == 0)
            {
                return Kind.None;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess);
            return Identify(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Kind.None;
        }
    }

    /// <summary>What the seekable <paramref name="stream"/> holds, from its start.</summary>
    public static Kind Identify(Stream stream)
    {
        var length = stream.Length;
        stream.Position = 0;
        var fields = new HashSet<ulong>();
        var graphDefLike = true;
        var savedModelLike = true;
        long firstNodeStart = -1, firstNodeLength = 0;
        var count = 0;
        while (stream.Position < length)
        {
            if (++count > MaxTopLevelFields || !MappedProtobuf.TryReadVarint(stream, out var tag))
            {
                return Kind.None;
            }

            var field = tag >> 3;
            var wire = (int)(tag & 7);
            fields.Add(field);
            switch (wire)
            {
                case 0:
                    if (!MappedProtobuf.TryReadVarint(stream, out _))
                    {
                        return Kind.None;
                    }

                    graphDefLike &= field == 3;
                    savedModelLike &= field == 1;
                    break;
                case 2:
                    if (!MappedProtobuf.TryReadVarint(stream, out var size) || size > (ulong)(length - stream.Position))
                    {
                        return Kind.None;
                    }

                    if (field == 1 && firstNodeStart < 0)
                    {
                        firstNodeStart = stream.Position;
                        firstNodeLength = (long)size;
                    }

                    graphDefLike &= field is 1 or 2 or 4;
                    savedModelLike &= field == 2;
                    stream.Seek((long)size, SeekOrigin.Current);
                    break;
                default:
                    return Kind.None;
            }

            if (!graphDefLike && !savedModelLike)
            {
                return Kind.None;
            }
        }

        if (savedModelLike && fields.Contains(2))
        {
            return Kind.SavedModel;
        }

        if (graphDefLike && (fields.Contains(4) || firstNodeStart >= 0) && (firstNodeStart < 0 || LooksLikeNode(stream, firstNodeStart, firstNodeLength)))
        {
            return Kind.GraphDef;
        }

        return Kind.None;
    }

    // A NodeDef: fields 1-6, all length-delimited, with a name (1) and an op (2).
    private static bool LooksLikeNode(Stream stream, long start, long length)
    {
        stream.Position = start;
        var end = start + length;
        bool name = false, op = false;
        while (stream.Position < end)
        {
            if (!MappedProtobuf.TryReadVarint(stream, out var tag) || (tag & 7) != 2 || (tag >> 3) is 0 or > 6
                || !MappedProtobuf.TryReadVarint(stream, out var size) || size > (ulong)(end - stream.Position))
            {
                return false;
            }

            name |= tag >> 3 == 1;
            op |= tag >> 3 == 2;
            stream.Seek((long)size, SeekOrigin.Current);
        }

        return name && op;
    }
}
