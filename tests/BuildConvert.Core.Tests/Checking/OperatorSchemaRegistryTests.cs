using System.Diagnostics;
using System.Text;
using BuildConvert.Core.Checking;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Tests.Checking;

[TestClass]
public sealed class OperatorSchemaRegistryTests
{
    private static OperatorSchemaRegistry Registry => OperatorSchemaRegistry.Default;

    [TestMethod]
    [DataRow("Add", 1, 1)]
    [DataRow("Add", 6, 6)]
    [DataRow("Add", 12, 7)]
    [DataRow("Add", 13, 13)]
    [DataRow("Add", 28, 14)]
    [DataRow("Resize", 10, 10)]
    [DataRow("Resize", 17, 13)]
    [DataRow("Resize", 18, 18)]
    [DataRow("Softmax", 12, 11)]
    [DataRow("Softmax", 13, 13)]
    public void FindResolvesTheNewestVersionNotAfterTheOpset(string op, int opset, int expectedSince)
    {
        var schema = Registry.Find("", op, opset);
        Assert.IsNotNull(schema);
        Assert.AreEqual(op, schema.Name);
        Assert.AreEqual(expectedSince, schema.SinceVersion);
        Assert.AreEqual(string.Empty, schema.Domain);
    }

    [TestMethod]
    public void FindReturnsNullBeforeTheFirstVersionAndForUnknownOperators()
    {
        Assert.IsNull(Registry.Find("", "Add", 0));
        Assert.IsNull(Registry.Find("", "Gelu", 19));
        Assert.IsNotNull(Registry.Find("", "Gelu", 20));
        Assert.IsNull(Registry.Find("", "NoSuchOp", 28));
        Assert.IsNull(Registry.Find("", "add", 13), "operator names are case-sensitive");
        Assert.IsNull(Registry.Find("com.microsoft", "FusedConv", 1));
        Assert.IsFalse(Registry.IsKnownOperator("", "NoSuchOp"));
        Assert.IsTrue(Registry.IsKnownOperator("", "Gelu"));
        Assert.HasCount(0, Registry.GetVersions("", "NoSuchOp"));
    }

    [TestMethod]
    public void DefaultDomainHasTwoSpellings()
    {
        Assert.AreSame(Registry.Find("", "Relu", 14), Registry.Find("ai.onnx", "Relu", 14));
        Assert.IsTrue(Registry.IsKnownOperator("ai.onnx", "Conv"));
        Assert.IsTrue(Registry.IsKnownDomain("ai.onnx"));
        Assert.IsTrue(Registry.IsKnownDomain(""));
        Assert.AreEqual(28, Registry.MaxOpsetVersion(""));
        Assert.AreEqual(28, Registry.MaxOpsetVersion("ai.onnx"));
        Assert.AreEqual(5, Registry.MaxOpsetVersion("ai.onnx.ml"));
        Assert.AreEqual(1, Registry.MaxOpsetVersion("ai.onnx.preview.training"));
        Assert.IsNull(Registry.MaxOpsetVersion("com.microsoft"));
        Assert.IsFalse(Registry.IsKnownDomain("com.microsoft"));
        Assert.IsFalse(Registry.IsKnownDomain("AI.ONNX"));
        CollectionAssert.AreEqual(
            Registry.GetVersions("", "Conv").Select(s => s.SinceVersion).ToArray(),
            Registry.GetVersions("ai.onnx", "Conv").Select(s => s.SinceVersion).ToArray());
    }

    [TestMethod]
    public void MlAndTrainingDomainsResolve()
    {
        var linear = Registry.Find("ai.onnx.ml", "LinearClassifier", 3);
        Assert.IsNotNull(linear);
        Assert.AreEqual("ai.onnx.ml", linear.Domain);
        Assert.AreEqual(1, linear.SinceVersion);
        Assert.IsNull(Registry.Find("", "LinearClassifier", 28), "ML operators are not in the default domain");

        var tree = Registry.GetVersions("ai.onnx.ml", "TreeEnsembleClassifier").Select(s => (s.SinceVersion, s.Deprecated)).ToArray();
        CollectionAssert.AreEqual(new[] { (1, false), (3, false), (5, true) }, tree);

        var adagrad = Registry.Find("ai.onnx.preview.training", "Adagrad", 1);
        Assert.IsNotNull(adagrad);
        Assert.AreEqual(FormalParameterOption.Variadic, adagrad.Inputs[^1].Option);
    }

    [TestMethod]
    public void VariadicAndOptionalFormalsCarryTheirArity()
    {
        var concat = Registry.Find("", "Concat", 13)!;
        Assert.AreEqual(1, concat.MinInputs);
        Assert.AreEqual(OperatorSchema.Unbounded, concat.MaxInputs);
        Assert.AreEqual(FormalParameterOption.Variadic, concat.Inputs[0].Option);
        Assert.AreEqual(1, concat.Inputs[0].MinArity);
        Assert.IsTrue(concat.Inputs[0].IsHomogeneous);
        Assert.IsTrue(concat.FindAttribute("axis")!.Required);

        var loop = Registry.Find("", "Loop", 18)!;
        Assert.AreEqual(16, loop.SinceVersion);
        Assert.AreEqual(2, loop.MinInputs);
        CollectionAssert.AreEqual(
            new[] { FormalParameterOption.Optional, FormalParameterOption.Optional, FormalParameterOption.Variadic },
            loop.Inputs.Select(i => i.Option).ToArray());
        Assert.AreEqual(0, loop.Inputs[2].MinArity);
        Assert.IsFalse(loop.Inputs[2].IsHomogeneous);
        Assert.AreEqual(AttributeProto.Types.AttributeType.Graph, loop.FindAttribute("body")!.Type);

        var clip = Registry.Find("", "Clip", 13)!;
        Assert.AreEqual((1, 3, 1, 1), (clip.MinInputs, clip.MaxInputs, clip.MinOutputs, clip.MaxOutputs));

        var dropout = Registry.Find("", "Dropout", 13)!;
        Assert.AreEqual((1, 2), (dropout.MinOutputs, dropout.MaxOutputs));
        Assert.AreEqual(("training_mode", "T2"), (dropout.Inputs[2].Name, dropout.Inputs[2].TypeConstraint));
        Assert.AreEqual(("axis", "tensor(int64)"), (Registry.Find("", "DFT", 20)!.Inputs[2].Name, Registry.Find("", "DFT", 20)!.Inputs[2].TypeConstraint));
        Assert.AreEqual(AttributeProto.Types.AttributeType.Int, dropout.FindAttribute("seed")!.Type);
        Assert.IsFalse(dropout.FindAttribute("seed")!.Required);
        Assert.IsNull(dropout.FindAttribute("ratio"), "ratio became an input in opset 12");
    }

    [TestMethod]
    public void AttributeTypesCoverTheWholeEnum()
    {
        var conv = Registry.Find("", "Conv", 22)!;
        Assert.AreEqual(AttributeProto.Types.AttributeType.String, conv.FindAttribute("auto_pad")!.Type);
        Assert.AreEqual(AttributeProto.Types.AttributeType.Ints, conv.FindAttribute("kernel_shape")!.Type);
        Assert.AreEqual(AttributeProto.Types.AttributeType.Float, Registry.Find("", "LeakyRelu", 16)!.FindAttribute("alpha")!.Type);
        var constant = Registry.Find("", "Constant", 21)!;
        Assert.AreEqual(AttributeProto.Types.AttributeType.SparseTensor, constant.FindAttribute("sparse_value")!.Type);
        Assert.AreEqual(AttributeProto.Types.AttributeType.Strings, constant.FindAttribute("value_strings")!.Type);
        Assert.AreEqual(AttributeProto.Types.AttributeType.Floats, constant.FindAttribute("value_floats")!.Type);
        Assert.AreEqual(AttributeProto.Types.AttributeType.Tensor, constant.FindAttribute("value")!.Type);
        Assert.IsTrue(Registry.Find("", "Constant", 1)!.FindAttribute("value")!.Required);

        var used = Registry.All.SelectMany(s => s.Attributes).Select(a => a.Type).ToHashSet();
        Assert.Contains(AttributeProto.Types.AttributeType.TypeProto, used);
        Assert.Contains(AttributeProto.Types.AttributeType.Graph, used);
        Assert.DoesNotContain(AttributeProto.Types.AttributeType.Undefined, used);
    }

    [TestMethod]
    public void DeprecatedVersionsAreMarked()
    {
        var upsample = Registry.Find("", "Upsample", 13)!;
        Assert.AreEqual(10, upsample.SinceVersion);
        Assert.IsTrue(upsample.Deprecated);
        Assert.IsFalse(Registry.Find("", "Upsample", 9)!.Deprecated);
        Assert.IsTrue(Registry.Find("", "Scatter", 11)!.Deprecated);
        Assert.IsTrue(Registry.Find("", "Upsample", 1)!.Experimental);
        Assert.IsFalse(Registry.Find("", "Upsample", 7)!.Experimental);
    }

    [TestMethod]
    public void TableIsOrderedUniqueAndRecordsItsSource()
    {
        var all = Registry.All;
        Assert.IsGreaterThan(600, all.Count);
        var keys = all.Select(s => (s.Domain, s.Name, s.SinceVersion)).ToList();
        Assert.HasCount(keys.Count, keys.Distinct());
        for (var i = 1; i < all.Count; i++)
        {
            var a = all[i - 1];
            var b = all[i];
            var order = string.CompareOrdinal(a.Domain, b.Domain) switch
            {
                0 => string.CompareOrdinal(a.Name, b.Name) switch { 0 => a.SinceVersion.CompareTo(b.SinceVersion), var c => c },
                var c => c,
            };
            Assert.IsLessThan(0, order, $"{a.Name}-{a.SinceVersion} before {b.Name}-{b.SinceVersion}");
        }

        foreach (var schema in all)
        {
            Assert.IsLessThanOrEqualTo(Registry.MaxOpsetVersion(schema.Domain)!.Value, schema.SinceVersion);
            CollectionAssert.Contains(Registry.GetVersions(schema.Domain, schema.Name).ToList(), schema);
        }

        StringAssert.Contains(Registry.SourceDescription, "ONNX 1.23.0");
        Assert.AreEqual("1.23.0", Registry.OnnxVersion);
        Assert.AreEqual("f7546912001bc31e92a238b17068a21b373d882e", Registry.OnnxCommit);
        StringAssert.Contains(Registry.SourceDescription, "f7546912001bc31e92a238b17068a21b373d882e");
    }

    [TestMethod]
    public void ConcurrentFirstUseSeesOneInstance()
    {
        var seen = new OperatorSchemaRegistry[8];
        Parallel.For(0, seen.Length, i => seen[i] = OperatorSchemaRegistry.Default);
        Assert.IsTrue(seen.All(r => ReferenceEquals(r, seen[0])));
    }

    [TestMethod]
    public void LoadingTheEmbeddedTableCostsNoMoreThanAPlainJsonTree()
    {
        // The cost of a load is compared with a peer doing the least any loader must do: System.Text.Json reading the
        // same bytes into a tree of JsonNode objects, every node visited. Bytes allocated on this thread measure the work without depending on how
        // busy the machine is (a wall-clock ratio failed on a loaded 2-core machine); times live in eng/bench.
        var bytes = ReadEmbeddedTable();
        OperatorSchemaRegistry.Parse(bytes);
        Visit(System.Text.Json.Nodes.JsonNode.Parse(bytes));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = OperatorSchemaRegistry.Parse(bytes).All.Count;
        var load = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        var nodes = Visit(System.Text.Json.Nodes.JsonNode.Parse(bytes));
        var peer = GC.GetAllocatedBytesForCurrentThread() - before;
        var ratio = (double)load / peer;
        Console.WriteLine($"operator schema table: {bytes.Length} bytes, {count} versions; load allocates {load} bytes, " +
            $"a JsonNode tree of {nodes} nodes {peer}; ratio {ratio:F2}");
        Assert.IsLessThan(RatioBound, ratio);
    }

    private static int Visit(System.Text.Json.Nodes.JsonNode? node) => node switch
    {
        System.Text.Json.Nodes.JsonObject o => 1 + o.Sum(p => Visit(p.Value)),
        System.Text.Json.Nodes.JsonArray a => 1 + a.Sum(Visit),
        System.Text.Json.Nodes.JsonValue v => v.GetValueKind() == System.Text.Json.JsonValueKind.Undefined ? 0 : 1,
        _ => 1,
    };

    // Measured here: 0.64 (3.8 MB against 5.9 MB). The bound fails when loading becomes about three times more work
    // (schemas built eagerly twice, a per-row regex), and, counting bytes rather than time, never on a busy machine.
    private const double RatioBound = 2.0;

    [TestMethod]
    public void DuplicateOperatorVersionsFailAtLoad()
    {
        var json = MinimalTable(
            Row("Relu", 6) + "," + Row("Relu", 14) + "," + Row("Relu", 6));
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => OperatorSchemaRegistry.Parse(json));
        StringAssert.Contains(ex.Message, "ai.onnx.Relu-6 is listed twice");
    }

    [TestMethod]
    public void DuplicatesAcrossDomainSpellingsFailAtLoad()
    {
        var json = MinimalTable(Row("Relu", 6) + "," + Row("Relu", 6, domain: "ai.onnx"));
        Assert.ThrowsExactly<InvalidDataException>(() => OperatorSchemaRegistry.Parse(json));
    }

    [TestMethod]
    public void AValidMinimalTableLoads()
    {
        var registry = OperatorSchemaRegistry.Parse(MinimalTable(Row("Relu", 6) + "," + Row("Relu", 14)));
        Assert.AreEqual(14, registry.Find("ai.onnx", "Relu", 20)!.SinceVersion);
        Assert.HasCount(2, registry.All);
    }

    [TestMethod]
    [DataRow("\"type\":\"INT\"", "\"type\":\"INT64\"", "unknown type 'INT64'")]
    [DataRow("\"min_inputs\":1", "\"min_inputs\":2", "declares inputs 2..1")]
    [DataRow("\"option\":\"single\"", "\"option\":\"sometimes\"", "unknown option")]
    [DataRow("\"since_version\":14", "\"since_version\":29", "outside 1..28")]
    [DataRow("\"name\":\"Relu\",\"since_version\":14", "\"since_version\":14", "unexpected structure")]
    [DataRow("]}", "]", "not valid JSON")]
    [DataRow("schemas/2", "schemas/1", "format 'buildconvert-onnx-operator-schemas/1'")]
    [DataRow("\"type\":\"T\",\"option\":\"single\"}],\"attributes\"", "\"type\":\"U\",\"option\":\"single\"}],\"attributes\"", "formal 'Y' has type 'U', which is neither")]
    [DataRow("\"allowed\":[\"tensor(float)\",", "\"allowed\":[\"tensor(float\",", "allows 'tensor(float', which is not a type string")]
    [DataRow("\"allowed\":[\"tensor(float)\",\"tensor(double)\"]", "\"allowed\":[]", "allows no type")]
    [DataRow("\"type_constraints\":[{\"name\":\"T\"", "\"type_constraints\":[{\"name\":\"T\",\"allowed\":[\"tensor(int8)\"]},{\"name\":\"T\"", "declares type constraint 'T' twice")]
    [DataRow("\"unbounded_count\":2147483647", "\"unbounded_count\":-1", "unbounded_count must be")]
    [DataRow("\"max_opset\":{\"\":28}", "\"max_opset\":{\"ai.onnx.ml\":5}", "in a domain max_opset does not list")]
    public void MalformedTablesFailWithAClearMessage(string from, string to, string expected)
    {
        var text = Encoding.UTF8.GetString(MinimalTable(Row("Relu", 6) + "," + Row("Relu", 14)));
        var index = text.LastIndexOf(from, StringComparison.Ordinal);
        Assert.IsGreaterThanOrEqualTo(0, index, from);
        text = text[..index] + to + text[(index + from.Length)..];
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => OperatorSchemaRegistry.Parse(Encoding.UTF8.GetBytes(text)));
        StringAssert.Contains(ex.Message, expected);
    }

    [TestMethod]
    public void TypeConstraintsAndFormalTypesAreRead()
    {
        var relu = Registry.Find("", "Relu", 17)!;
        var t = relu.FindTypeConstraint("T")!;
        Assert.AreSame(t, relu.FindTypeConstraint(relu.Inputs[0].TypeConstraint));
        CollectionAssert.AreEqual(new[] { "tensor(float)", "tensor(int32)", "tensor(int8)", "tensor(int16)", "tensor(int64)", "tensor(float16)", "tensor(double)", "tensor(bfloat16)" }, t.AllowedTypes.ToArray());
        Assert.IsTrue(t.Allows("tensor(float)"));
        Assert.IsFalse(t.Allows("tensor(uint8)"));
        Assert.IsNull(relu.FindTypeConstraint("T1"));

        var shape = Registry.Find("", "NonZero", 13)!;
        Assert.AreEqual("tensor(int64)", shape.Outputs[0].TypeConstraint);
        Assert.IsNull(shape.FindTypeConstraint(shape.Outputs[0].TypeConstraint));

        // A bare element type in a map stands for a tensor of it, as in ONNX.
        var zipMap = Registry.Find("ai.onnx.ml", "ZipMap", 1)!.FindTypeConstraint("T")!;
        Assert.IsTrue(zipMap.Allows("seq(map(string, tensor(float)))"));
        Assert.IsTrue(zipMap.Allows("seq(map(int64,float))"));

        var optional = Registry.Find("", "Optional", 23)!.FindTypeConstraint("O")!;
        Assert.IsTrue(optional.Allows("optional(seq(tensor(float)))"));

        Assert.IsEmpty(Registry.Find("", "Upsample", 10)!.TypeConstraints);
        foreach (var schema in Registry.All.Where(s => !s.Deprecated))
        {
            foreach (var formal in schema.Inputs.Concat(schema.Outputs))
            {
                Assert.IsTrue(schema.FindTypeConstraint(formal.TypeConstraint) is not null || OnnxTypeStrings.IsTypeString(formal.TypeConstraint),
                    $"{schema.Name}-{schema.SinceVersion} {formal.Name}");
            }
        }
    }

    [TestMethod]
    public void TypeConstraintsCompareByValue()
    {
        var a = new TypeConstraint("T", new[] { "tensor(float)", "tensor(double)" });
        var b = new TypeConstraint("T", new List<string> { "tensor(float)", "tensor(double)" });
        Assert.AreEqual(a, b);
        Assert.AreEqual(a.GetHashCode(), b.GetHashCode());
        Assert.AreNotEqual(a, b with { AllowedTypes = new[] { "tensor(float)" } });
        Assert.IsFalse((b with { AllowedTypes = new[] { "tensor(int8)" } }).Allows("tensor(float)"));
    }

    internal static byte[] ReadEmbeddedTable()
    {
        using var stream = typeof(OperatorSchemaRegistry).Assembly.GetManifestResourceStream(OperatorSchemaRegistry.ResourceName)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string Row(string name, int since, string domain = "") =>
        $$"""{"domain":"{{domain}}","name":"{{name}}","since_version":{{since}},"deprecated":false,"experimental":false,"min_inputs":1,"max_inputs":1,"min_outputs":1,"max_outputs":1,"inputs":[{"name":"X","type":"T","option":"single"}],"outputs":[{"name":"Y","type":"T","option":"single"}],"attributes":[{"name":"alpha","type":"INT","required":false}],"type_constraints":[{"name":"T","allowed":["tensor(float)","tensor(double)"]}]}""";

    private static byte[] MinimalTable(string rows) => Encoding.UTF8.GetBytes(
        $$"""{"format":"buildconvert-onnx-operator-schemas/2","unbounded_count":2147483647,"source":{"onnx_version":"0.0.0","commit":"abc"},"max_opset":{"":28},"schemas":[{{rows}}]}""");
}
