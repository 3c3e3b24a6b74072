using BuildConvert.Core.Diagnostics;

namespace BuildConvert.MSBuild.Tests;

[TestClass]
public sealed class TaskCodesTests
{
    [TestMethod]
    public void EveryCodeTheTaskRaises_IsAnErrorRowOfTheDiagnosticsTable()
    {
        Assert.IsNotEmpty(TaskCodes.All);
        foreach (var code in TaskCodes.All)
        {
            var descriptor = DiagnosticCodes.Find(code);
            Assert.IsNotNull(descriptor, $"{code} is raised by the MSBuild task but is not in DiagnosticCodes");
            Assert.AreEqual(DiagnosticSeverity.Error, descriptor.Severity, code);
            Assert.AreEqual(descriptor.HelpLink, TaskCodes.HelpLink(code), code);
        }
    }

    [TestMethod]
    public void TheTaskConstants_NameTheRowsTheyDescribe()
    {
        Assert.AreEqual(TaskCodes.InputNotFound, DiagnosticCodes.InputNotFound.Code);
        Assert.AreEqual(TaskCodes.ToolNotFound, DiagnosticCodes.ToolNotFound.Code);
        Assert.AreEqual(TaskCodes.ToolFailed, DiagnosticCodes.ToolFailedInBuild.Code);
        Assert.AreEqual(TaskCodes.ToolProtocolError, DiagnosticCodes.ToolProtocolError.Code);
        Assert.AreEqual(TaskCodes.DuplicateOutput, DiagnosticCodes.DuplicateModelOutput.Code);
        Assert.AreEqual(TaskCodes.InvalidMetadata, DiagnosticCodes.InvalidItemMetadata.Code);
        Assert.AreEqual(TaskCodes.StampNotWritten, DiagnosticCodes.StampNotWritten.Code);
        Assert.AreEqual(TaskCodes.RequestNotWritten, DiagnosticCodes.RequestNotWritten.Code);
        Assert.AreEqual(TaskCodes.OutputNotDeleted, DiagnosticCodes.OutputNotDeleted.Code);
        Assert.AreEqual(TaskCodes.DependencyFileNotWritten, DiagnosticCodes.DependencyFileNotWritten.Code);
    }

    [TestMethod]
    public void TheMSBuildRange_HoldsOnlyCodesFrom0200To0299()
    {
        var msbuildRows = typeof(DiagnosticCodes).GetFields()
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .Where(d => string.CompareOrdinal(d.Code, "BCONV0200") >= 0 && string.CompareOrdinal(d.Code, "BCONV0299") <= 0)
            .ToArray();
        Assert.HasCount(TaskCodes.All.Count(c => string.CompareOrdinal(c, "BCONV0200") >= 0), msbuildRows, "every 02xx row is a code the task raises");
        Assert.HasCount(9, msbuildRows);
        foreach (var row in msbuildRows)
        {
            Assert.IsFalse(string.IsNullOrWhiteSpace(row.Title), row.Code);
            Assert.IsFalse(string.IsNullOrWhiteSpace(row.Help), row.Code);
        }
    }
}
