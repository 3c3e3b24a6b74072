namespace BuildConvert.MSBuild
{
    /// <summary>
    /// The diagnostic codes the task raises itself. The task assembly cannot reference BuildConvert.Core (it must stay
    /// free of third-party dependencies), so these are copies of rows of <c>DiagnosticCodes</c>; a test checks every
    /// constant here against that table.
    /// </summary>
    internal static class TaskCodes
    {
        /// <summary>An input file or folder does not exist (BuildConvert.Core: DiagnosticCodes.InputNotFound).</summary>
        public const string InputNotFound = "BCONV0002";

        /// <summary>The tool assembly is missing (DiagnosticCodes.ToolNotFound).</summary>
        public const string ToolNotFound = "BCONV0200";

        /// <summary>The tool could not start, crashed or was killed (DiagnosticCodes.ToolFailedInBuild).</summary>
        public const string ToolFailed = "BCONV0201";

        /// <summary>The tool gave no result for a model (DiagnosticCodes.ToolProtocolError).</summary>
        public const string ToolProtocolError = "BCONV0202";

        /// <summary>Two items map to one output (DiagnosticCodes.DuplicateModelOutput).</summary>
        public const string DuplicateOutput = "BCONV0203";

        /// <summary>Item metadata the build cannot use (DiagnosticCodes.InvalidItemMetadata).</summary>
        public const string InvalidMetadata = "BCONV0204";

        /// <summary>An options stamp could not be written (DiagnosticCodes.StampNotWritten).</summary>
        public const string StampNotWritten = "BCONV0205";

        /// <summary>The request file could not be written (DiagnosticCodes.RequestNotWritten).</summary>
        public const string RequestNotWritten = "BCONV0206";

        /// <summary>An output of a model that did not pass could not be deleted (DiagnosticCodes.OutputNotDeleted).</summary>
        public const string OutputNotDeleted = "BCONV0207";

        /// <summary>The list of files a conversion read could not be written (DiagnosticCodes.DependencyFileNotWritten).</summary>
        public const string DependencyFileNotWritten = "BCONV0208";

        /// <summary>Every code above, for the test that keeps them in the table.</summary>
        public static readonly string[] All =
        {
            InputNotFound, ToolNotFound, ToolFailed, ToolProtocolError, DuplicateOutput, InvalidMetadata,
            StampNotWritten, RequestNotWritten, OutputNotDeleted, DependencyFileNotWritten,
        };

        /// <summary>The documentation link of a code.</summary>
        public static string HelpLink(string code) =>
            "docs/diagnostics.md#" + code.ToLowerInvariant();
    }
}
