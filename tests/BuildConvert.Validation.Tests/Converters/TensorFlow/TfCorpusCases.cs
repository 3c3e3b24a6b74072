namespace BuildConvert.Validation.Tests.Converters.TensorFlow;

/// <summary>What a corpus row expects.</summary>
internal enum TfCorpusExpect
{
    /// <summary>Converts, passes the checker, matches TF.js (and the golden values where given).</summary>
    Converts,

    /// <summary>Refused with <see cref="TfCorpusCase.Code"/>, for the reason in <see cref="TfCorpusCase.Reason"/>.</summary>
    Refused,
}

/// <summary>
/// Expected values a corpus row checks besides TF.js: the entry's golden.json (inputs and outputs by name), or a rule the
/// golden.json states only in prose, written here as code (<see cref="Rule"/>), citing the golden.json's "rule"/"source".
/// </summary>
/// <param name="FromFile">Use golden.json's "inputs"/"outputs".</param>
/// <param name="Rule">Outputs by name from inputs by name (the golden.json rule), for the seeded inputs.</param>
/// <param name="Cite">Where the rule comes from.</param>
internal sealed record TfGolden(bool FromFile, Func<IReadOnlyDictionary<string, double[]>, IReadOnlyDictionary<string, double[]>>? Rule, string Cite)
{
    public static TfGolden File { get; } = new(true, null, "golden.json inputs/outputs");

    public static TfGolden Of(string cite, Func<IReadOnlyDictionary<string, double[]>, IReadOnlyDictionary<string, double[]>> rule) => new(false, rule, cite);
}

/// <summary>
/// One row of the TensorFlow corpus test: a model (and a signature of a SavedModel), what the conversion must do, and
/// how it is run.
/// </summary>
/// <param name="Id">The row's name in the test results.</param>
/// <param name="Entry">The path under the corpus root.</param>
internal sealed record TfCorpusCase(string Id, string Entry)
{
    public string? Signature { get; init; }

    public TfCorpusExpect Expect { get; init; } = TfCorpusExpect.Converts;

    /// <summary>The diagnostic code of a refused row.</summary>
    public string? Code { get; init; }

    /// <summary>Why the row is refused, or why it is run the way it is (fed values, no TF.js), or what is pending.</summary>
    public string Reason { get; init; } = "";

    /// <summary>Words the refusal's message must contain (the op, the node).</summary>
    public string[] MessageContains { get; init; } = Array.Empty<string>();

    public string[] Inputs { get; init; } = Array.Empty<string>();

    public string[] Outputs { get; init; } = Array.Empty<string>();

    public int? Opset { get; init; }

    /// <summary>The --input-shapes text, where the model leaves an input's rank unknown (BCONV2104 without it).</summary>
    public string? InputShapes { get; init; }

    /// <summary>Fixed values for inputs by ONNX input name (e.g. keep_prob = 1 so dropout is the identity).</summary>
    public IReadOnlyDictionary<string, double[]> Fixed { get; init; } = new Dictionary<string, double[]>(StringComparer.Ordinal);

    /// <summary>Shapes for inputs by ONNX input name, where the model gives none (unknown rank) or a fixed input needs one; -1 = the batch.</summary>
    public IReadOnlyDictionary<string, long[]> Shapes { get; init; } = new Dictionary<string, long[]>(StringComparer.Ordinal);

    /// <summary>The two sizes the first dynamic dimension takes (the batch, or the time axis of a streaming model).</summary>
    public int[] Batches { get; init; } = { 1, 3 };

    /// <summary>The size given to dynamic dimensions other than the first.</summary>
    public long DynamicSize { get; init; } = 4;

    /// <summary>The golden values checked besides TF.js, if the corpus has them.</summary>
    public TfGolden? Golden { get; init; }

    /// <summary>False where TF.js cannot run the graph (the reason says why); the golden values are then the oracle.</summary>
    public bool Tfjs { get; init; } = true;

    /// <summary>Ops still being written: the conversion must fail with BCONV2001 naming them (the row fails once it converts).</summary>
    public string[] Pending { get; init; } = Array.Empty<string>();

    public double Atol { get; init; } = 1e-4;

    public double Rtol { get; init; } = 1e-4;

    /// <summary>The seeded inputs' range.</summary>
    public (double Low, double High) Range { get; init; } = (-3, 3);

    public override string ToString() => Id;
}

/// <summary>The rows: every GraphDef and SavedModel of the corpus, every signature of a SavedModel.</summary>
internal static class TfCorpusCases
{
    private const string RefusedParse = "the signature takes serialized tf.Example protos (ParseExample): string parsing, not an inference op ONNX has";
    private const string RefusedState = "the signature changes the counter variable (AssignAdd/Assign); an ONNX model is a pure function";

    private static Dictionary<string, double[]> Values(params (string Name, double[] Values)[] items) =>
        items.ToDictionary(i => i.Name, i => i.Values, StringComparer.Ordinal);

    private static Dictionary<string, long[]> ShapesOf(params (string Name, long[] Shape)[] items) =>
        items.ToDictionary(i => i.Name, i => i.Shape, StringComparer.Ordinal);

    private static IReadOnlyDictionary<string, double[]> Map(string output, double[] values) =>
        new Dictionary<string, double[]>(StringComparer.Ordinal) { [output] = values };

    public static IReadOnlyList<TfCorpusCase> All { get; } = new TfCorpusCase[]
    {
        // Frozen GraphDefs
        new("tf2onnx-fc-layers", "tf2onnx-fc-layers-frozen/frozen.pb"),
        new("tf2onnx-lstm", "tf2onnx-lstm-frozen/frozen.pb")
        {
            
            InputShapes = "keep_prob:0:",
            Fixed = Values(("keep_prob:0", new[] { 1.0 })),
            Reason = "dropout draws RandomUniform; fed keep_prob = 1 the dropout mask floor(keep_prob + U[0,1)) is 1 everywhere, so outputs are deterministic",
        },
        new("tf2onnx-regression-frozen", "tf2onnx-regression/graphdef/frozen.pb")
        {
            Golden = TfGolden.File,
            InputShapes = "X:0:N",
            Reason = "X:0 is a Placeholder without a shape: its rank is given (BCONV2104 otherwise)",
        },
        new("mlnet-cifar-frozen", "mlnet-cifar-frozen/frozen_model.pb") { Range = (0, 1) },
        new("mlnet-cifar-frozen-variadic", "mlnet-cifar-frozen/frozen_model_variadic_input_shape.pb")
        {
            Range = (0, 1), Shapes = ShapesOf(("Input:0", new long[] { -1, 32, 32, 3 })),
            Reason = "Input is [?,?,?,3]; the flatten before the dense layer needs 32x32 images, so those are fed",
        },
        new("tfrust-multiplication", "tfrust-multiplication-graph/multiplication.pb")
        {
            Golden = TfGolden.File,
            InputShapes = "a:0:N;b:0:N",
            Reason = "a, b: Placeholders with a scalar shape in a version-9 GraphDef, which TensorFlow reads as unknown rank; the rank is given",
        },
        new("tract-hey-snips-v3", "tract-hey-snips-v3/hey_snips_3.pb")
        {
            Atol = 1e-3, Rtol = 1e-3, 
            InputShapes = "inputs:0:N,40", Batches = new[] { 80, 121 },
            Reason = "inputs:0 (frames x 40 filter banks) has no shape in the graph: given as N,40; fed 80 and 121 frames",
        },
        new("tract-plus3", "tract-plus3/plus3.pb")
        {
            Golden = TfGolden.Of("tract-plus3/golden.json rule \"y = x + 3\" (source: tract tensorflow tests)",
                x => Map("output:0", x["input:0"].Select(v => v + 3).ToArray())),
            InputShapes = "input:0:N,3",
            Reason = "input:0 is a Placeholder without a shape: its rank is given",
        },
        new("tract-keras-tf1-frozen", "tract-keras-tf1-frozen/my_model.pb"),

        // SavedModels
        new("tf2onnx-regression-saved", "tf2onnx-regression/saved_model")
        {
            Golden = TfGolden.File, InputShapes = "X:N", Reason = "the signature's X has unknown rank: its rank is given",
        },
        new("serving-half-plus-two/serving_default", "serving-half-plus-two-tf1") { Golden = TfGolden.File },
        new("serving-half-plus-two/regress_x2_to_y3", "serving-half-plus-two-tf1")
        {
            Signature = "regress_x2_to_y3",
            Golden = TfGolden.Of("serving-half-plus-two-tf1/golden.json rule \"y2 = 0.5*x2 + 3 (regress_x_to_y2, regress_x2_to_y3)\"",
                x => Map("outputs", x["inputs"].Select(v => (0.5 * v) + 3).ToArray())),
        },
        new("serving-half-plus-two/regress_x_to_y", "serving-half-plus-two-tf1")
        {
            Signature = "regress_x_to_y", Expect = TfCorpusExpect.Refused, Code = "BCONV2001", Reason = RefusedParse, MessageContains = new[] { "ParseExample" },
        },
        new("serving-half-plus-two/regress_x_to_y2", "serving-half-plus-two-tf1")
        {
            Signature = "regress_x_to_y2", Expect = TfCorpusExpect.Refused, Code = "BCONV2001", Reason = RefusedParse, MessageContains = new[] { "ParseExample" },
        },
        new("serving-half-plus-two/classify_x_to_y", "serving-half-plus-two-tf1")
        {
            Signature = "classify_x_to_y", Expect = TfCorpusExpect.Refused, Code = "BCONV2001", Reason = RefusedParse, MessageContains = new[] { "ParseExample" },
        },
        new("serving-counter/get_counter", "serving-counter") { Signature = "get_counter" },
        new("serving-counter/incr_counter", "serving-counter")
        {
            Signature = "incr_counter", Expect = TfCorpusExpect.Refused, Code = "BCONV2100", Reason = RefusedState, MessageContains = new[] { "AssignAdd" },
        },
        new("serving-counter/incr_counter_by", "serving-counter")
        {
            Signature = "incr_counter_by", Expect = TfCorpusExpect.Refused, Code = "BCONV2100", Reason = RefusedState, MessageContains = new[] { "AssignAdd" },
        },
        new("serving-counter/reset_counter", "serving-counter")
        {
            Signature = "reset_counter", Expect = TfCorpusExpect.Refused, Code = "BCONV2100", Reason = RefusedState, MessageContains = new[] { "Assign" },
        },
        new("mlnet-mnist-conv", "mlnet-mnist-conv-saved-model") { Range = (0, 1) },
        new("mlnet-mnist-lr", "mlnet-mnist-lr-saved-model") { Range = (0, 1) },
        new("mlnet-types-test", "mlnet-types-test")
        {
            Reason = "TF.js computes in float32/int32/bool: 64-bit and small integer types travel as int32, float64 as float32 (values chosen to fit)",
            Range = (0, 100),
        },
        new("mlnet-primitive-input-test", "mlnet-primitive-input-test")
        {
            Opset = 20,
            InputShapes = "input1:;input2:",
            Golden = TfGolden.File,
            Tfjs = false,
            Reason = "string Add needs StringConcat (opset 20); TF.js has no string kernel for Add, so golden.json is the oracle; the rank-0 inputs' signature gives no shape, so it is given",
        },
        new("tfnet-keras-lstm", "tfnet-keras-lstm-saved-model"),
        new("tfnet-tf24/inference", "tfnet-tf24-saved-model")
        {
            Signature = "inference", 
        },
        new("tfrust-keras-single-input", "tfrust-keras-single-input"),
        new("tfjs-node-times-three-float", "tfjs-node-times-three-float")
        {
            Golden = TfGolden.File,
            InputShapes = "x:N",
            Reason = "the signature declares x a scalar while the upstream test (golden.json) feeds [1,2,3]: the shape is given as N",
        },
        new("tfjs-node-int64-multiply", "tfjs-node-int64-multiply") { Golden = TfGolden.File, Range = (-100, 100) },
        new("tfjs-node-multi-output", "tfjs-node-multi-output")
        {
            Golden = TfGolden.File, Range = (-100, 100),
            InputShapes = "x:N;y:N",
            Reason = "the signature declares x, y scalars while the upstream test (golden.json) feeds [1,2,3]: the shapes are given as N",
        },
        new("tfjava-multi-signature/add", "tfjava-multi-signature-model")
        {
            Signature = "add",
            InputShapes = "a:N,3;b:N,3",
            Golden = TfGolden.Of("tfjava-multi-signature-model/golden.json rule \"add(a,b)=a+b\"", x => Map("output_0", x["a"].Zip(x["b"], (a, b) => a + b).ToArray())),
        },
        new("tfjava-multi-signature/get_const_scalar", "tfjava-multi-signature-model")
        {
            Signature = "get_const_scalar",
            InputShapes = "input:",
            Golden = TfGolden.Of("tfjava-multi-signature-model/golden.json rule \"get_const_scalar(x)=x+0\"", x => Map("output_0", x["input"])),
        },
        new("tfjava-multi-signature/get_const_vector", "tfjava-multi-signature-model")
        {
            Signature = "get_const_vector",
            InputShapes = "input:3",
            Golden = TfGolden.Of("tfjava-multi-signature-model/golden.json rule \"get_const_vector(x)=x+[0,0,0]\"", x => Map("output_0", x["input"])),
        },
        new("tfjava-multi-signature/get_const_matrix", "tfjava-multi-signature-model")
        {
            Signature = "get_const_matrix",
            InputShapes = "input:2,3",
            Golden = TfGolden.Of("tfjava-multi-signature-model/golden.json rule \"get_const_matrix(x)=x+zeros(2,3)\"", x => Map("output_0", x["input"])),
        },
        new("tfjava-multi-signature/get_variable", "tfjava-multi-signature-model")
        {
            Signature = "get_variable",
            InputShapes = "dummy:",
            Golden = TfGolden.Of("tfjava-multi-signature-model/golden.json rule \"get_variable(dummy)=2.0\"", _ => Map("output_0", new[] { 2.0 })),
        },
    };
}
