using System.Diagnostics;
using BuildConvert.Core.Checking;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Tests.Formats.Onnx;
using Google.Protobuf;
using AttributeType = BuildConvert.Core.Formats.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace BuildConvert.Core.Tests.Checking;

/// <summary>
/// Seeded field-level mutations of decoded models (the kind of nonsense a byte flip cannot reach: huge or negative dims,
/// unknown enum values, hostile external-data entries, broken sparse tensors, random ops and attributes): the checker
/// must report codes and never throw.
/// </summary>
[TestClass]
public sealed class StructuralFuzzTests
{
    private static readonly string[] Sources =
    [
        "node/test_loop11/model.onnx",
        "node/test_if_seq/model.onnx",
        "node/test_scan9_sum/model.onnx",
        "node/test_conv_with_strides_padding/model.onnx",
        "pytorch-operator/test_operator_conv/model.onnx",
        "simple/test_sequence_model1/model.onnx",
    ];

    private static readonly string[] Ops = ["Relu", "Conv", "If", "Loop", "Bogus", "", "Upsample", "LabelEncoder", "MatMul", "Split"];
    private static readonly string[] Domains = ["", "ai.onnx", "ai.onnx.ml", "com.example", "ai.onnx.preview.training"];
    private static readonly string[] Locations = ["w.bin", "../w.bin", "/etc/passwd", "", "a/../../b", "C:\\x", "sub/./w.bin", "\0"];
    private static readonly string[] Numbers = ["0", "-1", "12", "abc", "99999999999999999999", "9223372036854775807", ""];

    [TestMethod]
    public void RandomFieldMutationsNeverCrashTheChecker()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("w.bin"), new byte[64]);
        var modelPath = temp.File("model.onnx");
        var known = DiagnosticCodes.All.Select(d => d.Code).ToHashSet();
        var sources = Sources.Select(s => OnnxModelReader.Read(OnnxCorpus.Model(s))).ToArray();
        var random = new Random(77);
        var failures = new List<string>();
        var seen = new HashSet<string>();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 1500; i++)
        {
            var model = sources[i % sources.Length].Clone();
            var steps = random.Next(1, 4);
            var applied = new List<string>();
            for (var s = 0; s < steps; s++)
            {
                applied.Add(Mutate(model, random));
            }

            try
            {
                foreach (var problem in OnnxChecker.Check(model, modelPath))
                {
                    seen.Add(problem.Code);
                    if (!known.Contains(problem.Code))
                    {
                        failures.Add($"case {i}: unknown code {problem.Code}");
                    }
                }
            }
            catch (Exception e)
            {
                failures.Add($"case {i} ({string.Join(", ", applied)}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
        }

        Assert.IsEmpty(failures, string.Join("\n", failures.Take(10)));
        Assert.IsLessThan(30.0, watch.Elapsed.TotalSeconds);
        Assert.IsGreaterThan(25, seen.Count, "the mutations should reach many rules: " + string.Join(" ", seen.Order()));
    }

    private static string Mutate(ModelProto model, Random random)
    {
        var tensors = ModelTensors.All(model).ToList();
        var nodes = AllNodes(model.Graph).ToList();
        switch (random.Next(12))
        {
            case 0 when tensors.Count > 0:
                Pick(tensors, random).DataType = random.Next(-2, 32);
                return "data_type";
            case 1 when tensors.Count > 0:
            {
                var t = Pick(tensors, random);
                t.Dims.Add(random.Next(3) switch { 0 => -random.NextInt64(1, 10), 1 => long.MaxValue / random.Next(1, 4), _ => random.Next(0, 5) });
                return "dims";
            }

            case 2 when tensors.Count > 0:
            {
                var t = Pick(tensors, random);
                t.DataLocation = TensorProto.Types.DataLocation.External;
                t.RawData = random.Next(2) == 0 ? ByteString.Empty : t.RawData;
                t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = Pick(Locations, random) });
                t.ExternalData.Add(new StringStringEntryProto { Key = Pick(["offset", "length", "location", "checksum"], random), Value = Pick(Numbers, random) });
                return "external";
            }

            case 3 when tensors.Count > 0:
            {
                var t = Pick(tensors, random);
                t.Int32Data.Add(random.Next());
                t.StringData.Add(ByteString.CopyFromUtf8("x"));
                return "extra data";
            }

            case 4 when nodes.Count > 0:
            {
                var n = Pick(nodes, random);
                n.OpType = Pick(Ops, random);
                n.Domain = Pick(Domains, random);
                return "op";
            }

            case 5 when nodes.Count > 0:
            {
                var n = Pick(nodes, random);
                if (n.Input.Count > 0 && random.Next(2) == 0)
                {
                    n.Input[random.Next(n.Input.Count)] = random.Next(2) == 0 ? "" : "undefined";
                }
                else
                {
                    n.Output.Add(n.Input.Count > 0 ? n.Input[0] : "dup");
                }

                return "node io";
            }

            case 6 when nodes.Count > 0:
            {
                var n = Pick(nodes, random);
                var a = new AttributeProto
                {
                    Name = Pick(["alpha", "then_branch", "body", "", "__internal"], random),
                    Type = (AttributeType)random.Next(-1, 16),
                    RefAttrName = random.Next(4) == 0 ? "ref" : "",
                    I = random.Next(2),
                };
                if (random.Next(2) == 0)
                {
                    a.G = new GraphProto();
                }

                if (random.Next(3) == 0)
                {
                    a.SparseTensor = RandomSparse(random);
                }

                n.Attribute.Add(a);
                return "attribute";
            }

            case 7:
                model.Graph?.SparseInitializer.Add(RandomSparse(random));
                return "sparse";
            case 8:
                if (model.OpsetImport.Count > 0)
                {
                    model.OpsetImport[random.Next(model.OpsetImport.Count)].Version = random.Next(-3, 40);
                }

                model.IrVersion = random.Next(-1, 16);
                return "versions";
            case 9:
                if (model.Graph is { } g && g.Input.Count > 0)
                {
                    var info = g.Input[random.Next(g.Input.Count)];
                    info.Type = random.Next(3) switch
                    {
                        0 => new TypeProto(),
                        1 => new TypeProto { MapType = new TypeProto.Types.Map { KeyType = random.Next(-1, 30) } },
                        _ => new TypeProto { SequenceType = new TypeProto.Types.Sequence() },
                    };
                }

                return "type";
            case 10:
            {
                var f = new FunctionProto { Name = Pick(Ops, random), Domain = Pick(Domains, random), Input = { "a" }, Output = { "a", "b" } };
                f.Node.Add(new NodeProto { OpType = f.Name, Domain = f.Domain, Input = { "a" }, Output = { "b" } });
                f.OpsetImport.Add(new OperatorSetIdProto { Domain = f.Domain, Version = random.Next(-1, 30) });
                model.Functions.Add(f);
                model.Functions.Add(f.Clone());
                return "function";
            }

            default:
                if (model.Graph is { Node.Count: > 1 } graph)
                {
                    graph.Node.Add(graph.Node[random.Next(graph.Node.Count)].Clone());
                    graph.Node.RemoveAt(random.Next(graph.Node.Count));
                }

                return "reorder";
        }
    }

    private static SparseTensorProto RandomSparse(Random random)
    {
        var values = new TensorProto { Name = "sp", DataType = random.Next(0, 3), Dims = { random.Next(-1, 4) } };
        values.FloatData.Add(Enumerable.Repeat(1f, random.Next(0, 4)));
        var indices = new TensorProto { Name = "spi", DataType = random.Next(5, 8) };
        indices.Dims.Add(Enumerable.Range(0, random.Next(0, 3)).Select(_ => (long)random.Next(-1, 4)));
        indices.Int64Data.Add(Enumerable.Range(0, random.Next(0, 8)).Select(_ => random.NextInt64(-2, 20)));
        if (random.Next(3) == 0)
        {
            indices.RawData = ByteString.CopyFrom(new byte[random.Next(0, 40)]);
        }

        var sparse = new SparseTensorProto { Values = random.Next(8) == 0 ? null : values, Indices = random.Next(5) == 0 ? null : indices };
        sparse.Dims.Add(Enumerable.Range(0, random.Next(0, 3)).Select(_ => random.NextInt64(-1, 6)));
        return sparse;
    }

    private static IEnumerable<NodeProto> AllNodes(GraphProto? graph)
    {
        if (graph is null)
        {
            yield break;
        }

        foreach (var node in graph.Node)
        {
            yield return node;
            foreach (var a in node.Attribute)
            {
                foreach (var inner in AllNodes(a.G))
                {
                    yield return inner;
                }
            }
        }
    }

    private static T Pick<T>(IReadOnlyList<T> items, Random random) => items[random.Next(items.Count)];
}
