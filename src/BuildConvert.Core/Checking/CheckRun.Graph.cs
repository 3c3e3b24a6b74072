using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Checking;

// Graph rules: name, inputs/outputs, initializers, SSA, topological order, graph outputs.
internal sealed partial class CheckRun
{
    private void CheckGraph(GraphProto graph, BodyContext context, LexicalScope? parent)
    {
        if (stopped)
        {
            return;
        }

        var graphLabel = $"graph '{graph.Name}'{context.Where}";
        if (context.Depth > options.MaxNestingDepth)
        {
            Report(DiagnosticCodes.NestingTooDeep, $"{graphLabel} is nested more than {options.MaxNestingDepth} levels deep; it was not checked");
            return;
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
        foreach (var input in graph.Input)
        {
            if (scope.DefinesHere(input.Name))
            {
                Report(DiagnosticCodes.GraphInputDuplicate, $"{graphLabel} lists the input '{input.Name}' more than once", $"input '{input.Name}'");
            }

            scope.Add(input.Name);
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

            scope.Add(name);
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
                scope.Add(name);
            }
        }

        CheckNodes(graph.Node, context, scope, graphLabel);

        foreach (var output in graph.Output)
        {
            if (output.Name.Length > 0 && !scope.DefinesHere(output.Name))
            {
                Report(DiagnosticCodes.GraphOutputNotProduced,
                    $"output '{output.Name}' of {graphLabel} is not produced by any node, input or initializer of the graph", $"output '{output.Name}'");
            }
        }
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

            CheckNode(node, context, scope, label);

            foreach (var output in node.Output)
            {
                if (output.Length == 0)
                {
                    continue;
                }

                if (scope.IsVisible(output))
                {
                    Report(DiagnosticCodes.ValueAssignedTwice,
                        $"output '{output}' of {label} is already defined (each value may be assigned once)", Describe(node));
                }

                scope.Add(output);
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
