using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Evaluation;

/// <summary>
/// A C# reference evaluator for the ai.onnx operators that shape arithmetic and small constant subgraphs use (shape
/// ops, element-wise arithmetic and logic with numpy broadcasting, Cast, Range, ConstantOfShape, Gather, Slice, Concat,
/// Transpose, small reductions and MatMul), following the ONNX specification at the node's opset and, where the
/// specification leaves a choice, what ONNX Runtime does (integer division truncates toward zero). It refuses
/// (returns false) whatever it does not compute exactly as ONNX Runtime would: unknown ops, strings and sub-byte types
/// outside pure data movement, integer division by zero, casts of NaN or out-of-range floats to integers, NaN in
/// Min/Max, and any result past <see cref="EvaluationLimits"/>. Floating results are computed in double and rounded
/// to the element type after each operation, so +, -, *, / and sqrt are bit-exact and sums/products/MatMul may differ
/// from ONNX Runtime's float accumulation in the last bits. Stateless and thread-safe.
/// </summary>
public static partial class ReferenceEvaluator
{
    private delegate TensorData?[]? Kernel(Call call);

    private static readonly Dictionary<string, Kernel> Kernels = BuildKernels();

    /// <summary>Ops that only move or describe data: they accept any element type, strings included where noted.</summary>
    private static readonly HashSet<string> AnyElementType = new(StringComparer.Ordinal) { "Identity", "Shape", "Size", "Constant" };

    /// <summary>The ai.onnx op types the evaluator knows.</summary>
    public static IReadOnlyCollection<string> SupportedOps => Kernels.Keys;

    /// <summary>Whether <paramref name="node"/> is an ai.onnx op the evaluator knows (it may still refuse its inputs).</summary>
    public static bool Supports(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.IsOnnxDomain && Kernels.ContainsKey(node.OpType);
    }

    /// <inheritdoc cref="TryEvaluate(Node, IReadOnlyList{TensorData?}, EvaluationLimits, out TensorData?[])"/>
    public static bool TryEvaluate(Node node, IReadOnlyList<TensorData?> inputs, out TensorData?[] outputs) =>
        TryEvaluate(node, inputs, EvaluationLimits.Default, out outputs);

    /// <summary>
    /// Evaluates <paramref name="node"/> at its graph's ai.onnx opset on constant <paramref name="inputs"/> (one per node
    /// input, null where the input is omitted).
    /// </summary>
    /// <param name="node">The node; its attributes and output count are read, nothing is changed.</param>
    /// <param name="inputs">The input tensors; they are not modified and results may share their memory.</param>
    /// <param name="limits">Bounds on result size and work.</param>
    /// <param name="outputs">On success, one tensor per node output (null for an omitted output).</param>
    /// <returns>False when the evaluator does not handle the op, its attributes or its inputs exactly.</returns>
    public static bool TryEvaluate(Node node, IReadOnlyList<TensorData?> inputs, EvaluationLimits limits, out TensorData?[] outputs)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(limits);
        outputs = Array.Empty<TensorData?>();
        if (!node.IsOnnxDomain || !Kernels.TryGetValue(node.OpType, out var kernel))
        {
            return false;
        }

        foreach (var input in inputs)
        {
            if (input is null)
            {
                continue;
            }

            if (input.IsExternal || (!AnyElementType.Contains(node.OpType) && !TensorMath.IsSupported(input.ElementType)))
            {
                return false;
            }
        }

        TensorData?[]? result;
        try
        {
            result = kernel(new Call(node, inputs, node.Owner.Opset(), limits));
        }
        catch (RefusedException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }

        if (result is null)
        {
            return false;
        }

        var produced = new TensorData?[node.Outputs.Count];
        for (var i = 0; i < produced.Length; i++)
        {
            if (node.Outputs[i] is null)
            {
                continue;
            }

            if (i >= result.Length || result[i] is not { } r || !limits.Allows(r))
            {
                return false;
            }

            produced[i] = r;
        }

        outputs = produced;
        return true;
    }

    private static Dictionary<string, Kernel> BuildKernels()
    {
        var k = new Dictionary<string, Kernel>(StringComparer.Ordinal);
        RegisterShapeOps(k);
        RegisterElementwiseOps(k);
        RegisterReductionOps(k);
        return k;
    }

    private static TensorData?[] One(TensorData t) => new TensorData?[] { t };

    /// <summary>Thrown inside a kernel to refuse its inputs; never escapes <see cref="TryEvaluate(Node, IReadOnlyList{TensorData?}, EvaluationLimits, out TensorData?[])"/>.</summary>
    private sealed class RefusedException : Exception
    {
    }

    private static RefusedException Refuse() => new();

    /// <summary>One evaluation: the node, its inputs, the opset and limits, with attribute helpers.</summary>
    private sealed class Call
    {
        public Call(Node node, IReadOnlyList<TensorData?> inputs, long opset, EvaluationLimits limits)
        {
            Node = node;
            Inputs = inputs;
            Opset = opset;
            Limits = limits;
        }

        public Node Node { get; }

        public IReadOnlyList<TensorData?> Inputs { get; }

        public long Opset { get; }

        public EvaluationLimits Limits { get; }

        public int InputCount => Inputs.Count;

        /// <summary>Input <paramref name="i"/>, or a refusal when it is missing.</summary>
        public TensorData In(int i) => Opt(i) ?? throw Refuse();

        /// <summary>Input <paramref name="i"/>, or null when omitted.</summary>
        public TensorData? Opt(int i) => i < Inputs.Count ? Inputs[i] : null;

        public long Int(string name, long fallback) => Node.GetInt(name, fallback);

        public IReadOnlyList<long>? Ints(string name) => Node.GetInts(name);

        public bool Has(string name) => Node.HasAttribute(name);

        /// <summary>Refuses unless a tensor of <paramref name="shape"/> and <paramref name="type"/> is within the limits.</summary>
        public void Reserve(DataType type, long[] shape)
        {
            long count = 1;
            foreach (var d in shape)
            {
                if (d < 0)
                {
                    throw Refuse();
                }

                count = checked(count * d);
            }

            if (count > Limits.MaxElements || count * Math.Max(1, TensorMath.ElementSize(type)) > Limits.MaxBytes)
            {
                throw Refuse();
            }
        }

        /// <summary>The elements of an integer input (int32/int64 and the like).</summary>
        public long[] IntsOf(TensorData t)
        {
            if (!TensorMath.IsInteger(t.ElementType) || !TensorMath.TryReadInts(t, out var v))
            {
                throw Refuse();
            }

            return v;
        }
    }
}

/// <summary>Checks a result against <see cref="EvaluationLimits"/>.</summary>
internal static class EvaluationLimitsExtensions
{
    public static bool Allows(this EvaluationLimits limits, TensorData t) =>
        t.ElementCount <= limits.MaxElements && Math.Max(t.ByteCount, 0) <= limits.MaxBytes;
}
