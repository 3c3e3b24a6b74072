using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Evaluation;

/// <summary>
/// What a value of a graph under construction is when it is known before the graph runs: a constant, the Shape or Size
/// of a fully static tensor, or what <see cref="ReferenceEvaluator"/> computes from such values (nodes with subgraphs
/// are not entered). Results, null included, are memoized per instance; a converter keeps one per conversion. Used by
/// the format converters to fold shape arithmetic while they build.
/// </summary>
public sealed class ValueEvaluator
{
    private const int MaxDepth = 64;
    private readonly Dictionary<Value, TensorData?> known = new(ReferenceEqualityComparer.Instance);

    /// <summary>The value of <paramref name="value"/> when known before the graph runs, else null.</summary>
    public TensorData? Evaluate(Value value) => Evaluate(value, 0);

    private TensorData? Evaluate(Value value, int depth)
    {
        if (value.ConstantValue is { } c)
        {
            return c;
        }

        if (known.TryGetValue(value, out var memo))
        {
            return memo;
        }

        TensorData? result = null;
        if (depth < MaxDepth && value.Producer is { } producer && !value.IsGraphInput)
        {
            if (producer.OpType is "Shape" && producer.Input(0)?.Type?.Shape is { } shape && shape.All(d => d.IsFixed) &&
                producer.GetInt("start", 0) == 0 && !producer.HasAttribute("end"))
            {
                result = TensorData.FromInt64s(shape.Select(d => d.Value!.Value).ToArray());
            }
            else if (producer.OpType is "Size" && producer.Input(0)?.Type?.Shape is { } sizeShape && sizeShape.All(d => d.IsFixed))
            {
                result = TensorData.Filled(DataType.Int64, Array.Empty<long>(), sizeShape.Aggregate(1L, (a, d) => a * d.Value!.Value));
            }
            else if (!producer.Subgraphs.Any() && ReferenceEvaluator.Supports(producer))
            {
                var args = new TensorData?[producer.Inputs.Count];
                var all = true;
                for (var i = 0; i < args.Length && all; i++)
                {
                    if (producer.Inputs[i] is { } input)
                    {
                        args[i] = Evaluate(input, depth + 1);
                        all = args[i] is not null;
                    }
                }

                if (all && ReferenceEvaluator.TryEvaluate(producer, args, out var results))
                {
                    result = results[value.ProducerIndex];
                }
            }
        }

        known[value] = result;
        return result;
    }
}
