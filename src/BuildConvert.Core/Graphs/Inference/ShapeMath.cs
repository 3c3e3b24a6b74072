namespace BuildConvert.Core.Graphs.Inference;

/// <summary>Dimension arithmetic shared by the rules: broadcasting, products, merging of equal-by-contract dimensions.</summary>
internal static class ShapeMath
{
    /// <summary>
    /// Numpy multidirectional broadcasting. Per position: any fixed size other than 1 wins (two different ones are an
    /// error); otherwise one distinct symbol (with the rest 1) is kept; several different symbols, or an unknown, give
    /// an unknown dimension. Null when any shape's rank is unknown.
    /// </summary>
    public static Dim[]? Broadcast(InferenceContext context, params IReadOnlyList<Dim>?[] shapes)
    {
        if (shapes.Any(s => s is null))
        {
            return null;
        }

        var rank = shapes.Max(s => s!.Count);
        var result = new Dim[rank];
        for (var i = 0; i < rank; i++)
        {
            long fixedSize = 1;
            Dim? symbolic = null;
            var symbolicCount = 0;
            foreach (var shape in shapes)
            {
                var offset = rank - shape!.Count;
                if (i < offset)
                {
                    continue;
                }

                var d = shape[i - offset];
                if (d.Value is { } v)
                {
                    if (v != 1)
                    {
                        if (fixedSize != 1 && fixedSize != v)
                        {
                            context.Fail($"shapes {string.Join(" and ", shapes.Select(OnnxType.FormatShape))} cannot be broadcast (dimension {i}: {fixedSize} vs {v})");
                        }

                        fixedSize = v;
                    }
                }
                else if (symbolicCount == 0)
                {
                    symbolic = d;
                    symbolicCount = 1;
                }
                else if (symbolic!.Value.IsUnknown || d.IsUnknown || symbolic.Value.Symbol != d.Symbol)
                {
                    symbolicCount++;
                }
            }

            result[i] = fixedSize != 1 || symbolicCount == 0 ? Dim.Of(fixedSize)
                : symbolicCount == 1 ? new Dim(null, symbolic!.Value.Symbol)
                : Dim.Unknown;
        }

        return result;
    }

    /// <summary>Two dimensions the operator requires to be equal: the fixed one wins; two different fixed sizes fail.</summary>
    public static Dim Unify(InferenceContext context, Dim a, Dim b, string what)
    {
        if (a.Value is { } x)
        {
            if (b.Value is { } y && x != y)
            {
                context.Fail($"{what}: {x} vs {y}");
            }

            return Dim.Of(x);
        }

        if (b.Value is not null)
        {
            return Dim.Of(b.Value.Value);
        }

        return a.IsUnknown ? new Dim(null, b.Symbol) : new Dim(null, a.Symbol);
    }

    /// <summary>The common type of two alternatives (If branches, loop iterations): what both agree on.</summary>
    public static OnnxType? Union(OnnxType? a, OnnxType? b)
    {
        if (a is null || b is null || a.Kind != b.Kind)
        {
            return null;
        }

        if (a.Kind is OnnxTypeKind.Sequence or OnnxTypeKind.Optional)
        {
            var e = Union(a.Element, b.Element);
            return a.Kind == OnnxTypeKind.Sequence ? OnnxType.Sequence(e) : OnnxType.Optional(e);
        }

        if (a.Kind != OnnxTypeKind.Tensor)
        {
            return Equals(a, b) ? a : null;
        }

        var elem = a.ElementType == b.ElementType ? a.ElementType : default;
        if (a.Shape is null || b.Shape is null || a.Shape.Count != b.Shape.Count)
        {
            return OnnxType.Tensor(elem);
        }

        return OnnxType.Tensor(elem, a.Shape.Zip(b.Shape, (x, y) => x.SameAs(y) ? new Dim(x.Value, x.Symbol) : Dim.Unknown).ToArray());
    }

    /// <summary>The product of dimensions: fixed when all are; one symbol times 1; otherwise unknown.</summary>
    public static Dim Product(IEnumerable<Dim> dims)
    {
        long p = 1;
        Dim? other = null;
        var others = 0;
        foreach (var d in dims)
        {
            if (d.Value is { } v)
            {
                p = checked(p * v);
            }
            else
            {
                other = d;
                others++;
            }
        }

        if (others == 0)
        {
            return Dim.Of(p);
        }

        if (p == 0)
        {
            return Dim.Of(0);
        }

        return others == 1 && p == 1 ? new Dim(null, other!.Value.Symbol) : Dim.Unknown;
    }

    /// <summary>Fixed arithmetic on a dimension; unknown when it is not fixed.</summary>
    public static Dim Map(Dim d, Func<long, long> f) => d.Value is { } v ? Dim.Of(f(v)) : Dim.Unknown;

    /// <summary>Fixed arithmetic on two dimensions; unknown when either is not fixed.</summary>
    public static Dim Map(Dim a, Dim b, Func<long, long, long> f) => a.Value is { } x && b.Value is { } y ? Dim.Of(f(x, y)) : Dim.Unknown;

    /// <summary>Floor division that rounds toward negative infinity.</summary>
    public static long FloorDiv(long a, long b) => a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);

    /// <summary>Ceiling division.</summary>
    public static long CeilDiv(long a, long b) => -FloorDiv(-a, b);

    /// <summary>A dimension without its denotation (inferred dimensions carry none).</summary>
    public static Dim Plain(Dim d) => new(d.Value, d.Symbol);

    /// <summary>Fixed dimensions.</summary>
    public static Dim[] Fixed(IEnumerable<long> dims) => dims.Select(Dim.Of).ToArray();
}
