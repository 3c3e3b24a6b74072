using System.Reflection;
using BuildConvert.Core.Formats.Onnx.Proto;
using Google.Protobuf;

namespace BuildConvert.Core.Tests.Pipeline;

/// <summary>Corpus paths, scratch folders and small models built in code for the pipeline tests.</summary>
internal static class PipelineTestFiles
{
    public static string RepoRoot => RepoPaths.Root;

    public static string OnnxBackend => RepoPaths.OnnxBackend;

    public static string Corpus(string relative) => Path.Combine(OnnxBackend, relative);


    /// <summary>y = Add(a, b) over float tensors of shape [N, 4] (N dynamic), plus z = Relu(y); opset 13, IR 7.</summary>
    public static ModelProto AddRelu()
    {
        var graph = new GraphProto { Name = "add_relu" };
        graph.Input.Add(Tensor("a", "N", 4));
        graph.Input.Add(Tensor("b", "N", 4));
        graph.Output.Add(Tensor("y", "N", 4));
        graph.Output.Add(Tensor("z", "N", 4));
        graph.Node.Add(new NodeProto { Name = "add", OpType = "Add", Input = { "a", "b" }, Output = { "y" } });
        graph.Node.Add(new NodeProto { Name = "relu", OpType = "Relu", Input = { "y" }, Output = { "z" } });
        var model = new ModelProto { IrVersion = 7, ProducerName = "pipeline-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model;
    }

    public static string Write(ModelProto model, string folder, string name)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static ValueInfoProto Tensor(string name, string dynamicDim, long fixedDim) => new()
    {
        Name = name,
        Type = new TypeProto
        {
            TensorType = new TypeProto.Types.Tensor
            {
                ElemType = (int)TensorProto.Types.DataType.Float,
                Shape = new TensorShapeProto
                {
                    Dim =
                    {
                        new TensorShapeProto.Types.Dimension { DimParam = dynamicDim },
                        new TensorShapeProto.Types.Dimension { DimValue = fixedDim },
                    },
                },
            },
        },
    };
}

/// <summary>A new empty folder under the temp folder, deleted on dispose.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public ScratchFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bconv-pipeline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
