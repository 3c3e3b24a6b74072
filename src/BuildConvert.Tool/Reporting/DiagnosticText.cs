using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Tool.Reporting;

/// <summary>Formats diagnostics the way compilers do, so that editors and MSBuild pick them up.</summary>
internal static class DiagnosticText
{
    /// <summary><c>file: error BCONVxxxx: message</c>; the origin is <c>buildconvert</c> when no file is known.</summary>
    public static string Format(Diagnostic diagnostic) =>
        diagnostic.File is null ? "buildconvert: " + diagnostic : diagnostic.ToString();
}
