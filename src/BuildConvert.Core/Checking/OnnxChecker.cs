using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Checking;

/// <summary>
/// Checks an ONNX model against the rules of the ONNX specification, modelled on
/// <c>onnx.checker.check_model(full_check=True)</c> without shape inference: IR version and opset imports, SSA and
/// topological order (with outer scopes for If/Loop/Scan bodies), initializers, graph outputs, node arity and attributes
/// against the operator schema of the imported opset version, tensor data consistency, sparse tensors, types,
/// model-local functions and the external-data path rules. Every problem found is returned (not just the first), each
/// with a code that identifies its rule (BCONV3xxx, or BCONV10xx for external-data references).
/// Thread-safe: every call works on its own state.
/// </summary>
public static class OnnxChecker
{
    /// <summary>Checks a model.</summary>
    /// <param name="model">The model; not modified.</param>
    /// <param name="modelPath">The model's file, used to resolve external data and in messages; null for an in-memory model
    /// (then external data locations are checked as strings only).</param>
    /// <returns>Every problem found, in model order; empty when the model is valid.</returns>
    public static IReadOnlyList<Diagnostic> Check(ModelProto model, string? modelPath) =>
        Check(model, modelPath, OnnxCheckerOptions.Default);

    /// <summary>Checks a model with options.</summary>
    /// <inheritdoc cref="Check(ModelProto, string?)"/>
    public static IReadOnlyList<Diagnostic> Check(ModelProto model, string? modelPath, OnnxCheckerOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var run = new CheckRun(modelPath, options);
        run.CheckModel(model);
        return run.Results();
    }

    /// <summary>
    /// The checks a model must pass before ONNX Runtime may load it even when the full checker is not run (as in
    /// <c>verify</c>): today the nesting of model-local function calls (BCONV3151), which past a few thousand levels
    /// overflows ONNX Runtime's native stack and kills the process. Cheap: linear in the number of nodes.
    /// </summary>
    /// <param name="model">The model; not modified.</param>
    /// <param name="modelPath">The model's file, for messages.</param>
    /// <param name="options">Limits; <see cref="OnnxCheckerOptions.Default"/> when null.</param>
    /// <returns>The problems found; empty when the model may be handed to ONNX Runtime.</returns>
    public static IReadOnlyList<Diagnostic> CheckRuntimeSafety(ModelProto model, string? modelPath, OnnxCheckerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= OnnxCheckerOptions.Default;
        return FunctionNesting.Check(model, options.MaxFunctionNestingDepth, modelPath) is { } problem
            ? new[] { problem }
            : Array.Empty<Diagnostic>();
    }

    /// <summary>Reads and checks the model at <paramref name="path"/>; read errors are returned as diagnostics.</summary>
    /// <param name="path">The model file.</param>
    /// <returns>Every problem found; a file that cannot be read gives its BCONV10xx diagnostic.</returns>
    public static IReadOnlyList<Diagnostic> CheckFile(string path) => CheckFile(path, OnnxCheckerOptions.Default);

    /// <summary>Reads and checks the model at <paramref name="path"/> with options.</summary>
    /// <inheritdoc cref="CheckFile(string)"/>
    public static IReadOnlyList<Diagnostic> CheckFile(string path, OnnxCheckerOptions options)
    {
        ModelProto model;
        try
        {
            model = OnnxModelReader.Read(path);
        }
        catch (BuildConvertException e)
        {
            return e.Diagnostics;
        }

        return Check(model, path, options);
    }
}
