using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Graphs.Inference;
using BuildConvert.Core.Values;

namespace BuildConvert.Core.Tests.Graphs.Inference;

/// <summary>
/// Inference against the corpus: every model's intermediate and output types are stripped, inferred again from the
/// inputs, and each graph output's type is compared with the shape and element type of the reference output tensors
/// the ONNX reference implementation (node tests) or PyTorch (converted models) produced. A wrong answer fails; an
/// unknown answer is counted. A second test infers on the models as shipped: their declared types must not conflict.
/// </summary>
[TestClass]
public sealed class ShapeInferenceCorpusTests
{
    /// <summary>
    /// Floor: outputs whose shape and element type were inferred exactly (every dimension fixed and right), of the 2,382
    /// outputs of the 1,951 models (measured 1,976; most of the rest depend on graph inputs that the node tests feed at
    /// run time, such as Slice starts or TopK's k, or on data, such as NonZero).
    /// </summary>
    private const int ExactFloor = 1976;

    /// <summary>
    /// Reviewed outputs where the reference output does not follow the operator's documented shape (test name, output
    /// index) with the reason. Kept as data; every entry must still mismatch, so a fix shows up here.
    /// </summary>
    private static readonly Dictionary<(string Test, int Output), string> ReviewedMismatches = new()
    {
    };

    private enum Outcome
    {
        Exact,
        Partial,
        Unknown,
        Mismatch,
    }

    [TestMethod]
    public void InferredOutputTypesMatchTheReferenceOutputs()
    {
        var counts = new Dictionary<Outcome, int>();
        var mismatches = new List<string>();
        var unexpectedlyRight = new List<string>();
        var partial = new List<string>();
        var tests = 0;
        var withoutRule = new Dictionary<string, int>();
        foreach (var (name, modelPath, outputFiles) in CorpusTests())
        {
            tests++;
            var proto = OnnxModelReader.Read(modelPath);
            var model = OnnxGraphImporter.FromProto(proto);
            StripInferredTypes(model);
            var run = ShapeInference.Run(model);
            foreach (var (op, count) in run.OperatorsWithoutRule)
            {
                withoutRule[op] = withoutRule.GetValueOrDefault(op) + count;
            }

            for (var i = 0; i < model.Graph.Outputs.Count && i < outputFiles.Count; i++)
            {
                var golden = OnnxTestLayout.ReadValueFile(outputFiles[i], proto.Graph.Output[i].Type);
                var (outcome, reason) = Compare(model.Graph.Outputs[i].Type, golden);
                var reviewed = ReviewedMismatches.ContainsKey((name, i));
                if (outcome == Outcome.Mismatch && !reviewed)
                {
                    mismatches.Add($"{name} output {i}: {reason}");
                }
                else if (outcome != Outcome.Mismatch && reviewed)
                {
                    unexpectedlyRight.Add($"{name} output {i}");
                }

                if (outcome is Outcome.Partial or Outcome.Unknown)
                {
                    partial.Add($"{name}[{i}] {outcome}: {reason}");
                }

                counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
            }
        }

        Console.WriteLine($"{tests} corpus models: " + string.Join(", ", Enum.GetValues<Outcome>().Select(o => $"{o} {counts.GetValueOrDefault(o)}")));
        Console.WriteLine("operators without a rule: " + string.Join(", ", withoutRule.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}")));
        Console.WriteLine("not exact: " + string.Join("\n  ", partial));
        Assert.IsTrue(tests > 1900, $"expected the corpus at {RepoPaths.OnnxBackend}");
        Assert.AreEqual(0, mismatches.Count, $"{mismatches.Count} wrong answers:\n{string.Join("\n", mismatches)}");
        Assert.AreEqual(0, unexpectedlyRight.Count, $"reviewed mismatches that now match (remove them): {string.Join(", ", unexpectedlyRight)}");
        Assert.IsTrue(counts.GetValueOrDefault(Outcome.Exact) >= ExactFloor, $"exact outputs fell below {ExactFloor}");
    }

    [TestMethod]
    public void DeclaredTypesOfCorpusModelsDoNotConflict()
    {
        var problems = new List<string>();
        var models = 0;
        foreach (var (name, modelPath, _) in CorpusTests())
        {
            models++;
            var model = OnnxGraphImporter.FromProto(OnnxModelReader.Read(modelPath));
            var result = ShapeInference.Run(model);
            problems.AddRange(result.Conflicts.Select(c => $"{name}: {c}"));
            problems.AddRange(result.Errors.Select(e => $"{name}: {e}"));
        }

        Assert.IsTrue(models > 1900);
        Assert.AreEqual(0, problems.Count, $"{problems.Count} conflicts or errors:\n{string.Join("\n", problems)}");
    }

    /// <summary>Forgets every type inference sets: value_info, node outputs, graph outputs and subgraph inputs.</summary>
    internal static void StripInferredTypes(Model model)
    {
        foreach (var graph in model.Graph.SelfAndDescendants())
        {
            foreach (var value in graph.Values)
            {
                if (value.IsInitializer || (graph.Parent is null && value.IsGraphInput))
                {
                    continue;
                }

                value.Type = null;
            }

            foreach (var output in graph.Outputs)
            {
                if (output.Producer is not null || !output.IsGraphInput)
                {
                    if (!(graph.Parent is null && output.IsGraphInput) && !output.IsInitializer)
                    {
                        output.Type = null;
                    }
                }
            }
        }
    }

    private static IEnumerable<(string Name, string Model, IReadOnlyList<string> Outputs)> CorpusTests()
    {
        foreach (var category in new[] { "node", "simple", "pytorch-converted", "pytorch-operator" })
        {
            foreach (var folder in Directory.EnumerateDirectories(Path.Combine(RepoPaths.OnnxBackend, category)).Order(StringComparer.Ordinal))
            {
                var model = Path.Combine(folder, "model.onnx");
                var dataSet = Path.Combine(folder, "test_data_set_0");
                if (!File.Exists(model) || !Directory.Exists(dataSet))
                {
                    continue;
                }

                var outputs = Directory.EnumerateFiles(dataSet, "output_*.pb")
                    .OrderBy(p => int.Parse(Path.GetFileNameWithoutExtension(p)["output_".Length..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                yield return ($"{category}/{Path.GetFileName(folder)}", model, outputs);
            }
        }

        foreach (var model in Directory.EnumerateFiles(Path.Combine(RepoPaths.OnnxBackend, "light"), "*.onnx").Order(StringComparer.Ordinal))
        {
            var output = Path.ChangeExtension(model, null) + "_output_0.pb";
            if (File.Exists(output))
            {
                yield return ($"light/{Path.GetFileNameWithoutExtension(model)}", model, new[] { output });
            }
        }
    }

    private static (Outcome Outcome, string Reason) Compare(OnnxType? inferred, DataValue golden)
    {
        switch (golden)
        {
            case TensorValue t:
                return CompareTensor(inferred, t);
            case SequenceValue s:
                if (inferred is null)
                {
                    return (Outcome.Unknown, "no type");
                }

                if (inferred.Kind != OnnxTypeKind.Sequence)
                {
                    return (Outcome.Mismatch, $"inferred {inferred}, the reference is a sequence");
                }

                var worst = (Outcome: Outcome.Exact, Reason: "");
                foreach (var item in s.Items)
                {
                    var r = Compare(inferred.Element, item);
                    if (r.Outcome > worst.Outcome)
                    {
                        worst = r;
                    }
                }

                return s.Items.Count == 0 && inferred.Element is null ? (Outcome.Partial, "empty sequence, no element type") : worst;
            case OptionalValue o:
                if (inferred is null)
                {
                    return (Outcome.Unknown, "no type");
                }

                if (inferred.Kind != OnnxTypeKind.Optional)
                {
                    return (Outcome.Mismatch, $"inferred {inferred}, the reference is an optional");
                }

                return o.Value is null ? (Outcome.Exact, "") : Compare(inferred.Element, o.Value);
            default:
                return (Outcome.Unknown, $"{golden.GetType().Name} references are not compared");
        }
    }

    private static (Outcome Outcome, string Reason) CompareTensor(OnnxType? inferred, TensorValue golden)
    {
        var expected = $"tensor({ElementTypes.Name(golden.ElementType)})[{string.Join(",", golden.Shape)}]";
        if (inferred is null)
        {
            return (Outcome.Unknown, $"no type, expected {expected}");
        }

        if (inferred.Kind != OnnxTypeKind.Tensor)
        {
            return (Outcome.Mismatch, $"inferred {inferred}, expected {expected}");
        }

        if (inferred.ElementType != TensorProto.Types.DataType.Undefined && inferred.ElementType != golden.ElementType)
        {
            return (Outcome.Mismatch, $"inferred {inferred}, expected {expected}");
        }

        if (inferred.Shape is null)
        {
            return (Outcome.Unknown, $"unknown rank, inferred {inferred}, expected {expected}");
        }

        if (inferred.Shape.Count != golden.Shape.Length)
        {
            return (Outcome.Mismatch, $"inferred {inferred}, expected {expected}");
        }

        for (var i = 0; i < golden.Shape.Length; i++)
        {
            if (inferred.Shape[i].Value is { } v && v != golden.Shape[i])
            {
                return (Outcome.Mismatch, $"inferred {inferred}, expected {expected}");
            }
        }

        return inferred.Shape.All(d => d.IsFixed) && inferred.ElementType != TensorProto.Types.DataType.Undefined
            ? (Outcome.Exact, "")
            : (Outcome.Partial, $"inferred {inferred}, expected {expected}");
    }
}
