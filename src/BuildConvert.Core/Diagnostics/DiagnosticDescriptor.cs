namespace BuildConvert.Core.Diagnostics;

/// <summary>How bad a diagnostic is. Errors fail the build and make the CLI exit non-zero.</summary>
public enum DiagnosticSeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>
/// One row of the diagnostics table: a stable code (<c>BCONV0xxx</c> build/tool, <c>1xxx</c> reading inputs,
/// <c>2xxx</c> conversion, <c>3xxx</c> checker, <c>4xxx</c> golden validation, <c>9xxx</c> internal),
/// its default severity, a one-line title and what the user can do about it.
/// </summary>
/// <param name="Code">The stable code, e.g. <c>BCONV3001</c>. Never reused for another meaning.</param>
/// <param name="Severity">The default severity.</param>
/// <param name="Title">A short sentence naming the problem.</param>
/// <param name="Help">What the user can do about it (shown in docs/diagnostics.md).</param>
public sealed record DiagnosticDescriptor(string Code, DiagnosticSeverity Severity, string Title, string Help)
{
    /// <summary>Where this code is documented: docs/diagnostics.md in the repository and in the package, with an anchor.</summary>
    public string HelpLink => $"docs/diagnostics.md#{Code.ToLowerInvariant()}";

    /// <summary>Makes a diagnostic of this kind.</summary>
    public Diagnostic Create(string message, string? file = null, string? location = null) =>
        new(this, message, file, location);

    public override string ToString() => Code;
}
