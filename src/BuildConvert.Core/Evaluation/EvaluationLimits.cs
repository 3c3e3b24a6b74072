namespace BuildConvert.Core.Evaluation;

/// <summary>
/// Bounds on what <see cref="ReferenceEvaluator"/> will compute, so that folding constants can never exhaust memory or
/// time: an op whose result (or intermediate work) would pass a bound is refused, not evaluated.
/// </summary>
/// <param name="MaxElements">The most elements any one output may hold.</param>
/// <param name="MaxBytes">The most bytes any one output may take.</param>
/// <param name="MaxWork">The most multiply-adds a MatMul (or elements a reduction reads) may need.</param>
public sealed record EvaluationLimits(long MaxElements = 1L << 22, long MaxBytes = 16L << 20, long MaxWork = 1L << 24)
{
    /// <summary>The defaults: 4 Mi elements, 16 MiB and 16 Mi multiply-adds per op.</summary>
    public static EvaluationLimits Default { get; } = new();
}
