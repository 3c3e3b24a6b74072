using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TorchScript.Language;
using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Formats.TorchScript.FrontEnd;

internal sealed partial class TorchInterpreter
{
    private sealed record BranchResult(List<TorchNode> Nodes, Dictionary<string, object> Vars, Dictionary<TorchValue, TorchValue> Aliases, TsRaised? Raised, Flow Flow, object? Value);

    private Flow If(TsIf s)
    {
        var condition = Truth(Evaluate(s.Condition), s.Location);
        if (condition is UnknownVal)
        {
            // The condition's call is already reported; run the first branch to report what else it contains.
            return Execute(s.Body);
        }

        if (ConstantOf(condition) is bool taken)
        {
            return Execute(taken ? s.Body : s.OrElse);
        }

        var then = RunBranch(() => Execute(s.Body));
        var orElse = RunBranch(() => Execute(s.OrElse));
        if (Adopt(then, orElse, s.Location) is { } adopted)
        {
            return adopted.Flow;
        }

        if (then.Flow == Flow.Return || orElse.Flow == Flow.Return)
        {
            throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, s.Location, "a return inside a branch taken at run time");
        }

        MergeBranches((TorchValue)condition, then, orElse, s.Location);
        return Flow.Normal;
    }

    private object DynamicIfExpression(TorchValue condition, TsConditional cond)
    {
        var then = RunBranch(() =>
        {
            Current.ReturnValue = Resolve(Evaluate(cond.Body));
            return Flow.Normal;
        });
        var orElse = RunBranch(() =>
        {
            Current.ReturnValue = Resolve(Evaluate(cond.OrElse));
            return Flow.Normal;
        });
        if (Adopt(then, orElse, cond.Location) is { } adopted)
        {
            return adopted.Value!;
        }

        var thenOut = new List<TorchValue>();
        var elseOut = new List<TorchValue>();
        var specs = new List<OutputSpec>();
        var rebuild = MergeValue(then.Value!, orElse.Value!, thenOut, elseOut, specs, cond.Location);
        var results = EmitIf(condition, then, orElse, thenOut, elseOut, specs, cond.Location);
        return rebuild(results, 0).Value;
    }

    // When one branch always raises, the model is converted as if the other were always taken (ONNX has no
    // exceptions; an input that would raise is outside what the model accepts).
    private BranchResult? Adopt(BranchResult then, BranchResult orElse, TsLocation at)
    {
        if (then.Raised is not null && orElse.Raised is not null)
        {
            throw then.Raised;
        }

        var adopted = then.Raised is not null ? orElse : orElse.Raised is not null ? then : null;
        if (adopted is null)
        {
            return null;
        }

        var raised = (then.Raised ?? orElse.Raised)!;
        Notes.Add($"{raised.Where}: '{raised.Message}' is raised only for inputs the converted model does not check (the branch at {Where(at)} is taken as not taken)");
        nodes.AddRange(adopted.Nodes);
        Current.Vars = adopted.Vars;
        aliases = adopted.Aliases;
        if (adopted.Flow == Flow.Return)
        {
            Current.ReturnValue = adopted.Value;
        }

        return adopted;
    }

    private BranchResult RunBranch(Func<Flow> body)
    {
        var savedNodes = nodes;
        var savedVars = Current.Vars;
        var savedAliases = aliases;
        var savedReturn = Current.ReturnValue;
        nodes = new List<TorchNode>();
        Current.Vars = new Dictionary<string, object>(savedVars, StringComparer.Ordinal);
        aliases = new Dictionary<TorchValue, TorchValue>(savedAliases, ReferenceEqualityComparer.Instance);
        TsRaised? raised = null;
        var flow = Flow.Normal;
        try
        {
            flow = body();
        }
        catch (TsRaised r)
        {
            raised = r;
        }

        var result = new BranchResult(nodes, Current.Vars, aliases, raised, flow, Current.ReturnValue);
        nodes = savedNodes;
        Current.Vars = savedVars;
        aliases = savedAliases;
        Current.ReturnValue = savedReturn;
        return result;
    }

    private object ResolveIn(object value, Dictionary<TorchValue, TorchValue> map)
    {
        if (value is TorchValue v)
        {
            while (map.TryGetValue(v, out var next))
            {
                v = next;
            }

            return v;
        }

        return value;
    }

    private void MergeBranches(TorchValue condition, BranchResult then, BranchResult orElse, TsLocation at)
    {
        var before = Current.Vars;
        var names = then.Vars.Keys.Union(orElse.Vars.Keys).ToArray();
        var thenOut = new List<TorchValue>();
        var elseOut = new List<TorchValue>();
        var specs = new List<OutputSpec>();
        var rebuilders = new List<(string Name, Func<TorchValue[], int, (object Value, int Next)> Rebuild)>();
        foreach (var name in names)
        {
            var had = before.TryGetValue(name, out var old);
            old = had ? Resolve(old!) : null;
            object? tv = then.Vars.TryGetValue(name, out var a) ? ResolveIn(a, then.Aliases) : old;
            object? ev = orElse.Vars.TryGetValue(name, out var b) ? ResolveIn(b, orElse.Aliases) : old;
            if (tv is null || ev is null)
            {
                // Defined in one branch only: TorchScript forbids reading it after the if.
                continue;
            }

            if (ReferenceEquals(tv, ev))
            {
                if (!ReferenceEquals(tv, old))
                {
                    before[name] = tv;
                }

                continue;
            }

            rebuilders.Add((name, MergeValue(tv, ev, thenOut, elseOut, specs, at)));
        }

        var results = EmitIf(condition, then, orElse, thenOut, elseOut, specs, at);
        foreach (var (name, rebuild) in rebuilders)
        {
            before[name] = rebuild(results, 0).Value;
        }
    }

    private TorchValue[] EmitIf(TorchValue condition, BranchResult then, BranchResult orElse, List<TorchValue> thenOut, List<TorchValue> elseOut, List<OutputSpec> specs, TsLocation at)
    {
        var blocks = new[]
        {
            new TorchBlock { Inputs = Array.Empty<TorchValue>(), Nodes = then.Nodes, Outputs = thenOut.ToArray() },
            new TorchBlock { Inputs = Array.Empty<TorchValue>(), Nodes = orElse.Nodes, Outputs = elseOut.ToArray() },
        };
        return Emit("prim::If", [condition], specs, at, blocks);
    }

    /// <summary>Pairs up a value from each branch: graph values become one output of the if; tuples pair element by
    /// element; equal constants and the same structure need none. Returns how to rebuild the merged value from the
    /// if's outputs (starting at an index).</summary>
    private Func<TorchValue[], int, (object Value, int Next)> MergeValue(object a, object b, List<TorchValue> thenOut, List<TorchValue> elseOut, List<OutputSpec> specs, TsLocation at)
    {
        if (ReferenceEquals(a, b))
        {
            return (_, i) => (a, i);
        }

        if (a is TorchValue ta && b is TorchValue tb)
        {
            if (ta.Constant is { } ca && tb.Constant is { } cb && ca is not TorchTensorConstant && ConstantEquals(ca, cb) && ca.GetType() == cb.GetType())
            {
                return (_, i) => (a, i);
            }

            thenOut.Add(ta);
            elseOut.Add(tb);
            specs.Add(MergeSpec(ta, tb));
            return (results, i) => (results[i], i + 1);
        }

        if (a is TupleVal xa && b is TupleVal xb && xa.Items.Count == xb.Items.Count)
        {
            var parts = xa.Items.Zip(xb.Items).Select(p => MergeValue(Resolve(p.First), Resolve(p.Second), thenOut, elseOut, specs, at)).ToArray();
            return (results, i) =>
            {
                var items = new object[parts.Length];
                for (var k = 0; k < parts.Length; k++)
                {
                    (items[k], i) = parts[k](results, i);
                }

                return (new TupleVal(items, xa.Names, xa.ClassName), i);
            };
        }

        if (a is ListVal la && b is ListVal lb && ConstantOf(la) is { } cla && ConstantOf(lb) is { } clb && ConstantEquals(cla, clb))
        {
            return (_, i) => (a, i);
        }

        if (a is ListVal or TupleVal && b is ListVal or TupleVal || a is ListVal or TupleVal && b is TorchValue || a is TorchValue && b is ListVal or TupleVal)
        {
            var ma = a as TorchValue ?? Materialize(a, null, at);
            var mb = b as TorchValue ?? Materialize(b, null, at);
            thenOut.Add(ma);
            elseOut.Add(mb);
            specs.Add(MergeSpec(ma, mb));
            return (results, i) => (results[i], i + 1);
        }

        throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, at,
            $"a branch taken at run time makes a {Describe(a)} in one case and a {Describe(b)} in the other");
    }

    private static OutputSpec MergeSpec(TorchValue a, TorchValue b)
    {
        var type = a.Type.Equals(b.Type) ? a.Type
            : a.Type.Kind == TorchTypeKind.None ? TorchType.OptionalOf(b.Type)
            : b.Type.Kind == TorchTypeKind.None ? TorchType.OptionalOf(a.Type)
            : a.Type.Kind == TorchTypeKind.Optional ? a.Type
            : b.Type.Kind == TorchTypeKind.Optional ? b.Type
            : a.Type;
        return new OutputSpec(type, MergeShape(a.Shape, b.Shape), a.ElementType == b.ElementType ? a.ElementType : null);
    }

    private static IReadOnlyList<Dim>? MergeShape(IReadOnlyList<Dim>? a, IReadOnlyList<Dim>? b)
    {
        if (a is null || b is null || a.Count != b.Count)
        {
            return null;
        }

        return a.Zip(b).Select(p => p.First.SameAs(p.Second) ? p.First : Dim.Unknown).ToArray();
    }

    // ---- loops ----

    private void For(TsFor f)
    {
        var iterable = Resolve(Evaluate(f.Iterable));
        if (iterable is UnknownVal)
        {
            return;
        }

        if (IterateStatically(iterable, f.Location) is { } items && (iterable is not RangeVal || items.Count <= options.MaxUnrolledIterations))
        {
            foreach (var item in items)
            {
                Assign(f.Target, item);
                if (Execute(f.Body) == Flow.Return)
                {
                    throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, f.Location, "a return inside a loop");
                }
            }

            return;
        }

        switch (iterable)
        {
            case RangeVal r:
            {
                var simple = ConstantOf(r.Start) is 0L && ConstantOf(r.Step) is 1L;
                var trip = simple ? Materialize(r.Stop, null, f.Location) : (TorchValue)CallOperator("aten::__range_length", [r.Start, r.Stop, r.Step], [], f.Location);
                EmitLoop(trip, Const(true), f.Body, i =>
                {
                    Assign(f.Target, simple ? i : CallOperator("aten::__derive_index", [i, r.Start, r.Step], [], f.Location));
                }, null, f.Location);
                return;
            }

            case TorchValue v when v.Type.Kind is TorchTypeKind.List or TorchTypeKind.Tensor or TorchTypeKind.Str:
            {
                var trip = (TorchValue)CallOperator("aten::len", [v], [], f.Location);
                EmitLoop(trip, Const(true), f.Body, i =>
                {
                    Assign(f.Target, v.Type.Kind == TorchTypeKind.Tensor
                        ? CallOperator("aten::select", [v, Const(0L), i], [], f.Location)
                        : CallOperator("aten::__getitem__", [v, i], [], f.Location));
                }, null, f.Location);
                return;
            }

            default:
                throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, f.Location, $"a loop over a {Describe(iterable)}");
        }
    }

    private void While(TsWhile w)
    {
        for (var iterations = 0; ; iterations++)
        {
            var condition = Truth(Evaluate(w.Condition), w.Location);
            if (condition is UnknownVal)
            {
                return;
            }

            if (ConstantOf(condition) is bool go)
            {
                if (!go)
                {
                    return;
                }

                if (iterations >= options.MaxWhileIterations)
                {
                    throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, w.Location, $"a while loop still running after {options.MaxWhileIterations} iterations");
                }

                if (Execute(w.Body) == Flow.Return)
                {
                    throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, w.Location, "a return inside a loop");
                }

                continue;
            }

            EmitLoop(Const(long.MaxValue), (TorchValue)condition, w.Body, _ => { }, w.Condition, w.Location);
            return;
        }
    }

    /// <summary>Records a prim::Loop. Loop-carried values are the variables the body changes that existed before
    /// the loop (found by running the body; a carried value whose shape changes between iterations loses the
    /// dimensions that change).</summary>
    private void EmitLoop(TorchValue tripCount, TorchValue startCondition, IReadOnlyList<TsStmt> body, Action<TorchValue> bindIteration, TsExpr? whileCondition, TsLocation at)
    {
        var outer = Current.Vars;
        var carried = new List<string>();
        var relaxed = new Dictionary<string, OutputSpec>(StringComparer.Ordinal);
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var initial = carried.Select(n => Resolve(outer[n])).ToArray();
            foreach (var (value, name) in initial.Zip(carried))
            {
                if (value is not TorchValue)
                {
                    throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, at, $"a loop that runs a run-time number of times changes '{name}', a {Describe(value)}");
                }
            }

            var iteration = new TorchValue { Name = NewName("i"), Type = TorchType.Int };
            var specs = carried.Select((n, k) => relaxed.TryGetValue(n, out var spec) ? spec : SpecOf((TorchValue)initial[k])).ToArray();
            var blockInputs = specs.Select((s, k) => new TorchValue { Name = NewName(carried[k]), Type = s.Type, Shape = s.Shape, ElementType = s.ElementType }).ToArray();
            TorchValue? condition = null;
            var branch = RunBranch(() =>
            {
                for (var k = 0; k < carried.Count; k++)
                {
                    Current.Vars[carried[k]] = blockInputs[k];
                }

                bindIteration(iteration);
                var flow = Execute(body);
                if (flow == Flow.Return)
                {
                    throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, at, "a return inside a loop");
                }

                condition = whileCondition is null ? Const(true) : Truth(Evaluate(whileCondition), at) as TorchValue;
                return flow;
            });
            if (branch.Raised is not null)
            {
                throw branch.Raised;
            }

            // Variables of the enclosing scope that the body changed and are not carried yet: carry them and rerun.
            var changed = outer.Keys.Where(n => !carried.Contains(n) && branch.Vars.TryGetValue(n, out var v) && !ReferenceEquals(ResolveIn(v, branch.Aliases), Resolve(outer[n])))
                .ToArray();
            var outputs = carried.Select(n => ResolveIn(branch.Vars[n], branch.Aliases)).ToArray();
            var shapeChanged = false;
            for (var k = 0; k < carried.Count; k++)
            {
                if (outputs[k] is not TorchValue o)
                {
                    throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, at, $"a loop that runs a run-time number of times makes '{carried[k]}' a {Describe(outputs[k])}");
                }

                var merged = MergeSpec(blockInputs[k], o);
                if (!SameSpec(merged, specs[k]))
                {
                    relaxed[carried[k]] = merged;
                    shapeChanged = true;
                }
            }

            if (changed.Length > 0 || shapeChanged)
            {
                carried.AddRange(changed.Where(n => !carried.Contains(n)));
                continue;
            }

            var block = new TorchBlock
            {
                Inputs = [iteration, .. blockInputs],
                Nodes = branch.Nodes,
                Outputs = [condition ?? Const(true), .. outputs.Cast<TorchValue>()],
            };
            var results = Emit("prim::Loop", [tripCount, startCondition, .. initial.Cast<TorchValue>()], specs, at, [block]);
            for (var k = 0; k < carried.Count; k++)
            {
                outer[carried[k]] = results[k];
            }

            return;
        }

        throw Error(DiagnosticCodes.TorchScriptUnsupportedConstruct, at, "a loop whose carried values do not settle");
    }

    private static OutputSpec SpecOf(TorchValue v) =>
        new(v.Type.Kind == TorchTypeKind.None ? TorchType.OptionalOf(TorchType.Tensor) : v.Type, v.Shape, v.ElementType);

    private static bool SameSpec(OutputSpec a, OutputSpec b) =>
        a.Type.Equals(b.Type) && a.ElementType == b.ElementType &&
        (a.Shape is null ? b.Shape is null : b.Shape is not null && a.Shape.Count == b.Shape.Count && a.Shape.Zip(b.Shape).All(p => p.First == p.Second));
}

/// <summary>Drops nodes whose results nothing uses (the method's checks, the size queries of branches that folded away).</summary>
internal static class DeadCodeElimination
{
    public static IReadOnlyList<TorchNode> Prune(IReadOnlyList<TorchNode> nodes, IReadOnlyList<TorchValue> outputs)
    {
        var live = new HashSet<TorchValue>(outputs, ReferenceEqualityComparer.Instance);
        return PruneBlock(nodes, live);
    }

    private static List<TorchNode> PruneBlock(IReadOnlyList<TorchNode> nodes, HashSet<TorchValue> live)
    {
        var kept = new List<TorchNode>();
        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            var node = nodes[i];
            if (!node.Outputs.Any(live.Contains))
            {
                continue;
            }

            var blocks = node.Blocks.Select(b =>
            {
                var blockLive = new HashSet<TorchValue>(b.Outputs, ReferenceEqualityComparer.Instance);
                var blockNodes = PruneBlock(b.Nodes, blockLive);
                live.UnionWith(blockLive);
                return new TorchBlock { Inputs = b.Inputs, Nodes = blockNodes, Outputs = b.Outputs };
            }).ToArray();
            live.UnionWith(node.Inputs);
            kept.Add(node.Blocks.Count == 0 ? node : new TorchNode { Kind = node.Kind, Inputs = node.Inputs, Outputs = node.Outputs, Blocks = blocks, SourceRange = node.SourceRange });
        }

        kept.Reverse();
        return kept;
    }
}
