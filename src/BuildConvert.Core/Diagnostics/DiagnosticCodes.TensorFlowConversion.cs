namespace BuildConvert.Core.Diagnostics;

// BCONV21xx: converting a TensorFlow graph (Converters/TensorFlow).
public static partial class DiagnosticCodes
{
    public static readonly DiagnosticDescriptor NotAnInferenceOp = Error(
        "BCONV2100", "The TensorFlow graph computes its outputs with training-only or stateful operators",
        "The outputs depend on operators that update state (variable assignments, optimizer steps, counters), draw random numbers for training, or write summaries; an ONNX model is a pure function, so such a graph has no ONNX form. The message lists every such operator with its node names. Convert an inference signature (a SavedModel's serving signature) or freeze the graph for inference, or choose outputs (--outputs / Outputs) that do not depend on them.");

    public static readonly DiagnosticDescriptor TensorFlowNodeInvalid = Error(
        "BCONV2101", "A TensorFlow node cannot be converted as written",
        "The message names the node, its operator and the attribute or input at fault: a missing or malformed attribute, an attribute value the converter does not support (it says which values it does), or an input that is missing (an input that must be a constant and is computed at run time is BCONV2110).");

    public static readonly DiagnosticDescriptor TensorFlowTensorInvalid = Error(
        "BCONV2102", "A TensorFlow constant tensor is malformed",
        "A Const node's tensor (or a variable's value) has a size that does not match its dtype and shape, negative or unknown dimensions, more values than elements, or a dtype with no ONNX form (resource, variant). The message names the node. Re-export the model.");

    public static readonly DiagnosticDescriptor TensorFlowFunctionInvalid = Error(
        "BCONV2103", "A TensorFlow function called by a control-flow node cannot be converted",
        "A body of If/While (or a function a body calls) is missing from the graph's function library, takes a different number of arguments than the node passes, has a list-valued argument, returns no tensor for one of its outputs, refers to an input that names neither an argument nor a node of the body, or calls functions nested deeper than the converter allows (recursion). The message names the node, its operator and the function. Re-export the model.");

    public static readonly DiagnosticDescriptor TensorFlowRankUnknown = Error(
        "BCONV2104", "A TensorFlow graph input or output has unknown rank",
        "ONNX lets a tensor's rank be unknown inside a graph, but the main graph's inputs and outputs must declare a shape (onnx.checker: \"Field 'shape' of 'type' is required\"), and the TensorFlow graph gives none: a Placeholder without a shape (or, in GraphDefs older than version 22, with a scalar one), a signature entry of unknown rank, or an output whose rank depends on run-time values. The message lists every such input and output. Give the inputs' shapes with --input-shapes / InputShapes, e.g. \"x:0:N,3\" (N for a dynamic dimension, nothing after the colon for a scalar).");

    public static readonly DiagnosticDescriptor TensorFlowConstantRequired = Error(
        "BCONV2110", "A TensorFlow node input must be known before the graph runs",
        "ONNX takes some operands as attributes, so the TensorFlow input that feeds one must be a constant (or computed only from constants and static shapes): Transpose's perm, the axis of ConcatV2/Concat/Split/SplitV/GatherV2, ArgMax/ArgMin's dimension, Conv2DBackpropInput's input_sizes, SpaceToBatchND/BatchToSpaceND's block_shape (docs/supported-ops.md lists them per op). The message names the node, its operator and the input, and why it must be known; a reduction's run-time axes need --opset 18 or higher (ReduceSum, All and Any: 13). Give the graph inputs' static shapes (--input-shapes / InputShapes) where the input is computed from a shape, or fold the value into a constant when freezing the graph.");
}
