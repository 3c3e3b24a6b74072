using System.Text;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using Google.Protobuf;

namespace BuildConvert.Core.Formats.TensorFlow;

/// <summary>
/// Parses a frozen GraphDef from a read-only mapping of its file without copying the weights: the
/// <c>tensor_content</c> of every tensor attribute (a frozen graph's <c>Const</c> values) is a byte string over the
/// mapped bytes (<see cref="MappedProtobuf"/>). The walk goes <c>GraphDef.node</c> (1) -> <c>NodeDef.attr</c> (5, map
/// entries: key 1, value 2) -> <c>AttrValue.tensor</c> (8) -> <c>TensorProto.tensor_content</c> (4); everything else
/// is parsed the ordinary way from the remaining bytes. Anything unusual returns null, and the caller parses the
/// ordinary way, which also produces the precise error.
/// </summary>
internal static class TfMappedGraphParser
{
    private const int GraphNodeField = 1;
    private const int NodeAttrField = 5;
    private const int EntryKeyField = 1;
    private const int EntryValueField = 2;
    private const int AttrTensorField = 8;
    private const int TensorContentField = 4;

    /// <summary>The GraphDef in <paramref name="bytes"/> (a mapped file), or null when it is not in the shape handled here.</summary>
    /// <exception cref="InvalidProtocolBufferException">A part is not valid protobuf.</exception>
    public static GraphDef? TryParse(ReadOnlyMemory<byte> bytes)
    {
        var graphParts = new List<ReadOnlyMemory<byte>>();
        var nodes = new List<ReadOnlyMemory<byte>>();
        if (!MappedProtobuf.Split(bytes, GraphNodeField, graphParts, n => Add(nodes, n)))
        {
            return null;
        }

        var graph = GraphDef.Parser.ParseFrom(MappedProtobuf.Sequence(graphParts));
        var nodeParts = new List<ReadOnlyMemory<byte>>();
        var entries = new List<ReadOnlyMemory<byte>>();
        foreach (var nodeBytes in nodes)
        {
            nodeParts.Clear();
            entries.Clear();
            if (!MappedProtobuf.Split(nodeBytes, NodeAttrField, nodeParts, e => Add(entries, e)))
            {
                return null;
            }

            var node = NodeDef.Parser.ParseFrom(MappedProtobuf.Sequence(nodeParts));
            foreach (var entry in entries)
            {
                if (!TryParseEntry(entry, out var key, out var value))
                {
                    return null;
                }

                node.Attr[key] = value;
            }

            graph.Node.Add(node);
        }

        return graph;
    }

    private static bool Add(List<ReadOnlyMemory<byte>> list, ReadOnlyMemory<byte> item)
    {
        list.Add(item);
        return true;
    }

    /// <summary>One <c>map&lt;string, AttrValue&gt;</c> entry; a tensor value keeps its content in the mapping.</summary>
    private static bool TryParseEntry(ReadOnlyMemory<byte> entry, out string key, out AttrValue value)
    {
        key = "";
        value = new AttrValue();
        var keyParts = new List<ReadOnlyMemory<byte>>();
        ReadOnlyMemory<byte>? valueBytes = null;
        if (!MappedProtobuf.Split(entry, EntryValueField, keyParts, v =>
            {
                valueBytes = v;
                return true;
            }))
        {
            return false;
        }

        var keyBytes = new List<ReadOnlyMemory<byte>>();
        foreach (var part in keyParts)
        {
            if (!MappedProtobuf.Split(part, EntryKeyField, new List<ReadOnlyMemory<byte>>(), k => Add(keyBytes, k)))
            {
                return false;
            }
        }

        if (keyBytes.Count > 0)
        {
            key = Encoding.UTF8.GetString(keyBytes[^1].Span);
        }

        if (valueBytes is not { } attr)
        {
            return true;
        }

        var attrParts = new List<ReadOnlyMemory<byte>>();
        ReadOnlyMemory<byte>? tensorBytes = null;
        if (!MappedProtobuf.Split(attr, AttrTensorField, attrParts, t =>
            {
                tensorBytes = t;
                return true;
            }))
        {
            return false;
        }

        value = AttrValue.Parser.ParseFrom(MappedProtobuf.Sequence(attrParts));
        if (tensorBytes is not { } tensorSlice || value.ValueCase != AttrValue.ValueOneofCase.None)
        {
            // No tensor, or another member of the oneof follows it (and so wins): parse the value whole.
            if (tensorBytes is not null)
            {
                value = AttrValue.Parser.ParseFrom(attr.Span);
            }

            return true;
        }

        var tensorParts = new List<ReadOnlyMemory<byte>>();
        ReadOnlyMemory<byte>? content = null;
        if (!MappedProtobuf.Split(tensorSlice, TensorContentField, tensorParts, c =>
            {
                content = c;
                return true;
            }))
        {
            return false;
        }

        var tensor = TensorProto.Parser.ParseFrom(MappedProtobuf.Sequence(tensorParts));
        if (content is { } data)
        {
            tensor.TensorContent = UnsafeByteOperations.UnsafeWrap(data);
        }

        value.Tensor = tensor;
        return true;
    }
}
