using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Graphs;

/// <summary>Named factories for the coded errors graph rewrites raise (a <see cref="BuildConvertException"/> each).</summary>
public static class ConversionErrors
{
    /// <summary>BCONV2002: <paramref name="node"/> cannot keep its meaning at <paramref name="opset"/> because <paramref name="why"/>.</summary>
    public static BuildConvertException StepImpossible(Node? node, string opType, long opset, string why) =>
        BuildConvertException.Create(DiagnosticCodes.OpsetStepImpossible,
            $"{(node is null ? $"a {opType} node" : node.Describe())} cannot be expressed at ai.onnx opset {opset}: {why}",
            location: node?.Name is { Length: > 0 } n ? n : null);

    /// <summary>BCONV2002 for a value that must be a constant at <paramref name="opset"/> and is not.</summary>
    public static BuildConvertException ConstantRequired(Node? node, string opType, long opset, string what) =>
        StepImpossible(node, opType, opset, $"{what} must be a constant below the opset where it became an input, and it is computed at run time");
}
