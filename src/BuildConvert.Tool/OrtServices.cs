using BuildConvert.Core.Golden;
using BuildConvert.Validation;

namespace BuildConvert.Tool;

/// <summary>The ONNX Runtime backed services (BuildConvert.Validation).</summary>
internal static class OrtServices
{
    /// <summary>Makes the ONNX Runtime validator.</summary>
    public static IModelValidator CreateValidator() => new OrtModelValidator();
}
