using System.Text.RegularExpressions;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Tests.Diagnostics;

[TestClass]
public sealed partial class DiagnosticCodesTests
{
    [TestMethod]
    public void CodesAreUniqueWellFormedAndDescribed()
    {
        var all = DiagnosticCodes.All;
        Assert.IsNotEmpty(all);
        var duplicates = all.GroupBy(d => d.Code).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.IsEmpty(duplicates, "duplicate codes: " + string.Join(", ", duplicates));
        foreach (var d in all)
        {
            Assert.IsTrue(CodePattern().IsMatch(d.Code), $"malformed code {d.Code}");
            Assert.IsFalse(string.IsNullOrWhiteSpace(d.Title), $"{d.Code} has no title");
            Assert.IsFalse(string.IsNullOrWhiteSpace(d.Help), $"{d.Code} has no help text");
            Assert.AreNotEqual('.', d.Title[^1], $"{d.Code}: titles are phrases without a final period");
        }
    }

    /// <summary>docs/diagnostics.md is generated from the table; set BUILDCONVERT_UPDATE_DOCS=1 (eng/update-docs.sh) to rewrite it.</summary>
    [TestMethod]
    public void DiagnosticsDocumentIsCurrent()
    {
        var path = Path.Combine(RepoPaths.Root, "docs", "diagnostics.md");
        var expected = DiagnosticsDocument.Render();
        if (Environment.GetEnvironmentVariable("BUILDCONVERT_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.IsTrue(File.Exists(path), "docs/diagnostics.md is missing: run bash eng/update-docs.sh");
        Assert.AreEqual(expected, File.ReadAllText(path).ReplaceLineEndings("\n"), "docs/diagnostics.md is stale: run bash eng/update-docs.sh");
        foreach (var d in DiagnosticCodes.All)
        {
            StringAssert.Contains(File.ReadAllText(path), "### " + d.Code);
        }
    }

    /// <summary>Every BCONV code written anywhere in src (C#, props, targets) is a row of the table, so none escapes the docs.</summary>
    [TestMethod]
    public void EveryCodeUsedInTheSourcesIsInTheTable()
    {
        var src = Path.Combine(RepoPaths.Root, "src");
        var files = Directory.EnumerateFiles(src, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".props", StringComparison.Ordinal) || f.EndsWith(".targets", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.IsGreaterThan(50, files.Count);
        var used = files.SelectMany(f => UsedCode().Matches(File.ReadAllText(f)).Select(m => (Code: m.Value, File: Path.GetRelativePath(src, f)))).ToList();
        Assert.IsGreaterThan(100, used.Count, "the scan found too few codes to be looking at the right files");
        var unknown = used.Where(u => DiagnosticCodes.Find(u.Code) is null).Select(u => $"{u.Code} in {u.File}").Distinct().ToList();
        Assert.IsEmpty(unknown, "codes not in the table: " + string.Join(", ", unknown));
    }

    [GeneratedRegex(@"BCONV[0-9]{4}")]
    private static partial Regex UsedCode();

    [GeneratedRegex(@"^BCONV[0-9]{4}$")]
    private static partial Regex CodePattern();
}
