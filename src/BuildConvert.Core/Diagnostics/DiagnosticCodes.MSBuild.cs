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

    public static readonly DiagnosticDescriptor StampNotWritten = Error(
        "BCONV0205", "The build could not write a model's options stamp",
        "The message names the stamp file under the intermediate folder and the operating system's reason (permissions, disk full, a file where a folder should be). Fix the folder and build again; the model is converted again then.");

    public static readonly DiagnosticDescriptor RequestNotWritten = Error(
        "BCONV0206", "The build could not write the request file for the buildconvert tool",
        "The message names the request file (BuildConvertOutputDir/request.json) and the operating system's reason. Nothing was converted and no output of the affected models was kept.");

    public static readonly DiagnosticDescriptor OutputNotDeleted = Error(
        "BCONV0207", "The build could not delete the output of a model that did not pass",
        "A model failed (or was not converted) but its old converted file, data file or dependency list could not be deleted; the message names it and the reason. Delete it by hand, or run dotnet clean, so that a later build does not take it for up to date.");

    public static readonly DiagnosticDescriptor DependencyFileNotWritten = Error(
        "BCONV0208", "The build could not record the files a conversion read",
        "The list of secondary inputs (for example external data files) is kept beside the converted model so a change to them converts it again. The message names the file and the reason; the converted model was deleted so the next build retries.");
}
