using BuildConvert.Core.Checking;
using BuildConvert.Core.Formats.Onnx.Proto;
using Google.Protobuf;
using AttributeType = BuildConvert.Core.Formats.Onnx.Proto.AttributeProto.Types.AttributeType;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Checking;

[TestClass]
public sealed class SchemaTypeInferenceTests
{
    private static readonly OperatorSchemaRegistry Registry = OperatorSchemaRegistry.Default;

    [TestMethod]
    [DataRow("Cast", 1, "tensor(float)", "to=s:DOUBLE", "tensor(double)")]
    [DataRow("Cast", 13, "tensor(float)", "to=7", "tensor(int64)")]
    [DataRow("BitCast", 26, "tensor(float)", "to=6", "tensor(int32)")]
    [DataRow("ConstantOfShape", 9, "tensor(int64)", "", "tensor(float)")]
    [DataRow("ConstantOfShape", 21, "tensor(int64)", "value=t:6", "tensor(int32)")]
    [DataRow("Constant", 13, "", "value=t:3", "tensor(int8)")]
    [DataRow("Constant", 13, "", "value_floats=f", "tensor(float)")]
    [DataRow("Constant", 13, "", "value_ints=i", "tensor(int64)")]
    [DataRow("Constant", 13, "", "value_string=s:x", "tensor(string)")]
    [DataRow("RandomNormal", 1, "", "", "tensor(float)")]
    [DataRow("RandomUniform", 22, "", "dtype=11", "tensor(double)")]
    [DataRow("RandomNormalLike", 22, "tensor(double)", "", "tensor(double)")]
    [DataRow("RandomUniformLike", 1, "tensor(double)", "dtype=10", "tensor(float16)")]
    [DataRow("EyeLike", 9, "tensor(int32)", "", "tensor(int32)")]
    [DataRow("EyeLike", 22, "tensor(int32)", "dtype=1", "tensor(float)")]
    [DataRow("Bernoulli", 15, "tensor(float)", "dtype=9", "tensor(bool)")]
    [DataRow("Multinomial", 7, "tensor(float)", "", "tensor(int32)")]
    [DataRow("Multinomial", 22, "tensor(float)", "dtype=7", "tensor(int64)")]
    [DataRow("SequenceEmpty", 11, "", "", "seq(tensor(float))")]
    [DataRow("SequenceEmpty", 11, "", "dtype=7", "seq(tensor(int64))")]
    [DataRow("HannWindow", 17, "tensor(int64)", "", "tensor(float)")]
    [DataRow("MelWeightMatrix", 17, "tensor(int64),tensor(int64),tensor(int64),tensor(float),tensor(float)", "output_datatype=11", "tensor(double)")]
    [DataRow("QuantizeLinear", 13, "tensor(float),tensor(float)", "", "tensor(uint8)")]
    [DataRow("QuantizeLinear", 13, "tensor(float),tensor(float),tensor(int8)", "", "tensor(int8)")]
    [DataRow("QuantizeLinear", 21, "tensor(float),tensor(float)", "output_dtype=3", "tensor(int8)")]
    [DataRow("DequantizeLinear", 25, "tensor(int8),tensor(float16)", "", "tensor(float16)")]
    [DataRow("DequantizeLinear", 25, "tensor(int8),tensor(float16)", "output_dtype=1", "tensor(float)")]
    [DataRow("CastLike", 15, "tensor(float),tensor(double)", "", "tensor(double)")]
    [DataRow("SequenceConstruct", 11, "tensor(float),tensor(float)", "", "seq(tensor(float))")]
    [DataRow("SplitToSequence", 11, "tensor(int32)", "", "seq(tensor(int32))")]
    [DataRow("SequenceAt", 11, "seq(tensor(int64)),tensor(int32)", "", "tensor(int64)")]
    [DataRow("ConcatFromSequence", 11, "seq(tensor(double))", "axis=0", "tensor(double)")]
    [DataRow("SequenceInsert", 11, "seq(tensor(double)),tensor(double)", "", "seq(tensor(double))")]
    [DataRow("Optional", 15, "tensor(float)", "", "optional(tensor(float))")]
    [DataRow("OptionalGetElement", 18, "optional(seq(tensor(int32)))", "", "seq(tensor(int32))")]
    [DataRow("OptionalHasElement", 18, "optional(tensor(int32))", "", "tensor(bool)")]
    [DataRow("Shape", 21, "tensor(float)", "", "tensor(int64)")]
    [DataRow("NonZero", 13, "tensor(float)", "", "tensor(int64)")]
    [DataRow("Add", 14, "tensor(double),", "", "tensor(double)")]
    [DataRow("Add", 14, ",tensor(int8)", "", "tensor(int8)")]
    [DataRow("Relu", 14, "", "", null)]
    [DataRow("ZipMap", 1, "tensor(float)", "classlabels_int64s=i", null)]
    public void InfersTheOutputType(string op, int opset, string inputs, string attributes, string? expected)
    {
        var result = Infer(op, opset, inputs, attributes);
        Assert.IsEmpty(result.Violations, string.Join("; ", result.Violations));
        Assert.AreEqual(expected, result.OutputTypes[0]);
    }

    [TestMethod]
    public void ABoolInputOfReluIsNotAllowed()
    {
        var violation = (TypeNotAllowed)Infer("Relu", 14, "tensor(bool)", "").Violations.Single();
        Assert.IsFalse(violation.IsOutput);
        Assert.AreEqual("T", violation.Constraint!.Name);
        Assert.AreEqual("tensor(bool)", violation.ActualType);
    }

    [TestMethod]
    public void Int32IsAllowedByRelu14ButNotByRelu13()
    {
        Assert.IsEmpty(Infer("Relu", 14, "tensor(int32)", "").Violations);
        Assert.IsInstanceOfType<TypeNotAllowed>(Infer("Relu", 13, "tensor(int32)", "").Violations.Single());
    }

    [TestMethod]
    public void InputsOfOneVariableMustAgreeIncludingVariadicMembers()
    {
        var add = (TypeVariableConflict)Infer("Add", 14, "tensor(float),tensor(double)", "").Violations.Single();
        Assert.AreEqual((0, "tensor(float)", 1, "tensor(double)"), (add.FirstIndex, add.FirstType, add.Index, add.ActualType));

        var sum = (TypeVariableConflict)Infer("Sum", 13, "tensor(float),tensor(float),tensor(float16)", "").Violations.Single();
        Assert.AreEqual(2, sum.Index);
    }

    [TestMethod]
    public void HeterogeneousVariadicsDoNotBind()
    {
        // Loop-21: M, cond, then v_initial (variadic, heterogeneous): loop-carried values of different types are fine.
        var result = Infer("Loop", 21, "tensor(int64),tensor(bool),tensor(float),tensor(int32),seq(tensor(float))", "");
        Assert.IsEmpty(result.Violations);
    }

    [TestMethod]
    public void AConcreteFormalTypeIsEnforced()
    {
        var violation = (TypeNotAllowed)Infer("Reshape", 14, "tensor(float),tensor(int32)", "").Violations.Single();
        Assert.IsNull(violation.Constraint);
        CollectionAssert.AreEqual(new[] { "tensor(int64)" }, violation.Allowed.ToArray());
    }

    [TestMethod]
    public void AnAttributeTypeTheOutputVariableDoesNotAllowIsReported()
    {
        var violation = (TypeNotAllowed)Infer("Cast", 13, "tensor(float)", "to=22").Violations.Single();
        Assert.IsTrue(violation.IsOutput);
        Assert.AreEqual("tensor(int4)", violation.ActualType);
        Assert.IsEmpty(Infer("Cast", 21, "tensor(float)", "to=22").Violations);
    }

    [TestMethod]
    public void DeclaredOutputTypesAreComparedAndUsedWhenNothingIsInferred()
    {
        var schema = Registry.Find("", "Cast", 13)!;
        var node = Node("Cast", 1, "to=7");
        var contradiction = (DeclaredTypeContradiction)SchemaTypeInference.Infer(schema, node, ["tensor(float)"], ["tensor(float)"]).Violations.Single();
        Assert.AreEqual(("tensor(float)", "tensor(int64)"), (contradiction.DeclaredType, contradiction.InferredType));

        var relu = Registry.Find("", "Relu", 14)!;
        var declared = SchemaTypeInference.Infer(relu, Node("Relu", 1, ""), [null], ["tensor(double)"]);
        Assert.IsEmpty(declared.Violations);
        Assert.AreEqual("tensor(double)", declared.OutputTypes[0]);
        var wrong = (TypeNotAllowed)SchemaTypeInference.Infer(relu, Node("Relu", 1, ""), [null], ["tensor(string)"]).Violations.Single();
        Assert.AreEqual("declared", wrong.Origin);
    }

    [TestMethod]
    public void ControlFlowOutputsComeFromTheBodies()
    {
        var schema = Registry.Find("", "If", 21)!;
        var bodies = new Dictionary<string, IReadOnlyList<string?>>
        {
            ["then_branch"] = ["tensor(float)", "tensor(int64)"],
            ["else_branch"] = ["tensor(float)", "tensor(int32)"],
        };
        var node = Node("If", 1, "");
        node.Output.Add("second");
        var result = SchemaTypeInference.Infer(schema, node, ["tensor(bool)"], null, bodies);
        CollectionAssert.AreEqual(new[] { "tensor(float)", null }, result.OutputTypes.ToArray());
    }

    [TestMethod]
    [DataRow("map(int64, float)", "map(int64, tensor(float))")]
    [DataRow("seq(map(string,float))", "seq(map(string, tensor(float)))")]
    [DataRow(" tensor(float) ", "tensor(float)")]
    [DataRow("optional(seq(tensor(bool)))", "optional(seq(tensor(bool)))")]
    [DataRow("float", "tensor(float)")]
    public void TypeStringsHaveOneCanonicalForm(string text, string canonical) =>
        Assert.AreEqual(canonical, OnnxTypeStrings.Canonical(text));

    [TestMethod]
    public void TypeProtosBecomeTypeStrings()
    {
        var tensor = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float16 } };
        var map = new TypeProto { MapType = new TypeProto.Types.Map { KeyType = (int)DataType.Int64, ValueType = tensor } };
        var seq = new TypeProto { SequenceType = new TypeProto.Types.Sequence { ElemType = map } };
        Assert.AreEqual("seq(map(int64, tensor(float16)))", OnnxTypeStrings.FromTypeProto(seq));
        Assert.IsNull(OnnxTypeStrings.FromTypeProto(new TypeProto { TensorType = new TypeProto.Types.Tensor() }));
        Assert.IsNull(OnnxTypeStrings.FromTypeProto(new TypeProto { SequenceType = new TypeProto.Types.Sequence() }));
        Assert.IsNull(OnnxTypeStrings.FromTypeProto(new TypeProto()));
        Assert.AreEqual("sparse_tensor(int8)", OnnxTypeStrings.FromTypeProto(new TypeProto { SparseTensorType = new TypeProto.Types.SparseTensor { ElemType = 3 } }));
    }

    private static TypeInferenceResult Infer(string op, int opset, string inputs, string attributes)
    {
        var domain = op == "ZipMap" ? "ai.onnx.ml" : "";
        var schema = Registry.Find(domain, op, opset) ?? throw new AssertFailedException($"no {op} at {opset}");
        var types = inputs.Length == 0 ? Array.Empty<string?>() : inputs.Split(',').Select(t => t.Length == 0 ? null : t).ToArray();
        var node = Node(op, types.Length, attributes);
        return SchemaTypeInference.Infer(schema, node, types);
    }

    /// <summary>A node with inputs in0..inN-1, one output and attributes written as name=int, name=s:text, name=t:dtype, name=f or name=i.</summary>
    private static NodeProto Node(string op, int inputs, string attributes)
    {
        var node = new NodeProto { OpType = op, Name = "n" };
        for (var i = 0; i < inputs; i++)
        {
            node.Input.Add($"in{i}");
        }

        node.Output.Add("out");
        foreach (var text in attributes.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = (text[..text.IndexOf('=')], text[(text.IndexOf('=') + 1)..]);
            node.Attribute.Add(value switch
            {
                _ when value.StartsWith("s:", StringComparison.Ordinal) => new AttributeProto { Name = name, Type = AttributeType.String, S = ByteString.CopyFromUtf8(value[2..]) },
                _ when value.StartsWith("t:", StringComparison.Ordinal) => new AttributeProto
                {
                    Name = name, Type = AttributeType.Tensor, T = new TensorProto { DataType = int.Parse(value[2..], System.Globalization.CultureInfo.InvariantCulture), Dims = { 1 } },
                },
                "f" => new AttributeProto { Name = name, Type = AttributeType.Floats, Floats = { 1f } },
                "i" => new AttributeProto { Name = name, Type = AttributeType.Ints, Ints = { 1 } },
                _ => new AttributeProto { Name = name, Type = AttributeType.Int, I = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
            });
        }

        return node;
    }
}
