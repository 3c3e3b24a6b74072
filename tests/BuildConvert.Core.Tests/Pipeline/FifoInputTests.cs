using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Tests.Pipeline;

/// <summary>Format detection runs before the reader; it must not open a FIFO either (opening one blocks forever).</summary>
[TestClass]
public sealed class FifoInputTests
{
    [TestMethod]
    [DataRow("model.onnx")]
    [DataRow("model.bin")]
    public void AFifoGivenForConversionIsRejectedWithoutBlocking(string name)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("FIFOs need Linux");
        }

        using var scratch = new ScratchFolder();
        var fifo = Path.Combine(scratch.Path, name);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
        }

        var run = Task.Run(() => new ModelPipeline().Convert(new ConvertRequest(fifo, Path.Combine(scratch.Path, "out.onnx"), new ConversionOptions()), null));
        Assert.IsTrue(run.Wait(TimeSpan.FromSeconds(20)), "format detection or reading blocked on the FIFO");
        Assert.IsFalse(run.Result.Succeeded);
        var code = run.Result.Diagnostics.First().Code;
        Assert.IsTrue(code is "BCONV1002" or "BCONV0004", code);
        Assert.IsFalse(File.Exists(Path.Combine(scratch.Path, "out.onnx")));
    }
}
