using System.Reflection;

namespace BuildConvert.Core.Diagnostics;

/// <summary>
/// The single table of diagnostic codes. It is split over partial files by range (<c>DiagnosticCodes.Checker.cs</c>
/// holds 3xxx, and so on) so that each stage owns its rows, but <see cref="All"/> is one list, docs/diagnostics.md is
/// generated from it, and a test keeps codes unique, well-formed and documented.
/// </summary>
public static partial class DiagnosticCodes
{
    private static readonly Lazy<IReadOnlyList<DiagnosticDescriptor>> AllCodes = new(() =>
        typeof(DiagnosticCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .OrderBy(d => d.Code, StringComparer.Ordinal)
            .ToArray());

    /// <summary>Every code, ordered by code.</summary>
    public static IReadOnlyList<DiagnosticDescriptor> All => AllCodes.Value;

    /// <summary>Finds a code's descriptor, or null.</summary>
    public static DiagnosticDescriptor? Find(string code) =>
        All.FirstOrDefault(d => string.Equals(d.Code, code, StringComparison.OrdinalIgnoreCase));

    private static DiagnosticDescriptor Error(string code, string title, string help) =>
        new(code, DiagnosticSeverity.Error, title, help);

    private static DiagnosticDescriptor Warning(string code, string title, string help) =>
        new(code, DiagnosticSeverity.Warning, title, help);

    private static DiagnosticDescriptor Info(string code, string title, string help) =>
        new(code, DiagnosticSeverity.Info, title, help);
}
