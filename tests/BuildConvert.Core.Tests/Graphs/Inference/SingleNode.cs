using BuildConvert.Core.Graphs;
using BuildConvert.Core.Graphs.Inference;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Graphs.Inference;

/// <summary>Builds one-node models for the inference tests: inputs are typed graph inputs or constant initializers.</summary>
internal sealed class SingleNode
{
    private readonly List<Value?> inputs = new();
    private readonly List<NodeAttribute> attributes = new();

    public SingleNode(long opset) => Model = new Model(opset);

    public Model Model { get; }

    public Graph Graph => Model.Graph;

    public static Dim[] Shape(params object[] dims) => dims.Select(d => d switch
    {
        int i => Dim.Of(i),
        long l => Dim.Of(l),
        string s when s == "?" => Dim.Unknown,
        string s => Dim.Sym(s),
        _ => throw new ArgumentException($"bad dim {d}"),
    }).ToArray();

    public static OnnxType T(DataType elem, params object[] dims) => OnnxType.Tensor(elem, Shape(dims));

    public static OnnxType F(params object[] dims) => T(DataType.Float, dims);

    public SingleNode In(OnnxType? type)
    {
        inputs.Add(Graph.AddInput($"in{inputs.Count}", type));
        return this;
    }

    public SingleNode In(params object[] floatDims) => In(F(floatDims));

    public SingleNode Ints(params long[] values)
    {
        inputs.Add(Graph.AddInitializer($"c{inputs.Count}", TensorData.FromInt64s(values)));
        return this;
    }

    public SingleNode Scalar(DataType elem, double value)
    {
        inputs.Add(Graph.AddInitializer($"c{inputs.Count}", TensorData.Scalar(elem, value)));
        return this;
    }

    public SingleNode Floats(params float[] values)
    {
        inputs.Add(Graph.AddInitializer($"c{inputs.Count}", TensorData.FromFloats(values)));
        return this;
    }

    public SingleNode Omitted()
    {
        inputs.Add(null);
        return this;
    }

    public SingleNode Attr(string name, long value) => Attr(NodeAttribute.Of(name, value));

    public SingleNode Attr(string name, params long[] values) => Attr(NodeAttribute.Of(name, values));

    public SingleNode Attr(string name, string value) => Attr(NodeAttribute.Of(name, value));

    public SingleNode Attr(string name, float value) => Attr(NodeAttribute.Of(name, value));

    public SingleNode Attr(NodeAttribute attribute)
    {
        attributes.Add(attribute);
        return this;
    }

    /// <summary>Adds the node, runs inference, returns the node (its outputs carry the types).</summary>
    public (Node Node, ShapeInferenceResult Result) Run(string opType, int outputs = 1, string domain = "")
    {
        var node = Graph.AddNode(opType, inputs, outputs, attributes, domain);
        var result = ShapeInference.Run(Model);
        return (node, result);
    }

    /// <summary>Runs and returns output 0's type, failing the test on an inference error.</summary>
    public OnnxType? Infer(string opType, int outputs = 1)
    {
        var (node, result) = Run(opType, outputs);
        Assert.AreEqual(0, result.Errors.Count, string.Join("; ", result.Errors));
        return node.Outputs[0]!.Type;
    }

    /// <summary>Runs and returns every output's type.</summary>
    public OnnxType?[] InferAll(string opType, int outputs)
    {
        var (node, result) = Run(opType, outputs);
        Assert.AreEqual(0, result.Errors.Count, string.Join("; ", result.Errors));
        return node.Outputs.Select(o => o!.Type).ToArray();
    }

    /// <summary>Runs and returns the single error's reason.</summary>
    public string Error(string opType, int outputs = 1)
    {
        var (node, result) = Run(opType, outputs);
        Assert.AreEqual(1, result.Errors.Count, $"expected an error, got {node.Outputs[0]!.Type}");
        Assert.AreSame(node, result.Errors[0].Node);
        return result.Errors[0].Reason;
    }
}
