using System.Runtime.InteropServices;
using BuildConvert.Core.Diagnostics;
using TorchSharp;

namespace BuildConvert.TorchOracle;

/// <summary>
/// Loads LibTorch (TorchSharp's native shim <c>libLibTorchSharp</c> and the libtorch libraries beside it) once per
/// process. The shim is loaded by path first, so that a loader failure is reported with the loader's own text
/// (<c>version 'GLIBCXX_3.4.32' not found</c>, a missing <c>libtorch_cpu.so</c>) as BCONV4101 before TorchSharp's
/// fallback copies half a gigabyte of natives into a <c>cpu/</c> folder and fails with a generic message.
/// </summary>
public static class LibTorchRuntime
{
    /// <summary>Environment variable naming the folder that holds the native libraries (default: the oracle's own
    /// folder, or its <c>runtimes/&lt;rid&gt;/native/</c>).</summary>
    public const string NativeDirectoryVariable = "BUILDCONVERT_LIBTORCH_DIR";

    private static readonly object Gate = new();
    private static string? loadedFrom;

    /// <summary>The file name of TorchSharp's native shim on this operating system.</summary>
    public static string ShimFileName =>
        OperatingSystem.IsWindows() ? "LibTorchSharp.dll" : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";

    /// <summary>The folder the natives were loaded from, once <see cref="EnsureLoaded"/> succeeded.</summary>
    public static string? LoadedFrom => loadedFrom;

    /// <summary>The folder holding the natives: <paramref name="nativeDirectory"/>, else <see cref="NativeDirectoryVariable"/>,
    /// else the first of the oracle's folder and <c>runtimes/&lt;rid&gt;/native/</c> that holds the shim.</summary>
    public static string FindNativeDirectory(string? nativeDirectory = null)
    {
        if (!string.IsNullOrEmpty(nativeDirectory))
        {
            return Path.GetFullPath(nativeDirectory);
        }

        if (Environment.GetEnvironmentVariable(NativeDirectoryVariable) is { Length: > 0 } fromEnvironment)
        {
            return Path.GetFullPath(fromEnvironment);
        }

        var baseDirectory = AppContext.BaseDirectory;
        var candidates = new[] { baseDirectory, Path.Combine(baseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native"), Path.Combine(baseDirectory, "runtimes", PortableRid(), "native") };
        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, ShimFileName))) ?? baseDirectory;
    }

    /// <summary>Loads LibTorch, or throws BCONV4101 saying why it cannot load and how to fix it. Safe to call often.</summary>
    /// <param name="nativeDirectory">The folder holding the natives (see <see cref="FindNativeDirectory"/>).</param>
    /// <exception cref="BuildConvertException">BCONV4101.</exception>
    public static void EnsureLoaded(string? nativeDirectory = null)
    {
        lock (Gate)
        {
            if (loadedFrom is not null)
            {
                return;
            }

            var directory = FindNativeDirectory(nativeDirectory);
            var shim = Path.Combine(directory, ShimFileName);
            if (!File.Exists(shim))
            {
                throw LoadFailed(shim, $"TorchSharp's native library {ShimFileName} is not in '{directory}'. " +
                    $"The oracle's folder must hold the natives of the TorchSharp-cpu package (publish it with eng/publish-torch-oracle.sh), " +
                    $"or {NativeDirectoryVariable} must name the folder that does.");
            }

            try
            {
                NativeLibrary.Load(shim);
            }
            catch (DllNotFoundException e)
            {
                throw LoadFailed(shim, $"the system loader refused '{shim}': {LoaderText(e.Message)}. {Remedy(e.Message)}", e);
            }
            catch (BadImageFormatException e)
            {
                throw LoadFailed(shim, $"'{shim}' is not a native library for this machine ({RuntimeInformation.ProcessArchitecture}): {e.Message}", e);
            }

            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException or EntryPointNotFoundException)
            {
                var inner = e is TypeInitializationException { InnerException: { } i } ? i : e;
                var first = inner.Message.Split('\n', 2)[0].Trim();
                throw LoadFailed(shim, $"TorchSharp could not start LibTorch from '{directory}': {first}", e);
            }

            loadedFrom = directory;
        }
    }

    private static string LoaderText(string message)
    {
        // .NET wraps dlerror() in "Unable to load shared library '...' or one of its dependencies. ... : <dlerror>".
        var text = message.Replace('\n', ' ').Trim();
        var marker = text.LastIndexOf(": /", StringComparison.Ordinal);
        return marker > 0 ? text[(marker + 2)..].Trim() : text;
    }

    private static string Remedy(string message) =>
        message.Contains("GLIBCXX_", StringComparison.Ordinal)
            ? "The system's C++ runtime (libstdc++) is older than the one TorchSharp 0.107 was built with (Debian 12 and Ubuntu 22.04 ship GLIBCXX_3.4.30; " +
              "the shim asks for GLIBCXX_3.4.32). Build or publish the oracle from the BuildConvert repository, which patches its own output " +
              "(eng/torchsharp/fix-glibcxx.sh, needs patchelf and g++), or run `bash eng/torchsharp/fix-glibcxx.sh <oracle folder>`"
            : message.Contains("cannot open shared object file", StringComparison.Ordinal)
                ? "A library the shim needs is missing beside it: the oracle's folder must hold every native of the libtorch-cpu package (libtorch.so, libtorch_cpu.so, libc10.so, libgomp)"
                : "See docs/torchscript.md, \"The LibTorch oracle\"";

    private static string PortableRid() =>
        (OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" + RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();

    private static BuildConvertException LoadFailed(string file, string message, Exception? inner = null) =>
        BuildConvertException.Create(DiagnosticCodes.LibTorchLoadFailed, message, file, inner: inner);
}
