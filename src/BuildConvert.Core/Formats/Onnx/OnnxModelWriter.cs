using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using Google.Protobuf;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>
/// Writes <see cref="ModelProto"/> files deterministically: the same model and options give byte-identical files
/// (fields are serialized in field-number order, repeated fields, including <c>metadata_props</c>, in the model's own
/// order, and external data at offsets that depend only on the model). Writing to a path is atomic: the model and
/// its data file go through one <see cref="OutputSet"/> (staged beside the destination, renamed into place data file
/// first), so a failure leaves nothing behind and never a partial file. Thread-safe: no shared state; the model is not modified.
/// </summary>
public static class OnnxModelWriter
{
    private const long MaxSingleFileBytes = int.MaxValue;

    /// <summary>Serializes the model (everything inline) to <paramref name="stream"/>.</summary>
    /// <param name="model">The model; not modified.</param>
    /// <param name="stream">The destination; not disposed.</param>
    /// <exception cref="BuildConvertException">The model is over 2 GiB (BCONV1021) or the stream fails (BCONV1020).</exception>
    public static void Write(ModelProto model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        WriteMessage(model, stream, null);
    }

    /// <summary>Serializes the model to a byte array (everything inline).</summary>
    /// <exception cref="BuildConvertException">The model is over 2 GiB (BCONV1021).</exception>
    public static byte[] ToBytes(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckSize(model, null);
        return model.ToByteArray();
    }

    /// <summary>
    /// Writes the model to <paramref name="path"/>, with large tensors in a data file beside it when
    /// <see cref="OnnxWriteOptions.ExternalData"/> is set. Both files go through one <see cref="OutputSet"/>: existing
    /// files are replaced only once everything is written, the data file before the model.
    /// </summary>
    /// <param name="model">The model; not modified (external-data rewriting works on a shallow copy).</param>
    /// <param name="path">The destination model file; its folder (and the data file's) must exist.</param>
    /// <param name="options">Options; <see cref="OnnxWriteOptions.Default"/> when null.</param>
    /// <returns>The model as written: <paramref name="model"/> itself, or with external data the copy whose tensors refer
    /// to the data file (so that a caller can check those references without reading the file back).</returns>
    /// <exception cref="BuildConvertException">Writing failed (BCONV1020, naming <paramref name="path"/>) or the model is
    /// too large (BCONV1021).</exception>
    public static ModelProto Write(ModelProto model, string path, OnnxWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= OnnxWriteOptions.Default;
        var full = Path.GetFullPath(path);
        var dataName = DataFileName(options, full);
        using var set = dataName is null ? OutputSet.ForFile(full) : OutputSet.ForFile(full, dataName);
        foreach (var member in set.Members)
        {
            var folder = Path.GetDirectoryName(set.FinalPath(member))!;
            if (!Directory.Exists(folder))
            {
                throw BuildConvertException.Create(DiagnosticCodes.ModelWriteFailed, $"model file '{full}' could not be written: the folder '{folder}' does not exist", full);
            }
        }

        try
        {
            set.Open();
        }
        catch (IOException e)
        {
            throw BuildConvertException.Create(DiagnosticCodes.ModelWriteFailed, $"model file '{full}' could not be written: {e.Message}", full, inner: e);
        }

        var written = WriteStaged(model, set, options);
        try
        {
            set.Commit();
        }
        catch (IOException e)
        {
            throw BuildConvertException.Create(DiagnosticCodes.ModelWriteFailed, $"model file '{full}' could not be written: {e.Message}", full, inner: e);
        }

        return written;
    }

    /// <summary>
    /// Writes the model (and its data file) into the staging folder of <paramref name="set"/>, an open set whose last
    /// member is the model and which holds the data file <paramref name="options"/> names; the caller commits.
    /// </summary>
    /// <returns>The model as written (see <see cref="Write(ModelProto, string, OnnxWriteOptions?)"/>).</returns>
    /// <exception cref="BuildConvertException">Writing failed (BCONV1020, naming the final path) or the model is too
    /// large (BCONV1021).</exception>
    internal static ModelProto WriteStaged(ModelProto model, OutputSet set, OnnxWriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(options);
        var name = set.Members[^1];
        var full = set.FinalPath(name);
        var dataName = DataFileName(options, full);
        if (dataName is not null && !set.Members.Contains(dataName, StringComparer.Ordinal))
        {
            throw new ArgumentException($"the output set of '{full}' does not hold its data file '{dataName}'", nameof(set));
        }

        try
        {
            var toWrite = model;
            if (dataName is not null)
            {
                toWrite = model.Clone();
                set.Write(dataName, data => MoveTensorsOut(toWrite, data, dataName.Replace('\\', '/'), options));
            }

            CheckSize(toWrite, full);
            set.Write(name, stream =>
            {
                using var output = new CodedOutputStream(stream, leaveOpen: true);
                toWrite.WriteTo(output);
                output.Flush();
            });
            return toWrite;
        }
        catch (IOException e)
        {
            throw BuildConvertException.Create(DiagnosticCodes.ModelWriteFailed, $"model file '{full}' could not be written: {e.Message}", full, inner: e);
        }
    }

    /// <summary>The data file's name relative to the model's folder, or null without external data.</summary>
    private static string? DataFileName(OnnxWriteOptions options, string full)
    {
        if (options.ExternalDataAlignment <= 0 || (options.ExternalDataAlignment & (options.ExternalDataAlignment - 1)) != 0)
        {
            throw new ArgumentException("ExternalDataAlignment must be a positive power of two", nameof(options));
        }

        if (!options.ExternalData)
        {
            return null;
        }

        var dataName = options.ExternalDataFileName ?? Path.GetFileName(full) + ".data";
        var syntax = ExternalDataLocation.CheckSyntax(dataName, "(data file)", full);
        if (syntax is not null)
        {
            throw new ArgumentException($"ExternalDataFileName: {syntax.Message}", nameof(options));
        }

        return dataName;
    }

    private static void MoveTensorsOut(ModelProto model, Stream data, string location, OnnxWriteOptions options)
    {
        long offset = 0;
        var padding = new byte[options.ExternalDataAlignment];
        foreach (var tensor in ModelTensors.All(model))
        {
            if (ExternalDataReference.IsExternal(tensor)
                || tensor.DataType == (int)TensorProto.Types.DataType.String
                || TensorSizes.RawByteCount(tensor) is not { } size
                || size < options.ExternalDataThreshold)
            {
                continue;
            }

            var raw = TensorEncoding.ToRaw(tensor);
            if (raw is null || raw.Value.Length != size)
            {
                continue;
            }

            var aligned = (offset + options.ExternalDataAlignment - 1) & ~(long)(options.ExternalDataAlignment - 1);
            data.Write(padding, 0, (int)(aligned - offset));
            data.Write(raw.Value.Span);
            TensorEncoding.ClearData(tensor);
            tensor.DataLocation = TensorProto.Types.DataLocation.External;
            tensor.ExternalData.Clear();
            tensor.ExternalData.Add(new StringStringEntryProto { Key = ExternalDataReference.LocationKey, Value = location });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = ExternalDataReference.OffsetKey, Value = aligned.ToString(CultureInfo.InvariantCulture) });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = ExternalDataReference.LengthKey, Value = size.ToString(CultureInfo.InvariantCulture) });
            offset = aligned + size;
        }
    }

    private static void WriteMessage(ModelProto model, Stream stream, string? file)
    {
        CheckSize(model, file);
        try
        {
            using var output = new CodedOutputStream(stream, leaveOpen: true);
            model.WriteTo(output);
            output.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.ModelWriteFailed, $"model '{file ?? "(stream)"}' could not be written: {e.Message}", file, inner: e);
        }
    }

    private static void CheckSize(ModelProto model, string? file)
    {
        long size;
        try
        {
            size = model.CalculateSize();
        }
        catch (OverflowException)
        {
            size = long.MaxValue;
        }

        if (size < 0 || size > MaxSingleFileBytes)
        {
            throw BuildConvertException.Create(
                DiagnosticCodes.ModelTooLargeToWrite,
                $"model '{file ?? "(stream)"}' would serialize to more than 2 GiB; write its weights as external data",
                file);
        }
    }
}
