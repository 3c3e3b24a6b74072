namespace BuildConvert.Core.Diagnostics;

// BCONV2200-2229: converting a TorchScript (ATen-level) graph (Converters/TorchScript).
public static partial class DiagnosticCodes
{
    public static readonly DiagnosticDescriptor TorchScriptNodeInvalid = Error(
        "BCONV2200", "A TorchScript node cannot be converted as written",
        "The message names the node (its first result and, when known, the source line and module path), its ATen operator and the argument at fault: an argument that must be known at conversion time (a dimension, a kernel size, a list length) and is computed at run time, an argument of the wrong kind, a value out of the range PyTorch accepts, or a tensor whose rank or size the converter needs and cannot tell. Give the inputs' shapes (--input-shapes / InputShapes) when the message asks for a static size.");

    public static readonly DiagnosticDescriptor TorchScriptTypeUnsupported = Error(
        "BCONV2201", "A TorchScript tensor has an element type with no ONNX form",
        "ONNX has no complex or quantized tensor types the converter can target: a ScalarType code of complex32/complex64/complex128 or qint8/quint8/qint32 (or an unknown code) was used as a dtype argument or found on a tensor. The message names the node and the code. Convert the model to real floating-point types before exporting it.");

    public static readonly DiagnosticDescriptor TorchScriptTrainingMode = Error(
        "BCONV2202", "The TorchScript graph computes in training mode",
        "An operator was called with train=True: dropout draws random masks, which an ONNX model (a pure function) does not express. Call model.eval() before torch.jit.trace / torch.jit.script and save the archive again. (batch_norm with training=True is converted: it normalizes with the batch's statistics, as PyTorch does.)");

    public static readonly DiagnosticDescriptor TorchScriptSignatureInvalid = Error(
        "BCONV2203", "A TorchScript graph input or output has no ONNX form",
        "An ONNX graph's inputs and outputs are tensors of a known element type and rank. The message names the input or output: a tensor input whose dtype or rank the archive does not say (give it with --input-shapes / InputShapes), an input of a kind with no tensor form (a string, a device, a list), or an output that is None, a string or a nested list that is not a tensor.");

    public static readonly DiagnosticDescriptor TorchScriptControlFlowInvalid = Error(
        "BCONV2204", "A TorchScript if or loop cannot be converted to ONNX If/Loop",
        "The message names the prim::If or prim::Loop node and what stops it: a block count or block signature that does not match the node, a condition that is not a boolean, branches that return values of different kinds (a tensor in one, None in the other), or a loop that carries a list, tuple or None (ONNX Loop carries tensors; lists would need ONNX sequences). Where the condition or trip count is known at conversion time the front end removes the if or unrolls the loop instead.");

    public static readonly DiagnosticDescriptor TorchScriptFeatureUnsupported = Error(
        "BCONV2205", "A TorchScript operator is used with an argument value the converter does not support",
        "The operator has a converter, but not for this combination of arguments; the message names the node, the operator, the argument and what the converter supports instead (for example avg_pool2d's divisor_override together with ceil_mode, the indices output of adaptive_max_pool2d, a squeeze of a dimension whose size is only known at run time, or mask_type 0 (an [L, S] src_mask) of the fused fast paths aten::_native_multi_head_attention and aten::_transformer_encoder_layer_fwd, which PyTorch 1.13 runs only on CUDA). docs/supported-ops.md lists the notes of every converter.");
}
