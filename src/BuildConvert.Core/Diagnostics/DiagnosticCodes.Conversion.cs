namespace BuildConvert.Core.Diagnostics;

// BCONV2xxx: converting a model (any source format, and ONNX between opsets) into the ONNX graph that is written.
public static partial class DiagnosticCodes
{
    public static readonly DiagnosticDescriptor UnsupportedOperators = Error(
        "BCONV2001", "The model uses operators the converter does not support",
        "The message lists every unsupported operator with how many nodes use it and the first node names. docs/supported-ops.md lists what each format supports; a different target opset (--opset / Opset) may help when the message says so.");

    public static readonly DiagnosticDescriptor OpsetStepImpossible = Error(
        "BCONV2002", "A node cannot be expressed at the target opset",
        "The message names the node, its operator and why its meaning cannot be kept at the requested opset (for example a downgrade that needs an input to be a constant). Choose another --opset / Opset, or change the model.");

    public static readonly DiagnosticDescriptor OpsetOutOfRange = Error(
        "BCONV2003", "The target opset is outside the range the converter supports",
        "The message gives the supported range for the input's format; pass an --opset / Opset inside it.");

    public static readonly DiagnosticDescriptor ConvertedModelInvalid = Error(
        "BCONV2004", "The converted model fails the ONNX checker",
        "This is a fault of BuildConvert's converter, not of the input file: the input passed its own checks. The message carries the checker's finding; please report it with the command line.");

    public static readonly DiagnosticDescriptor ConversionNote = Info(
        "BCONV2006", "A conversion step kept the model's meaning but changed something worth knowing",
        "The message says what changed (for example a training-only attribute that an opset step dropped). The converted model still computes what the source computed.");

    public static readonly DiagnosticDescriptor ConversionStepFailed = Error(
        "BCONV2005", "An optimization or conversion pass failed",
        "The message names the pass and the node. This is a fault of BuildConvert; rerun without --optimize (item metadata Optimize) to get an unoptimized model, and report it.");
}
