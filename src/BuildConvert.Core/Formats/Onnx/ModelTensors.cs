using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>
/// Enumerates every <see cref="TensorProto"/> a model holds: initializers, sparse initializers, tensor attributes of
/// nodes (in subgraphs and model-local functions too) and training-info graphs, in <see cref="OnnxModelWalker"/>'s
/// order (the writer lays out external data in it, so it is stable). Yields the tensors themselves: callers may change
/// their data in place while enumerating, but not add or remove tensors, nodes or graphs.
/// </summary>
public static class ModelTensors
{
    /// <summary>Every tensor <paramref name="model"/> holds, sparse tensors as their values and indices.</summary>
    /// <param name="model">The model; it is walked lazily, as the sequence is enumerated.</param>
    /// <exception cref="BuildConvertException">BCONV3198 for a subgraph nested past <see cref="OnnxModelWalker.DefaultMaxDepth"/>.</exception>
    public static IEnumerable<TensorProto> All(ModelProto model)
    {
        foreach (var step in OnnxModelWalker.Walk(model))
        {
            if (step.Node is null)
            {
                foreach (var t in step.Graph!.Initializer)
                {
                    yield return t;
                }

                foreach (var s in step.Graph.SparseInitializer)
                {
                    foreach (var t in Sparse(s))
                    {
                        yield return t;
                    }
                }

                continue;
            }

            foreach (var attribute in step.Node.Attribute)
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
