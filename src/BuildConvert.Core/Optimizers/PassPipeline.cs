using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Optimizers;

/// <summary>
/// Runs a list of passes in order, again and again until a whole round changes nothing or
/// <see cref="MaxIterations"/> rounds have run. Immutable; thread-safe when its passes are (the built-in ones are).
/// </summary>
public sealed class PassPipeline
{
    /// <summary>A pipeline of <paramref name="passes"/>.</summary>
    /// <param name="passes">The passes, run in this order each round.</param>
    /// <param name="maxIterations">The most rounds (at least 1).</param>
    public PassPipeline(IEnumerable<IGraphPass> passes, int maxIterations = 10)
    {
        ArgumentNullException.ThrowIfNull(passes);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);
        Passes = passes.ToArray();
        MaxIterations = maxIterations;
    }

    /// <summary>
    /// What <c>convert --optimize</c> (item metadata <c>Optimize="true"</c>) runs: constant folding, identity removal,
    /// Transpose push-through and cancellation, common-subexpression elimination, dead-code elimination.
    /// </summary>
    public static PassPipeline Default { get; } = new(new IGraphPass[]
    {
        new ConstantFolding(),
        new IdentityElimination(),
        new TransposeOptimization(),
        new CommonSubexpressionElimination(),
        new DeadCodeElimination(),
    });

    /// <summary>The passes in order.</summary>
    public IReadOnlyList<IGraphPass> Passes { get; }

    /// <summary>The most rounds run.</summary>
    public int MaxIterations { get; }

    /// <summary>Runs the passes on <paramref name="model"/> to a fixed point.</summary>
    public OptimizationReport Run(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var totals = Passes.ToDictionary(p => p.Name, _ => default(PassResult), StringComparer.Ordinal);
        var rounds = 0;
        var converged = false;
        while (rounds < MaxIterations)
        {
            rounds++;
            var changed = false;
            foreach (var pass in Passes)
            {
                var result = pass.Run(model);
                totals[pass.Name] += result;
                changed |= result.Changed;
            }

            if (!changed)
            {
                converged = true;
                break;
            }
        }

        return new OptimizationReport(Passes.Select(p => (p.Name, totals[p.Name])).ToArray(), rounds, converged);
    }
}

/// <summary>What a <see cref="PassPipeline"/> run changed.</summary>
/// <param name="PerPass">Each pass's totals over all rounds, in pipeline order.</param>
/// <param name="Rounds">How many rounds ran.</param>
/// <param name="Converged">Whether the last round changed nothing (false when the round limit stopped it).</param>
public sealed record OptimizationReport(IReadOnlyList<(string Pass, PassResult Result)> PerPass, int Rounds, bool Converged)
{
    /// <summary>The totals over all passes.</summary>
    public PassResult Total => PerPass.Aggregate(default(PassResult), (acc, p) => acc + p.Result);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Rounds} rounds{(Converged ? "" : " (limit reached)")}: " + string.Join("; ", PerPass.Select(p => $"{p.Pass} {p.Result}"));
}

/// <summary>The one call that optimizes a model (what <c>--optimize</c> does).</summary>
public static class GraphOptimizer
{
    /// <summary>Runs <see cref="PassPipeline.Default"/> on <paramref name="model"/> in place.</summary>
    public static OptimizationReport Optimize(Model model) => PassPipeline.Default.Run(model);
}
