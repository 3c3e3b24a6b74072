namespace BuildConvert.Core.Tests.Formats.TensorFlow;

/// <summary>The TensorFlow corpus entries the readers cover (GraphDefs and SavedModels; Keras h5/json are a later issue).</summary>
internal static class TfCorpus
{
    public static string Root { get; } = Path.Combine(RepoPaths.Corpora, "tensorflow");

    public const string FcLayers = "tf2onnx-fc-layers-frozen/frozen.pb";
    public const string Lstm = "tf2onnx-lstm-frozen/frozen.pb";
    public const string RegressionFrozen = "tf2onnx-regression/graphdef/frozen.pb";
    public const string RegressionSaved = "tf2onnx-regression/saved_model";
    public const string HalfPlusTwo = "serving-half-plus-two-tf1";
    public const string Counter = "serving-counter";
    public const string Cifar = "mlnet-cifar-frozen/frozen_model.pb";
    public const string CifarVariadic = "mlnet-cifar-frozen/frozen_model_variadic_input_shape.pb";
    public const string MnistConv = "mlnet-mnist-conv-saved-model";
    public const string MnistLr = "mlnet-mnist-lr-saved-model";
    public const string Types = "mlnet-types-test";
    public const string PrimitiveInput = "mlnet-primitive-input-test";
    public const string KerasLstm = "tfnet-keras-lstm-saved-model";
    public const string Tf24 = "tfnet-tf24-saved-model";
    public const string Multiplication = "tfrust-multiplication-graph/multiplication.pb";
    public const string KerasSingleInput = "tfrust-keras-single-input";
    public const string HeySnips = "tract-hey-snips-v3/hey_snips_3.pb";
    public const string Plus3 = "tract-plus3/plus3.pb";
    public const string KerasTf1Frozen = "tract-keras-tf1-frozen/my_model.pb";
    public const string TimesThree = "tfjs-node-times-three-float";
    public const string Int64Multiply = "tfjs-node-int64-multiply";
    public const string MultiOutput = "tfjs-node-multi-output";
    public const string MultiSignature = "tfjava-multi-signature-model";

    public static readonly string[] GraphDefs = { FcLayers, Lstm, RegressionFrozen, Cifar, CifarVariadic, Multiplication, HeySnips, Plus3, KerasTf1Frozen };

    public static readonly string[] SavedModels =
    {
        RegressionSaved, HalfPlusTwo, Counter, MnistConv, MnistLr, Types, PrimitiveInput, KerasLstm, Tf24, KerasSingleInput,
        TimesThree, Int64Multiply, MultiOutput, MultiSignature,
    };

    public static string PathOf(string entry)
    {
        var path = Path.Combine(Root, entry);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            Assert.Inconclusive($"the corpus entry {path} is missing");
        }

        return path;
    }

    /// <summary>Copies a SavedModel folder into <paramref name="folder"/> (for tests that damage it).</summary>
    public static string CopySavedModel(string entry, string folder)
    {
        var source = PathOf(entry);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return folder;
    }
}
