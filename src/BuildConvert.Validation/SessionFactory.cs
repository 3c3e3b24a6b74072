using BuildConvert.Core.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace BuildConvert.Validation;

/// <summary>Creates ONNX Runtime sessions and classifies ONNX Runtime's failures into BCONV4xxx codes.</summary>
internal static class SessionFactory
{
    private static readonly string[] NotImplementedMarkers =
    [
        "Could not find an implementation for",
        "No Op registered for",
        "is not a registered function/op",
        "is under development and support for this is limited",
        "Unsupported model IR version",
        "only *guarantees* support for models stamped with official released onnx opset versions",
        "opset version is not supported",
        "are not supported",
        "is not supported",
    ];

    private static readonly string[] UnsupportedTypeMarkers =
    [
        "Unregistered TensorElementType value",
        "DataTypeMax is not registered",
    ];

    /// <summary>Session options for validation: quiet logging, no busy-waiting threads. The caller disposes them.</summary>
    public static SessionOptions CreateOptions(int intraOpThreads)
    {
        var options = new SessionOptions
        {
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = 1,
            IntraOpNumThreads = intraOpThreads,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    /// <summary>Opens a session on <paramref name="modelPath"/>, or adds a BCONV4006/4007 diagnostic and returns null.
    /// The caller disposes the session.</summary>
    public static InferenceSession? Open(string modelPath, SessionOptions options, List<Diagnostic> diagnostics)
    {
        try
        {
            return new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException ex)
        {
            if (UnsupportedTypeMarkers.Any(m => ex.Message.Contains(m, StringComparison.Ordinal)))
            {
                diagnostics.Add(DiagnosticCodes.UnsupportedRuntimeType.Create(
                    $"the model's inputs or outputs use an element type (float8, 4-bit or 2-bit) that ONNX Runtime's .NET API cannot represent: {ex.Message}", modelPath));
                return null;
            }

            var code = IsNotImplemented(ex) ? DiagnosticCodes.RuntimeNotImplemented : DiagnosticCodes.RuntimeLoadFailed;
            diagnostics.Add(code.Create($"ONNX Runtime could not load the model: {ex.Message}", modelPath));
            return null;
        }
    }

    /// <summary>Whether ONNX Runtime failed because it lacks an operator, an opset or an IR version.</summary>
    public static bool IsNotImplemented(OnnxRuntimeException ex) =>
        ex.Message.Contains("[ErrorCode:NotImplemented]", StringComparison.Ordinal)
        || NotImplementedMarkers.Any(m => ex.Message.Contains(m, StringComparison.Ordinal));
}
