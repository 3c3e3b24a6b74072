using System.Text.Json.Nodes;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Protocol;

namespace BuildConvert.Tool.Reporting;

/// <summary>The one place a diagnostic becomes JSON: in <c>--json</c> reports, item reports and msbuild-batch lines.</summary>
internal static class DiagnosticJson
{
    /// <summary>The diagnostic's code, severity, message, file, location and help link.</summary>
    public static JsonObject ToJson(Diagnostic diagnostic) => new()
    {
        [BatchProtocol.Diagnostic.Code] = diagnostic.Code,
        [BatchProtocol.Diagnostic.Severity] = Severity(diagnostic.Severity),
        [BatchProtocol.Diagnostic.Message] = diagnostic.Message,
        [BatchProtocol.Diagnostic.File] = diagnostic.File,
        [BatchProtocol.Diagnostic.Location] = diagnostic.Location,
        [BatchProtocol.Diagnostic.HelpLink] = diagnostic.Descriptor.HelpLink,
    };

    /// <summary>Diagnostics as a JSON array.</summary>
    public static JsonArray ToJson(IEnumerable<Diagnostic> diagnostics) =>
        new(diagnostics.Select(d => (JsonNode?)ToJson(d)).ToArray());

    /// <summary>A msbuild-batch diagnostic line: <see cref="ToJson(Diagnostic)"/> with the kind, the line and the item.</summary>
    public static JsonObject ToBatchLine(Diagnostic diagnostic, string? item)
    {
        var line = new JsonObject { [BatchProtocol.Line.Kind] = BatchProtocol.Kinds.Diagnostic };
        foreach (var (key, value) in ToJson(diagnostic))
        {
            line[key] = value?.DeepClone();
        }

        line[BatchProtocol.Diagnostic.LineNumber] = null;
        line[BatchProtocol.Diagnostic.Item] = item;
        return line;
    }

    /// <summary>The protocol's word for a severity.</summary>
    public static string Severity(DiagnosticSeverity severity) => severity switch
    {
        DiagnosticSeverity.Error => BatchProtocol.Severities.Error,
        DiagnosticSeverity.Warning => BatchProtocol.Severities.Warning,
        _ => BatchProtocol.Severities.Info,
    };
}
