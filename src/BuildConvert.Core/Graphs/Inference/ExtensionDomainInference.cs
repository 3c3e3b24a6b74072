using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs.Inference;

/// <summary>
/// Operators of the other domains the corpus uses: <c>ai.onnx.ml</c> (LabelEncoder, ArrayFeatureExtractor, TreeEnsemble)
/// and <c>ai.onnx.preview.training</c> (Adagrad, Adam, Momentum, Gradient).
/// </summary>
internal static class ExtensionDomainInference
{
    private const string Ml = "ai.onnx.ml";
    private const string Training = "ai.onnx.preview.training";

    public static void Register(InferenceRegistry.Builder r)
    {
        r.Add("LabelEncoder", LabelEncoder, Ml);
        r.Add("ArrayFeatureExtractor", ArrayFeatureExtractor, Ml);
        r.Add("TreeEnsemble", 5, TreeEnsemble, Ml);
        r.Add("Adagrad", c => Optimizer(c, 2), Training);
        r.Add("Momentum", c => Optimizer(c, 2), Training);
        r.Add("Adam", c => Optimizer(c, 3), Training);
        r.Add("Gradient", Gradient, Training);
    }

    private static void LabelEncoder(InferenceContext c)
    {
        var node = c.Node;
        var elem = node.Attribute("values_tensor")?.Tensor?.ElementType
            ?? (node.Attribute("values_strings") is not null ? DataType.String
                : node.Attribute("values_int64s") is not null ? DataType.Int64
                : node.Attribute("values_floats") is not null ? DataType.Float
                : default);
        c.SetOutput(0, elem, c.InputShape(0));
    }

    private static void ArrayFeatureExtractor(InferenceContext c)
    {
        var input = c.InputShape(0);
        var indices = c.InputShape(1);
        var count = indices is null ? Dim.Unknown : ShapeMath.Product(indices);
        c.SetOutput(0, c.InputElementType(0), input switch
        {
            null => null,
            { Count: <= 1 } => new[] { Dim.Of(1), count },
            _ => input.Take(input.Count - 1).Select(ShapeMath.Plain).Append(count).ToArray(),
        });
    }

    private static void TreeEnsemble(InferenceContext c)
    {
        var input = c.InputShape(0);
        var elem = c.Node.Attribute("leaf_weights")?.Tensor?.ElementType ?? c.InputElementType(0);
        c.SetOutput(0, elem, new[] { input is { Count: > 0 } ? ShapeMath.Plain(input[0]) : Dim.Unknown, Dim.Of(c.Node.GetInt("n_targets", 1)) });
    }

    /// <summary>Inputs are (R, T, X1..Xn, G1..Gn, then one or two state blocks); outputs are the new X block then the new state blocks.</summary>
    private static void Optimizer(InferenceContext c, int outputBlocks)
    {
        var n = c.OutputCount / outputBlocks;
        for (var i = 0; i < c.OutputCount; i++)
        {
            c.SetOutput(i, Rules.Strip(c.InputType(i < n ? 2 + i : 2 + n + i)));
        }
    }

    private static void Gradient(InferenceContext c)
    {
        var xs = c.Node.Attribute("xs")?.Texts ?? Array.Empty<string>();
        for (var i = 0; i < c.OutputCount && i < xs.Count; i++)
        {
            c.SetOutput(i, Rules.Strip(c.Node.Owner.Find(xs[i])?.Type));
        }
    }
}
