using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Npy;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Values;
using Google.Protobuf;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Values;

[TestClass]
public sealed class ElementTypeTableTests
{
    public static IEnumerable<object[]> Rows() => ElementTypeTable.All.Select(r => new object[] { r.Type });

    [TestMethod]
    public void EveryDefinedEnumValueHasExactlyOneRow()
    {
        var defined = Enum.GetValues<DataType>().Where(t => t != DataType.Undefined).ToHashSet();
        CollectionAssert.AreEquivalent(defined.ToArray(), ElementTypeTable.All.Select(r => r.Type).ToArray());
        Assert.IsNull(ElementTypeTable.Find(DataType.Undefined));
        Assert.IsNull(ElementTypeTable.Find((DataType)999));
    }

    [TestMethod]
    [DataRow(DataType.Float, 32, "<f4", 8L)]
    [DataRow(DataType.Double, 64, "<f8", 16L)]
    [DataRow(DataType.Float16, 16, "<f2", 4L)]
    [DataRow(DataType.Bool, 8, "|b1", 2L)]
    [DataRow(DataType.Uint64, 64, "<u8", 16L)]
    [DataRow(DataType.Complex64, 64, "<c8", 16L)]
    [DataRow(DataType.Bfloat16, 16, null, 4L)]
    [DataRow(DataType.Int4, 4, null, 1L)]
    [DataRow(DataType.Uint2, 2, null, 1L)]
    public void RowsHoldThePublishedFacts(DataType type, int bits, string? npy, long bytesForTwo)
    {
        // Facts from the ONNX and NumPy specifications, written out rather than read back from the table.
        Assert.AreEqual(bits, ElementTypes.BitsPerElement(type));
        Assert.AreEqual(npy, NpyDtype.DescrFor(type));
        Assert.AreEqual(bytesForTwo, ElementTypes.ByteCount(type, 2), "two elements (4-bit and 2-bit types share a byte)");
    }

    [TestMethod]
    [DynamicData(nameof(Rows))]
    public void ElementTypesReadsTheRow(DataType type)
    {
        var row = ElementTypeTable.Find(type)!;
        Assert.AreEqual(row.Bits, ElementTypes.BitsPerElement(type));
        Assert.AreEqual(row.Name, ElementTypes.Name(type));
        Assert.AreEqual(type.ToString().ToLowerInvariant(), row.Name,
            "the ONNX name is the enum name in lower case");
        Assert.AreEqual(row.Bits == 0 ? -1 : (5L * row.Bits + 7) / 8, ElementTypes.ByteCount(type, 5));
    }

    [TestMethod]
    [DynamicData(nameof(Rows))]
    public void NpyDescrRoundTripsThroughTheParser(DataType type)
    {
        var descr = NpyDtype.DescrFor(type);
        Assert.AreEqual(ElementTypeTable.Find(type)!.NpyDescr, descr);
        if (descr is null)
        {
            return;
        }

        var parsed = NpyDtype.Parse(descr, "t.npy");
        Assert.AreEqual(type, parsed.ElementType);
        Assert.AreEqual(ElementTypes.BitsPerElement(type) / 8, parsed.ItemSize);
        Assert.AreEqual(type, NpyDtype.Parse(">" + descr[1..], "t.npy").ElementType);
    }

    [TestMethod]
    public void NpyTypesWithoutADescrAreRefused()
    {
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => NpyDtype.Parse("<f16", "t.npy"));
        Assert.AreEqual(DiagnosticCodes.NpyDtypeUnsupported.Code, ex.Code);
    }

    [TestMethod]
    [DynamicData(nameof(Rows))]
    public void TheCodecDecodesTheTypedFieldTheRowNames(DataType type)
    {
        var row = ElementTypeTable.Find(type)!;
        const long count = 5;
        var proto = new TensorProto { Name = "t", DataType = (int)type, Dims = { count } };
        Fill(proto, row.Field, row.FieldCount(count));

        var value = OnnxTensorCodec.ToTensorValue(proto);
        Assert.AreEqual(type, value.ElementType);
        if (type == DataType.String)
        {
            Assert.AreEqual((int)count, value.Strings!.Length);
        }
        else
        {
            Assert.AreEqual(ElementTypes.ByteCount(type, count), value.Data.Length);
        }

        var wrong = row.Field == TypedDataField.Int64 ? TypedDataField.Double : TypedDataField.Int64;
        var misplaced = new TensorProto { Name = "t", DataType = (int)type, Dims = { count } };
        Fill(misplaced, wrong, count);
        Assert.ThrowsExactly<BuildConvertException>(() => OnnxTensorCodec.ToTensorValue(misplaced));
    }

    [TestMethod]
    public void FieldCountsFollowThePackingRatio()
    {
        Assert.AreEqual(10, ElementTypeTable.Find(DataType.Complex64)!.FieldCount(5));
        Assert.AreEqual(3, ElementTypeTable.Find(DataType.Int4)!.FieldCount(5));
        Assert.AreEqual(2, ElementTypeTable.Find(DataType.Uint2)!.FieldCount(5));
        Assert.AreEqual(5, ElementTypeTable.Find(DataType.Float)!.FieldCount(5));
        Assert.AreEqual("uint64_data", ElementTypeTable.Find(DataType.Uint32)!.FieldName);
    }

    private static void Fill(TensorProto proto, TypedDataField field, long entries)
    {
        for (var i = 0; i < entries; i++)
        {
            switch (field)
            {
                case TypedDataField.Float: proto.FloatData.Add(0); break;
                case TypedDataField.Double: proto.DoubleData.Add(0); break;
                case TypedDataField.Int32: proto.Int32Data.Add(0); break;
                case TypedDataField.Int64: proto.Int64Data.Add(0); break;
                case TypedDataField.Uint64: proto.Uint64Data.Add(0); break;
                case TypedDataField.String: proto.StringData.Add(ByteString.CopyFromUtf8("s")); break;
            }
        }
    }
}
