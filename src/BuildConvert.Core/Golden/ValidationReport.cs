using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Golden;

/// <summary>
/// How one model output compared with its golden value in one data set.
/// </summary>
/// <param name="OutputName">The graph output's name.</param>
/// <param name="Passed">True when shape, type and every element are within tolerance.</param>
/// <param name="Problem">Null when values were compared; otherwise why they could not be (shape or type mismatch, missing output).</param>
/// <param name="ElementCount">Elements compared.</param>
/// <param name="MismatchCount">Elements outside tolerance.</param>
/// <param name="MaxAbsError">Largest |actual - expected|.</param>
/// <param name="MaxRelError">Largest |actual - expected| / |expected| (over elements with non-zero expected).</param>
/// <param name="WorstIndex">Row-major multi-index of the element furthest outside tolerance (or with the largest error), or null.</param>
/// <param name="WorstActual">The actual value at <paramref name="WorstIndex"/>, formatted.</param>
/// <param name="WorstExpected">The expected value at <paramref name="WorstIndex"/>, formatted.</param>
/// <param name="RequiredAtol">The smallest atol that would pass with the configured rtol.</param>
/// <param name="RequiredRtol">The smallest rtol that would pass with the configured atol (infinity if none would).</param>
/// <param name="Tolerance">The tolerance used.</param>
/// <param name="GoldenFile">The golden file holding the expected value, when it is a single file.</param>
public sealed record OutputComparison(
    string OutputName,
    bool Passed,
    string? Problem,
    long ElementCount,
    long MismatchCount,
    double MaxAbsError,
    double MaxRelError,
    long[]? WorstIndex,
    string? WorstActual,
    string? WorstExpected,
    double RequiredAtol,
    double RequiredRtol,
    Tolerance Tolerance,
    string? GoldenFile)
{
    public double MismatchPercent => ElementCount == 0 ? 0 : 100.0 * MismatchCount / ElementCount;

    /// <summary>The kind of <see cref="Problem"/>; <see cref="ComparisonProblem.None"/> when values were compared.</summary>
    public ComparisonProblem ProblemKind { get; init; }
}

/// <summary>The comparisons of one golden data set (one <c>test_data_set_N</c> folder or one npz pair).</summary>
public sealed record DataSetResult(string DataSetName, IReadOnlyList<OutputComparison> Outputs)
{
    public bool Passed => Outputs.All(o => o.Passed);
}

/// <summary>
/// The result of validating one model against its golden data. <see cref="Diagnostics"/> holds coded errors
/// (BCONV4xxx for mismatches and unusable golden data) pointing at the most useful file.
/// </summary>
public sealed record ValidationReport(string ModelPath, IReadOnlyList<DataSetResult> DataSets, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Passed => Diagnostics.All(d => d.Severity != DiagnosticSeverity.Error) && DataSets.All(d => d.Passed);

    /// <summary>The worst absolute error over every output of every data set (0 when nothing was compared).</summary>
    public double WorstAbsError => DataSets.SelectMany(d => d.Outputs).Select(o => o.MaxAbsError).DefaultIfEmpty(0).Max();
}

/// <summary>
/// Runs a model on golden inputs and compares its outputs with golden outputs. Implemented with ONNX Runtime in
/// BuildConvert.Validation; the pipeline only sees this interface.
/// </summary>
public interface IModelValidator
{
    /// <summary>Validates <paramref name="modelPath"/> against the golden data in <paramref name="goldenFolder"/>
    /// (ONNX test layout or inputs.npz/outputs.npz). Never throws for bad models or data: problems are diagnostics.</summary>
    ValidationReport Validate(string modelPath, string goldenFolder, ToleranceSet tolerances, CancellationToken cancellationToken = default);

    /// <summary>
    /// Validates when the caller already holds the parsed model (the pipeline does): the validator takes the graph's names
    /// and types from <paramref name="model"/> instead of parsing the file again, so the weights are not held twice by
    /// BuildConvert while ONNX Runtime holds its own copy. <paramref name="model"/> must describe the file at
    /// <paramref name="modelPath"/>, which is what ONNX Runtime loads. The default re-reads the file.
    /// </summary>
    ValidationReport Validate(string modelPath, Formats.Onnx.Proto.ModelProto model, string goldenFolder, ToleranceSet tolerances, CancellationToken cancellationToken = default) =>
        Validate(modelPath, goldenFolder, tolerances, cancellationToken);
}
