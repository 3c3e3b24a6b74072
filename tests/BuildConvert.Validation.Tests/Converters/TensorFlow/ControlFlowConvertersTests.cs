using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Graphs;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// If/StatelessIf, While/StatelessWhile and calls inside bodies, converted and run by ONNX Runtime against TensorFlow.js
/// running the same graph with its function library. Loops use float32 values whose result is exact or within 1e-5.
/// </summary>
[TestClass]
public sealed class ControlFlowConvertersTests
{
    private const TfDataType F = TfDataType.DtFloat;
    private const TfDataType I = TfDataType.DtInt32;
    private const TfDataType B = TfDataType.DtBool;

    [TestMethod]
    [DataRow("StatelessIf", true)]
    [DataRow("StatelessIf", false)]
    [DataRow("If", true)]
    [DataRow("If", false)]
    public void IfTakesTheBranchTheConditionNames(string op, bool condition)
    {
        var g = new TfTestGraph();
        var c = g.Placeholder("c", B, Array.Empty<long>(), new[] { condition ? 1.0 : 0.0 });
        var x = g.Placeholder("x", F, new long[] { 2, 3 });
        var y = g.Placeholder("y", F, new long[] { 3 });
        var then = g.Function("then_f", new[] { ("a", F), ("b", F) }, f =>
            new[] { (f.OpArg("Mul", "z", new[] { "a", "b" }, ("T", A.T())), F), (f.OpArg("AddV2", "z", new[] { "a", "a" }, ("T", A.T())), F) });
        var otherwise = g.Function("else_f", new[] { ("a", F), ("b", F) }, f =>
        {
            var two = f.Const("two", F, Array.Empty<long>(), 2);
            return new[] { (f.OpArg("Sub", "z", new[] { "a", two }, ("T", A.T())), F), (f.OpArg("Mul", "z", new[] { "b", "a" }, ("T", A.T())), F) };
        });
        var node = g.OpNamed("branch", op, new[] { c, x, y },
            ("Tcond", A.Type(B)), ("Tin", A.Types(F, F)), ("Tout", A.Types(F, F)),
            ("then_branch", A.Func(then)), ("else_branch", A.Func(otherwise)));
        var model = TfOracleAssert.Matches(g, new[] { node, "branch:1" }, opsets: new[] { 13, 17, 21 });
        Assert.AreEqual(1, model.Graph.Nodes.Count(n => n.OpType == "If"), "one ONNX If");
    }

    [TestMethod]
    [DataRow(3.0)]
    [DataRow(0.0)]
    public void IfTakesANumericScalarConditionAsNonZero(double condition)
    {
        var g = new TfTestGraph();
        var c = g.Placeholder("c", I, Array.Empty<long>(), new[] { condition });
        var x = g.Placeholder("x", F, new long[] { 4 });
        var then = g.Function("neg_f", new[] { ("a", F) }, f => new[] { (f.OpArg("Neg", "y", new[] { "a" }, ("T", A.T())), F) });
        var otherwise = g.Function("abs_f", new[] { ("a", F) }, f => new[] { (f.OpArg("Abs", "y", new[] { "a" }, ("T", A.T())), F) });
        var node = g.OpNamed("branch", "StatelessIf", new[] { c, x },
            ("Tcond", A.Type(I)), ("Tin", A.Types(F)), ("Tout", A.Types(F)), ("then_branch", A.Func(then)), ("else_branch", A.Func(otherwise)));
        TfOracleAssert.Matches(g, new[] { node });
    }

    [TestMethod]
    [DataRow(true, false)]
    [DataRow(false, false)]
    [DataRow(true, true)]
    [DataRow(false, true)]
    public void IfWhoseBranchesDisagreeOnShapeOrRank(bool condition, bool ranksDiffer)
    {
        // then returns x [2, 3] as it is; else returns it reshaped to [3, 2] (same rank) or flattened to [6] (another rank).
        // The If's output is typed only as far as both agree; the graph outputs read it through Reshape [-1] and Shape.
        var g = new TfTestGraph();
        var c = g.Placeholder("c", B, Array.Empty<long>(), new[] { condition ? 1.0 : 0.0 });
        var x = g.Placeholder("x", F, new long[] { 2, 3 });
        var then = g.Function("keep_f", new[] { ("a", F) }, f => new[] { (f.OpArg("Identity", "output", new[] { "a" }, ("T", A.T())), F) });
        var otherwise = g.Function("reshape_f", new[] { ("a", F) }, f =>
        {
            var shape = ranksDiffer ? f.Const("shape", I, new long[] { 1 }, 6) : f.Const("shape", I, new long[] { 2 }, 3, 2);
            return new[] { (f.OpArg("Reshape", "output", new[] { "a", shape }, ("T", A.T()), ("Tshape", A.T(I))), F) };
        });
        // output_shapes as TensorFlow writes it when the branches disagree: unknown rank, or unknown sizes.
        var node = g.OpNamed("branch", "StatelessIf", new[] { c, x },
            ("Tcond", A.Type(B)), ("Tin", A.Types(F)), ("Tout", A.Types(F)), ("then_branch", A.Func(then)), ("else_branch", A.Func(otherwise)),
            ("output_shapes", ranksDiffer ? A.Shapes(new long[]?[] { null }) : A.Shapes(new long[] { -1, -1 })));
        var flat = g.Op("Reshape", new[] { node, g.Ints("flat", -1) }, ("T", A.T()), ("Tshape", A.T(I)));
        var shapeOf = g.Op("Shape", new[] { node }, ("T", A.T()), ("out_type", A.T(I)));
        var outputs = ranksDiffer ? new[] { flat, shapeOf } : new[] { flat, shapeOf, node };
        var model = TfOracleAssert.Matches(g, outputs, atol: 0, rtol: 0, opsets: new[] { 13, 17, 21 });
        var output = model.Graph.Nodes.Single(n => n.OpType == "If").Outputs[0]!.Type;
        if (ranksDiffer)
        {
            Assert.IsNull(output?.Shape, "no shape: the branches disagree on the rank");
        }
        else
        {
            Assert.IsTrue(output?.Shape is { Count: 2 } s && s.All(d => !d.IsFixed), "rank 2, sizes unknown");
        }
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void IfWhoseBranchReturnsAConstantOfAnotherRank(bool condition)
    {
        // then returns a constant [4] (a scalar-shaped int is another rank again in the second output), else the input [2, 3].
        var g = new TfTestGraph();
        var c = g.Placeholder("c", B, Array.Empty<long>(), new[] { condition ? 1.0 : 0.0 });
        var x = g.Placeholder("x", F, new long[] { 2, 3 });
        var then = g.Function("const_f", new[] { ("a", F) }, f => new[]
        {
            (f.Const("values", F, new long[] { 4 }, 1, 2, 3, 4), F), (f.Const("count", I, Array.Empty<long>(), 7), I),
        });
        var otherwise = g.Function("input_f", new[] { ("a", F) }, f => new[]
        {
            (f.OpArg("Identity", "output", new[] { "a" }, ("T", A.T())), F), (f.OpArg("Shape", "output", new[] { "a" }, ("T", A.T()), ("out_type", A.T(I))), I),
        });
        var node = g.OpNamed("branch", "If", new[] { c, x },
            ("Tcond", A.Type(B)), ("Tin", A.Types(F)), ("Tout", A.Types(F, I)), ("then_branch", A.Func(then)), ("else_branch", A.Func(otherwise)));
        var flat = g.Op("Reshape", new[] { node, g.Ints("flat", -1) }, ("T", A.T()), ("Tshape", A.T(I)));
        var flat2 = g.Op("Reshape", new[] { "branch:1", g.Ints("flat2", -1) }, ("T", A.T(I)), ("Tshape", A.T(I)));
        TfOracleAssert.Matches(g, new[] { flat, flat2 }, atol: 0, rtol: 0, opsets: new[] { 13, 21 });
    }

    /// <summary>A counted loop: i from 0 while i &lt; n, acc = acc * 0.5 + x; n and x are loop invariants.</summary>
    private static TfTestGraph CountedLoop(string op, double n, out string acc)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F, new long[] { 2, 3 });
        var limit = g.Placeholder("n", I, Array.Empty<long>(), new[] { n });
        var zero = g.Const("zero", I, Array.Empty<long>(), 0);
        var start = g.Const("start", F, new long[] { 2, 3 }, 1, 2, 3, 4, 5, 6);
        var cond = g.Function("loop_cond", new[] { ("i", I), ("acc", F), ("x", F), ("n", I) }, f =>
            new[] { (f.OpArg("Less", "z", new[] { "i", "n" }, ("T", A.T(I))), B) });
        var body = g.Function("loop_body", new[] { ("i", I), ("acc", F), ("x", F), ("n", I) }, f =>
        {
            var one = f.Const("one", I, Array.Empty<long>(), 1);
            var half = f.Const("half", F, Array.Empty<long>(), 0.5);
            var next = f.OpArg("AddV2", "z", new[] { "i", one }, ("T", A.T(I)));
            var scaled = f.OpArg("Mul", "z", new[] { "acc", half }, ("T", A.T()));
            var sum = f.OpArg("AddV2", "z", new[] { scaled, "x" }, ("T", A.T()));
            return new[] { (next, I), (sum, F), (f.Op("Identity", new[] { "x" }, ("T", A.T())), F), (f.Op("Identity", new[] { "n" }, ("T", A.T(I))), I) };
        });
        g.OpNamed("loop", op, new[] { zero, start, x, limit },
            ("T", A.Types(I, F, F, I)), ("cond", A.Func(cond)), ("body", A.Func(body)), ("parallel_iterations", A.Int(10)),
            ("output_shapes", A.Shapes(Array.Empty<long>(), new long[] { 2, 3 }, new long[] { 2, 3 }, Array.Empty<long>())));
        acc = "loop:1";
        return g;
    }

    [TestMethod]
    [DataRow("StatelessWhile", 4.0)]
    [DataRow("While", 4.0)]
    [DataRow("StatelessWhile", 1.0)]
    [DataRow("StatelessWhile", 0.0)]
    [DataRow("While", -2.0)]
    public void WhileRunsTheBodyWhileTheConditionHolds(string op, double n)
    {
        var g = CountedLoop(op, n, out var acc);
        var model = TfOracleAssert.Matches(g, new[] { "loop:0", acc, "loop:2" }, opsets: new[] { 13, 17, 21 });
        var loop = model.Graph.Nodes.Single(node => node.OpType == "Loop");
        Assert.AreEqual(4, loop.Inputs.Count, "the two loop invariants (x, n) are read from the outer scope, not carried");
    }

    [TestMethod]
    public void WhileStopsAtTheMaximumIterationsCounterOfWhileV2()
    {
        // while_v2 with maximum_iterations: the loop variables start with a counter and the maximum, and the condition
        // is counter < maximum && the user's condition.
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F, Array.Empty<long>(), new[] { 1.5 });
        var maximum = g.Placeholder("maximum", I, Array.Empty<long>(), new[] { 3.0 });
        var zero = g.Const("zero", I, Array.Empty<long>(), 0);
        var cond = g.Function("max_cond", new[] { ("counter", I), ("max", I), ("acc", F) }, f =>
        {
            var bound = f.OpArg("Less", "z", new[] { "counter", "max" }, ("T", A.T(I)));
            var user = f.OpArg("Less", "z", new[] { "acc", f.Const("limit", F, Array.Empty<long>(), 1000) }, ("T", A.T()));
            return new[] { (f.OpArg("LogicalAnd", "z", new[] { bound, user }), B) };
        });
        var body = g.Function("max_body", new[] { ("counter", I), ("max", I), ("acc", F) }, f =>
        {
            var next = f.OpArg("AddV2", "z", new[] { "counter", f.Const("one", I, Array.Empty<long>(), 1) }, ("T", A.T(I)));
            var doubled = f.OpArg("AddV2", "z", new[] { "acc", "acc" }, ("T", A.T()));
            return new[] { (next, I), (f.Op("Identity", new[] { "max" }, ("T", A.T(I))), I), (doubled, F) };
        });
        g.OpNamed("loop", "StatelessWhile", new[] { zero, maximum, x },
            ("T", A.Types(I, I, F)), ("cond", A.Func(cond)), ("body", A.Func(body)),
            ("output_shapes", A.Shapes(Array.Empty<long>(), Array.Empty<long>(), Array.Empty<long>())));
        TfOracleAssert.Matches(g, new[] { "loop:0", "loop:2" });
    }

    [TestMethod]
    public void IfNestedInAWhileBody()
    {
        // acc += i is even ? x : -x, for i in 0..4.
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F, new long[] { 2 });
        var zero = g.Const("zero", I, Array.Empty<long>(), 0);
        var start = g.Const("start", F, new long[] { 2 }, 0, 0);
        var even = g.Function("even_f", new[] { ("acc", F), ("x", F) }, f => new[] { (f.OpArg("AddV2", "z", new[] { "acc", "x" }, ("T", A.T())), F) });
        var odd = g.Function("odd_f", new[] { ("acc", F), ("x", F) }, f => new[] { (f.OpArg("Sub", "z", new[] { "acc", "x" }, ("T", A.T())), F) });
        var cond = g.Function("nest_cond", new[] { ("i", I), ("acc", F), ("x", F) }, f =>
            new[] { (f.OpArg("Less", "z", new[] { "i", f.Const("five", I, Array.Empty<long>(), 5) }, ("T", A.T(I))), B) });
        var body = g.Function("nest_body", new[] { ("i", I), ("acc", F), ("x", F) }, f =>
        {
            var two = f.Const("two", I, Array.Empty<long>(), 2);
            var mod = f.OpArg("FloorMod", "z", new[] { "i", two }, ("T", A.T(I)));
            var isEven = f.OpArg("Equal", "z", new[] { mod, f.Const("zero", I, Array.Empty<long>(), 0) }, ("T", A.T(I)));
            var branch = f.OpArg("StatelessIf", "output", new[] { isEven, "acc", "x" },
                ("Tcond", A.Type(B)), ("Tin", A.Types(F, F)), ("Tout", A.Types(F)), ("then_branch", A.Func(even)), ("else_branch", A.Func(odd)));
            var next = f.OpArg("AddV2", "z", new[] { "i", f.Const("one", I, Array.Empty<long>(), 1) }, ("T", A.T(I)));
            return new[] { (next, I), (branch, F), (f.Op("Identity", new[] { "x" }, ("T", A.T())), F) };
        });
        g.OpNamed("loop", "While", new[] { zero, start, x },
            ("T", A.Types(I, F, F)), ("cond", A.Func(cond)), ("body", A.Func(body)),
            ("output_shapes", A.Shapes(Array.Empty<long>(), new long[] { 2 }, new long[] { 2 })));
        var model = TfOracleAssert.Matches(g, new[] { "loop:0", "loop:1" });
        var loop = model.Graph.Nodes.Single(n => n.OpType == "Loop");
        Assert.IsTrue(loop.Subgraphs.Single().Nodes.Any(n => n.OpType == "If"), "the If is inside the Loop body");
    }

    [TestMethod]
    public void CallsInsideABodyAreConvertedInPlace()
    {
        // TF.js has no PartitionedCall: the reference is the same graph with the call written out.
        var g = new TfTestGraph();
        var c = g.Placeholder("c", B, Array.Empty<long>(), new[] { 1.0 });
        var x = g.Placeholder("x", F, new long[] { 3 });
        var square = g.Function("square_f", new[] { ("v", F) }, f => new[] { (f.OpArg("Mul", "z", new[] { "v", "v" }, ("T", A.T())), F) });
        var then = g.Function("call_then", new[] { ("a", F) }, f =>
        {
            var call = f.Op("StatefulPartitionedCall", new[] { "a" }, ("Tin", A.Types(F)), ("Tout", A.Types(F)), ("f", A.Func(square)));
            return new[] { (f.OpArg("AddV2", "z", new[] { call, "a" }, ("T", A.T())), F) };
        });
        var otherwise = g.Function("call_else", new[] { ("a", F) }, f => new[] { (f.Op("Identity", new[] { "a" }, ("T", A.T())), F) });
        var node = g.OpNamed("branch", "If", new[] { c, x },
            ("Tcond", A.Type(B)), ("Tin", A.Types(F)), ("Tout", A.Types(F)), ("then_branch", A.Func(then)), ("else_branch", A.Func(otherwise)));

        var r = new TfTestGraph();
        r.Placeholder("c", B, Array.Empty<long>(), new[] { 1.0 });
        var rx = r.Placeholder("x", F, new long[] { 3 }, g.Placeholders[1].Values);
        var sq = r.Op("Mul", new[] { rx, rx }, ("T", A.T()));
        var sum = r.Op("AddV2", new[] { sq, rx }, ("T", A.T()));
        TfOracleAssert.MatchesDefinition(g, node, r, sum);
    }

    [TestMethod]
    public void AMissingBodyFunctionIsACodedError()
    {
        var g = new TfTestGraph();
        var c = g.Placeholder("c", B, Array.Empty<long>(), new[] { 1.0 });
        var x = g.Placeholder("x", F, new long[] { 3 });
        var node = g.OpNamed("branch", "If", new[] { c, x },
            ("Tcond", A.Type(B)), ("Tin", A.Types(F)), ("Tout", A.Types(F)), ("then_branch", A.Func("nowhere")), ("else_branch", A.Func("nowhere")));
        var e = Assert.ThrowsExactly<BuildConvertException>(() => TfOracleAssert.Convert(g, new[] { node }));
        Assert.AreEqual("BCONV2103", e.Diagnostics[0].Code);
        StringAssert.Contains(e.Diagnostics[0].Message, "nowhere");
    }

    [TestMethod]
    public void UnsupportedOpsInsideBodiesAreReportedBeforeConverting()
    {
        var g = new TfTestGraph();
        var c = g.Placeholder("c", B, Array.Empty<long>(), new[] { 1.0 });
        var x = g.Placeholder("x", F, new long[] { 3 });
        var then = g.Function("odd_then", new[] { ("a", F) }, f => new[] { (f.Op("NoSuchOp", new[] { "a" }), F) });
        var otherwise = g.Function("odd_else", new[] { ("a", F) }, f => new[] { (f.Op("AssignVariableOp", new[] { "a" }), F) });
        var node = g.OpNamed("branch", "If", new[] { c, x },
            ("Tcond", A.Type(B)), ("Tin", A.Types(F)), ("Tout", A.Types(F)), ("then_branch", A.Func(then)), ("else_branch", A.Func(otherwise)));
        var e = Assert.ThrowsExactly<BuildConvertException>(() => TfOracleAssert.Convert(g, new[] { node }));
        Assert.AreEqual("BCONV2100", e.Diagnostics[0].Code, e.Diagnostics[0].Message);
        StringAssert.Contains(e.Diagnostics[0].Message, "odd_else/odd_else_assignvariableop_0");
    }

    [TestMethod]
    public void MaximumIterationsAttributeBecomesTheTripCount()
    {
        var g = CountedLoop("StatelessWhile", 10, out _);
        g.Nodes.Single(n => n.Name == "loop").Attr["maximum_iterations"] = A.Int(2);
        var model = TfOracleAssert.Convert(g, new[] { "loop:0" });
        var actual = TfOracleAssert.RunOnnx(model, g);
        Assert.AreEqual(2.0, actual[0].GetDouble(0), "two iterations, then the trip count ends the loop");
    }
}
