using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using Google.Protobuf;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>
/// Moves tensors stored as external data into <c>raw_data</c>. Every location is checked with
/// <see cref="ExternalDataLocation"/> and every byte range against the file's length before the file is opened,
/// so a hostile model cannot make the reader open or read anything outside its folder.
/// </summary>
public static class ExternalDataLoader
{
    /// <summary>Loads every external tensor of <paramref name="model"/> in place.</summary>
    /// <param name="model">The model; its external tensors are rewritten to hold raw_data.</param>
    /// <param name="modelDirectory">The folder the model file is in.</param>
    /// <param name="file">The model file, for messages.</param>
    /// <exception cref="BuildConvertException">A reference breaks a rule, or the data cannot be read (BCONV1010-1018).</exception>
    /// <returns>The distinct data files read, as full paths in ordinal order.</returns>
    public static IReadOnlyList<string> LoadAll(ModelProto model, string modelDirectory, string? file)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(modelDirectory);
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var tensor in ModelTensors.All(model))
        {
            if (ExternalDataReference.IsExternal(tensor))
            {
                files.Add(Load(tensor, modelDirectory, file));
            }
        }

        return files.ToArray();
    }

    /// <summary>
    /// Checks one external tensor's reference against the rules and the data file's length, without opening it.
    /// Returns null when it is acceptable; otherwise the diagnostic. <paramref name="fullPath"/> and
    /// <paramref name="length"/> are set when it is.
    /// </summary>
    public static Diagnostic? Validate(TensorProto tensor, string modelDirectory, string? file, out string? fullPath, out long length)
    {
        fullPath = null;
        length = 0;
        var reference = ExternalDataReference.TryParse(tensor, file, out var problem);
        if (reference is null)
        {
            return problem;
        }

        problem = ExternalDataLocation.Resolve(modelDirectory, reference.Location, tensor.Name, file, out var path);
        if (problem is not null)
        {
            return problem;
        }

        var where = $"tensor '{tensor.Name}'";
        var fileLength = new FileInfo(path!).Length;

        // FIFOs and devices report a length of 0, like an empty file: neither can hold the bytes of a non-empty tensor,
        // and opening a FIFO would block, so both are "not a regular file" rather than a range past the end.
        if (fileLength == 0 && (reference.Offset > 0 || (reference.Length ?? TensorSizes.RawByteCount(tensor) ?? 1) > 0))
        {
            return DiagnosticCodes.ExternalDataFileMissing.Create(
                $"tensor '{tensor.Name}': external data file '{path}' is empty or not a regular file (a FIFO or a device)",
                file, where);
        }

        var available = fileLength - reference.Offset;
        if (available < 0 || (reference.Length is { } declared && declared > available))
        {
            return DiagnosticCodes.ExternalDataOutOfRange.Create(
                $"tensor '{tensor.Name}': external data at offset {reference.Offset} with length {reference.Length?.ToString() ?? "(to end)"} lies past the end of '{path}' ({fileLength} bytes)",
                file, where);
        }

        length = reference.Length ?? available;
        var expected = TensorSizes.RawByteCount(tensor);
        if (expected is { } e && e != length)
        {
            return DiagnosticCodes.ExternalDataSizeMismatch.Create(
                $"tensor '{tensor.Name}': external data holds {length} bytes but dims and data_type need {e}",
                file, where);
        }

        fullPath = path;
        return null;
    }

    private static string Load(TensorProto tensor, string modelDirectory, string? file)
    {
        var problem = Validate(tensor, modelDirectory, file, out var path, out var length);
        if (problem is not null)
        {
            throw new BuildConvertException(problem);
        }

        var reference = ExternalDataReference.TryParse(tensor, file, out _)!;
        if (length > Array.MaxLength)
        {
            throw BuildConvertException.Create(
                DiagnosticCodes.ModelReadLimitExceeded,
                $"tensor '{tensor.Name}': external data of {length} bytes is larger than one in-memory tensor can be; leave it external",
                file, $"tensor '{tensor.Name}'");
        }

        var data = new byte[length];
        if (length > 0)
        {
            try
            {
                using var stream = new FileStream(path!, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
                stream.Seek(reference.Offset, SeekOrigin.Begin);
                stream.ReadExactly(data);
            }
            catch (EndOfStreamException e)
            {
                throw BuildConvertException.Create(
                    DiagnosticCodes.ExternalDataOutOfRange,
                    $"tensor '{tensor.Name}': external data file '{path}' ended before {length} bytes at offset {reference.Offset} were read",
                    file, $"tensor '{tensor.Name}'", e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw BuildConvertException.Create(
                    DiagnosticCodes.ModelReadFailed,
                    $"tensor '{tensor.Name}': external data file '{path}' could not be read: {e.Message}",
                    file, $"tensor '{tensor.Name}'", e);
            }
        }

        tensor.RawData = UnsafeByteOperations.UnsafeWrap(data);
        tensor.ExternalData.Clear();
        tensor.DataLocation = TensorProto.Types.DataLocation.Default;
        return path!;
    }
}
