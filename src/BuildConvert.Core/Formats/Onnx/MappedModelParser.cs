using BuildConvert.Core.Formats.Onnx.Proto;
using Google.Protobuf;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>
/// Parses a model from a read-only mapping of its file without copying the weights: the <c>raw_data</c> of every
/// main-graph initializer is a <see cref="ByteString"/> over the mapped bytes, and only the rest of the message (names,
/// shapes, nodes: kilobytes) is parsed into managed memory. The mapping lives as long as any of those byte strings
/// does (it is released by the garbage collector, never explicitly, so nothing can read it after it is gone).
/// <para>
/// How: the wire format is walked just deep enough to find <c>ModelProto.graph</c> (7), <c>GraphProto.initializer</c>
/// (5) and <c>TensorProto.raw_data</c> (9); each message is parsed from the sequence of its bytes with those fields
/// left out, and the parts are put back together in order. Anything unusual (several <c>graph</c> fields, groups, a
/// malformed length) returns null and the caller parses the ordinary way, which also produces the precise error.
/// </para>
/// </summary>
internal static class MappedModelParser
{
    private const int ModelGraphField = 7;
    private const int GraphInitializerField = 5;
    private const int TensorRawDataField = 9;

    /// <summary>Parses <paramref name="length"/> bytes of <paramref name="file"/> from <paramref name="start"/>, or returns
    /// null when the bytes are not in the shape this parser handles.</summary>
    /// <exception cref="InvalidProtocolBufferException">A part is not valid protobuf.</exception>
    public static ModelProto? TryParse(FileStream file, long start, long length)
    {
        var bytes = MappedProtobuf.Map(file, start, length);
        var modelParts = new List<ReadOnlyMemory<byte>>();
        ReadOnlyMemory<byte>? graphBytes = null;
        if (!MappedProtobuf.Split(bytes, ModelGraphField, modelParts, field =>
            {
                if (graphBytes is not null)
                {
                    return false;
                }

                graphBytes = field;
                return true;
            }))
        {
            return null;
        }

        var model = ModelProto.Parser.ParseFrom(MappedProtobuf.Sequence(modelParts));
        if (graphBytes is not { } graphSlice)
        {
            return model;
        }

        var graphParts = new List<ReadOnlyMemory<byte>>();
        var initializers = new List<ReadOnlyMemory<byte>>();
        if (!MappedProtobuf.Split(graphSlice, GraphInitializerField, graphParts, field =>
            {
                initializers.Add(field);
                return true;
            }))
        {
            return null;
        }

        var graph = GraphProto.Parser.ParseFrom(MappedProtobuf.Sequence(graphParts));
        var tensorParts = new List<ReadOnlyMemory<byte>>();
        foreach (var initializer in initializers)
        {
            tensorParts.Clear();
            ReadOnlyMemory<byte>? raw = null;
            if (!MappedProtobuf.Split(initializer, TensorRawDataField, tensorParts, field =>
                {
                    raw = field;
                    return true;
                }))
            {
                return null;
            }

            var tensor = TensorProto.Parser.ParseFrom(MappedProtobuf.Sequence(tensorParts));
            if (raw is { } data)
            {
                tensor.RawData = UnsafeByteOperations.UnsafeWrap(data);
            }

            graph.Initializer.Add(tensor);
        }

        model.Graph = graph;
        return model;
    }
}
