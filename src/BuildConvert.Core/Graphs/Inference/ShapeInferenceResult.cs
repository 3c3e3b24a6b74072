namespace BuildConvert.Core.Graphs.Inference;

/// <summary>
/// A value whose declared type (value_info, a graph output, or a type set earlier) contradicts what inference derived
/// from the node that produces it. The declared type is kept on the value; a checker turns these into coded errors.
/// </summary>
/// <param name="Node">The node whose output (or, for a subgraph input, whose body input) is contradicted.</param>
/// <param name="Value">The value whose type was declared.</param>
/// <param name="Declared">The type the value had before inference (and still has).</param>
/// <param name="Inferred">The type inference derived.</param>
/// <param name="Reason">What disagrees, e.g. <c>rank 3 declared, 4 inferred</c>.</param>
public sealed record InferenceConflict(Node Node, Value Value, OnnxType Declared, OnnxType Inferred, string Reason)
{
    public override string ToString() =>
        $"{Node.Describe()}, output '{Value.Name}': declared {Declared}, inferred {Inferred}: {Reason}";
}

/// <summary>
/// A node whose inputs or attributes contradict the operator's rules (MatMul of [2,3] by [4,5], Concat of different
/// ranks, an axis out of range). Its outputs are left as they were.
/// </summary>
/// <param name="Node">The node.</param>
/// <param name="Reason">What is wrong, naming the input or attribute.</param>
public sealed record InferenceError(Node Node, string Reason)
{
    public override string ToString() => $"{Node.Describe()}: {Reason}";
}

/// <summary>What one <see cref="ShapeInference.Run"/> found. Nothing here is thrown: callers decide what is an error.</summary>
public sealed class ShapeInferenceResult
{
    internal List<InferenceConflict> ConflictList { get; } = new();

    internal List<InferenceError> ErrorList { get; } = new();

    internal List<Node> WithoutRuleList { get; } = new();

    /// <summary>Declared types that inference contradicts (the declared type is kept).</summary>
    public IReadOnlyList<InferenceConflict> Conflicts => ConflictList;

    /// <summary>Nodes whose inputs or attributes contradict their operator's rules.</summary>
    public IReadOnlyList<InferenceError> Errors => ErrorList;

    /// <summary>Nodes of unknown operators, or operators (at the imported opset) with no inference rule; their outputs stay as declared.</summary>
    public IReadOnlyList<Node> NodesWithoutRule => WithoutRuleList;

    /// <summary>The operators of <see cref="NodesWithoutRule"/> with their counts, e.g. <c>com.microsoft.FusedConv: 3</c>.</summary>
    public IReadOnlyDictionary<string, int> OperatorsWithoutRule =>
        WithoutRuleList.GroupBy(n => n.IsOnnxDomain ? n.OpType : $"{n.Domain}.{n.OpType}")
            .OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>How many nodes a rule ran for (successfully or not), subgraph nodes included.</summary>
    public int NodesVisited { get; internal set; }

    /// <summary>Whether there is no conflict and no error.</summary>
    public bool IsClean => ConflictList.Count == 0 && ErrorList.Count == 0;
}
