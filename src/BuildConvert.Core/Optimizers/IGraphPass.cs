using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Optimizers;

/// <summary>
/// A rewrite of a <see cref="Model"/> that keeps its meaning: same graph inputs and outputs (names, order, types) and,
/// for every input, the same output values. A pass covers every graph of the model, subgraphs included, and leaves
/// each graph in topological order. Passes hold no state between runs, so one instance may serve many models (not at once on one model).
/// </summary>
public interface IGraphPass
{
    /// <summary>A short stable name for reports, e.g. <c>constant-folding</c>.</summary>
    string Name { get; }

    /// <summary>Rewrites <paramref name="model"/> in place and says what changed (all zero when nothing did).</summary>
    PassResult Run(Model model);
}

/// <summary>What one pass run changed. Counts are across all graphs of the model.</summary>
/// <param name="NodesRemoved">Nodes taken out (folded, merged, cancelled or dead).</param>
/// <param name="NodesAdded">Nodes put in (for example a Transpose moved past an op, or a folded constant kept as a Constant node).</param>
/// <param name="InitializersRemoved">Initializers taken out (unused or merged).</param>
/// <param name="InitializersAdded">Initializers put in (folded results, permuted constants).</param>
/// <param name="Rewrites">Other edits (an input rewired, an attribute changed).</param>
public readonly record struct PassResult(int NodesRemoved = 0, int NodesAdded = 0, int InitializersRemoved = 0, int InitializersAdded = 0, int Rewrites = 0)
{
    /// <summary>Whether anything changed.</summary>
    public bool Changed => NodesRemoved != 0 || NodesAdded != 0 || InitializersRemoved != 0 || InitializersAdded != 0 || Rewrites != 0;

    /// <summary>The sum of two results.</summary>
    public static PassResult operator +(PassResult a, PassResult b) => new(
        a.NodesRemoved + b.NodesRemoved, a.NodesAdded + b.NodesAdded, a.InitializersRemoved + b.InitializersRemoved,
        a.InitializersAdded + b.InitializersAdded, a.Rewrites + b.Rewrites);

    /// <inheritdoc/>
    public override string ToString() =>
        $"-{NodesRemoved}/+{NodesAdded} nodes, -{InitializersRemoved}/+{InitializersAdded} initializers, {Rewrites} rewrites";
}
