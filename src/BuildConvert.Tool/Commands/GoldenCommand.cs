using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Npy;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;
using BuildConvert.Core.Values;
using BuildConvert.Tool.Reporting;
using BuildConvert.Validation;

namespace BuildConvert.Tool.Commands;

/// <summary>
/// <c>buildconvert golden &lt;model.onnx&gt; -o &lt;folder&gt;</c>: runs the model with ONNX Runtime on seeded random inputs
/// of its declared shapes (or on given inputs) and writes the ONNX test layout (<c>test_data_set_N/input_K.pb</c>,
/// <c>output_K.pb</c>). A model with dynamic dimensions gets one data set per dynamic size (1 and 3).
/// A TorchScript archive (<c>model.pt</c>) is run by the LibTorch oracle instead (<see cref="TorchOracle.TorchOracleClient"/>):
/// <c>--input-shapes</c> gives every tensor parameter's shape, <c>--input-types</c> their element types, <c>--method</c> the method.
/// </summary>
internal sealed class GoldenCommand : ICliCommand
{
    public Command Create(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "The ONNX model (run with ONNX Runtime) or TorchScript archive (run with LibTorch through the optional oracle) to run." };
        var method = CommonOptions.NotBlank(new Option<string>("--method") { Description = "TorchScript archives: the method to run.", DefaultValueFactory = _ => "forward" });
        var inputTypes = new Option<string?>("--input-types") { Description = "TorchScript archives: element types of tensor parameters as \"ids:int64;mask:bool\" (default float32)." };
        var output = CommonOptions.NotBlank(new Option<string>("--output", "-o") { Description = "The folder to write test_data_set_N folders into.", Required = true });
        var seed = new Option<int>("--seed") { CustomParser = r => CommonOptions.Integer(r, "--seed", "a whole number") ?? 0, Description = "Seed of the random inputs (same seed, model and options: same data).", DefaultValueFactory = _ => 0 };
        var conversion = new CliConversionOptions(context.Services.Formats.Options, OptionCommands.Golden);
        var inputsFrom = new Option<string?>("--inputs-from") { Description = "Use these inputs instead of random ones: an .npz file (keys = input names), an .npy file (named after the input), or a golden folder whose inputs are taken." };
        var json = CommonOptions.Json();
        var sarif = CommonOptions.Sarif();
        var command = new Command("golden", "Create golden data by running a model: ONNX with ONNX Runtime, TorchScript with LibTorch.")
        {
            model, output, seed,
        };
        conversion.AddTo(command);
        command.Options.Add(inputsFrom);
        command.Options.Add(method);
        command.Options.Add(inputTypes);
        command.Options.Add(json);
        command.Options.Add(sarif);
        command.SetAction(parse => CommandRunner.Execute(context, "golden", parse.GetValue(json), parse.GetValue(sarif), report =>
        {
            var path = parse.GetValue(model)!;
            if (TorchOracle.TorchOracleClient.IsTorchScriptArchive(path))
            {
                var request = new TorchOracle.TorchGoldenRequest(path, parse.GetValue(output)!)
                {
                    Method = parse.GetValue(method)!, Seed = parse.GetValue(seed), InputShapes = conversion.Bind(parse).InputShapes,
                    InputTypes = parse.GetValue(inputTypes), InputsFrom = parse.GetValue(inputsFrom),
                };
                RunTorch(context, report, request);
                return;
            }

            if (parse.GetResult(inputTypes) is not null || parse.GetResult(method) is { Implicit: false })
            {
                throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"--method and --input-types apply to TorchScript archives; '{path}' is not one", path);
            }

            Run(report, path, parse.GetValue(output)!, parse.GetValue(seed), conversion.Bind(parse).InputShapes, parse.GetValue(inputsFrom));
        }));
        return command;
    }

    private static void Run(CommandReport report, string model, string output, int seed, IReadOnlyList<InputShapeSpec> shapes, string? inputsFrom)
    {
        CommandRunner.RequireExists(model, "model");
        if (inputsFrom is not null)
        {
            CommandRunner.RequireExists(inputsFrom, "inputs folder");
        }

        if (File.Exists(output))
        {
            throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"--output '{output}' is a file; golden data is written to a folder", output);
        }

        IReadOnlyList<GoldenDataSet> written;
        try
        {
            var options = new GoldenGenerationOptions { Seed = seed, InputShapes = shapes };
            if (inputsFrom is not null)
            {
                options = options with { Inputs = LoadInputs(inputsFrom, model) };
            }

            written = new GoldenGenerator().GenerateTo(model, output, options);
        }
        catch (BuildConvertException e)
        {
            report.AddModel(new ModelReport(model, ModelOutcome.Error, e.Diagnostics));
            return;
        }

        var json = new JsonObject
        {
            ["output"] = Path.GetFullPath(output),
            ["seed"] = seed,
            ["dataSets"] = new JsonArray(written.Select(d => (JsonNode?)new JsonObject
            {
                ["name"] = d.Name,
                ["inputs"] = Values(d.Inputs),
                ["outputs"] = Values(d.Outputs),
            }).ToArray()),
        };
        var detail = FormattableString.Invariant($"{written.Count} data set{(written.Count == 1 ? "" : "s")} written to {output}");
        report.AddModel(new ModelReport(model, ModelOutcome.Passed, Array.Empty<Diagnostic>(), detail, json));
    }

    private static void RunTorch(CliContext context, CommandReport report, TorchOracle.TorchGoldenRequest request)
    {
        if (request.InputsFrom is not null)
        {
            CommandRunner.RequireExists(request.InputsFrom, "inputs folder");
        }

        if (File.Exists(request.Output))
        {
            throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"--output '{request.Output}' is a file; golden data is written to a folder", request.Output);
        }

        IReadOnlyList<TorchOracle.TorchGoldenDataSet> written;
        try
        {
            written = context.Services.CreateTorchOracle().Golden(request);
        }
        catch (BuildConvertException e)
        {
            report.AddModel(new ModelReport(request.Archive, ModelOutcome.Error, e.Diagnostics));
            return;
        }

        static JsonArray Described(IEnumerable<(string Name, string Value)> values) =>
            new(values.Select(v => (JsonNode?)new JsonObject { ["name"] = v.Name, ["value"] = v.Value }).ToArray());
        var json = new JsonObject
        {
            ["output"] = Path.GetFullPath(request.Output),
            ["seed"] = request.Seed,
            ["oracle"] = "libtorch",
            ["dataSets"] = new JsonArray(written.Select(d => (JsonNode?)new JsonObject
            {
                ["name"] = d.Name,
                ["inputs"] = Described(d.Inputs),
                ["outputs"] = Described(d.Outputs),
            }).ToArray()),
        };
        var detail = FormattableString.Invariant($"{written.Count} data set{(written.Count == 1 ? "" : "s")} written to {request.Output} by LibTorch");
        report.AddModel(new ModelReport(request.Archive, ModelOutcome.Passed, Array.Empty<Diagnostic>(), detail, json));
    }

    /// <summary>Input data sets from a golden folder (its inputs only), an <c>.npz</c> file (one data set, keys = input
    /// names) or an <c>.npy</c> file (one data set, the file name without extension = the input name).</summary>
    private static IReadOnlyList<IReadOnlyList<DataValue>> LoadInputs(string path, string model)
    {
        if (Directory.Exists(path))
        {
            return GoldenData.Load(path, OnnxModelReader.Read(model)).Select(d => d.Inputs).ToArray();
        }

        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".npz" => new[] { NpzReader.Read(path).Cast<DataValue>().ToArray() },
            ".npy" => new[] { new DataValue[] { NpyReader.Read(path, Path.GetFileNameWithoutExtension(path)) } },
            _ => throw BuildConvertException.Create(DiagnosticCodes.InvalidOption,
                $"--inputs-from '{path}' must be a golden folder, an .npz file or an .npy file", path),
        };
    }

    private static JsonArray Values(IEnumerable<DataValue> values) => new(values.Select(v => (JsonNode?)new JsonObject
    {
        ["name"] = v.Name,
        ["value"] = v switch
        {
            TensorValue t => $"tensor({ElementTypes.Name(t.ElementType)})[{string.Join(",", t.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))}]",
            SequenceValue s => $"seq[{s.Items.Count.ToString(CultureInfo.InvariantCulture)}]",
            OptionalValue o => o.Value is null ? "optional(empty)" : "optional",
            MapValue => "map",
            _ => v.GetType().Name,
        },
    }).ToArray());
}
