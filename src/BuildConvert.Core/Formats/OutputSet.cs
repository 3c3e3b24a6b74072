using System.Diagnostics;
using System.Globalization;

namespace BuildConvert.Core.Formats;

/// <summary>
/// The one way BuildConvert puts files where a user asked for them: a set of outputs that belong together (a model and
/// its external data file, a golden folder's data sets, a single report) is written under the final names into one
/// private staging folder beside the destination, and only <see cref="Commit"/> renames the members into place, in
/// their declared order, the last member (the model) last. Until then the destination holds nothing new; a failure
/// while committing removes what it had already moved, so the set is never half there; <see cref="Dispose"/> removes
/// the staging folder. The staging folder's name carries the process id, so a process killed on the way (a native
/// crash in ONNX Runtime) leaves only that folder, and the next set opened for the same output removes it.
/// </summary>
/// <remarks>
/// Every I/O error is thrown as an <see cref="IOException"/> whose message names the final paths, never the staging
/// folder: the user asked for the output, not for our temporary names. Not thread-safe; one set per writer.
/// </remarks>
public sealed class OutputSet : IDisposable
{
    private const string StagingSuffix = ".staging";

    private readonly string[] members;
    private readonly bool folders;
    private readonly string label;
    private string? staging;

    private OutputSet(string folder, string label, string[] members, bool folders)
    {
        Folder = folder;
        this.label = label;
        this.members = members;
        this.folders = folders;
    }

    /// <summary>The folder the members' names are relative to.</summary>
    public string Folder { get; }

    /// <summary>The members' names relative to <see cref="Folder"/>, in commit order.</summary>
    public IReadOnlyList<string> Members => members;

    /// <summary>The staging folder once <see cref="Open"/> made it; null before and after the set is disposed.</summary>
    public string? StagingFolder => staging;

    /// <summary>
    /// A file and the sidecar files that belong with it (named relative to its folder): the sidecars are committed
    /// first and the file last, so a reader that finds the file finds its sidecars too.
    /// </summary>
    /// <param name="path">The main output (a model).</param>
    /// <param name="sidecars">Files beside it that belong to it (its external data file); a sidecar that is not staged
    /// when the set is committed is removed from the destination (it would be stale).</param>
    /// <exception cref="ArgumentException">An empty path or a sidecar name that leaves the file's folder.</exception>
    public static OutputSet ForFile(string path, params string[] sidecars)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(sidecars);
        var full = Path.GetFullPath(path);
        var name = Path.GetFileName(full);
        ArgumentException.ThrowIfNullOrEmpty(name, nameof(path));
        var folder = Path.GetDirectoryName(full) ?? ".";
        foreach (var sidecar in sidecars)
        {
            RequireInside(folder, sidecar, nameof(sidecars));
        }

        return new OutputSet(folder, name, [.. sidecars, name], folders: false);
    }

    /// <summary>
    /// A set of folders committed together (a golden folder's data sets), in the given order. A member that is not
    /// staged when the set is committed is removed from the destination.
    /// </summary>
    /// <param name="folder">The folder the names are relative to; the staging folder is made in it.</param>
    /// <param name="label">Names the staging folder (with the process id), so the next set with this label removes one
    /// a killed process left.</param>
    /// <param name="members">The folders' names relative to <paramref name="folder"/>.</param>
    /// <exception cref="ArgumentException">An empty label or a member that leaves <paramref name="folder"/>.</exception>
    public static OutputSet ForFolders(string folder, string label, IReadOnlyList<string> members)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(label);
        ArgumentNullException.ThrowIfNull(members);
        var full = Path.GetFullPath(folder);
        foreach (var member in members)
        {
            RequireInside(full, member, nameof(members));
        }

        return new OutputSet(full, label, [.. members], folders: true);
    }

    /// <summary>Writes one file at <paramref name="path"/> through a staging folder (see <see cref="OutputSet"/>).</summary>
    /// <param name="path">The file; its folder is created when missing.</param>
    /// <param name="write">Writes the content; the stream is flushed to disk and closed afterwards.</param>
    /// <exception cref="IOException">The file could not be written (the message names <paramref name="path"/>).</exception>
    public static void WriteFile(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var set = ForFile(path);
        set.Open();
        set.Write(set.members[^1], write);
        set.Commit();
    }

    /// <summary>The final path of <paramref name="member"/>.</summary>
    public string FinalPath(string member) => Path.GetFullPath(Path.Combine(Folder, member));

    /// <summary>Removes what the members' final paths hold now, so a run that fails later leaves no old output that
    /// looks current. A folder at a file member's path is left alone (writing there fails later, naming it).</summary>
    /// <exception cref="IOException">Something could not be removed.</exception>
    public void RemoveExisting()
    {
        foreach (var member in members)
        {
            var final = FinalPath(member);
            Guard(() => DeleteEntry(final), $"the previous output '{final}' cannot be removed");
        }
    }

    /// <summary>Creates <see cref="Folder"/> and a fresh staging folder in it, after removing the staging folders of
    /// this output that processes no longer running left behind.</summary>
    /// <exception cref="InvalidOperationException">The set is already open.</exception>
    /// <exception cref="IOException">The folder cannot be created or written.</exception>
    public void Open()
    {
        if (staging is not null)
        {
            throw new InvalidOperationException("the output set is already open");
        }

        Guard(() => Directory.CreateDirectory(Folder), $"the output folder '{Folder}' cannot be created");
        RemoveAbandoned();
        var path = Path.Combine(Folder, $".{label}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.{Guid.NewGuid():N}{StagingSuffix}");
        Guard(() => Directory.CreateDirectory(path), $"the output folder '{Folder}' is not writable");
        staging = path;
    }

    /// <summary>The staging path of <paramref name="relative"/> (a member, or a file inside a folder member), with
    /// its parent folders created. What is written there is what <see cref="Commit"/> puts in place.</summary>
    /// <exception cref="InvalidOperationException">The set is not open.</exception>
    /// <exception cref="ArgumentException"><paramref name="relative"/> leaves the set's folder.</exception>
    /// <exception cref="IOException">A folder cannot be created.</exception>
    public string Stage(string relative)
    {
        var root = staging ?? throw new InvalidOperationException("the output set is not open");
        RequireInside(Folder, relative, nameof(relative));
        var path = Path.GetFullPath(Path.Combine(root, relative));
        Guard(() => Directory.CreateDirectory(Path.GetDirectoryName(path)!), $"'{FinalPath(relative)}' cannot be written");
        return path;
    }

    /// <summary>Writes the staged file <paramref name="relative"/> with <paramref name="write"/>, then flushes it to disk.</summary>
    /// <exception cref="IOException">Creating or writing the file failed (the message names its final path).</exception>
    public void Write(string relative, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var path = Stage(relative);
        Guard(
            () =>
            {
                using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                write(stream);
                stream.Flush(flushToDisk: true);
            },
            $"'{FinalPath(relative)}' cannot be written");
    }

    /// <summary>
    /// Puts the staged members in place in their declared order (the last member is first removed from the
    /// destination and put back last); a member with nothing staged is removed from the destination. On failure the
    /// members moved so far are removed again, so the destination holds none of the set.
    /// </summary>
    /// <exception cref="InvalidOperationException">The set is not open.</exception>
    /// <exception cref="IOException">A rename failed (the message names the final path).</exception>
    public void Commit()
    {
        var root = staging ?? throw new InvalidOperationException("the output set is not open");
        var moved = new List<string>();
        try
        {
            var last = FinalPath(members[^1]);
            Guard(() => DeleteEntry(last), $"the previous output '{last}' cannot be removed");
            foreach (var member in members)
            {
                var staged = Path.Combine(root, member);
                var final = FinalPath(member);
                Guard(
                    () =>
                    {
                        if (!folders && File.Exists(staged))
                        {
                            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
                            File.Move(staged, final, overwrite: true);
                            moved.Add(final);
                        }
                        else if (folders && Directory.Exists(staged))
                        {
                            DeleteEntry(final);
                            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
                            Directory.Move(staged, final);
                            moved.Add(final);
                        }
                        else
                        {
                            DeleteEntry(final);
                        }
                    },
                    $"'{final}' could not be put in place");
            }
        }
        catch (IOException)
        {
            foreach (var final in moved)
            {
                TryDelete(final);
            }

            throw;
        }
    }

    /// <summary>Removes the staging folder (with whatever was not committed).</summary>
    public void Dispose()
    {
        if (staging is { } path)
        {
            staging = null;
            TryDelete(path);
        }
    }

    /// <summary><paramref name="text"/> with staging paths shown as the final paths they stand for.</summary>
    public string Unstage(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return staging is null ? text : text.Replace(staging, Folder, StringComparison.Ordinal);
    }

    private void Guard(Action action, string what)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new IOException($"{what}: {Unstage(e.Message)}", e);
        }
    }

    private void DeleteEntry(string final)
    {
        if (!folders && File.Exists(final))
        {
            File.Delete(final);
        }
        else if (folders && Directory.Exists(final))
        {
            Directory.Delete(final, recursive: true);
        }
    }

    private void RemoveAbandoned()
    {
        string[] candidates;
        try
        {
            candidates = Directory.GetDirectories(Folder, "." + label + ".*" + StagingSuffix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var candidate in candidates)
        {
            var rest = Path.GetFileName(candidate)[(label.Length + 2)..];
            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && int.TryParse(rest.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !IsRunning(pid))
            {
                TryDelete(candidate);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static void RequireInside(string folder, string relative, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(relative, parameter);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar;
        if (Path.IsPathRooted(relative) || !Path.GetFullPath(Path.Combine(root, relative)).StartsWith(root, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{relative}' is not a path inside '{folder}'", parameter);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A staging folder that cannot be removed now is removed by the next set for this output.
        }
    }
}
