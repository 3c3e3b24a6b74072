using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Converters.TorchScript;

/// <summary>What a <see cref="TorchSlot"/> holds.</summary>
public enum TorchSlotKind
{
    /// <summary>A value known at conversion time (see <see cref="TorchValue.Constant"/> for the forms).</summary>
    Constant,

    /// <summary>A tensor computed at run time.</summary>
    Tensor,

    /// <summary>An int, float or bool computed at run time, as a 0-D ONNX tensor (int64, double, bool).</summary>
    Scalar,

    /// <summary>A list or tuple of slots whose length is known.</summary>
    List,

    /// <summary>An int list computed at run time, as a 1-D int64 ONNX tensor (for example <c>x.size()</c>).</summary>
    IntVector,
}

/// <summary>
/// The converter's form of one TorchScript value: a constant, a run-time tensor or scalar (an ONNX <see cref="Value"/>),
/// a list or tuple of slots, or a run-time int list. Immutable.
/// </summary>
public sealed class TorchSlot
{
    private TorchSlot(TorchSlotKind kind)
    {
        Kind = kind;
    }

    /// <summary>What it holds.</summary>
    public TorchSlotKind Kind { get; }

    /// <summary>The ONNX value of a <see cref="TorchSlotKind.Tensor"/>, <see cref="TorchSlotKind.Scalar"/> or <see cref="TorchSlotKind.IntVector"/>.</summary>
    public Value? Value { get; private init; }

    /// <summary>The value of a <see cref="TorchSlotKind.Constant"/>.</summary>
    public object? Constant { get; private init; }

    /// <summary>The items of a <see cref="TorchSlotKind.List"/>.</summary>
    public IReadOnlyList<TorchSlot>? Items { get; private init; }

    /// <summary>For a <see cref="TorchSlotKind.Scalar"/>: <see cref="TorchTypeKind.Int"/>, <see cref="TorchTypeKind.Float"/> or <see cref="TorchTypeKind.Bool"/>.</summary>
    public TorchTypeKind ScalarKind { get; private init; }

    /// <summary>The length of an <see cref="TorchSlotKind.IntVector"/>, when known.</summary>
    public int? Length { get; private init; }

    /// <summary>A slot for a value known at conversion time.</summary>
    public static TorchSlot OfConstant(object constant) => new(TorchSlotKind.Constant) { Constant = constant ?? throw new ArgumentNullException(nameof(constant)) };

    /// <summary>A run-time tensor.</summary>
    public static TorchSlot OfTensor(Value value) => new(TorchSlotKind.Tensor) { Value = value ?? throw new ArgumentNullException(nameof(value)) };

    /// <summary>A run-time scalar (a 0-D int64, double or bool tensor).</summary>
    public static TorchSlot OfScalar(Value value, TorchTypeKind kind) =>
        kind is TorchTypeKind.Int or TorchTypeKind.Float or TorchTypeKind.Bool
            ? new(TorchSlotKind.Scalar) { Value = value ?? throw new ArgumentNullException(nameof(value)), ScalarKind = kind }
            : throw new ArgumentException($"a scalar is an int, a float or a bool, not {kind}", nameof(kind));

    /// <summary>A list or tuple.</summary>
    public static TorchSlot OfList(IReadOnlyList<TorchSlot> items) => new(TorchSlotKind.List) { Items = items ?? throw new ArgumentNullException(nameof(items)) };

    /// <summary>A run-time int list as a 1-D int64 tensor of <paramref name="length"/> items when known.</summary>
    public static TorchSlot OfIntVector(Value value, int? length) => new(TorchSlotKind.IntVector) { Value = value, Length = length };

    /// <summary>Whether this is the constant None.</summary>
    public bool IsNone => Kind == TorchSlotKind.Constant && Constant is TorchNone;

    public override string ToString() => Kind switch
    {
        TorchSlotKind.Constant => $"constant {Constant}",
        TorchSlotKind.List => $"list of {Items!.Count}",
        TorchSlotKind.Scalar => $"{ScalarKind} {Value!.Name}",
        _ => $"{Kind} {Value!.Name}",
    };
}
