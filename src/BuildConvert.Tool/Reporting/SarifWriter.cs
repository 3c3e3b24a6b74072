using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats;

namespace BuildConvert.Tool.Reporting;

/// <summary>
/// Writes diagnostics as a SARIF 2.1.0 log (one run, the <c>buildconvert</c> driver with one rule per code used), the
/// format CI systems annotate pull requests from. Files are written to a temporary name and renamed into place.
/// </summary>
internal static class SarifWriter
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The SARIF document for <paramref name="diagnostics"/>.</summary>
    public static JsonObject ToSarif(IEnumerable<Diagnostic> diagnostics)
    {
        var list = diagnostics.ToArray();
        var rules = list.Select(d => d.Descriptor).DistinctBy(d => d.Code).OrderBy(d => d.Code, StringComparer.Ordinal).ToArray();
        return new JsonObject
        {
            ["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json",
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject
                {
                    ["driver"] = new JsonObject
                    {
                        ["name"] = "buildconvert",
                        ["version"] = ToolVersion.Text,
                        ["rules"] = new JsonArray(rules.Select(r => (JsonNode?)new JsonObject
                        {
                            ["id"] = r.Code,
                            ["shortDescription"] = new JsonObject { ["text"] = r.Title },
                            ["fullDescription"] = new JsonObject { ["text"] = r.Help },
                            ["helpUri"] = r.HelpLink,
                            ["defaultConfiguration"] = new JsonObject { ["level"] = Level(r.Severity) },
                        }).ToArray()),
                    },
                },
                ["results"] = new JsonArray(list.Select(d => (JsonNode?)Result(d, Array.IndexOf(rules, d.Descriptor))).ToArray()),
            }),
        };
    }

    /// <summary>Writes the SARIF log to <paramref name="path"/>.</summary>
    /// <exception cref="BuildConvertException">BCONV0006 when the file cannot be written.</exception>
    public static void Write(string path, IEnumerable<Diagnostic> diagnostics)
    {
        var full = Path.GetFullPath(path);
        var text = Encoding.UTF8.GetBytes(ToSarif(diagnostics).ToJsonString(Options));
        try
        {
            OutputSet.WriteFile(full, stream => stream.Write(text));
        }
        catch (IOException e)
        {
            throw BuildConvertException.Create(DiagnosticCodes.OutputNotWritten, $"the SARIF log '{full}' could not be written: {e.Message}", full, inner: e);
        }
    }

    private static JsonObject Result(Diagnostic d, int ruleIndex)
    {
        var result = new JsonObject
        {
            ["ruleId"] = d.Code,
            ["ruleIndex"] = ruleIndex,
            ["level"] = Level(d.Severity),
            ["message"] = new JsonObject { ["text"] = DiagnosticEscaping.Escape(d.Message) },
        };
        if (d.File is not null || d.Location is not null)
        {
            var location = new JsonObject();
            if (d.File is not null)
            {
                location["physicalLocation"] = new JsonObject { ["artifactLocation"] = new JsonObject { ["uri"] = FileUri(d.File) } };
            }

            if (d.Location is not null)
            {
                location["logicalLocations"] = new JsonArray(new JsonObject { ["name"] = DiagnosticEscaping.Escape(d.Location) });
            }

            result["locations"] = new JsonArray(location);
        }

        return result;
    }

    private static string FileUri(string file)
    {
        try
        {
            return new Uri(Path.GetFullPath(file)).AbsoluteUri;
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or NotSupportedException)
        {
            return file;
        }
    }

    private static string Level(DiagnosticSeverity severity) => severity switch
    {
        DiagnosticSeverity.Error => "error",
        DiagnosticSeverity.Warning => "warning",
        _ => "note",
    };
}
