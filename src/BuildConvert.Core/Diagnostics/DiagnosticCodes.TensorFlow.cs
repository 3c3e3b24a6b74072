namespace BuildConvert.Core.Diagnostics;

// BCONV12xx: reading TensorFlow models (frozen GraphDefs, SavedModels and their variable bundles).
public static partial class DiagnosticCodes
{
    public static readonly DiagnosticDescriptor TfModelTruncated = Error(
        "BCONV1200", "A TensorFlow .pb file ends in the middle of a message",
        "The GraphDef or saved_model.pb is truncated (an interrupted download or copy). Re-export or re-download the model.");

    public static readonly DiagnosticDescriptor TfModelCorrupt = Error(
        "BCONV1201", "A TensorFlow .pb file is not a valid GraphDef or SavedModel",
        "The bytes do not decode as the protobuf message the file should hold. Re-export the model (tf.io.write_graph or tf.saved_model.save).");

    public static readonly DiagnosticDescriptor TfModelReadLimitExceeded = Error(
        "BCONV1202", "A TensorFlow model exceeds a reader limit",
        "The file is larger than the reader accepts (2 GiB for one protobuf message), nests messages too deeply, or a tensor is larger than the limit. The message names the limit; raise it in TfReadOptions.");

    public static readonly DiagnosticDescriptor TfMetaGraphNotFound = Error(
        "BCONV1203", "The SavedModel has no MetaGraph to convert",
        "A SavedModel needs a MetaGraph tagged 'serve', or exactly one MetaGraph. The message lists the tag sets it has; re-export with tags=['serve'].");

    public static readonly DiagnosticDescriptor TfSignatureNotFound = Error(
        "BCONV1204", "The SavedModel has no such signature",
        "Without a Signature option the signature 'serving_default' is converted; the message lists the signatures the model has. Name one with --signature or the Signature item metadata.");

    public static readonly DiagnosticDescriptor TfTensorNotFound = Error(
        "BCONV1205", "A tensor named as input, output or signature entry is not in the graph",
        "Inputs, outputs and signature entries name tensors as node:index (index 0 may be left out). Check the spelling against 'buildconvert inspect'.");

    public static readonly DiagnosticDescriptor TfFunctionNotFound = Error(
        "BCONV1206", "A node calls a function that the function library does not define",
        "The GraphDef's library lacks the function the call names (attribute 'f' of PartitionedCall/StatefulPartitionedCall, or the op itself). The file is incomplete; re-export the model.");

    public static readonly DiagnosticDescriptor TfFunctionNestingTooDeep = Error(
        "BCONV1207", "Function calls nest deeper than the inlining limit",
        "Calls are inlined recursively up to TfReadOptions.MaxInlineDepth levels; a deeper (or recursive) chain of calls is refused. Raise the limit when the model really nests that deeply.");

    public static readonly DiagnosticDescriptor TfUnknownOutputLayout = Error(
        "BCONV1208", "A function body uses outputs of an op whose output layout is unknown",
        "Inside a function body outputs are named node:output_arg:index; flattening them needs the op's output arguments. The model's stripped op list and BuildConvert's table do not know the op the message names.");

    public static readonly DiagnosticDescriptor TfVariableNotFound = Error(
        "BCONV1209", "A variable the graph reads has no value in the checkpoint",
        "The variables bundle (variables/variables.index) has no entry for the variable the message names, or the SavedModel has no variables folder. Re-export the SavedModel with its variables.");

    public static readonly DiagnosticDescriptor TfBundleCorrupt = Error(
        "BCONV1210", "The variables index is not a valid tensor bundle table",
        "variables.index is a sorted-string table (blocks, a block index and a 48-byte footer with a magic number); the message says which part is damaged. Re-export or re-download the SavedModel.");

    public static readonly DiagnosticDescriptor TfBundleChecksumMismatch = Error(
        "BCONV1211", "A variable's bytes do not match their checksum",
        "The CRC32C stored in variables.index for the variable the message names differs from the bytes in its data shard: the shard is damaged or belongs to another checkpoint.");

    public static readonly DiagnosticDescriptor TfBundleShardMissing = Error(
        "BCONV1212", "A variables data shard is missing",
        "The bundle header says how many variables.data-NNNNN-of-NNNNN shards there are; copy every shard next to variables.index.");

    public static readonly DiagnosticDescriptor TfBundleOutOfRange = Error(
        "BCONV1213", "A variable's bytes lie outside its data shard or do not fit its shape",
        "The entry's offset and size point past the end of the shard, or the size differs from what the dtype and shape need: the shard is truncated or belongs to another checkpoint.");

    public static readonly DiagnosticDescriptor TfBundleUnsupported = Error(
        "BCONV1214", "The variables bundle uses a feature the reader does not support",
        "Big-endian bundles, an unknown block compression, or a variable of a dtype with no ONNX equivalent (resource, variant, quantized types). The message names the entry.");

    public static readonly DiagnosticDescriptor TfGraphInvalid = Error(
        "BCONV1215", "The TensorFlow graph is malformed",
        "A node input names no node, two nodes share a name, a call's inputs do not match its function's arguments, or an attribute has the wrong kind. The message names the node, the op and the attribute.");
}
