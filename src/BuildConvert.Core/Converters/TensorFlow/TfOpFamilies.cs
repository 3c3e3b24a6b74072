namespace BuildConvert.Core.Converters.TensorFlow;

/// <summary>
/// The families of TensorFlow converters, each one file under <c>Converters/TensorFlow/&lt;Family&gt;/</c> with a short
/// table (<c>r.Add("AddV2", 13, Binary("Add"))</c>: TensorFlow op, lowest ONNX opset the handler emits for, handler).
/// To add an op, add a line to its family's table; to add a family, add its <c>Register</c> here. Registering an
/// (op, opset) twice fails at start-up, and a test checks the whole table.
/// </summary>
internal static class TfOpFamilies
{
    /// <summary>Every family's registration, in no particular order.</summary>
    public static readonly Action<OpConverterRegistry<TfOpHandler>>[] All =
    {
        Plumbing.PlumbingConverters.Register,
        Math.ElementwiseConverters.Register,
        Math.ActivationConverters.Register,
        Math.MatMulConverters.Register,
        Math.ReductionConverters.Register,
        Nn.ConvolutionConverters.Register,
        Indexing.IndexingConverters.Register,
        Shapes.LayoutConverters.Register,
        Image.ResizeConverters.Register,
        Random.RandomConverters.Register,
        Nn.NormalizationConverters.Register,
        Nn.SpaceBatchConverters.Register,
        Shapes.ShapeConverters.Register,
        Control.ControlFlowConverters.Register,
        Control.TensorListConverters.Register,
    };

    /// <summary>
    /// Ops that only make sense while training or that change state: an ONNX model is a pure function, so a graph whose
    /// outputs depend on one is refused with BCONV2100 (listing all of them) instead of BCONV2001.
    /// </summary>
    public static bool IsNotInference(string op) =>
        NotInference.Contains(op) ||
        op.StartsWith("Apply", StringComparison.Ordinal) || op.StartsWith("ResourceApply", StringComparison.Ordinal) ||
        op.StartsWith("SparseApply", StringComparison.Ordinal) || op.StartsWith("ResourceSparseApply", StringComparison.Ordinal) ||
        op.StartsWith("Assign", StringComparison.Ordinal) || op.StartsWith("Scatter", StringComparison.Ordinal) ||
        op.StartsWith("ResourceScatter", StringComparison.Ordinal) || op.EndsWith("Summary", StringComparison.Ordinal) ||
        op.EndsWith("SummaryV2", StringComparison.Ordinal) || op.EndsWith("Grad", StringComparison.Ordinal) ||
        op.Contains("BackpropFilter", StringComparison.Ordinal);

    private static readonly HashSet<string> NotInference = new(StringComparer.Ordinal)
    {
        // State
        "Variable", "VariableV2", "VarHandleOp", "VarIsInitializedOp", "IsVariableInitialized", "DestroyResourceOp",
        "CountUpTo", "ResourceCountUpTo", "TemporaryVariable", "DestroyTemporaryVariable",
        // Random numbers (training-time dropout and initializers); RandomUniform converts (Random/RandomConverters.cs)
        "RandomUniformInt", "RandomStandardNormal", "TruncatedNormal", "ParameterizedTruncatedNormal",
        "RandomShuffle", "RandomShuffleQueue", "RandomShuffleQueueV2", "Multinomial", "RandomGamma", "RandomGammaGrad", "RandomPoisson", "RandomPoissonV2",
        // Losses and gradient helpers
        "SoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits", "BroadcastGradientArgs",
        // Summaries and checkpoints
        "MergeSummary", "WriteSummary", "WriteScalarSummary", "WriteHistogramSummary", "WriteImageSummary", "WriteAudioSummary",
        "WriteRawProtoSummary", "WriteGraphSummary", "CreateSummaryFileWriter", "CreateSummaryDbWriter", "SummaryWriter",
        "FlushSummaryWriter", "CloseSummaryWriter", "ImportEvent",
        "Save", "SaveV2", "SaveSlices", "Restore", "RestoreV2", "RestoreSlice", "MergeV2Checkpoints", "ShardedFilename", "ShardedFilespec",
    };
}
