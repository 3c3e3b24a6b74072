namespace BuildConvert.Core.Diagnostics;

// BCONV4xxx: golden-output validation with ONNX Runtime.
public static partial class DiagnosticCodes
{
    public static readonly DiagnosticDescriptor OutputMismatch = Error(
        "BCONV4001", "A model output differs from its golden value",
        "The message gives the largest absolute and relative errors, how many elements are outside tolerance, the worst " +
        "element with both values, and the atol/rtol that would pass. Fix the model or conversion, or, if the difference " +
        "is expected, raise Rtol/Atol for that output.");

    public static readonly DiagnosticDescriptor OutputShapeMismatch = Error(
        "BCONV4002", "A model output has a different shape than its golden value",
        "The model produced a tensor (or sequence) whose dimensions differ from the golden output. A shape baked in at " +
        "conversion time, or golden data made for another input size, are the usual causes.");

    public static readonly DiagnosticDescriptor OutputTypeMismatch = Error(
        "BCONV4003", "A model output has a different element type or kind than its golden value",
        "The golden output is, for example, float while the model returns double, or a tensor where the model returns a " +
        "sequence. Regenerate the golden data with the intended types or fix the model's output type.");

    public static readonly DiagnosticDescriptor MissingOutput = Error(
        "BCONV4004", "A golden output has no matching model output",
        "The golden data holds an output the model does not produce (by name, or by position in the ONNX test layout). " +
        "Check the output names and the number of output_K.pb files.");

    public static readonly DiagnosticDescriptor GoldenInputMismatch = Error(
        "BCONV4005", "A golden input does not match a model input",
        "A golden input has a name the model does not declare, a model input has no golden value, or the golden value's " +
        "type or rank differs from the declared input. Check input names and the input_K.pb files.");

    public static readonly DiagnosticDescriptor RuntimeLoadFailed = Error(
        "BCONV4006", "ONNX Runtime could not load the model",
        "ONNX Runtime rejected the model while creating a session (invalid graph, type inference failure, bad external " +
        "data). Run `buildconvert check` on the model; the message holds ONNX Runtime's own text.");

    public static readonly DiagnosticDescriptor RuntimeNotImplemented = Error(
        "BCONV4007", "ONNX Runtime does not implement an operator or opset the model uses",
        "The installed ONNX Runtime has no kernel for an operator at the model's opset (very new opsets, training-only " +
        "operators, or old opsets it dropped). Convert with another --opset or validate with a newer ONNX Runtime.");

    public static readonly DiagnosticDescriptor RuntimeRunFailed = Error(
        "BCONV4008", "ONNX Runtime failed while running the model",
        "A kernel failed at run time, typically because an input's shape or value is not valid for the model. The " +
        "message names the data set and holds ONNX Runtime's text.");

    public static readonly DiagnosticDescriptor UnsupportedRuntimeType = Error(
        "BCONV4009", "A value's type cannot be passed to or read from ONNX Runtime",
        "ONNX Runtime's .NET API cannot create or read some element types (float8 variants, 4-bit and 2-bit integers, " +
        "complex numbers) or value kinds. Such models cannot be validated here.");

    public static readonly DiagnosticDescriptor NoGoldenData = Error(
        "BCONV4010", "The golden folder holds no data set",
        "Expected test_data_set_N folders with input_K.pb/output_K.pb files, or inputs.npz and outputs.npz. Create them " +
        "with `buildconvert golden`.");

    public static readonly DiagnosticDescriptor GoldenGenerationFailed = Error(
        "BCONV4011", "Golden data could not be generated",
        "The model's inputs could not be given values (an unsupported input type, a dynamic dimension with no value in " +
        "--input-shapes / InputShapes, or an input shape spec naming an unknown input). The message names the input.");

    public static readonly DiagnosticDescriptor RuntimeMemoryLimit = Error(
        "BCONV4012", "A model run went past the validation memory limit",
        "The run was stopped because the process grew by more than the limit while ONNX Runtime ran the model, usually " +
        "because a golden input (a Loop trip count, a shape tensor) asks for far more work than intended. Check the golden " +
        "inputs; for a model that really needs more, raise the limit with the BUILDCONVERT_VALIDATION_MEMORY_LIMIT_MB " +
        "environment variable (default: half of the memory available to the process).");

    public static readonly DiagnosticDescriptor GoldenDataComparesNothing = Error(
        "BCONV4013", "The golden data compares no output",
        "The golden data holds no output value (an outputs.npz without arrays, an empty outputs/ folder), or none of its outputs could be compared, so validation would pass without checking anything. Add the expected outputs, for example with `buildconvert golden`.");
}
