using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Checking;

/// <summary>
/// How deeply a model's local functions call each other: a node calling <c>f0</c>, whose body calls <c>f1</c>, ... is
/// nested as deep as the chain is long. ONNX Runtime expands such calls recursively while it creates a session, so a
/// chain of a few thousand functions overflows its native stack and kills the process; the checker refuses chains past
/// <see cref="OnnxCheckerOptions.MaxFunctionNestingDepth"/> so that no such model reaches it. Calls inside subgraphs of a
/// function body count like calls in the body. Iterative (no recursion), linear in the number of nodes; cycles are
/// ignored here (the checker reports them as BCONV3147).
/// </summary>
internal static class FunctionNesting
{
    /// <summary>The deepest call chain of <paramref name="model"/>'s local functions, as the functions on it from the
    /// outermost; empty when the model has no local function.</summary>
    public static IReadOnlyList<FunctionProto> DeepestChain(ModelProto model)
    {
        var functions = new Dictionary<(string, string, string), FunctionProto>();
        foreach (var function in model.Functions)
        {
            functions.TryAdd((function.Domain, function.Name, function.Overload), function);
        }

        if (functions.Count == 0)
        {
            return Array.Empty<FunctionProto>();
        }

        var callees = new Dictionary<FunctionProto, List<FunctionProto>>(ReferenceEqualityComparer.Instance);
        foreach (var function in functions.Values)
        {
            callees[function] = Callees(function, functions);
        }

        // Post-order DFS: a function's height is 1 + the largest height of its callees; a callee still on the path
        // (a cycle) is skipped.
        var height = new Dictionary<FunctionProto, int>(ReferenceEqualityComparer.Instance);
        var next = new Dictionary<FunctionProto, FunctionProto?>(ReferenceEqualityComparer.Instance);
        var onPath = new HashSet<FunctionProto>(ReferenceEqualityComparer.Instance);
        foreach (var root in functions.Values)
        {
            if (height.ContainsKey(root))
            {
                continue;
            }

            var stack = new Stack<(FunctionProto Function, int Next)>();
            stack.Push((root, 0));
            onPath.Add(root);
            while (stack.Count > 0)
            {
                var (current, index) = stack.Pop();
                var list = callees[current];
                if (index >= list.Count)
                {
                    var best = 0;
                    FunctionProto? deepest = null;
                    foreach (var callee in list)
                    {
                        if (height.TryGetValue(callee, out var h) && h > best)
                        {
                            best = h;
                            deepest = callee;
                        }
                    }

                    height[current] = best + 1;
                    next[current] = deepest;
                    onPath.Remove(current);
                    continue;
                }

                stack.Push((current, index + 1));
                var child = list[index];
                if (!height.ContainsKey(child) && onPath.Add(child))
                {
                    stack.Push((child, 0));
                }
            }
        }

        var top = functions.Values.OrderByDescending(f => height[f]).First();
        var chain = new List<FunctionProto>();
        for (FunctionProto? f = top; f is not null && chain.Count <= functions.Count; f = next[f])
        {
            chain.Add(f);
        }

        return chain;
    }

    /// <summary>A BCONV3151 diagnostic when <paramref name="model"/>'s functions nest deeper than
    /// <paramref name="limit"/>, else null.</summary>
    public static Diagnostic? Check(ModelProto model, int limit, string? file)
    {
        var chain = DeepestChain(model);
        if (chain.Count <= limit)
        {
            return null;
        }

        var shown = chain.Count <= 6
            ? string.Join(" -> ", chain.Select(Name))
            : string.Join(" -> ", chain.Take(3).Select(Name)) + " -> ... -> " + string.Join(" -> ", chain.Skip(chain.Count - 2).Select(Name));
        return DiagnosticCodes.FunctionNestingTooDeep.Create(
            $"model-local functions call each other {chain.Count} levels deep ({shown}), past the limit of {limit}; ONNX Runtime could not load such a model",
            file, $"function '{chain[0].Name}'");
    }

    private static string Name(FunctionProto f) => $"{f.Domain}.{f.Name}";

    private static List<FunctionProto> Callees(FunctionProto function, Dictionary<(string, string, string), FunctionProto> functions)
    {
        var list = new List<FunctionProto>();
        var seen = new HashSet<FunctionProto>(ReferenceEqualityComparer.Instance);
        // Subgraphs past the nesting cap are reported by the checker itself (BCONV3198) when it checks the body.
        foreach (var node in OnnxModelWalker.Nodes(function.Node, tooDeep: static _ => { }))
        {
            if (functions.TryGetValue((node.Domain, node.OpType, node.Overload), out var callee) && seen.Add(callee))
            {
                list.Add(callee);
            }
        }

        return list;
    }
}
