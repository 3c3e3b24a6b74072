using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Evaluation;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Core.Converters.TensorFlow;

/// <summary>
/// Converts one TensorFlow node: reads <paramref name="context"/>'s inputs and attributes, emits ONNX nodes through
/// <see cref="TfNodeContext.Builder"/>, and sets every output with <see cref="TfNodeContext.SetOutput"/>. Problems with
/// the node throw the context's coded errors (<see cref="TfNodeContext.AttributeError"/>, <see cref="TfNodeContext.Error"/>).
/// Handlers are stateless; the registry (<see cref="TfModelConverter.Registry"/>) maps each TensorFlow op and minimum
/// ONNX opset to one.
/// </summary>
public delegate void TfOpHandler(TfNodeContext context);

/// <summary>
/// What a <see cref="TfOpHandler"/> sees of the node it converts: its data inputs as core <see cref="Value"/>s (control
/// inputs <c>^x</c> are dropped), typed as far as the converted graph so far lets the core's shape inference tell; its
/// attributes with defaults and coded errors; constant access for shape-like inputs (evaluated on the spot when they
/// are computed only from constants and static shapes); and an <see cref="OpBuilder"/> whose new node and value names
/// start with the TensorFlow node's name. Lives for one handler call; not thread-safe.
/// </summary>
public sealed class TfNodeContext
{
    private readonly IReadOnlyList<Value> inputs;
    private readonly Value?[] outputs;
    private readonly ValueEvaluator evaluator;
    private readonly TfFunctionConverter? functions;

    internal TfNodeContext(NodeDef node, IReadOnlyList<Value> inputs, int outputCount, OpBuilder builder, TfGraph graph,
        ValueEvaluator evaluator, TfFunctionConverter? functions = null)
    {
        this.functions = functions;
        Node = node;
        this.inputs = inputs;
        outputs = new Value?[outputCount];
        Builder = builder;
        Source = graph;
        this.evaluator = evaluator;
    }

    /// <summary>The TensorFlow node being converted.</summary>
    public NodeDef Node { get; }

    /// <summary>The node's name.</summary>
    public string Name => Node.Name;

    /// <summary>The node's TensorFlow op.</summary>
    public string Op => Node.Op;

    /// <summary>The builder to emit with; names start with <see cref="Name"/>.</summary>
    public OpBuilder Builder { get; }

    /// <summary>The target ai.onnx opset.</summary>
    public long Opset => Builder.Opset;

    /// <summary>The ONNX graph being built.</summary>
    public Graph Graph => Builder.Graph;

    /// <summary>The whole TensorFlow graph (for the function library of control flow, and variables).</summary>
    public TfGraph Source { get; }

    /// <summary>The number of data inputs.</summary>
    public int InputCount => inputs.Count;

    /// <summary>The data inputs in order.</summary>
    public IReadOnlyList<Value> Inputs => inputs;

    /// <summary>How many outputs the converter expects the handler to set (those that some converted node reads, at least).</summary>
    public int OutputCount => outputs.Length;

    /// <summary>Data input <paramref name="index"/>.</summary>
    /// <exception cref="BuildConvertException">BCONV2101 when the node has fewer inputs.</exception>
    public Value Input(int index) =>
        index < inputs.Count ? inputs[index] : throw Error($"needs at least {index + 1} input(s) and has {inputs.Count}");

    /// <summary>Input <paramref name="index"/>, or null when the node has fewer inputs.</summary>
    public Value? OptionalInput(int index) => index < inputs.Count ? inputs[index] : null;

    /// <summary>
    /// The ONNX element type of input <paramref name="index"/>: its inferred type, else the node's <paramref name="attribute"/>
    /// (by default <c>T</c>).
    /// </summary>
    /// <exception cref="BuildConvertException">BCONV2101 when neither tells.</exception>
    public DataType InputElementType(int index, string attribute = "T")
    {
        if (Input(index).Type is { IsTensor: true, ElementType: not DataType.Undefined } t)
        {
            return t.ElementType;
        }

        return ElementType(attribute);
    }

    /// <summary>The shape of input <paramref name="index"/> as inferred so far (null when the rank is unknown).</summary>
    public IReadOnlyList<Dim>? InputShape(int index) => Input(index).Type?.Shape;

    /// <summary>The rank of input <paramref name="index"/> when known.</summary>
    public int? InputRank(int index) => InputShape(index)?.Count;

    /// <summary>The rank of input <paramref name="index"/>.</summary>
    /// <exception cref="BuildConvertException">BCONV2101 when the rank is unknown; <paramref name="why"/> says what needs it.</exception>
    public int RequireRank(int index, string why) =>
        InputRank(index) ?? throw Error($"input {index} has an unknown rank, and {why} needs it (give the graph inputs' shapes)");

    /// <summary>
    /// The value of input <paramref name="index"/> when it is known before the graph runs: an initializer, or computed
    /// only from constants and static shapes (evaluated here with the core's reference evaluator); otherwise null.
    /// </summary>
    public TensorData? ConstantInput(int index) => index < inputs.Count ? evaluator.Evaluate(inputs[index]) : null;

    /// <summary>The integers of constant input <paramref name="index"/> (<paramref name="what"/> names it in the error).</summary>
    /// <exception cref="BuildConvertException">BCONV2110 when the input is computed at run time (<paramref name="why"/>, when
    /// given, says why ONNX needs it known); BCONV2101 when it does not hold integers.</exception>
    public long[] ConstantInts(int index, string what, string? why = null)
    {
        var value = ConstantInput(index) ?? throw ConstantRequired(index, what, why);
        if (!value.FitsInt64)
        {
            throw Error($"input {index} ({what}) must hold integers, and it holds {Values.ElementTypes.Name(value.ElementType)}");
        }

        return value.ToInt64s();
    }

    /// <summary>
    /// The node that produces data input <paramref name="index"/> in the TensorFlow graph (null for a bound graph input),
    /// for handlers that convert a pattern of several nodes at once.
    /// </summary>
    public NodeDef? InputProducer(int index)
    {
        var data = Node.Input.Where(i => !i.StartsWith('^')).ToArray();
        return index < data.Length && Lookup is not null && !inputs[index].IsGraphInput ? Lookup(data[index]).Node : null;
    }

    /// <summary>
    /// The converted value of TensorFlow tensor <paramref name="tensor"/> (<c>node:k</c>) when it is already converted,
    /// an input of this node or of one of its ancestors; otherwise null.
    /// </summary>
    public Value? Converted(string tensor) => Lookup?.Invoke(tensor).Value;

    /// <summary>The value of <paramref name="value"/> when it is known before the graph runs (see <see cref="ConstantInput"/>).</summary>
    public TensorData? ConstantOf(Value value) => evaluator.Evaluate(value);

    /// <summary>Whether the node has attribute <paramref name="name"/>.</summary>
    public bool HasAttribute(string name) => Node.Attr.ContainsKey(name);

    /// <summary>The attribute, or null.</summary>
    public AttrValue? Attribute(string name) => Node.Attr.TryGetValue(name, out var a) ? a : null;

    /// <summary>An int attribute, or <paramref name="fallback"/> when absent (absent without a fallback is an error).</summary>
    public long Int(string name, long? fallback = null) =>
        Get(name, AttrValue.ValueOneofCase.I, fallback, a => a.I);

    /// <summary>A float attribute, or <paramref name="fallback"/> when absent.</summary>
    public float Float(string name, float? fallback = null) =>
        Get(name, AttrValue.ValueOneofCase.F, fallback, a => a.F);

    /// <summary>A bool attribute, or <paramref name="fallback"/> when absent.</summary>
    public bool Bool(string name, bool? fallback = null) =>
        Get(name, AttrValue.ValueOneofCase.B, fallback, a => a.B);

    /// <summary>A string attribute (UTF-8), or <paramref name="fallback"/> when absent.</summary>
    public string String(string name, string? fallback = null) =>
        Get(name, AttrValue.ValueOneofCase.S, fallback, a => a.S.ToStringUtf8());

    /// <summary>A string attribute that must be one of <paramref name="allowed"/> (compared exactly).</summary>
    public string Choice(string name, string fallback, params string[] allowed)
    {
        var value = String(name, fallback);
        return allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw AttributeError(name, $"'{value}' is not supported; expected {string.Join(" or ", allowed)}");
    }

    /// <summary>A list-of-ints attribute, or <paramref name="fallback"/> when absent (an empty list attribute reads as empty).</summary>
    public IReadOnlyList<long> Ints(string name, IReadOnlyList<long>? fallback = null)
    {
        if (Attribute(name) is { } a)
        {
            return a.ValueCase switch
            {
                AttrValue.ValueOneofCase.List => a.List.I.ToArray(),
                _ => throw AttributeError(name, $"expected a list of ints, found {Describe(a)}"),
            };
        }

        return fallback ?? throw AttributeError(name, "is required and missing");
    }

    /// <summary>A type attribute as TensorFlow spells it.</summary>
    public TfDataType TfType(string name, TfDataType? fallback = null) =>
        Get(name, AttrValue.ValueOneofCase.Type, fallback, a => a.Type);

    /// <summary>A type attribute as an ONNX element type.</summary>
    /// <exception cref="BuildConvertException">BCONV2101 when absent or without an ONNX form.</exception>
    public DataType ElementType(string name, DataType? fallback = null)
    {
        if (!HasAttribute(name) && fallback is { } f)
        {
            return f;
        }

        var tf = TfType(name);
        return TfDataTypes.ToOnnx(tf) ?? throw AttributeError(name, $"{TfDataTypes.Name(tf)} has no ONNX form");
    }

    /// <summary>A tensor attribute, decoded.</summary>
    public TensorData Tensor(string name)
    {
        var a = Attribute(name) ?? throw AttributeError(name, "is required and missing");
        return a.ValueCase == AttrValue.ValueOneofCase.Tensor
            ? TfTensorCodec.ToTensorData(a.Tensor, Name)
            : throw AttributeError(name, $"expected a tensor, found {Describe(a)}");
    }

    /// <summary>
    /// The <c>data_format</c> attribute as the channels-last flag: <c>NHWC</c>/<c>NDHWC</c>/<c>NWC</c> (the default) are
    /// channels-last, <c>NCHW</c>/<c>NCDHW</c>/<c>NCW</c> channels-first.
    /// </summary>
    public bool ChannelsLast(string name = "data_format", string fallback = "NHWC")
    {
        var format = String(name, fallback);
        return format switch
        {
            "NHWC" or "NDHWC" or "NWC" => true,
            "NCHW" or "NCDHW" or "NCW" => false,
            _ => throw AttributeError(name, $"'{format}' is not supported; expected NHWC, NCHW, NDHWC or NCDHW"),
        };
    }

    /// <summary>
    /// The name of the library function that function-valued attribute <paramref name="name"/> names (an If branch,
    /// a While body or condition, a call's <c>f</c>).
    /// </summary>
    /// <exception cref="BuildConvertException">BCONV2101 when the attribute is missing or not a function; BCONV2103
    /// when the library lacks the function.</exception>
    public string FunctionAttribute(string name)
    {
        var a = Attribute(name) ?? throw AttributeError(name, "is required and missing");
        if (a.ValueCase != AttrValue.ValueOneofCase.Func || a.Func.Name.Length == 0)
        {
            throw AttributeError(name, $"expected a function, found {Describe(a)}");
        }

        return functions?.Has(a.Func.Name) == true ? a.Func.Name
            : throw BuildConvertException.Create(DiagnosticCodes.TensorFlowFunctionInvalid,
                $"node '{Name}' ({Op}), attribute '{name}': the graph's function library has no function '{a.Func.Name}'", location: Name);
    }

    /// <summary>
    /// Converts library function <paramref name="function"/> into <paramref name="target"/> (this node's graph, or a
    /// subgraph of it made with <see cref="Graph.CreateSubgraph"/>) with its arguments bound to
    /// <paramref name="arguments"/> (values of <paramref name="target"/> or of an enclosing graph); returns its outputs.
    /// Body nodes are named <paramref name="label"/>/node.
    /// </summary>
    /// <exception cref="BuildConvertException">BCONV2103 when the function is missing or malformed; any error of a body node.</exception>
    public IReadOnlyList<Value> ConvertFunction(string function, Graph target, IReadOnlyList<Value> arguments, string label)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(arguments);
        if (functions is null)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TensorFlowFunctionInvalid,
                $"node '{Name}' ({Op}) calls function '{function}', and no function library is available here", location: Name);
        }

        return functions.Convert(function, target, arguments, label, Node);
    }

    /// <summary>Sets output <paramref name="index"/> (<c>node:index</c>) to <paramref name="value"/>.</summary>
    public void SetOutput(int index, Value value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (index < 0 || index >= outputs.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"node '{Name}' ({Op}) has {outputs.Length} output slot(s)");
        }

        outputs[index] = value;
    }

    /// <summary>Sets outputs 0, 1, ... in order.</summary>
    public void SetOutputs(IReadOnlyList<Value> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        for (var i = 0; i < values.Count && i < outputs.Length; i++)
        {
            SetOutput(i, values[i]);
        }
    }

    /// <summary>A <c>Transpose</c> by <paramref name="perm"/>.</summary>
    public Value Transpose(Value x, IReadOnlyList<long> perm) => Builder.Op("Transpose", new[] { x }, NodeAttribute.Of("perm", perm));

    /// <summary>Channels-last to channels-first for rank <paramref name="rank"/> (<c>[0, r-1, 1, ..., r-2]</c>).</summary>
    public static long[] ToChannelsFirst(int rank) =>
        new long[] { 0, rank - 1 }.Concat(Enumerable.Range(1, rank - 2).Select(i => (long)i)).ToArray();

    /// <summary>Channels-first to channels-last for rank <paramref name="rank"/> (<c>[0, 2, ..., r-1, 1]</c>).</summary>
    public static long[] ToChannelsLast(int rank) =>
        new long[] { 0 }.Concat(Enumerable.Range(2, rank - 2).Select(i => (long)i)).Append(1).ToArray();

    /// <summary>
    /// BCONV2110: input <paramref name="index"/> (<paramref name="what"/>) is computed at run time and must be known;
    /// <paramref name="why"/> says why (by default: ONNX takes it as an attribute).
    /// </summary>
    public BuildConvertException ConstantRequired(int index, string what, string? why = null) =>
        BuildConvertException.Create(DiagnosticCodes.TensorFlowConstantRequired,
            $"node '{Name}' ({Op}): input {index} ({what}) is computed at run time, and it must be a constant: {why ?? "ONNX takes it as an attribute"}",
            location: Name);

    /// <summary>BCONV2101 about the node: <c>node 'n' (Op): message</c>.</summary>
    public BuildConvertException Error(string message) =>
        BuildConvertException.Create(DiagnosticCodes.TensorFlowNodeInvalid, $"node '{Name}' ({Op}): {message}", location: Name);

    /// <summary>BCONV2101 about an attribute: <c>node 'n' (Op), attribute 'a': message</c>.</summary>
    public BuildConvertException AttributeError(string attribute, string message) =>
        BuildConvertException.Create(DiagnosticCodes.TensorFlowNodeInvalid, $"node '{Name}' ({Op}), attribute '{attribute}': {message}", location: Name);

    internal Value? Output(int index) => outputs[index];

    /// <summary>The converter's view of other tensors: their producing node and converted value, each null when absent.</summary>
    internal Func<string, (NodeDef? Node, Value? Value)>? Lookup { get; init; }

    private T Get<T>(string name, AttrValue.ValueOneofCase kind, T? fallback, Func<AttrValue, T> read)
        where T : struct
    {
        if (Attribute(name) is { } a)
        {
            return a.ValueCase == kind ? read(a) : throw AttributeError(name, $"expected {Kind(kind)}, found {Describe(a)}");
        }

        return fallback ?? throw AttributeError(name, "is required and missing");
    }

    private string Get(string name, AttrValue.ValueOneofCase kind, string? fallback, Func<AttrValue, string> read)
    {
        if (Attribute(name) is { } a)
        {
            return a.ValueCase == kind ? read(a) : throw AttributeError(name, $"expected {Kind(kind)}, found {Describe(a)}");
        }

        return fallback ?? throw AttributeError(name, "is required and missing");
    }

    private static string Kind(AttrValue.ValueOneofCase kind) => kind switch
    {
        AttrValue.ValueOneofCase.I => "an int",
        AttrValue.ValueOneofCase.F => "a float",
        AttrValue.ValueOneofCase.B => "a bool",
        AttrValue.ValueOneofCase.S => "a string",
        AttrValue.ValueOneofCase.Type => "a type",
        AttrValue.ValueOneofCase.Shape => "a shape",
        AttrValue.ValueOneofCase.Tensor => "a tensor",
        AttrValue.ValueOneofCase.List => "a list",
        AttrValue.ValueOneofCase.Func => "a function",
        _ => "a value",
    };

    private static string Describe(AttrValue a) => a.ValueCase switch
    {
        AttrValue.ValueOneofCase.None => "no value",
        AttrValue.ValueOneofCase.I => "the int " + a.I.ToString(CultureInfo.InvariantCulture),
        AttrValue.ValueOneofCase.S => $"the string '{a.S.ToStringUtf8()}'",
        _ => Kind(a.ValueCase),
    };

}
