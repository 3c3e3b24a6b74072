using BuildConvert.Core.Formats.Onnx.Proto;
using Google.Protobuf;
using AttributeType = BuildConvert.Core.Formats.Onnx.Proto.AttributeProto.Types.AttributeType;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Checking;

/// <summary>
/// A small valid model (IR 8, ai.onnx 17, a local function, an If with outer-scope use) that the mutation tests break
/// one rule at a time. Accepted by our checker and by onnx.checker 1.12.
/// </summary>
internal static class CheckerTestModels
{
    public static ModelProto Valid()
    {
        var graph = new GraphProto { Name = "main" };
        graph.Input.Add(TensorInfo("X", DataType.Float, 2, 3));
        graph.Input.Add(TensorInfo("C", DataType.Bool));
        graph.Initializer.Add(RawFloat("W", [3, 4], Enumerable.Range(0, 12).Select(i => i * 0.5f).ToArray()));
        var b = new TensorProto { Name = "B", DataType = (int)DataType.Float, Dims = { 4 } };
        b.FloatData.Add([1f, 2f, 3f, 4f]);
        graph.Initializer.Add(b);
        graph.Node.Add(Node("MatMul", ["X", "W"], ["XW"], "matmul"));
        graph.Node.Add(Node("Add", ["XW", "B"], ["S"], "add"));
        graph.Node.Add(Node("Relu", ["S"], ["R"], "relu"));
        var transpose = Node("Transpose", ["R"], ["T"], "transpose");
        transpose.Attribute.Add(new AttributeProto { Name = "perm", Type = AttributeType.Ints, Ints = { 1, 0 } });
        graph.Node.Add(transpose);
        var @if = Node("If", ["C"], ["Y2"], "if");
        @if.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeType.Graph, G = Branch("then", "Identity", "then_out") });
        @if.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeType.Graph, G = Branch("else", "Neg", "else_out") });
        graph.Node.Add(@if);
        var call = Node("AddRelu", ["S", "S"], ["F"], "call");
        call.Domain = "local";
        call.Attribute.Add(new AttributeProto { Name = "alpha", Type = AttributeType.Float, F = 0.1f });
        graph.Node.Add(call);
        graph.Output.Add(TensorInfo("T", DataType.Float, 4, 2));
        graph.Output.Add(TensorInfo("Y2", DataType.Float, 2, 4));
        graph.Output.Add(TensorInfo("F", DataType.Float, 2, 4));

        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "buildconvert-tests",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "local", Version = 1 });
        model.Functions.Add(Function());
        return model;
    }

    public static FunctionProto Function()
    {
        var function = new FunctionProto { Name = "AddRelu", Domain = "local", Input = { "a", "b" }, Output = { "c" }, Attribute = { "alpha" } };
        function.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        function.Node.Add(Node("Add", ["a", "b"], ["s"], "f_add"));
        var leaky = Node("LeakyRelu", ["s"], ["c"], "f_leaky");
        leaky.Attribute.Add(new AttributeProto { Name = "alpha", Type = AttributeType.Float, RefAttrName = "alpha" });
        function.Node.Add(leaky);
        return function;
    }

    public static GraphProto Branch(string name, string op, string output)
    {
        var g = new GraphProto { Name = name };
        g.Node.Add(Node(op, ["R"], [output], name + "_node"));
        g.Output.Add(TensorInfo(output, DataType.Float, 2, 4));
        return g;
    }

    public static NodeProto Node(string op, string[] inputs, string[] outputs, string name)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        return node;
    }

    public static ValueInfoProto TensorInfo(string name, DataType type, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    public static TensorProto RawFloat(string name, long[] dims, float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        var t = new TensorProto { Name = name, DataType = (int)DataType.Float, RawData = ByteString.CopyFrom(bytes) };
        t.Dims.Add(dims);
        return t;
    }

    public static SparseTensorProto Sparse(string name, long[] denseDims, long[] indexDims, long[] indices, float[] values)
    {
        var v = new TensorProto { Name = name, DataType = (int)DataType.Float, Dims = { values.Length } };
        v.FloatData.Add(values);
        var i = new TensorProto { Name = name + "_indices", DataType = (int)DataType.Int64 };
        i.Dims.Add(indexDims);
        i.Int64Data.Add(indices);
        var s = new SparseTensorProto { Values = v, Indices = i };
        s.Dims.Add(denseDims);
        return s;
    }

    /// <summary>The graph's node with this name.</summary>
    public static NodeProto NodeNamed(this ModelProto model, string name) => model.Graph.Node.Single(n => n.Name == name);

    public static TensorProto Initializer(this ModelProto model, string name) => model.Graph.Initializer.Single(t => t.Name == name);

    public static AttributeProto AttributeNamed(this NodeProto node, string name) => node.Attribute.Single(a => a.Name == name);
}
