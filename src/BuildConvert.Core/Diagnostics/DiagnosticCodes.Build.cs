namespace BuildConvert.Core.Diagnostics;

// BCONV0xxx: the build integration and the command line.
public static partial class DiagnosticCodes
{
    public static readonly DiagnosticDescriptor CommandLineUsage = Error(
        "BCONV0001", "The command line is not valid",
        "Run the command with --help to see its arguments and options.");

    public static readonly DiagnosticDescriptor InputNotFound = Error(
        "BCONV0002", "An input file or folder does not exist",
        "Check the path given on the command line or in the <OnnxModel> item's Include / metadata.");

    public static readonly DiagnosticDescriptor InvalidOption = Error(
        "BCONV0003", "An option or item metadata value is not valid",
        "Fix the value; the message names the option (for example --input-shapes or InputShapes) and what was expected.");

    public static readonly DiagnosticDescriptor UnknownFormat = Error(
        "BCONV0004", "The input's model format is not recognised",
        "The message lists the formats BuildConvert knows. Pass --format (item metadata Format) to name the format, or check that the file is a model.");

    public static readonly DiagnosticDescriptor OptionNotSupported = Error(
        "BCONV0005", "An option cannot be honoured for this input",
        "The message names the option and why it cannot be applied to this model or format; remove the option or change its value.");

    public static readonly DiagnosticDescriptor OutputNotWritten = Error(
        "BCONV0006", "The output could not be written",
        "The message names the file and the operating system's reason (permissions, disk full, a folder in the way). Nothing was left at the output path.");

    public static readonly DiagnosticDescriptor NoModelsFound = Error(
        "BCONV0007", "A folder holds no models to process",
        "check looks for *.onnx files under the folder; verify looks for folders holding model.onnx with test_data_set_* folders or inputs.npz/outputs.npz.");

    public static readonly DiagnosticDescriptor GoldenDataMissing = Error(
        "BCONV0008", "No golden data was found for a model",
        "Pass --golden <folder> (item metadata Golden) naming a folder in one of the golden layouts: test_data_set_N/input_K.pb and output_K.pb, input_K.pb/output_K.pb directly in the folder, inputs.npz and outputs.npz, or inputs/*.npy and outputs/*.npy (docs/golden-data.md).");

    public static readonly DiagnosticDescriptor TimedOut = Error(
        "BCONV0009", "A model took longer than the time limit",
        "Running the model on its golden inputs was stopped after the limit given with --timeout (seconds; 0 for none). Raise the limit for large models, or look for a loop whose trip count comes from the input.");

    public static readonly DiagnosticDescriptor ToolCrashed = Error(
        "BCONV0010", "The buildconvert tool stopped unexpectedly",
        "The message gives the command line to reproduce it; run it by hand and report the output if it is a bug.");

    public static readonly DiagnosticDescriptor CacheLockTimedOut = Warning(
        "BCONV0011", "Another build held a model's cache lock too long",
        "Another process was converting the same model into the same cache folder (BuildConvertCacheDirectory, BUILDCONVERT_CACHE or --cache) for longer than the lock timeout; this build converted the model itself. Look for a stuck build, or give each build its own cache folder.");

    public static readonly DiagnosticDescriptor CacheEntryDamaged = Warning(
        "BCONV0012", "A conversion cache entry was damaged and was rebuilt",
        "A stored file of the cache entry did not match the SHA-256 in its manifest, or the manifest could not be read (a disk problem, an interrupted copy of the cache folder, or a change by hand). The entry was ignored and replaced by a fresh conversion; nothing from it was used.");

    public static readonly DiagnosticDescriptor CacheUnavailable = Warning(
        "BCONV0013", "The conversion cache folder could not be used",
        "The message names the folder and the operating system's reason. The model was converted without the cache; fix the folder's permissions or point BuildConvertCacheDirectory, BUILDCONVERT_CACHE or --cache elsewhere.");

    public static readonly DiagnosticDescriptor ModelSummary = Info(
        "BCONV0100", "A model was processed",
        "Informational: one line per model with format, opset, checker and validation results.");

    public static readonly DiagnosticDescriptor ModelSkipped = Info(
        "BCONV0101", "A model was skipped",
        "Informational: the model is listed in the skip manifest given with --skip, with the reason shown.");
}
