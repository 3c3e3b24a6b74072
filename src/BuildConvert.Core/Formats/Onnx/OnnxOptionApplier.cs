using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>
/// Applies the shared <see cref="ConversionOptions"/> to a model that is already ONNX. What can be honoured is done in
/// place on the model (reordering or selecting graph outputs, reordering inputs, fixing dynamic input dimensions); what
/// cannot (dropping inputs, exposing intermediate values, making fixed dimensions dynamic) is a
/// BCONV0005 error naming the option, never silently ignored.
/// </summary>
internal static class OnnxOptionApplier
{
    /// <summary>Applies <paramref name="options"/> to <paramref name="model"/> (modified in place).</summary>
    /// <exception cref="BuildConvertException">BCONV0005 when an option cannot be honoured.</exception>
    public static void Apply(ModelProto model, ConversionOptions options, string path)
    {
        var graph = model.Graph ?? throw NotSupported(path, "the model has no graph, so no option can be applied");
        if (options.Inputs.Count > 0)
        {
            ApplyInputs(graph, options.Inputs, path);
        }

        if (options.Outputs.Count > 0)
        {
            ApplyOutputs(graph, options.Outputs, path);
        }

        if (options.InputShapes.Count > 0)
        {
            ApplyInputShapes(graph, options.InputShapes, path);
        }
    }

    /// <summary>The graph inputs that are not backed by an initializer (the values a caller feeds).</summary>
    public static IReadOnlyList<ValueInfoProto> FedInputs(GraphProto graph) => GraphInputs.Fed(graph);

    /// <summary>The version of the default (<c>ai.onnx</c>) operator set the model imports, or null.</summary>
    public static long? DefaultOpset(ModelProto model) =>
        model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => (long?)o.Version).FirstOrDefault();

    private static void ApplyInputs(GraphProto graph, IReadOnlyList<string> requested, string path)
    {
        var fed = FedInputs(graph);
        var byName = fed.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var names = string.Join(", ", fed.Select(i => i.Name));
        foreach (var name in requested)
        {
            if (!byName.ContainsKey(name))
            {
                throw NotSupported(path, $"--inputs / Inputs: '{name}' is not an input of the ONNX model; its inputs are: {names}", name);
            }
        }

        var duplicate = requested.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw NotSupported(path, $"--inputs / Inputs names '{duplicate.Key}' twice", duplicate.Key);
        }

        var missing = fed.Select(i => i.Name).Except(requested, StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            throw NotSupported(path, $"--inputs / Inputs leaves out {string.Join(", ", missing.Select(m => $"'{m}'"))}: inputs of an ONNX model cannot be removed; list every input ({names}) to reorder them", missing[0]);
        }

        var initializerBacked = graph.Input.Where(i => !byName.ContainsKey(i.Name)).ToArray();
        var reordered = requested.Select(n => byName[n]).Concat(initializerBacked).ToArray();
        graph.Input.Clear();
        graph.Input.AddRange(reordered);
    }

    private static void ApplyOutputs(GraphProto graph, IReadOnlyList<string> requested, string path)
    {
        var byName = graph.Output.GroupBy(o => o.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var names = string.Join(", ", graph.Output.Select(o => o.Name));
        foreach (var name in requested)
        {
            if (!byName.ContainsKey(name))
            {
                throw NotSupported(path, $"--outputs / Outputs: '{name}' is not an output of the ONNX model (its outputs are: {names}); exposing intermediate values of an ONNX model is not supported", name);
            }
        }

        var duplicate = requested.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw NotSupported(path, $"--outputs / Outputs names '{duplicate.Key}' twice", duplicate.Key);
        }

        var selected = requested.Select(n => byName[n]).ToArray();
        graph.Output.Clear();
        graph.Output.AddRange(selected);
    }

    private static void ApplyInputShapes(GraphProto graph, IReadOnlyList<InputShapeSpec> specs, string path)
    {
        var fed = FedInputs(graph);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            ValueInfoProto input;
            if (spec.Name is { } name)
            {
                input = fed.FirstOrDefault(i => i.Name == name) ?? throw NotSupported(path,
                    $"--input-shapes / InputShapes: '{name}' is not an input of the ONNX model; its inputs are: {string.Join(", ", fed.Select(i => i.Name))}", name);
            }
            else
            {
                var position = spec.Position ?? 0;
                if (position < 0 || position >= fed.Count)
                {
                    throw NotSupported(path, $"--input-shapes / InputShapes: position {position} is out of range; the ONNX model has {fed.Count} input(s)");
                }

                input = fed[position];
            }

            if (!seen.Add(input.Name))
            {
                throw NotSupported(path, $"--input-shapes / InputShapes gives the shape of input '{input.Name}' twice", input.Name);
            }

            ApplyShape(input, spec, path);
        }
    }

    private static void ApplyShape(ValueInfoProto input, InputShapeSpec spec, string path)
    {
        var tensorType = input.Type?.TensorType ?? throw NotSupported(path,
            $"--input-shapes / InputShapes: input '{input.Name}' is not a tensor, so it has no shape to set", input.Name);
        if (tensorType.Shape is null)
        {
            var shape = new TensorShapeProto();
            foreach (var d in spec.Dimensions)
            {
                shape.Dim.Add(d is { } v ? new TensorShapeProto.Types.Dimension { DimValue = v } : new TensorShapeProto.Types.Dimension());
            }

            tensorType.Shape = shape;
            return;
        }

        var dims = tensorType.Shape.Dim;
        if (dims.Count != spec.Dimensions.Count)
        {
            throw NotSupported(path, $"--input-shapes / InputShapes: input '{input.Name}' has rank {dims.Count} ({FormatDims(dims)}) in the ONNX model, not {spec.Dimensions.Count}", input.Name);
        }

        for (var k = 0; k < dims.Count; k++)
        {
            var dim = dims[k];
            var wanted = spec.Dimensions[k];
            var isFixed = dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue;
            if (wanted is { } value)
            {
                if (isFixed && dim.DimValue != value)
                {
                    throw NotSupported(path, $"--input-shapes / InputShapes: dimension {k} of input '{input.Name}' is fixed at {dim.DimValue} in the ONNX model, not {value}", input.Name);
                }

                if (!isFixed)
                {
                    dim.DimValue = value;
                }
            }
            else if (isFixed)
            {
                throw NotSupported(path, $"--input-shapes / InputShapes: dimension {k} of input '{input.Name}' is fixed at {dim.DimValue} in the ONNX model and cannot be made dynamic", input.Name);
            }
        }
    }

    private static string FormatDims(IEnumerable<TensorShapeProto.Types.Dimension> dims) =>
        string.Join(",", dims.Select(d => d.ValueCase switch
        {
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => d.DimValue.ToString(CultureInfo.InvariantCulture),
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => d.DimParam,
            _ => "?",
        }));

    private static BuildConvertException NotSupported(string path, string message, string? location = null) =>
        BuildConvertException.Create(DiagnosticCodes.OptionNotSupported, message, path, location);
}
