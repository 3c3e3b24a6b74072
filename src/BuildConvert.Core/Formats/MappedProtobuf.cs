using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace BuildConvert.Core.Formats;

/// <summary>
/// Zero-copy protobuf parsing from a read-only mapping of a file, shared by the format readers: a file is mapped once
/// (<see cref="Map"/>), its wire format is walked just deep enough to set large <c>bytes</c> fields (weights) aside
/// (<see cref="Split"/>), the rest of each message is parsed from the sequence of its remaining bytes
/// (<see cref="Sequence"/>), and the set-aside fields become byte strings over the mapping
/// (<c>UnsafeByteOperations.UnsafeWrap</c>). The mapping lives as long as any of those byte strings does: the garbage
/// collector releases it, never an explicit call, so nothing can read it after it is gone. The content sniffers use its
/// varint reader for their bounded peeks.
/// </summary>
internal static class MappedProtobuf
{
    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="file"/> from <paramref name="start"/>, read-only.</summary>
    public static ReadOnlyMemory<byte> Map(FileStream file, long start, long length) => MappedFileMemory.Create(file, start, length).Memory;

    /// <summary>
    /// Walks the fields of one message: every field other than <paramref name="field"/> goes into <paramref name="rest"/>
    /// (adjacent fields as one span), and the payload of each <paramref name="field"/> (length-delimited) goes to
    /// <paramref name="take"/>. False when the bytes are malformed, use groups, or <paramref name="take"/> refuses.
    /// </summary>
    public static bool Split(ReadOnlyMemory<byte> message, int field, List<ReadOnlyMemory<byte>> rest, Func<ReadOnlyMemory<byte>, bool> take)
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

    /// <summary>Reads one varint from <paramref name="stream"/> (the content sniffers' bounded peeks); false at the end
    /// of the stream or past 64 bits.</summary>
    public static bool TryReadVarint(Stream stream, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = stream.ReadByte();
            if (b < 0)
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads one varint from <paramref name="span"/> at <paramref name="position"/>, advancing it.</summary>
    public static bool ReadVarint(ReadOnlySpan<byte> span, ref int position, out ulong value)
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

    public static ReadOnlySequence<byte> Sequence(List<ReadOnlyMemory<byte>> parts)
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
        // byte strings of a parsed model, and every reader of those spans holds the tensor (or the model) while it
        // reads; the pipeline keeps its source model alive to the end of a run (ModelPipeline).
#pragma warning disable CA2015
        ~MappedFileMemory() => Dispose(false);
#pragma warning restore CA2015

        public static MappedFileMemory Create(FileStream file, long start, long length)
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
