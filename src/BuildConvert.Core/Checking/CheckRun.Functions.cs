using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Checking;

// Model-local functions (IR version 8 and later): identity, inputs/outputs/attributes, opset compatibility with the
// model, call cycles, bodies checked with the function's inputs as scope; and calls of functions by nodes.
internal sealed partial class CheckRun
{
    private void IndexFunctions(ModelProto model)
    {
        foreach (var function in model.Functions)
        {
            var key = (function.Domain, function.Name, function.Overload);
            if (!functions.TryAdd(key, function))
            {
                Report(DiagnosticCodes.FunctionDuplicate,
                    $"the model has more than one function '{function.Name}' in domain '{function.Domain}'" + (function.Overload.Length > 0 ? $" with overload '{function.Overload}'" : string.Empty),
                    $"function '{function.Name}'");
            }
        }
    }

    private void CheckFunctions(ModelProto model, Dictionary<string, long> modelOpsets)
    {
        CheckCallCycles();
        if (FunctionNesting.Check(model, options.MaxFunctionNestingDepth, file) is { } tooDeep)
        {
            Report(tooDeep);
        }

        foreach (var function in model.Functions)
        {
            if (stopped)
            {
                return;
            }

            CheckFunction(function, modelOpsets);
        }
    }

    private void CheckFunction(FunctionProto function, Dictionary<string, long> modelOpsets)
    {
        var where = $"function '{function.Name}'";
        var label = $"function '{function.Name}' (domain '{function.Domain}')";
        if (function.Name.Length == 0)
        {
            Report(DiagnosticCodes.FunctionNameMissing, $"a model-local function in domain '{function.Domain}' has no name");
        }

        if (function.Domain.Length == 0)
        {
            Report(DiagnosticCodes.FunctionDomainMissing, $"{label} has no domain (required from IR version 8)", where);
        }

        var opsets = ReadOpsets(function.OpsetImport, label);
        var scope = new LexicalScope(null);
        foreach (var input in function.Input)
        {
            if (scope.DefinesHere(input))
            {
                Report(DiagnosticCodes.FunctionInputDuplicate, $"{label} lists the input '{input}' more than once", where);
            }

            scope.Add(input);
        }

        var outputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in function.Output)
        {
            if (!outputs.Add(output))
            {
                Report(DiagnosticCodes.FunctionOutputDuplicate, $"{label} lists the output '{output}' more than once", where);
            }
        }

        var attributes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in function.Attribute.Concat(function.AttributeProto.Select(a => a.Name)))
        {
            if (!attributes.Add(name))
            {
                Report(DiagnosticCodes.FunctionAttributeDuplicate, $"{label} declares the attribute '{name}' more than once", where);
            }
        }

        foreach (var node in function.Node)
        {
            CheckOpsetCompatibility(node, function, opsets, modelOpsets, label);
        }

        var context = new BodyContext(opsets, IsMainGraph: false, function, Depth: 0, Where: $" in {label}");
        CheckNodes(function.Node, context, scope, label);

        foreach (var output in function.Output)
        {
            if (output.Length > 0 && !scope.DefinesHere(output))
            {
                Report(DiagnosticCodes.FunctionOutputNotProduced, $"output '{output}' of {label} is not produced by its body", where);
            }
        }
    }

    private void CheckOpsetCompatibility(
        NodeProto node, FunctionProto function, Dictionary<string, long> functionOpsets, Dictionary<string, long> modelOpsets, string label)
    {
        var domain = NormalizeDomain(node.Domain);
        if (!functionOpsets.TryGetValue(domain, out var functionVersion)
            || !modelOpsets.TryGetValue(domain, out var modelVersion)
            || functionVersion == modelVersion)
        {
            return;
        }

        var inModel = registry.Find(domain, node.OpType, (int)Math.Clamp(modelVersion, 0, int.MaxValue));
        var inFunction = registry.Find(domain, node.OpType, (int)Math.Clamp(functionVersion, 0, int.MaxValue));
        if (inModel is null && inFunction is null)
        {
            return;
        }

        if (inModel is null || inFunction is null || inModel.SinceVersion != inFunction.SinceVersion)
        {
            Report(DiagnosticCodes.FunctionOpsetIncompatible,
                $"{Describe(node)} in {label}: the function imports domain '{node.Domain}' at version {functionVersion} and the model at {modelVersion}, which define '{node.OpType}' differently",
                $"function '{function.Name}'");
        }
    }

    private void CheckFunctionCall(NodeProto node, FunctionProto function, string label)
    {
        if (node.Input.Count > function.Input.Count)
        {
            Report(DiagnosticCodes.FunctionCallArity,
                $"{label} passes {node.Input.Count} inputs to function '{function.Name}', which declares {function.Input.Count}", Describe(node));
        }

        if (node.Output.Count > function.Output.Count)
        {
            Report(DiagnosticCodes.FunctionCallArity,
                $"{label} takes {node.Output.Count} outputs from function '{function.Name}', which declares {function.Output.Count}", Describe(node));
        }

        foreach (var attribute in node.Attribute)
        {
            if (!FunctionDeclaresAttribute(function, attribute.Name))
            {
                Report(DiagnosticCodes.FunctionCallAttributeUnknown,
                    $"{label}, attribute '{attribute.Name}': function '{function.Name}' declares no such attribute", Describe(node));
            }
        }
    }

    private void CheckCallCycles()
    {
        var callees = new Dictionary<FunctionProto, List<FunctionProto>>(ReferenceEqualityComparer.Instance);
        foreach (var function in functions.Values)
        {
            var list = new List<FunctionProto>();
            // Subgraphs past the nesting cap are reported when the body is checked (BCONV3198).
            foreach (var node in OnnxModelWalker.Nodes(function.Node, options.MaxNestingDepth, tooDeep: static _ => { }))
            {
                if (functions.TryGetValue((node.Domain, node.OpType, node.Overload), out var callee) && !list.Contains(callee))
                {
                    list.Add(callee);
                }
            }

            callees[function] = list;
        }

        var state = new Dictionary<FunctionProto, int>(ReferenceEqualityComparer.Instance);
        foreach (var root in functions.Values)
        {
            if (state.ContainsKey(root))
            {
                continue;
            }

            var path = new List<FunctionProto>();
            var stack = new Stack<(FunctionProto Function, int Next)>();
            stack.Push((root, 0));
            state[root] = 1;
            path.Add(root);
            while (stack.Count > 0)
            {
                var (current, next) = stack.Pop();
                var list = callees[current];
                if (next >= list.Count)
                {
                    state[current] = 2;
                    path.RemoveAt(path.Count - 1);
                    continue;
                }

                stack.Push((current, next + 1));
                var callee = list[next];
                if (!state.TryGetValue(callee, out var s))
                {
                    state[callee] = 1;
                    path.Add(callee);
                    stack.Push((callee, 0));
                }
                else if (s == 1)
                {
                    var start = path.IndexOf(callee);
                    var cycle = string.Join(" -> ", path.Skip(start).Append(callee).Select(f => $"{f.Domain}.{f.Name}"));
                    Report(DiagnosticCodes.FunctionCallCycle, $"model-local functions call each other in a cycle: {cycle}", $"function '{callee.Name}'");
                }
            }
        }
    }
}
