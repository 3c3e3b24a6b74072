using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript;

/// <summary>
/// Converts one TorchScript node: reads <paramref name="context"/>'s arguments (positional, in schema order, defaults
/// filled in), emits ONNX nodes through <see cref="TorchNodeContext.Builder"/>, and sets every result with the
/// context's <c>Set...</c> methods. Problems throw the context's coded errors. Handlers are stateless; the registry
/// (<see cref="TorchModelConverter.Registry"/>) maps each operator and minimum ONNX opset to one. One handler serves
/// every overload of its operator: it tells them apart by the arguments' TorchScript types, as the schema does.
/// </summary>
public delegate void TorchOpHandler(TorchNodeContext context);

/// <summary>
/// What a <see cref="TorchOpHandler"/> sees of the node it converts: its arguments as <see cref="TorchSlot"/>s
/// (constants, run-time tensors and scalars, lists), typed readers with coded errors for the arguments that must be
/// known at conversion time, PyTorch's type promotion over tensor and Scalar operands, and an <see cref="OpBuilder"/>
/// whose new names start with the node's first result. Run-time values are typed as far as the core's shape inference
/// tells from the graph converted so far. Lives for one handler call; not thread-safe.
/// </summary>
public sealed class TorchNodeContext
{
    private readonly TorchModelConverter.Conversion conversion;
    private readonly TorchSlot?[] outputs;
    private int inferred;

    internal TorchNodeContext(TorchModelConverter.Conversion conversion, TorchNode node, IReadOnlyList<TorchSlot> inputs, OpBuilder builder)
    {
        this.conversion = conversion;
        Node = node;
        Slots = inputs;
        Builder = builder;
        outputs = new TorchSlot?[node.Outputs.Count];
        inferred = builder.Graph.Nodes.Count;
    }

    /// <summary>Infers the types of the nodes this handler has added so far, so that it can read them (for example a
    /// rank after a reshape). The converter does this for the rest after the handler returns.</summary>
    public void Infer()
    {
        var nodes = Graph.Nodes;
        if (nodes.Count > inferred)
        {
            conversion.Infer(nodes.Skip(inferred).ToArray());
            inferred = nodes.Count;
        }
    }

    /// <summary>Infers the types of <paramref name="nodes"/> of another graph (an If or Loop body this handler builds).</summary>
    public void Infer(IEnumerable<Node> nodes) => conversion.Infer(nodes.ToArray());

    /// <summary>The node being converted.</summary>
    public TorchNode Node { get; }

    /// <summary>The operator, namespace included (<c>aten::add</c>).</summary>
    public string Kind => Node.Kind;

    /// <summary>The node's name in messages: its first result's debug name (or the operator when it has none).</summary>
    public string Name => Node.Outputs.Count > 0 ? Node.Outputs[0].Name : Node.Kind;

    /// <summary>The builder to emit with.</summary>
    public OpBuilder Builder { get; }

    /// <summary>The target ai.onnx opset.</summary>
    public long Opset => Builder.Opset;

    /// <summary>The ONNX graph (the main graph or an If/Loop body) being built.</summary>
    public Graph Graph => Builder.Graph;

    /// <summary>The arguments' slots, in schema order.</summary>
    public IReadOnlyList<TorchSlot> Slots { get; }

    /// <summary>The number of arguments.</summary>
    public int InputCount => Slots.Count;

    /// <summary>The number of results.</summary>
    public int OutputCount => outputs.Length;

    /// <summary>Argument <paramref name="index"/>'s slot.</summary>
    /// <exception cref="BuildConvertException">BCONV2200 when the node has fewer arguments.</exception>
    public TorchSlot Slot(int index) =>
        index < Slots.Count ? Slots[index] : throw Error($"needs at least {index + 1} argument(s) and has {Slots.Count}");

    /// <summary>Argument <paramref name="index"/>'s TorchScript type.</summary>
    public TorchType TypeOf(int index) => index < Node.Inputs.Count ? Node.Inputs[index].Type : TorchType.NoneType;

    /// <summary>Whether the node has argument <paramref name="index"/> and it is not None.</summary>
    public bool Has(int index) => index < Slots.Count && !Slots[index].IsNone;

    /// <summary>Whether argument <paramref name="index"/> is None (or absent).</summary>
    public bool IsNone(int index) => !Has(index);

    /// <summary>Whether argument <paramref name="index"/> is a tensor (its type is Tensor or Optional[Tensor], or it holds a tensor).</summary>
    public bool IsTensor(int index)
    {
        if (!Has(index))
        {
            return false;
        }

        var slot = Slots[index];
        if (slot.Kind == TorchSlotKind.Tensor || slot.Constant is TorchTensorConstant)
        {
            return true;
        }

        var type = TypeOf(index);
        return type.Kind == TorchTypeKind.Tensor || type is { Kind: TorchTypeKind.Optional } o && o.Elements[0].Kind == TorchTypeKind.Tensor;
    }

    /// <summary>Whether argument <paramref name="index"/> is a list or tuple (by type or by slot).</summary>
    public bool IsList(int index) =>
        Has(index) && (Slots[index].Kind is TorchSlotKind.List or TorchSlotKind.IntVector || Slots[index].Constant is IReadOnlyList<object>
            || TypeOf(index).Kind is TorchTypeKind.List or TorchTypeKind.Tuple);

    /// <summary>Argument <paramref name="index"/> as an ONNX tensor (a run-time scalar or a constant number becomes a
    /// 0-D tensor of int64, double or bool; a tensor constant becomes an initializer).</summary>
    public Value Tensor(int index)
    {
        var slot = Slot(index);
        return conversion.AsTensor(slot, Builder) ?? throw ArgumentError(index, $"expected a tensor, found {Describe(slot)}");
    }

    /// <summary>Argument <paramref name="index"/> as a tensor, or null when it is None.</summary>
    public Value? OptionalTensor(int index) => Has(index) ? Tensor(index) : null;

    /// <summary>Argument <paramref name="index"/> as a tensor of <paramref name="type"/> (constants are made in that type; other values are cast).</summary>
    public Value TensorOf(int index, DataType type)
    {
        var slot = Slot(index);
        if (slot.Kind == TorchSlotKind.Constant && slot.Constant is long or double or bool)
        {
            return Builder.Scalar(type, ToDouble(slot.Constant));
        }

        return CastTo(Tensor(index), type);
    }

    /// <summary><paramref name="value"/> cast to <paramref name="type"/> (unchanged when it has that type already).</summary>
    public Value CastTo(Value value, DataType type)
    {
        if (ElementTypeOrNull(value) == type)
        {
            return value;
        }

        var cast = Builder.Cast(value, type);
        Infer();
        return cast;
    }

    /// <summary>The value of <paramref name="slot"/> (a list item, say) when it is known at conversion time, else null.</summary>
    public object? Fold(TorchSlot slot) => slot.Kind == TorchSlotKind.Constant ? slot.Constant : conversion.TryFold(slot);

    /// <summary>The constant of argument <paramref name="index"/>, or null when it is computed at run time.</summary>
    public object? ConstantOf(int index) => Slot(index).Kind == TorchSlotKind.Constant ? Slot(index).Constant : conversion.TryFold(Slot(index));

    /// <summary>An int argument known at conversion time.</summary>
    public long Int(int index, string what) => ConstantOf(index) switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        var other => throw NotConstant(index, what, "an int", other),
    };

    /// <summary>An optional int argument (None: null).</summary>
    public long? OptionalInt(int index, string what) => Has(index) ? Int(index, what) : null;

    /// <summary>A float (or int) argument known at conversion time.</summary>
    public double Double(int index, string what) => ConstantOf(index) switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        var other => throw NotConstant(index, what, "a number", other),
    };

    /// <summary>An optional float argument (None: null).</summary>
    public double? OptionalDouble(int index, string what) => Has(index) ? Double(index, what) : null;

    /// <summary>A bool argument known at conversion time.</summary>
    public bool Bool(int index, string what) => ConstantOf(index) switch
    {
        bool b => b,
        long l => l != 0,
        var other => throw NotConstant(index, what, "a bool", other),
    };

    /// <summary>A string argument.</summary>
    public string String(int index, string what) => ConstantOf(index) switch
    {
        string s => s,
        var other => throw NotConstant(index, what, "a string", other),
    };

    /// <summary>An optional string argument (None: null).</summary>
    public string? OptionalString(int index, string what) => Has(index) ? String(index, what) : null;

    /// <summary>
    /// An int list known at conversion time. A single int stands for <paramref name="repeat"/> copies of itself (as the
    /// schema's <c>int[2]</c> allows); an empty list stays empty.
    /// </summary>
    public IReadOnlyList<long> Ints(int index, string what, int? repeat = null)
    {
        var constant = ConstantOf(index);
        if (constant is long single)
        {
            return Enumerable.Repeat(single, repeat ?? 1).ToArray();
        }

        if (constant is IReadOnlyList<object> list && list.All(o => o is long))
        {
            var values = list.Cast<long>().ToArray();
            return repeat is { } n && values.Length == 1 && n > 1 ? Enumerable.Repeat(values[0], n).ToArray() : values;
        }

        var slot = Slot(index);
        if (slot.Kind == TorchSlotKind.List)
        {
            var items = slot.Items!.Select(i => conversion.TryFold(i)).ToArray();
            if (items.All(i => i is long))
            {
                return items.Cast<long>().ToArray();
            }
        }

        throw NotConstant(index, what, "a list of ints", constant);
    }

    /// <summary>An optional int list (None: null).</summary>
    public IReadOnlyList<long>? OptionalInts(int index, string what, int? repeat = null) => Has(index) ? Ints(index, what, repeat) : null;

    /// <summary>An int list, constant or computed at run time, as a 1-D int64 tensor.</summary>
    public Value IntVector(int index, string what)
    {
        var slot = Slot(index);
        return conversion.AsIntVector(slot, Builder) ?? throw ArgumentError(index, $"{what}: expected a list of ints, found {Describe(slot)}");
    }

    /// <summary>The items of a list or tuple argument.</summary>
    public IReadOnlyList<TorchSlot> Items(int index, string what)
    {
        var slot = Slot(index);
        return conversion.ItemsOf(slot, Builder) ?? throw ArgumentError(index, $"{what}: expected a list whose length is known, found {Describe(slot)}");
    }

    /// <summary>The tensors of a <c>Tensor[]</c> argument.</summary>
    public IReadOnlyList<Value> Tensors(int index, string what) =>
        Items(index, what).Select((s, k) => conversion.AsTensor(s, Builder)
            ?? throw ArgumentError(index, $"{what}: item {k} is {Describe(s)}, not a tensor")).ToArray();

    /// <summary>The items of a <c>Tensor?[]</c> argument (None items are null).</summary>
    public IReadOnlyList<Value?> OptionalTensors(int index, string what) =>
        Items(index, what).Select((s, k) => s.IsNone ? null : conversion.AsTensor(s, Builder)
            ?? throw ArgumentError(index, $"{what}: item {k} is {Describe(s)}, not a tensor")).ToArray();

    /// <summary>A <c>ScalarType?</c> argument as an ONNX element type (None: null).</summary>
    /// <exception cref="BuildConvertException">BCONV2201 for complex, quantized and unknown codes.</exception>
    public DataType? DType(int index, string what = "dtype")
    {
        if (!Has(index))
        {
            return null;
        }

        var code = Int(index, what);
        return TorchScalarTypes.ToOnnx(code) ?? throw BuildConvertException.Create(DiagnosticCodes.TorchScriptTypeUnsupported,
            $"{Where()}, argument {index} ({what}): ScalarType {code.ToString(CultureInfo.InvariantCulture)} ({TorchScalarTypes.Name(code)}) has no ONNX form", location: Name);
    }

    /// <summary>A run-time or constant scalar argument as a 0-D tensor of <paramref name="type"/>.</summary>
    public Value ScalarOf(int index, DataType type) => TensorOf(index, type);

    /// <summary>The element type and promotion class of argument <paramref name="index"/> (for <see cref="ResultType"/>).</summary>
    public (DataType Type, TorchOperandKind Kind) Operand(int index)
    {
        var slot = Slot(index);
        var declaredTensor = IsTensor(index);
        switch (slot.Kind)
        {
            case TorchSlotKind.Constant when slot.Constant is TorchTensorConstant t:
                return (t.Data.ElementType, t.Data.Dims.Length == 0 ? TorchOperandKind.ZeroDim : TorchOperandKind.Dimensioned);
            case TorchSlotKind.Constant when slot.Constant is long or double or bool:
                return (ScalarType(slot.Constant), declaredTensor ? TorchOperandKind.ZeroDim : TorchOperandKind.Wrapped);
            case TorchSlotKind.Scalar:
                return (slot.Value!.Type?.ElementType ?? DataType.Int64, declaredTensor ? TorchOperandKind.ZeroDim : TorchOperandKind.Wrapped);
            case TorchSlotKind.Tensor:
                var rank = slot.Value!.Type?.Rank;
                return (ElementType(slot.Value), rank == 0 ? TorchOperandKind.ZeroDim : TorchOperandKind.Dimensioned);
            default:
                throw ArgumentError(index, $"expected a tensor or a number, found {Describe(slot)}");
        }
    }

    /// <summary><c>torch.result_type</c> of the arguments at <paramref name="indices"/> (None arguments are skipped).</summary>
    public DataType ResultType(params int[] indices) =>
        TorchScalarTypes.ResultType(indices.Where(Has).Select(Operand));

    /// <summary>The element type of <paramref name="value"/> as inferred so far.</summary>
    /// <exception cref="BuildConvertException">BCONV2200 when it is unknown.</exception>
    public DataType ElementType(Value value) =>
        ElementTypeOrNull(value) ?? InferThen(() => ElementTypeOrNull(value)) ?? throw Error($"the element type of '{value.Name}' is unknown here (give the graph inputs' types)");

    private T? InferThen<T>(Func<T?> read)
        where T : struct
    {
        Infer();
        return read();
    }

    /// <summary>The element type of <paramref name="value"/>, or null.</summary>
    public static DataType? ElementTypeOrNull(Value value) =>
        value.Type is { IsTensor: true, ElementType: not DataType.Undefined } t ? t.ElementType : null;

    /// <summary>The rank of <paramref name="value"/>, or null when unknown.</summary>
    public static int? RankOf(Value value) => value.Type?.Shape?.Count;

    /// <summary>The rank of <paramref name="value"/>.</summary>
    /// <exception cref="BuildConvertException">BCONV2200 when it is unknown; <paramref name="why"/> says what needs it.</exception>
    public int Rank(Value value, string why) =>
        RankOf(value) ?? InferThen(() => RankOf(value)) ?? throw Error($"the rank of '{value.Name}' is unknown, and {why} needs it (give the graph inputs' shapes)");

    /// <summary>The shape of <paramref name="value"/> as inferred so far, or null.</summary>
    public static IReadOnlyList<Dim>? ShapeOf(Value value) => value.Type?.Shape;

    /// <summary>The size of dimension <paramref name="axis"/> (non-negative) of <paramref name="value"/> when fixed.</summary>
    public static long? StaticDim(Value value, int axis) =>
        value.Type?.Shape is { } s && axis >= 0 && axis < s.Count ? s[axis].Value : null;

    /// <summary>The size of dimension <paramref name="axis"/> of <paramref name="value"/>, which must be fixed.</summary>
    public long RequireDim(Value value, int axis, string why) =>
        StaticDim(value, axis) ?? throw Error($"dimension {axis} of '{value.Name}' is not known at conversion time, and {why} needs it (give the graph inputs' shapes)");

    /// <summary><paramref name="dim"/> as an axis of a rank-<paramref name="rank"/> tensor (PyTorch's wrap: -rank..rank-1).</summary>
    public int Axis(long dim, int rank, string what = "dim")
    {
        var bound = System.Math.Max(rank, 1);
        if (dim < -bound || dim >= bound)
        {
            throw Error($"{what} {dim.ToString(CultureInfo.InvariantCulture)} is out of range for a tensor of rank {rank.ToString(CultureInfo.InvariantCulture)} (expected {-bound} to {bound - 1})");
        }

        return (int)(dim < 0 ? dim + bound : dim);
    }

    /// <summary>Sets result <paramref name="index"/> to a run-time tensor.</summary>
    public void SetOutput(int index, Value value) => SetSlot(index, TorchSlot.OfTensor(value));

    /// <summary>Sets results 0, 1, ... to run-time tensors.</summary>
    public void SetOutputs(IReadOnlyList<Value> values)
    {
        for (var i = 0; i < values.Count && i < outputs.Length; i++)
        {
            SetOutput(i, values[i]);
        }
    }

    /// <summary>Sets result <paramref name="index"/> to a run-time scalar (a 0-D int64, double or bool tensor).</summary>
    public void SetScalar(int index, Value value, TorchTypeKind kind) => SetSlot(index, TorchSlot.OfScalar(value, kind));

    /// <summary>Sets result <paramref name="index"/> to a constant.</summary>
    public void SetConstant(int index, object value) => SetSlot(index, TorchSlot.OfConstant(value));

    /// <summary>Sets result <paramref name="index"/> to a list of slots.</summary>
    public void SetList(int index, IReadOnlyList<TorchSlot> items) => SetSlot(index, TorchSlot.OfList(items));

    /// <summary>Sets result <paramref name="index"/> to a list of run-time tensors.</summary>
    public void SetTensorList(int index, IReadOnlyList<Value> items) => SetList(index, items.Select(TorchSlot.OfTensor).ToArray());

    /// <summary>Sets result <paramref name="index"/> to <paramref name="slot"/>.</summary>
    public void SetSlot(int index, TorchSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        if (index < 0 || index >= outputs.Length)
        {
            throw Error($"the converter set result {index}, and the node has {outputs.Length} result(s)");
        }

        outputs[index] = slot;
    }

    /// <summary>Whether result <paramref name="index"/> is read by a node or is a graph output.</summary>
    public bool IsUsed(int index) => index < Node.Outputs.Count && conversion.IsUsed(Node.Outputs[index]);

    /// <summary>The slot the handler set for result <paramref name="index"/>, or null.</summary>
    public TorchSlot? OutputSlot(int index) => outputs[index];

    /// <summary>
    /// Converts <paramref name="block"/> into <paramref name="target"/> (a subgraph made with <see cref="Graph.CreateSubgraph"/>,
    /// or this node's graph to inline it) with its parameters bound to <paramref name="arguments"/>; returns its results.
    /// </summary>
    public IReadOnlyList<TorchSlot> ConvertBlock(TorchBlock block, Graph target, IReadOnlyList<TorchSlot> arguments) =>
        conversion.ConvertBlock(block, target, arguments);

    /// <summary><paramref name="slot"/> as a tensor of the builder's graph (constants become initializers), or null for None, strings and lists.</summary>
    public Value? AsTensor(TorchSlot slot, OpBuilder? builder = null) => conversion.AsTensor(slot, builder ?? Builder);

    /// <summary>The shape of <paramref name="x"/>: constant when every dimension is fixed, else a <c>Shape</c> node.</summary>
    public Value ShapeVector(Value x) =>
        ShapeOf(x) is { } s && s.All(d => d.IsFixed) ? Builder.Int64s(s.Select(d => d.Value!.Value).ToArray()) : Builder.Op("Shape", x);

    /// <summary>The size of dimension <paramref name="axis"/> of <paramref name="x"/> as a 1-D int64 tensor of one element.</summary>
    public Value DimVector(Value x, int axis) =>
        StaticDim(x, axis) is { } d ? Builder.Int64s(d) : Builder.Slice(Builder.Op("Shape", x), new long[] { axis }, new long[] { axis + 1 });

    /// <summary>BCONV2200 about the node.</summary>
    public BuildConvertException Error(string message) =>
        BuildConvertException.Create(DiagnosticCodes.TorchScriptNodeInvalid, $"{Where()}: {message}", location: Name);

    /// <summary>BCONV2200 about argument <paramref name="index"/>.</summary>
    public BuildConvertException ArgumentError(int index, string message) =>
        BuildConvertException.Create(DiagnosticCodes.TorchScriptNodeInvalid, $"{Where()}, argument {index.ToString(CultureInfo.InvariantCulture)}: {message}", location: Name);

    /// <summary>BCONV2205: the node uses a combination of arguments the converter does not support.</summary>
    public BuildConvertException Unsupported(string message) =>
        BuildConvertException.Create(DiagnosticCodes.TorchScriptFeatureUnsupported, $"{Where()}: {message}", location: Name);

    /// <summary>BCONV2201 about a tensor whose element type has no ONNX form or that the operator does not take.</summary>
    public BuildConvertException TypeError(string message) =>
        BuildConvertException.Create(DiagnosticCodes.TorchScriptTypeUnsupported, $"{Where()}: {message}", location: Name);

    /// <summary><c>node 'x.3' (aten::add at code/...py:12)</c>.</summary>
    public string Where() => $"node '{Name}' ({Kind}{(Node.SourceRange.Length > 0 ? " at " + Node.SourceRange : "")})";

    /// <summary>The PyTorch dtype of a Python number: int64, float64 (double) or bool.</summary>
    public static DataType ScalarType(object? constant) => constant switch
    {
        bool => DataType.Bool,
        double => DataType.Double,
        _ => DataType.Int64,
    };

    /// <summary>A Python number as a double.</summary>
    public static double ToDouble(object? constant) => constant switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        double d => d,
        _ => throw new ArgumentException($"not a number: {constant}"),
    };

    internal static string Describe(TorchSlot slot) => slot.Kind switch
    {
        TorchSlotKind.Constant => slot.Constant switch
        {
            TorchNone => "None",
            string s => $"the string '{s}'",
            TorchTensorConstant t => $"a constant tensor {t.Data}",
            IReadOnlyList<object> l => $"a constant list of {l.Count}",
            var v => $"the constant {Convert.ToString(v, CultureInfo.InvariantCulture)}",
        },
        TorchSlotKind.Tensor => "a tensor",
        TorchSlotKind.Scalar => $"a run-time {slot.ScalarKind.ToString().ToLowerInvariant()}",
        TorchSlotKind.List => $"a list of {slot.Items!.Count} ({string.Join(", ", slot.Items!.Select(Describe))})",
        _ => "a run-time int list",
    };

    private BuildConvertException NotConstant(int index, string what, string expected, object? found) =>
        ArgumentError(index, found is null && index < Slots.Count && Slots[index].Kind != TorchSlotKind.Constant
            ? $"{what} must be known at conversion time, and it is computed at run time ({Describe(Slots[index])})"
            : $"{what}: expected {expected}, found {(index < Slots.Count ? Describe(Slots[index]) : "nothing")}");
}
