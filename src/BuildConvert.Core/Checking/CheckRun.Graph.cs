using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Checking;

// Graph rules: name, inputs/outputs, initializers, SSA, topological order, graph outputs; the value types that type
// propagation starts from (inputs, initializers) and compares with (graph outputs, value_info).
internal sealed partial class CheckRun
{
    /// <summary>Checks a graph and returns the type of each of its outputs (null where unknown).</summary>
    /// <param name="impliedInputTypes">For a body whose inputs may be untyped (Loop, Scan): the types the node gives them.</param>
    private IReadOnlyList<string?> CheckGraph(GraphProto graph, BodyContext context, LexicalScope? parent, IReadOnlyList<string?>? impliedInputTypes = null)
    {
        if (stopped)
        {
            return Array.Empty<string?>();
        }

        var graphLabel = $"graph '{graph.Name}'{context.Where}";
        if (context.Depth > options.MaxNestingDepth)
        {
            Report(DiagnosticCodes.NestingTooDeep, $"{graphLabel} is nested more than {options.MaxNestingDepth} levels deep; it was not checked");
            return Array.Empty<string?>();
        }

        if (graph.Name.Length == 0)
        {
            Report(DiagnosticCodes.GraphNameMissing, $"a graph{context.Where} has no name");
        }

        foreach (var input in graph.Input)
        {
            CheckValueInfo(input, "input", graphLabel, context.IsMainGraph);
        }

        foreach (var output in graph.Output)
        {
            CheckValueInfo(output, "output", graphLabel, context.IsMainGraph);
        }

        if (context.IsMainGraph)
        {
            foreach (var info in graph.ValueInfo)
            {
                if (info.Type is not null)
                {
                    CheckType(info.Type, requireShape: false, $"value_info '{info.Name}' of {graphLabel}");
                }
            }
        }

        var scope = new LexicalScope(parent);
        for (var i = 0; i < graph.Input.Count; i++)
        {
            var input = graph.Input[i];
            if (scope.DefinesHere(input.Name))
            {
                Report(DiagnosticCodes.GraphInputDuplicate, $"{graphLabel} lists the input '{input.Name}' more than once", $"input '{input.Name}'");
            }

            var implied = impliedInputTypes is not null && i < impliedInputTypes.Count ? impliedInputTypes[i] : null;
            var declared = OnnxTypeStrings.FromTypeProto(input.Type);
            if (implied is not null && declared is not null && !string.Equals(implied, declared, StringComparison.Ordinal))
            {
                Report(DiagnosticCodes.DeclaredTypeContradicted,
                    $"input {i} '{input.Name}' of {graphLabel} is declared {declared} but the node gives it {implied}", $"input '{input.Name}'");
            }

            scope.Add(input.Name, declared ?? implied);
        }

        foreach (var output in graph.Output)
        {
            if (OnnxTypeStrings.FromTypeProto(output.Type) is { } type)
            {
                scope.Declare(output.Name, type, "graph output");
            }
        }

        foreach (var info in graph.ValueInfo)
        {
            if (OnnxTypeStrings.FromTypeProto(info.Type) is { } type)
            {
                scope.Declare(info.Name, type, "value_info");
            }
        }

        var initializerNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var initializer in graph.Initializer)
        {
            var name = initializer.Name;
            var label = $"initializer '{name}' of {graphLabel}";
            if (name.Length == 0)
            {
                Report(DiagnosticCodes.InitializerNameMissing, $"{graphLabel} has an initializer without a name");
            }
            else if (!initializerNames.Add(name))
            {
                Report(DiagnosticCodes.InitializerDuplicate, $"{graphLabel} has more than one initializer named '{name}'", $"initializer '{name}'");
            }

            CheckTensor(initializer, label);
            if (name.Length == 0)
            {
                continue;
            }

            if (irVersion is > 0 and <= 3)
            {
                if (!scope.DefinesHere(name))
                {
                    Report(DiagnosticCodes.InitializerNotGraphInput,
                        $"{label} is not a graph input (required for IR version {irVersion})", $"initializer '{name}'");
                }
            }

            scope.Add(name, OnnxTypeStrings.Tensor(initializer.DataType));
        }

        foreach (var sparse in graph.SparseInitializer)
        {
            var name = sparse.Values?.Name ?? string.Empty;
            if (name.Length == 0)
            {
                Report(DiagnosticCodes.InitializerNameMissing, $"{graphLabel} has a sparse initializer without a name (values.name)");
            }
            else if (!initializerNames.Add(name))
            {
                Report(DiagnosticCodes.InitializerDuplicate,
                    $"{graphLabel} has more than one initializer named '{name}' (across initializer and sparse_initializer)", $"initializer '{name}'");
            }

            CheckSparseTensor(sparse, $"sparse initializer '{name}' of {graphLabel}");
            if (name.Length > 0)
            {
                scope.Add(name, sparse.Values is null ? null : OnnxTypeStrings.Tensor(sparse.Values.DataType));
            }
        }

        CheckNodes(graph.Node, context, scope, graphLabel);

        var outputTypes = new string?[graph.Output.Count];
        for (var i = 0; i < graph.Output.Count; i++)
        {
            var output = graph.Output[i];
            if (output.Name.Length > 0 && !scope.DefinesHere(output.Name))
            {
                Report(DiagnosticCodes.GraphOutputNotProduced,
                    $"output '{output.Name}' of {graphLabel} is not produced by any node, input or initializer of the graph", $"output '{output.Name}'");
            }

            outputTypes[i] = scope.TypeOf(output.Name) ?? OnnxTypeStrings.FromTypeProto(output.Type);
        }

        return outputTypes;
    }

    private void CheckNodes(IEnumerable<NodeProto> nodes, BodyContext context, LexicalScope scope, string bodyLabel)
    {
        foreach (var node in nodes)
        {
            if (stopped)
            {
                return;
            }

            var label = Describe(node) + context.Where;
            foreach (var input in node.Input)
            {
                if (input.Length > 0 && !scope.IsVisible(input))
                {
                    Report(DiagnosticCodes.NodeInputUndefined,
                        $"input '{input}' of {label} is not defined before the node (not an input, initializer, earlier node output or outer-scope value of {bodyLabel})",
                        Describe(node));
                }
            }

            var types = CheckNode(node, context, scope, label);

            for (var j = 0; j < node.Output.Count; j++)
            {
                var output = node.Output[j];
                if (output.Length == 0)
                {
                    continue;
                }

                if (scope.IsVisible(output))
                {
                    Report(DiagnosticCodes.ValueAssignedTwice,
                        $"output '{output}' of {label} is already defined (each value may be assigned once)", Describe(node));
                }

                scope.Add(output, types is not null && j < types.Count ? types[j] : scope.DeclaredType(output)?.Type);
            }
        }
    }

    private void CheckValueInfo(ValueInfoProto info, string kind, string graphLabel, bool isMainGraph)
    {
        if (info.Name.Length == 0)
        {
            Report(DiagnosticCodes.ValueInfoNameMissing, $"{graphLabel} has an {kind} without a name");
        }

        if (!isMainGraph)
        {
            return;
        }

        var label = $"{kind} '{info.Name}' of {graphLabel}";
        if (info.Type is null)
        {
            Report(DiagnosticCodes.ValueInfoTypeMissing, $"{label} has no type", $"{kind} '{info.Name}'");
            return;
        }

        CheckType(info.Type, requireShape: true, label);
    }
}
