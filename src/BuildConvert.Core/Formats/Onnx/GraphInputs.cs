using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>Which inputs of a graph a caller feeds.</summary>
public static class GraphInputs
{
    /// <summary>The graph inputs that are not backed by an initializer (dense or sparse), in declaration order.</summary>
    public static IReadOnlyList<ValueInfoProto> Fed(GraphProto graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var initializers = new HashSet<string>(graph.Initializer.Select(i => i.Name), StringComparer.Ordinal);
        foreach (var sparse in graph.SparseInitializer)
        {
            if (sparse.Values is { } values)
            {
                initializers.Add(values.Name);
            }
        }

        return graph.Input.Where(i => !initializers.Contains(i.Name)).ToArray();
    }
}
