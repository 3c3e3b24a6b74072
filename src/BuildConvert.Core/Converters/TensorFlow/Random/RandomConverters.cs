using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TensorFlow.Random;

/// <summary>
/// Random numbers that inference graphs keep (https://www.tensorflow.org/api_docs/python/tf/raw_ops/RandomUniform):
/// <c>RandomUniform(shape; dtype, seed, seed2)</c>, uniform in [0, 1). TF1 dropout is
/// <c>x / keep_prob * Floor(keep_prob + RandomUniform(Shape(x)))</c> with <c>keep_prob</c> a placeholder; the Floor is 1
/// exactly when keep_prob = 1 (U &lt; 1), so the model is deterministic only for that input, and its values depend on U
/// otherwise. The converter therefore keeps the randomness instead of folding it away: ONNX <c>RandomUniform</c> (a
/// constant shape) or <c>RandomUniformLike</c> (a run-time one) with low 0, high 1. A nonzero TensorFlow seed becomes
/// the ONNX seed, so runs repeat, but the stream is ONNX Runtime's, not TensorFlow's Philox: the values have the same
/// distribution and differ from TensorFlow's.
/// </summary>
internal static class RandomConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("RandomUniform", 13, RandomUniform, "same distribution, not TensorFlow's values (dropout at keep_prob 1 is exact)");
    }

    private static void RandomUniform(TfNodeContext c)
    {
        var b = c.Builder;
        var type = c.ElementType("dtype");
        if (type is not (DataType.Float or DataType.Double or DataType.Float16))
        {
            throw c.AttributeError("dtype", "must be a floating-point type (ONNX RandomUniform makes float, double or float16)");
        }

        var attributes = new List<NodeAttribute> { NodeAttribute.Of("dtype", (long)type), NodeAttribute.Of("low", 0f), NodeAttribute.Of("high", 1f) };
        var seed = c.Int("seed", 0);
        var seed2 = c.Int("seed2", 0);
        if (seed != 0 || seed2 != 0)
        {
            attributes.Add(NodeAttribute.Of("seed", (float)((seed * 31) + seed2)));
        }

        if (c.ConstantInput(0) is { FitsInt64: true } shape)
        {
            var dims = shape.ToInt64s();
            if (dims.Any(d => d < 0))
            {
                throw c.Error($"shape [{string.Join(", ", dims)}] has a negative dimension");
            }

            c.SetOutput(0, b.Op("RandomUniform", Array.Empty<Value>(), attributes.Append(NodeAttribute.Of("shape", dims)).ToArray()));
            return;
        }

        var dynamicShape = c.Input(0).Type?.ElementType == DataType.Int64 ? c.Input(0) : b.Cast(c.Input(0), DataType.Int64);
        var template = b.Op("ConstantOfShape", new[] { dynamicShape }, NodeAttribute.Of("value", TensorData.Filled(type, new long[] { 1 }, 0)));
        c.SetOutput(0, b.Op("RandomUniformLike", new[] { template }, attributes.ToArray()));
    }
}
