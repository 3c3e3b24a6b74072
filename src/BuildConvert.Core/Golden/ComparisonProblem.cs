namespace BuildConvert.Core.Golden;

/// <summary>Why an output's values could not be compared with its golden value.</summary>
public enum ComparisonProblem
{
    /// <summary>The values were compared (see <see cref="OutputComparison.MismatchCount"/>).</summary>
    None,

    /// <summary>The element types differ, or the value kinds differ (tensor vs sequence, present vs empty optional).</summary>
    Type,

    /// <summary>The shapes differ (tensor dimensions or sequence lengths), or data does not fill its shape.</summary>
    Shape,

    /// <summary>The element type cannot be compared (for example float8).</summary>
    Unsupported,
}
