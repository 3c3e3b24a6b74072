using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Tool;

/// <summary>
/// The engine parts commands use, gathered so tests can swap one (a validator, a format registry) without a process.
/// </summary>
/// <param name="Formats">The model formats the tool reads.</param>
/// <param name="CreateValidator">Makes the golden-output validator (ONNX Runtime by default).</param>
internal sealed record ToolServices(FormatRegistry Formats, Func<IModelValidator> CreateValidator)
{
    /// <summary>Makes the client of the optional LibTorch oracle (TorchScript golden data, <c>--verify-source</c>).</summary>
    public Func<TorchOracle.TorchOracleClient> CreateTorchOracle { get; init; } = () => new TorchOracle.TorchOracleClient();

    /// <summary>The services of the shipped tool.</summary>
    public static ToolServices CreateDefault() => new(FormatRegistry.CreateDefault(), OrtServices.CreateValidator);
}
