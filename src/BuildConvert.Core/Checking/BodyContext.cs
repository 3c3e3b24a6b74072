using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Checking;

/// <summary>
/// What the rules need to know about the graph or function body being checked: the opset versions in force (domain
/// normalized, "" for ai.onnx), whether it is the main graph, the function it belongs to (for attribute references),
/// how deeply it is nested and how to name it in messages.
/// </summary>
internal sealed record BodyContext(
    IReadOnlyDictionary<string, long> Opsets,
    bool IsMainGraph,
    FunctionProto? Function,
    int Depth,
    string Where)
{
    /// <summary>The context of a subgraph held by an attribute of a node in this body.</summary>
    public BodyContext Subgraph(string graphName, string attribute, string node) =>
        this with { IsMainGraph = false, Depth = Depth + 1, Where = $" in graph '{graphName}' (attribute '{attribute}' of {node}{Where})" };
}
