using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>
/// Enumerates every <see cref="TensorProto"/> a model holds: initializers, sparse initializers, tensor attributes of
/// nodes (in subgraphs and model-local functions too) and training-info graphs. Iterative, so deep nesting cannot
/// overflow the stack. Yields the tensors themselves (callers may modify them in place).
/// </summary>
internal static class ModelTensors
{
    public static IEnumerable<TensorProto> All(ModelProto model)
    {
        var graphs = new Stack<GraphProto>();
        var nodeLists = new Stack<IEnumerable<NodeProto>>();
        if (model.Graph is not null)
        {
            graphs.Push(model.Graph);
        }

        foreach (var training in model.TrainingInfo)
        {
            if (training.Initialization is not null)
            {
                graphs.Push(training.Initialization);
            }

            if (training.Algorithm is not null)
            {
                graphs.Push(training.Algorithm);
            }
        }

        foreach (var function in model.Functions)
        {
            nodeLists.Push(function.Node);
        }

        while (graphs.Count > 0 || nodeLists.Count > 0)
        {
            if (graphs.Count > 0)
            {
                var graph = graphs.Pop();
                foreach (var t in graph.Initializer)
                {
                    yield return t;
                }

                foreach (var s in graph.SparseInitializer)
                {
                    foreach (var t in Sparse(s))
                    {
                        yield return t;
                    }
                }

                nodeLists.Push(graph.Node);
                continue;
            }

            foreach (var node in nodeLists.Pop())
            {
                foreach (var attribute in node.Attribute)
                {
                    if (attribute.T is not null)
                    {
                        yield return attribute.T;
                    }

                    foreach (var t in attribute.Tensors)
                    {
                        yield return t;
                    }

                    if (attribute.SparseTensor is not null)
                    {
                        foreach (var t in Sparse(attribute.SparseTensor))
                        {
                            yield return t;
                        }
                    }

                    foreach (var s in attribute.SparseTensors)
                    {
                        foreach (var t in Sparse(s))
                        {
                            yield return t;
                        }
                    }

                    if (attribute.G is not null)
                    {
                        graphs.Push(attribute.G);
                    }

                    foreach (var g in attribute.Graphs)
                    {
                        graphs.Push(g);
                    }
                }
            }
        }
    }

    private static IEnumerable<TensorProto> Sparse(SparseTensorProto sparse)
    {
        if (sparse.Values is not null)
        {
            yield return sparse.Values;
        }

        if (sparse.Indices is not null)
        {
            yield return sparse.Indices;
        }
    }
}
