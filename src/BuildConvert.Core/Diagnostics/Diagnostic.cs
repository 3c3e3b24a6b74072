namespace BuildConvert.Core.Diagnostics;

/// <summary>
/// One reported problem: a code from <see cref="DiagnosticCodes"/>, a message naming what is wrong (node, op, attribute),
/// the file that is most useful to open (the golden file for a mismatch, the model for a checker error) and an optional
/// location inside it (a node, a tensor, an output name).
/// </summary>
public sealed record Diagnostic(DiagnosticDescriptor Descriptor, string Message, string? File = null, string? Location = null)
{
    public string Code => Descriptor.Code;

    public DiagnosticSeverity Severity { get; init; } = Descriptor.Severity;

    /// <summary>Formats the diagnostic the way compilers do: <c>file: error BCONV3001: message</c>, on one line (control
    /// characters in the file, message and location escaped with <see cref="DiagnosticEscaping.Escape"/>).</summary>
    public override string ToString()
    {
        var severity = Severity switch
        {
            DiagnosticSeverity.Error => "error",
            DiagnosticSeverity.Warning => "warning",
            _ => "info",
        };
        var where = File is null ? "" : DiagnosticEscaping.Escape(File) + ": ";
        var loc = Location is null ? "" : $" [{DiagnosticEscaping.Escape(Location)}]";
        return $"{where}{severity} {Code}: {DiagnosticEscaping.Escape(Message)}{loc}";
    }
}
