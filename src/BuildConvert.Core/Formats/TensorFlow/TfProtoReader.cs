using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using Google.Protobuf;

namespace BuildConvert.Core.Formats.TensorFlow;

/// <summary>Reads one TensorFlow protobuf file (a GraphDef or a saved_model.pb) with limits, reporting damage as
/// coded diagnostics (BCONV1001/1002/1007, BCONV1200-1202).</summary>
internal static class TfProtoReader
{
    /// <summary>Parses the file at <paramref name="path"/> as a <typeparamref name="T"/> (<paramref name="what"/> names it in messages).</summary>
    public static T Read<T>(string path, MessageParser<T> parser, string what, TfReadOptions options)
        where T : IMessage<T>
    {
        FileInfo info;
        try
        {
            info = new FileInfo(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.ModelFileNotFound, $"model file '{path}' cannot be opened: {e.Message}", path, inner: e);
        }

        if (!info.Exists)
        {
            throw BuildConvertException.Create(DiagnosticCodes.ModelFileNotFound, $"model file '{path}' does not exist", path);
        }

        if (info.Length == 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.ModelFileEmpty, $"model file '{path}' is empty (0 bytes)", path);
        }

        var limit = Math.Min(options.MaxModelBytes, int.MaxValue);
        if (info.Length > limit)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TfModelReadLimitExceeded,
                $"{what} '{path}' has {info.Length} bytes, more than the limit of {limit} (TfReadOptions.MaxModelBytes; protobuf stops at 2 GiB)", path);
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            if (options.RecursionLimit == TfReadOptions.ProtobufRecursionLimit)
            {
                // From a read-only mapping: a frozen graph's weights stay in the mapped file (TfMappedGraphParser);
                // anything else is copied once, into the message. (Parsing from the stream would make protobuf gather
                // each large field in chunks first, holding it twice.)
                var mapped = MappedProtobuf.Map(stream, 0, info.Length);
                if (typeof(T) == typeof(GraphDef) && TfMappedGraphParser.TryParse(mapped) is T graph)
                {
                    return graph;
                }

                return parser.ParseFrom(MappedProtobuf.Sequence(new List<ReadOnlyMemory<byte>> { mapped }));
            }

            using var input = CodedInputStream.CreateWithLimits(stream, (int)limit, options.RecursionLimit);
            var message = parser.ParseFrom(input);
            return message;
        }
        catch (InvalidProtocolBufferException e)
        {
            var text = e.Message;
            if (text.Contains("truncated", StringComparison.OrdinalIgnoreCase) || text.Contains("ended unexpectedly", StringComparison.OrdinalIgnoreCase))
            {
                throw BuildConvertException.Create(DiagnosticCodes.TfModelTruncated, $"{what} '{path}' is truncated: a message ends past the end of the file", path, inner: e);
            }

            if (text.Contains("recursion", StringComparison.OrdinalIgnoreCase) || text.Contains("size limit", StringComparison.OrdinalIgnoreCase))
            {
                throw BuildConvertException.Create(DiagnosticCodes.TfModelReadLimitExceeded, $"{what} '{path}' exceeds a reader limit: {text}", path, inner: e);
            }

            throw BuildConvertException.Create(DiagnosticCodes.TfModelCorrupt, $"{what} '{path}' is not a valid {typeof(T).Name}: {text}", path, inner: e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.ModelReadFailed, $"model file '{path}' could not be read: {e.Message}", path, inner: e);
        }
    }
}
