namespace BuildConvert.Tool;

/// <summary>The tool's process exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Everything succeeded.</summary>
    public const int Success = 0;

    /// <summary>A model failed: unreadable, invalid, or its outputs did not match; also an unexpected error.</summary>
    public const int ModelFailed = 1;

    /// <summary>The command line was wrong (unknown option, missing argument, a path that does not exist).</summary>
    public const int Usage = 2;
}
