using System.Globalization;

namespace BuildConvert.Core.Graphs;

/// <summary>
/// One dimension of a tensor shape: a fixed size (<see cref="Value"/>), a named symbolic size (<see cref="Symbol"/>,
/// ONNX <c>dim_param</c>), or unknown (neither). Symbolic dimensions with the same name are equal within one model.
/// </summary>
public readonly record struct Dim(long? Value, string? Symbol, string? Denotation = null)
{
    /// <summary>An unknown dimension (no value, no name).</summary>
    public static Dim Unknown => default;

    /// <summary>A fixed dimension.</summary>
    public static Dim Of(long value) => new(value, null);

    /// <summary>A named symbolic dimension.</summary>
    public static Dim Sym(string symbol) => new(null, symbol);

    /// <summary>Whether the size is known.</summary>
    public bool IsFixed => Value is not null;

    /// <summary>Whether the size is neither known nor named.</summary>
    public bool IsUnknown => Value is null && Symbol is null;

    /// <summary>True when both are fixed and equal, or both name the same symbol.</summary>
    public bool SameAs(Dim other) =>
        (Value is { } a && other.Value is { } b && a == b) ||
        (Value is null && other.Value is null && Symbol is not null && Symbol == other.Symbol);

    public override string ToString() =>
        Value?.ToString(CultureInfo.InvariantCulture) ?? Symbol ?? "?";
}
