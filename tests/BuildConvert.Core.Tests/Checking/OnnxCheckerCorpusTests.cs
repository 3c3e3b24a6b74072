using BuildConvert.Core.Checking;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Tests.Formats.Onnx;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Checking;

[TestClass]
public sealed class OnnxCheckerCorpusTests
{
    [TestMethod]
    [DataRow("node")]
    [DataRow("simple")]
    [DataRow("pytorch-converted")]
    [DataRow("pytorch-operator")]
    [DataRow("light")]
    public void AcceptsEveryModelOfTheBackendCorpus(string folder)
    {
        var models = OnnxCorpus.Models(folder);
        Assert.IsNotEmpty(models);
        var failures = new List<string>();
        foreach (var model in models)
        {
            var problems = OnnxChecker.CheckFile(model);
            foreach (var problem in problems)
            {
                failures.Add($"{Path.GetRelativePath(OnnxCorpus.Root, model)}: {problem.Code} {problem.Message}");
            }
        }

        Assert.IsEmpty(failures, $"{failures.Count} problems in {models.Count} models:\n" + string.Join("\n", failures.Take(200)));
    }

    /// <summary>
    /// Families of node tests where a bool input is legitimately not a type error: the operator accepts bool and its
    /// outputs' types do not depend on the input's (Cast, CastLike, BitCast, Shape, Size; the expanded normalizations
    /// cast their input first and the result back), or the body's inputs come from sequence elements (SequenceMap,
    /// whose bodies are not given types by the checker).
    /// </summary>
    private static readonly string[] BoolInputIsNoTypeError =
    [
        "test_cast", "test_bitcast", "test_shape", "test_size", "test_layer_normalization", "test_rms_normalization",
        "test_group_normalization", "test_sequence_map",
    ];

    /// <summary>
    /// Type propagation reaches real models: giving the first float input of each backend node test the type bool must
    /// be caught (an operator that rejects bool, a declared output type or a body input type that no longer matches),
    /// except in the families listed in <see cref="BoolInputIsNoTypeError"/>.
    /// </summary>
    [TestMethod]
    public void AWrongInputTypeIsCaughtInNearlyEveryNodeTest()
    {
        var candidates = 0;
        var missed = new List<string>();
        foreach (var path in OnnxCorpus.Models("node"))
        {
            var model = OnnxModelReader.Read(path);
            var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            var input = model.Graph.Input.FirstOrDefault(i =>
                i.Type?.TensorType is { ElemType: (int)DataType.Float } && !initializers.Contains(i.Name));
            if (input is null)
            {
                continue;
            }

            candidates++;
            input.Type.TensorType.ElemType = (int)DataType.Bool;
            var codes = OnnxChecker.Check(model, null).Select(p => p.Code).ToHashSet(StringComparer.Ordinal);
            if (!codes.Overlaps(["BCONV3160", "BCONV3161", "BCONV3162"]))
            {
                missed.Add(Path.GetFileName(Path.GetDirectoryName(path)!));
            }
        }

        Console.WriteLine($"{candidates - missed.Count} of {candidates} caught; missed: {string.Join(", ", missed)}");
        Assert.IsGreaterThan(1300, candidates);
        var unexplained = missed.Where(name => !BoolInputIsNoTypeError.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal))).ToArray();
        Assert.IsEmpty(unexplained, string.Join(", ", unexplained));
        Assert.IsLessThan(candidates / 8, missed.Count);
    }
}
