using BuildConvert.Core.Formats.Onnx.Proto;
using Google.Protobuf;

namespace BuildConvert.Validation;

/// <summary>Reads the structure of a model file (graph inputs, outputs and their types) for binding golden data.</summary>
internal static class ModelFiles
{
    /// <summary>Parses <paramref name="path"/> as a <see cref="ModelProto"/>; null when it cannot be read or parsed (ONNX
    /// Runtime then reports the problem with its own words).</summary>
    public static ModelProto? ReadStructure(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var coded = new CodedInputStream(stream);
            return ModelProto.Parser.ParseFrom(coded);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
