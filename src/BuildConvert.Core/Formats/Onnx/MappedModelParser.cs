using System.Buffers;
using System.IO.MemoryMappedFiles;
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
        var memory = MappedFileMemory.Map(file, start, length);
        var bytes = memory.Memory;
        var modelParts = new List<ReadOnlyMemory<byte>>();
        ReadOnlyMemory<byte>? graphBytes = null;
        if (!Split(bytes, ModelGraphField, modelParts, field =>
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

        var model = ModelProto.Parser.ParseFrom(Sequence(modelParts));
        if (graphBytes is not { } graphSlice)
        {
            return model;
        }

        var graphParts = new List<ReadOnlyMemory<byte>>();
        var initializers = new List<ReadOnlyMemory<byte>>();
        if (!Split(graphSlice, GraphInitializerField, graphParts, field =>
            {
                initializers.Add(field);
                return true;
            }))
        {
            return null;
        }

        var graph = GraphProto.Parser.ParseFrom(Sequence(graphParts));
        var tensorParts = new List<ReadOnlyMemory<byte>>();
        foreach (var initializer in initializers)
        {
            tensorParts.Clear();
            ReadOnlyMemory<byte>? raw = null;
            if (!Split(initializer, TensorRawDataField, tensorParts, field =>
                {
                    raw = field;
                    return true;
                }))
            {
                return null;
            }

            var tensor = TensorProto.Parser.ParseFrom(Sequence(tensorParts));
            if (raw is { } data)
            {
                tensor.RawData = UnsafeByteOperations.UnsafeWrap(data);
            }

            graph.Initializer.Add(tensor);
        }

        model.Graph = graph;
        return model;
    }

    /// <summary>
    /// Walks the fields of one message: every field other than <paramref name="field"/> goes into <paramref name="rest"/>
    /// (adjacent fields as one span), and the payload of each <paramref name="field"/> (length-delimited) goes to
    /// <paramref name="take"/>. False when the bytes are malformed, use groups, or <paramref name="take"/> refuses.
    /// </summary>
    private static bool Split(ReadOnlyMemory<byte> message, int field, List<ReadOnlyMemory<byte>> rest, Func<ReadOnlyMemory<byte>, bool> take)
    {
        var span = message.Span;
        var position = 0;
        var runStart = 0;
        while (position < span.Length)
        {
            var fieldStart = position;
            if (!ReadVarint(span, ref position, out var tag))
            {
                return false;
            }

            var number = (long)(tag >> 3);
            var wireType = (int)(tag & 7);
            switch (wireType)
            {
                case 0:
                    if (!ReadVarint(span, ref position, out _))
                    {
                        return false;
                    }

                    break;
                case 1:
                    position += 8;
                    break;
                case 5:
                    position += 4;
                    break;
                case 2:
                    if (!ReadVarint(span, ref position, out var size) || size > (ulong)(span.Length - position))
                    {
                        return false;
                    }

                    if (number == field)
                    {
                        if (fieldStart > runStart)
                        {
                            rest.Add(message.Slice(runStart, fieldStart - runStart));
                        }

                        if (!take(message.Slice(position, (int)size)))
                        {
                            return false;
                        }

                        runStart = position + (int)size;
                    }

                    position += (int)size;
                    break;
                default:
                    return false;
            }

            if (position > span.Length || (number == field && wireType != 2))
            {
                return false;
            }
        }

        if (span.Length > runStart)
        {
            rest.Add(message.Slice(runStart));
        }

        return true;
    }

    private static bool ReadVarint(ReadOnlySpan<byte> span, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= span.Length)
            {
                return false;
            }

            var b = span[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySequence<byte> Sequence(List<ReadOnlyMemory<byte>> parts)
    {
        if (parts.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        if (parts.Count == 1)
        {
            return new ReadOnlySequence<byte>(parts[0]);
        }

        var first = new Segment(parts[0], 0);
        var last = first;
        for (var i = 1; i < parts.Count; i++)
        {
            last = last.Append(parts[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>
    /// A read-only view of a file region as <see cref="Memory{T}"/>. It holds the mapping open while reachable; the
    /// finalizer releases it, so any memory handed out stays valid as long as it is referenced.
    /// </summary>
    private sealed unsafe class MappedFileMemory : MemoryManager<byte>
    {
        private readonly MemoryMappedFile map;
        private readonly MemoryMappedViewAccessor view;
        private readonly byte* pointer;
        private readonly int length;
        private int released;

        private MappedFileMemory(MemoryMappedFile map, MemoryMappedViewAccessor view, byte* pointer, int length)
        {
            this.map = map;
            this.view = view;
            this.pointer = pointer;
            this.length = length;
        }

        // CA2015 warns that a span taken from this memory does not keep it alive. The memory is only reachable through the
        // byte strings of the parsed model, and every reader of those spans holds the tensor (or the model) while it
        // reads; the pipeline keeps its source model alive to the end of a run (ModelPipeline).
#pragma warning disable CA2015
        ~MappedFileMemory() => Dispose(false);
#pragma warning restore CA2015

        public static MappedFileMemory Map(FileStream file, long start, long length)
        {
            var size = checked((int)length);
            var map = MemoryMappedFile.CreateFromFile(file, mapName: null, capacity: 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            MemoryMappedViewAccessor? view = null;
            try
            {
                view = map.CreateViewAccessor(start, length, MemoryMappedFileAccess.Read);
                byte* pointer = null;
                view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
                return new MappedFileMemory(map, view, pointer + view.PointerOffset, size);
            }
            catch
            {
                view?.Dispose();
                map.Dispose();
                throw;
            }
        }

        public override Span<byte> GetSpan() => new(pointer, length);

        public override MemoryHandle Pin(int elementIndex = 0)
        {
            if ((uint)elementIndex > (uint)length)
            {
                throw new ArgumentOutOfRangeException(nameof(elementIndex));
            }

            // The pages never move; the handle keeps this manager (and so the mapping) reachable while pinned.
            return new MemoryHandle(pointer + elementIndex, default, this);
        }

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
            if (Interlocked.Exchange(ref released, 1) != 0)
            {
                return;
            }

            // Only the finalizer gets here in practice: nothing calls Dispose, because memory handed out may still be
            // referenced. The view's handle is a critical finalizer object, still valid while ordinary finalizers run.
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
            map.Dispose();
        }
    }
}
