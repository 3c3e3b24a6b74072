using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Golden;

namespace BuildConvert.Tool.Commands;

/// <summary>Finds golden data and model folders on disk, in any layout <see cref="GoldenData"/> reads.</summary>
internal static class GoldenFolders
{
    /// <summary>The model file name of the ONNX test layout.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>Whether <paramref name="folder"/> holds golden data in a layout <see cref="GoldenData.DetectLayout"/> recognises.</summary>
    public static bool HasGoldenData(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return false;
        }

        try
        {
            GoldenData.DetectLayout(folder);
            return true;
        }
        catch (BuildConvertException)
        {
            return false;
        }
    }

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
