using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Formats.TorchScript.FrontEnd;

/// <summary>
/// What one parameter of the converted method receives. Matched to a parameter by <see cref="Name"/>; specs with an
/// empty name fill the parameters without a named spec, in order. A parameter with no spec gets its default (when it
/// has one) or a value of its annotated type with unknown shape.
/// </summary>
/// <param name="Name">The parameter name (<c>x</c>), or empty.</param>
/// <param name="Type">The type; null means the parameter's annotation.</param>
/// <param name="Shape">For a tensor: its dimensions (fixed sizes, or named dynamic ones such as the InputShapes option's N).</param>
/// <param name="ElementType">For a tensor: its element type (default float32 when the shape is given).</param>
/// <param name="Elements">For a tuple, NamedTuple or object parameter: the element specs, either all unnamed (tuple elements in
/// order) or named by tuple index (<c>"0"</c>) or attribute name (<c>"foo"</c>).</param>
public sealed record TorchInputSpec(
    string Name,
    TorchType? Type = null,
    IReadOnlyList<Dim>? Shape = null,
    DataType? ElementType = null,
    IReadOnlyList<TorchInputSpec>? Elements = null)
{
    /// <summary>A tensor input of the given shape (a negative size is a dynamic dimension named after the input and axis).</summary>
    public static TorchInputSpec Tensor(string name, params long[] shape) =>
        new(name, TorchType.Tensor, shape.Select((d, i) => d >= 0 ? Dim.Of(d) : Dim.Sym($"{name}_dim{i}")).ToArray(), DataType.Float);

    /// <summary>A tensor input with named dynamic dimensions: each entry is a size or a symbol (<c>"N"</c>).</summary>
    public static TorchInputSpec Tensor(string name, DataType elementType, params object[] dims) =>
        new(name, TorchType.Tensor, dims.Select(d => d switch
        {
            string s => Dim.Sym(s),
            int i => Dim.Of(i),
            long l => Dim.Of(l),
            _ => throw new ArgumentException($"a dimension is a size or a name, not {d}", nameof(dims)),
        }).ToArray(), elementType);
}

/// <summary>Limits and switches of <see cref="TorchFrontEnd"/>.</summary>
public sealed record TorchFrontEndOptions
{
    /// <summary>How deeply method and function calls may nest while inlining (BCONV2233 beyond).</summary>
    public int MaxCallDepth { get; init; } = 200;

    /// <summary>Loops with a constant trip count up to this are unrolled; longer ones become prim::Loop.</summary>
    public int MaxUnrolledIterations { get; init; } = 1024;

    /// <summary>A while loop whose condition stays constant may run this many iterations (BCONV2234 beyond).</summary>
    public int MaxWhileIterations { get; init; } = 100_000;

    /// <summary>The defaults.</summary>
    public static TorchFrontEndOptions Default { get; } = new();
}
