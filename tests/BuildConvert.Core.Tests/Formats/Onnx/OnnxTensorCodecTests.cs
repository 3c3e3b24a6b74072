using System.Text.Json;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Values;
using Google.Protobuf;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Formats.Onnx;

[TestClass]
public sealed class OnnxTensorCodecTests
{
    [TestMethod]
    public void FixturesDecodeToTheValuesOnnxNumpyHelperProduces()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(GoldenTestPaths.OnnxFixtures, "manifest.json")));
        var tensors = doc.RootElement.GetProperty("tensors").EnumerateArray().ToArray();
        Assert.IsGreaterThan(150, tensors.Length);
        var failures = new List<string>();
        var types = new HashSet<int>();
        foreach (var entry in tensors)
        {
            var file = entry.GetProperty("file").GetString()!;
            var proto = TensorProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(GoldenTestPaths.OnnxFixtures, file)));
            var value = OnnxTensorCodec.ToTensorValue(proto, file: file);
            Assert.AreEqual(entry.GetProperty("data_type").GetInt32(), (int)value.ElementType, file);
            Assert.AreEqual(entry.GetProperty("name").GetString(), value.Name, file);
            types.Add((int)value.ElementType);
            var shape = entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var problem = ExpectedValues.Compare(value, shape, entry.GetProperty("kind").GetString()!, entry.GetProperty("values"));
            if (problem is not null)
            {
                failures.Add($"{file}: {problem}");
            }
        }

        Assert.IsEmpty(failures, string.Join("\n", failures));
        for (var t = 1; t <= 26; t++)
        {
            Assert.Contains(t, types, $"no fixture of data type {t}");
        }
    }

    [TestMethod]
    public void EveryCorpusValueFileDecodesAndRoundTrips()
    {
        var folders = GoldenTestPaths.CorpusTestFolders();
        if (folders.Count == 0)
        {
            Assert.Inconclusive("the shared onnx-backend corpus is not present");
        }

        var values = 0;
        foreach (var folder in folders)
        {
            var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(folder, "model.onnx")));
            var sets = GoldenData.Load(folder, model);
            foreach (var set in sets)
            {
                Assert.HasCount(set.Inputs.Count, set.InputFiles);
                Assert.HasCount(set.Outputs.Count, set.OutputFiles);
                foreach (var (value, file) in set.Inputs.Zip(set.InputFiles).Concat(set.Outputs.Zip(set.OutputFiles)))
                {
                    values++;
                    var proto = OnnxTensorCodec.ToProto(value);
                    var again = OnnxTensorCodec.ToDataValue(proto);
                    AssertSameValue(value, again, file);
                    var reread = OnnxTestLayout.ParseValue(proto.ToByteArray(), TypeFor(value), "", file);
                    AssertSameValue(value, reread, file);
                }

                var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet();
                var graphInputs = model.Graph.Input.Select(i => i.Name).Where(n => !initializers.Contains(n)).ToArray();
                CollectionAssert.AreEqual(graphInputs.Take(set.Inputs.Count).ToArray(), set.Inputs.Select(i => i.Name).ToArray(), folder);
                var graphOutputs = model.Graph.Output.Select(o => o.Name).ToArray();
                CollectionAssert.AreEqual(graphOutputs.Take(set.Outputs.Count).ToArray(), set.Outputs.Select(o => o.Name).ToArray(), folder);
            }
        }

        Assert.IsGreaterThan(6000, values);
    }

    [TestMethod]
    public void LightCorpusOutputsDecodeAsTensors()
    {
        var light = Path.Combine(GoldenTestPaths.OnnxBackendCorpus, "light");
        if (!Directory.Exists(light))
        {
            Assert.Inconclusive("the shared onnx-backend corpus is not present");
        }

        var files = Directory.GetFiles(light, "*_output_0.pb");
        Assert.IsGreaterThan(5, files.Length);
        foreach (var file in files)
        {
            var value = (TensorValue)OnnxTestLayout.ReadValueFile(file, null);
            Assert.AreEqual(DataType.Float, value.ElementType, file);
            Assert.AreEqual(value.ElementCount * 4, value.Data.Length, file);
        }
    }

    [TestMethod]
    public void CorpusSequenceAndOptionalValuesKeepTheirStructure()
    {
        var folder = Path.Combine(GoldenTestPaths.OnnxBackendCorpus, "node", "test_optional_get_element_optional_sequence");
        if (!Directory.Exists(folder))
        {
            Assert.Inconclusive("the shared onnx-backend corpus is not present");
        }

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(folder, "model.onnx")));
        var set = GoldenData.Load(folder, model).Single();
        var optional = (OptionalValue)set.Inputs[0];
        Assert.AreEqual("optional_input", optional.Name);
        Assert.AreEqual(3, optional.ElementType);
        var sequence = (SequenceValue)optional.Value!;
        var tensor = (TensorValue)sequence.Items.Single();
        Assert.AreEqual(DataType.Int32, tensor.ElementType);
        CollectionAssert.AreEqual(new long[] { 4 }, tensor.Shape);
        Assert.AreEqual(3.0, tensor.GetDouble(2));
        Assert.IsInstanceOfType<SequenceValue>(set.Outputs[0]);

        var empty = Path.Combine(GoldenTestPaths.OnnxBackendCorpus, "node", "test_optional_has_element_empty_optional_input");
        var emptyModel = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(empty, "model.onnx")));
        var emptySet = GoldenData.Load(empty, emptyModel).Single();
        Assert.IsNull(((OptionalValue)emptySet.Inputs[0]).Value);
    }

    [TestMethod]
    public void TypedFieldsDecodeForEveryType()
    {
        AssertTyped(DataType.Int8, new[] { -3, 127 }, new byte[] { 0xFD, 0x7F });
        AssertTyped(DataType.Uint16, new[] { 65535, 2 }, new byte[] { 0xFF, 0xFF, 2, 0 });
        AssertTyped(DataType.Bool, new[] { 1, 0, 1 }, new byte[] { 1, 0, 1 });
        AssertTyped(DataType.Float16, new[] { 0x3C00 }, new byte[] { 0x00, 0x3C });
        AssertTyped(DataType.Bfloat16, new[] { 0x3F80 }, new byte[] { 0x80, 0x3F });
        AssertTyped(DataType.Float8E5M2, new[] { 0x3C }, new byte[] { 0x3C });
        AssertTyped(DataType.Int4, new[] { 0x21, 0x03 }, new byte[] { 0x21, 0x03 }, elements: 3);
        AssertTyped(DataType.Uint2, new[] { 0xE4 }, new byte[] { 0xE4 }, elements: 4);

        var u32 = new TensorProto { DataType = (int)DataType.Uint32, Dims = { 2 }, Uint64Data = { 4000000000UL, 1 } };
        CollectionAssert.AreEqual(new byte[] { 0x00, 0x28, 0x6B, 0xEE, 1, 0, 0, 0 }, OnnxTensorCodec.ToTensorValue(u32).Data.ToArray());
        var c64 = new TensorProto { DataType = (int)DataType.Complex64, Dims = { 1 }, FloatData = { 1f, -2f } };
        var cv = OnnxTensorCodec.ToTensorValue(c64);
        Assert.AreEqual(8, cv.Data.Length);
        Assert.AreEqual(-2f, BitConverter.ToSingle(cv.Data.Span[4..]));
        var c128 = new TensorProto { DataType = (int)DataType.Complex128, Dims = { 1 }, DoubleData = { 1, 2 } };
        Assert.AreEqual(16, OnnxTensorCodec.ToTensorValue(c128).Data.Length);
    }

    [TestMethod]
    public void ScalarsEmptyTensorsAndStringsRoundTripThroughRawData()
    {
        var scalar = TensorValue.FromFloats("s", Array.Empty<long>(), new[] { 2.5f });
        var proto = OnnxTensorCodec.ToTensorProto(scalar);
        Assert.AreEqual(4, proto.RawData.Length);
        Assert.IsEmpty(proto.Dims);
        Assert.AreEqual(2.5, OnnxTensorCodec.ToTensorValue(proto).GetDouble(0));

        var empty = new TensorValue("e", DataType.Int64, new long[] { 0, 3 }, ReadOnlyMemory<byte>.Empty);
        var back = OnnxTensorCodec.ToTensorValue(OnnxTensorCodec.ToTensorProto(empty));
        CollectionAssert.AreEqual(new long[] { 0, 3 }, back.Shape);
        Assert.AreEqual(0, back.Data.Length);

        var strings = new TensorValue("t", DataType.String, new long[] { 2 }, ReadOnlyMemory<byte>.Empty, new[] { "héllo", "" });
        var sp = OnnxTensorCodec.ToTensorProto(strings);
        Assert.AreEqual(0, sp.RawData.Length);
        CollectionAssert.AreEqual(new[] { "héllo", "" }, OnnxTensorCodec.ToTensorValue(sp).Strings);
    }

    [TestMethod]
    public void EncodingIsDeterministicAndSharesRawData()
    {
        var value = TensorValue.FromFloats("x", new long[] { 2, 2 }, new[] { 1f, 2f, 3f, 4f });
        var a = OnnxTestLayout.ToBytes(value);
        var b = OnnxTestLayout.ToBytes(value with { });
        CollectionAssert.AreEqual(a, b);
        var decoded = OnnxTensorCodec.ToTensorValue(TensorProto.Parser.ParseFrom(a));
        var proto = TensorProto.Parser.ParseFrom(a);
        var shared = OnnxTensorCodec.ToTensorValue(proto);
        Assert.IsTrue(shared.Data.Span.Overlaps(proto.RawData.Span), "raw_data should be shared, not copied");
        CollectionAssert.AreEqual(value.Data.ToArray(), decoded.Data.ToArray());
    }

    [TestMethod]
    [DataRow("raw size", "BCONV1103")]
    [DataRow("typed count", "BCONV1103")]
    [DataRow("two fields", "BCONV1103")]
    [DataRow("wrong field", "BCONV1103")]
    [DataRow("negative dim", "BCONV1103")]
    [DataRow("overflow", "BCONV1103")]
    [DataRow("no data", "BCONV1103")]
    [DataRow("string raw", "BCONV1103")]
    [DataRow("undefined", "BCONV1104")]
    [DataRow("unknown type", "BCONV1104")]
    [DataRow("external", "BCONV1104")]
    [DataRow("segment", "BCONV1104")]
    public void MalformedTensorsGiveCodedErrors(string kind, string code)
    {
        var proto = kind switch
        {
            "raw size" => new TensorProto { DataType = 1, Dims = { 3 }, RawData = ByteString.CopyFrom(new byte[11]) },
            "typed count" => new TensorProto { DataType = 1, Dims = { 3 }, FloatData = { 1, 2 } },
            "two fields" => new TensorProto { DataType = 6, Dims = { 1 }, Int32Data = { 1 }, RawData = ByteString.CopyFrom(new byte[4]) },
            "wrong field" => new TensorProto { DataType = 1, Dims = { 1 }, Int64Data = { 1 } },
            "negative dim" => new TensorProto { DataType = 1, Dims = { -1 } },
            "overflow" => new TensorProto { DataType = 1, Dims = { long.MaxValue / 2, 4 }, RawData = ByteString.CopyFrom(new byte[4]) },
            "no data" => new TensorProto { DataType = 1, Dims = { 2 } },
            "string raw" => new TensorProto { DataType = 8, Dims = { 1 }, RawData = ByteString.CopyFromUtf8("a") },
            "undefined" => new TensorProto { DataType = 0, Dims = { 1 } },
            "unknown type" => new TensorProto { DataType = 99, Dims = { 1 } },
            "external" => new TensorProto { DataType = 1, Dims = { 1 }, DataLocation = TensorProto.Types.DataLocation.External },
            _ => new TensorProto { DataType = 1, Dims = { 1 }, Segment = new TensorProto.Types.Segment { Begin = 0, End = 1 } },
        };
        proto.Name = "x";
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => OnnxTensorCodec.ToTensorValue(proto, file: "f.pb"));
        Assert.AreEqual(code, ex.Code);
        Assert.AreEqual("f.pb", ex.Diagnostics[0].File);
        StringAssert.Contains(ex.Message, "'x'");
    }

    [TestMethod]
    public void MalformedContainersGiveCodedErrors()
    {
        var seq = new SequenceProto { ElemType = 1, SequenceValues = { new SequenceProto() } };
        Assert.AreEqual("BCONV1105", Assert.ThrowsExactly<BuildConvertException>(() => OnnxTensorCodec.ToSequenceValue(seq)).Code);
        var mixed = new SequenceProto { TensorValues = { new TensorProto { DataType = 1 } }, MapValues = { new MapProto() } };
        Assert.AreEqual("BCONV1105", Assert.ThrowsExactly<BuildConvertException>(() => OnnxTensorCodec.ToSequenceValue(mixed)).Code);
        var map = new MapProto { KeyType = 7, Keys = { 1, 2 }, Values = new SequenceProto { ElemType = 1, TensorValues = { new TensorProto { DataType = 1, Dims = { 1 }, FloatData = { 1 } } } } };
        Assert.AreEqual("BCONV1105", Assert.ThrowsExactly<BuildConvertException>(() => OnnxTensorCodec.ToMapValue(map)).Code);
        var floatKeys = new MapProto { KeyType = 1 };
        Assert.AreEqual("BCONV1105", Assert.ThrowsExactly<BuildConvertException>(() => OnnxTensorCodec.ToMapValue(floatKeys)).Code);
        var opt = new OptionalProto { ElemType = 3, TensorValue = new TensorProto { DataType = 1 } };
        Assert.AreEqual("BCONV1105", Assert.ThrowsExactly<BuildConvertException>(() => OnnxTensorCodec.ToOptionalValue(opt)).Code);
        var sparse = new SequenceProto { ElemType = 2, SparseTensorValues = { new SparseTensorProto() } };
        Assert.AreEqual("BCONV1104", Assert.ThrowsExactly<BuildConvertException>(() => OnnxTensorCodec.ToSequenceValue(sparse)).Code);

        var deep = new OptionalProto { ElemType = 1, TensorValue = new TensorProto { DataType = 1, Dims = { 1 }, FloatData = { 1 } } };
        for (var i = 0; i < OnnxTensorCodec.MaxNestingDepth + 2; i++)
        {
            deep = new OptionalProto { ElemType = 5, OptionalValue = deep };
        }

        Assert.AreEqual("BCONV1105", Assert.ThrowsExactly<BuildConvertException>(() => OnnxTensorCodec.ToOptionalValue(deep)).Code);
    }

    [TestMethod]
    public void MapsRoundTripWithIntegerAndStringKeys()
    {
        var values = new SequenceProto
        {
            ElemType = 1,
            TensorValues =
            {
                OnnxTensorCodec.ToTensorProto(TensorValue.FromFloats("", new long[] { 1 }, new[] { 1f })),
                OnnxTensorCodec.ToTensorProto(TensorValue.FromFloats("", new long[] { 1 }, new[] { 2f })),
            },
        };
        var intMap = new MapProto { Name = "m", KeyType = (int)DataType.Uint8, Keys = { 7, 255 }, Values = values };
        var decoded = OnnxTensorCodec.ToMapValue(intMap);
        Assert.AreEqual(DataType.Uint8, decoded.Keys.ElementType);
        CollectionAssert.AreEqual(new byte[] { 7, 255 }, decoded.Keys.Data.ToArray());
        Assert.AreEqual(intMap, OnnxTensorCodec.ToMapProto(decoded));

        var stringMap = new MapProto { Name = "s", KeyType = (int)DataType.String, StringKeys = { ByteString.CopyFromUtf8("a"), ByteString.CopyFromUtf8("b") }, Values = values };
        var sd = OnnxTensorCodec.ToMapValue(stringMap);
        CollectionAssert.AreEqual(new[] { "a", "b" }, sd.Keys.Strings);
        Assert.AreEqual(stringMap, OnnxTensorCodec.ToMapProto(sd));
        var typed = new TypeProto { MapType = new TypeProto.Types.Map { KeyType = (int)DataType.String } };
        var parsed = (MapValue)OnnxTestLayout.ParseValue(stringMap.ToByteArray(), typed);
        Assert.AreEqual("s", parsed.Name);
    }

    /// <summary>
    /// Re-encodes every fixture with our encoder for eng/fixtures/check-our-pb.py, which checks them with
    /// onnx.numpy_helper by hand: <c>/usr/bin/python3 eng/fixtures/check-our-pb.py /tmp/buildconvert-our-pb</c>, after running this test with BUILDCONVERT_FIXTURE_OUT=/tmp.
    /// </summary>
    [TestMethod]
    public void WritesReEncodedFixturesForTheOnnxCheckScript()
    {
        var folder = GoldenTestPaths.ScriptOutputFolder("buildconvert-our-pb");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, true);
        }

        Directory.CreateDirectory(folder);
        var files = Directory.GetFiles(GoldenTestPaths.OnnxFixtures, "*.pb");
        foreach (var file in files)
        {
            var value = OnnxTensorCodec.ToTensorValue(TensorProto.Parser.ParseFrom(File.ReadAllBytes(file)));
            var bytes = OnnxTestLayout.ToBytes(value);
            var proto = TensorProto.Parser.ParseFrom(bytes);
            Assert.IsTrue(value.IsString ? proto.RawData.IsEmpty : proto.FloatData.Count + proto.Int32Data.Count + proto.Int64Data.Count == 0, file);
            File.WriteAllBytes(Path.Combine(folder, Path.GetFileName(file)), bytes);
        }

        File.Copy(Path.Combine(GoldenTestPaths.OnnxFixtures, "manifest.json"), Path.Combine(folder, "manifest.json"));
        Assert.HasCount(files.Length + 1, Directory.GetFiles(folder));
    }

    internal static TypeProto? TypeFor(DataValue value) => value switch
    {
        SequenceValue => new TypeProto { SequenceType = new TypeProto.Types.Sequence() },
        OptionalValue => new TypeProto { OptionalType = new TypeProto.Types.Optional() },
        MapValue => new TypeProto { MapType = new TypeProto.Types.Map() },
        _ => null,
    };

    internal static void AssertSameValue(DataValue expected, DataValue actual, string context)
    {
        Assert.AreEqual(expected.GetType(), actual.GetType(), context);
        Assert.AreEqual(expected.Name, actual.Name, context);
        switch (expected)
        {
            case TensorValue t:
            {
                var a = (TensorValue)actual;
                Assert.AreEqual(t.ElementType, a.ElementType, context);
                CollectionAssert.AreEqual(t.Shape, a.Shape, context);
                Assert.IsTrue(t.Data.Span.SequenceEqual(a.Data.Span), context);
                CollectionAssert.AreEqual(t.Strings, a.Strings, context);
                break;
            }

            case SequenceValue s:
            {
                var a = (SequenceValue)actual;
                Assert.AreEqual(s.ElementType, a.ElementType, context);
                Assert.HasCount(s.Items.Count, a.Items, context);
                for (var i = 0; i < s.Items.Count; i++)
                {
                    AssertSameValue(s.Items[i], a.Items[i], context);
                }

                break;
            }

            case OptionalValue o:
            {
                var a = (OptionalValue)actual;
                Assert.AreEqual(o.ElementType, a.ElementType, context);
                Assert.AreEqual(o.Value is null, a.Value is null, context);
                if (o.Value is not null)
                {
                    AssertSameValue(o.Value, a.Value!, context);
                }

                break;
            }

            case MapValue m:
            {
                var a = (MapValue)actual;
                AssertSameValue(m.Keys, a.Keys, context);
                AssertSameValue(m.Values, a.Values, context);
                break;
            }
        }
    }

    private static void AssertTyped(DataType type, int[] int32Data, byte[] expected, int? elements = null)
    {
        var proto = new TensorProto { DataType = (int)type, Dims = { elements ?? int32Data.Length } };
        proto.Int32Data.AddRange(int32Data);
        var value = OnnxTensorCodec.ToTensorValue(proto);
        CollectionAssert.AreEqual(expected, value.Data.ToArray(), type.ToString());
        var back = OnnxTensorCodec.ToTensorProto(value);
        CollectionAssert.AreEqual(expected, back.RawData.ToByteArray(), type.ToString());
    }
}
