using BuildConvert.Core.Values;

namespace BuildConvert.Core.Golden;

/// <summary>The golden data layouts <see cref="GoldenData.Load(string, BuildConvert.Core.Formats.Onnx.Proto.ModelProto?)"/> recognises.</summary>
public enum GoldenLayout
{
    /// <summary><c>test_data_set_N/input_K.pb</c> and <c>output_K.pb</c> (the ONNX backend test layout).</summary>
    OnnxTestDataSets,

    /// <summary><c>inputs.npz</c> and <c>outputs.npz</c>, keys = tensor names.</summary>
    Npz,

    /// <summary><c>inputs/&lt;name&gt;.npy</c> and <c>outputs/&lt;name&gt;.npy</c>.</summary>
    NpyFolders,
}

/// <summary>
/// One set of golden inputs and the outputs a model must produce for them: one <c>test_data_set_N</c> folder, or one
/// <c>inputs.npz</c>/<c>outputs.npz</c> pair.
/// </summary>
/// <param name="Name">The data set's name (the folder name such as <c>test_data_set_0</c>, or <c>npz</c>).</param>
/// <param name="Inputs">The inputs in graph-input order. A name is the stored name, else the graph input's name at that
/// position, else empty (then only the position identifies the input).</param>
/// <param name="Outputs">The expected outputs in graph-output order, named like <paramref name="Inputs"/>.</param>
public sealed record GoldenDataSet(string Name, IReadOnlyList<DataValue> Inputs, IReadOnlyList<DataValue> Outputs)
{
    /// <summary>The file each input came from (same order as <see cref="Inputs"/>); empty for data made in memory.</summary>
    public IReadOnlyList<string> InputFiles { get; init; } = Array.Empty<string>();

    /// <summary>The file each output came from (same order as <see cref="Outputs"/>), e.g.
    /// <c>.../test_data_set_0/output_0.pb</c> or <c>.../outputs.npz</c>; empty for data made in memory.</summary>
    public IReadOnlyList<string> OutputFiles { get; init; } = Array.Empty<string>();

    /// <summary>The file the output at <paramref name="index"/> came from, or null when unknown.</summary>
    public string? OutputFile(int index) => index >= 0 && index < OutputFiles.Count ? OutputFiles[index] : null;

    /// <summary>The file the output named <paramref name="name"/> came from, or null when no output has that name.</summary>
    public string? OutputFile(string name)
    {
        for (var i = 0; i < Outputs.Count; i++)
        {
            if (Outputs[i].Name == name)
            {
                return OutputFile(i);
            }
        }

        return null;
    }
}
