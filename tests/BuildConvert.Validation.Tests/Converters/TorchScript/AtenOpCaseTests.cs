namespace BuildConvert.Validation.Tests.Converters.TorchScript;

/// <summary>
/// The ATen converters against PyTorch 1.13 itself: every case eng/torchscript/make-op-cases.py generated (one overload,
/// one argument combination, seeded inputs, PyTorch's results) as a one-node TorchScript graph, converted, checked, run
/// by ONNX Runtime and compared (fp32 rtol 1e-4 / atol 1e-5, integers and bools exactly, element types equal). One
/// method per converter family (Converters/TorchScript/&lt;Family&gt;), one row per case.
/// </summary>
[TestClass]
public sealed class AtenOpCaseTests
{
    public static IEnumerable<object[]> Elementwise => AtenCases.Names("elementwise");

    public static IEnumerable<object[]> Activations => AtenCases.Names("activations");

    public static IEnumerable<object[]> Reductions => AtenCases.Names("reductions");

    public static IEnumerable<object[]> MatMul => AtenCases.Names("matmul");

    public static IEnumerable<object[]> Nn => AtenCases.Names("nn");

    public static IEnumerable<object[]> Shapes => AtenCases.Names("shapes");

    public static IEnumerable<object[]> Indexing => AtenCases.Names("indexing");

    public static IEnumerable<object[]> Creation => AtenCases.Names("creation");

    [TestMethod]
    [DynamicData(nameof(Elementwise))]
    public void ElementwiseMatchesPyTorch(string name) => AtenCases.Run("elementwise", name);

    [TestMethod]
    [DynamicData(nameof(Activations))]
    public void ActivationsMatchPyTorch(string name) => AtenCases.Run("activations", name);

    [TestMethod]
    [DynamicData(nameof(Reductions))]
    public void ReductionsMatchPyTorch(string name) => AtenCases.Run("reductions", name);

    [TestMethod]
    [DynamicData(nameof(MatMul))]
    public void MatMulMatchesPyTorch(string name) => AtenCases.Run("matmul", name);

    [TestMethod]
    [DynamicData(nameof(Nn))]
    public void NnMatchesPyTorch(string name) => AtenCases.Run("nn", name);

    [TestMethod]
    [DynamicData(nameof(Shapes))]
    public void ShapesMatchPyTorch(string name) => AtenCases.Run("shapes", name);

    [TestMethod]
    [DynamicData(nameof(Indexing))]
    public void IndexingMatchesPyTorch(string name) => AtenCases.Run("indexing", name);

    [TestMethod]
    [DynamicData(nameof(Creation))]
    public void CreationMatchesPyTorch(string name) => AtenCases.Run("creation", name);

    [TestMethod]
    [DataRow("elementwise", "add_Tensor_f32_broadcast")]
    [DataRow("nn", "conv2d_basic")]
    [DataRow("nn", "max_pool2d_ceil")]
    [DataRow("nn", "lstm_2layer_bidirectional_batch_first")]
    [DataRow("nn", "gru_1layer")]
    [DataRow("nn", "layer_norm_last")]
    [DataRow("reductions", "max_dim")]
    [DataRow("shapes", "flatten_middle")]
    [DataRow("indexing", "index_two_adjacent")]
    [DataRow("creation", "arange_0_1_0p1")]
    public void CasesHoldAtOpsets13And21(string family, string name) => AtenCases.Run(family, name, new[] { 13, 21 });
}
