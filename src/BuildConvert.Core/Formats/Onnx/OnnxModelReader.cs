using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using System.IO.MemoryMappedFiles;
using Google.Protobuf;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>
/// Reads <c>.onnx</c> files into <see cref="ModelProto"/>. A file is parsed from a read-only mapping, leaving the
/// weights in the mapped file (<see cref="MappedModelParser"/>); other streams are parsed with size and recursion limits.
/// Every problem with the bytes becomes a <see cref="BuildConvertException"/> with a BCONV10xx code naming the file.
/// Thread-safe: no shared state.
/// </summary>
public static class OnnxModelReader
{

    /// <summary>Reads the model at <paramref name="path"/>.</summary>
    /// <param name="path">The model file.</param>
    /// <param name="options">Limits and external-data handling; <see cref="OnnxReadOptions.Default"/> when null.</param>
    /// <returns>The model; the caller owns it.</returns>
    /// <exception cref="BuildConvertException">The file is missing, unreadable, empty, truncated, corrupt, not ONNX,
    /// over a limit, or (with <see cref="OnnxReadOptions.LoadExternalData"/>) its external data breaks a rule.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static ModelProto Read(string path, OnnxReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= OnnxReadOptions.Default;

        // FIFOs and devices report length 0 like empty files; rejecting them before opening means reading can never block.
        var info = new FileInfo(path);
        if (info.Exists && info.Length == 0)
        {
            throw BuildConvertException.Create(
                DiagnosticCodes.ModelFileEmpty, $"model file '{path}' is empty (0 bytes) or not a regular file", path);
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.ModelFileNotFound, $"model file '{path}' does not exist", path, inner: e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException or NotSupportedException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.ModelFileNotFound, $"model file '{path}' cannot be opened: {e.Message}", path, inner: e);
        }

        ModelProto model;
        using (stream)
        {
            model = Read(stream, path, options);
        }

        if (options.LoadExternalData)
        {
            ExternalDataLoader.LoadAll(model, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", path);
        }

        return model;
    }

    /// <summary>
    /// Reads a model from a seekable or non-seekable stream (from its current position to its end). External data is
    /// never loaded here (there is no folder to resolve it against); use <see cref="ExternalDataLoader"/> afterwards.
    /// </summary>
    /// <param name="stream">The stream; not disposed.</param>
    /// <param name="displayName">The name used in messages (usually the file path).</param>
    /// <param name="options">Limits; <see cref="OnnxReadOptions.Default"/> when null.</param>
    /// <exception cref="BuildConvertException">The bytes are not a valid ONNX model.</exception>
    public static ModelProto Read(Stream stream, string displayName, OnnxReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= OnnxReadOptions.Default;
        var file = displayName;
        var head = new byte[16];
        var headLength = 0;
        try
        {
            var sizeLimit = (int)Math.Min(options.MaxModelBytes, int.MaxValue);
            if (stream.CanSeek)
            {
                var length = stream.Length - stream.Position;
                if (length == 0)
                {
                    throw BuildConvertException.Create(DiagnosticCodes.ModelFileEmpty, $"model file '{file}' is empty (0 bytes)", file);
                }

                if (length > options.MaxModelBytes)
                {
                    throw BuildConvertException.Create(
                        DiagnosticCodes.ModelReadLimitExceeded,
                        $"model file '{file}' has {length} bytes, more than the limit of {options.MaxModelBytes}; store the weights as external data",
                        file);
                }

                var start = stream.Position;
                headLength = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
                var format = FormatSniffer.Identify(head.AsSpan(0, headLength));
                if (format is not null)
                {
                    throw BuildConvertException.Create(
                        DiagnosticCodes.NotAnOnnxModel, $"'{file}' is not an ONNX model: it looks like {format}", file);
                }

                stream.Position = start;
                sizeLimit = (int)Math.Min(length, sizeLimit);
            }

            ModelProto model;
            long position = 0;
            // Parsing from a read-only map leaves the weights in the mapped file (MappedModelParser). The mapped pages are
            // clean page cache: they count in the resident size while mapped but are not memory the process owns;
            // eng/bench/opset-bench.sh reports both.
            if (stream is FileStream { CanSeek: true } fileStream && options.RecursionLimit == OnnxReadOptions.ProtobufRecursionLimit)
            {
                model = ParseMapped(fileStream, fileStream.Position, fileStream.Length - fileStream.Position);
                position = 1;
            }
            else
            {
                using var input = CodedInputStream.CreateWithLimits(stream, sizeLimit, options.RecursionLimit);
                model = ModelProto.Parser.ParseFrom(input);
                position = input.Position;
            }

            if (model.Graph is null && model.IrVersion == 0 && model.OpsetImport.Count == 0)
            {
                if (!stream.CanSeek && position == 0)
                {
                    throw BuildConvertException.Create(DiagnosticCodes.ModelFileEmpty, $"model '{file}' is empty (0 bytes)", file);
                }

                var what = FormatSniffer.LooksLikeText(head.AsSpan(0, headLength))
                    ? "it looks like a text file"
                    : "it decodes as protobuf but has no graph, ir_version or opset_import";
                throw BuildConvertException.Create(DiagnosticCodes.NotAnOnnxModel, $"'{file}' is not an ONNX model: {what}", file);
            }

            return model;
        }
        catch (InvalidProtocolBufferException e)
        {
            if (FormatSniffer.LooksLikeText(head.AsSpan(0, headLength)))
            {
                throw BuildConvertException.Create(
                    DiagnosticCodes.NotAnOnnxModel, $"'{file}' is not an ONNX model: it looks like a text file", file, inner: e);
            }

            throw Classify(e, file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.ModelReadFailed, $"model file '{file}' could not be read: {e.Message}", file, inner: e);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException or InvalidOperationException or IndexOutOfRangeException or FormatException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.ModelCorrupt, $"model file '{file}' is not valid ONNX protobuf data: {e.Message}", file, inner: e);
        }
    }

    // The mapped parse keeps the weights where they lie (MappedModelParser); a file it cannot take apart is parsed
    // whole from the mapping, which copies each bytes field once. (Parsing from the stream instead would make protobuf
    // gather large fields in chunks, allocating them twice.)
    private static unsafe ModelProto ParseMapped(FileStream file, long start, long length)
    {
        if (MappedModelParser.TryParse(file, start, length) is { } model)
        {
            return model;
        }

        using var map = MemoryMappedFile.CreateFromFile(file, mapName: null, capacity: 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        using var view = map.CreateViewAccessor(start, length, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        try
        {
            return ModelProto.Parser.ParseFrom(new ReadOnlySpan<byte>(pointer + view.PointerOffset, checked((int)length)));
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    private static BuildConvertException Classify(InvalidProtocolBufferException e, string file)
    {
        var text = e.Message;
        if (text.Contains("ended unexpectedly", StringComparison.OrdinalIgnoreCase)
            || text.Contains("truncated", StringComparison.OrdinalIgnoreCase))
        {
            return BuildConvertException.Create(
                DiagnosticCodes.ModelTruncated, $"model file '{file}' is truncated: a message ends past the end of the file", file, inner: e);
        }

        if (text.Contains("recursion", StringComparison.OrdinalIgnoreCase) || text.Contains("size limit", StringComparison.OrdinalIgnoreCase))
        {
            return BuildConvertException.Create(
                DiagnosticCodes.ModelReadLimitExceeded, $"model file '{file}' exceeds a reader limit: {text}", file, inner: e);
        }

        return BuildConvertException.Create(
            DiagnosticCodes.ModelCorrupt, $"model file '{file}' is not valid ONNX protobuf data: {text}", file, inner: e);
    }
}
