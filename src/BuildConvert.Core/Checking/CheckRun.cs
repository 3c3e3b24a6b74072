using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Checking;

/// <summary>
/// One checker run over one model: the collected diagnostics and the model-wide facts the rules share
/// (IR version, the model's opset imports, its local functions). The rules are split by concern over partial files.
/// </summary>
internal sealed partial class CheckRun
{
    /// <summary>The newest IR version this checker knows (ONNX IR version 14).</summary>
    public const long MaxIrVersion = 14;

    private readonly List<Diagnostic> diagnostics = new();
    private readonly string? file;
    private readonly string? modelDirectory;
    private readonly OnnxCheckerOptions options;
    private readonly OperatorSchemaRegistry registry;
    private readonly Dictionary<(string Domain, string Name, string Overload), FunctionProto> functions = new();
    private long irVersion;
    private bool stopped;

    public CheckRun(string? modelPath, OnnxCheckerOptions options)
    {
        this.options = options;
        registry = options.Registry ?? OperatorSchemaRegistry.Default;
        file = modelPath;
        if (modelPath is not null && options.CheckExternalDataFiles)
        {
            modelDirectory = Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".";
        }
    }

    public IReadOnlyList<Diagnostic> Results()
    {
        if (stopped)
        {
            var all = new List<Diagnostic>(diagnostics)
            {
                DiagnosticCodes.TooManyProblems.Create(
                    $"the checker stopped after {options.MaxDiagnostics} problems; more may follow", file),
            };
            return all;
        }

        return diagnostics.ToArray();
    }

    private void Report(DiagnosticDescriptor descriptor, string message, string? location = null)
    {
        if (diagnostics.Count >= options.MaxDiagnostics)
        {
            stopped = true;
            return;
        }

        diagnostics.Add(descriptor.Create(message, file, location));
    }

    private void Report(Diagnostic diagnostic)
    {
        if (diagnostics.Count >= options.MaxDiagnostics)
        {
            stopped = true;
            return;
        }

        diagnostics.Add(diagnostic);
    }

    private static string Describe(NodeProto node) =>
        node.Name.Length > 0 ? $"node '{node.Name}' ({Op(node)})" : $"node ({Op(node)}, outputs [{string.Join(", ", node.Output)}])";

    private static string Op(NodeProto node) =>
        node.Domain.Length == 0 || node.Domain == "ai.onnx" ? node.OpType : node.Domain + "." + node.OpType;

    private static string NormalizeDomain(string domain) => OperatorSchemaRegistry.NormalizeDomain(domain);
}
