namespace BuildConvert.Core.Diagnostics;

// BCONV41xx: the LibTorch oracle (TorchSharp running a TorchScript archive for golden data and --verify-source).
public static partial class DiagnosticCodes
{
    public static readonly DiagnosticDescriptor TorchOracleNotInstalled = Error(
        "BCONV4100", "The LibTorch oracle is not installed",
        "Golden data from a TorchScript archive and `convert --verify-source` run the archive with LibTorch through the " +
        "optional buildconvert-torch-oracle program (about 500 MB with its natives, so neither the tool nor the MSBuild " +
        "package carries it). Publish it with `bash eng/publish-torch-oracle.sh` and point BUILDCONVERT_TORCH_ORACLE at " +
        "the folder it prints, or place that folder as torch-oracle/ beside the buildconvert executable (docs/torchscript.md).");

    public static readonly DiagnosticDescriptor LibTorchLoadFailed = Error(
        "BCONV4101", "LibTorch could not be loaded",
        "The oracle found TorchSharp's native libraries but the system loader refused them; the message holds the " +
        "loader's own text. On Debian 12 and Ubuntu 22.04 'GLIBCXX_3.4.32 not found' means the C++ runtime is older than " +
        "the one TorchSharp 0.107 was built with: build or publish the oracle from this repository (the build applies " +
        "eng/torchsharp/fix-glibcxx.sh to its own output), or run that script on the oracle's folder.");

    public static readonly DiagnosticDescriptor TorchScriptLoadFailed = Error(
        "BCONV4102", "LibTorch could not load the TorchScript archive",
        "torch.jit.load refused the file: it is not a TorchScript archive (a state_dict saved with torch.save, a legacy " +
        "pickle), it is damaged, or it uses operators this LibTorch (2.10) does not have. The message holds LibTorch's text.");

    public static readonly DiagnosticDescriptor TorchMethodNotFound = Error(
        "BCONV4103", "The TorchScript archive has no such method",
        "The oracle runs forward unless a method is named; the message lists the methods the root module defines.");

    public static readonly DiagnosticDescriptor TorchArgumentUnsupported = Error(
        "BCONV4104", "A method parameter has a type the oracle cannot pass",
        "TorchSharp 0.107 passes tensors, int, float and bool arguments (and None for Optional ones); tuples, lists, dicts " +
        "and class objects cannot be passed to a TorchScript method from .NET. The message names the parameter and its type.");

    public static readonly DiagnosticDescriptor TorchInputMismatch = Error(
        "BCONV4105", "The inputs do not fit the method's parameters",
        "Every tensor parameter needs a shape (--input-shapes / InputShapes; dynamic dimensions take the generated sizes) " +
        "or a given value, given values must name parameters of the method, and --input-types must name a supported " +
        "element type. The message lists the method's parameters.");

    public static readonly DiagnosticDescriptor TorchRunFailed = Error(
        "BCONV4106", "LibTorch failed while running the method",
        "The TorchScript method raised an error for the inputs (a shape the model does not accept, an assertion in the " +
        "model's code). The message names the data set and holds LibTorch's text.");

    public static readonly DiagnosticDescriptor TorchOutputUnsupported = Error(
        "BCONV4107", "The method returns a value the oracle cannot read",
        "TorchSharp 0.107 brings back tensors, scalars and (nested) tuples and lists of them; dicts and class objects " +
        "cannot be read from .NET, so such a method has no LibTorch golden data. The message says what was returned.");

    public static readonly DiagnosticDescriptor TorchOracleFailed = Error(
        "BCONV4108", "The LibTorch oracle process failed",
        "buildconvert-torch-oracle exited without a readable answer (a native crash in LibTorch, killed for memory, or " +
        "a version that does not speak this tool's protocol). The message gives its exit status, the end of its error " +
        "output and the command line to rerun.");

    public static readonly DiagnosticDescriptor VerifySourceUnavailable = Error(
        "BCONV4109", "The source format has no live oracle to verify against",
        "--verify-source compares ONNX Runtime with the source framework run on the same seeded inputs; only TorchScript " +
        "archives have such an oracle (LibTorch). For other formats validate against golden data (--golden).");
}
