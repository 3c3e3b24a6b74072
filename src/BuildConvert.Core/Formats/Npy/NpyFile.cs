using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Formats.Npy;

/// <summary>Writes one <c>.npy</c> or <c>.npz</c> file through an <see cref="OutputSet"/>, I/O errors as BCONV1112.</summary>
internal static class NpyFile
{
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            OutputSet.WriteFile(path, write);
        }
        catch (IOException ex)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenFileIoError, $"cannot write '{path}': {ex.Message}", path, inner: ex);
        }
    }
}
