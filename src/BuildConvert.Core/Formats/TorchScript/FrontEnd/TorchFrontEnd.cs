using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Converters.TorchScript.Schemas;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Formats.TorchScript.FrontEnd;

/// <summary>What <see cref="TorchFrontEnd.Build(TorchObject, TorchScriptCode, IReadOnlyList{object?}, string, IReadOnlyList{TorchInputSpec}, TorchFrontEndOptions?, CancellationToken)"/>
/// made: the graph, and notes on what it assumed (branches that only raise taken as not taken, asserts on run-time
/// values not checked).</summary>
public sealed record TorchFrontEndResult(TorchGraph Graph, IReadOnlyList<string> Notes);

/// <summary>
/// The TorchScript front end: from a TorchScript archive's module tree (data.pkl), its code (code/**.py) and its
/// constants (constants.pkl) to the ATen-level <see cref="TorchGraph"/> of one method. It parses the code, then
/// symbolically executes the method: every call of a submodule method or code function is inlined; attributes of
/// modules become constants (parameters and buffers as <see cref="TorchTensorConstant"/> named by their module path);
/// every operator call is bound to its PyTorch 1.13 schema overload with all arguments positional and defaults filled
/// in; what is known at conversion time folds (scalar arithmetic, comparisons, <c>aten::size</c>/<c>aten::dim</c> of
/// static shapes, ifs on constants, loops of constant length, which are unrolled); what depends on run-time values
/// becomes nodes, <c>prim::If</c> and <c>prim::Loop</c> included. In-place operators rebind the value they write.
/// Tuple, list and dict results are flattened into the outputs (dict keys name them); tuple and object parameters
/// are flattened into inputs (<c>x.0</c>, <c>x.1</c>; <c>data.foo</c>).
/// Nothing from the archive is executed; the code is only interpreted. Thread-safe (each call has its own state).
/// </summary>
public static class TorchFrontEnd
{
    /// <summary>Builds the graph of <paramref name="method"/> of <paramref name="root"/>.</summary>
    /// <param name="root">The archive's root module (data.pkl).</param>
    /// <param name="codeFiles">The archive's code files: path inside the archive (<c>code/__torch__/x.py</c>, any
    /// leading archive folder allowed) -&gt; text.</param>
    /// <param name="constants">The archive's constants.pkl tuple (<c>CONSTANTS.cN</c>), in order.</param>
    /// <param name="method">The method to convert (<c>forward</c>; for a module whose class only has overloads
    /// <c>forward__0</c>, <c>forward__1</c>, the first whose parameter types fit the inputs).</param>
    /// <param name="inputs">The inputs' types and shapes (see <see cref="TorchInputSpec"/>).</param>
    /// <param name="cancellationToken">Cancels between statements.</param>
    /// <returns>The graph.</returns>
    /// <exception cref="BuildConvertException">BCONV1330-1333 for code that does not parse, BCONV2230-2239 for a
    /// method that cannot be converted (all unknown operators and unmatched overloads of the method in one error).</exception>
    public static TorchGraph Build(
        TorchObject root,
        IReadOnlyDictionary<string, string> codeFiles,
        IReadOnlyList<object?> constants,
        string method,
        IReadOnlyList<TorchInputSpec> inputs,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(codeFiles);
        return Build(root, TorchScriptCode.Parse(codeFiles, cancellationToken), constants, method, inputs, null, cancellationToken).Graph;
    }

    /// <summary>Builds the graph from already parsed code (parse once, convert several methods), with options and notes.</summary>
    /// <exception cref="BuildConvertException">As <see cref="Build(TorchObject, IReadOnlyDictionary{string, string}, IReadOnlyList{object?}, string, IReadOnlyList{TorchInputSpec}, CancellationToken)"/>.</exception>
    public static TorchFrontEndResult Build(
        TorchObject root,
        TorchScriptCode code,
        IReadOnlyList<object?> constants,
        string method,
        IReadOnlyList<TorchInputSpec> inputs,
        TorchFrontEndOptions? options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(constants);
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(inputs);
        var interpreter = new TorchInterpreter(code, constants, AtenSchemaTable.Default, options ?? TorchFrontEndOptions.Default, cancellationToken);
        var graph = interpreter.Run(root, method, inputs);
        return new TorchFrontEndResult(graph, interpreter.Notes);
    }
}
