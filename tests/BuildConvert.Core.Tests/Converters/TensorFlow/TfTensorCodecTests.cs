using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using Google.Protobuf;
using OnnxDataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;
using TfDataType = BuildConvert.Core.Formats.TensorFlow.Proto.DataType;

namespace BuildConvert.Core.Tests.Converters.TensorFlow;

/// <summary>
/// TfTensorCodec against TensorFlow's documented TensorProto rules (tensor.proto comments and Tensor::FromProto): packed
/// content, typed fields, repetition of the last value, zeros for an empty field, half_val bit patterns, strings.
/// </summary>
[TestClass]
public sealed class TfTensorCodecTests
{
    private static TensorProto Tensor(TfDataType type, params long[] dims)
    {
        var t = new TensorProto { Dtype = type, TensorShape = new TensorShapeProto() };
        t.TensorShape.Dim.AddRange(dims.Select(d => new TensorShapeProto.Types.Dim { Size = d }));
        return t;
    }

    [TestMethod]
    public void TensorContentIsSharedAsPackedBytes()
    {
        var t = Tensor(TfDataType.DtFloat, 2);
        t.TensorContent = ByteString.CopyFrom(BitConverter.GetBytes(1.5f).Concat(BitConverter.GetBytes(-2f)).ToArray());
        var data = TfTensorCodec.ToTensorData(t, "c");
        Assert.AreEqual(OnnxDataType.Float, data.ElementType);
        CollectionAssert.AreEqual(new[] { 1.5, -2.0 }, data.ToDoubles());
    }

    [TestMethod]
    public void FewerTypedValuesThanElementsRepeatTheLast()
    {
        var t = Tensor(TfDataType.DtInt32, 2, 3);
        t.IntVal.Add(new[] { 4, 7 });
        CollectionAssert.AreEqual(new long[] { 4, 7, 7, 7, 7, 7 }, TfTensorCodec.ToTensorData(t, "c").ToInt64s());
    }

    [TestMethod]
    public void AnEmptyTypedFieldMeansZeros()
    {
        var t = Tensor(TfDataType.DtDouble, 3);
        CollectionAssert.AreEqual(new[] { 0.0, 0, 0 }, TfTensorCodec.ToTensorData(t, "c").ToDoubles());
    }

    [TestMethod]
    public void ScalarFromOneValue()
    {
        var t = Tensor(TfDataType.DtInt64);
        t.Int64Val.Add(-9_000_000_000L);
        var data = TfTensorCodec.ToTensorData(t, "c");
        Assert.IsEmpty(data.Dims);
        Assert.AreEqual(-9_000_000_000L, data.ToInt64s()[0]);
    }

    [TestMethod]
    public void HalfAndBfloat16ComeFromHalfValBitPatterns()
    {
        var half = Tensor(TfDataType.DtHalf, 2);
        half.HalfVal.Add(new[] { 0x3C00, 0xC000 }); // 1.0, -2.0
        CollectionAssert.AreEqual(new[] { 1.0, -2.0 }, TfTensorCodec.ToTensorData(half, "h").ToDoubles());
        var bf = Tensor(TfDataType.DtBfloat16, 2);
        bf.HalfVal.Add(0x3FC0); // 1.5
        var data = TfTensorCodec.ToTensorData(bf, "b");
        Assert.AreEqual(OnnxDataType.Bfloat16, data.ElementType);
        CollectionAssert.AreEqual(new[] { 1.5, 1.5 }, data.ToDoubles());
    }

    [TestMethod]
    public void NarrowIntegersAndBoolsAndUnsigned()
    {
        var i8 = Tensor(TfDataType.DtInt8, 3);
        i8.IntVal.Add(new[] { -128, 5, 127 });
        CollectionAssert.AreEqual(new long[] { -128, 5, 127 }, TfTensorCodec.ToTensorData(i8, "a").ToInt64s());
        var u16 = Tensor(TfDataType.DtUint16, 1);
        u16.IntVal.Add(65535);
        CollectionAssert.AreEqual(new long[] { 65535 }, TfTensorCodec.ToTensorData(u16, "b").ToInt64s());
        var b = Tensor(TfDataType.DtBool, 3);
        b.BoolVal.Add(new[] { true, false });
        CollectionAssert.AreEqual(new long[] { 1, 0, 0 }, TfTensorCodec.ToTensorData(b, "c").ToInt64s());
        var u64 = Tensor(TfDataType.DtUint64, 1);
        u64.Uint64Val.Add(ulong.MaxValue);
        Assert.AreEqual(OnnxDataType.Uint64, TfTensorCodec.ToTensorData(u64, "d").ElementType);
        var u32 = Tensor(TfDataType.DtUint32, 2);
        u32.Uint32Val.Add(4_000_000_000u);
        CollectionAssert.AreEqual(new long[] { 4_000_000_000, 4_000_000_000 }, TfTensorCodec.ToTensorData(u32, "e").ToInt64s());
    }

    [TestMethod]
    public void ReferenceTypesStandForTheirBase()
    {
        var t = Tensor(TfDataType.DtFloatRef, 1);
        t.FloatVal.Add(2f);
        Assert.AreEqual(OnnxDataType.Float, TfTensorCodec.ToTensorData(t, "c").ElementType);
    }

    [TestMethod]
    public void StringsRepeatTheLastToo()
    {
        var t = Tensor(TfDataType.DtString, 3);
        t.StringVal.Add(ByteString.CopyFromUtf8("a"));
        t.StringVal.Add(ByteString.CopyFromUtf8("bé"));
        CollectionAssert.AreEqual(new[] { "a", "bé", "bé" }, TfTensorCodec.ToTensorData(t, "c").Strings.ToArray());
    }

    [TestMethod]
    public void Complex64PairsRepeatAsPairs()
    {
        var t = Tensor(TfDataType.DtComplex64, 2);
        t.ScomplexVal.Add(new[] { 1f, 2f });
        var data = TfTensorCodec.ToTensorData(t, "c");
        Assert.AreEqual(16, data.Bytes.Length);
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data.Bytes.Span).ToArray();
        CollectionAssert.AreEqual(new[] { 1f, 2f, 1f, 2f }, floats);
    }

    [TestMethod]
    public void Int4IsPackedTwoPerByte()
    {
        var t = Tensor(TfDataType.DtInt4, 3);
        t.IntVal.Add(new[] { 1, -2, 3 });
        var data = TfTensorCodec.ToTensorData(t, "c");
        CollectionAssert.AreEqual(new byte[] { 0xE1, 0x03 }, data.Bytes.ToArray());
    }

    [TestMethod]
    [DataRow("content")]
    [DataRow("toomany")]
    [DataRow("negative")]
    [DataRow("resource")]
    [DataRow("huge")]
    public void MalformedTensorsAreCodedErrorsNamingTheNode(string fault)
    {
        var t = fault switch
        {
            "content" => Tensor(TfDataType.DtFloat, 3),
            "toomany" => Tensor(TfDataType.DtFloat, 1),
            "negative" => Tensor(TfDataType.DtFloat, -1),
            "resource" => Tensor(TfDataType.DtResource),
            _ => Tensor(TfDataType.DtDouble, 1L << 20, 1L << 20),
        };
        if (fault == "content")
        {
            t.TensorContent = ByteString.CopyFrom(new byte[5]);
        }
        else if (fault is "toomany")
        {
            t.FloatVal.Add(new[] { 1f, 2f });
        }
        else if (fault == "huge")
        {
            t.DoubleVal.Add(1);
        }

        var ex = Assert.ThrowsExactly<BuildConvertException>(() => TfTensorCodec.ToTensorData(t, "weights"));
        Assert.AreEqual("BCONV2102", ex.Code);
        StringAssert.Contains(ex.Message, "'weights'");
    }
}
