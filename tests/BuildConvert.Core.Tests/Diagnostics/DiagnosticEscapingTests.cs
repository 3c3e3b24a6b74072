using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Tests.Diagnostics;

[TestClass]
public sealed class DiagnosticEscapingTests
{
    [TestMethod]
    public void Control_characters_separators_and_bidi_overrides_are_escaped_and_other_text_is_kept()
    {
        Assert.AreEqual("y\\nerror BCONV0000: fake", DiagnosticEscaping.Escape("y\nerror BCONV0000: fake"));
        Assert.AreEqual("a\\rb\\tc\\u0000d\\u001be\\u007ff\\u0085g\\u2028h\\u202ei", DiagnosticEscaping.Escape("a\rb\tc\0d\u001be\u007ff\u0085g\u2028h\u202ei"));
        const string Plain = @"C:\models\résumé 模型 'x:0'";
        Assert.AreSame(Plain, DiagnosticEscaping.Escape(Plain));
        Assert.IsNull(DiagnosticEscaping.Escape(null));
    }

    [TestMethod]
    public void A_diagnostic_always_formats_as_one_line()
    {
        var diagnostic = DiagnosticCodes.OutputMismatch.Create("output 'y\nerror BCONV0000: fake' differs", "/tmp/a\nb.pb", "y\r\nz");

        var text = diagnostic.ToString();

        Assert.AreEqual(@"/tmp/a\nb.pb: error BCONV4001: output 'y\nerror BCONV0000: fake' differs [y\r\nz]", text);
        Assert.IsFalse(text.Contains('\n'));
    }
}
