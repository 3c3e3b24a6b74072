using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Golden;

/// <summary>
/// The graph inputs a caller feeds (graph inputs that are not initializers) and the graph outputs of a model, used to
/// name golden values and to decide which proto message a golden <c>.pb</c> file holds.
/// </summary>
internal sealed class ModelSignature
{
    private ModelSignature(IReadOnlyList<ValueInfoProto> inputs, IReadOnlyList<ValueInfoProto> outputs)
    {
        Inputs = inputs;
        Outputs = outputs;
    }

    public static ModelSignature Empty { get; } = new(Array.Empty<ValueInfoProto>(), Array.Empty<ValueInfoProto>());

    public IReadOnlyList<ValueInfoProto> Inputs { get; }

    public IReadOnlyList<ValueInfoProto> Outputs { get; }

    public static ModelSignature Of(ModelProto? model)
    {
        var graph = model?.Graph;
        if (graph is null)
        {
            return Empty;
        }

        var initializers = new HashSet<string>(graph.Initializer.Select(i => i.Name), StringComparer.Ordinal);
        foreach (var sparse in graph.SparseInitializer)
        {
            if (sparse.Values is not null)
            {
                initializers.Add(sparse.Values.Name);
            }
        }

        return new ModelSignature(graph.Input.Where(i => !initializers.Contains(i.Name)).ToArray(), graph.Output.ToArray());
    }

    public static ValueInfoProto? At(IReadOnlyList<ValueInfoProto> values, int index) =>
        index >= 0 && index < values.Count ? values[index] : null;

    /// <summary>Orders named values by the signature's names; names not in the signature keep their order after those.</summary>
    public static List<T> OrderByNames<T>(IReadOnlyList<ValueInfoProto> signature, IReadOnlyList<T> values, Func<T, string> nameOf)
    {
        var result = new List<T>(values.Count);
        var used = new bool[values.Count];
        foreach (var vi in signature)
        {
            for (var i = 0; i < values.Count; i++)
            {
                if (!used[i] && nameOf(values[i]) == vi.Name)
                {
                    used[i] = true;
                    result.Add(values[i]);
                    break;
                }
            }
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (!used[i])
            {
                result.Add(values[i]);
            }
        }

        return result;
    }
}
