using BuildConvert.Core.Diagnostics;
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
    /// <exception cref="BuildConvertException">BCONV11xx for missing, unsafe or malformed golden data.</exception>
    public static IReadOnlyList<GoldenDataSet> Load(string folder, ModelProto? model)
    {
        var layout = DetectLayout(folder);
        switch (layout)
        {
            case GoldenLayout.Npz:
                return new[] { LoadNpz(folder, model) };
            case GoldenLayout.NpyFolders:
                return new[] { LoadNpyFolders(folder, model) };
            default:
                return OnnxTestLayout.FindDataSetFolders(folder).Count > 0
                    ? OnnxTestLayout.Read(folder, model)
                    : new[] { OnnxTestLayout.ReadDataSet(folder, model) };
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

    private static GoldenDataSet LoadNpz(string folder, ModelProto? model)
    {
        var signature = ModelSignature.Of(model);
        var inputsPath = Path.Combine(folder, InputsNpz);
        var outputsPath = Path.Combine(folder, OutputsNpz);
        if (!File.Exists(outputsPath))
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenLayoutNotRecognized,
                $"golden folder '{folder}' has {InputsNpz} but no {OutputsNpz}", folder);
        }

        IReadOnlyList<TensorValue> inputs = File.Exists(inputsPath) ? NpzReader.Read(inputsPath) : Array.Empty<TensorValue>();
        var outputs = NpzReader.Read(outputsPath);
        var orderedInputs = ModelSignature.OrderByNames(signature.Inputs, inputs, t => t.Name);
        var orderedOutputs = ModelSignature.OrderByNames(signature.Outputs, outputs, t => t.Name);
        return new GoldenDataSet(NpzDataSetName, orderedInputs, orderedOutputs)
        {
            InputFiles = orderedInputs.Select(_ => inputsPath).ToArray(),
            OutputFiles = orderedOutputs.Select(_ => outputsPath).ToArray(),
        };
    }

    private static GoldenDataSet LoadNpyFolders(string folder, ModelProto? model)
    {
        var signature = ModelSignature.Of(model);
        var inputs = ReadNpyFolder(Path.Combine(folder, "inputs"));
        var outputs = ReadNpyFolder(Path.Combine(folder, "outputs"));
        var orderedInputs = ModelSignature.OrderByNames(signature.Inputs, inputs, x => x.Value.Name);
        var orderedOutputs = ModelSignature.OrderByNames(signature.Outputs, outputs, x => x.Value.Name);
        return new GoldenDataSet(NpzDataSetName, orderedInputs.Select(x => (DataValue)x.Value).ToArray(), orderedOutputs.Select(x => (DataValue)x.Value).ToArray())
        {
            InputFiles = orderedInputs.Select(x => x.File).ToArray(),
            OutputFiles = orderedOutputs.Select(x => x.File).ToArray(),
        };
    }

    private static List<(TensorValue Value, string File)> ReadNpyFolder(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.npy")
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => (NpyReader.Read(f), f))
                .ToList()
            : new List<(TensorValue, string)>();
}
