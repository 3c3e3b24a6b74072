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

    public static readonly DiagnosticDescriptor ToolCrashed = Error(
        "BCONV0010", "The buildconvert tool stopped unexpectedly",
        "The message gives the command line to reproduce it; run it by hand and report the output if it is a bug.");

    public static readonly DiagnosticDescriptor ModelSummary = Info(
        "BCONV0100", "A model was processed",
        "Informational: one line per model with format, opset, checker and validation results.");
}
