using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Golden;

namespace BuildConvert.Tool;

/// <summary>The ONNX Runtime backed services (BuildConvert.Validation).</summary>
internal static class OrtServices
{
    /// <summary>Makes the ONNX Runtime validator.</summary>
    public static IModelValidator CreateValidator() =>
        throw BuildConvertException.Create(DiagnosticCodes.InternalError, "golden validation with ONNX Runtime is not part of this build yet");
}
