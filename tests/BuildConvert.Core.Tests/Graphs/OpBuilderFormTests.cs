using BuildConvert.Core.Checking;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Graphs;

/// <summary>
/// Each opset-aware builder call, on both sides of the version where its operator moved attributes to inputs: the node
/// has the form of that version, and the model passes the checker, whose schemas come from the ONNX changelogs.
/// </summary>
[TestClass]
public sealed class OpBuilderFormTests
{
    private static readonly (string Name, Func<OpBuilder, Value, Value> Emit, string Op, int Changed, string Attribute)[] Cases =
    {
        ("Squeeze", (b, x) => b.Squeeze(x, new long[] { 0 }), "Squeeze", 13, "axes"),
        ("Unsqueeze", (b, x) => b.Unsqueeze(x, new long[] { 0 }), "Unsqueeze", 13, "axes"),
        ("ReduceSum", (b, x) => b.Reduce("ReduceSum", x, new long[] { 1 }), "ReduceSum", 13, "axes"),
        ("ReduceMean", (b, x) => b.Reduce("ReduceMean", x, new long[] { 1 }), "ReduceMean", 18, "axes"),
        ("Split", (b, x) => b.Split(x, 1, new long[] { 1, 2 }, 2)[0], "Split", 13, "split"),
        ("Pad", (b, x) => b.Pad(x, new long[] { 0, 1, 0, 1 }, "constant", 2.0), "Pad", 11, "pads"),
        ("Clip", (b, x) => b.Clip(x, b.Scalar(DataType.Float, -1), b.Scalar(DataType.Float, 1)), "Clip", 11, "min"),
        ("Slice", (b, x) => b.Slice(x, new long[] { 0 }, new long[] { 2 }, new long[] { 1 }), "Slice", 10, "starts"),
        ("Reshape", (b, x) => b.Reshape(x, new long[] { 3, 1 }), "Reshape", 5, "shape"),
        ("TopK", (b, x) => b.TopK(x, 2).Values, "TopK", 10, "k"),
    };

    [TestMethod]
    public void EachCallTakesTheFormOfTheTargetOpsetAndPassesTheChecker()
    {
        foreach (var (name, emit, op, changed, attribute) in Cases)
        {
            foreach (var opset in new long[] { changed - 1, changed })
            {
                var model = new Model(opset, opset >= 13 ? 7 : 3);
                var g = model.Graph;
                var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 1, 3));
                var b = new OpBuilder(g);
                var y = emit(b, x);
                var node = y.Producer!;
                y.Type = OnnxType.Tensor(DataType.Float);
                g.Outputs.Add(y);
                if (opset < 13 && model.IrVersion < 4)
                {
                    // IR 3 wants initializers listed as inputs too.
                    foreach (var init in g.Initializers)
                    {
                        g.Inputs.Add(init);
                    }
                }

                Assert.AreEqual(op, node.OpType, name);
                Assert.AreEqual(opset < changed, node.HasAttribute(attribute), $"{name} at opset {opset}: attribute '{attribute}'");
                var errors = OnnxChecker.Check(OnnxGraphExporter.ToProto(model), null, OnnxCheckerOptions.Default with { InferShapes = false })
                    .Where(d => d.Severity == DiagnosticSeverity.Error && d.Code != "BCONV3024").ToArray();
                Assert.IsEmpty(errors, $"{name} at opset {opset}: {string.Join("; ", errors.Select(e => e.Message))}");
            }
        }
    }

    [TestMethod]
    public void UpsampleBelowTenAndResizeFromTen()
    {
        foreach (var (opset, op) in new[] { (8L, "Upsample"), (9L, "Upsample"), (10L, "Resize"), (11L, "Resize"), (13L, "Resize") })
        {
            var model = new Model(opset, 5);
            var x = model.Graph.AddInput("x", OnnxType.Tensor(DataType.Float, 1, 1, 2, 2));
            var y = new OpBuilder(model.Graph).ResizeByScales(x, new float[] { 1, 1, 2, 2 });
            Assert.AreEqual(op, y.Producer!.OpType, $"opset {opset}");
            y.Type = OnnxType.Tensor(DataType.Float);
            model.Graph.Outputs.Add(y);
            var errors = OnnxChecker.Check(OnnxGraphExporter.ToProto(model), null, OnnxCheckerOptions.Default with { InferShapes = false })
                .Where(d => d.Severity == DiagnosticSeverity.Error && d.Code != "BCONV3024").ToArray();
            Assert.IsEmpty(errors, $"opset {opset}: {string.Join("; ", errors.Select(e => e.Message))}");
        }
    }

    [TestMethod]
    public void CastNamesItsTargetTypeAsTheOpsetWants()
    {
        var old = new Model(5, 3);
        var x = old.Graph.AddInput("x", OnnxType.Tensor(DataType.Float, 2));
        Assert.AreEqual("INT64", new OpBuilder(old.Graph).Cast(x, DataType.Int64).Producer!.GetString("to", ""));
        var current = new Model(13, 7);
        var y = current.Graph.AddInput("x", OnnxType.Tensor(DataType.Float, 2));
        Assert.AreEqual((long)DataType.Int64, new OpBuilder(current.Graph).Cast(y, DataType.Int64).Producer!.GetInt("to", 0));
    }

    [TestMethod]
    public void OldFormsThatNeedAConstantRefuseARuntimeValue()
    {
        var model = new Model(10, 5);
        var g = model.Graph;
        var x = g.AddInput("x", OnnxType.Tensor(DataType.Float, 2));
        var bound = g.AddInput("m", OnnxType.Tensor(DataType.Float));
        var clip = Assert.ThrowsExactly<BuildConvertException>(() => new OpBuilder(g).Clip(x, bound, null));
        Assert.AreEqual("BCONV2002", clip.Code);
        var slice = Assert.ThrowsExactly<BuildConvertException>(() => new OpBuilder(new Model(9, 4).Graph).Slice(x, new long[] { 0 }, new long[] { 1 }, null, new long[] { 2 }));
        Assert.AreEqual("BCONV2002", slice.Code);
    }
}
