namespace BuildConvert.Core.Formats.TorchScript;

/// <summary>
/// An object of a TorchScript archive's <c>data.pkl</c> tree, as the archive reader hands it to the interpreter: a
/// module (or any scripted class instance) is its qualified class name (<c>__torch__.torchvision.models.resnet.ResNet</c>)
/// and its attributes in pickle order. Attribute values are <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>,
/// <see cref="string"/>, <see cref="Converters.TorchScript.TorchNone.Instance"/>,
/// <see cref="Converters.TorchScript.TorchTensorConstant"/>, nested <see cref="TorchObject"/>s, and
/// <see cref="IReadOnlyList{T}"/> (lists and tuples) or <see cref="IReadOnlyDictionary{TKey,TValue}"/> of those.
/// Nothing in it was executed: the pickle machine only built data.
/// </summary>
public sealed class TorchObject
{
    public TorchObject(string qualifiedName, IReadOnlyList<KeyValuePair<string, object?>> attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(qualifiedName);
        ArgumentNullException.ThrowIfNull(attributes);
        QualifiedName = qualifiedName;
        Attributes = attributes;
        byName = attributes.GroupBy(a => a.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, object?> byName;

    /// <summary>The class, e.g. <c>__torch__.torch.nn.modules.conv.Conv2d</c>.</summary>
    public string QualifiedName { get; }

    /// <summary>The attributes in the order the pickle set them.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Attributes { get; }

    /// <summary>The attribute <paramref name="name"/>, if present.</summary>
    public bool TryGet(string name, out object? value) => byName.TryGetValue(name, out value);

    public override string ToString() => QualifiedName;
}
