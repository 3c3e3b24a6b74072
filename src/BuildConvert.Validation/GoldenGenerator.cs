using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Values;
using Microsoft.ML.OnnxRuntime;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Validation;

/// <summary>
/// Creates golden data for an ONNX model by running ONNX Runtime on seeded random inputs of the declared shapes (or on
/// given inputs), and writes it in the ONNX test layout (<c>test_data_set_N/input_K.pb</c>, <c>output_K.pb</c>).
/// Random values come from <see cref="SeededInputs"/>, which the LibTorch oracle shares.
/// </summary>
public sealed class GoldenGenerator
{
    /// <summary>Runs the model and returns the data sets (not written anywhere).</summary>
    /// <exception cref="BuildConvertException">BCONV10xx when the model cannot be read; BCONV4011 when inputs cannot be made; BCONV4006/4007 when ONNX Runtime
    /// cannot load the model; BCONV4008 when it fails to run; BCONV4009 for types its .NET API cannot carry.</exception>
    public IReadOnlyList<GoldenDataSet> Generate(string modelPath, GoldenGenerationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        ArgumentNullException.ThrowIfNull(options);
        var model = ModelFiles.ReadChecked(modelPath);
        var inputs = FeedableInputs(model);
        var inputSets = options.Inputs is { } given
            ? given.Select((set, n) => NameGivenInputs(modelPath, inputs, set, n)).ToArray()
            : MakeRandomInputs(modelPath, inputs, options);

        var diagnostics = new List<Diagnostic>();
        using var sessionOptions = SessionFactory.CreateOptions(options.IntraOpThreads);
        using var session = SessionFactory.Open(modelPath, sessionOptions, diagnostics, SessionFactory.DefaultOpset(model))
            ?? throw new BuildConvertException(diagnostics);

        var result = new List<GoldenDataSet>();
        for (var n = 0; n < inputSets.Length; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = OnnxTestLayout.DataSetPrefix + n.ToString(CultureInfo.InvariantCulture);
            result.Add(new GoldenDataSet(name, inputSets[n], RunOnce(modelPath, session, inputSets[n], name)));
        }

        return result;
    }

    /// <summary>Generates golden data and writes it under <paramref name="outputFolder"/> in the ONNX test layout
    /// (replacing existing data sets there; nothing is written when generation fails).</summary>
    /// <returns>The data sets written.</returns>
    /// <exception cref="BuildConvertException">As <see cref="Generate"/>, and BCONV1112 when the files cannot be written.</exception>
    public IReadOnlyList<GoldenDataSet> GenerateTo(string modelPath, string outputFolder, GoldenGenerationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outputFolder);
        var dataSets = Generate(modelPath, options, cancellationToken);
        OnnxTestLayout.Write(outputFolder, dataSets);
        return dataSets;
    }

    private static IReadOnlyList<ValueInfoProto> FeedableInputs(ModelProto model)
    {
        var initializers = new HashSet<string>(model.Graph?.Initializer.Select(i => i.Name) ?? [], StringComparer.Ordinal);
        return model.Graph?.Input.Where(i => !initializers.Contains(i.Name)).ToArray() ?? [];
    }

    private static List<DataValue> NameGivenInputs(string modelPath, IReadOnlyList<ValueInfoProto> inputs, IReadOnlyList<DataValue> given, int set)
    {
        var named = new List<DataValue>(given.Count);
        for (var k = 0; k < given.Count; k++)
        {
            var value = given[k];
            if (value.Name.Length > 0 && inputs.Any(i => i.Name == value.Name))
            {
                named.Add(value);
            }
            else if (value.Name.Length == 0 && k < inputs.Count)
            {
                named.Add(value with { Name = inputs[k].Name });
            }
            else
            {
                throw BuildConvertException.Create(DiagnosticCodes.GoldenInputMismatch,
                    $"given input {k} ('{value.Name}') of data set {set} matches no model input (the model has: {string.Join(", ", inputs.Select(i => i.Name))})", modelPath, value.Name);
            }
        }

        return ModelOrder(inputs, named);
    }

    private static List<DataValue> ModelOrder(IReadOnlyList<ValueInfoProto> inputs, List<DataValue> values) =>
        values.OrderBy(v => inputs.ToList().FindIndex(i => i.Name == v.Name)).ToList();

    private static List<DataValue>[] MakeRandomInputs(string modelPath, IReadOnlyList<ValueInfoProto> inputs, GoldenGenerationOptions options)
    {
        foreach (var spec in options.InputShapes)
        {
            var known = spec.Name is not null ? inputs.Any(i => i.Name == spec.Name) : spec.Position is { } p && p >= 0 && p < inputs.Count;
            if (!known)
            {
                throw BuildConvertException.Create(DiagnosticCodes.GoldenGenerationFailed,
                    $"input shape '{spec}' names no model input (the model has: {string.Join(", ", inputs.Select(i => i.Name))})", modelPath);
            }
        }

        if (options.DynamicSizes.Count == 0 || options.DynamicSizes.Any(s => s < 0))
        {
            throw new ArgumentException("DynamicSizes must hold at least one non-negative size", nameof(options));
        }

        var anyDynamic = false;
        var shapes = new List<Func<long, long[]>>();
        for (var k = 0; k < inputs.Count; k++)
        {
            shapes.Add(ShapeOf(modelPath, inputs[k], k, options.InputShapes, ref anyDynamic));
        }

        var sizes = anyDynamic ? options.DynamicSizes : options.DynamicSizes.Take(1).ToArray();
        var sets = new List<DataValue>[sizes.Count];
        for (var n = 0; n < sizes.Count; n++)
        {
            var random = SeededInputs.ForDataSet(options.Seed, n);
            sets[n] = inputs.Select((input, k) => (DataValue)RandomTensor(modelPath, input, shapes[k](sizes[n]), random)).ToList();
        }

        return sets;
    }

    private static Func<long, long[]> ShapeOf(string modelPath, ValueInfoProto input, int position, IReadOnlyList<InputShapeSpec> specs, ref bool anyDynamic)
    {
        var tensorType = input.Type?.TensorType;
        if (tensorType is null)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenGenerationFailed,
                $"input '{input.Name}' is a {input.Type?.ValueCase.ToString() ?? "untyped value"}; random golden inputs are made for tensors only (give inputs instead)", modelPath, input.Name);
        }

        var spec = specs.FirstOrDefault(s => s.Name == input.Name) ?? specs.FirstOrDefault(s => s.Name is null && s.Position == position);
        var declared = tensorType.Shape?.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue >= 0 ? (long?)d.DimValue : null).ToArray();
        long?[] dims;
        if (spec is not null)
        {
            if (declared is not null && declared.Length != spec.Dimensions.Count)
            {
                throw BuildConvertException.Create(DiagnosticCodes.GoldenGenerationFailed,
                    $"input shape '{spec}' has rank {spec.Dimensions.Count}, but input '{input.Name}' has rank {declared.Length}", modelPath, input.Name);
            }

            if (declared is not null)
            {
                for (var i = 0; i < declared.Length; i++)
                {
                    if (declared[i] is { } fixedDim && spec.Dimensions[i] is { } given && given != fixedDim)
                    {
                        throw BuildConvertException.Create(DiagnosticCodes.GoldenGenerationFailed,
                            $"input shape '{spec}' gives dimension {i} of input '{input.Name}' as {given}, but the model fixes it at {fixedDim}", modelPath, input.Name);
                    }
                }
            }

            dims = spec.Dimensions.Select((d, i) => d ?? declared?[i]).ToArray();
        }
        else if (declared is null)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenGenerationFailed,
                $"input '{input.Name}' declares no shape; give one with --input-shapes (InputShapes)", modelPath, input.Name);
        }
        else
        {
            dims = declared;
        }

        if (dims.Any(d => d is null))
        {
            anyDynamic = true;
        }

        return size => dims.Select(d => d ?? size).ToArray();
    }

    private static TensorValue RandomTensor(string modelPath, ValueInfoProto input, long[] shape, Random random)
    {
        var type = (DataType)input.Type.TensorType.ElemType;
        if (!OrtValueBridge.IsSupported(type))
        {
            throw BuildConvertException.Create(DiagnosticCodes.UnsupportedRuntimeType,
                $"input '{input.Name}' is {ElementTypes.Name(type)}, which ONNX Runtime's .NET API cannot create", modelPath, input.Name);
        }

        if (SeededInputs.ElementCount(shape) > SeededInputs.MaxElements)
        {
            throw BuildConvertException.Create(DiagnosticCodes.GoldenGenerationFailed,
                $"input '{input.Name}' of shape [{string.Join(",", shape)}] has more than {SeededInputs.MaxElements} elements", modelPath, input.Name);
        }

        return SeededInputs.Tensor(input.Name, type, shape, random);
    }

    private static List<DataValue> RunOnce(string modelPath, InferenceSession session, List<DataValue> inputs, string dataSet)
    {
        var fed = inputs.Where(i => i is not OptionalValue { Value: null }).ToArray();
        var values = new List<OrtValue>(fed.Length);
        try
        {
            foreach (var input in fed)
            {
                values.Add(OrtValueBridge.ToOrtValue(input));
            }

            using var runOptions = new RunOptions();
            var outputNames = session.OutputNames;
            using var outputs = session.Run(runOptions, fed.Select(i => i.Name).ToArray(), values, outputNames);
            return outputNames.Select((name, i) => OrtValueBridge.FromOrtValue(name, outputs.ElementAt(i))).ToList();
        }
        catch (OnnxRuntimeException ex)
        {
            var code = SessionFactory.IsNotImplemented(ex) ? DiagnosticCodes.RuntimeNotImplemented : DiagnosticCodes.RuntimeRunFailed;
            throw BuildConvertException.Create(code, $"data set '{dataSet}': ONNX Runtime failed while running the model: {SessionFactory.CleanMessage(ex.Message)}", modelPath, inner: ex);
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }
}
