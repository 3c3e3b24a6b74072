using BuildConvert.Core.Formats.Onnx.Proto;
using System.IO.Compression;
using System.Text;
using Google.Protobuf;

namespace BuildConvert.Tool.Tests.Infrastructure;

/// <summary>Small valid models built in code for the hostile-input tests, with golden data in the ONNX test layout.</summary>
internal static class HostileModels
{
    /// <summary>The domain of the model-local functions of <see cref="FunctionChain"/>.</summary>
    public const string LocalDomain = "local";

    /// <summary>
    /// A model whose graph calls function <c>f0</c>, which calls <c>f1</c>, ... down to <c>f{depth-1}</c>, which is an
    /// Identity: <c>y = x</c> for a float tensor of shape [2], nested <paramref name="depth"/> functions deep.
    /// </summary>
    public static ModelProto FunctionChain(int depth)
    {
        var graph = new GraphProto { Name = "chain" };
        graph.Input.Add(FloatValue("x"));
        graph.Output.Add(FloatValue("y"));
        graph.Node.Add(new NodeProto { Name = "call", OpType = "f0", Domain = LocalDomain, Input = { "x" }, Output = { "y" } });
        var model = new ModelProto { IrVersion = 8, ProducerName = "tool-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = LocalDomain, Version = 1 });
        for (var i = 0; i < depth; i++)
        {
            var function = new FunctionProto { Name = "f" + i, Domain = LocalDomain, Input = { "a" }, Output = { "b" } };
            function.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
            function.OpsetImport.Add(new OperatorSetIdProto { Domain = LocalDomain, Version = 1 });
            function.Node.Add(i + 1 < depth
                ? new NodeProto { OpType = "f" + (i + 1), Domain = LocalDomain, Input = { "a" }, Output = { "b" } }
                : new NodeProto { OpType = "Identity", Input = { "a" }, Output = { "b" } });
            model.Functions.Add(function);
        }

        return model;
    }

    /// <summary>A one-node model <c>y = Identity(x)</c> over float [2], with output name <paramref name="outputName"/>.</summary>
    public static ModelProto Identity(string outputName = "y")
    {
        var graph = new GraphProto { Name = "identity" };
        graph.Input.Add(FloatValue("x"));
        graph.Output.Add(FloatValue(outputName));
        graph.Node.Add(new NodeProto { Name = "id", OpType = "Identity", Input = { "x" }, Output = { outputName } });
        var model = new ModelProto { IrVersion = 8, ProducerName = "tool-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model;
    }

    /// <summary>Writes <paramref name="model"/> as <c>model.onnx</c> in a new folder <paramref name="name"/> with one data
    /// set where <c>x = y = [1, 2]</c>; returns the folder.</summary>
    public static string WriteTest(TempFolder temp, string name, ModelProto model)
    {
        var folder = temp.Combine(name);
        Directory.CreateDirectory(Path.Combine(folder, "test_data_set_0"));
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), model.ToByteArray());
        File.WriteAllBytes(Path.Combine(folder, "test_data_set_0", "input_0.pb"), FloatTensor(model.Graph.Input[0].Name).ToByteArray());
        File.WriteAllBytes(Path.Combine(folder, "test_data_set_0", "output_0.pb"), FloatTensor(model.Graph.Output[0].Name).ToByteArray());
        return folder;
    }

    /// <summary>The float tensor [1, 2] named <paramref name="name"/>.</summary>
    public static TensorProto FloatTensor(string name) =>
        new() { Name = name, DataType = (int)TensorProto.Types.DataType.Float, Dims = { 2 }, FloatData = { 1f, 2f } };

    /// <summary>Writes an .npz whose members are float32 vectors of zeros (deflated, streamed: a huge member costs no
    /// memory to make).</summary>
    public static void WriteNpz(string path, params (string Key, long Count)[] members)
    {
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        var chunk = new byte[1 << 20];
        foreach (var (key, count) in members)
        {
            using var stream = zip.CreateEntry(key + ".npy", CompressionLevel.Optimal).Open();
            var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({count},), }}";
            var padded = (10 + dict.Length + 1 + 63) / 64 * 64;
            var text = dict + new string(' ', padded - 10 - dict.Length - 1) + "\n";
            stream.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(text.Length & 0xFF), (byte)(text.Length >> 8) });
            stream.Write(Encoding.ASCII.GetBytes(text));
            for (var left = count * 4; left > 0; left -= chunk.Length)
            {
                stream.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
            }
        }
    }

    private static ValueInfoProto FloatValue(string name) => new()
    {
        Name = name,
        Type = new TypeProto
        {
            TensorType = new TypeProto.Types.Tensor
            {
                ElemType = (int)TensorProto.Types.DataType.Float,
                Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimValue = 2 } } },
            },
        },
    };
}
