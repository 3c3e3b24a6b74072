using System.Text;

namespace BuildConvert.Core.Diagnostics;

/// <summary>Renders docs/diagnostics.md from <see cref="DiagnosticCodes.All"/>; a test keeps the committed file equal to it.</summary>
public static class DiagnosticsDocument
{
    private static readonly (string Prefix, string Heading)[] Ranges =
    {
        ("BCONV0", "Build integration and command line (BCONV0xxx)"),
        ("BCONV1", "Reading inputs (BCONV1xxx)"),
        ("BCONV2", "Conversion (BCONV2xxx)"),
        ("BCONV3", "Checker (BCONV3xxx)"),
        ("BCONV4", "Golden-output validation (BCONV4xxx)"),
        ("BCONV9", "Internal (BCONV9xxx)"),
    };

    /// <summary>The markdown text of docs/diagnostics.md (LF line endings).</summary>
    public static string Render()
    {
        var sb = new StringBuilder();
        sb.Append("# Diagnostics\n\n");
        sb.Append("<!-- Generated from src/BuildConvert.Core/Diagnostics/DiagnosticCodes*.cs by `bash eng/update-docs.sh`. Do not edit. -->\n\n");
        sb.Append("Every error and warning BuildConvert reports carries one of these codes, in the build log, on the command line and in `--json` output.\n");
        sb.Append("Errors fail the build and make `buildconvert` exit with 1 (2 for command-line misuse).\n");
        foreach (var (prefix, heading) in Ranges)
        {
            var rows = DiagnosticCodes.All.Where(d => d.Code.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            sb.Append("\n## ").Append(heading).Append("\n\n");
            sb.Append("| Code | Severity | Meaning |\n|---|---|---|\n");
            foreach (var d in rows)
            {
                sb.Append("| [").Append(d.Code).Append("](#").Append(d.Code.ToLowerInvariant()).Append(") | ")
                    .Append(d.Severity.ToString().ToLowerInvariant()).Append(" | ").Append(Escape(d.Title)).Append(" |\n");
            }

            foreach (var d in rows)
            {
                sb.Append("\n### ").Append(d.Code).Append("\n\n");
                sb.Append("**").Append(d.Title).Append("** (").Append(d.Severity.ToString().ToLowerInvariant()).Append(")\n\n");
                sb.Append(d.Help).Append('\n');
            }
        }

        return sb.ToString();
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
