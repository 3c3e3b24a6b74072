namespace BuildConvert.Core.Golden;

/// <summary>
/// NumPy <c>allclose</c> tolerances: an element passes when <c>|actual - expected| &lt;= Atol + Rtol * |expected|</c>.
/// </summary>
public sealed record Tolerance(double Rtol, double Atol)
{
    /// <summary>The default: rtol 1e-3, atol 1e-5.</summary>
    public static Tolerance Default { get; } = new(1e-3, 1e-5);

    /// <summary>Whether NaN in both actual and expected counts as equal.</summary>
    public bool NanEqual { get; init; } = true;
}

/// <summary>A global tolerance plus per-output overrides (by output name).</summary>
public sealed record ToleranceSet(Tolerance Global, IReadOnlyDictionary<string, Tolerance> PerOutput)
{
    public static ToleranceSet Default { get; } = new(Tolerance.Default, new Dictionary<string, Tolerance>());

    /// <summary>The tolerance for one output.</summary>
    public Tolerance For(string outputName) =>
        PerOutput.TryGetValue(outputName, out var t) ? t : Global;
}
