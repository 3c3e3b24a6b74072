using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Npy;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Values;
using BuildConvert.TorchOracle.Protocol;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.TorchOracle;

/// <summary>
/// <c>buildconvert-torch-oracle golden &lt;request.json&gt;</c>: runs a TorchScript archive with LibTorch and writes
/// golden data (see <see cref="TorchOracleProtocol"/>). <c>buildconvert-torch-oracle probe</c> only loads LibTorch and
/// says from where (exit 1 with BCONV4101 when it cannot).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 1 && args[0] == "probe")
        {
            return Respond(() =>
            {
                LibTorchRuntime.EnsureLoaded();
                return new JsonObject { [TorchOracleProtocol.KeyLibTorch] = LibTorchRuntime.LoadedFrom };
            });
        }

        if (args.Length != 2 || args[0] != "golden")
        {
            Console.Error.WriteLine($"usage: {TorchOracleProtocol.ExecutableName} golden <request.json> | probe");
            return 2;
        }

        JsonNode? request;
        try
        {
            request = JsonNode.Parse(File.ReadAllText(args[1]));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            Console.Error.WriteLine($"cannot read the request '{args[1]}': {e.Message}");
            return 2;
        }

        if (request?[TorchOracleProtocol.KeyProtocol]?.GetValue<int>() != TorchOracleProtocol.Version)
        {
            Console.Error.WriteLine($"the request speaks protocol {request?[TorchOracleProtocol.KeyProtocol]?.ToJsonString() ?? "(none)"}; this oracle speaks {TorchOracleProtocol.Version}");
            return 2;
        }

        return Respond(() => Golden(request));
    }

    private static JsonObject Golden(JsonNode request)
    {
        var archive = Text(request, TorchOracleProtocol.KeyArchive) ?? throw new ArgumentException("the request names no archive");
        var output = Text(request, TorchOracleProtocol.KeyOutput) ?? throw new ArgumentException("the request names no output folder");
        var options = new TorchGoldenOptions
        {
            Method = Text(request, TorchOracleProtocol.KeyMethod) ?? "forward",
            Seed = request[TorchOracleProtocol.KeySeed]?.GetValue<int>() ?? 0,
            InputShapes = InputShapeSpec.ParseList(Text(request, TorchOracleProtocol.KeyInputShapes)),
            InputTypes = ParseTypes(Text(request, TorchOracleProtocol.KeyInputTypes)),
        };
        if (request[TorchOracleProtocol.KeyDynamicSizes] is JsonArray sizes)
        {
            options = options with { DynamicSizes = sizes.Select(s => s!.GetValue<long>()).ToArray() };
        }

        if (Text(request, TorchOracleProtocol.KeyInputsFrom) is { } inputsFrom)
        {
            options = options with { Inputs = LoadInputs(inputsFrom) };
        }

        using var runner = TorchScriptRunner.Load(archive);
        var written = TorchGoldenGenerator.GenerateTo(runner, output, options);
        return new JsonObject
        {
            [TorchOracleProtocol.KeyLibTorch] = LibTorchRuntime.LoadedFrom,
            [TorchOracleProtocol.KeyDataSets] = new JsonArray(written.Select(d => (JsonNode?)new JsonObject
            {
                [TorchOracleProtocol.KeyName] = d.Name,
                [TorchOracleProtocol.KeyInputs] = Describe(d.Inputs),
                [TorchOracleProtocol.KeyOutputs] = Describe(d.Outputs),
            }).ToArray()),
        };
    }

    private static int Respond(Func<JsonObject> work)
    {
        JsonObject response;
        int status;
        try
        {
            response = work();
            response[TorchOracleProtocol.KeyDiagnostics] = new JsonArray();
            status = 0;
        }
        catch (BuildConvertException e)
        {
            response = new JsonObject { [TorchOracleProtocol.KeyDiagnostics] = new JsonArray(e.Diagnostics.Select(d => (JsonNode?)TorchOracleProtocol.ToJson(d)).ToArray()) };
            status = 1;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        response[TorchOracleProtocol.KeyProtocol] = TorchOracleProtocol.Version;
        Console.Out.WriteLine(response.ToJsonString());
        return status;
    }

    private static string? Text(JsonNode request, string key) => request[key]?.GetValue<string>() is { Length: > 0 } text ? text : null;

    private static Dictionary<string, DataType> ParseTypes(string? text)
    {
        var types = new Dictionary<string, DataType>(StringComparer.Ordinal);
        foreach (var entry in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.LastIndexOf(':');
            var type = colon > 0 ? BuildConvert.Core.Formats.TorchScript.TorchScriptConversion.ParseElementType(entry[(colon + 1)..]) : null;
            if (type is null || !types.TryAdd(entry[..colon].Trim(), type.Value))
            {
                throw BuildConvertException.Create(DiagnosticCodes.TorchInputMismatch,
                    $"--input-types '{text}': entry '{entry}' must be name:type, once per name, with a type among float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool");
            }
        }

        return types;
    }

    private static IReadOnlyList<IReadOnlyList<DataValue>> LoadInputs(string path)
    {
        if (Directory.Exists(path))
        {
            return GoldenData.Load(path, null).Select(d => d.Inputs).ToArray();
        }

        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".npz" => new[] { NpzReader.Read(path).Cast<DataValue>().ToArray() },
            ".npy" => new[] { new DataValue[] { NpyReader.Read(path, Path.GetFileNameWithoutExtension(path)) } },
            _ => throw BuildConvertException.Create(DiagnosticCodes.InvalidOption, $"--inputs-from '{path}' must be a golden folder, an .npz file or an .npy file", path),
        };
    }

    private static JsonArray Describe(IEnumerable<DataValue> values) => new(values.Select(v => (JsonNode?)new JsonObject
    {
        [TorchOracleProtocol.KeyName] = v.Name,
        [TorchOracleProtocol.KeyValue] = v is TensorValue t
            ? $"tensor({ElementTypes.Name(t.ElementType)})[{string.Join(",", t.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))}]"
            : v.GetType().Name,
    }).ToArray());
}
