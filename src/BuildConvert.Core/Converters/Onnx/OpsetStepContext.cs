using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.Onnx;

/// <summary>
/// What an <see cref="OpsetStepHandler"/> works with: the node, the boundary being crossed, a builder that emits helper
/// nodes in the target opset's form just before the node, and what is known about values (ranks, element types,
/// constants). A handler edits the node in place; when the rewrite needs more nodes, the original node stays the last
/// of them (it may change its operator) so that its outputs keep their names.
/// </summary>
public sealed class OpsetStepContext
{
    private readonly ValueFacts facts;
    private readonly List<string> warnings;

    internal OpsetStepContext(Node node, int fromVersion, int toVersion, long targetOpset, ValueFacts facts, List<string> warnings)
    {
        Node = node;
        FromVersion = fromVersion;
        ToVersion = toVersion;
        TargetOpset = targetOpset;
        this.facts = facts;
        this.warnings = warnings;
        Builder = new OpBuilder(node.Owner, targetOpset) { InsertBefore = node, Source = node, NamePrefix = node.Name };
    }

    /// <summary>The node being converted.</summary>
    public Node Node { get; }

    /// <summary>The graph the node is in.</summary>
    public Graph Graph => Node.Owner;

    /// <summary>The operator version the node has now (the since-version).</summary>
    public int FromVersion { get; }

    /// <summary>The operator version the step turns it into.</summary>
    public int ToVersion { get; }

    /// <summary>Whether the step goes up.</summary>
    public bool IsUpgrade => ToVersion > FromVersion;

    /// <summary>The opset the whole conversion targets (helper nodes are emitted for it).</summary>
    public long TargetOpset { get; }

    /// <summary>Emits helper nodes before <see cref="Node"/> at <see cref="TargetOpset"/>.</summary>
    public OpBuilder Builder { get; }

    /// <summary>A BCONV2002 error for this node: the step cannot keep its meaning because of <paramref name="why"/>.</summary>
    public BuildConvertException Impossible(string why) => ConversionErrors.StepImpossible(Node, Node.OpType, TargetOpset, why);

    /// <summary>Records a warning (the conversion keeps going).</summary>
    public void Warn(string message) => warnings.Add($"{Node.Describe()}: {message}");

    /// <summary>The rank of <paramref name="value"/>, or null when unknown.</summary>
    public int? Rank(Value? value) => facts.Rank(value);

    /// <summary>The element type of <paramref name="value"/>, or null when unknown.</summary>
    public DataType? ElementType(Value? value) => facts.ElementType(value);

    /// <summary>The declared shape of <paramref name="value"/>, or null.</summary>
    public IReadOnlyList<Dim>? Shape(Value? value) => ValueFacts.Shape(value);

    /// <summary>The rank, or a BCONV2002 error saying why it is needed.</summary>
    public int RequireRank(Value? value, string why) =>
        Rank(value) ?? throw Impossible($"the rank of '{value?.Name ?? "?"}' is unknown, and {why}");

    /// <summary>The element type, or a BCONV2002 error saying why it is needed.</summary>
    public DataType RequireElementType(Value? value, string why) =>
        ElementType(value) ?? throw Impossible($"the element type of '{value?.Name ?? "?"}' is unknown, and {why}");

    /// <summary>The int64 contents of input <paramref name="index"/> when it is a constant; null when the input is omitted.</summary>
    /// <exception cref="BuildConvertException">The input is computed at run time (BCONV2002 naming <paramref name="what"/>).</exception>
    public long[]? ConstantInts(int index, string what)
    {
        var v = Node.Input(index);
        if (v is null)
        {
            return null;
        }

        return v.ConstantValue is { IsExternal: false } c ? c.ToInt64s() : throw Impossible($"{what} must be a constant at opset {TargetOpset} (an attribute there), and '{v.Name}' is computed at run time");
    }

    /// <summary>The contents of input <paramref name="index"/> when it is a constant, else null.</summary>
    public TensorData? Constant(int index) => Node.Input(index)?.ConstantValue is { IsExternal: false } c ? c : null;

    /// <summary>Moves INTS attribute <paramref name="attribute"/> (when present) to a 1-D int64 input at <paramref name="index"/>.</summary>
    public void IntsAttributeToInput(string attribute, int index)
    {
        if (Node.RemoveAttribute(attribute) is { } a)
        {
            Node.SetInput(index, Builder.Int64s(a.Ints));
        }
    }

    /// <summary>Moves constant input <paramref name="index"/> (when given) to INTS attribute <paramref name="attribute"/>; drops the input.</summary>
    public void InputToIntsAttribute(int index, string attribute, string what)
    {
        if (ConstantInts(index, what) is { } values)
        {
            Node.SetAttribute(NodeAttribute.Of(attribute, values));
        }

        DropInputsFrom(index);
    }

    /// <summary>Omits input <paramref name="index"/> and trims trailing omitted inputs.</summary>
    public void DropInput(int index)
    {
        if (index < Node.Inputs.Count)
        {
            Node.SetInput(index, null);
            Node.TrimOmittedInputs();
        }
    }

    /// <summary>Drops inputs from <paramref name="index"/> on.</summary>
    public void DropInputsFrom(int index)
    {
        if (index < Node.Inputs.Count)
        {
            Node.TruncateInputs(index);
            Node.TrimOmittedInputs();
        }
    }

    /// <summary>Removes an attribute whose value must be <paramref name="neutral"/> at the older version.</summary>
    public void RequireIntAttribute(string name, long neutral, string why)
    {
        if (Node.RemoveAttribute(name) is { } a && a.Int != neutral)
        {
            throw Impossible($"attribute '{name}'={a.Int} {why}");
        }
    }

    /// <summary>Whether output <paramref name="index"/> exists and something reads it (or it is a graph output).</summary>
    public bool OutputUsed(int index) => Node.Output(index) is { } o && (o.Uses.Count > 0 || o.IsGraphOutput);

    /// <summary>Drops output <paramref name="index"/> when nothing reads it; throws BCONV2002 with <paramref name="why"/> when something does.</summary>
    public void DropUnusedOutput(int index, string why)
    {
        if (OutputUsed(index))
        {
            throw Impossible($"output {index} ('{Node.Output(index)!.Name}') is read, and {why}");
        }

        if (Node.Output(index) is { } o)
        {
            Node.DropOutput(index);
            Graph.Forget(o);
        }

        Node.TrimOmittedOutputs();
    }

    /// <summary>
    /// Puts <paramref name="transform"/> after output <paramref name="index"/>: every reader (and the graph output) then
    /// reads the transformed value, which takes over the output's name; the node's output gets a fresh name.
    /// </summary>
    public void TransformOutput(int index, Func<Value, Value> transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        if (Node.Output(index) is not { } output)
        {
            return;
        }

        var readers = output.Uses.ToArray();
        var transformed = transform(output);
        foreach (var use in readers)
        {
            use.Node.SetInput(use.Index, transformed);
        }

        var outputs = output.Owner.Outputs;
        for (var i = 0; i < outputs.Count; i++)
        {
            if (outputs[i] == output)
            {
                outputs[i] = transformed;
            }
        }

        var name = output.Name;
        var fresh = Graph.Model.Names.UniqueValueName(name + "_raw");
        Graph.Rename(output, fresh);
        Graph.Model.Names.ReleaseValueName(fresh); // UniqueValueName and Rename both claimed it
        Graph.Rename(transformed, name);
        (transformed.Type, output.Type) = (output.Type, null);
        transformed.HasValueInfo = output.HasValueInfo;
        output.HasValueInfo = false;
    }

    /// <summary>An axis normalized to 0..rank-1 (negative counts from the end).</summary>
    public static long NormalizeAxis(long axis, int rank) => axis < 0 ? axis + rank : axis;

    /// <summary>
    /// Makes input <paramref name="index"/> (B) numpy-broadcast the way the old
    /// "broadcast=1, axis" rule aligned it with <paramref name="a"/>: its dimensions start at <paramref name="axis"/> of
    /// A, so trailing size-1 dimensions are appended (<paramref name="what"/> names the rule in errors). Constants are reshaped without copying.
    /// </summary>
    public void AlignAtAxis(int index, Value a, long axis, string what)
    {
        var b = Node.Input(index)!;
        var rankB = Rank(b);
        var rankA = Rank(a);
        if (rankB is null)
        {
            throw Impossible($"the rank of '{b.Name}' is unknown, and {what} aligns it at axis {axis}");
        }

        if (rankA is null)
        {
            if (axis >= 0 && TargetOpset >= 9)
            {
                // The rank of A is only known at run time: append (rank(A) - axis - rank(B)) ones to B's shape.
                var bld = Builder;
                var rankOfA = bld.Op("Shape", bld.Op("Shape", a));
                var missing = bld.Op("Sub", rankOfA, bld.Int64s(axis + rankB.Value));
                var ones = bld.Op("ConstantOfShape", new Value?[] { missing }, NodeAttribute.Of("value", TensorData.FromInt64s(new long[] { 1 })));
                var shape = bld.Op("Concat", new[] { bld.Op("Shape", b), ones }, NodeAttribute.Of("axis", 0L));
                Node.SetInput(index, bld.Op("Reshape", b, shape));
                return;
            }

            throw Impossible($"the rank of '{a.Name}' is unknown, and {what} aligns '{b.Name}' at axis {axis}");
        }

        var start = NormalizeAxis(axis, rankA.Value);
        var trailing = rankA.Value - start - rankB.Value;
        if (trailing < 0)
        {
            throw Impossible($"'{b.Name}' (rank {rankB}) does not fit in '{a.Name}' (rank {rankA}) at axis {axis}");
        }

        if (trailing == 0)
        {
            return;
        }

        if (b.ConstantValue is { IsExternal: false, IsString: false } c)
        {
            var dims = c.Dims.Concat(Enumerable.Repeat(1L, (int)trailing)).ToArray();
            var reshaped = TensorData.FromBytes(c.ElementType, dims, c.Bytes);
            Node.SetInput(index, Builder.Const(reshaped, b.Name));
            if (b.Uses.Count == 0 && b.IsInitializer && !b.IsGraphOutput && b.Owner.Initializers.Contains(b))
            {
                b.Owner.RemoveInitializer(b);
            }

            return;
        }

        Node.SetInput(index, Builder.Unsqueeze(b, Enumerable.Range(rankB.Value, (int)trailing).Select(i => (long)i).ToArray()));
    }
}
