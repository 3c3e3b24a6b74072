using BuildConvert.Core.Checking;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Tests.Checking;

[TestClass]
public sealed class OnnxCheckerMutationTests
{
    public static IEnumerable<object[]> Cases => CheckerMutation.All.Select(m => new object[] { m.Name });

    [TestMethod]
    public void TheBaseModelIsValid()
    {
        var problems = OnnxChecker.Check(CheckerTestModels.Valid(), null);
        Assert.IsEmpty(problems, string.Join("\n", problems));
    }

    [TestMethod]
    public void TheTableCoversAtLeast45DistinctRules()
    {
        var codes = CheckerMutation.All.Select(m => m.Expected).Distinct().ToArray();
        Assert.IsGreaterThanOrEqualTo(45, codes.Length, string.Join(", ", codes));
        Assert.HasCount(CheckerMutation.All.Count, CheckerMutation.All.Select(m => m.Name).Distinct());
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void EachMutationIsRejectedWithItsCode(string name)
    {
        var mutation = CheckerMutation.All.Single(m => m.Name == name);
        var model = CheckerTestModels.Valid();
        mutation.Mutate(model);

        var problems = OnnxChecker.Check(model, null);

        var expected = mutation.Also.Append(mutation.Expected).Distinct().Order(StringComparer.Ordinal).ToArray();
        var actual = problems.Select(p => p.Code).Distinct().Order(StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEqual(expected, actual, string.Join("\n", problems));
        Assert.IsTrue(problems.All(p => p.Message.Length > 10));
    }

    [TestMethod]
    public void ReportsEveryProblemNotJustTheFirst()
    {
        var model = CheckerTestModels.Valid();
        model.NodeNamed("relu").OpType = "Bogus";
        model.NodeNamed("matmul").Input[1] = "nope";
        model.Initializer("B").DataType = 0;
        model.Graph.Name = "";

        var codes = OnnxChecker.Check(model, null).Select(p => p.Code).ToHashSet();

        CollectionAssert.AreEquivalent(new[] { "BCONV3053", "BCONV3032", "BCONV3100", "BCONV3020" }, codes.ToArray());
    }

    [TestMethod]
    public void MessagesNameTheNodeOpAndAttribute()
    {
        var model = CheckerTestModels.Valid();
        model.NodeNamed("relu").Attribute.Add(new AttributeProto { Name = "foo", Type = AttributeProto.Types.AttributeType.Int, I = 1 });

        var problem = OnnxChecker.Check(model, null).Single();

        StringAssert.Contains(problem.Message, "node 'relu' (Relu)");
        StringAssert.Contains(problem.Message, "attribute 'foo'");
    }

    [TestMethod]
    public void StopsAfterTheDiagnosticLimitWithAWarning()
    {
        var model = CheckerTestModels.Valid();
        for (var i = 0; i < 20; i++)
        {
            model.Graph.Node.Add(CheckerTestModels.Node("Bogus", ["X"], [$"b{i}"], $"bogus{i}"));
        }

        var problems = OnnxChecker.Check(model, null, new OnnxCheckerOptions { MaxDiagnostics = 5 });

        Assert.HasCount(6, problems);
        Assert.AreEqual("BCONV3199", problems[^1].Code);
    }

    /// <summary>
    /// Writes the mutated models for the independent onnx.checker comparison (eng/checker/compare-mutations.py) when
    /// BUILDCONVERT_MUTATION_DUMP names a folder; otherwise does nothing.
    /// </summary>
    [TestMethod]
    public void DumpMutatedModelsForTheOnnxCheckerComparison()
    {
        var folder = Environment.GetEnvironmentVariable("BUILDCONVERT_MUTATION_DUMP");
        if (string.IsNullOrEmpty(folder))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        OnnxModelWriter.Write(CheckerTestModels.Valid(), Path.Combine(folder, "valid.onnx"));
        var manifest = new List<string> { "name\texpected\tonnx_rejects\tour_first_message" };
        foreach (var mutation in CheckerMutation.All)
        {
            var model = CheckerTestModels.Valid();
            mutation.Mutate(model);
            var first = OnnxChecker.Check(model, null).FirstOrDefault();
            manifest.Add($"{mutation.Name}\t{mutation.Expected}\t{(mutation.OnnxRejects ? "yes" : "no")}\t{first?.Message.ReplaceLineEndings(" ")}");
            using var stream = File.Create(Path.Combine(folder, mutation.Name + ".onnx"));
            OnnxModelWriter.Write(model, stream);
        }

        File.WriteAllLines(Path.Combine(folder, "expectations.tsv"), manifest);
    }
}
