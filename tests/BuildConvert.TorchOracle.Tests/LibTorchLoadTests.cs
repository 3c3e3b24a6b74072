using BuildConvert.TorchOracle.Protocol;

namespace BuildConvert.TorchOracle.Tests;

/// <summary>When LibTorch cannot load, the oracle says why (the loader's own text) and how to fix it, as BCONV4101.</summary>
[TestClass]
public sealed class LibTorchLoadTests
{
    private static string OracleFolder => Path.GetDirectoryName(OracleProcess.OracleDll)!;

    [TestMethod]
    public void ProbeLoadsThePatchedNatives()
    {
        var (code, stdout, stderr) = OracleProcess.Run(null, "probe");
        Assert.AreEqual(0, code, stdout + stderr);
        StringAssert.Contains(stdout, TorchOracleProtocol.KeyLibTorch);
        Assert.IsFalse(Directory.Exists(Path.Combine(OracleFolder, "cpu")), "TorchSharp's fallback copy of the natives must not be needed");
    }

    [TestMethod]
    public void AFolderWithoutTheNativesIsBconv4101()
    {
        var missing = Path.Combine(Path.GetTempPath(), "bconv-no-libtorch-" + Guid.NewGuid().ToString("N"));
        var answer = OracleProcess.Golden(Path.Combine(OracleProcess.SmallFixtures, "layer_norm", "traced.pt"), inputShapes: "x:1,5,16",
            environment: new Dictionary<string, string> { ["BUILDCONVERT_LIBTORCH_DIR"] = missing });
        Assert.AreEqual(1, answer.ExitCode, answer.Stderr);
        Assert.AreEqual("BCONV4101", answer.Codes);
        StringAssert.Contains(answer.Diagnostics[0].Message, "libLibTorchSharp.so is not in");
        StringAssert.Contains(answer.Diagnostics[0].Message, "eng/publish-torch-oracle.sh");
    }

    [TestMethod]
    public void TheUnpatchedShimGivesTheLoadersMessage()
    {
        // TorchSharp's shim as the package ships it, beside the libtorch natives of the oracle's folder.
        var package = Path.Combine(NuGetRoot(), "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!OperatingSystem.IsLinux() || !File.Exists(package))
        {
            Assert.Inconclusive($"needs Linux and the TorchSharp package at {package}");
        }

        var folder = Path.Combine(Path.GetTempPath(), "bconv-unpatched-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.Copy(package, Path.Combine(folder, "libLibTorchSharp.so"));
            foreach (var native in Directory.EnumerateFiles(OracleFolder, "lib*.so*").Where(f => !f.EndsWith("libLibTorchSharp.so", StringComparison.Ordinal) && !f.Contains("glibcxx_shim", StringComparison.Ordinal)))
            {
                File.CreateSymbolicLink(Path.Combine(folder, Path.GetFileName(native)), native);
            }

            var answer = OracleProcess.Golden(Path.Combine(OracleProcess.SmallFixtures, "layer_norm", "traced.pt"), inputShapes: "x:1,5,16",
                environment: new Dictionary<string, string> { ["BUILDCONVERT_LIBTORCH_DIR"] = folder });
            if (SystemHasGlibcxx3432())
            {
                Assert.AreEqual(0, answer.ExitCode, "the unpatched shim loads where libstdc++ has GLIBCXX_3.4.32: " + answer.Codes);
                return;
            }

            Assert.AreEqual("BCONV4101", answer.Codes, answer.Stderr);
            var message = answer.Diagnostics[0].Message;
            StringAssert.Contains(message, "GLIBCXX_3.4.32");
            StringAssert.Contains(message, "eng/torchsharp/fix-glibcxx.sh");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static bool SystemHasGlibcxx3432()
    {
        var candidates = new[] { "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" };
        var path = candidates.FirstOrDefault(File.Exists);
        return path is not null && System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(path)).Contains("GLIBCXX_3.4.32", StringComparison.Ordinal);
    }

    private static string NuGetRoot() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } root ? root : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
