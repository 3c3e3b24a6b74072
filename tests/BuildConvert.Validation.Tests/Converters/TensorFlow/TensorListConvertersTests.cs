using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>
/// TensorList ops as TF2 uses them for TensorArrays, alone and inside While loops the way Keras RNNs write them
/// (unstack the input before the loop, read item i, write item i of a reserved list, stack after the loop), converted
/// to ONNX sequences and run by ONNX Runtime against TensorFlow.js.
/// </summary>
[TestClass]
public sealed class TensorListConvertersTests
{
    private const TfDataType F = TfDataType.DtFloat;
    private const TfDataType I = TfDataType.DtInt32;
    private const TfDataType B = TfDataType.DtBool;
    private const TfDataType V = TfDataType.DtVariant;

    [TestMethod]
    public void FromTensorGetItemStackAndLengthOutsideLoops()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F, new long[] { 4, 2, 3 });
        var shape = g.Ints("shape", 2, 3);
        var list = g.Op("TensorListFromTensor", new[] { x, shape }, ("element_dtype", A.Type(F)), ("shape_type", A.Type(I)));
        var item = g.Op("TensorListGetItem", new[] { list, g.Const("two", I, Array.Empty<long>(), 2), shape }, ("element_dtype", A.Type(F)));
        var changed = g.Op("TensorListSetItem", new[] { list, g.Const("zero", I, Array.Empty<long>(), 0), item }, ("element_dtype", A.Type(F)));
        var stacked = g.Op("TensorListStack", new[] { changed, shape }, ("element_dtype", A.Type(F)), ("num_elements", A.Int(4)));
        var length = g.Op("TensorListLength", new[] { changed });
        TfOracleAssert.Matches(g, new[] { item, stacked, length }, opsets: new[] { 13, 17, 21 });
    }

    [TestMethod]
    public void PushBackAndPopBack()
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F, new long[] { 3 });
        var y = g.Placeholder("y", F, new long[] { 3 });
        var shape = g.Ints("shape", 3);
        var empty = g.Op("EmptyTensorList", new[] { shape, g.Const("max", I, Array.Empty<long>(), -1) }, ("element_dtype", A.Type(F)), ("shape_type", A.Type(I)));
        var one = g.Op("TensorListPushBack", new[] { empty, x }, ("element_dtype", A.Type(F)));
        var two = g.Op("TensorListPushBack", new[] { one, y }, ("element_dtype", A.Type(F)));
        g.OpNamed("pop", "TensorListPopBack", new[] { two, shape }, ("element_dtype", A.Type(F)));
        var stacked = g.Op("TensorListStack", new[] { two, shape }, ("element_dtype", A.Type(F)));
        TfOracleAssert.Matches(g, new[] { stacked });

        // TF.js's PopBack returns the item as its only output (TensorFlow: output 0 the list, 1 the item), so PopBack
        // is checked against its definition: the item is the last one pushed (y), the list is one shorter.
        var r = new TfTestGraph();
        r.Placeholder("x", F, new long[] { 3 }, g.Placeholders[0].Values);
        var ry = r.Placeholder("y", F, new long[] { 3 }, g.Placeholders[1].Values);
        TfOracleAssert.MatchesDefinition(g, "pop:1", r, r.Op("Identity", new[] { ry }, ("T", A.T())));
        var length = g.Op("TensorListLength", new[] { "pop:0" });
        var shorter = new TfTestGraph();
        TfOracleAssert.MatchesDefinition(g, length, shorter, shorter.Const("one", I, Array.Empty<long>(), 1));
    }

    [TestMethod]
    public void ElementShapeIsTheShapeOfTheItems()
    {
        // TF.js has no TensorListElementShape: the reference is the items' shape written as a constant.
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F, new long[] { 4, 2, 3 });
        var list = g.Op("TensorListFromTensor", new[] { x, g.Ints("shape", 2, 3) }, ("element_dtype", A.Type(F)), ("shape_type", A.Type(I)));
        var elementShape = g.Op("TensorListElementShape", new[] { list }, ("shape_type", A.Type(I)));
        var r = new TfTestGraph();
        var expected = r.Ints("expected", 2, 3);
        TfOracleAssert.MatchesDefinition(g, elementShape, r, expected);
    }

    /// <summary>
    /// h = tanh(x[t] + h * 0.5) over t, every h written to a reserved list that is stacked after the loop: the loop of a
    /// Keras SimpleRNN with a unit weight. x is [time, batch, features]; the element shape leaves the batch unknown.
    /// </summary>
    private static TfTestGraph RecurrentLoop(long time)
    {
        var g = new TfTestGraph();
        var x = g.Placeholder("x", F, new[] { time, 2, 3 });
        var elementShape = g.Ints("element_shape", -1, 3);
        var steps = g.Const("steps", I, Array.Empty<long>(), time);
        var input = g.Op("TensorListFromTensor", new[] { x, elementShape }, ("element_dtype", A.Type(F)), ("shape_type", A.Type(I)));
        var output = g.Op("TensorListReserve", new[] { elementShape, steps }, ("element_dtype", A.Type(F)), ("shape_type", A.Type(I)));
        var h0 = g.Const("h0", F, new long[] { 2, 3 }, 0, 0, 0, 0, 0, 0);
        var zero = g.Const("t0", I, Array.Empty<long>(), 0);
        var args = new[] { ("t", I), ("steps", I), ("out", V), ("h", F), ("in", V) };
        var cond = g.Function("rnn_cond", args, f => new[] { (f.OpArg("Less", "z", new[] { "t", "steps" }, ("T", A.T(I))), B) });
        var body = g.Function("rnn_body", args, f =>
        {
            var shape = f.Const("shape", I, new long[] { 2 }, -1, 3);
            var item = f.OpArg("TensorListGetItem", "item", new[] { "in", "t", shape }, ("element_dtype", A.Type(F)));
            var half = f.Const("half", F, Array.Empty<long>(), 0.5);
            var carry = f.OpArg("Mul", "z", new[] { "h", half }, ("T", A.T()));
            var h = f.OpArg("Tanh", "y", new[] { f.OpArg("AddV2", "z", new[] { item, carry }, ("T", A.T())) }, ("T", A.T()));
            var written = f.OpArg("TensorListSetItem", "output_handle", new[] { "out", "t", h }, ("element_dtype", A.Type(F)));
            var next = f.OpArg("AddV2", "z", new[] { "t", f.Const("one", I, Array.Empty<long>(), 1) }, ("T", A.T(I)));
            return new[]
            {
                (next, I), (f.Op("Identity", new[] { "steps" }, ("T", A.T(I))), I), (written, V), (h, F),
                (f.Op("Identity", new[] { "in" }, ("T", A.T(V))), V),
            };
        });
        g.OpNamed("loop", "StatelessWhile", new[] { zero, steps, output, h0, input },
            ("T", A.Types(I, I, V, F, V)), ("cond", A.Func(cond)), ("body", A.Func(body)), ("parallel_iterations", A.Int(32)),
            ("output_shapes", A.Shapes(Array.Empty<long>(), Array.Empty<long>(), Array.Empty<long>(), new long[] { 2, 3 }, Array.Empty<long>())));
        g.OpNamed("stacked", "TensorListStack", new[] { "loop:2", elementShape }, ("element_dtype", A.Type(F)), ("num_elements", A.Int(time)));
        return g;
    }

    [TestMethod]
    [DataRow(5L)]
    [DataRow(1L)]
    public void RecurrentLoopReadsUnstackedItemsAndStacksWrittenOnes(long time)
    {
        var model = TfOracleAssert.Matches(RecurrentLoop(time), new[] { "stacked:0", "loop:3" }, opsets: new[] { 13, 17, 21 });
        var loop = model.Graph.Nodes.Single(n => n.OpType == "Loop");
        Assert.AreEqual(2 + 3, loop.Inputs.Count, "t, the output list and h are carried; steps and the input list are read from the outer scope");
    }
}

