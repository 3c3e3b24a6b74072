using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs.Inference;

/// <summary>
/// Quantization (QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear), random generators, NonMaxSuppression,
/// losses, window functions, DFT/STFT, MelWeightMatrix, TfIdfVectorizer, StringSplit, ImageDecoder.
/// </summary>
internal static class MiscInference
{
    public static void Register(InferenceRegistry.Builder r)
    {
        r.Add("QuantizeLinear", 10, QuantizeLinear);
        r.Add("DequantizeLinear", 10, DequantizeLinear);
        r.Add("DynamicQuantizeLinear", 11, c =>
        {
            c.SetOutput(0, DataType.Uint8, c.InputShape(0));
            c.SetOutput(1, DataType.Float, Array.Empty<Dim>());
            c.SetOutput(2, DataType.Uint8, Array.Empty<Dim>());
        });
        r.AddAll(new[] { "RandomUniform", "RandomNormal" }, 1,
            c => c.SetOutput(0, Rules.DataTypeAttribute(c, "dtype", DataType.Float), c.Node.GetInts("shape")?.Select(Dim.Of).ToArray()));
        r.Add("Multinomial", 7, c => c.SetOutput(0, Rules.DataTypeAttribute(c, "dtype", DataType.Int32),
            new[] { c.InputShape(0) is [var b, _] ? ShapeMath.Plain(b) : Dim.Unknown, Dim.Of(c.Node.GetInt("sample_size", 1)) }));
        r.Add("NonMaxSuppression", 10, c => c.SetOutput(0, DataType.Int64, new[] { c.DataDependentDim(), Dim.Of(3) }));
        r.Add("NegativeLogLikelihoodLoss", 12, c => Loss(c, targetInput: 1, logProb: false));
        r.Add("SoftmaxCrossEntropyLoss", 12, c => Loss(c, targetInput: 1, logProb: true));
        r.AddAll(new[] { "HannWindow", "HammingWindow", "BlackmanWindow" }, 17, Window);
        r.Add("MelWeightMatrix", 17, MelWeightMatrix);
        r.Add("DFT", 17, Dft);
        r.Add("STFT", 17, Stft);
        r.Add("TfIdfVectorizer", 9, TfIdf);
        r.Add("StringSplit", 20, c =>
        {
            var shape = c.InputShape(0);
            c.SetOutput(0, DataType.String, shape?.Select(ShapeMath.Plain).Append(c.DataDependentDim()).ToArray());
            c.SetOutput(1, DataType.Int64, shape?.Select(ShapeMath.Plain).ToArray());
        });
        r.Add("ImageDecoder", 20, c => c.SetOutput(0, DataType.Uint8,
            new[] { c.DataDependentDim(), c.DataDependentDim(), Dim.Of(c.Node.GetString("pixel_format", "RGB") == "Grayscale" ? 1 : 3) }));
        r.Add("TensorScatter", 24, Rules.SameAsInput());
    }

    private static void QuantizeLinear(InferenceContext c)
    {
        var elem = c.HasInput(2) ? c.InputElementType(2) : DataType.Uint8;
        if (c.Opset >= 21 && c.Node.GetInt("output_dtype", 0) is var dtype and > 0)
        {
            elem = (DataType)dtype;
        }

        c.SetOutput(0, elem, c.InputShape(0));
    }

    private static void DequantizeLinear(InferenceContext c)
    {
        var elem = c.Opset >= 19 ? c.InputElementType(1) : DataType.Float;
        if (c.Node.GetInt("output_dtype", 0) is var dtype and > 0)
        {
            elem = (DataType)dtype;
        }

        c.SetOutput(0, elem, c.InputShape(0));
    }

    private static void Loss(InferenceContext c, int targetInput, bool logProb)
    {
        var elem = c.InputElementType(0);
        var reduction = c.Node.GetString("reduction", "mean");
        c.SetOutput(0, elem, reduction == "none" ? c.InputShape(targetInput)?.Select(ShapeMath.Plain).ToArray() : Array.Empty<Dim>());
        if (logProb)
        {
            c.SetOutput(1, elem, c.InputShape(0));
        }
    }

    private static void Window(InferenceContext c)
    {
        var elem = Rules.DataTypeAttribute(c, "output_datatype", DataType.Float);
        c.SetOutput(0, elem, new[] { c.InputInts(0) is [var n] ? Dim.Of(n) : Dim.Unknown });
    }

    private static void MelWeightMatrix(InferenceContext c)
    {
        var elem = Rules.DataTypeAttribute(c, "output_datatype", DataType.Float);
        var dft = c.InputInts(1);
        var bins = c.InputInts(0);
        c.SetOutput(0, elem, new[] { dft is [var n] ? Dim.Of(n / 2 + 1) : Dim.Unknown, bins is [var m] ? Dim.Of(m) : Dim.Unknown });
    }

    private static void Dft(InferenceContext c)
    {
        var input = c.InputShape(0);
        var elem = c.InputElementType(0);
        if (input is null)
        {
            c.SetOutput(0, elem, null);
            return;
        }

        var rank = input.Count;
        long axisValue;
        if (c.Opset >= 20)
        {
            axisValue = c.HasInput(2) ? (c.InputInts(2) is [var a] ? a : long.MinValue) : -2;
        }
        else
        {
            axisValue = c.Node.GetInt("axis", 1);
        }

        var inverseReal = c.Node.GetInt("onesided", 0) != 0 && c.Node.GetInt("inverse", 0) != 0;
        var result = input.Select(ShapeMath.Plain).ToArray();
        result[^1] = Dim.Of(inverseReal ? 1 : 2);
        if (axisValue == long.MinValue)
        {
            c.SetOutput(0, elem, result.Select((d, i) => i == rank - 1 ? d : Dim.Unknown).ToArray());
            return;
        }

        var axis = c.Axis(axisValue, rank);
        var length = c.HasInput(1) ? (c.InputInts(1) is [var n] ? Dim.Of(n) : Dim.Unknown)
            : inverseReal ? ShapeMath.Map(result[axis], d => 2 * (d - 1)) : result[axis];
        result[axis] = inverseReal || c.Node.GetInt("onesided", 0) == 0 ? length : ShapeMath.Map(length, n => n / 2 + 1);
        c.SetOutput(0, elem, result);
    }

    private static void Stft(InferenceContext c)
    {
        var signal = c.InputShape(0);
        var elem = c.InputElementType(0);
        var step = c.InputInts(1);
        var frameLength = c.HasInput(3) ? c.InputInts(3) is [var f] ? f : (long?)null
            : c.InputShape(2) is [{ Value: { } w }] ? w : null;
        var batch = signal is null ? Dim.Unknown : ShapeMath.Plain(signal[0]);
        var frames = Dim.Unknown;
        if (signal is { Count: >= 2 } && signal[1].Value is { } length && step is [var s] && frameLength is { } fl)
        {
            frames = Dim.Of((length - fl) / s + 1);
        }

        var bins = frameLength is { } n ? Dim.Of(c.Node.GetInt("onesided", 1) != 0 ? n / 2 + 1 : n) : Dim.Unknown;
        c.SetOutput(0, elem, new[] { batch, frames, bins, Dim.Of(2) });
    }

    private static void TfIdf(InferenceContext c)
    {
        var input = c.InputShape(0);
        var size = c.Node.GetInts("ngram_indexes") is { Count: > 0 } indexes ? Dim.Of(indexes.Max() + 1) : Dim.Unknown;
        c.SetOutput(0, DataType.Float, input switch
        {
            null => null,
            { Count: 1 } => new[] { size },
            _ => new[] { ShapeMath.Plain(input[0]), size },
        });
    }
}
