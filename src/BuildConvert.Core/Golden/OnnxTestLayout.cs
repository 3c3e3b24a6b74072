using System.Globalization;
using System.Text.RegularExpressions;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Values;
using Google.Protobuf;

namespace BuildConvert.Core.Golden;

/// <summary>
/// The ONNX backend test layout: a folder of <c>test_data_set_N</c> folders, each holding <c>input_K.pb</c> and
/// <c>output_K.pb</c> files (K and N in numeric order, K counted from 0 without gaps). Each file is one serialized
/// <see cref="TensorProto"/>, or a <see cref="SequenceProto"/>, <see cref="OptionalProto"/> or <see cref="MapProto"/> when
/// the graph's type for that position is a sequence, optional or map.
/// </summary>
public static partial class OnnxTestLayout
{
    /// <summary>The prefix of data set folder names.</summary>
    public const string DataSetPrefix = "test_data_set_";

    /// <summary>The largest <c>.pb</c> file read: one serialized protobuf message is at most 2 GiB.</summary>
    public const long MaxValueFileBytes = int.MaxValue;

    [GeneratedRegex(@"^test_data_set_([0-9]{1,9})$", RegexOptions.CultureInvariant)]
    private static partial Regex DataSetFolderPattern();

    [GeneratedRegex(@"^(input|output)_([0-9]{1,9})\.pb$", RegexOptions.CultureInvariant)]
    private static partial Regex ValueFilePattern();

    /// <summary>The <c>test_data_set_N</c> folders directly under <paramref name="folder"/>, in numeric order of N.</summary>
    public static IReadOnlyList<string> FindDataSetFolders(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            return Array.Empty<string>();
        }

        return Directory.EnumerateDirectories(folder)
            .Select(d => (Path: d, Match: DataSetFolderPattern().Match(Path.GetFileName(d))))
            .Where(x => x.Match.Success)
            .OrderBy(x => int.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture))
            .ThenBy(x => x.Path, StringComparer.Ordinal)
            .Select(x => x.Path)
            .ToArray();
    }

    /// <summary>Whether <paramref name="folder"/> directly holds <c>input_K.pb</c> or <c>output_K.pb</c> files.</summary>
    public static bool HoldsValueFiles(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.pb").Any(f => ValueFilePattern().IsMatch(Path.GetFileName(f)));

    /// <summary>Reads every <c>test_data_set_N</c> folder under <paramref name="folder"/>.</summary>
    /// <param name="folder">The folder holding the data set folders.</param>
    /// <param name="model">The model, used for the type of each position and for names; null reads TensorProtos and
    /// keeps stored names only.</param>
    /// <exception cref="BuildConvertException">BCONV1100 when there is no data set folder; BCONV1101-1105 and 1112-1115
    /// for bad files.</exception>
    public static IReadOnlyList<GoldenDataSet> Read(string folder, ModelProto? model) => Read(folder, model, CancellationToken.None);

    /// <summary>Reads every <c>test_data_set_N</c> folder under <paramref name="folder"/>, checking
    /// <paramref name="cancellationToken"/> before each file.</summary>
    /// <inheritdoc cref="Read(string, ModelProto?)"/>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static IReadOnlyList<GoldenDataSet> Read(string folder, ModelProto? model, CancellationToken cancellationToken)
    {
        var folders = FindDataSetFolders(folder);
        if (folders.Count == 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenLayoutNotRecognized,
                $"golden folder '{folder}' has no {DataSetPrefix}N folders", folder);
        }

        var signature = ModelSignature.Of(model);
        return folders.Select(f => ReadDataSet(folder, f, signature, cancellationToken)).ToArray();
    }

    /// <summary>Reads one data set folder (holding <c>input_K.pb</c> and <c>output_K.pb</c>).</summary>
    /// <exception cref="BuildConvertException">BCONV1101 for numbering gaps or no outputs; BCONV1102-1105 and 1112 for bad files.</exception>
    public static GoldenDataSet ReadDataSet(string dataSetFolder, ModelProto? model) =>
        ReadDataSet(dataSetFolder, model, CancellationToken.None);

    /// <summary>Reads one data set folder, checking <paramref name="cancellationToken"/> before each file.</summary>
    /// <inheritdoc cref="ReadDataSet(string, ModelProto?)"/>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static GoldenDataSet ReadDataSet(string dataSetFolder, ModelProto? model, CancellationToken cancellationToken) =>
        ReadDataSet(dataSetFolder, dataSetFolder, ModelSignature.Of(model), cancellationToken);

    /// <summary>Reads one value file.</summary>
    /// <param name="path">The <c>.pb</c> file.</param>
    /// <param name="type">The graph's type for this value; null (or a tensor type) reads a <see cref="TensorProto"/>.</param>
    /// <param name="fallbackName">The name to use when the stored proto has none.</param>
    /// <exception cref="BuildConvertException">BCONV1102 when the bytes are not the expected message; BCONV1103-1105 for
    /// bad values; BCONV1104 for sparse or opaque types; BCONV1112 when the file cannot be read; BCONV1113 for an empty
    /// or non-regular file (a FIFO, a device), BCONV1115 past 2 GiB, both decided before the file is opened.</exception>
    public static DataValue ReadValueFile(string path, TypeProto? type, string fallbackName = "")
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = GoldenFileAccess.ReadAllBytes(path, MaxValueFileBytes);
        return ParseValue(bytes, type, fallbackName, path);
    }

    /// <summary>Parses the bytes of one value file (see <see cref="ReadValueFile"/>).</summary>
    /// <param name="bytes">The serialized message.</param>
    /// <param name="type">The graph's type for this value, or null for a tensor.</param>
    /// <param name="fallbackName">The name to use when the stored proto has none.</param>
    /// <param name="file">The file name for diagnostics.</param>
    public static DataValue ParseValue(ReadOnlySpan<byte> bytes, TypeProto? type, string fallbackName = "", string? file = null)
    {
        var kind = type?.ValueCase ?? TypeProto.ValueOneofCase.None;
        (MessageParser Parser, string What) expected = kind switch
        {
            TypeProto.ValueOneofCase.None or TypeProto.ValueOneofCase.TensorType => (TensorProto.Parser, nameof(TensorProto)),
            TypeProto.ValueOneofCase.SequenceType => (SequenceProto.Parser, nameof(SequenceProto)),
            TypeProto.ValueOneofCase.OptionalType => (OptionalProto.Parser, nameof(OptionalProto)),
            TypeProto.ValueOneofCase.MapType => (MapProto.Parser, nameof(MapProto)),
            _ => throw BuildConvertException.Create(DiagnosticCodes.TensorTypeUnsupported,
                $"the graph declares a {kind} value here, which golden data does not support", file),
        };
        IMessage message;
        try
        {
            message = expected.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenProtoUnreadable,
                $"'{file ?? "(bytes)"}' is not a valid serialized {expected.What}: {ex.Message}", file, inner: ex);
        }

        var storedName = message switch
        {
            TensorProto t => t.Name,
            SequenceProto s => s.Name,
            OptionalProto o => o.Name,
            MapProto m => m.Name,
            _ => "",
        };
        return OnnxTensorCodec.ToDataValue(message, storedName.Length > 0 ? storedName : fallbackName, file);
    }

    /// <summary>
    /// Writes data sets as <c>test_data_set_0</c>, <c>test_data_set_1</c>, ... under <paramref name="folder"/> (created if
    /// needed). The data sets are one <see cref="OutputSet"/> staged beside the folder, so a failure leaves no partial
    /// data set; existing <c>test_data_set_N</c> folders are replaced and ones past the new count removed.
    /// </summary>
    /// <param name="folder">The golden folder.</param>
    /// <param name="dataSets">The data sets; each value is written with its own name.</param>
    /// <exception cref="BuildConvertException">BCONV1112 when the files cannot be written.</exception>
    /// <exception cref="ArgumentException">A value is inconsistent.</exception>
    public static void Write(string folder, IReadOnlyList<GoldenDataSet> dataSets)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(dataSets);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var parent = Path.GetDirectoryName(full) ?? full;
        var name = Path.GetFileName(full);
        try
        {
            Directory.CreateDirectory(full);
            var names = Enumerable.Range(0, dataSets.Count).Select(n => DataSetPrefix + n.ToString(CultureInfo.InvariantCulture));
            var members = names.Union(FindDataSetFolders(full).Select(Path.GetFileName).OfType<string>(), StringComparer.Ordinal)
                .Select(n => Path.Combine(name, n))
                .ToArray();

            // Staged beside the golden folder, not in it: what is inside it is the cache key's golden data.
            using var outputs = OutputSet.ForFolders(parent, name, members);
            outputs.Open();
            for (var n = 0; n < dataSets.Count; n++)
            {
                var dataSet = members[n];
                WriteValues(outputs, dataSet, "input", dataSets[n].Inputs);
                WriteValues(outputs, dataSet, "output", dataSets[n].Outputs);
            }

            outputs.Commit();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenFileIoError, $"cannot write golden data to '{folder}': {ex.Message}", folder, inner: ex);
        }
    }

    /// <summary>Serializes one value as the bytes of a <c>.pb</c> file (deterministic for equal values).</summary>
    /// <exception cref="ArgumentException">The value is inconsistent.</exception>
    public static byte[] ToBytes(DataValue value) => OnnxTensorCodec.ToProto(value).ToByteArray();

    private static void WriteValues(OutputSet outputs, string dataSet, string prefix, IReadOnlyList<DataValue> values)
    {
        for (var k = 0; k < values.Count; k++)
        {
            var bytes = ToBytes(values[k]);
            outputs.Write(Path.Combine(dataSet, $"{prefix}_{k.ToString(CultureInfo.InvariantCulture)}.pb"), stream => stream.Write(bytes));
        }
    }

    private static GoldenDataSet ReadDataSet(string root, string dataSetFolder, ModelSignature signature, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSetFolder);
        GoldenFileAccess.RequireInside(root, dataSetFolder);
        var inputs = new SortedDictionary<int, string>();
        var outputs = new SortedDictionary<int, string>();
        IEnumerable<string> files;
        try
        {
            files = Directory.EnumerateFiles(dataSetFolder, "*.pb").ToArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenFileIoError, $"cannot list '{dataSetFolder}': {ex.Message}", dataSetFolder, inner: ex);
        }

        foreach (var file in files)
        {
            var match = ValueFilePattern().Match(Path.GetFileName(file));
            if (!match.Success)
            {
                continue;
            }

            var target = match.Groups[1].Value == "input" ? inputs : outputs;
            var k = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            if (!target.TryAdd(k, file))
            {
                throw BuildConvertException.Create(DiagnosticCodes.GoldenFileNumbering,
                    $"data set '{dataSetFolder}' has two files for {match.Groups[1].Value} {k}: '{Path.GetFileName(target[k])}' and '{Path.GetFileName(file)}'",
                    file);
            }
        }

        CheckNumbering(dataSetFolder, "input", inputs);
        CheckNumbering(dataSetFolder, "output", outputs);
        if (outputs.Count == 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenFileNumbering,
                $"data set '{dataSetFolder}' has no output_K.pb files", dataSetFolder);
        }

        var inputValues = inputs.Values.Select((f, k) => ReadAt(root, f, ModelSignature.At(signature.Inputs, k), cancellationToken)).ToArray();
        var outputValues = outputs.Values.Select((f, k) => ReadAt(root, f, ModelSignature.At(signature.Outputs, k), cancellationToken)).ToArray();
        return new GoldenDataSet(Path.GetFileName(dataSetFolder.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)), inputValues, outputValues)
        {
            InputFiles = inputs.Values.ToArray(),
            OutputFiles = outputs.Values.ToArray(),
        };
    }

    private static DataValue ReadAt(string root, string file, ValueInfoProto? info, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        GoldenFileAccess.RequireInside(root, file);
        return ReadValueFile(file, info?.Type, info?.Name ?? "");
    }

    private static void CheckNumbering(string folder, string kind, SortedDictionary<int, string> files)
    {
        var expected = 0;
        foreach (var k in files.Keys)
        {
            if (k != expected)
            {
                throw BuildConvertException.Create(DiagnosticCodes.GoldenFileNumbering,
                    $"data set '{folder}' has {kind}_{k}.pb but no {kind}_{expected}.pb; files must be numbered from 0 without gaps",
                    files[k]);
            }

            expected++;
        }
    }
}
