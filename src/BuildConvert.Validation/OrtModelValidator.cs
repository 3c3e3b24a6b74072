using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Values;
using Microsoft.ML.OnnxRuntime;

namespace BuildConvert.Validation;

/// <summary>
/// Validates a model against golden data with ONNX Runtime: loads the model from its path (so external data beside it
/// is found), feeds each data set's inputs, and compares every output with <see cref="TensorComparer"/> using the
/// output's tolerance. Every ONNX Runtime object lives in a <c>using</c> scoped to one validation or one run.
/// </summary>
/// <remarks>
/// Thread-safe: one instance may validate several models at once (it holds only its settings).
/// </remarks>
public sealed class OrtModelValidator : IModelValidator
{
    private readonly int intraOpThreads;

    /// <summary>Creates a validator that lets ONNX Runtime choose its thread count.</summary>
    public OrtModelValidator()
        : this(0)
    {
    }

    /// <summary>Creates a validator.</summary>
    /// <param name="intraOpThreads">Threads ONNX Runtime may use inside one operator; 0 for its default (all cores).
    /// Use 1 when validating many models in parallel.</param>
    public OrtModelValidator(int intraOpThreads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(intraOpThreads);
        this.intraOpThreads = intraOpThreads;
    }

    /// <inheritdoc/>
    /// <remarks>Never throws for bad models or data: those become BCONV4xxx (and BCONV10xx/11xx for unreadable model or
    /// golden files) diagnostics in the report. Cancelling stops a running model (ONNX Runtime's terminate flag) and
    /// throws <see cref="OperationCanceledException"/>, so a caller can enforce a time limit with a timed token.</remarks>
    public ValidationReport Validate(string modelPath, string goldenFolder, ToleranceSet tolerances, CancellationToken cancellationToken = default) =>
        ValidateCore(modelPath, null, goldenFolder, tolerances, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>External-data references in <paramref name="model"/> are still held to the path rules before ONNX Runtime
    /// opens the file.</remarks>
    public ValidationReport Validate(string modelPath, ModelProto model, string goldenFolder, ToleranceSet tolerances, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        return ValidateCore(modelPath, model, goldenFolder, tolerances, cancellationToken);
    }

    private ValidationReport ValidateCore(string modelPath, ModelProto? model, string goldenFolder, ToleranceSet tolerances, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        ArgumentNullException.ThrowIfNull(goldenFolder);
        ArgumentNullException.ThrowIfNull(tolerances);

        var diagnostics = new List<Diagnostic>();
        var results = new List<DataSetResult>();
        try
        {
            Run(modelPath, model, goldenFolder, tolerances, diagnostics, results, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (BuildConvertException ex)
        {
            diagnostics.AddRange(ex.Diagnostics);
        }
        catch (OnnxRuntimeException ex)
        {
            diagnostics.Add(DiagnosticCodes.RuntimeRunFailed.Create($"ONNX Runtime failed: {SessionFactory.CleanMessage(ex.Message)}", modelPath));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            diagnostics.Add(DiagnosticCodes.InternalError.Create($"validating '{modelPath}' failed unexpectedly: {ex}", modelPath));
        }

        if (results.Sum(r => r.Outputs.Count) == 0 && !diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            diagnostics.Add(DiagnosticCodes.GoldenDataComparesNothing.Create(
                $"golden data in '{goldenFolder}' compared no output, so it would check nothing", goldenFolder));
        }

        return new ValidationReport(modelPath, results, diagnostics);
    }

    private void Run(string modelPath, ModelProto? model, string goldenFolder, ToleranceSet tolerances, List<Diagnostic> diagnostics,
        List<DataSetResult> results, CancellationToken cancellationToken)
    {
        var checkedModel = model is null ? ModelFiles.ReadChecked(modelPath) : ModelFiles.CheckBeforeRuntime(model, modelPath);
        var dataSets = GoldenData.Load(goldenFolder, checkedModel, cancellationToken);
        if (dataSets.Count == 0)
        {
            diagnostics.Add(DiagnosticCodes.NoGoldenData.Create($"golden folder '{goldenFolder}' holds no data set", goldenFolder));
            return;
        }

        using var options = SessionFactory.CreateOptions(intraOpThreads);
        using var session = SessionFactory.Open(modelPath, options, diagnostics, SessionFactory.DefaultOpset(checkedModel));
        if (session is null)
        {
            return;
        }

        // A per-output tolerance for an output the model does not have is a typo that would otherwise loosen nothing silently.
        var unknown = tolerances.PerOutput.Keys.Where(name => !session.OutputNames.Contains(name)).OrderBy(n => n, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            diagnostics.Add(DiagnosticCodes.InvalidOption.Create(
                $"a per-output tolerance (--tolerance / Tolerance) names {string.Join(", ", unknown.Select(n => $"'{n}'"))}, which the model does not output; its outputs are {string.Join(", ", session.OutputNames.Select(n => $"'{n}'"))}",
                modelPath));
            return;
        }

        foreach (var dataSet in dataSets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = RunDataSet(modelPath, session, dataSet, tolerances, diagnostics, cancellationToken);
            if (result is not null)
            {
                results.Add(result);
            }
        }
    }

    private static DataSetResult? RunDataSet(string modelPath, InferenceSession session, GoldenDataSet dataSet,
        ToleranceSet tolerances, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var feeds = BindInputs(session, dataSet, diagnostics);
        if (feeds is null)
        {
            return null;
        }

        var outputNames = session.OutputNames;
        var goldenOutputNames = dataSet.Outputs.Select(o => o.Name).ToArray();
        var targets = new List<(int Golden, string Output)>();
        for (var k = 0; k < dataSet.Outputs.Count; k++)
        {
            var output = ResolveName(dataSet.Outputs[k].Name, k, outputNames, goldenOutputNames);
            if (output is null)
            {
                diagnostics.Add(DiagnosticCodes.MissingOutput.Create(
                    $"data set '{dataSet.Name}': golden output {k} ('{dataSet.Outputs[k].Name}') matches no model output (the model has {outputNames.Count}: {string.Join(", ", outputNames)})",
                    dataSet.OutputFile(k) ?? modelPath, dataSet.Outputs[k].Name));
            }
            else
            {
                targets.Add((k, output));
            }
        }

        if (targets.Count == 0)
        {
            return null;
        }

        var comparisons = new List<OutputComparison>();
        var values = new List<OrtValue>(feeds.Count);
        try
        {
            foreach (var (_, value, file) in feeds)
            {
                try
                {
                    values.Add(OrtValueBridge.ToOrtValue(value));
                }
                catch (BuildConvertException ex)
                {
                    diagnostics.AddRange(ex.Diagnostics.Select(d => d with { File = d.File ?? file ?? modelPath, Message = $"data set '{dataSet.Name}', input {d.Message}" }));
                    return null;
                }
            }

            using var runOptions = new RunOptions();
            using var stop = cancellationToken.Register(() => runOptions.Terminate = true);
            IDisposableReadOnlyCollection<OrtValue> outputs;
            using var guard = new MemoryGuard(runOptions);
            try
            {
                outputs = session.Run(runOptions, feeds.Select(f => f.Name).ToArray(), values, targets.Select(t => t.Output).ToArray());
            }
            catch (OnnxRuntimeException ex)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (guard.Exceeded)
                {
                    diagnostics.Add(DiagnosticCodes.RuntimeMemoryLimit.Create(
                        $"data set '{dataSet.Name}': stopped after the process grew by more than {guard.BudgetMiB} MiB while ONNX Runtime ran the model; check the golden inputs",
                        dataSet.InputFiles.FirstOrDefault() ?? modelPath));
                    return null;
                }

                var code = SessionFactory.IsNotImplemented(ex) ? DiagnosticCodes.RuntimeNotImplemented : DiagnosticCodes.RuntimeRunFailed;
                diagnostics.Add(code.Create($"data set '{dataSet.Name}': ONNX Runtime failed while running the model: {SessionFactory.CleanMessage(ex.Message)}", modelPath));
                return null;
            }

            using (outputs)
            {
                for (var i = 0; i < targets.Count; i++)
                {
                    var (k, name) = targets[i];
                    var expected = dataSet.Outputs[k];
                    var file = dataSet.OutputFile(k);
                    DataValue actual;
                    try
                    {
                        actual = OrtValueBridge.FromOrtValue(name, outputs.ElementAt(i));
                    }
                    catch (BuildConvertException ex)
                    {
                        diagnostics.AddRange(ex.Diagnostics.Select(d => d with { File = file ?? modelPath, Location = name, Message = $"data set '{dataSet.Name}', output {d.Message}" }));
                        continue;
                    }

                    if (expected is OptionalValue && actual is not OptionalValue)
                    {
                        actual = new OptionalValue(name, 0, actual);
                    }

                    var comparison = TensorComparer.Compare(name, actual, expected, tolerances.For(name), file);
                    comparisons.Add(comparison);
                    if (!comparison.Passed)
                    {
                        diagnostics.Add(Describe(dataSet.Name, comparison, file ?? modelPath));
                    }
                }
            }
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }

        return new DataSetResult(dataSet.Name, comparisons);
    }

    /// <summary>Pairs golden inputs with model inputs by name (an unnamed value by position; see <see cref="ResolveName"/>).</summary>
    private static List<(string Name, DataValue Value, string? File)>? BindInputs(InferenceSession session, GoldenDataSet dataSet, List<Diagnostic> diagnostics)
    {
        var inputNames = session.InputNames;
        var overridable = session.OverridableInitializerMetadata;
        var feeds = new List<(string Name, DataValue Value, string? File)>();
        var bound = new HashSet<string>(StringComparer.Ordinal);
        var goldenInputNames = dataSet.Inputs.Select(i => i.Name).ToArray();
        var ok = true;
        for (var k = 0; k < dataSet.Inputs.Count; k++)
        {
            var value = dataSet.Inputs[k];
            var file = k < dataSet.InputFiles.Count ? dataSet.InputFiles[k] : null;
            var name = value.Name.Length > 0 && overridable.ContainsKey(value.Name) && !inputNames.Contains(value.Name)
                ? value.Name
                : ResolveName(value.Name, k, inputNames, goldenInputNames);

            if (name is null)
            {
                diagnostics.Add(DiagnosticCodes.GoldenInputMismatch.Create(
                    $"data set '{dataSet.Name}': golden input {k} ('{value.Name}') matches no model input (the model has {inputNames.Count}: {string.Join(", ", inputNames)})",
                    file, value.Name));
                ok = false;
                continue;
            }

            bound.Add(name);
            var metadata = session.InputMetadata.TryGetValue(name, out var m) ? m : overridable[name];
            var mismatch = DescribeInputMismatch(value, metadata);
            if (mismatch is not null)
            {
                diagnostics.Add(DiagnosticCodes.GoldenInputMismatch.Create($"data set '{dataSet.Name}': input '{name}': {mismatch}", file, name));
                ok = false;
                continue;
            }

            if (value is OptionalValue { Value: null })
            {
                continue;
            }

            feeds.Add((name, value, file));
        }

        foreach (var name in inputNames)
        {
            if (bound.Contains(name))
            {
                continue;
            }

            if (session.InputMetadata[name].OnnxValueType != OnnxValueType.ONNX_TYPE_OPTIONAL)
            {
                diagnostics.Add(DiagnosticCodes.GoldenInputMismatch.Create(
                    $"data set '{dataSet.Name}': model input '{name}' has no golden value", dataSet.InputFiles.FirstOrDefault() ?? dataSet.OutputFile(0), name));
                ok = false;
            }
        }

        return ok ? feeds : null;
    }

    private static string? DescribeInputMismatch(DataValue value, NodeMetadata metadata)
    {
        if (value is TensorValue tensor && metadata.IsTensor)
        {
            if (!OrtValueBridge.TryGetOrtType(tensor.ElementType, out var ortType))
            {
                return null;
            }

            if (ortType != metadata.ElementDataType)
            {
                return $"golden value is {ElementTypes.Name(tensor.ElementType)}, the model declares {metadata.ElementDataType}";
            }

            var dims = metadata.Dimensions;
            if (dims.Length != tensor.Shape.Length)
            {
                return $"golden value has shape [{string.Join(",", tensor.Shape)}], the model declares rank {dims.Length}";
            }
        }

        return null;
    }

    /// <summary>
    /// The model name a golden value binds to: its own name when the model has it. A value without a name (GoldenData
    /// names unnamed values of the ONNX test layout after the graph, so this is rare) takes the model name at its
    /// position, but only when the data set has exactly as many values as the model has names and no other golden value
    /// claims that name; so a model whose outputs were selected or reordered is never compared against the wrong golden
    /// file, and no model value is compared twice.
    /// </summary>
    private static string? ResolveName(string goldenName, int position, IReadOnlyList<string> modelNames, IReadOnlyList<string> goldenNames)
    {
        if (goldenName.Length > 0 && modelNames.Contains(goldenName))
        {
            return goldenName;
        }

        if (goldenName.Length > 0 || position >= modelNames.Count || goldenNames.Count != modelNames.Count)
        {
            return null;
        }

        var candidate = modelNames[position];
        return goldenNames.Contains(candidate) ? null : candidate;
    }

    private static Diagnostic Describe(string dataSet, OutputComparison c, string file)
    {
        var inv = CultureInfo.InvariantCulture;
        var prefix = $"data set '{dataSet}', output '{c.OutputName}': ";
        if (c.Problem is not null)
        {
            var code = c.ProblemKind switch
            {
                ComparisonProblem.Shape => DiagnosticCodes.OutputShapeMismatch,
                ComparisonProblem.Unsupported => DiagnosticCodes.UnsupportedRuntimeType,
                _ => DiagnosticCodes.OutputTypeMismatch,
            };
            return code.Create(prefix + c.Problem, file, c.OutputName);
        }

        var where = c.WorstIndex is null ? "" : $"; worst at [{string.Join(",", c.WorstIndex)}]: actual {c.WorstActual}, expected {c.WorstExpected}";
        var rtol = Format(c.Tolerance.Rtol);
        var atol = Format(c.Tolerance.Atol);
        var pass = double.IsPositiveInfinity(c.RequiredAtol)
            ? "no atol/rtol would pass (NaN, infinity or exact-match mismatch)"
            : $"would pass with atol={Format(c.RequiredAtol, roundUp: true)} (at rtol={rtol})" +
              (double.IsPositiveInfinity(c.RequiredRtol) ? "" : $" or rtol={Format(c.RequiredRtol, roundUp: true)} (at atol={atol})");
        var message = string.Create(inv,
            $"{prefix}{c.MismatchCount} of {c.ElementCount} elements ({c.MismatchPercent:0.###}%) outside rtol={rtol}, atol={atol}; " +
            $"max abs error {Format(c.MaxAbsError)}, max rel error {Format(c.MaxRelError)}{where}; {pass}");
        return DiagnosticCodes.OutputMismatch.Create(message, file, c.OutputName);
    }

    /// <summary>Six significant digits, rounded up so that a printed required tolerance really passes; NumPy's inf.</summary>
    private static string Format(double value, bool roundUp = false)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "inf";
        }

        if (value == 0 || double.IsNaN(value))
        {
            return value.ToString(CultureInfo.InvariantCulture).ToLowerInvariant();
        }

        var text = value.ToString("G6", CultureInfo.InvariantCulture);
        if (roundUp && double.Parse(text, CultureInfo.InvariantCulture) < value)
        {
            var scale = Math.Pow(10, 5 - (int)Math.Floor(Math.Log10(Math.Abs(value))));
            text = (Math.Ceiling(value * scale) / scale).ToString("G6", CultureInfo.InvariantCulture);
        }

        return text.Replace("E", "e", StringComparison.Ordinal);
    }
}
