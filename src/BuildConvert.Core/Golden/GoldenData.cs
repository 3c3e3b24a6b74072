using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats;
using BuildConvert.Core.Formats.Npy;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Values;

namespace BuildConvert.Core.Golden;

/// <summary>
/// Loads and writes golden data in every supported layout: <c>test_data_set_N/input_K.pb</c> + <c>output_K.pb</c>
/// (the ONNX test layout; also a single folder holding <c>input_K.pb</c>/<c>output_K.pb</c> directly),
/// <c>inputs.npz</c> + <c>outputs.npz</c>, and <c>inputs/*.npy</c> + <c>outputs/*.npy</c>.
/// </summary>
public static class GoldenData
{
    /// <summary>The npz file holding the inputs.</summary>
    public const string InputsNpz = "inputs.npz";

    /// <summary>The npz file holding the expected outputs.</summary>
    public const string OutputsNpz = "outputs.npz";

    /// <summary>The name of the single data set of the npz and npy-folder layouts.</summary>
    public const string NpzDataSetName = "npz";

    /// <summary>Detects the layout of <paramref name="folder"/> without reading values.</summary>
    /// <exception cref="BuildConvertException">BCONV1100 when the folder is missing or matches no layout.</exception>
    public static GoldenLayout DetectLayout(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenLayoutNotRecognized, $"golden folder '{folder}' does not exist", folder);
        }

        if (OnnxTestLayout.FindDataSetFolders(folder).Count > 0 || OnnxTestLayout.HoldsValueFiles(folder))
        {
            return GoldenLayout.OnnxTestDataSets;
        }

        if (File.Exists(Path.Combine(folder, InputsNpz)) || File.Exists(Path.Combine(folder, OutputsNpz)))
        {
            return GoldenLayout.Npz;
        }

        var outputs = Path.Combine(folder, "outputs");
        if (Directory.Exists(outputs) && Directory.EnumerateFiles(outputs, "*.npy").Any())
        {
            return GoldenLayout.NpyFolders;
        }

        throw BuildConvertException.Create(DiagnosticCodes.GoldenLayoutNotRecognized,
            $"golden folder '{folder}' holds neither {OnnxTestLayout.DataSetPrefix}N folders nor {InputsNpz}/{OutputsNpz} (nor outputs/*.npy)", folder);
    }

    /// <summary>
    /// Reads every data set in <paramref name="folder"/>. In the ONNX layout values are named by their stored name, else
    /// by the graph input/output at the same position (graph inputs that are initializers are skipped), else left
    /// unnamed; npz and npy values are named by their keys and ordered by graph position when a model is given.
    /// </summary>
    /// <param name="folder">The golden folder.</param>
    /// <param name="model">The model the data is for, or null. It decides whether a <c>.pb</c> file holds a tensor,
    /// sequence, optional or map, names unnamed values, and orders npz values.</param>
    /// <returns>The data sets (in numeric order of <c>N</c> for the ONNX layout); never empty.</returns>
    /// <exception cref="BuildConvertException">BCONV11xx for missing, unsafe or malformed golden data; BCONV4013 for
    /// npz/npy data holding no output; BCONV4005 for an <c>inputs.npz</c> array the model does not take (found before
    /// any array is inflated).</exception>
    public static IReadOnlyList<GoldenDataSet> Load(string folder, ModelProto? model) => Load(folder, model, CancellationToken.None);

    /// <summary>Reads every data set in <paramref name="folder"/>, checking <paramref name="cancellationToken"/> before
    /// each file, so a time limit covers loading too.</summary>
    /// <inheritdoc cref="Load(string, ModelProto?)"/>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static IReadOnlyList<GoldenDataSet> Load(string folder, ModelProto? model, CancellationToken cancellationToken)
    {
        var layout = DetectLayout(folder);
        switch (layout)
        {
            case GoldenLayout.Npz:
                return new[] { LoadNpz(folder, model, cancellationToken) };
            case GoldenLayout.NpyFolders:
                return new[] { LoadNpyFolders(folder, model, cancellationToken) };
            default:
                return OnnxTestLayout.FindDataSetFolders(folder).Count > 0
                    ? OnnxTestLayout.Read(folder, model, cancellationToken)
                    : new[] { OnnxTestLayout.ReadDataSet(folder, model, cancellationToken) };
        }
    }

    /// <summary>Writes data sets in the ONNX test layout (see <see cref="OnnxTestLayout.Write"/>).</summary>
    /// <exception cref="BuildConvertException">BCONV1112 for I/O errors.</exception>
    public static void WriteOnnxLayout(string folder, IReadOnlyList<GoldenDataSet> dataSets) => OnnxTestLayout.Write(folder, dataSets);

    /// <summary>Writes one data set as <c>inputs.npz</c> and <c>outputs.npz</c> in <paramref name="folder"/> (created if
    /// needed). Every value must be a named tensor of a type NumPy can hold.</summary>
    /// <exception cref="BuildConvertException">BCONV1111 for a value NumPy files cannot hold; BCONV1112 for I/O errors.</exception>
    public static void WriteNpz(string folder, GoldenDataSet dataSet, bool compressed = false)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(dataSet);
        var inputs = Tensors(dataSet.Inputs);
        var outputs = Tensors(dataSet.Outputs);
        NpzWriter.EnsureWritable(inputs);
        NpzWriter.EnsureWritable(outputs);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenFileIoError, $"cannot create '{folder}': {ex.Message}", folder, inner: ex);
        }

        NpzWriter.Write(Path.Combine(folder, InputsNpz), inputs, compressed);
        NpzWriter.Write(Path.Combine(folder, OutputsNpz), outputs, compressed);
    }

    private static TensorValue[] Tensors(IReadOnlyList<DataValue> values) =>
        values.Select(v => v as TensorValue ?? throw BuildConvertException.Create(DiagnosticCodes.GoldenValueNotWritable,
            $"value '{v.Name}' is a {v.GetType().Name}; NumPy files hold tensors only", location: v.Name)).ToArray();

    private static GoldenDataSet LoadNpz(string folder, ModelProto? model, CancellationToken cancellationToken)
    {
        var signature = ModelSignature.Of(model);
        var inputsPath = Path.Combine(folder, InputsNpz);
        var outputsPath = Path.Combine(folder, OutputsNpz);
        if (!File.Exists(outputsPath))
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenLayoutNotRecognized,
                $"golden folder '{folder}' has {InputsNpz} but no {OutputsNpz}", folder);
        }

        var options = NpzReadOptions.Default with { ExpectedDataBytes = ExpectedDataBytes(model) };
        IReadOnlyList<TensorValue> inputs = Array.Empty<TensorValue>();
        if (File.Exists(inputsPath))
        {
            cancellationToken.ThrowIfCancellationRequested();
            GoldenFileAccess.RequireInside(folder, inputsPath);
            RequireModelInputs(inputsPath, NpzReader.ReadKeys(inputsPath, options), model);
            inputs = NpzReader.Read(inputsPath, options);
        }

        cancellationToken.ThrowIfCancellationRequested();
        GoldenFileAccess.RequireInside(folder, outputsPath);
        var outputs = NpzReader.Read(outputsPath, options);
        if (outputs.Count == 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenDataComparesNothing,
                $"'{outputsPath}' holds no arrays, so there is no output to compare", outputsPath);
        }

        var orderedInputs = ModelSignature.OrderByNames(signature.Inputs, inputs, t => t.Name);
        var orderedOutputs = ModelSignature.OrderByNames(signature.Outputs, outputs, t => t.Name);
        return new GoldenDataSet(NpzDataSetName, orderedInputs, orderedOutputs)
        {
            InputFiles = orderedInputs.Select(_ => inputsPath).ToArray(),
            OutputFiles = orderedOutputs.Select(_ => outputsPath).ToArray(),
        };
    }

    private static GoldenDataSet LoadNpyFolders(string folder, ModelProto? model, CancellationToken cancellationToken)
    {
        var signature = ModelSignature.Of(model);
        var inputs = ReadNpyFolder(folder, Path.Combine(folder, "inputs"), cancellationToken);
        var outputs = ReadNpyFolder(folder, Path.Combine(folder, "outputs"), cancellationToken);
        if (outputs.Count == 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenDataComparesNothing,
                $"'{Path.Combine(folder, "outputs")}' holds no .npy file, so there is no output to compare", folder);
        }

        var orderedInputs = ModelSignature.OrderByNames(signature.Inputs, inputs, x => x.Value.Name);
        var orderedOutputs = ModelSignature.OrderByNames(signature.Outputs, outputs, x => x.Value.Name);
        return new GoldenDataSet(NpzDataSetName, orderedInputs.Select(x => (DataValue)x.Value).ToArray(), orderedOutputs.Select(x => (DataValue)x.Value).ToArray())
        {
            InputFiles = orderedInputs.Select(x => x.File).ToArray(),
            OutputFiles = orderedOutputs.Select(x => x.File).ToArray(),
        };
    }

    private static List<(TensorValue Value, string File)> ReadNpyFolder(string root, string folder, CancellationToken cancellationToken) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.npy")
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f =>
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    GoldenFileAccess.RequireInside(root, f);
                    return (NpyReader.Read(f), f);
                })
                .ToList()
            : new List<(TensorValue, string)>();

    /// <summary>BCONV4005 when <paramref name="keys"/> name an array the model does not take as input, before any array
    /// is inflated (an unused member may be huge).</summary>
    private static void RequireModelInputs(string file, IReadOnlyList<string> keys, ModelProto? model)
    {
        if (model?.Graph is not { } graph)
        {
            return;
        }

        var names = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = keys.Where(k => !names.Contains(k)).ToArray();
        if (unknown.Length > 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenInputMismatch,
                $"'{file}' holds {string.Join(", ", unknown.Select(k => $"'{k}'"))}, which the model does not take as input (its inputs are {string.Join(", ", graph.Input.Select(i => $"'{i.Name}'"))}); no array was read",
                file, unknown[0]);
        }
    }

    /// <summary>
    /// For each graph input and output the model declares with a fixed-size element type and a static shape, the most
    /// data bytes a .npy array of that shape can hold (16 bytes an element, the widest NumPy numeric type, so a golden
    /// value stored as another dtype still reaches the comparison and gets its type diagnostic).
    /// </summary>
    private static Dictionary<string, long>? ExpectedDataBytes(ModelProto? model)
    {
        if (model?.Graph is not { } graph)
        {
            return null;
        }

        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var value in graph.Input.Concat(graph.Output))
        {
            if (value.Type?.TensorType is not { Shape: { } shape } tensor
                || ElementTypes.BitsPerElement((TensorProto.Types.DataType)tensor.ElemType) == 0
                || shape.Dim.Any(d => d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || d.DimValue < 0))
            {
                continue;
            }

            long count = 1;
            foreach (var d in shape.Dim)
            {
                count = d.DimValue == 0 || count <= long.MaxValue / 16 / d.DimValue ? count * d.DimValue : long.MaxValue / 16;
            }

            result.TryAdd(value.Name, count * 16);
        }

        return result;
    }
}
