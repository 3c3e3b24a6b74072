using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Tool.TorchOracle;

/// <summary>
/// <c>convert --verify-source</c>: the converted ONNX model against the source framework itself. LibTorch (the oracle)
/// runs the TorchScript archive on seeded inputs and writes golden data to a temporary folder, then the usual validator
/// (ONNX Runtime) runs the ONNX model on the same inputs and compares. Input shapes come from <c>--input-shapes</c>, else
/// from the ONNX model's declared inputs (symbolic dimensions dynamic: two data sets, sizes 1 and 3); the element types
/// of the archive's tensor parameters from the ONNX model's inputs. The ONNX model's inputs and outputs bind by position
/// (the ONNX test layout; shapes and types are handed to the oracle by position too), so the converter must keep the method's parameter order and the flattened output order.
/// </summary>
internal sealed class SourceVerifier
{
    /// <summary>The tolerance when none was given: rtol 1e-4, atol 1e-5 (fp32 against fp32).</summary>
    public static Tolerance DefaultTolerance { get; } = new(1e-4, 1e-5);

    private readonly TorchOracleClient oracle;
    private readonly Func<IModelValidator> createValidator;

    public SourceVerifier(TorchOracleClient oracle, Func<IModelValidator> createValidator)
    {
        this.oracle = oracle;
        this.createValidator = createValidator;
    }

    /// <summary>Compares ONNX Runtime on <paramref name="onnxModel"/> with LibTorch on <paramref name="archive"/>.</summary>
    /// <param name="archive">The TorchScript archive the model was converted from.</param>
    /// <param name="onnxModel">The converted model.</param>
    /// <param name="inputShapes">The conversion's input shapes (may be empty).</param>
    /// <param name="tolerances">The conversion's tolerances; the global one is <see cref="DefaultTolerance"/> when left at the
    /// golden-data default.</param>
    /// <returns>The validation report; its diagnostics say what differs.</returns>
    /// <exception cref="BuildConvertException">BCONV41xx when the oracle cannot run the archive; BCONV10xx when the
    /// ONNX model cannot be read.</exception>
    public ValidationReport Verify(string archive, string onnxModel, IReadOnlyList<InputShapeSpec> inputShapes, ToleranceSet tolerances, int seed = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(onnxModel);
        ArgumentNullException.ThrowIfNull(tolerances);
        if (!TorchOracleClient.IsTorchScriptArchive(archive))
        {
            throw BuildConvertException.Create(DiagnosticCodes.VerifySourceUnavailable,
                $"'{archive}' is not a TorchScript archive; --verify-source runs the source with LibTorch, which only TorchScript archives have", archive);
        }

        var model = OnnxModelReader.Read(onnxModel);
        var inputs = FeedableInputs(model);
        var shapes = inputShapes.Count > 0 ? inputShapes : DeclaredShapes(inputs);
        var types = string.Join(";", inputs.Select((input, k) => (input, k)).Where(x => x.input.Type?.TensorType is not null)
            .Select(x => $"{x.k.ToString(CultureInfo.InvariantCulture)}:{ElementTypes.Name((DataType)x.input.Type.TensorType.ElemType)}"));
        tolerances = SourceTolerances(tolerances);
        var folder = PrepareGolden(archive, shapes, types, seed, cancellationToken);
        try
        {
            return createValidator().Validate(onnxModel, model, folder, tolerances, cancellationToken);
        }
        finally
        {
            DeleteGolden(folder);
        }
    }

    /// <summary>Has the oracle write golden data for <paramref name="archive"/> into a new temporary folder and returns it
    /// (the caller deletes it with <see cref="DeleteGolden"/>). <c>convert --verify-source</c> does this before converting
    /// and validates the conversion against the folder, so the check runs before the output is committed.</summary>
    /// <param name="inputTypes"><c>name:type</c> or <c>position:type</c> entries separated by <c>;</c>, or null (float32).</param>
    public string PrepareGolden(string archive, IReadOnlyList<InputShapeSpec> inputShapes, string? inputTypes, int seed = 0, CancellationToken cancellationToken = default)
    {
        var folder = Path.Combine(Path.GetTempPath(), "buildconvert-verify-source-" + Guid.NewGuid().ToString("N"));
        try
        {
            oracle.Golden(new TorchGoldenRequest(archive, folder) { Seed = seed, InputShapes = inputShapes, InputTypes = inputTypes }, cancellationToken);
            return folder;
        }
        catch
        {
            DeleteGolden(folder);
            throw;
        }
    }

    /// <summary>The tolerances of a comparison with the source: <paramref name="tolerances"/>, with the global one
    /// <see cref="DefaultTolerance"/> when it was left at the golden-data default.</summary>
    public static ToleranceSet SourceTolerances(ToleranceSet tolerances) =>
        tolerances.Global == Tolerance.Default ? tolerances with { Global = DefaultTolerance } : tolerances;

    /// <summary>Removes a folder <see cref="PrepareGolden"/> made.</summary>
    public static void DeleteGolden(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IReadOnlyList<ValueInfoProto> FeedableInputs(ModelProto model)
    {
        var initializers = new HashSet<string>(model.Graph?.Initializer.Select(i => i.Name) ?? [], StringComparer.Ordinal);
        return model.Graph?.Input.Where(i => !initializers.Contains(i.Name)).ToArray() ?? [];
    }

    private static IReadOnlyList<InputShapeSpec> DeclaredShapes(IReadOnlyList<ValueInfoProto> inputs) =>
        inputs.Select((input, k) => (Input: input, Position: k)).Where(x => x.Input.Type?.TensorType?.Shape is not null)
            .Select(x => new InputShapeSpec(null, x.Position, x.Input.Type.TensorType.Shape.Dim
                .Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue >= 0 ? (long?)d.DimValue : null)
                .ToArray()))
            .ToArray();

    /// <summary>The line a report gives for a passed comparison.</summary>
    public static string Describe(ValidationReport report) =>
        string.Create(CultureInfo.InvariantCulture, $"verified against LibTorch on {report.DataSets.Count} data set(s), max abs error {report.WorstAbsError:G3}");
}
