using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace BuildConvert.Validation;

/// <summary>
/// Stops one ONNX Runtime run when the process grows past a budget while it runs. Golden inputs are user data: a corrupted
/// Loop trip count can make a model allocate until the operating system kills the process, which in a build is a crash
/// instead of a coded error. The guard samples the working set a few times a second and sets
/// <see cref="RunOptions.Terminate"/>; ONNX Runtime then fails the run between kernels. Dispose it when the run returns.
/// </summary>
internal sealed class MemoryGuard : IDisposable
{
    /// <summary>Overrides the budget, in MiB; 0 turns the guard off.</summary>
    public const string LimitVariable = "BUILDCONVERT_VALIDATION_MEMORY_LIMIT_MB";

    private readonly RunOptions runOptions;
    private readonly long baseline;
    private readonly long budget;
    private readonly Timer? timer;
    private int exceeded;

    /// <summary>Starts watching; <paramref name="runOptions"/> must outlive the guard.</summary>
    public MemoryGuard(RunOptions runOptions)
    {
        this.runOptions = runOptions;
        budget = BudgetBytes();
        baseline = Environment.WorkingSet;
        if (budget > 0)
        {
            timer = new Timer(_ => Sample(), null, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Whether the guard stopped the run.</summary>
    public bool Exceeded => Volatile.Read(ref exceeded) != 0;

    /// <summary>The budget in MiB, for messages.</summary>
    public long BudgetMiB => budget / (1024 * 1024);

    /// <summary>The growth budget: <see cref="LimitVariable"/> when set, else half the memory available to the process.</summary>
    internal static long BudgetBytes()
    {
        var text = Environment.GetEnvironmentVariable(LimitVariable);
        if (!string.IsNullOrWhiteSpace(text) && long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var mib))
        {
            return mib * 1024 * 1024;
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;
    }

    public void Dispose() => timer?.Dispose();

    private void Sample()
    {
        if (Environment.WorkingSet - baseline > budget && Interlocked.Exchange(ref exceeded, 1) == 0)
        {
            runOptions.Terminate = true;
        }
    }
}
