namespace BuildConvert.Core.Diagnostics;

/// <summary>
/// The one exception type the engine throws for problems with user data (bad bytes, invalid or unsupported models,
/// mismatching outputs). It always carries at least one coded <see cref="Diagnostic"/>. Caller misuse throws
/// <see cref="ArgumentException"/> instead; anything else escaping the engine is a bug (reported as BCONV9001).
/// </summary>
public sealed class BuildConvertException : Exception
{
    public BuildConvertException(Diagnostic diagnostic, Exception? inner = null)
        : this(new[] { diagnostic }, inner)
    {
    }

    public BuildConvertException(IReadOnlyList<Diagnostic> diagnostics, Exception? inner = null)
        : base(diagnostics.Count > 0 ? diagnostics[0].Message : "unknown error", inner)
    {
        if (diagnostics.Count == 0)
        {
            throw new ArgumentException("at least one diagnostic is required", nameof(diagnostics));
        }

        Diagnostics = diagnostics;
    }

    /// <summary>The diagnostics, first one first; never empty.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>The code of the first diagnostic.</summary>
    public string Code => Diagnostics[0].Code;

    /// <summary>Throws a <see cref="BuildConvertException"/> with one diagnostic of the given kind.</summary>
    public static BuildConvertException Create(DiagnosticDescriptor descriptor, string message, string? file = null, string? location = null, Exception? inner = null) =>
        new(descriptor.Create(message, file, location), inner);
}
