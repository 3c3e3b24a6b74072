using System.Diagnostics;
using BuildConvert.Core.Checking;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Tests.Checking;

/// <summary>
/// BCONV3151: chains of model-local function calls past the limit (ONNX Runtime 1.31 overflows its stack creating a
/// session for a chain of 3,000; see the process-level test in BuildConvert.Tool.Tests/Hostile).
/// </summary>
[TestClass]
public sealed class FunctionNestingTests
{
    [TestMethod]
    public void A_chain_at_the_limit_passes_and_one_past_it_is_BCONV3151()
    {
        var limit = OnnxCheckerOptions.Default.MaxFunctionNestingDepth;

        var atLimit = OnnxChecker.Check(Chain(limit), "model.onnx");
        var pastLimit = OnnxChecker.Check(Chain(limit + 1), "model.onnx");

        Assert.IsEmpty(atLimit, string.Join("\n", atLimit));
        var problem = pastLimit.Single();
        Assert.AreEqual("BCONV3151", problem.Code);
        StringAssert.Contains(problem.Message, $"{limit + 1} levels deep");
        StringAssert.Contains(problem.Message, $"limit of {limit}");
        StringAssert.Contains(problem.Message, "local.f0 -> local.f1 -> local.f2 -> ... -> ");
        Assert.AreEqual("model.onnx", problem.File);
    }

    [TestMethod]
    public void A_chain_of_5000_functions_is_refused_quickly_by_the_checker_and_the_runtime_check()
    {
        var model = Chain(5000);
        var clock = Stopwatch.StartNew();

        var full = OnnxChecker.Check(model, null);
        var runtime = OnnxChecker.CheckRuntimeSafety(model, null);

        Assert.IsLessThan(5.0, clock.Elapsed.TotalSeconds, $"took {clock.Elapsed}");
        CollectionAssert.Contains(full.Select(d => d.Code).ToArray(), "BCONV3151");
        Assert.AreEqual("BCONV3151", runtime.Single().Code);
        StringAssert.Contains(runtime.Single().Message, "5000 levels deep");
    }

    [TestMethod]
    public void Calls_inside_subgraphs_of_a_function_body_count_and_the_limit_is_an_option()
    {
        // f0 calls f1 from inside an If branch: still two levels.
        var model = Chain(2);
        var f0 = model.Functions[0];
        var call = f0.Node[0];
        f0.Node.Clear();
        f0.Node.Add(new NodeProto { OpType = "Constant", Output = { "c" }, Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = new TensorProto { DataType = (int)TensorProto.Types.DataType.Bool, Int32Data = { 1 } } } } });
        var branch = new GraphProto { Name = "then", Node = { call }, Output = { new ValueInfoProto { Name = "b" } } };
        f0.Node.Add(new NodeProto
        {
            OpType = "If",
            Input = { "c" },
            Output = { "b" },
            Attribute =
            {
                new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = branch },
                new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = branch.Clone() },
            },
        });

        var problems = OnnxChecker.CheckRuntimeSafety(model, null, new OnnxCheckerOptions { MaxFunctionNestingDepth = 1 });

        StringAssert.Contains(problems.Single().Message, "2 levels deep");
        Assert.IsEmpty(OnnxChecker.CheckRuntimeSafety(model, null));
    }

    [TestMethod]
    public void A_cycle_is_BCONV3147_and_does_not_hang_the_depth_count()
    {
        var model = Chain(3);
        model.Functions[2].Node[0] = new NodeProto { OpType = "f0", Domain = "local", Input = { "a" }, Output = { "b" } };

        var codes = OnnxChecker.Check(model, null).Select(d => d.Code).ToArray();

        CollectionAssert.Contains(codes, "BCONV3147");
        CollectionAssert.DoesNotContain(codes, "BCONV3151");
    }

    /// <summary>y = f0(x); f_i calls f_{i+1}; the last is Identity.</summary>
    internal static ModelProto Chain(int depth)
    {
        var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimValue = 2 } } } } };
        var graph = new GraphProto { Name = "chain" };
        graph.Input.Add(new ValueInfoProto { Name = "x", Type = type });
        graph.Output.Add(new ValueInfoProto { Name = "y", Type = type.Clone() });
        graph.Node.Add(new NodeProto { Name = "call", OpType = "f0", Domain = "local", Input = { "x" }, Output = { "y" } });
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "local", Version = 1 });
        for (var i = 0; i < depth; i++)
        {
            var function = new FunctionProto { Name = "f" + i, Domain = "local", Input = { "a" }, Output = { "b" } };
            function.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
            function.OpsetImport.Add(new OperatorSetIdProto { Domain = "local", Version = 1 });
            function.Node.Add(i + 1 < depth
                ? new NodeProto { OpType = "f" + (i + 1), Domain = "local", Input = { "a" }, Output = { "b" } }
                : new NodeProto { OpType = "Identity", Input = { "a" }, Output = { "b" } });
            model.Functions.Add(function);
        }

        return model;
    }
}
