using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Tool.Commands;

/// <summary>
/// The external data files an ONNX model reads (tensors stored beside it), as full paths. The MSBuild task records them
/// as inputs of the conversion, so that editing a weights file converts the model again.
/// </summary>
internal static class ExternalDataFiles
{
    private const int MaxDepth = 64;

    /// <summary>Lists the distinct external data files of the model at <paramref name="modelPath"/> (not loading them).</summary>
    /// <exception cref="BuildConvertException">The model cannot be read.</exception>
    public static IReadOnlyList<string> Of(string modelPath)
    {
        var model = OnnxModelReader.Read(modelPath);
        var folder = Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".";
        var files = new SortedSet<string>(StringComparer.Ordinal);
        void Add(TensorProto tensor)
        {
            if (ExternalDataReference.IsExternal(tensor) && ExternalDataReference.TryParse(tensor, modelPath, out _) is { } reference)
            {
                files.Add(Path.GetFullPath(Path.Combine(folder, reference.Location)));
            }
        }

        if (model.Graph is { } graph)
        {
            Visit(graph, Add, 0);
        }

        foreach (var function in model.Functions)
        {
            VisitNodes(function.Node, Add, 0);
        }

        return files.ToArray();
    }

    private static void Visit(GraphProto graph, Action<TensorProto> add, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        foreach (var tensor in graph.Initializer)
        {
            add(tensor);
        }

        foreach (var sparse in graph.SparseInitializer)
        {
            if (sparse.Values is { } values)
            {
                add(values);
            }

            if (sparse.Indices is { } indices)
            {
                add(indices);
            }
        }

        VisitNodes(graph.Node, add, depth);
    }

    private static void VisitNodes(IEnumerable<NodeProto> nodes, Action<TensorProto> add, int depth)
    {
        foreach (var node in nodes)
        {
            foreach (var attribute in node.Attribute)
            {
                if (attribute.T is { } t)
                {
                    add(t);
                }

                foreach (var tensor in attribute.Tensors)
                {
                    add(tensor);
                }

                if (attribute.G is { } g)
                {
                    Visit(g, add, depth + 1);
                }

                foreach (var sub in attribute.Graphs)
                {
                    Visit(sub, add, depth + 1);
                }
            }
        }
    }
}
