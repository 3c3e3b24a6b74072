using System.Reflection;

namespace BuildConvert.Core.Tests.Formats.Onnx;

/// <summary>Where the shared ONNX backend corpus is, and its model files.</summary>
internal static class OnnxCorpus
{
    public static readonly string[] Folders = ["node", "simple", "pytorch-converted", "pytorch-operator", "light"];

    public static string Root
    {
        get
        {
            return RepoPaths.OnnxBackend;
        }
    }

    /// <summary>Every model file of one folder of the corpus, sorted.</summary>
    public static IReadOnlyList<string> Models(string folder)
    {
        var dir = Path.Combine(Root, folder);
        if (!Directory.Exists(dir))
        {
            Assert.Inconclusive($"the corpus folder {dir} is missing");
        }

        var files = Directory.GetFiles(dir, "*.onnx", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>One model by its path relative to the corpus root, e.g. <c>node/test_abs/model.onnx</c>.</summary>
    public static string Model(string relative) => Path.Combine(Root, relative);
}
