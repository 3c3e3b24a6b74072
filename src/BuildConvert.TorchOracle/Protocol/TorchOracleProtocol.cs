using System.Text.Json.Nodes;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.TorchOracle.Protocol;

/// <summary>
/// What the <c>buildconvert</c> tool and <c>buildconvert-torch-oracle</c> say to each other, compiled into both (the
/// tool is compiled ahead of time and never loads TorchSharp; it starts the oracle as a process). The tool writes a
/// request file and runs <c>buildconvert-torch-oracle golden &lt;request.json&gt;</c>; the oracle writes the golden
/// folder and prints one response object on standard output. Exit status: 0 written, 1 the archive failed (the
/// response's diagnostics say why), 2 misuse (an unreadable request).
/// </summary>
internal static class TorchOracleProtocol
{
    /// <summary>The protocol version; the oracle refuses requests of another.</summary>
    public const int Version = 1;

    /// <summary>The oracle's executable name (without <c>.dll</c> or <c>.exe</c>).</summary>
    public const string ExecutableName = "buildconvert-torch-oracle";

    /// <summary>The environment variable naming the oracle (its folder, its apphost or its dll).</summary>
    public const string LocationVariable = "BUILDCONVERT_TORCH_ORACLE";

    /// <summary>The folder beside the buildconvert executable where the oracle is looked for when the variable is not set.</summary>
    public const string DefaultFolderName = "torch-oracle";

    public const string KeyProtocol = "protocol";
    public const string KeyArchive = "archive";
    public const string KeyMethod = "method";
    public const string KeyOutput = "output";
    public const string KeySeed = "seed";
    public const string KeyDynamicSizes = "dynamicSizes";
    public const string KeyInputShapes = "inputShapes";
    public const string KeyInputTypes = "inputTypes";
    public const string KeyInputsFrom = "inputsFrom";
    public const string KeyDataSets = "dataSets";
    public const string KeyDiagnostics = "diagnostics";
    public const string KeyLibTorch = "libtorch";
    public const string KeyName = "name";
    public const string KeyInputs = "inputs";
    public const string KeyOutputs = "outputs";
    public const string KeyValue = "value";
    public const string KeyCode = "code";
    public const string KeyMessage = "message";
    public const string KeyFile = "file";
    public const string KeyLocation = "location";

    /// <summary>A diagnostic as the response carries it.</summary>
    public static JsonObject ToJson(Diagnostic diagnostic) => new()
    {
        [KeyCode] = diagnostic.Code,
        [KeyMessage] = diagnostic.Message,
        [KeyFile] = diagnostic.File,
        [KeyLocation] = diagnostic.Location,
    };

    /// <summary>A diagnostic read back from a response (an unknown code becomes BCONV4108 quoting it).</summary>
    public static Diagnostic FromJson(JsonNode? node)
    {
        var code = node?[KeyCode]?.GetValue<string>() ?? "";
        var message = node?[KeyMessage]?.GetValue<string>() ?? "";
        var file = node?[KeyFile]?.GetValue<string>();
        var location = node?[KeyLocation]?.GetValue<string>();
        return DiagnosticCodes.Find(code) is { } descriptor
            ? new Diagnostic(descriptor, message, file, location)
            : new Diagnostic(DiagnosticCodes.TorchOracleFailed, $"the oracle reported an unknown code '{code}': {message}", file, location);
    }
}
