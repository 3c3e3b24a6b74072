using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Values;

namespace BuildConvert.Validation;

/// <summary>How <see cref="GoldenGenerator"/> makes inputs.</summary>
public sealed record GoldenGenerationOptions
{
    /// <summary>Shapes for inputs whose declared shape has dynamic or unknown dimensions (a dimension left null in a
    /// spec stays dynamic and takes each of <see cref="DynamicSizes"/>).</summary>
    public IReadOnlyList<InputShapeSpec> InputShapes { get; init; } = Array.Empty<InputShapeSpec>();

    /// <summary>The seed for random inputs; the same seed, model and options give the same data.</summary>
    public int Seed { get; init; }

    /// <summary>The sizes given to dynamic dimensions: one data set per size when any input has a dynamic dimension
    /// (two different sizes by default, so shapes baked in at conversion time are caught), else one data set.</summary>
    public IReadOnlyList<long> DynamicSizes { get; init; } = [1, 3];

    /// <summary>Inputs to use instead of random ones: one list per data set, each value named after its model input
    /// (or unnamed and in model-input order).</summary>
    public IReadOnlyList<IReadOnlyList<DataValue>>? Inputs { get; init; }

    /// <summary>Threads ONNX Runtime may use inside one operator; 0 for its default.</summary>
    public int IntraOpThreads { get; init; }
}
