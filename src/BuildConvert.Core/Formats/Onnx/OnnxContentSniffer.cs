namespace BuildConvert.Core.Formats.Onnx;

/// <summary>
/// Recognises a serialized ONNX <c>ModelProto</c> by walking its top-level protobuf fields without parsing the graph:
/// every field must be well formed and fit in the file, the fields ModelProto defines must have their wire types, and
/// both <c>ir_version</c> (field 1, a small positive varint) and <c>graph</c> (field 7) must be present.
/// Reads only field headers, so it is cheap on large models and safe on hostile bytes.
/// </summary>
internal static class OnnxContentSniffer
{
    private const int MaxTopLevelFields = 1_000_000;
    private const ulong MaxIrVersion = 1000;

    /// <summary>Whether the file at <paramref name="path"/> looks like an ONNX model. False when it cannot be read.</summary>
    public static bool LooksLikeModel(string path)
    {
        try
        {
            // FIFOs and devices report length 0 like empty files, and opening a FIFO blocks until a writer comes:
            // nothing of length 0 is a model, so it is never opened here (the reader then reports it as empty).
            var info = new FileInfo(path);
            if (!info.Exists || info.Length == 0)
            {
                return false;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess);
            return LooksLikeModel(stream);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Whether the seekable <paramref name="stream"/>, from its start, holds an ONNX model.</summary>
    public static bool LooksLikeModel(Stream stream)
    {
        var length = stream.Length;
        stream.Position = 0;
        var hasIrVersion = false;
        var hasGraph = false;
        var fields = 0;
        while (stream.Position < length)
        {
            if (++fields > MaxTopLevelFields || !MappedProtobuf.TryReadVarint(stream, out var tag))
            {
                return false;
            }

            var fieldNumber = tag >> 3;
            var wireType = (int)(tag & 7);
            if (fieldNumber == 0 || fieldNumber > 0x1FFF_FFFF)
            {
                return false;
            }

            var expected = ExpectedWireType(fieldNumber);
            if (expected >= 0 && wireType != expected)
            {
                return false;
            }

            switch (wireType)
            {
                case 0:
                    if (!MappedProtobuf.TryReadVarint(stream, out var value))
                    {
                        return false;
                    }

                    if (fieldNumber == 1)
                    {
                        if (value == 0 || value > MaxIrVersion)
                        {
                            return false;
                        }

                        hasIrVersion = true;
                    }

                    break;
                case 1:
                    if (!TrySkip(stream, length, 8))
                    {
                        return false;
                    }

                    break;
                case 5:
                    if (!TrySkip(stream, length, 4))
                    {
                        return false;
                    }

                    break;
                case 2:
                    if (!MappedProtobuf.TryReadVarint(stream, out var size) || !TrySkip(stream, length, size))
                    {
                        return false;
                    }

                    hasGraph |= fieldNumber == 7;
                    break;
                default:
                    return false;
            }
        }

        return hasIrVersion && hasGraph;
    }

    // Wire types of the ModelProto fields (onnx.proto): 0 = varint, 2 = length-delimited; -1 = a field we do not know.
    private static int ExpectedWireType(ulong fieldNumber) => fieldNumber switch
    {
        1 or 5 => 0,
        2 or 3 or 4 or 6 or 7 or 8 or 14 or 20 or 25 or 26 => 2,
        _ => -1,
    };

    private static bool TrySkip(Stream stream, long length, ulong count)
    {
        if (count > (ulong)(length - stream.Position))
        {
            return false;
        }

        stream.Seek((long)count, SeekOrigin.Current);
        return true;
    }
}
