using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Graphs;

/// <summary>
/// One operator application. Inputs and outputs are <see cref="Value"/>s; a null entry is an omitted optional input or
/// output (ONNX's empty name). Editing inputs keeps every value's <see cref="Value.Uses"/> up to date. Not thread-safe.
/// </summary>
public sealed class Node
{
    private readonly List<Value?> inputs = new();
    private readonly List<Value?> outputs = new();
    private readonly List<NodeAttribute> attributes = new();

    internal Node(Graph owner, string opType, string domain, string name)
    {
        Owner = owner;
        OpType = opType;
        Domain = domain;
        Name = name;
    }

    /// <summary>The graph the node is in.</summary>
    public Graph Owner { get; }

    /// <summary>The operator's name, e.g. <c>Conv</c>.</summary>
    public string OpType { get; set; }

    /// <summary>The operator's domain; empty for <c>ai.onnx</c>.</summary>
    public string Domain { get; set; }

    /// <summary>The node's name (may be empty, as ONNX allows).</summary>
    public string Name { get; set; }

    /// <summary>The node's doc string.</summary>
    public string? DocString { get; set; }

    /// <summary>The function overload identifier (IR 10), if any.</summary>
    public string? Overload { get; set; }

    /// <summary>Metadata, carried through as read.</summary>
    public IList<StringStringEntryProto> MetadataProps { get; } = new List<StringStringEntryProto>();

    /// <summary>Device configurations (IR 11), carried through as read.</summary>
    public IList<NodeDeviceConfigurationProto> DeviceConfigurations { get; } = new List<NodeDeviceConfigurationProto>();

    /// <summary>The inputs; null for an omitted optional input.</summary>
    public IReadOnlyList<Value?> Inputs => inputs;

    /// <summary>The outputs; null for an omitted optional output.</summary>
    public IReadOnlyList<Value?> Outputs => outputs;

    /// <summary>The attributes in their order.</summary>
    public IReadOnlyList<NodeAttribute> Attributes => attributes;

    /// <summary>Whether the node is in the default ONNX domain.</summary>
    public bool IsOnnxDomain => Domain is "" or "ai.onnx";

    /// <summary>Input <paramref name="index"/>, or null when it is omitted or past the end.</summary>
    public Value? Input(int index) => index < inputs.Count ? inputs[index] : null;

    /// <summary>Output <paramref name="index"/>, or null when it is omitted or past the end.</summary>
    public Value? Output(int index) => index < outputs.Count ? outputs[index] : null;

    /// <summary>Replaces input <paramref name="index"/> (growing the list with omitted inputs as needed).</summary>
    public void SetInput(int index, Value? value)
    {
        while (inputs.Count <= index)
        {
            inputs.Add(null);
        }

        inputs[index]?.RemoveUse(this, index);
        inputs[index] = value;
        value?.AddUse(this, index);
    }

    /// <summary>Appends an input.</summary>
    public void AddInput(Value? value) => SetInput(inputs.Count, value);

    /// <summary>Removes inputs from <paramref name="index"/> on.</summary>
    public void TruncateInputs(int index)
    {
        for (var i = inputs.Count - 1; i >= index; i--)
        {
            inputs[i]?.RemoveUse(this, i);
            inputs.RemoveAt(i);
        }
    }

    /// <summary>Removes input <paramref name="index"/>, shifting the later ones down.</summary>
    public void RemoveInput(int index)
    {
        var rest = inputs.Skip(index + 1).ToArray();
        TruncateInputs(index);
        foreach (var v in rest)
        {
            AddInput(v);
        }
    }

    /// <summary>Drops trailing omitted inputs (ONNX writes them as empty names otherwise).</summary>
    public void TrimOmittedInputs()
    {
        while (inputs.Count > 0 && inputs[^1] is null)
        {
            inputs.RemoveAt(inputs.Count - 1);
        }
    }

    /// <summary>Drops trailing omitted outputs.</summary>
    public void TrimOmittedOutputs()
    {
        while (outputs.Count > 0 && outputs[^1] is null)
        {
            outputs.RemoveAt(outputs.Count - 1);
        }
    }

    /// <summary>Adds a new output value named after <paramref name="nameHint"/> (made unique).</summary>
    public Value AddOutput(string nameHint)
    {
        var value = Owner.NewValue(nameHint);
        AttachOutput(value);
        return value;
    }

    /// <summary>Marks output <paramref name="index"/> as omitted; the value it was loses its producer.</summary>
    public void DropOutput(int index)
    {
        if (index < outputs.Count && outputs[index] is { } v)
        {
            v.Producer = null;
            outputs[index] = null;
        }
    }

    internal void AttachOutput(Value? value)
    {
        if (value is not null)
        {
            if (value.Producer is not null || value.IsInitializer)
            {
                throw new InvalidOperationException($"value '{value.Name}' is already defined");
            }

            value.Producer = this;
            value.ProducerIndex = outputs.Count;
        }

        outputs.Add(value);
    }

    internal void DetachAll()
    {
        TruncateInputs(0);
        foreach (var output in outputs)
        {
            if (output is not null && output.Producer == this)
            {
                output.Producer = null;
            }
        }
    }

    /// <summary>The attribute named <paramref name="name"/>, or null.</summary>
    public NodeAttribute? Attribute(string name)
    {
        foreach (var a in attributes)
        {
            if (a.Name == name)
            {
                return a;
            }
        }

        return null;
    }

    /// <summary>Whether the attribute is present.</summary>
    public bool HasAttribute(string name) => Attribute(name) is not null;

    /// <summary>An INT attribute's value, or <paramref name="fallback"/> when absent.</summary>
    public long GetInt(string name, long fallback) => Attribute(name) is { Type: AttributeProto.Types.AttributeType.Int } a ? a.Int : fallback;

    /// <summary>A FLOAT attribute's value, or <paramref name="fallback"/> when absent.</summary>
    public float GetFloat(string name, float fallback) => Attribute(name) is { Type: AttributeProto.Types.AttributeType.Float } a ? a.Float : fallback;

    /// <summary>A STRING attribute's text, or <paramref name="fallback"/> when absent.</summary>
    public string GetString(string name, string fallback) => Attribute(name) is { Type: AttributeProto.Types.AttributeType.String } a ? a.Text : fallback;

    /// <summary>An INTS attribute's values, or null when absent.</summary>
    public IReadOnlyList<long>? GetInts(string name) => Attribute(name) is { Type: AttributeProto.Types.AttributeType.Ints } a ? a.Ints : null;

    /// <summary>A FLOATS attribute's values, or null when absent.</summary>
    public IReadOnlyList<float>? GetFloats(string name) => Attribute(name) is { Type: AttributeProto.Types.AttributeType.Floats } a ? a.Floats : null;

    /// <summary>Sets an attribute, replacing one of the same name in place (or appending).</summary>
    public void SetAttribute(NodeAttribute attribute)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        for (var i = 0; i < attributes.Count; i++)
        {
            if (attributes[i].Name == attribute.Name)
            {
                attributes[i] = attribute;
                return;
            }
        }

        attributes.Add(attribute);
    }

    internal void SetAttributeImported(NodeAttribute attribute) => attributes.Add(attribute);

    /// <summary>Removes the attribute named <paramref name="name"/>; returns it, or null when absent.</summary>
    public NodeAttribute? RemoveAttribute(string name)
    {
        var at = attributes.FindIndex(a => a.Name == name);
        if (at < 0)
        {
            return null;
        }

        var removed = attributes[at];
        attributes.RemoveAt(at);
        return removed;
    }

    /// <summary>The subgraphs held by the node's attributes (If branches, Loop/Scan bodies).</summary>
    public IEnumerable<Graph> Subgraphs => attributes.SelectMany(a => a.Subgraphs);

    /// <summary>A name for messages: <c>'name' (OpType)</c>, or the first output when the node is unnamed.</summary>
    public string Describe() =>
        Name.Length > 0 ? $"node '{Name}' ({OpType})" : $"the {OpType} node producing '{outputs.FirstOrDefault(o => o is not null)?.Name ?? "?"}'";

    public override string ToString() => Describe();
}
