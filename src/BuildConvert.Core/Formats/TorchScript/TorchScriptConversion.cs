using System.Globalization;
using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TorchScript.FrontEnd;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Formats.TorchScript;

/// <summary>
/// A TorchScript archive to ONNX: the method's inputs from the options (<c>InputShapes</c>, <c>InputTypes</c>, else
/// the traced example inputs a PyTorch 2.x archive records), the front end's ATen graph of the method, the ATen
/// converters at the target opset, and (with <c>Optimize</c>) the core's optimizer. A dynamic dimension in
/// <c>InputShapes</c> (<c>N</c>, <c>-1</c>) stays symbolic; the same symbol on two inputs is one dimension.
/// </summary>
public static class TorchScriptConversion
{
    /// <summary>The method converted when none is named.</summary>
    public const string DefaultMethod = "forward";

    /// <summary>Which method of the root module to convert.</summary>
    public static ConversionOptionDescriptor Method { get; } = ConversionOptionDescriptor.ForFormat(
        "Method", "--method", OptionValueKind.Text,
        $"TorchScript archives: the method of the root module to convert (default {DefaultMethod}; 'buildconvert inspect' lists them).");

    /// <summary>The element types of the method's tensor parameters.</summary>
    public static ConversionOptionDescriptor InputTypes { get; } = ConversionOptionDescriptor.ForFormat(
        "InputTypes", "--input-types", OptionValueKind.Text,
        "TorchScript archives: element types of tensor parameters as \"ids:int64;mask:bool\" (name or 0-based position; default float32).",
        text => ParseInputTypes(text));

    /// <summary>The element type a type name gives (ONNX or PyTorch spelling: <c>float32</c>/<c>float</c>,
    /// <c>int64</c>/<c>long</c>, <c>bool</c>, ...), or null for a name that is none.</summary>
    public static DataType? ParseElementType(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "float" or "float32" => DataType.Float,
            "double" or "float64" => DataType.Double,
            "float16" or "half" => DataType.Float16,
            "bfloat16" => DataType.Bfloat16,
            "int64" or "long" => DataType.Int64,
            "int32" or "int" => DataType.Int32,
            "int16" or "short" => DataType.Int16,
            "int8" => DataType.Int8,
            "uint8" => DataType.Uint8,
            "bool" => DataType.Bool,
            _ => null,
        };
    }

    /// <summary>The ordered <c>name:type</c> entries of an <c>InputTypes</c> value.</summary>
    /// <exception cref="OptionValueException">An entry is not <c>name:type</c> with a known type, or names an input twice.</exception>
    public static IReadOnlyList<KeyValuePair<string, DataType>> ParseInputTypes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<KeyValuePair<string, DataType>>();
        foreach (var entry in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.LastIndexOf(':');
            var type = colon > 0 ? ParseElementType(entry[(colon + 1)..]) : null;
            if (type is null)
            {
                throw OptionValueException.Invalid("name:type entries separated by ';'",
                    $"entry '{entry}' must be name:type with a type among float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool");
            }

            var key = entry[..colon].Trim();
            if (result.Any(kv => kv.Key == key))
            {
                throw OptionValueException.Invalid("name:type entries separated by ';'", $"'{key}' is given twice");
            }

            result.Add(new(key, type.Value));
        }

        return result;
    }

    /// <summary>Converts <paramref name="model"/> as <paramref name="options"/> ask.</summary>
    /// <exception cref="BuildConvertException">BCONV2230-2239 from the front end, BCONV2001/2003/2200-2205 from the
    /// converters, BCONV2236 for input options that name no parameter.</exception>
    public static ConvertedModel Convert(TorchScriptSourceModel model, ConversionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var file = model.SourcePath;
        var program = model.Program;
        var method = options.Get(Method) is string { Length: > 0 } m ? m.Trim() : DefaultMethod;
        try
        {
            var specs = InputSpecs(program, method, options, file);
            var code = TorchScriptCode.Parse(program.Code, cancellationToken);
            var front = TorchFrontEnd.Build(program.Module, code, program.Constants, method, specs, null, cancellationToken);
            var conversion = TorchModelConverter.Convert(front.Graph, options.Opset, file, cancellationToken);
            var steps = new List<string>
            {
                string.Create(CultureInfo.InvariantCulture, $"torchscript front end: {program.Module.QualifiedName}.{method}, {front.Graph.Nodes.Count} ATen node(s)"),
            };
            steps.AddRange(front.Notes.Select(n => "note: " + n));
            steps.AddRange(conversion.Steps);
            if (options.Optimize)
            {
                Optimizers.OptimizationReport report;
                try
                {
                    report = Optimizers.GraphOptimizer.Optimize(conversion.Model);
                }
                catch (Exception e) when (e is not (BuildConvertException or OutOfMemoryException or OperationCanceledException))
                {
                    throw BuildConvertException.Create(DiagnosticCodes.ConversionStepFailed,
                        $"the optimizer failed ({e.GetType().Name}: {e.Message})", file, inner: e);
                }

                steps.Add($"optimize: {report}");
            }

            return new ConvertedModel(conversion.Model, conversion.Warnings, steps);
        }
        catch (BuildConvertException e) when (e.Diagnostics.Any(d => d.File is null))
        {
            throw new BuildConvertException(e.Diagnostics.Select(d => d with { File = d.File ?? file }).ToArray(), e);
        }
    }

    /// <summary>The front end's input specs for <paramref name="method"/>: one per parameter that <c>InputShapes</c>,
    /// <c>InputTypes</c> or the traced inputs describe (an entry may name an element of a tuple or object parameter as
    /// the converted graph's input is named: <c>x.0</c>, <c>data.foo</c>), and a float32 tensor of unknown shape for every other plain
    /// <c>Tensor</c> parameter (the converter then asks for its shape).</summary>
    internal static IReadOnlyList<TorchInputSpec> InputSpecs(TorchScriptProgram program, string method, ConversionOptions options, string? file)
    {
        var signature = TorchScriptSignatures.RootMethods(program).FirstOrDefault(s => s.Name == method);
        var parameters = signature?.Parameters ?? Array.Empty<(string Name, string Type)>();
        var shapes = new Dictionary<string, InputShapeSpec>(StringComparer.Ordinal);
        foreach (var spec in options.InputShapes)
        {
            var name = ParameterName(spec.Name, spec.Position, parameters, method, "--input-shapes / InputShapes", file);
            if (!shapes.TryAdd(name, spec))
            {
                throw BuildConvertException.Create(DiagnosticCodes.TorchScriptInputSpecInvalid,
                    $"--input-shapes / InputShapes gives parameter '{name}' of {method} twice", file);
            }
        }

        var types = new Dictionary<string, DataType>(StringComparer.Ordinal);
        if (options.Get(InputTypes) is IReadOnlyList<KeyValuePair<string, DataType>> typeEntries)
        {
            foreach (var (key, type) in typeEntries)
            {
                var isPosition = int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var position);
                var name = ParameterName(isPosition ? null : key, isPosition ? position : null, parameters, method, "--input-types / InputTypes", file);
                if (!types.TryAdd(name, type))
                {
                    throw BuildConvertException.Create(DiagnosticCodes.TorchScriptInputSpecInvalid,
                        $"--input-types / InputTypes gives parameter '{name}' of {method} twice", file);
                }
            }
        }

        // Entries for an element of a tuple or object parameter ("x.0", "data.foo") become that parameter's element specs.
        var elementSpecs = new Dictionary<string, List<TorchInputSpec>>(StringComparer.Ordinal);
        foreach (var name in shapes.Keys.Concat(types.Keys).Distinct().Where(n => parameters.All(p => p.Name != n) && n.Contains('.', StringComparison.Ordinal)).ToArray())
        {
            var parts = name.Split('.', 2);
            if (!elementSpecs.TryGetValue(parts[0], out var list))
            {
                elementSpecs[parts[0]] = list = new List<TorchInputSpec>();
            }

            list.Add(new TorchInputSpec(parts[1], null, shapes.TryGetValue(name, out var es) ? Dims(name, es) : null, types.GetValueOrDefault(name, DataType.Float)));
        }

        IReadOnlyList<object?>? traced = null;
        program.TracedInputs?.TryGetValue(method, out traced);
        var result = new List<TorchInputSpec>();
        for (var k = 0; k < parameters.Count; k++)
        {
            var (name, annotation) = parameters[k];
            if (elementSpecs.TryGetValue(name, out var elements))
            {
                result.Add(new TorchInputSpec(name, null, null, null, elements));
                continue;
            }

            var tracedTensor = traced is not null && k < traced.Count ? traced[k] as TorchTensorSpec : null;
            var isPlainTensor = annotation.Length == 0 || annotation == "Tensor";
            IReadOnlyList<Dim>? dims = null;
            if (shapes.TryGetValue(name, out var shape))
            {
                dims = Dims(name, shape);
            }
            else if (tracedTensor is not null)
            {
                dims = tracedTensor.Shape.Select(Dim.Of).ToArray();
            }

            DataType? element = types.TryGetValue(name, out var t) ? t : tracedTensor?.ElementType;
            if (dims is null && element is null && !isPlainTensor)
            {
                continue; // an int, a tuple, an Optional with its default: the front end takes it from the annotation
            }

            result.Add(new TorchInputSpec(name, null, dims, element ?? DataType.Float));
        }

        // Options for a method whose signature the code does not show (an overload set): hand them to the front end by name.
        if (signature is null)
        {
            foreach (var (name, shape) in shapes)
            {
                result.Add(new TorchInputSpec(name, null, Dims(name, shape), types.GetValueOrDefault(name, DataType.Float)));
            }
        }

        return result;
    }

    private static string ParameterName(string? name, int? position, IReadOnlyList<(string Name, string Type)> parameters, string method, string option, string? file)
    {
        if (parameters.Count == 0)
        {
            return name ?? throw BuildConvertException.Create(DiagnosticCodes.TorchScriptInputSpecInvalid,
                $"{option} gives input {position?.ToString(CultureInfo.InvariantCulture)} by position, but the signature of {method} is not known; name the parameter", file);
        }

        if (name is not null)
        {
            var head = name.Split('.', 2)[0];
            return parameters.Any(p => p.Name == name || p.Name == head) ? name : throw BuildConvertException.Create(DiagnosticCodes.TorchScriptInputSpecInvalid,
                $"{option} names '{name}', which is no parameter of {method}; its parameters are {string.Join(", ", parameters.Select(p => p.Name))}", file);
        }

        return position is { } p && p < parameters.Count ? parameters[p].Name : throw BuildConvertException.Create(DiagnosticCodes.TorchScriptInputSpecInvalid,
            $"{option} gives input {position?.ToString(CultureInfo.InvariantCulture)} by position, but {method} has {parameters.Count.ToString(CultureInfo.InvariantCulture)} parameter(s): {string.Join(", ", parameters.Select(q => q.Name))}", file);
    }

    private static Dim[] Dims(string name, InputShapeSpec shape) =>
        shape.Dimensions.Select((d, i) => d is { } size ? Dim.Of(size) : Dim.Sym(shape.SymbolAt(i) ?? $"{Sanitize(name)}_dim{i.ToString(CultureInfo.InvariantCulture)}")).ToArray();

    private static string Sanitize(string name) => new(name.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
}
