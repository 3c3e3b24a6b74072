using BuildConvert.Core.Checking;
using BuildConvert.Core.Tests.Formats.Onnx;

namespace BuildConvert.Core.Tests.Checking;

[TestClass]
public sealed class OnnxCheckerCorpusTests
{
    [TestMethod]
    [DataRow("node")]
    [DataRow("simple")]
    [DataRow("pytorch-converted")]
    [DataRow("pytorch-operator")]
    [DataRow("light")]
    public void AcceptsEveryModelOfTheBackendCorpus(string folder)
    {
        var models = OnnxCorpus.Models(folder);
        Assert.IsNotEmpty(models);
        var failures = new List<string>();
        foreach (var model in models)
        {
            var problems = OnnxChecker.CheckFile(model);
            foreach (var problem in problems)
            {
                failures.Add($"{Path.GetRelativePath(OnnxCorpus.Root, model)}: {problem.Code} {problem.Message}");
            }
        }

        Assert.IsEmpty(failures, $"{failures.Count} problems in {models.Count} models:\n" + string.Join("\n", failures.Take(200)));
    }
}
