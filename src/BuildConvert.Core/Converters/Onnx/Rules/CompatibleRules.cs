namespace BuildConvert.Core.Converters.Onnx.Rules;

/// <summary>
/// The version boundaries where an operator's meaning did not change for any node both versions accept: the new version
/// only allows more element types (or clarifies wording). Crossing them rewrites nothing in either direction; a downgraded
/// node that uses a type the older version lacks is refused by the checker or the runtime, not converted silently.
/// Every entry was checked against docs/Changelog.md; OpsetStepRulesTests keeps each one free of attribute and input changes.
/// </summary>
internal static class CompatibleRules
{
    public static void Register(OpsetRuleTable t)
    {
        t.Compatible("auto_pad wording clarified; same results", ("AveragePool", 11));
        t.Compatible("casts from and to string", ("Cast", 9));
        t.Compatible("auto_pad and pads wording clarified; same results", ("Conv", 11));
        t.Compatible("output_shape/pads wording clarified; same results", ("ConvTranspose", 11));
        t.Compatible("more element types", ("Equal", 11));
        t.Compatible("float types only; same attributes", ("Gemm", 6));
        t.Compatible("also takes sequences", ("Identity", 14));
        t.Compatible("also takes optionals", ("Identity", 16));
        t.Compatible("branch outputs may differ in shape", ("If", 11));
        t.Compatible("loop-carried values may change shape between iterations", ("Loop", 11));
        t.Compatible("auto_pad wording clarified; same results", ("LpPool", 11));
        t.Compatible("auto_pad wording clarified; same results", ("MaxPool", 11));
        t.Compatible("output_shape wording clarified; same results", ("MaxUnpool", 11));
        t.Compatible("wording clarified; same results", ("NonMaxSuppression", 11));
        t.Compatible("also takes a plain tensor", ("OptionalGetElement", 18));
        t.Compatible("new element types (integers)",
            ("Constant", 9), ("Flatten", 9), ("Gemm", 9), ("Greater", 9), ("Less", 9),
            ("MatMul", 9), ("PRelu", 9));
        t.Compatible("new element types (8-bit and other integers)",
            ("Clip", 12), ("Max", 12), ("MaxPool", 12), ("Min", 12), ("ReduceMax", 12),
            ("ReduceMin", 12));
        t.Compatible("new element types (bfloat16)",
            ("Abs", 13), ("Add", 13), ("ArgMax", 13), ("ArgMin", 13), ("Cast", 13),
            ("Ceil", 13), ("Clip", 13), ("Concat", 13), ("Constant", 13), ("DepthToSpace", 13),
            ("Div", 13), ("Dropout", 13), ("Equal", 13), ("Erf", 13), ("Exp", 13),
            ("Expand", 13), ("Flatten", 13), ("Floor", 13), ("Gather", 13), ("GatherElements", 13),
            ("GatherND", 13), ("Gemm", 13), ("Greater", 13), ("Identity", 13), ("If", 13),
            ("IsNaN", 13), ("LRN", 13), ("Less", 13), ("Log", 13), ("Loop", 13),
            ("MatMul", 13), ("Max", 13), ("Mean", 13), ("MeanVarianceNormalization", 13), ("Min", 13),
            ("Mod", 13), ("Mul", 13), ("Neg", 13), ("NegativeLogLikelihoodLoss", 13), ("NonZero", 13),
            ("Pad", 13), ("Pow", 13), ("Reciprocal", 13), ("ReduceL1", 13), ("ReduceL2", 13),
            ("ReduceLogSum", 13), ("ReduceLogSumExp", 13), ("ReduceMax", 13), ("ReduceMean", 13), ("ReduceMin", 13),
            ("ReduceProd", 13), ("ReduceSumSquare", 13), ("Relu", 13), ("Reshape", 13), ("ScatterElements", 13),
            ("ScatterND", 13), ("Shape", 13), ("Sigmoid", 13), ("Sign", 13), ("Size", 13),
            ("Slice", 13), ("SoftmaxCrossEntropyLoss", 13), ("SpaceToDepth", 13), ("Sqrt", 13), ("Sub", 13),
            ("Sum", 13), ("Tanh", 13), ("Tile", 13), ("Transpose", 13));
        t.Compatible("new element types (integers, bfloat16)",
            ("Add", 14), ("CumSum", 14), ("Div", 14), ("Mul", 14), ("Relu", 14),
            ("Sub", 14));
        t.Compatible("new element types (bfloat16 exponent)",
            ("Pow", 15));
        t.Compatible("new element types (bfloat16)",
            ("GreaterOrEqual", 16), ("If", 16), ("LeakyRelu", 16), ("LessOrEqual", 16), ("Loop", 16),
            ("PRelu", 16), ("Scan", 16), ("Where", 16));
        t.Compatible("new element types (float 8 types; Equal also string)",
            ("Constant", 19), ("DequantizeLinear", 19), ("Equal", 19), ("Identity", 19), ("If", 19),
            ("Loop", 19), ("Reshape", 19), ("Scan", 19), ("Shape", 19), ("Size", 19));
        t.Compatible("new element types (float 8 types, bool)",
            ("ConstantOfShape", 20), ("IsInf", 20), ("IsNaN", 20), ("ReduceMax", 20), ("ReduceMin", 20));
        t.Compatible("new element types (int4, uint4)",
            ("Cast", 21), ("CastLike", 21), ("Constant", 21), ("ConstantOfShape", 21), ("Flatten", 21),
            ("Identity", 21), ("If", 21), ("Loop", 21), ("Pad", 21), ("QLinearMatMul", 21),
            ("Reshape", 21), ("Scan", 21), ("Shape", 21), ("Size", 21), ("Squeeze", 21),
            ("Transpose", 21), ("Unsqueeze", 21));
        t.Compatible("new element types (bfloat16 for every float operator)",
            ("Acos", 22), ("Acosh", 22), ("Asin", 22), ("Asinh", 22), ("Atan", 22),
            ("Atanh", 22), ("AveragePool", 22), ("Bernoulli", 22), ("Conv", 22), ("ConvTranspose", 22),
            ("Cos", 22), ("Cosh", 22), ("DeformConv", 22), ("Det", 22), ("Dropout", 22),
            ("Elu", 22), ("EyeLike", 22), ("GRU", 22), ("GlobalAveragePool", 22), ("GlobalLpPool", 22),
            ("GlobalMaxPool", 22), ("GridSample", 22), ("HardSigmoid", 22), ("HardSwish", 22), ("InstanceNormalization", 22),
            ("LSTM", 22), ("LpNormalization", 22), ("LpPool", 22), ("MaxPool", 22), ("MaxRoiPool", 22),
            ("MaxUnpool", 22), ("Mish", 22), ("Multinomial", 22), ("NegativeLogLikelihoodLoss", 22), ("RNN", 22),
            ("RandomNormal", 22), ("RandomNormalLike", 22), ("RandomUniform", 22), ("RandomUniformLike", 22), ("RoiAlign", 22),
            ("Round", 22), ("Selu", 22), ("Sin", 22), ("Sinh", 22), ("Softplus", 22),
            ("Softsign", 22), ("Tan", 22), ("ThresholdedRelu", 22));
        t.Compatible("new element types (float4e2m1, int4, uint4)",
            ("Cast", 23), ("CastLike", 23), ("Constant", 23), ("ConstantOfShape", 23), ("Flatten", 23),
            ("Identity", 23), ("If", 23), ("Loop", 23), ("Pad", 23), ("Reshape", 23),
            ("Scan", 23), ("Shape", 23), ("Size", 23), ("Squeeze", 23), ("Transpose", 23),
            ("Unsqueeze", 23));
        t.Compatible("new element types (float8e8m0)",
            ("Constant", 24), ("ConstantOfShape", 24), ("DequantizeLinear", 24), ("Flatten", 24), ("Identity", 24),
            ("If", 24), ("Loop", 24), ("Pad", 24), ("QuantizeLinear", 24), ("Reshape", 24),
            ("Scan", 24), ("Shape", 24), ("Size", 24), ("SplitToSequence", 24), ("Squeeze", 24),
            ("TopK", 24), ("Transpose", 24), ("Unsqueeze", 24));
        t.Compatible("new element types (int2, uint2)",
            ("Cast", 25), ("CastLike", 25), ("Constant", 25), ("ConstantOfShape", 25), ("DequantizeLinear", 25),
            ("Flatten", 25), ("Identity", 25), ("If", 25), ("Loop", 25), ("Pad", 25),
            ("QuantizeLinear", 25), ("Reshape", 25), ("Scan", 25), ("Shape", 25), ("Size", 25),
            ("Squeeze", 25), ("Transpose", 25), ("Unsqueeze", 25));
    }
}
