using System.Text;

namespace BuildConvert.Core.Diagnostics;

/// <summary>
/// Makes text from models and data files (value, node and file names inside messages) safe to print in a diagnostic
/// line: control characters (C0, DEL, C1), the Unicode line and paragraph separators and the bidirectional overrides are
/// written as <c>\n</c>, <c>\r</c>, <c>\t</c> or <c>\uXXXX</c>, so an output named <c>"y\nerror BCONVxxxx: fake"</c>
/// cannot forge a second diagnostic line in a log, in MSBuild or in SARIF, nor reorder what a reader sees. Backslashes
/// are kept (Windows paths). Every renderer of diagnostics calls <see cref="Escape"/>; the MSBuild task compiles this
/// same file (it has no reference to this assembly).
/// </summary>
#if BUILDCONVERT_TASK
internal static class DiagnosticEscaping
#else
public static class DiagnosticEscaping
#endif
{
    /// <summary>The text with every unsafe character escaped; the same instance when there is none; null stays null.</summary>
    public static string? Escape(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var first = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (IsUnsafe(text[i]))
            {
                first = i;
                break;
            }
        }

        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        builder.Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (!IsUnsafe(c))
            {
                builder.Append(c);
                continue;
            }

            switch (c)
            {
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    break;
            }
        }

        return builder.ToString();
    }

    private static bool IsUnsafe(char c) =>
        c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029'
        || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c == '\u200E' || c == '\u200F' || c == '\u061C';
}
