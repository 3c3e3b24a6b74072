using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Tests.Pipeline;

/// <summary>One rule for passed/failed/error, keyed on the stage a run stopped at and whose fault it was.</summary>
[TestClass]
public sealed class OutcomeRuleTests
{
    [TestMethod]
    public void OnlyAModelJudgedWrongByTheCheckerOrTheGoldenComparison_Failed()
    {
        Assert.AreEqual(PipelineOutcome.Passed, OutcomeRule.Of(null));
        // The whole table, written out: exactly three of its cells are "failed".
        var failed = new HashSet<StageFailure>
        {
            new(PipelineStage.CheckSource, FaultKind.Model),
            new(PipelineStage.Check, FaultKind.Model),
            new(PipelineStage.Validate, FaultKind.Model),
        };
        var cells = 0;
        foreach (var stage in Enum.GetValues<PipelineStage>())
        {
            foreach (var fault in Enum.GetValues<FaultKind>())
            {
                cells++;
                var cell = new StageFailure(stage, fault);
                Assert.AreEqual(failed.Contains(cell) ? PipelineOutcome.Failed : PipelineOutcome.Error, OutcomeRule.Of(cell), $"{stage}/{fault}");
            }
        }

        Assert.AreEqual(8 * 3, cells, "eight stages, three faults");
    }

    [TestMethod]
    public void AValidationThatComparedAndMismatched_IsTheModels_OneThatComparedNothing_IsTheInputs()
    {
        var mismatch = new OutputComparison("y", false, null, 4, 1, 1, 1, null, null, null, 1, 1, Tolerance.Default, null);
        var compared = new ValidationReport("m.onnx", new[] { new DataSetResult("test_data_set_0", new[] { mismatch }) },
            new[] { DiagnosticCodes.InternalError.Create("x") with { Severity = DiagnosticSeverity.Error } });
        var notCompared = new ValidationReport("m.onnx", Array.Empty<DataSetResult>(), new[] { DiagnosticCodes.GoldenDataMissing.Create("none") });

        Assert.AreEqual(new StageFailure(PipelineStage.Validate, FaultKind.Model), OutcomeRule.OfValidation(compared));
        Assert.AreEqual(new StageFailure(PipelineStage.Validate, FaultKind.Input), OutcomeRule.OfValidation(notCompared));
        Assert.IsNull(OutcomeRule.OfValidation(new ValidationReport("m.onnx", Array.Empty<DataSetResult>(), Array.Empty<Diagnostic>())));
    }

    [TestMethod]
    public void ThePipelineRecordsWhereItStopped()
    {
        using var folder = new ScratchFolder();
        var missing = new ModelPipeline().Convert(new ConvertRequest(Path.Combine(folder.Path, "nope.onnx"), Path.Combine(folder.Path, "o.onnx"), new ConversionOptions()), null);
        Assert.AreEqual(new StageFailure(PipelineStage.Detect, FaultKind.Input), missing.Failure);

        var corrupt = Bytes(folder, "corrupt.onnx", new byte[] { 0x08, 0x07, 0x3a, 0xff, 0x01 });
        var unreadable = new ModelPipeline().Convert(new ConvertRequest(corrupt, Path.Combine(folder.Path, "o.onnx"), new ConversionOptions()), null);
        Assert.AreEqual(PipelineOutcome.Error, unreadable.Outcome, string.Join("\n", unreadable.Diagnostics));
        Assert.IsFalse(unreadable.CheckerPassed);

        var model = PipelineTestFiles.AddRelu();
        model.Graph.Node.RemoveAt(0);
        var dangling = PipelineTestFiles.Write(model, folder.Path, "dangling.onnx");
        var rejected = new ModelPipeline().Convert(new ConvertRequest(dangling, Path.Combine(folder.Path, "o.onnx"), new ConversionOptions()), null);
        Assert.AreEqual(new StageFailure(PipelineStage.CheckSource, FaultKind.Model), rejected.Failure);
        Assert.AreEqual(PipelineOutcome.Failed, rejected.Outcome);
        Assert.IsFalse(rejected.CheckerPassed);
    }

    private static string Bytes(ScratchFolder folder, string name, byte[] bytes)
    {
        var path = Path.Combine(folder.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
