namespace BuildConvert.Core.Diagnostics;

// BCONV10xx: reading and writing ONNX model files and their external data.
public static partial class DiagnosticCodes
{
    public static readonly DiagnosticDescriptor ModelFileNotFound = Error(
        "BCONV1001", "The model file does not exist or cannot be opened",
        "Check the path; the message says whether the file is missing or access was denied.");

    public static readonly DiagnosticDescriptor ModelFileEmpty = Error(
        "BCONV1002", "The model file is empty",
        "The file has zero bytes; it was probably not written completely. Re-export or re-download the model.");

    public static readonly DiagnosticDescriptor ModelTruncated = Error(
        "BCONV1003", "The model file ends in the middle of a message",
        "The file is truncated (an interrupted download or copy). Re-export or re-download the model.");

    public static readonly DiagnosticDescriptor ModelCorrupt = Error(
        "BCONV1004", "The model file is not valid ONNX protobuf data",
        "The bytes do not decode as an ONNX ModelProto (corrupted file or a different format). Re-export the model.");

    public static readonly DiagnosticDescriptor NotAnOnnxModel = Error(
        "BCONV1005", "The file is not an ONNX model",
        "The file looks like another format (the message names it, e.g. a zip archive or text). Give the .onnx file, or convert the model first.");

    public static readonly DiagnosticDescriptor ModelReadLimitExceeded = Error(
        "BCONV1006", "The model exceeds a reader limit",
        "The file is larger than 2 GiB or nests graphs deeper than the recursion limit. Store weights as external data, or raise the limit in OnnxReadOptions.");

    public static readonly DiagnosticDescriptor ModelReadFailed = Error(
        "BCONV1007", "The model file could not be read",
        "An I/O error occurred while reading the file; the message has the system's reason.");

    public static readonly DiagnosticDescriptor ExternalDataInvalidReference = Error(
        "BCONV1010", "A tensor's external data reference is malformed",
        "The tensor's external_data entries need a non-empty 'location' and, when present, non-negative integer 'offset' and 'length'.");

    public static readonly DiagnosticDescriptor ExternalDataAbsolutePath = Error(
        "BCONV1011", "An external data location is an absolute path",
        "External data must be stored in a file beside the model and named by a relative path.");

    public static readonly DiagnosticDescriptor ExternalDataParentSegment = Error(
        "BCONV1012", "An external data location contains a '..' segment",
        "External data must be inside the model's folder; '..' is not allowed in its location.");

    public static readonly DiagnosticDescriptor ExternalDataSymbolicLink = Error(
        "BCONV1013", "An external data location goes through a symbolic link",
        "Replace the symbolic link with the real file inside the model's folder.");

    public static readonly DiagnosticDescriptor ExternalDataOutsideModelFolder = Error(
        "BCONV1014", "An external data location resolves outside the model's folder",
        "External data must be stored in the model's folder or below it.");

    public static readonly DiagnosticDescriptor ExternalDataFileMissing = Error(
        "BCONV1015", "An external data file does not exist or is not a regular file",
        "Copy the external data file(s) next to the model; the message names the tensor and the expected path. An empty file, a FIFO or a device (which report no length) where a tensor needs bytes is refused the same way, before it is opened.");

    public static readonly DiagnosticDescriptor ExternalDataOutOfRange = Error(
        "BCONV1016", "An external data range lies past the end of its file",
        "The tensor's offset and length point past the end of the data file: the file is truncated or belongs to another model.");

    public static readonly DiagnosticDescriptor ExternalDataSizeMismatch = Error(
        "BCONV1017", "An external data length does not match the tensor's shape and type",
        "The number of bytes stored for the tensor differs from what its dims and data_type need. Re-export the model.");

    public static readonly DiagnosticDescriptor ExternalDataNeedsModelPath = Error(
        "BCONV1018", "External data cannot be resolved without the model's path",
        "The model was read from a stream; read it from its file so external data can be found beside it.");

    public static readonly DiagnosticDescriptor ModelWriteFailed = Error(
        "BCONV1020", "The model file could not be written",
        "An I/O error occurred while writing; nothing was left at the destination. The message has the system's reason.");

    public static readonly DiagnosticDescriptor ModelTooLargeToWrite = Error(
        "BCONV1021", "The model is too large for a single protobuf file",
        "Serialized models are limited to 2 GiB; write the weights as external data (OnnxWriteOptions.ExternalData).");
}
