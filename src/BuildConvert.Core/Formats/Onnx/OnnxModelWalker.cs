using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>One step of <see cref="OnnxModelWalker"/>: a graph being entered (<see cref="Graph"/> set, <see cref="Node"/>
/// null) or a node (<see cref="Node"/> set, <see cref="Graph"/> the graph that holds it, null in a function body).</summary>
/// <param name="Graph">The graph entered, or the graph holding <see cref="Node"/>.</param>
/// <param name="Node">The node, or null when this step enters <see cref="Graph"/>.</param>
/// <param name="Depth">0 for the main graph, training graphs and function bodies; one more per subgraph attribute.</param>
public readonly record struct OnnxWalkStep(GraphProto? Graph, NodeProto? Node, int Depth);

/// <summary>
/// The one walker over the graphs of a <see cref="ModelProto"/>: the main graph, training-info graphs, model-local
/// function bodies and every subgraph in a node attribute (<c>g</c> and <c>graphs</c>), at any depth. Iterative, so
/// deep nesting cannot overflow the stack, and capped: a subgraph nested deeper than the cap is reported with
/// BCONV3198 (<see cref="DiagnosticCodes.NestingTooDeep"/>), never skipped silently.
/// </summary>
/// <remarks>The order is fixed (callers that lay out external data rely on it): pending graphs are entered last-in
/// first-out before the nodes of the last entered graph are walked; a graph's subgraphs are entered after all its
/// nodes. The protos are yielded themselves, so callers may change tensors in place (not the graph structure).</remarks>
public static class OnnxModelWalker
{
    /// <summary>The default cap, the checker's default <c>MaxNestingDepth</c>.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>Walks every graph and node of <paramref name="model"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="maxDepth">The deepest subgraph nesting walked.</param>
    /// <param name="file">The model's path, for the diagnostic.</param>
    /// <param name="tooDeep">Receives the BCONV3198 diagnostic for each subgraph past the cap, which is then not
    /// walked; when null the walk throws instead.</param>
    /// <exception cref="BuildConvertException">BCONV3198 for a subgraph past the cap when <paramref name="tooDeep"/> is null.</exception>
    public static IEnumerable<OnnxWalkStep> Walk(ModelProto model, int maxDepth = DefaultMaxDepth, string? file = null, Action<Diagnostic>? tooDeep = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var roots = new List<GraphProto>();
        if (model.Graph is not null)
        {
            roots.Add(model.Graph);
        }

        foreach (var training in model.TrainingInfo)
        {
            if (training.Initialization is not null)
            {
                roots.Add(training.Initialization);
            }

            if (training.Algorithm is not null)
            {
                roots.Add(training.Algorithm);
            }
        }

        return Run(roots, model.Functions.Select(f => (IEnumerable<NodeProto>)f.Node), maxDepth, file, tooDeep);
    }

    /// <summary>Walks <paramref name="graph"/> and its subgraphs (not the model's functions).</summary>
    /// <inheritdoc cref="Walk(ModelProto, int, string?, Action{Diagnostic}?)"/>
    public static IEnumerable<OnnxWalkStep> Walk(GraphProto graph, int maxDepth = DefaultMaxDepth, string? file = null, Action<Diagnostic>? tooDeep = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return Run(new[] { graph }, Array.Empty<IEnumerable<NodeProto>>(), maxDepth, file, tooDeep);
    }

    /// <summary>Walks a node list (a function body) and the subgraphs of its nodes.</summary>
    /// <inheritdoc cref="Walk(ModelProto, int, string?, Action{Diagnostic}?)"/>
    public static IEnumerable<OnnxWalkStep> Walk(IEnumerable<NodeProto> body, int maxDepth = DefaultMaxDepth, string? file = null, Action<Diagnostic>? tooDeep = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Run(Array.Empty<GraphProto>(), new[] { body }, maxDepth, file, tooDeep);
    }

    /// <summary>Every node of <paramref name="body"/> and of its subgraphs.</summary>
    /// <inheritdoc cref="Walk(ModelProto, int, string?, Action{Diagnostic}?)"/>
    public static IEnumerable<NodeProto> Nodes(IEnumerable<NodeProto> body, int maxDepth = DefaultMaxDepth, string? file = null, Action<Diagnostic>? tooDeep = null) =>
        Walk(body, maxDepth, file, tooDeep).Where(s => s.Node is not null).Select(s => s.Node!);

    private static IEnumerable<OnnxWalkStep> Run(IEnumerable<GraphProto> rootGraphs, IEnumerable<IEnumerable<NodeProto>> rootBodies,
        int maxDepth, string? file, Action<Diagnostic>? tooDeep)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDepth);
        var graphs = new Stack<(GraphProto Graph, int Depth)>();
        var bodies = new Stack<(IEnumerable<NodeProto> Nodes, GraphProto? Graph, int Depth)>();
        foreach (var g in rootGraphs)
        {
            graphs.Push((g, 0));
        }

        foreach (var b in rootBodies)
        {
            bodies.Push((b, null, 0));
        }

        while (graphs.Count > 0 || bodies.Count > 0)
        {
            if (graphs.Count > 0)
            {
                var (graph, depth) = graphs.Pop();
                yield return new OnnxWalkStep(graph, null, depth);
                bodies.Push((graph.Node, graph, depth));
                continue;
            }

            var (nodes, owner, level) = bodies.Pop();
            foreach (var node in nodes)
            {
                yield return new OnnxWalkStep(owner, node, level);
                foreach (var attribute in node.Attribute)
                {
                    if (attribute.G is not null)
                    {
                        Enter(attribute.G, attribute.Name, node);
                    }

                    foreach (var g in attribute.Graphs)
                    {
                        Enter(g, attribute.Name, node);
                    }
                }
            }

            void Enter(GraphProto sub, string attributeName, NodeProto node)
            {
                if (level + 1 <= maxDepth)
                {
                    graphs.Push((sub, level + 1));
                    return;
                }

                var where = $"graph '{sub.Name}' (attribute '{attributeName}' of node '{node.Name}' ({node.OpType}))";
                var diagnostic = DiagnosticCodes.NestingTooDeep.Create(
                    $"{where} is nested more than {maxDepth} levels deep", file, where);
                if (tooDeep is null)
                {
                    throw new BuildConvertException(diagnostic);
                }

                tooDeep(diagnostic);
            }
        }
    }
}
