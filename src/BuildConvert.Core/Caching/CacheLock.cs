using System.Diagnostics;

namespace BuildConvert.Core.Caching;

/// <summary>
/// A cross-process lock on one cache key: a lock file opened with <see cref="FileShare.None"/> (an exclusive
/// <c>flock</c> on Unix, a sharing lock on Windows), held until disposed. The operating system drops it when the process
/// dies, so a crashed build never leaves a key locked. Two threads of one process exclude each other too.
/// </summary>
public sealed class CacheLock : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly FileStream stream;

    private CacheLock(FileStream stream) => this.stream = stream;

    /// <summary>Takes the lock at <paramref name="path"/>, waiting at most <paramref name="timeout"/>.</summary>
    /// <returns>The held lock, or null when another holder kept it past the timeout.</returns>
    /// <exception cref="IOException">The lock file cannot be created (a missing or read-only cache folder).</exception>
    /// <exception cref="UnauthorizedAccessException">The lock file cannot be created.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public static CacheLock? TryAcquire(string path, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new CacheLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
            }
            catch (IOException) when (File.Exists(path) && clock.Elapsed < timeout)
            {
                // Held by another build (a sharing violation); wait for it.
            }
            catch (IOException) when (File.Exists(path))
            {
                return null;
            }

            cancellationToken.WaitHandle.WaitOne(Poll);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Releases the lock. The lock file stays: deleting it would race with a process about to open it.</summary>
    public void Dispose() => stream.Dispose();
}
