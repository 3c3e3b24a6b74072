using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;

namespace BuildConvert.Validation;

/// <summary>Creates ONNX Runtime sessions and classifies ONNX Runtime's failures into BCONV4xxx codes.</summary>
internal static partial class SessionFactory
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

    // ONNX Runtime's environment is process-global and created once; its default logger writes coloured WARNING lines
    // to stderr, which would break --json output. Everything it logs goes to a callback that drops it: the errors that
    // matter reach us as exceptions. The delegate is kept alive here for the process's lifetime.
    private static readonly DOrtLoggingFunction DropLog = (_, _, _, _, _, _) => { };
    private static readonly Lazy<OrtEnv> QuietEnvironment = new(() =>
    {
        var environment = new EnvironmentCreationOptions
        {
            logId = "buildconvert",
            logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
            loggingFunction = DropLog,
        };
        return OrtEnv.CreateInstanceWithOptions(ref environment);
    });

    [GeneratedRegex(@"(?:\b[A-Za-z]:)?[\\/]?(?:[\w.+-]+[\\/])*onnxruntime[\\/][\w.+\\/-]+\.(?:cc|cpp|h)(?::[0-9]+)?(?:\s+(?:[\w:<>*&]+\s+)?[\w:~<>]+\([^)]*\))?\s*")]
    private static partial Regex NativeSourceLocation();

    [GeneratedRegex(" {2,}")]
    private static partial Regex MultipleSpaces();

    /// <summary>
    /// ONNX Runtime's message without the C++ source locations it quotes
    /// (<c>/onnxruntime_src/onnxruntime/core/session/inference_session.cc:2210 onnxruntime::InferenceSession::Load</c>),
    /// which tell a user nothing and change with every runtime build.
    /// </summary>
    public static string CleanMessage(string message) =>
        MultipleSpaces().Replace(NativeSourceLocation().Replace(message, " "), " ").Trim();

    /// <summary>Session options for validation: quiet logging, no busy-waiting threads. The caller disposes them.</summary>
    public static SessionOptions CreateOptions(int intraOpThreads)
    {
        _ = QuietEnvironment.Value;
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

    /// <summary>The newest released ai.onnx opset ONNX Runtime 1.31 runs (27 and 28 it refuses as under development).</summary>
    public const int NewestRunnableOpset = 26;

    /// <summary>The oldest ai.onnx opset whose kernels ONNX Runtime 1.31 still has for every operator
    /// (it dropped the opset-6 forms of Gemm, BatchNormalization, Add, PRelu and others).</summary>
    public const int OldestFullyRunnableOpset = 7;

    /// <summary>The model's ai.onnx opset, or null.</summary>
    public static long? DefaultOpset(ModelProto? model) =>
        model?.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => (long?)o.Version).FirstOrDefault();

    /// <summary>
    /// What to tell a user whose model ONNX Runtime refused for its opset: which <c>--opset</c> would make it run, or an
    /// empty string when the opset is not the reason.
    /// </summary>
    public static string OpsetAdvice(long? opset, string runtimeMessage)
    {
        if (opset is not { } v)
        {
            return "";
        }

        if (v > NewestRunnableOpset)
        {
            return $" The model imports ai.onnx opset {v}, newer than the {NewestRunnableOpset} ONNX Runtime 1.31 runs: convert it with --opset {NewestRunnableOpset} (item metadata Opset=\"{NewestRunnableOpset}\").";
        }

        var oldKernel = System.Text.RegularExpressions.Regex.IsMatch(runtimeMessage, @"Could not find an implementation for \w+\([0-9]+\)");
        if (oldKernel && v < 13)
        {
            return $" The model imports ai.onnx opset {v}, whose kernels ONNX Runtime 1.31 no longer has for this operator: convert it with --opset 13 or newer, up to {NewestRunnableOpset} (item metadata Opset=\"17\", for example).";
        }

        return "";
    }

    /// <summary>Opens a session on <paramref name="modelPath"/>, or adds a BCONV4006/4007 diagnostic and returns null.
    /// When the model's opset (<paramref name="modelOpset"/>) is the reason ONNX Runtime refuses it, the message says
    /// which <c>--opset</c> would work. The caller disposes the session.</summary>
    public static InferenceSession? Open(string modelPath, SessionOptions options, List<Diagnostic> diagnostics, long? modelOpset = null)
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
                    $"the model's inputs or outputs use an element type (float8, 4-bit or 2-bit) that ONNX Runtime's .NET API cannot represent: {CleanMessage(ex.Message)}", modelPath));
                return null;
            }

            var code = IsNotImplemented(ex) ? DiagnosticCodes.RuntimeNotImplemented : DiagnosticCodes.RuntimeLoadFailed;
            var advice = code == DiagnosticCodes.RuntimeNotImplemented ? OpsetAdvice(modelOpset, ex.Message) : "";
            diagnostics.Add(code.Create($"ONNX Runtime could not load the model: {CleanMessage(ex.Message)}{advice}", modelPath));
            return null;
        }
    }

    /// <summary>Whether ONNX Runtime failed because it lacks an operator, an opset or an IR version.</summary>
    public static bool IsNotImplemented(OnnxRuntimeException ex) =>
        ex.Message.Contains("[ErrorCode:NotImplemented]", StringComparison.Ordinal)
        || NotImplementedMarkers.Any(m => ex.Message.Contains(m, StringComparison.Ordinal));
}
