namespace BuildConvert.Tool.Commands;

/// <summary>Finds golden data and model folders on disk (the ONNX test layout or an npz pair).</summary>
internal static class GoldenFolders
{
    /// <summary>The model file name of the ONNX test layout.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>Whether <paramref name="folder"/> holds golden data: <c>test_data_set_*</c> folders or <c>inputs.npz</c> with <c>outputs.npz</c>.</summary>
    public static bool HasGoldenData(string folder) =>
        Directory.Exists(folder)
        && (Directory.EnumerateDirectories(folder, "test_data_set_*").Any()
            || (File.Exists(Path.Combine(folder, "inputs.npz")) && File.Exists(Path.Combine(folder, "outputs.npz"))));

    /// <summary>Whether <paramref name="folder"/> is a test folder: <c>model.onnx</c> beside golden data.</summary>
    public static bool IsModelFolder(string folder) =>
        File.Exists(Path.Combine(folder, ModelFileName)) && HasGoldenData(folder);

    /// <summary>Every test folder at or under <paramref name="root"/>, in ordinal path order; symbolic links are not followed.</summary>
    public static IReadOnlyList<string> FindModelFolders(string root)
    {
        var all = Directory.EnumerateDirectories(root, "*", new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint,
        });
        return new[] { root }.Concat(all).Where(IsModelFolder).OrderBy(p => p, StringComparer.Ordinal).ToArray();
    }
}
