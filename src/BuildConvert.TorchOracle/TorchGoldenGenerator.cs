using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.TorchOracle;

/// <summary>What <see cref="TorchGoldenGenerator"/> runs and on which inputs.</summary>
public sealed record TorchGoldenOptions
{
    /// <summary>The method to run.</summary>
    public string Method { get; init; } = "forward";

    /// <summary>Shapes of the tensor parameters, by name or position (a null dimension takes each of <see cref="DynamicSizes"/>).
    /// TorchScript declares no shapes, so every tensor parameter needs one unless <see cref="Inputs"/> are given.</summary>
    public IReadOnlyList<InputShapeSpec> InputShapes { get; init; } = Array.Empty<InputShapeSpec>();

    /// <summary>Element types of tensor parameters by name or by 0-based position written as a number (float32 when not given).</summary>
    public IReadOnlyDictionary<string, DataType> InputTypes { get; init; } = new Dictionary<string, DataType>(StringComparer.Ordinal);

    /// <summary>The seed; the same seed, archive and options give the same data.</summary>
    public int Seed { get; init; }

    /// <summary>Sizes for dynamic dimensions: one data set per size when any dimension is dynamic, else one data set.</summary>
    public IReadOnlyList<long> DynamicSizes { get; init; } = [1, 3];

    /// <summary>Inputs to use instead of random ones: one list per data set, named after parameters or in order.</summary>
    public IReadOnlyList<IReadOnlyList<DataValue>>? Inputs { get; init; }
}

/// <summary>
/// Golden data from LibTorch: seeded inputs (<see cref="SeededInputs"/>, the stream the ONNX Runtime generator uses)
/// for the method's parameters, the outputs LibTorch computes, written in the ONNX test layout. Tensor parameters take
/// shapes from <see cref="TorchGoldenOptions.InputShapes"/> and types from <see cref="TorchGoldenOptions.InputTypes"/>;
/// int, float and bool parameters get 0-d int64, double and bool values; Optional parameters without a shape get None.
/// </summary>
public static class TorchGoldenGenerator
{
    /// <summary>Runs the archive and returns the data sets (inputs named after the parameters).</summary>
    /// <exception cref="BuildConvertException">BCONV41xx (see <see cref="TorchScriptRunner"/>).</exception>
    public static IReadOnlyList<GoldenDataSet> Generate(TorchScriptRunner runner, TorchGoldenOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(options);
        var parameters = runner.Parameters(options.Method);
        var inputSets = options.Inputs ?? MakeInputs(runner.ArchivePath, options, parameters);
        var result = new List<GoldenDataSet>();
        for (var n = 0; n < inputSets.Count; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = OnnxTestLayout.DataSetPrefix + n.ToString(CultureInfo.InvariantCulture);
            var bound = runner.Bind(options.Method, parameters, inputSets[n]);
            var named = bound.Select((v, i) => v is null ? null : v with { Name = parameters[i].Name }).OfType<DataValue>().ToArray();
            var outputs = runner.Run(options.Method, named, name);
            result.Add(new GoldenDataSet(name, named, outputs));
        }

        return result;
    }

    /// <summary>Generates golden data and writes it under <paramref name="folder"/> (replacing data sets there).</summary>
    public static IReadOnlyList<GoldenDataSet> GenerateTo(TorchScriptRunner runner, string folder, TorchGoldenOptions options, CancellationToken cancellationToken = default)
    {
        var dataSets = Generate(runner, options, cancellationToken);
        OnnxTestLayout.Write(folder, dataSets);
        return dataSets;
    }

    private static List<IReadOnlyList<DataValue>> MakeInputs(string archive, TorchGoldenOptions options, IReadOnlyList<TorchParameter> parameters)
    {
        foreach (var spec in options.InputShapes)
        {
            var known = spec.Name is not null ? parameters.Any(p => p.Name == spec.Name) : spec.Position is { } p && p >= 0 && p < parameters.Count;
            if (!known)
            {
                throw Mismatch(archive, options.Method, parameters, $"input shape '{spec}' names no parameter");
            }
        }

        foreach (var name in options.InputTypes.Keys.Where(k => parameters.All(p => p.Name != k) && !(int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out var position) && position < parameters.Count)))
        {
            throw Mismatch(archive, options.Method, parameters, $"--input-types names '{name}', which is no parameter");
        }

        if (options.DynamicSizes.Count == 0 || options.DynamicSizes.Any(s => s < 0))
        {
            throw new ArgumentException("DynamicSizes must hold at least one non-negative size", nameof(options));
        }

        var plans = new List<(TorchParameter Parameter, DataType Type, long?[]? Dims)>();
        for (var i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            var spec = options.InputShapes.FirstOrDefault(s => s.Name == parameter.Name) ?? options.InputShapes.FirstOrDefault(s => s.Name is null && s.Position == i);
            switch (parameter.ValueType)
            {
                case "Tensor" when spec is not null:
                    plans.Add((parameter, TypeOf(options, parameter.Name, i), spec.Dimensions.ToArray()));
                    break;
                case "Tensor" when parameter.CanBeOmitted:
                    plans.Add((parameter, DataType.Undefined, null));
                    break;
                case "Tensor":
                    throw Mismatch(archive, options.Method, parameters, $"tensor parameter '{parameter.Name}' needs a shape: give it with --input-shapes (InputShapes), e.g. {parameter.Name}:N,3,224,224");
                case "int":
                    plans.Add((parameter, DataType.Int64, []));
                    break;
                case "float":
                    plans.Add((parameter, DataType.Double, []));
                    break;
                case "bool":
                    plans.Add((parameter, DataType.Bool, []));
                    break;
                default:
                    if (parameter.CanBeOmitted)
                    {
                        plans.Add((parameter, DataType.Undefined, null));
                        break;
                    }

                    throw BuildConvertException.Create(DiagnosticCodes.TorchArgumentUnsupported,
                        $"parameter '{parameter.Name}' of '{options.Method}' is {parameter.Type}; random inputs are made for Tensor, int, float and bool parameters, and TorchSharp 0.107 passes no other kind", archive, parameter.Name);
            }
        }

        var anyDynamic = plans.Any(p => p.Dims?.Any(d => d is null) == true);
        var sizes = anyDynamic ? options.DynamicSizes : options.DynamicSizes.Take(1).ToArray();
        var sets = new List<IReadOnlyList<DataValue>>();
        for (var n = 0; n < sizes.Count; n++)
        {
            var random = SeededInputs.ForDataSet(options.Seed, n);
            var values = new List<DataValue>();
            foreach (var (parameter, type, dims) in plans)
            {
                if (dims is null)
                {
                    continue;
                }

                var shape = dims.Select(d => d ?? sizes[n]).ToArray();
                if (SeededInputs.ElementCount(shape) > SeededInputs.MaxElements)
                {
                    throw Mismatch(archive, options.Method, parameters, $"parameter '{parameter.Name}' of shape [{string.Join(",", shape)}] has more than {SeededInputs.MaxElements} elements");
                }

                values.Add(SeededInputs.Tensor(parameter.Name, type, shape, random));
            }

            sets.Add(values);
        }

        return sets;
    }

    private static DataType TypeOf(TorchGoldenOptions options, string name, int position) =>
        options.InputTypes.TryGetValue(name, out var byName) ? byName
        : options.InputTypes.TryGetValue(position.ToString(CultureInfo.InvariantCulture), out var byPosition) ? byPosition
        : DataType.Float;

    private static BuildConvertException Mismatch(string archive, string method, IReadOnlyList<TorchParameter> parameters, string why) =>
        BuildConvertException.Create(DiagnosticCodes.TorchInputMismatch,
            $"{why}; '{method}' takes ({string.Join(", ", parameters.Select(p => $"{p.Name}: {p.Type}"))})", archive, method);
}
