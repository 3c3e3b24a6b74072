using System.Reflection;

namespace BuildConvert.Tool.Tests.Infrastructure;

/// <summary>Where the tests find the repository, the shared corpora and their fixtures.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .First(a => a.Key == "RepoRoot").Value!;

    public static string Corpora { get; } = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "corpora"));

    public static string OnnxBackend { get; } = Path.Combine(Corpora, "onnx-backend");

    public static string Fixtures { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string SmallCnn => Path.Combine(Fixtures, "small_cnn.onnx");

    /// <summary>inputs.npz + outputs.npz computed by PyTorch for small_cnn (see Fixtures/README.md).</summary>
    public static string SmallCnnTorchGolden => Path.Combine(Fixtures, "small_cnn_torch_golden");

    public static string SmallCnnExternal => Path.Combine(Fixtures, "small_cnn_ext", "model.onnx");

    /// <summary>A corpus test folder, e.g. <c>node/test_abs</c>.</summary>
    public static string BackendTest(string relative) => Path.Combine(OnnxBackend, relative);
}
