using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Values;
using Google.Protobuf;

namespace BuildConvert.Validation.Tests;

/// <summary>
/// A golden input that asks a Loop for 10^12 iterations makes ONNX Runtime allocate without end. The validator must stop
/// it with a coded error pointing at the golden input instead of being killed by the operating system.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class MemoryGuardTests
{
    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public void RunawayLoopIsStoppedWithTheMemoryLimitCode()
    {
        var source = Path.Combine(TestPaths.OnnxBackendCorpus, "node", "test_loop11");
        if (!Directory.Exists(source))
        {
            Assert.Inconclusive("the onnx-backend corpus is not beside the repository");
        }

        var work = TestPaths.NewTempFolder();
        var previous = Environment.GetEnvironmentVariable(MemoryGuard.LimitVariable);
        try
        {
            File.Copy(Path.Combine(source, "model.onnx"), Path.Combine(work, "model.onnx"));
            var data = Path.Combine(work, "test_data_set_0");
            Directory.CreateDirectory(data);
            foreach (var file in Directory.GetFiles(Path.Combine(source, "test_data_set_0")))
            {
                File.Copy(file, Path.Combine(data, Path.GetFileName(file)));
            }

            // input_0 is the trip count (int64 scalar): 5 in the corpus, 10^12 here.
            var tripCount = new TensorValue("trip_count", TensorProto.Types.DataType.Int64, Array.Empty<long>(), BitConverter.GetBytes(1_000_000_000_000L));
            var inputFile = Path.Combine(data, "input_0.pb");
            File.WriteAllBytes(inputFile, OnnxTensorCodec.ToTensorProto(tripCount).ToByteArray());

            Environment.SetEnvironmentVariable(MemoryGuard.LimitVariable, "300");
            var started = DateTime.UtcNow;
            var report = new OrtModelValidator(intraOpThreads: 1).Validate(Path.Combine(work, "model.onnx"), work, ToleranceSet.Default);

            Assert.IsFalse(report.Passed);
            var diagnostic = report.Diagnostics.Single();
            Assert.AreEqual("BCONV4012", diagnostic.Code, diagnostic.ToString());
            Assert.AreEqual(inputFile, diagnostic.File);
            StringAssert.Contains(diagnostic.Message, "300 MiB");
            Assert.IsLessThan(60, (DateTime.UtcNow - started).TotalSeconds);
        }
        finally
        {
            Environment.SetEnvironmentVariable(MemoryGuard.LimitVariable, previous);
            Directory.Delete(work, recursive: true);
        }
    }

    [TestMethod]
    public void BudgetComesFromTheEnvironmentOrHalfTheAvailableMemory()
    {
        var previous = Environment.GetEnvironmentVariable(MemoryGuard.LimitVariable);
        try
        {
            Environment.SetEnvironmentVariable(MemoryGuard.LimitVariable, "12");
            Assert.AreEqual(12L * 1024 * 1024, MemoryGuard.BudgetBytes());
            Environment.SetEnvironmentVariable(MemoryGuard.LimitVariable, null);
            Assert.AreEqual(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2, MemoryGuard.BudgetBytes());
        }
        finally
        {
            Environment.SetEnvironmentVariable(MemoryGuard.LimitVariable, previous);
        }
    }
}
