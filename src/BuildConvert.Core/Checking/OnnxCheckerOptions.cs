namespace BuildConvert.Core.Checking;

/// <summary>Options for <see cref="OnnxChecker"/>.</summary>
public sealed record OnnxCheckerOptions
{
    /// <summary>The defaults.</summary>
    public static OnnxCheckerOptions Default { get; } = new();

    /// <summary>The checker stops recording after this many problems and adds one BCONV3199 warning. Default 1000.</summary>
    public int MaxDiagnostics { get; init; } = 1000;

    /// <summary>How deeply subgraphs (If/Loop/Scan bodies) are followed. Default 64.</summary>
    public int MaxNestingDepth { get; init; } = 64;

    /// <summary>
    /// How long a chain of model-local function calls (f0 calls f1 calls ...) may be before BCONV3151. Default 128: real
    /// exporters nest functions as deep as their module tree (tens of levels); ONNX Runtime 1.31 overflows its stack near
    /// 3,000 and takes tens of seconds from 2,000 on.
    /// </summary>
    public int MaxFunctionNestingDepth { get; init; } = 128;

    /// <summary>
    /// When true (the default) and the model's path is known, external data files are checked on disk (existence,
    /// symbolic links, byte ranges); they are never opened. When false only the location strings are checked.
    /// </summary>
    public bool CheckExternalDataFiles { get; init; } = true;

    /// <summary>The operator table to check nodes against; <see cref="OperatorSchemaRegistry.Default"/> when null.</summary>
    public OperatorSchemaRegistry? Registry { get; init; }

    /// <summary>
    /// Whether to run the core's shape inference once the structure is valid, and report rank and dimension
    /// contradictions (BCONV3170) and declared shapes that inference contradicts (BCONV3171), as
    /// <c>onnx.checker.check_model(full_check=True)</c> does with strict shape inference. Default: true.
    /// </summary>
    public bool InferShapes { get; init; } = true;
}
