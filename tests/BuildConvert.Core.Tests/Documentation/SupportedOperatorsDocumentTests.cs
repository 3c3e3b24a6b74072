using BuildConvert.Core.Checking;
using BuildConvert.Core.Documentation;

namespace BuildConvert.Core.Tests.Documentation;

[TestClass]
public sealed class SupportedOperatorsDocumentTests
{
    /// <summary>docs/supported-ops.md is generated; set BUILDCONVERT_UPDATE_DOCS=1 (eng/update-docs.sh) to rewrite it.</summary>
    [TestMethod]
    public void SupportedOperatorsDocumentIsCurrent()
    {
        var path = Path.Combine(RepoPaths.Root, "docs", "supported-ops.md");
        var expected = SupportedOperatorsDocument.Render(OperatorSchemaRegistry.Default);
        if (Environment.GetEnvironmentVariable("BUILDCONVERT_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.IsTrue(File.Exists(path), "docs/supported-ops.md is missing: run bash eng/update-docs.sh");
        Assert.AreEqual(expected, File.ReadAllText(path).ReplaceLineEndings("\n"), "docs/supported-ops.md is stale: run bash eng/update-docs.sh");
        StringAssert.Contains(expected, "| Conv | 1, 11, 22 |");
    }
}
