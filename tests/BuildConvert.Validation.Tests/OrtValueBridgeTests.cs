using System.Runtime.InteropServices;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Values;
using BuildConvert.Validation.Tests.TestModels;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Validation.Tests;

[TestClass]
public sealed class OrtValueBridgeTests
{
    private static DataValue RunIdentity(Core.Formats.Onnx.Proto.TypeProto type, DataValue input)
    {
        using var session = new InferenceSession(OnnxModels.Bytes(OnnxModels.Identity(type)));
        using var x = OrtValueBridge.ToOrtValue(input);
        using var options = new RunOptions();
        using var outputs = session.Run(options, ["x"], [x], ["y"]);
        return OrtValueBridge.FromOrtValue("y", outputs[0]);
    }

    private static TensorValue Make<T>(DataType type, long[] shape, params T[] values)
        where T : struct => new("x", type, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public static IEnumerable<object[]> NumericTensors()
    {
        yield return [Make(DataType.Float, [2, 2], 1.5f, -0.0f, float.NaN, float.PositiveInfinity)];
        yield return [Make(DataType.Double, [3], 0.1, double.MaxValue, double.Epsilon)];
        yield return [Make(DataType.Float16, [2], (Half)0.1, Half.NegativeInfinity)];
        yield return [Make(DataType.Bfloat16, [2], (ushort)0x3F80, (ushort)0xC049)];
        yield return [Make(DataType.Int8, [2], (sbyte)-128, (sbyte)127)];
        yield return [Make(DataType.Int16, [1], short.MinValue)];
        yield return [Make(DataType.Int32, [1, 1, 2], int.MinValue, int.MaxValue)];
        yield return [Make(DataType.Int64, [2], long.MinValue, 9007199254740993L)];
        yield return [Make(DataType.Uint8, [3], (byte)0, (byte)1, (byte)255)];
        yield return [Make(DataType.Uint16, [1], ushort.MaxValue)];
        yield return [Make(DataType.Uint32, [1], uint.MaxValue)];
        yield return [Make(DataType.Uint64, [1], ulong.MaxValue)];
        yield return [Make(DataType.Bool, [2], (byte)1, (byte)0)];
        yield return [Make(DataType.Float, [], 42f)];
        yield return [Make<float>(DataType.Float, [0, 4])];
    }

    [TestMethod]
    [DynamicData(nameof(NumericTensors))]
    public void NumericTensorsRoundTripThroughOnnxRuntimeBitForBit(TensorValue input)
    {
        var output = (TensorValue)RunIdentity(OnnxModels.Tensor(input.ElementType, input.Shape), input);
        Assert.AreEqual(input.ElementType, output.ElementType);
        CollectionAssert.AreEqual(input.Shape, output.Shape);
        CollectionAssert.AreEqual(input.Data.ToArray(), output.Data.ToArray());
        Assert.AreEqual("y", output.Name);
    }

    [TestMethod]
    public void StringTensorsRoundTrip()
    {
        var input = new TensorValue("x", DataType.String, [2, 2], default, ["", "abc", "héllo ✓", "tab\there"]);
        var output = (TensorValue)RunIdentity(OnnxModels.Tensor(DataType.String, 2, 2), input);
        CollectionAssert.AreEqual(input.Strings, output.Strings);
        CollectionAssert.AreEqual(input.Shape, output.Shape);
    }

    [TestMethod]
    public void SequencesRoundTrip()
    {
        var input = new SequenceValue("x", 1, [Make(DataType.Int64, [2], 1L, 2L), Make(DataType.Int64, [1], 3L)]);
        var output = (SequenceValue)RunIdentity(OnnxModels.Sequence(OnnxModels.Tensor(DataType.Int64, -1)), input);
        Assert.HasCount(2, output.Items);
        CollectionAssert.AreEqual(new long[] { 1, 2 }, MemoryMarshal.Cast<byte, long>(((TensorValue)output.Items[0]).Data.Span).ToArray());
        CollectionAssert.AreEqual(new long[] { 1 }, ((TensorValue)output.Items[1]).Shape);
    }

    [TestMethod]
    public void MapsAreBuiltAndRead()
    {
        var keys = Make(DataType.Int64, [2], 7L, 9L);
        var map = new MapValue("m", keys, new SequenceValue("m", 1, [Make(DataType.Float, [], 1.5f), Make(DataType.Float, [], 2.5f)]));
        using var value = OrtValueBridge.ToOrtValue(map);
        Assert.AreEqual(OnnxValueType.ONNX_TYPE_MAP, value.OnnxType);
        var back = (MapValue)OrtValueBridge.FromOrtValue("m", value);
        CollectionAssert.AreEqual(keys.Data.ToArray(), back.Keys.Data.ToArray());
        Assert.AreEqual(2.5, ((TensorValue)back.Values.Items[1]).GetDouble(0));
    }

    [TestMethod]
    [DataRow(DataType.Float8E4M3Fn)]
    [DataRow(DataType.Float8E5M2)]
    [DataRow(DataType.Int4)]
    [DataRow(DataType.Complex64)]
    public void TypesTheDotNetApiCannotBuildAreCodedErrors(DataType type)
    {
        var tensor = new TensorValue("q", type, [2], new byte[(int)ElementTypes.ByteCount(type, 2)]);
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => OrtValueBridge.ToOrtValue(tensor));
        Assert.AreEqual(DiagnosticCodes.UnsupportedRuntimeType.Code, ex.Code);
        StringAssert.Contains(ex.Message, ElementTypes.Name(type));
        Assert.IsFalse(OrtValueBridge.IsSupported(type));
    }

    [TestMethod]
    public void DataThatDoesNotFitItsShapeIsACodedError()
    {
        var ex = Assert.ThrowsExactly<BuildConvertException>(() => OrtValueBridge.ToOrtValue(new TensorValue("x", DataType.Float, [3], new byte[8])));
        Assert.AreEqual(DiagnosticCodes.GoldenInputMismatch.Code, ex.Code);
        var strings = Assert.ThrowsExactly<BuildConvertException>(() => OrtValueBridge.ToOrtValue(new TensorValue("x", DataType.String, [3], default, ["a"])));
        Assert.AreEqual(DiagnosticCodes.GoldenInputMismatch.Code, strings.Code);
    }

    [TestMethod]
    public void EmptyOptionalsAndSequencesCannotBeBuilt()
    {
        Assert.ThrowsExactly<BuildConvertException>(() => OrtValueBridge.ToOrtValue(new OptionalValue("o", 1, null)));
        Assert.ThrowsExactly<BuildConvertException>(() => OrtValueBridge.ToOrtValue(new SequenceValue("s", 1, [])));
        using var present = OrtValueBridge.ToOrtValue(new OptionalValue("o", 1, Make(DataType.Float, [1], 1f)));
        Assert.IsTrue(present.IsTensor);
    }

    [TestMethod]
    public void TheElementTypeTableMapsToOrtTypesOfTheSameName()
    {
        var bridged = 0;
        foreach (var row in ElementTypeTable.All)
        {
            var ok = OrtValueBridge.TryGetOrtType(row.Type, out var ortType);
            Assert.AreEqual(row.OrtBridged, ok, row.Name);
            if (!ok)
            {
                continue;
            }

            bridged++;
            Assert.AreEqual(row.Name, ortType.ToString().ToLowerInvariant(), "ONNX Runtime numbers its element types as ONNX does");
            Assert.AreEqual(row.Type, OrtValueBridge.ToOnnxType(ortType));
        }

        Assert.AreEqual(14, bridged);
        Assert.AreEqual(DataType.Undefined, OrtValueBridge.ToOnnxType(TensorElementType.Complex64));
    }
}
