using BuildConvert.Core.Formats.Onnx.Proto;
using Google.Protobuf;

namespace BuildConvert.Tool.Tests.Infrastructure;

/// <summary>Makes broken variants of real models for the negative tests.</summary>
internal static class Models
{
    public static ModelProto Load(string path) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));

    /// <summary>The model with its first node removed: the next node reads a value nothing produces (a checker error).</summary>
    public static byte[] WithoutFirstNode(string path)
    {
        var model = Load(path);
        model.Graph.Node.RemoveAt(0);
        return model.ToByteArray();
    }

    /// <summary>The first <paramref name="fraction"/> of the file's bytes.</summary>
    public static byte[] Truncated(string path, double fraction = 0.5)
    {
        var bytes = File.ReadAllBytes(path);
        return bytes.AsSpan(0, (int)(bytes.Length * fraction)).ToArray();
    }
}
