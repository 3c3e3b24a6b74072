using BuildConvert.Core.Formats.Onnx.Proto;
using Google.Protobuf;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Validation.Tests.TestModels;

/// <summary>Small ONNX models built in code for tests.</summary>
internal static class OnnxModels
{
    public static TypeProto Tensor(DataType type, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } };
    }

    public static TypeProto Sequence(TypeProto element) =>
        new() { SequenceType = new TypeProto.Types.Sequence { ElemType = element } };

    /// <summary>A model with one node: <paramref name="op"/>(inputs) -> outputs, default domain at <paramref name="opset"/>.</summary>
    public static ModelProto SingleNode(string op, (string Name, TypeProto Type)[] inputs, (string Name, TypeProto Type)[] outputs, int opset = 17, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = op.ToLowerInvariant() + "0" };
        node.Input.AddRange(inputs.Select(i => i.Name));
        node.Output.AddRange(outputs.Select(o => o.Name));
        node.Attribute.AddRange(attributes);
        var graph = new GraphProto { Name = "g" };
        graph.Node.Add(node);
        graph.Input.AddRange(inputs.Select(i => new ValueInfoProto { Name = i.Name, Type = i.Type }));
        graph.Output.AddRange(outputs.Select(o => new ValueInfoProto { Name = o.Name, Type = o.Type }));
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "BuildConvert.Validation.Tests" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    public static ModelProto Identity(TypeProto type) => SingleNode("Identity", [("x", type)], [("y", type)]);

    /// <summary>A graph of several nodes, given as (op, inputs, outputs).</summary>
    public static ModelProto Graph((string Op, string[] In, string[] Out)[] nodes, (string Name, TypeProto Type)[] inputs, (string Name, TypeProto Type)[] outputs, int opset = 17)
    {
        var graph = new GraphProto { Name = "g" };
        var n = 0;
        foreach (var (op, ins, outs) in nodes)
        {
            var node = new NodeProto { OpType = op, Name = $"n{n++}" };
            node.Input.AddRange(ins);
            node.Output.AddRange(outs);
            graph.Node.Add(node);
        }

        graph.Input.AddRange(inputs.Select(i => new ValueInfoProto { Name = i.Name, Type = i.Type }));
        graph.Output.AddRange(outputs.Select(o => new ValueInfoProto { Name = o.Name, Type = o.Type }));
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "BuildConvert.Validation.Tests" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    /// <summary>y = x + x and z = x * x, x: float[N, 2] (N dynamic).</summary>
    public static ModelProto DoubleAndSquare() => Graph(
        [("Add", ["x", "x"], ["y"]), ("Mul", ["x", "x"], ["z"])],
        [("x", Tensor(DataType.Float, -1, 2))],
        [("y", Tensor(DataType.Float, -1, 2)), ("z", Tensor(DataType.Float, -1, 2))]);

    public static byte[] Bytes(ModelProto model) => model.ToByteArray();

    /// <summary>Writes the model into a new temporary folder and returns the model path.</summary>
    public static string WriteToTemp(ModelProto model, string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }
}
