using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;
using BuildConvert.Core.Checking;
using BuildConvert.Core.Converters.Onnx;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Graphs;
using static BuildConvert.Core.Tests.Converters.Onnx.OpsetTestModels;

namespace BuildConvert.Core.Tests.Converters.Onnx;

[TestClass]
public sealed class OpsetStepRulesTests
{
    [TestMethod]
    public void EveryBoundaryOfTheSchemaTableHasARule()
    {
        var missing = OpsetStepRules.Default.Missing(OperatorSchemaRegistry.Default);
        Assert.IsEmpty(missing, string.Join("\n", missing));
    }

    /// <summary>A boundary recorded as compatible must not change inputs, outputs or attributes: such a change needs an adapter.</summary>
    [TestMethod]
    public void CompatibleBoundariesChangeNoSignature()
    {
        var schemas = OperatorSchemaRegistry.Default;
        var problems = new List<string>();
        foreach (var rule in OpsetStepRules.Default.All.Where(r => r.Kind == OpsetStepKind.Compatible))
        {
            var versions = schemas.GetVersions("", rule.OpType);
            var newer = versions.Single(s => s.SinceVersion == rule.Version);
            var older = versions.Last(s => s.SinceVersion < rule.Version);
            string Sig(OperatorSchema s) => string.Join(";", s.Inputs.Select(i => $"{i.Name}:{i.Option}")) + "|" +
                string.Join(";", s.Outputs.Select(i => $"{i.Name}:{i.Option}")) + "|" +
                string.Join(";", s.Attributes.OrderBy(a => a.Name, StringComparer.Ordinal).Select(a => $"{a.Name}:{a.Type}:{a.Required}"));
            if (Sig(older) != Sig(newer) || newer.Deprecated)
            {
                problems.Add($"{rule.OpType} {rule.Version}: {Sig(older)} -> {Sig(newer)}");
            }
        }

        Assert.IsEmpty(problems, string.Join("\n", problems));
    }

    [TestMethod]
    public void OpsetConversionDocumentIsCurrent()
    {
        var path = Path.Combine(RepoPaths.Root, "docs", "opset-conversion.md");
        var expected = OpsetConversionDocument.Render(OpsetStepRules.Default, OperatorSchemaRegistry.Default);
        if (Environment.GetEnvironmentVariable("BUILDCONVERT_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.IsTrue(File.Exists(path), "docs/opset-conversion.md is missing: run bash eng/update-docs.sh");
        Assert.AreEqual(expected, File.ReadAllText(path).ReplaceLineEndings("\n"), "docs/opset-conversion.md is stale: run bash eng/update-docs.sh");
        StringAssert.Contains(expected, "| Softmax | 13 |");
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(29)]
    [DataRow(-3)]
    public void TargetOutsideOneTo28IsBconv2003(int target)
    {
        var (model, _) = Single(13, "Relu", new[] { ("x", Float(2)) });
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => OnnxOpsetConverter.Convert(model, target));
        Assert.AreEqual("BCONV2003", ex.Code);
    }

    [TestMethod]
    public void OpsetAndIrVersionAreRaised()
    {
        var (model, _) = Single(7, "Relu", new[] { ("x", Float(2)) });
        model.IrVersion = 3;
        var result = ConvertChecked(model, 21);
        Assert.AreEqual(21, model.OpsetVersion(""));
        Assert.AreEqual(10, model.IrVersion);
        Assert.AreEqual(7, result.SourceOpset);
        Assert.IsEmpty(result.Steps, "Relu's boundaries 13 and 14 are compatible");
    }

    [TestMethod]
    public void DowngradeKeepsTheIrVersion()
    {
        var (model, _) = Single(28, "Relu", new[] { ("x", Float(2)) });
        OnnxOpsetConverter.Convert(model, 26);
        Assert.AreEqual(26, model.OpsetVersion(""));
        Assert.AreEqual(13, model.IrVersion);
    }

    [TestMethod]
    public void EveryImpossibleNodeIsListedInOneError()
    {
        var model = new Model(13, 7);
        var g = model.Graph;
        var x = g.AddInput("x", Float(2, 3));
        var axes = g.AddInput("axes", OnnxType.Tensor(DataType.Int64, 1));
        var a = g.AddNode("Squeeze", new[] { x, axes }, name: "first");
        var b = g.AddNode("Unsqueeze", new[] { a.Outputs[0], axes }, name: "second");
        g.Outputs.Add(b.Outputs[0]!);
        var message = ConvertFails(model, 11);
        StringAssert.Contains(message, "2 nodes");
        StringAssert.Contains(message, "node 'first' (Squeeze)");
        StringAssert.Contains(message, "node 'second' (Unsqueeze)");
        StringAssert.Contains(message, "computed at run time");
    }

    [TestMethod]
    public void OtherDomainsAreLeftAlone()
    {
        var model = new Model(9, 4);
        model.SetOpset("com.example", 1);
        var g = model.Graph;
        var x = g.AddInput("x", Float(2));
        var n = g.AddNode("Softmax", new[] { x }, domain: "com.example", name: "custom");
        g.Outputs.Add(n.Outputs[0]!);
        OnnxOpsetConverter.Convert(model, 17);
        Assert.AreEqual("Softmax", n.OpType);
        Assert.IsEmpty(n.Attributes);
    }

    [TestMethod]
    public void NodesInSubgraphsAreConverted()
    {
        var model = new Model(11, 6);
        var g = model.Graph;
        var cond = g.AddInput("cond", OnnxType.Tensor(DataType.Bool));
        var x = g.AddInput("x", Float(1, 3));
        var thenBranch = g.CreateSubgraph("then");
        var sq = thenBranch.AddNode("Squeeze", new[] { x }, attributes: new[] { NodeAttribute.Of("axes", new long[] { 0 }) }, name: "inner");
        thenBranch.Outputs.Add(sq.Outputs[0]!);
        var elseBranch = g.CreateSubgraph("else");
        var sq2 = elseBranch.AddNode("Squeeze", new[] { x }, attributes: new[] { NodeAttribute.Of("axes", new long[] { 0 }) }, name: "inner2");
        elseBranch.Outputs.Add(sq2.Outputs[0]!);
        var iff = g.AddNode("If", new[] { cond }, attributes: new[] { NodeAttribute.Of("then_branch", thenBranch), NodeAttribute.Of("else_branch", elseBranch) });
        g.Outputs.Add(iff.Outputs[0]!);
        OnnxOpsetConverter.Convert(model, 13);
        Assert.IsFalse(sq.HasAttribute("axes"));
        Assert.AreEqual(2, sq.Inputs.Count);
        CollectionAssert.AreEqual(new long[] { 0 }, sq.Input(1)!.ConstantValue!.ToInt64s());
    }
}
