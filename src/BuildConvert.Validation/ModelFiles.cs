using BuildConvert.Core.Checking;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Validation;

/// <summary>Reads a model's structure before ONNX Runtime sees the file.</summary>
internal static class ModelFiles
{
    /// <summary>
    /// Reads <paramref name="path"/> with BuildConvert's own reader (limits on, external data not loaded) and checks every
    /// external-data reference against the path rules, so ONNX Runtime never opens a file outside the model's folder.
    /// </summary>
    /// <exception cref="BuildConvertException">BCONV10xx when the file is not a readable model or an external-data
    /// reference breaks a rule.</exception>
    public static ModelProto ReadChecked(string path) => CheckBeforeRuntime(OnnxModelReader.Read(path), path);

    /// <summary>Checks every external-data reference of <paramref name="model"/>, stored at <paramref name="path"/>,
    /// against the path rules, and the model against <see cref="OnnxChecker.CheckRuntimeSafety"/> (what would crash ONNX
    /// Runtime rather than make it fail), and returns the model.</summary>
    /// <exception cref="BuildConvertException">BCONV101x when a reference breaks a rule; BCONV3151 when local functions
    /// nest too deeply.</exception>
    public static ModelProto CheckBeforeRuntime(ModelProto model, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var problems = new List<Diagnostic>(OnnxChecker.CheckRuntimeSafety(model, path));
        foreach (var tensor in ModelTensors.All(model))
        {
            if (ExternalDataReference.IsExternal(tensor)
                && ExternalDataLoader.Validate(tensor, directory, path, out _, out _) is { } problem)
            {
                problems.Add(problem);
            }
        }

        return problems.Count == 0 ? model : throw new BuildConvertException(problems);
    }
}
