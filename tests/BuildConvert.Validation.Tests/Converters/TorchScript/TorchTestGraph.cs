using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Validation.Tests.Converters.TorchScript;

/// <summary>
/// Builds <see cref="TorchGraph"/>s by hand, the way the TorchScript front end hands them to the converter: graph
/// inputs with dtype and shape, constants as <see cref="TorchValue.Constant"/>, tensor lists through
/// <c>prim::ListConstruct</c>, and nodes with every argument positional.
/// </summary>
internal sealed class TorchTestGraph
{
    private readonly List<TorchValue> inputs = new();
    private readonly List<TorchNode> nodes = new();
    private int counter;

    /// <summary>A tensor input.</summary>
    public TorchValue Input(string name, DataType type, params long[] shape)
    {
        var value = new TorchValue { Name = name, Type = TorchType.Tensor, ElementType = type, Shape = shape.Select(Dim.Of).ToArray() };
        inputs.Add(value);
        return value;
    }

    /// <summary>A tensor input with dimensions given as <see cref="Dim"/>s (symbolic ones included).</summary>
    public TorchValue Input(string name, DataType type, IReadOnlyList<Dim> shape)
    {
        var value = new TorchValue { Name = name, Type = TorchType.Tensor, ElementType = type, Shape = shape };
        inputs.Add(value);
        return value;
    }

    /// <summary>An int, float or bool input (a 0-D ONNX tensor).</summary>
    public TorchValue ScalarInput(string name, TorchType type)
    {
        var value = new TorchValue { Name = name, Type = type };
        inputs.Add(value);
        return value;
    }

    /// <summary>A constant: long, double, bool, string, None, a tensor, or a list of those.</summary>
    public TorchValue Const(object value, TorchType? type = null) => new()
    {
        Name = $"c{counter++}",
        Type = type ?? value switch
        {
            long => TorchType.Int,
            double => TorchType.Float,
            bool => TorchType.Bool,
            string => TorchType.Str,
            TorchNone => TorchType.NoneType,
            TorchTensorConstant => TorchType.Tensor,
            IReadOnlyList<object> l when l.All(o => o is long) => TorchType.ListOf(TorchType.Int),
            IReadOnlyList<object> l when l.All(o => o is double or long) => TorchType.ListOf(TorchType.Float),
            _ => TorchType.AnyType,
        },
        Constant = value,
    };

    /// <summary>A constant tensor (a parameter).</summary>
    public TorchValue Tensor(TensorData data, string? name = null) =>
        new() { Name = name ?? $"w{counter++}", Type = TorchType.Tensor, Constant = new TorchTensorConstant(data) };

    /// <summary>An int list constant.</summary>
    public TorchValue Ints(params long[] values) => Const(values.Cast<object>().ToArray());

    /// <summary>None.</summary>
    public TorchValue None() => Const(TorchNone.Instance);

    /// <summary>A node with one result of <paramref name="type"/> (Tensor when null).</summary>
    public TorchValue Op(string kind, TorchType? type, params TorchValue[] args) => Node(kind, new[] { type ?? TorchType.Tensor }, args)[0];

    /// <summary>A node with one tensor result.</summary>
    public TorchValue Op(string kind, params TorchValue[] args) => Op(kind, null, args);

    /// <summary>A node with results of <paramref name="types"/>.</summary>
    public TorchValue[] Node(string kind, IReadOnlyList<TorchType> types, IReadOnlyList<TorchValue> args, IReadOnlyList<TorchBlock>? blocks = null)
    {
        var outputs = types.Select(t => new TorchValue { Name = $"v{counter++}", Type = t }).ToArray();
        nodes.Add(new TorchNode { Kind = kind, Inputs = args.ToArray(), Outputs = outputs, Blocks = blocks ?? Array.Empty<TorchBlock>() });
        return outputs;
    }

    /// <summary>A <c>prim::ListConstruct</c> of <paramref name="items"/>.</summary>
    public TorchValue List(TorchType element, params TorchValue[] items) => Op("prim::ListConstruct", TorchType.ListOf(element), items);

    /// <summary>The graph with <paramref name="outputs"/> named output_0, output_1, ...</summary>
    public TorchGraph Build(params TorchValue[] outputs) => new()
    {
        Inputs = inputs.ToArray(),
        Nodes = nodes.ToArray(),
        Outputs = outputs,
        OutputNames = outputs.Select((_, k) => $"output_{k}").ToArray(),
    };

    /// <summary>A free value (a block parameter).</summary>
    public TorchValue Value(TorchType type, string? name = null) => new() { Name = name ?? $"p{counter++}", Type = type };

    /// <summary>Collects the nodes added while <paramref name="build"/> runs into a block instead of the graph.</summary>
    public TorchBlock Block(IReadOnlyList<TorchValue> parameters, Func<IReadOnlyList<TorchValue>> build)
    {
        var start = nodes.Count;
        var results = build();
        var inner = nodes.Skip(start).ToArray();
        nodes.RemoveRange(start, nodes.Count - start);
        return new TorchBlock { Inputs = parameters.ToArray(), Nodes = inner, Outputs = results.ToArray() };
    }
}
