using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Values;
using Google.Protobuf;

namespace BuildConvert.Tool.Tests.Infrastructure;

/// <summary>Reads and tampers golden tensor files (copies only; corpus files are never touched).</summary>
internal static class Golden
{
    public static TensorValue Read(string path) => OnnxTensorCodec.ToTensorValue(TensorProto.Parser.ParseFrom(File.ReadAllBytes(path)), file: path);

    /// <summary>Rewrites the float tensor at <paramref name="path"/> with element 0 changed by <paramref name="change"/>.</summary>
    public static void Tamper(string path, Func<float, float> change)
    {
        var value = Read(path);
        Assert.AreEqual(TensorProto.Types.DataType.Float, value.ElementType, "the tampered golden output must be float");
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(value.Data.Span).ToArray();
        floats[0] = change(floats[0]);
        var tampered = TensorValue.FromFloats(value.Name, value.Shape, floats);
        File.WriteAllBytes(path, OnnxTensorCodec.ToTensorProto(tampered).ToByteArray());
    }
}
