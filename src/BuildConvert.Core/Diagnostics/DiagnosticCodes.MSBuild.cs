namespace BuildConvert.Core.Diagnostics;

// BCONV02xx: the MSBuild integration (the BuildConvert.MSBuild task and targets). The task assembly cannot reference
// this table, so it keeps the codes it raises itself as constants (BuildConvert.MSBuild.TaskCodes); a test checks that
// every one of them is a row here.
public static partial class DiagnosticCodes
{
    public static readonly DiagnosticDescriptor ToolNotFound = Error(
        "BCONV0200", "The buildconvert tool was not found by the build",
        "The BuildConvert.MSBuild package is incomplete or BuildConvertToolPath points at a missing file. Restore the package again, or fix the property.");

    public static readonly DiagnosticDescriptor ToolFailedInBuild = Error(
        "BCONV0201", "The buildconvert tool could not start or stopped unexpectedly during the build",
        "The message gives the exact command line the build ran; run it by hand to see the failure, and report it if it is a bug. No output of the affected models was kept.");

    public static readonly DiagnosticDescriptor ToolProtocolError = Error(
        "BCONV0202", "The buildconvert tool did not report a result for a model",
        "The tool and the MSBuild task disagree (for example a mixed installation of two versions). Restore the package again; the message gives the command line to reproduce.");

    public static readonly DiagnosticDescriptor DuplicateModelOutput = Error(
        "BCONV0203", "Two <OnnxModel> items produce the same output file",
        "Give one of the items another OutputPath metadata value; the message names both items.");

    public static readonly DiagnosticDescriptor InvalidItemMetadata = Error(
        "BCONV0204", "An <OnnxModel> item's metadata is not valid for the build",
        "The message names the item and the metadata (for example Validate must be true or false, OutputPath must be a relative path inside the output folder).");
}
