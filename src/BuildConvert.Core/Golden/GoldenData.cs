using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Golden;

/// <summary>
/// Loads golden data from a folder in any supported layout: <c>test_data_set_N/input_K.pb</c> + <c>output_K.pb</c>
/// (the ONNX test layout), a single folder holding <c>input_K.pb</c>/<c>output_K.pb</c> directly, or
/// <c>inputs.npz</c> + <c>outputs.npz</c> (and <c>inputs/*.npy</c> + <c>outputs/*.npy</c>).
/// </summary>
public static class GoldenData
{
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

        throw BuildConvertException.Create(DiagnosticCodes.GoldenLayoutNotRecognized,
            $"golden folder '{folder}' holds neither {OnnxTestLayout.DataSetPrefix}N folders nor inputs.npz/outputs.npz", folder);
    }

    /// <summary>
    /// Reads every data set in <paramref name="folder"/>. Values are named by their stored name, else by the graph
    /// input/output at the same position (graph inputs that are initializers are skipped), else left unnamed.
    /// </summary>
    /// <param name="folder">The golden folder.</param>
    /// <param name="model">The model the data is for, or null. It decides whether a <c>.pb</c> file holds a tensor,
    /// sequence, optional or map, and orders npz values by graph position.</param>
    /// <returns>The data sets in numeric order of <c>N</c>; never empty.</returns>
    /// <exception cref="BuildConvertException">BCONV11xx for missing, unsafe or malformed golden data.</exception>
    public static IReadOnlyList<GoldenDataSet> Load(string folder, ModelProto? model)
    {
        var layout = DetectLayout(folder);
        switch (layout)
        {
            default:
                return OnnxTestLayout.FindDataSetFolders(folder).Count > 0
                    ? OnnxTestLayout.Read(folder, model)
                    : new[] { OnnxTestLayout.ReadDataSet(folder, model) };
        }
    }
}
