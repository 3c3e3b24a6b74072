using System.Text;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>
/// Recognizes common non-ONNX files from their first bytes so the reader can say what the file is instead of
/// reporting a protobuf decoding error. Only signatures that no ONNX model can start with are used.
/// </summary>
internal static class FormatSniffer
{
    /// <summary>A short description of the format, or null when the bytes could be ONNX.</summary>
    public static string? Identify(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("PK\u0003\u0004"u8) || head.StartsWith("PK\u0005\u0006"u8))
        {
            return "a zip archive (a PyTorch .pt/.pth, Keras .keras or NumPy .npz file?)";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a]))
        {
            return "an HDF5 file (a Keras .h5 model?)";
        }

        if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            return "a gzip-compressed file";
        }

        if (head.Length >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5)
        {
            return "a Python pickle";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y']))
        {
            return "a NumPy .npy array";
        }

        return null;
    }

    /// <summary>
    /// Whether the bytes look like text. A printable byte can be a valid protobuf tag, so this is only a hint for
    /// the message once decoding failed or produced no model.
    /// </summary>
    public static bool LooksLikeText(ReadOnlySpan<byte> head)
    {
        if (head.Length == 0)
        {
            return false;
        }

        foreach (var b in head)
        {
            if (b is not ((>= 0x20 and < 0x7f) or (byte)'\n' or (byte)'\r' or (byte)'\t'))
            {
                return false;
            }
        }

        var text = Encoding.ASCII.GetString(head);
        return text.TrimStart().Length > 0;
    }
}
