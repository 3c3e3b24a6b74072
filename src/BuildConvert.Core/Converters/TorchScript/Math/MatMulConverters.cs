using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript.Math;

/// <summary>
/// Matrix products (https://pytorch.org/docs/1.13/torch.html#blas-and-lapack-operations): <c>matmul</c> (every rank
/// case: ONNX MatMul has NumPy's rules, which are torch.matmul's, 1-D operands included), <c>mm</c>, <c>bmm</c>,
/// <c>mv</c>, <c>dot</c>, <c>linear</c> (y = x W^T + b, Gemm for 2-D float inputs), <c>addmm</c> and <c>baddbmm</c>
/// (beta * self + alpha * product; self is ignored when beta is 0, as PyTorch does), <c>einsum</c>.
/// </summary>
internal static class MatMulConverters
{
    public static void Register(OpConverterRegistry<TorchOpHandler> r)
    {
        r.Op("aten::matmul", c => Product(c), "every rank combination");
        r.Op("aten::mm", c => Product(c));
        r.Op("aten::bmm", c => Product(c));
        r.Op("aten::mv", c => Product(c));
        r.Op("aten::dot", c => Product(c));
        r.Op("aten::linear", Linear, "Gemm for 2-D float inputs, MatMul + Add otherwise");
        r.Op("aten::addmm", c => AddProduct(c), "beta, alpha; self ignored when beta == 0", inPlace: true);
        r.Op("aten::baddbmm", c => AddProduct(c), "beta, alpha; self ignored when beta == 0", inPlace: true);
        r.Op("aten::addmv", c => AddProduct(c), inPlace: true);
        r.Op("aten::addbmm", AddBmm, inPlace: true);
        r.Op("aten::einsum", Einsum);
    }

    private static void Product(TorchNodeContext c)
    {
        var (x, y, _) = ElementwiseConverters.Promoted(c);
        c.SetOutput(0, c.Builder.Op("MatMul", x, y));
    }

    private static void Linear(TorchNodeContext c)
    {
        var x = c.Tensor(0);
        var type = c.ElementType(x);
        var weight = c.CastTo(c.Tensor(1), type);
        var bias = c.Has(2) ? c.CastTo(c.Tensor(2), type) : null;
        var b = c.Builder;
        var weightRank = c.Rank(weight, "linear");
        if (TorchNodeContext.RankOf(x) == 2 && weightRank == 2 && type is DataType.Float or DataType.Double)
        {
            c.SetOutput(0, b.Op("Gemm", bias is null ? new[] { x, weight } : new[] { x, weight, bias }, NodeAttribute.Of("transB", 1L)));
            return;
        }

        var product = b.Op("MatMul", x, weightRank == 2 ? b.Op("Transpose", new[] { weight }, NodeAttribute.Of("perm", new long[] { 1, 0 })) : weight);
        c.SetOutput(0, bias is null ? product : b.Op("Add", product, bias));
    }

    private static Value Scaled(TorchNodeContext c, Value v, int index, DataType type) =>
        c.ConstantOf(index) is long l && l == 1 || c.ConstantOf(index) is double d && d == 1 ? v : c.Builder.Op("Mul", v, c.TensorOf(index, type));

    private static void AddProduct(TorchNodeContext c)
    {
        // addmm(self, mat1, mat2, *, beta, alpha); baddbmm and addmv alike.
        var type = c.ResultType(0, 1, 2);
        var b = c.Builder;
        var product = Scaled(c, b.Op("MatMul", c.TensorOf(1, type), c.TensorOf(2, type)), 4, type);
        if (c.ConstantOf(3) is long l && l == 0 || c.ConstantOf(3) is double d && d == 0)
        {
            c.SetOutput(0, product);
            return;
        }

        c.SetOutput(0, b.Op("Add", Scaled(c, c.TensorOf(0, type), 3, type), product));
    }

    private static void AddBmm(TorchNodeContext c)
    {
        var type = c.ResultType(0, 1, 2);
        var b = c.Builder;
        var summed = b.Reduce("ReduceSum", b.Op("MatMul", c.TensorOf(1, type), c.TensorOf(2, type)), new long[] { 0 }, false);
        var product = Scaled(c, summed, 4, type);
        if (c.ConstantOf(3) is long l && l == 0 || c.ConstantOf(3) is double d && d == 0)
        {
            c.SetOutput(0, product);
            return;
        }

        c.SetOutput(0, b.Op("Add", Scaled(c, c.TensorOf(0, type), 3, type), product));
    }

    private static void Einsum(TorchNodeContext c)
    {
        var equation = c.String(0, "equation").Replace(" ", "", StringComparison.Ordinal);
        var operands = c.Tensors(1, "tensors");
        var type = operands.Select(o => c.ElementType(o)).Aggregate(DataType.Undefined, TorchScalarTypes.Promote);
        c.SetOutput(0, c.Builder.Op("Einsum", operands.Select(o => c.CastTo(o, type)), NodeAttribute.Of("equation", equation)));
    }
}
