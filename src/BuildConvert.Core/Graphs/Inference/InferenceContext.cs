using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs.Inference;

/// <summary>
/// What an <see cref="InferenceFunction"/> sees of one node: its inputs' types, constant contents and tracked small
/// values, its attributes (through <see cref="Node"/>), and where to put the output types. Outputs set here are merged
/// with the declared types after the function returns. Valid only during the call.
/// </summary>
public sealed class InferenceContext
{
    private readonly InferenceRun run;
    private readonly OnnxType?[] outputs;
    private readonly KnownTensor?[] known;

    internal InferenceContext(InferenceRun run, Node node, long opset)
    {
        this.run = run;
        Node = node;
        Opset = opset;
        outputs = new OnnxType?[node.Outputs.Count];
        known = new KnownTensor?[node.Outputs.Count];
    }

    /// <summary>The node being inferred.</summary>
    public Node Node { get; }

    /// <summary>The imported opset version of the node's domain.</summary>
    public long Opset { get; }

    /// <summary>The number of input slots (omitted ones included).</summary>
    public int InputCount => Node.Inputs.Count;

    /// <summary>The number of output slots (omitted ones included).</summary>
    public int OutputCount => Node.Outputs.Count;

    internal IReadOnlyList<OnnxType?> Outputs => outputs;

    internal IReadOnlyList<KnownTensor?> KnownOutputs => known;

    /// <summary>Whether input <paramref name="index"/> is given (not omitted).</summary>
    public bool HasInput(int index) => Node.Input(index) is not null;

    /// <summary>Whether output <paramref name="index"/> is wanted (not omitted).</summary>
    public bool HasOutput(int index) => Node.Output(index) is not null;

    /// <summary>The type of input <paramref name="index"/>, or null when omitted or unknown.</summary>
    public OnnxType? InputType(int index) => Node.Input(index)?.Type;

    /// <summary>The element type of tensor input <paramref name="index"/> (Undefined when unknown).</summary>
    public DataType InputElementType(int index) => InputType(index) is { IsTensor: true } t ? t.ElementType : DataType.Undefined;

    /// <summary>The shape of tensor input <paramref name="index"/>, or null when the rank is unknown.</summary>
    public IReadOnlyList<Dim>? InputShape(int index) => InputType(index) is { IsTensor: true } t ? t.Shape : null;

    /// <summary>The rank of input <paramref name="index"/>, or null.</summary>
    public int? InputRank(int index) => InputShape(index)?.Count;

    /// <summary>The constant contents of input <paramref name="index"/> (an initializer or a Constant's value), or null.</summary>
    public TensorData? InputConstant(int index)
    {
        var data = Node.Input(index)?.ConstantValue;
        return data is { IsExternal: false } ? data : null;
    }

    /// <summary>
    /// The tracked contents of a small integer input (0-D or 1-D): constants, and values computed from shapes
    /// (<c>Shape</c>, <c>Gather</c>, <c>Concat</c>, ...), whose elements may be symbolic or unknown. Null when not tracked.
    /// </summary>
    public IReadOnlyList<Dim>? InputValues(int index) => Node.Input(index) is { } v ? run.Known(v)?.Elements : null;

    /// <summary>Whether the tracked value of input <paramref name="index"/> is a scalar (0-D).</summary>
    public bool InputValueIsScalar(int index) => Node.Input(index) is { } v && run.Known(v) is { IsScalar: true };

    /// <summary>The contents of an integer input when every element is known, or null.</summary>
    public long[]? InputInts(int index)
    {
        if (InputConstant(index) is { } c && IsIntegral(c.ElementType))
        {
            return c.ElementCount <= 1_000_000 ? c.ToInt64s() : null;
        }

        var values = InputValues(index);
        if (values is null || values.Any(d => !d.IsFixed))
        {
            return null;
        }

        return values.Select(d => d.Value!.Value).ToArray();
    }

    /// <summary>The contents of a numeric constant input as doubles, or null.</summary>
    public double[]? InputDoubles(int index)
    {
        if (InputConstant(index) is { } c && c.ElementType is not (DataType.String or DataType.Complex64 or DataType.Complex128) && c.ElementCount <= 1_000_000)
        {
            return c.ToDoubles();
        }

        return InputInts(index)?.Select(v => (double)v).ToArray();
    }

    /// <summary>Sets the inferred type of output <paramref name="index"/> (ignored when the output is omitted).</summary>
    public void SetOutput(int index, OnnxType? type)
    {
        if (index < outputs.Length)
        {
            outputs[index] = type;
        }
    }

    /// <summary>Sets a tensor output type.</summary>
    public void SetOutput(int index, DataType elementType, IReadOnlyList<Dim>? shape) => SetOutput(index, OnnxType.Tensor(elementType, shape));

    /// <summary>The type inferred so far for output <paramref name="index"/> in this call.</summary>
    public OnnxType? OutputType(int index) => index < outputs.Length ? outputs[index] : null;

    /// <summary>Records the contents of a small integer output (0-D when <paramref name="scalar"/>, else 1-D).</summary>
    public void SetOutputValues(int index, IReadOnlyList<Dim> values, bool scalar = false)
    {
        if (index < known.Length && values.Count <= run.Options.MaxKnownValueElements && (!scalar || values.Count == 1))
        {
            known[index] = new KnownTensor(values.ToArray(), scalar);
        }
    }

    /// <summary>A dimension for a size that depends on the data: a fresh symbol unique in the model, or unknown.</summary>
    public Dim DataDependentDim() => run.Options.NameDataDependentDims ? run.FreshSymbol() : Dim.Unknown;

    /// <summary>Fails the node: its inputs or attributes contradict the operator's rules; outputs stay as they were.</summary>
    /// <exception cref="InferenceFailure">Always.</exception>
    public InferenceFailure Fail(string reason) => throw new InferenceFailure(reason);

    /// <summary>
    /// Infers a subgraph whose inputs have <paramref name="inputTypes"/> (null where the parent does not define one; a
    /// type declared on the body input is kept) and returns the types of its outputs. Null when subgraphs are not inferred.
    /// </summary>
    public IReadOnlyList<OnnxType?>? InferSubgraph(Graph body, IReadOnlyList<OnnxType?> inputTypes)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(inputTypes);
        return run.InferSubgraph(Node, body, inputTypes);
    }

    internal InferenceRun Run => run;

    /// <summary>Normalizes an axis attribute or input against <paramref name="rank"/> (negative counts from the end).</summary>
    /// <exception cref="InferenceFailure">The axis is out of range.</exception>
    public int Axis(long axis, int rank, string what = "axis")
    {
        if (axis < -rank || axis >= rank)
        {
            Fail($"{what} {axis} is out of range for rank {rank}");
        }

        return (int)(axis < 0 ? axis + rank : axis);
    }

    internal static bool IsIntegral(DataType t) => t is DataType.Int64 or DataType.Int32 or DataType.Int16 or DataType.Int8
        or DataType.Uint64 or DataType.Uint32 or DataType.Uint16 or DataType.Uint8 or DataType.Bool;
}

/// <summary>Thrown by <see cref="InferenceContext.Fail"/>; the runner records it as an <see cref="InferenceError"/>.</summary>
public sealed class InferenceFailure : Exception
{
    internal InferenceFailure(string message)
        : base(message)
    {
    }
}

/// <summary>The tracked contents of a small integer tensor (0-D or 1-D); elements may be symbolic or unknown.</summary>
internal sealed record KnownTensor(Dim[] Elements, bool IsScalar);
