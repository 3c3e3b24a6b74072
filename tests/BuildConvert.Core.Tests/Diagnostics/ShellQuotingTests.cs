using System.Diagnostics;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Tests.Diagnostics;

[TestClass]
public sealed class ShellQuotingTests
{
    private static readonly string[] Hostile =
    [
        "/models/my model.onnx",
        "it's",
        "say \"hi\"",
        "$HOME/$(id)/`id`",
        @"C:\models\a b\m.onnx",
        "back\\slash\\",
        "",
        "'",
        "''\\''",
        "tab\there",
        "line\nbreak",
        "*.onnx ?[ab]",
        "a;b|c&d>e<f",
        "~user",
        "#hash",
        "ünïcødé 模型",
    ];

    [TestMethod]
    public void PlainArgumentsStayAsTheyAre()
    {
        Assert.AreEqual("--opset", ShellQuoting.Quote("--opset"));
        Assert.AreEqual("/a/b-c_d.onnx", ShellQuoting.Quote("/a/b-c_d.onnx"));
        Assert.AreEqual("x=1,y@2+3%", ShellQuoting.Quote("x=1,y@2+3%"));
        Assert.AreEqual("''", ShellQuoting.Quote(""));
        Assert.AreEqual("'it'\\''s'", ShellQuoting.Quote("it's"));
        Assert.AreEqual("buildconvert convert 'a b.onnx' -o out.onnx", ShellQuoting.Join(["buildconvert", "convert", "a b.onnx", "-o", "out.onnx"]));
    }

    [TestMethod]
    public void AShellReadsBackExactlyTheArguments()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("needs a POSIX shell");
        }

        // The shell is the oracle: it must split the quoted line into the original arguments, expanding nothing.
        var script = "for a in " + ShellQuoting.Join(Hostile) + "; do printf '%s\\0' \"$a\"; done";
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment["HOME"] = "/should-not-appear";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(10_000));
        Assert.AreEqual(0, process.ExitCode);
        CollectionAssert.AreEqual(Hostile, output.Split('\0')[..^1]);
    }

    [TestMethod]
    public void ARenderedReproLineStaysOneLine()
    {
        var line = DiagnosticEscaping.Escape(ShellQuoting.Join(["buildconvert", "verify", "y\nerror BCONV0000: fake"]))!;
        Assert.IsFalse(line.Contains('\n'));
    }
}
