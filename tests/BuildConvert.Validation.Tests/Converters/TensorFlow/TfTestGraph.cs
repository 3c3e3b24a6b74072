using System.Globalization;
using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using Google.Protobuf;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// A TensorFlow GraphDef built in code for one-node tests: placeholders (with the values the test feeds, given or
/// seeded-random), constants, and op nodes with their attributes. <see cref="ToTfGraph"/> gives the converter's view,
/// <see cref="TfjsOracle"/> the same graph as TensorFlow.js graph-model JSON.
/// </summary>
internal sealed class TfTestGraph
{
    private readonly List<NodeDef> nodes = new();
    private readonly List<TfPlaceholder> placeholders = new();
    private readonly Random random;
    private int counter;

    public TfTestGraph(int seed = 1234) => random = new Random(seed);

    public IReadOnlyList<NodeDef> Nodes => nodes;

    public IReadOnlyList<TfPlaceholder> Placeholders => placeholders;

    /// <summary>The function library (bodies of If/While), empty unless <see cref="Function"/> added some.</summary>
    public FunctionDefLibrary Library { get; } = new();

    /// <summary>
    /// Adds function <paramref name="name"/> to the library: <paramref name="args"/> its typed arguments, which
    /// <paramref name="build"/> reads by name and uses to add body nodes; it returns the tensors the function returns
    /// (in body form, <c>node:output:0</c>), one per output. Body node names are prefixed with the function's name, so
    /// that they are unique across the graph (TF.js keeps the weights of every Const in one map).
    /// </summary>
    public string Function(string name, (string Name, TfDataType Type)[] args, Func<TfFunctionBuilder, IReadOnlyList<(string Tensor, TfDataType Type)>> build)
    {
        var def = new FunctionDef { Signature = new OpDef { Name = name } };
        foreach (var (argName, type) in args)
        {
            def.Signature.InputArg.Add(new OpDef.Types.ArgDef { Name = argName, Type = type });
        }

        var returns = build(new TfFunctionBuilder(def, name));
        for (var k = 0; k < returns.Count; k++)
        {
            var outName = "out" + k.ToString(CultureInfo.InvariantCulture);
            def.Signature.OutputArg.Add(new OpDef.Types.ArgDef { Name = outName, Type = returns[k].Type });
            def.Ret[outName] = returns[k].Tensor;
        }

        Library.Function.Add(def);
        return name;
    }

    /// <summary>A placeholder fed with <paramref name="values"/>, or seeded values in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public string Placeholder(string name, TfDataType type, long[] shape, double[]? values = null, double low = -3, double high = 3,
        long[]? declaredShape = null)
    {
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        values ??= Enumerable.Range(0, count).Select(_ => type switch
        {
            TfDataType.DtBool => random.Next(2),
            TfDataType.DtInt32 or TfDataType.DtInt64 => System.Math.Floor(low + (random.NextDouble() * (high - low))),
            _ => System.Math.Round(low + (random.NextDouble() * (high - low)), 3),
        }).ToArray();
        Assert.HasCount(count, values, $"placeholder {name}");
        var node = new NodeDef { Name = name, Op = "Placeholder" };
        node.Attr["dtype"] = A.Type(type);
        node.Attr["shape"] = A.Shape(declaredShape ?? shape);
        nodes.Add(node);
        placeholders.Add(new TfPlaceholder(name, type, shape, declaredShape ?? shape, values));
        return name + ":0";
    }

    /// <summary>A Const node holding <paramref name="values"/> (stored in <c>tensor_content</c>).</summary>
    public string Const(string name, TfDataType type, long[] shape, params double[] values)
    {
        var tensor = new TensorProto { Dtype = type, TensorShape = A.Shape(shape).Shape, TensorContent = ByteString.CopyFrom(Pack(type, values)) };
        return Const(name, tensor);
    }

    /// <summary>A Const node holding <paramref name="tensor"/> as given.</summary>
    public string Const(string name, TensorProto tensor)
    {
        var node = new NodeDef { Name = name, Op = "Const" };
        node.Attr["dtype"] = A.Type(tensor.Dtype);
        node.Attr["value"] = new AttrValue { Tensor = tensor };
        nodes.Add(node);
        return name + ":0";
    }

    /// <summary>An int32 1-D constant (axes, shapes, sizes).</summary>
    public string Ints(string name, params long[] values) =>
        Const(name, TfDataType.DtInt32, new long[] { values.Length }, values.Select(v => (double)v).ToArray());

    /// <summary>A node of <paramref name="op"/> reading <paramref name="inputs"/>; returns its output 0.</summary>
    public string Op(string op, IEnumerable<string> inputs, params (string Name, AttrValue Value)[] attributes) =>
        OpNamed(op.ToLowerInvariant() + "_" + (counter++).ToString(CultureInfo.InvariantCulture), op, inputs, attributes);

    /// <summary>A node named <paramref name="name"/>.</summary>
    public string OpNamed(string name, string op, IEnumerable<string> inputs, params (string Name, AttrValue Value)[] attributes)
    {
        var node = new NodeDef { Name = name, Op = op };
        node.Input.AddRange(inputs);
        foreach (var (key, value) in attributes)
        {
            node.Attr[key] = value;
        }

        nodes.Add(node);
        return name + ":0";
    }

    /// <summary>The converter's view: the placeholders as inputs, <paramref name="outputs"/> as outputs.</summary>
    public TfGraph ToTfGraph(IReadOnlyList<string> outputs) => new()
    {
        Nodes = nodes.Select(n => n.Clone()).ToArray(),
        Inputs = placeholders.Select(p => new TfTensorBinding(p.Name, p.Name + ":0", p.Type, p.DeclaredShape)).ToArray(),
        Outputs = outputs.Select(o => new TfTensorBinding(o, o, TfDataType.DtInvalid, null)).ToArray(),
        Library = Library.Clone(),
    };

    /// <summary>Little-endian bytes of <paramref name="values"/> as TensorFlow stores <paramref name="type"/>.</summary>
    public static byte[] Pack(TfDataType type, IReadOnlyList<double> values)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        foreach (var v in values)
        {
            switch (type)
            {
                case TfDataType.DtFloat: writer.Write((float)v); break;
                case TfDataType.DtDouble: writer.Write(v); break;
                case TfDataType.DtInt32: writer.Write((int)v); break;
                case TfDataType.DtInt64: writer.Write((long)v); break;
                case TfDataType.DtBool: writer.Write(v != 0 ? (byte)1 : (byte)0); break;
                case TfDataType.DtHalf: writer.Write((Half)v); break;
                case TfDataType.DtInt8: writer.Write((sbyte)v); break;
                case TfDataType.DtUint8: writer.Write((byte)v); break;
                case TfDataType.DtInt16: writer.Write((short)v); break;
                default: throw new ArgumentException($"no packing for {type}");
            }
        }

        writer.Flush();
        return stream.ToArray();
    }
}

/// <summary>Adds the nodes of one function body (see <see cref="TfTestGraph.Function"/>).</summary>
internal sealed class TfFunctionBuilder
{
    private readonly FunctionDef function;
    private readonly string prefix;
    private int counter;

    public TfFunctionBuilder(FunctionDef function, string prefix)
    {
        this.function = function;
        this.prefix = prefix;
    }

    /// <summary>A Const node in the body; returns <c>name:output:0</c>.</summary>
    public string Const(string name, TfDataType type, long[] shape, params double[] values)
    {
        var tensor = new TensorProto { Dtype = type, TensorShape = A.Shape(shape).Shape, TensorContent = ByteString.CopyFrom(TfTestGraph.Pack(type, values)) };
        var node = new NodeDef { Name = $"{prefix}_{name}", Op = "Const" };
        node.Attr["dtype"] = A.Type(type);
        node.Attr["value"] = new AttrValue { Tensor = tensor };
        function.NodeDef.Add(node);
        return node.Name + ":output:0";
    }

    /// <summary>A node of <paramref name="op"/>; returns <c>name:output_arg:0</c>.</summary>
    public string Op(string op, IEnumerable<string> inputs, params (string Name, AttrValue Value)[] attributes) =>
        OpArg(op, "output", inputs, attributes);

    /// <summary>A node of <paramref name="op"/> whose first output argument is <paramref name="outputArg"/>; returns <c>name:outputArg:0</c>.</summary>
    public string OpArg(string op, string outputArg, IEnumerable<string> inputs, params (string Name, AttrValue Value)[] attributes)
    {
        var node = new NodeDef { Name = $"{prefix}_{op.ToLowerInvariant()}_{(counter++).ToString(CultureInfo.InvariantCulture)}", Op = op };
        node.Input.AddRange(inputs);
        foreach (var (key, value) in attributes)
        {
            node.Attr[key] = value;
        }

        function.NodeDef.Add(node);
        return $"{node.Name}:{outputArg}:0";
    }
}

/// <summary>A placeholder and the values a test feeds it.</summary>
internal sealed record TfPlaceholder(string Name, TfDataType Type, long[] Shape, long[] DeclaredShape, double[] Values);

/// <summary>AttrValue factories.</summary>
internal static class A
{
    public static readonly TfDataType F32 = TfDataType.DtFloat;

    public static AttrValue Type(TfDataType type) => new() { Type = type };

    public static AttrValue T(TfDataType type = TfDataType.DtFloat) => Type(type);

    public static AttrValue Int(long value) => new() { I = value };

    public static AttrValue Float(float value) => new() { F = value };

    public static AttrValue Bool(bool value) => new() { B = value };

    public static AttrValue Str(string value) => new() { S = ByteString.CopyFromUtf8(value) };

    public static AttrValue Ints(params long[] values)
    {
        var list = new AttrValue.Types.ListValue();
        list.I.AddRange(values);
        return new AttrValue { List = list };
    }

    public static AttrValue Func(string name) => new() { Func = new NameAttrList { Name = name } };

    public static AttrValue Types(params TfDataType[] types)
    {
        var list = new AttrValue.Types.ListValue();
        list.Type.AddRange(types);
        return new AttrValue { List = list };
    }

    /// <summary>A list of shapes (null: unknown rank).</summary>
    public static AttrValue Shapes(params long[]?[] shapes)
    {
        var list = new AttrValue.Types.ListValue();
        list.Shape.AddRange(shapes.Select(s => s is null ? new TensorShapeProto { UnknownRank = true } : Shape(s).Shape));
        return new AttrValue { List = list };
    }

    public static AttrValue Shape(params long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims.Select(d => new TensorShapeProto.Types.Dim { Size = d }));
        return new AttrValue { Shape = shape };
    }
}
