using System.Globalization;

namespace BuildConvert.Core.Formats.TensorFlow;

/// <summary>A graph-level tensor reference: output <paramref name="Index"/> of node <paramref name="Node"/>.</summary>
internal readonly record struct TfTensorRef(string Node, int Index)
{
    /// <summary>Parses <c>node</c>, <c>node:k</c> (a graph-level input or a tensor name); null for control inputs or
    /// malformed text.</summary>
    public static TfTensorRef? Parse(string text)
    {
        if (text.Length == 0 || text[0] == '^')
        {
            return null;
        }

        var colon = text.LastIndexOf(':');
        if (colon > 0 && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return new TfTensorRef(text[..colon], index);
        }

        return text.Contains(':') ? null : new TfTensorRef(text, 0);
    }

    /// <summary>The node a graph-level input (data or control) names.</summary>
    public static string NodeOf(string input)
    {
        var text = input.StartsWith('^') ? input[1..] : input;
        var colon = text.IndexOf(':');
        return colon < 0 ? text : text[..colon];
    }

    /// <summary>As a NodeDef input: <c>node</c> for output 0, else <c>node:k</c>.</summary>
    public string ToInput() => Index == 0 ? Node : string.Create(CultureInfo.InvariantCulture, $"{Node}:{Index}");

    /// <summary>As a tensor name: <c>node:k</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Node}:{Index}");
}
