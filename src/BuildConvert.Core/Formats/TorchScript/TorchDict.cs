using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace BuildConvert.Core.Formats.TorchScript;

/// <summary>
/// A dictionary read from a pickle (a TorchScript <c>Dict[K, V]</c> attribute or constant, or a
/// <c>collections.OrderedDict</c>), keeping the order its items were set in, as Python's dictionaries do. Keys are
/// <see cref="string"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, or (compared by reference) tensors;
/// values are what <see cref="TorchObject"/> attributes can be. Immutable once read.
/// </summary>
public sealed class TorchDict : IReadOnlyDictionary<object, object?>
{
    private readonly List<KeyValuePair<object, object?>> items;
    private readonly Dictionary<object, int> index;

    internal TorchDict(List<KeyValuePair<object, object?>> items, Dictionary<object, int> index)
    {
        this.items = items;
        this.index = index;
    }

    /// <summary>An empty dictionary.</summary>
    public static TorchDict Empty { get; } = new(new List<KeyValuePair<object, object?>>(), new Dictionary<object, int>());

    /// <summary>The items in the order they were set.</summary>
    public IReadOnlyList<KeyValuePair<object, object?>> Items => items;

    /// <inheritdoc />
    public int Count => items.Count;

    /// <inheritdoc />
    public IEnumerable<object> Keys => items.Select(i => i.Key);

    /// <inheritdoc />
    public IEnumerable<object?> Values => items.Select(i => i.Value);

    /// <inheritdoc />
    public object? this[object key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no key {key}");

    /// <inheritdoc />
    public bool ContainsKey(object key) => index.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(object key, [MaybeNullWhen(false)] out object? value)
    {
        if (index.TryGetValue(key, out var at))
        {
            value = items[at].Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<object, object?>> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"{{{string.Join(", ", items.Select(i => $"{i.Key}: {i.Value}"))}}}";
}

/// <summary>A tensor whose element type and shape an archive records without its data: <c>traced_inputs.pkl</c> (the
/// example inputs a traced module was traced with) is written without tensor bytes.</summary>
/// <param name="ElementType">The element type.</param>
/// <param name="Shape">The sizes.</param>
/// <param name="Data">The values, when the archive holds them after all.</param>
public sealed record TorchTensorSpec(
    Onnx.Proto.TensorProto.Types.DataType ElementType,
    IReadOnlyList<long> Shape,
    Converters.TorchScript.TorchTensorConstant? Data)
{
    public override string ToString() => $"{Values.ElementTypes.Name(ElementType)}[{string.Join(",", Shape)}]{(Data is null ? " (no data)" : "")}";
}
