namespace BuildConvert.Tool.Tests.Infrastructure;

/// <summary>A fresh folder under the system temp folder, deleted on dispose. Tests copy corpus files here.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bconv-tool-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine(new[] { Path }.Concat(parts).ToArray());

    /// <summary>Copies a file to <paramref name="relative"/> inside the folder and returns the new path.</summary>
    public string CopyFile(string source, string relative)
    {
        var target = Combine(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        File.Copy(source, target, overwrite: true);
        return target;
    }

    /// <summary>Copies a folder tree to <paramref name="relative"/> inside the folder and returns the new path.</summary>
    public string CopyFolder(string source, string relative)
    {
        var target = Combine(relative);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var to = System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(source, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        return target;
    }

    /// <summary>Writes bytes to <paramref name="relative"/> and returns the path.</summary>
    public string WriteFile(string relative, byte[] bytes)
    {
        var target = Combine(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        File.WriteAllBytes(target, bytes);
        return target;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
