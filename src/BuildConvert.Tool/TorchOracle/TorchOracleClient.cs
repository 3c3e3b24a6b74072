using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Pipeline;
using BuildConvert.TorchOracle.Protocol;

namespace BuildConvert.Tool.TorchOracle;

/// <summary>What the LibTorch oracle is asked to write.</summary>
/// <param name="Archive">The TorchScript archive.</param>
/// <param name="Output">The golden folder to write (ONNX test layout).</param>
internal sealed record TorchGoldenRequest(string Archive, string Output)
{
    public string Method { get; init; } = "forward";

    public int Seed { get; init; }

    public IReadOnlyList<InputShapeSpec> InputShapes { get; init; } = Array.Empty<InputShapeSpec>();

    /// <summary><c>name:type</c> entries separated by <c>;</c> (the element types of tensor parameters; float32 otherwise).</summary>
    public string? InputTypes { get; init; }

    /// <summary>A golden folder, <c>.npz</c> or <c>.npy</c> whose inputs are used instead of random ones.</summary>
    public string? InputsFrom { get; init; }
}

/// <summary>One data set the oracle wrote: its name and each value as <c>name</c> and a description.</summary>
internal sealed record TorchGoldenDataSet(string Name, IReadOnlyList<(string Name, string Value)> Inputs, IReadOnlyList<(string Name, string Value)> Outputs);

/// <summary>
/// Starts <c>buildconvert-torch-oracle</c>, the optional program that runs TorchScript archives with LibTorch
/// (TorchSharp), with one JSON request. The tool never loads TorchSharp itself: it is compiled ahead of time and
/// TorchSharp is not, and the oracle's natives (~450 MB) ship separately. The oracle is found at
/// <see cref="TorchOracleProtocol.LocationVariable"/> (its folder, apphost or dll), else in a
/// <c>torch-oracle/</c> folder beside this program.
/// </summary>
internal sealed class TorchOracleClient
{
    private readonly string? location;

    /// <param name="location">The oracle's folder, apphost or dll; null for the environment variable or the default folder.</param>
    public TorchOracleClient(string? location = null) => this.location = location;

    /// <summary>Whether <paramref name="path"/> is a TorchScript archive: a zip whose entries sit in one root folder
    /// holding <c>data.pkl</c> with <c>code/</c>, or (format version 1) <c>model.json</c>. Nothing is decompressed.</summary>
    public static bool IsTorchScriptArchive(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            using (var stream = File.OpenRead(path))
            {
                Span<byte> magic = stackalloc byte[4];
                if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4 || magic[0] != 'P' || magic[1] != 'K' || magic[2] != 3 || magic[3] != 4)
                {
                    return false;
                }
            }

            using var zip = ZipFile.OpenRead(path);
            var names = zip.Entries.Select(e => e.FullName.Split('/')).Where(p => p.Length >= 2).ToArray();
            return names.Any(p => p.Length >= 3 && p[1] == "code") && names.Any(p => p.Length == 2 && p[1] is "data.pkl" or "model.json");
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The oracle program to start (file name and leading arguments), or null when it is not installed.</summary>
    public (string FileName, string[] Prefix)? Locate()
    {
        var given = location ?? Environment.GetEnvironmentVariable(TorchOracleProtocol.LocationVariable);
        var candidates = new List<string>();
        if (!string.IsNullOrEmpty(given))
        {
            candidates.Add(Path.GetFullPath(given));
        }
        else
        {
            candidates.Add(Path.Combine(AppContext.BaseDirectory, TorchOracleProtocol.DefaultFolderName));
        }

        foreach (var candidate in candidates)
        {
            var dll = candidate.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? candidate : Path.Combine(candidate, TorchOracleProtocol.ExecutableName + ".dll");
            if (File.Exists(dll))
            {
                return (DotnetHost(), [dll]);
            }

            if (File.Exists(candidate) && !Directory.Exists(candidate))
            {
                return (candidate, []);
            }
        }

        return null;
    }

    /// <summary>Runs the oracle: writes golden data for <paramref name="request"/> and returns what it wrote.</summary>
    /// <exception cref="BuildConvertException">BCONV4100 when the oracle is not installed; BCONV4101-4107 as the oracle
    /// reports them; BCONV4108 when it fails without an answer.</exception>
    public IReadOnlyList<TorchGoldenDataSet> Golden(TorchGoldenRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var program = Locate() ?? throw BuildConvertException.Create(DiagnosticCodes.TorchOracleNotInstalled,
            $"running '{request.Archive}' needs the LibTorch oracle, and none was found ({WhereLooked()}); publish it with `bash eng/publish-torch-oracle.sh` " +
            $"and set {TorchOracleProtocol.LocationVariable} to the folder it prints (docs/torchscript.md)",
            request.Archive);

        var json = new JsonObject
        {
            [TorchOracleProtocol.KeyProtocol] = TorchOracleProtocol.Version,
            [TorchOracleProtocol.KeyArchive] = Path.GetFullPath(request.Archive),
            [TorchOracleProtocol.KeyOutput] = Path.GetFullPath(request.Output),
            [TorchOracleProtocol.KeyMethod] = request.Method,
            [TorchOracleProtocol.KeySeed] = request.Seed,
            [TorchOracleProtocol.KeyInputShapes] = string.Join(";", request.InputShapes.Select(s => s.ToString())),
            [TorchOracleProtocol.KeyInputTypes] = request.InputTypes,
            [TorchOracleProtocol.KeyInputsFrom] = request.InputsFrom is null ? null : Path.GetFullPath(request.InputsFrom),
        };
        var requestFile = Path.Combine(Path.GetTempPath(), $"buildconvert-torch-{Guid.NewGuid():N}.json");
        File.WriteAllText(requestFile, json.ToJsonString());
        try
        {
            var arguments = program.Prefix.Append("golden").Append(requestFile).ToArray();
            var (status, stdout, stderr) = RunProcess(program.FileName, arguments, cancellationToken);
            var commandLine = ShellQuoting.Join(new[] { program.FileName }.Concat(arguments));
            JsonNode? response = null;
            try
            {
                response = stdout.Trim().Length > 0 ? JsonNode.Parse(stdout.Trim().Split('\n')[^1]) : null;
            }
            catch (JsonException)
            {
            }

            if (response?[TorchOracleProtocol.KeyProtocol]?.GetValue<int>() != TorchOracleProtocol.Version || status is not (0 or 1))
            {
                throw BuildConvertException.Create(DiagnosticCodes.TorchOracleFailed,
                    $"the LibTorch oracle exited with status {status} without an answer; its error output ends: {Tail(stderr)}; rerun: {commandLine}", request.Archive);
            }

            var diagnostics = (response[TorchOracleProtocol.KeyDiagnostics] as JsonArray ?? []).Select(TorchOracleProtocol.FromJson).ToArray();
            if (status != 0 || diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                throw new BuildConvertException(diagnostics.Length > 0 ? diagnostics
                    : [DiagnosticCodes.TorchOracleFailed.Create($"the LibTorch oracle failed without a diagnostic; rerun: {commandLine}", request.Archive)]);
            }

            return (response[TorchOracleProtocol.KeyDataSets] as JsonArray ?? []).Select(d => new TorchGoldenDataSet(
                d?[TorchOracleProtocol.KeyName]?.GetValue<string>() ?? "",
                Values(d?[TorchOracleProtocol.KeyInputs]),
                Values(d?[TorchOracleProtocol.KeyOutputs]))).ToArray();
        }
        finally
        {
            File.Delete(requestFile);
        }
    }

    private string WhereLooked()
    {
        if (location is not null)
        {
            return $"'{location}' holds no {TorchOracleProtocol.ExecutableName}";
        }

        return Environment.GetEnvironmentVariable(TorchOracleProtocol.LocationVariable) is { Length: > 0 } given
            ? $"{TorchOracleProtocol.LocationVariable} is '{given}', which holds no {TorchOracleProtocol.ExecutableName}"
            : $"{TorchOracleProtocol.LocationVariable} is not set, and '{Path.Combine(AppContext.BaseDirectory, TorchOracleProtocol.DefaultFolderName)}' does not exist";
    }

    private static IReadOnlyList<(string, string)> Values(JsonNode? node) =>
        (node as JsonArray ?? []).Select(v => (v?[TorchOracleProtocol.KeyName]?.GetValue<string>() ?? "", v?[TorchOracleProtocol.KeyValue]?.GetValue<string>() ?? "")).ToArray();

    private static (int Status, string Stdout, string Stderr) RunProcess(string fileName, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw BuildConvertException.Create(DiagnosticCodes.TorchOracleFailed, $"cannot start '{fileName}'");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        try
        {
            process.WaitForExitAsync(cancellationToken).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        var processPath = Environment.ProcessPath;
        return processPath is not null && Path.GetFileNameWithoutExtension(processPath) == "dotnet" ? processPath : "dotnet";
    }

    private static string Tail(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length == 0 ? "(nothing)" : trimmed.Length > 600 ? "..." + trimmed[^600..] : trimmed;
    }
}
