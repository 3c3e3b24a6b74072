using System.Buffers;
using System.Buffers.Binary;
using System.Collections;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Runtime.InteropServices;
using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TorchScript;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Formats.TorchScript;

/// <summary>
/// The pickle machine: protocols 2 to 5 as CPython writes them (the hex below is <c>pickle.dumps(value, protocol=p)</c>
/// from Debian's Python 3.11, cross-checked against Razorvine.Pickle, an independent decoder), the allow-list of
/// globals (hostile pickles CPython wrote with <c>__reduce__</c> returning os.system, eval, exec, subprocess.Popen),
/// and tensors over storages: contiguous views are slices of the mapped file, others one gathered copy.
/// </summary>
[TestClass]
public sealed class TorchPickleTests
{
    // value = {'ints': [0, 1, -1, 255, 256, 65535, 65536, -2**31, 2**31, 2**40, -2**63, 2**63-1],
    //          'floats': [0.0, -1.5, 1e300, 3.141592653589793], 'flags': (True, False, None),
    //          'text': ['', 'x', 'h\u00e9llo \u2603', 'a'*300], 'nested': ((1, (2, 3)), [[4], []], {'k': {'j': 1}}),
    //          'shared': (s, s)} with s = ['same']
    private static readonly string A300 = string.Concat(Enumerable.Repeat("61", 300));

    private static readonly string Protocol2 = "80027d7100285804000000696e747371015d7102284b004b014affffffff4bff4d00014dffff4a000001004a000000808a0500000080008a060000000000018a0800000000000000808a08ffffffffffffff7f655806000000666c6f61747371035d71042847000000000000000047bff8000000000000477e37e43c8800759c47400921fb54442d18655805000000666c616773710588894e87710658040000007465787471075d71082858000000007109580100000078710a580a00000068c3a96c6c6f20e29883710b582c010000" + A300 + "710c6558060000006e6573746564710d4b014b024b0386710e86710f5d7110285d71114b04615d7112657d711358010000006b71147d711558010000006a71164b017373877117580600000073686172656471185d7119580400000073616d65711a61681986711b752e";
    private static readonly string Protocol3 = "80037d7100285804000000696e747371015d7102284b004b014affffffff4bff4d00014dffff4a000001004a000000808a0500000080008a060000000000018a0800000000000000808a08ffffffffffffff7f655806000000666c6f61747371035d71042847000000000000000047bff8000000000000477e37e43c8800759c47400921fb54442d18655805000000666c616773710588894e87710658040000007465787471075d71082858000000007109580100000078710a580a00000068c3a96c6c6f20e29883710b582c010000" + A300 + "710c6558060000006e6573746564710d4b014b024b0386710e86710f5d7110285d71114b04615d7112657d711358010000006b71147d711558010000006a71164b017373877117580600000073686172656471185d7119580400000073616d65711a61681986711b752e";
    private static readonly string Protocol4 = "80049524020000000000007d94288c04696e7473945d94284b004b014affffffff4bff4d00014dffff4a000001004a000000808a0500000080008a060000000000018a0800000000000000808a08ffffffffffffff7f658c06666c6f617473945d942847000000000000000047bff8000000000000477e37e43c8800759c47400921fb54442d18658c05666c6167739488894e87948c0474657874945d94288c00948c0178948c0a68c3a96c6c6f20e2988394582c010000" + A300 + "94658c066e6573746564944b014b024b03869486945d94285d944b04615d94657d948c016b947d948c016a944b01737387948c06736861726564945d948c0473616d65946168198694752e";
    private static readonly string Protocol5 = "80059524020000000000007d94288c04696e7473945d94284b004b014affffffff4bff4d00014dffff4a000001004a000000808a0500000080008a060000000000018a0800000000000000808a08ffffffffffffff7f658c06666c6f617473945d942847000000000000000047bff8000000000000477e37e43c8800759c47400921fb54442d18658c05666c6167739488894e87948c0474657874945d94288c00948c0178948c0a68c3a96c6c6f20e2988394582c010000" + A300 + "94658c066e6573746564944b014b024b03869486945d94285d944b04615d94657d948c016b947d948c016a944b01737387948c06736861726564945d948c0473616d65946168198694752e";

    [TestMethod]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(4)]
    [DataRow(5)]
    public void PlainDataOfEachProtocolReadsAsRazorvineReadsIt(int protocol)
    {
        var bytes = Convert.FromHexString(protocol switch { 2 => Protocol2, 3 => Protocol3, 4 => Protocol4, _ => Protocol5 });
        var ours = Load(bytes);
        using var razorvine = new Razorvine.Pickle.Unpickler();
        var theirs = razorvine.loads(bytes);
        Assert.AreEqual(Canonical(theirs), Canonical(ours));

        var dict = (TorchDict)ours!;
        CollectionAssert.AreEqual(new object[] { "ints", "floats", "flags", "text", "nested", "shared" }, dict.Keys.ToArray(), "Python's item order");
        var ints = (IReadOnlyList<object?>)dict["ints"]!;
        Assert.AreEqual(long.MinValue, ints[10]);
        Assert.AreEqual(long.MaxValue, ints[11]);
        Assert.AreEqual(1L << 40, ints[9]);
        Assert.AreEqual(1e300, ((IReadOnlyList<object?>)dict["floats"]!)[2]);
        Assert.AreEqual("h\u00e9llo \u2603", ((IReadOnlyList<object?>)dict["text"]!)[2]);
        Assert.IsInstanceOfType<object?[]>(dict["flags"], "tuples are arrays");
        Assert.IsInstanceOfType<ReadOnlyCollection<object?>>(dict["text"], "lists are read-only lists");
        var shared = (object?[])dict["shared"]!;
        Assert.AreSame(shared[0], shared[1], "a memoized value is one value");
    }

    [TestMethod]
    [DataRow("800263636f6c6c656374696f6e730a4f726465726564446963740a7100295271012858010000006271024b0158010000006171034b02752e")]
    [DataRow("80049530000000000000008c0b636f6c6c656374696f6e73948c0b4f72646572656444696374949394295294288c0162944b018c0161944b02752e")]
    [DataRow("80059530000000000000008c0b636f6c6c656374696f6e73948c0b4f72646572656444696374949394295294288c0162944b018c0161944b02752e")]
    public void AnOrderedDictKeepsItsOrderWhetherNamedByGlobalOrStackGlobal(string hex)
    {
        var dict = (TorchDict)Load(Convert.FromHexString(hex))!;
        CollectionAssert.AreEqual(new object[] { "b", "a" }, dict.Keys.ToArray());
        Assert.AreEqual(2L, dict["a"]);
    }

    // CPython's pickles of an object whose __reduce__ returns (f, args): REDUCE of the global f.
    [TestMethod]
    [DataRow("800263706f7369780a73797374656d0a7100580b000000746f7563682050574e454471018571025271032e", "posix.system")]
    [DataRow("80049526000000000000008c05706f736978948c0673797374656d9493948c0b746f7563682050574e454494859452942e", "posix.system")]
    [DataRow("8002635f5f6275696c74696e5f5f0a6576616c0a710058010000003171018571025271032e", "__builtin__.eval")]
    [DataRow("8004951d000000000000008c086275696c74696e73948c046576616c9493948c013194859452942e", "builtins.eval")]
    [DataRow("800263636f6d6d616e64730a506f70656e0a71005d7101285805000000746f7563687102580500000050574e45447103658571045271052e", "commands.Popen")]
    [DataRow("80049530000000000000008c0a73756270726f63657373948c05506f70656e9493945d94288c05746f756368948c0550574e45449465859452942e", "subprocess.Popen")]
    [DataRow("8002635f5f6275696c74696e5f5f0a657865630a710058010000003171018571025271032e", "__builtin__.exec")]
    [DataRow("8004951d000000000000008c086275696c74696e73948c04657865639493948c013194859452942e", "builtins.exec")]
    public void AHostileGlobalIsRefusedByName(string hex, string global)
    {
        var e = Assert.ThrowsExactly<BuildConvertException>(() => Load(Convert.FromHexString(hex)));
        Assert.AreEqual("BCONV1312", e.Code);
        StringAssert.Contains(e.Message, $"'{global}'");
        StringAssert.Contains(e.Message, "test.pkl");
    }

    [TestMethod]
    [DataRow("os", "system")]
    [DataRow("builtins", "eval")]
    [DataRow("subprocess", "Popen")]
    [DataRow("nt", "system")]
    [DataRow("builtins", "getattr")]
    [DataRow("torch", "load")]
    public void AHostileGlobalInDataPklIsRefusedThroughTheArchive(string module, string name)
    {
        // The attribute's value is module.name('touch PWNED'): GLOBAL, argument tuple, REDUCE.
        var pickle = new PickleBuilder().BeginObject("__torch__", "M")
            .Str("w").Global(module, name).Mark().Str("touch PWNED").Tuple().Op((byte)'R')
            .EndObject().Stop();
        var zip = TorchArchives.Standard(pickle, TorchArchives.Floats(1, 2, 3, 4)).Build();
        var e = TorchArchiveHostileTests.Refused(zip, "BCONV1312");
        StringAssert.Contains(e.Message, $"'{module}.{name}'");
        StringAssert.Contains(e.Message, "m/data.pkl");
    }

    [TestMethod]
    public void CallingAStorageTypeIsRefused()
    {
        var pickle = new PickleBuilder().Global("torch", "FloatStorage").Mark().Int(4).Tuple().Op((byte)'R').Stop();
        var e = Assert.ThrowsExactly<BuildConvertException>(() => Load(pickle));
        Assert.AreEqual("BCONV1312", e.Code);
        StringAssert.Contains(e.Message, "torch.FloatStorage");
    }

    [TestMethod]
    public void ATorchScriptClassIsNeverCalledWithArguments()
    {
        var pickle = new PickleBuilder().Global("__torch__", "M").Mark().Str("x").Tuple().Op((byte)'R').Stop();
        Assert.AreEqual("BCONV1313", Assert.ThrowsExactly<BuildConvertException>(() => Load(pickle)).Code);
    }

    [TestMethod]
    [DataRow("torch._utils", "_rebuild_qtensor", "BCONV1318")]
    [DataRow("torch", "QInt8Storage", "BCONV1318")]
    [DataRow("torch", "QUInt4x2Storage", "BCONV1318")]
    [DataRow("torch.storage", "_load_from_bytes", "BCONV1319")]
    [DataRow("torch._utils", "_rebuild_sparse_tensor", "BCONV1319")]
    [DataRow("torch", "ComplexHalfStorage", "BCONV1319")]
    public void TensorKindsThatAreNotReadAreNamed(string module, string name, string code)
    {
        var pickle = new PickleBuilder().Global(module, name).Stop();
        var e = Assert.ThrowsExactly<BuildConvertException>(() => Load(pickle));
        Assert.AreEqual(code, e.Code);
        StringAssert.Contains(e.Message, $"{module}.{name}");
    }

    [TestMethod]
    [DataRow("8004", "ends without a STOP", "BCONV1313")]
    [DataRow("80025d", "ends without a STOP", "BCONV1313")]
    [DataRow("80026807", "never written", "BCONV1313")] // BINGET of an empty memo
    [DataRow("8002ff", "unknown opcode", "BCONV1313")]
    [DataRow("80022e", "empty stack", "BCONV1313")]
    [DataRow("8002584000000061", "past the end", "BCONV1313")] // BINUNICODE longer than the pickle
    [DataRow("80028f2e", "sets", "BCONV1314")]
    [DataRow("8005972e", "out-of-band", "BCONV1314")]
    [DataRow("8006", "protocol 6", "BCONV1314")]
    [DataRow("80028a0901000000000000000100", "wider than 64 bits", "BCONV1314")]
    public void AMalformedOrUnsupportedPickleIsCoded(string hex, string text, string code)
    {
        var e = Assert.ThrowsExactly<BuildConvertException>(() => Load(Convert.FromHexString(hex)));
        Assert.AreEqual(code, e.Code, e.Message);
        StringAssert.Contains(e.Message, text);
    }

    [TestMethod]
    public void NestingPastTheLimitIsRefused()
    {
        var builder = new PickleBuilder();
        for (var i = 0; i < 2000; i++)
        {
            builder.Op((byte)']');
        }

        for (var i = 0; i < 1999; i++)
        {
            builder.Op((byte)'a');
        }

        var e = Assert.ThrowsExactly<BuildConvertException>(() => Load(builder.Stop()));
        Assert.AreEqual("BCONV1307", e.Code);
    }

    [TestMethod]
    public void AListThatContainsItselfIsRefused()
    {
        // EMPTY_LIST, BINPUT 0, BINGET 0, APPEND: l = []; l.append(l)
        var e = Assert.ThrowsExactly<BuildConvertException>(() => Load(Convert.FromHexString("80025d71006800612e")));
        Assert.AreEqual("BCONV1313", e.Code);
        StringAssert.Contains(e.Message, "cycle");
    }

    [TestMethod]
    public void AnObjectWithSetStateKeepsItsStateForTheInterpreter()
    {
        var pickle = new PickleBuilder().Global("__torch__", "Packed").Op((byte)')', 0x81).Mark().Int(3).Str("x").Tuple().Op((byte)'b').Stop();
        var obj = (TorchObject)Load(pickle)!;
        Assert.AreEqual("__torch__.Packed", obj.QualifiedName);
        Assert.IsTrue(obj.TryGet(TorchScriptProgram.StateAttribute, out var state));
        CollectionAssert.AreEqual(new object?[] { 3L, "x" }, (object?[])state!);
    }

    [TestMethod]
    public void AContiguousTensorIsASliceOfTheMappedFile()
    {
        var floats = TorchArchives.Floats(1, 2, 3, 4, 5, 6);
        var zip = TorchArchives.Standard(TorchArchives.ModuleWithTensor(6, 2, new long[] { 2, 2 }, new long[] { 2, 1 }), floats).Build();
        var program = TorchArchiveHostileTests.Read(zip, out _);
        Assert.IsTrue(program.Module.TryGet("w", out var w));
        var tensor = (TorchTensorConstant)w!;
        var bytes = tensor.Data.Bytes;
        Assert.IsFalse(MemoryMarshal.TryGetArray(bytes, out _), "the tensor's bytes were copied into an array");
        Assert.IsTrue(MemoryMarshal.TryGetMemoryManager<byte, MemoryManager<byte>>(bytes, out var manager, out var start, out var length));
        Assert.AreEqual(16, length);
        var whole = program.Archive.Read("data/0");
        Assert.IsTrue(MemoryMarshal.TryGetMemoryManager<byte, MemoryManager<byte>>(whole, out var storageManager, out var storageStart, out _));
        Assert.AreSame(storageManager, manager, "not the archive's mapping");
        Assert.AreEqual(storageStart + 8, start, "storage offset 2 floats");
        Assert.AreEqual(0, storageStart % 64, "the storage lies where the zip put it: 64-byte aligned, as PyTorch writes it");
        CollectionAssert.AreEqual(new[] { 3f, 4f, 5f, 6f }, MemoryMarshal.Cast<byte, float>(bytes.Span).ToArray());
    }

    [TestMethod]
    public void ANonContiguousTensorIsGatheredOnce()
    {
        // A transposed [3,2] view of a [2,3] storage: element (i, j) is storage[j * 3 + i].
        var zip = TorchArchives.Standard(TorchArchives.ModuleWithTensor(6, 0, new long[] { 3, 2 }, new long[] { 1, 3 }), TorchArchives.Floats(1, 2, 3, 4, 5, 6)).Build();
        var tensor = Tensor(zip);
        Assert.IsTrue(MemoryMarshal.TryGetArray(tensor.Data.Bytes, out var segment), "a gathered tensor owns one array");
        Assert.AreEqual(24, segment.Count);
        CollectionAssert.AreEqual(new long[] { 3, 2 }, tensor.Data.Dims);
        CollectionAssert.AreEqual(new[] { 1f, 4f, 2f, 5f, 3f, 6f }, MemoryMarshal.Cast<byte, float>(tensor.Data.Bytes.Span).ToArray());
    }

    [TestMethod]
    public void AnExpandedAndAnOffsetStridedTensorGatherTheRightElements()
    {
        // expand: [2,3] with strides [0,1] over 3 elements from offset 1.
        var expanded = Tensor(TorchArchives.Standard(TorchArchives.ModuleWithTensor(4, 1, new long[] { 2, 3 }, new long[] { 0, 1 }), TorchArchives.Floats(1, 2, 3, 4)).Build());
        CollectionAssert.AreEqual(new[] { 2f, 3f, 4f, 2f, 3f, 4f }, MemoryMarshal.Cast<byte, float>(expanded.Data.Bytes.Span).ToArray());
        // every other element: [2] strides [2] from offset 1.
        var strided = Tensor(TorchArchives.Standard(TorchArchives.ModuleWithTensor(4, 1, new long[] { 2 }, new long[] { 2 }), TorchArchives.Floats(1, 2, 3, 4)).Build());
        CollectionAssert.AreEqual(new[] { 2f, 4f }, MemoryMarshal.Cast<byte, float>(strided.Data.Bytes.Span).ToArray());
        // a scalar and an empty tensor.
        var scalar = Tensor(TorchArchives.Standard(TorchArchives.ModuleWithTensor(4, 3, Array.Empty<long>(), Array.Empty<long>()), TorchArchives.Floats(1, 2, 3, 4)).Build());
        Assert.AreEqual(4f, MemoryMarshal.Cast<byte, float>(scalar.Data.Bytes.Span)[0]);
        var empty = Tensor(TorchArchives.Standard(TorchArchives.ModuleWithTensor(4, 0, new long[] { 0, 5 }, new long[] { 5, 1 }), TorchArchives.Floats(1, 2, 3, 4)).Build());
        Assert.AreEqual(0, empty.Data.Bytes.Length);
    }

    [TestMethod]
    public void ABigEndianArchiveIsByteSwapped()
    {
        var big = new byte[16];
        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteSingleBigEndian(big.AsSpan(i * 4), i + 1.5f);
        }

        var zip = TorchArchives.Standard(TorchArchives.ModuleWithTensor(4, 0, new long[] { 4 }, new long[] { 1 }), big, byteOrder: "big").Build();
        var tensor = Tensor(zip);
        CollectionAssert.AreEqual(new[] { 1.5f, 2.5f, 3.5f, 4.5f }, MemoryMarshal.Cast<byte, float>(tensor.Data.Bytes.Span).ToArray());
    }

    [TestMethod]
    [DataRow("FloatStorage", DataType.Float, 4)]
    [DataRow("DoubleStorage", DataType.Double, 8)]
    [DataRow("HalfStorage", DataType.Float16, 2)]
    [DataRow("BFloat16Storage", DataType.Bfloat16, 2)]
    [DataRow("LongStorage", DataType.Int64, 8)]
    [DataRow("IntStorage", DataType.Int32, 4)]
    [DataRow("ShortStorage", DataType.Int16, 2)]
    [DataRow("CharStorage", DataType.Int8, 1)]
    [DataRow("ByteStorage", DataType.Uint8, 1)]
    [DataRow("BoolStorage", DataType.Bool, 1)]
    [DataRow("ComplexFloatStorage", DataType.Complex64, 8)]
    [DataRow("ComplexDoubleStorage", DataType.Complex128, 16)]
    [DataRow("Float8_e4m3fnStorage", DataType.Float8E4M3Fn, 1)]
    [DataRow("Float8_e5m2Storage", DataType.Float8E5M2, 1)]
    public void EachStorageTypeBuildsItsOnnxElementType(string storage, DataType type, int size)
    {
        var bytes = new byte[3 * size];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = storage == "BoolStorage" ? (byte)(i % 2) : (byte)(i + 1);
        }

        var tensor = Tensor(TorchArchives.Standard(TorchArchives.ModuleWithTensor(3, 0, new long[] { 3 }, new long[] { 1 }, storage), bytes).Build());
        Assert.AreEqual(type, tensor.Data.ElementType);
        CollectionAssert.AreEqual(bytes, tensor.Data.Bytes.ToArray());
    }

    [TestMethod]
    [DoNotParallelize]
    public void ReadingAnArchiveAllocatesNoCopyOfItsWeights()
    {
        const int weightBytes = 64 << 20;
        var storage = new byte[weightBytes];
        new Random(8).NextBytes(storage);
        var zip = TorchArchives.Standard(TorchArchives.ModuleWithTensor(weightBytes / 4, 0, new long[] { weightBytes / 4 }, new long[] { 1 }), storage).Build();
        storage = null;
        using var scratch = new Pipeline.ScratchFolder();
        var path = Path.Combine(scratch.Path, "big.pt");
        File.WriteAllBytes(path, zip);
        zip = null;
        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var program = TorchScriptProgram.Read(path);
        Assert.IsTrue(program.Module.TryGet("w", out var w));
        var sum = 0L;
        foreach (var b in ((TorchTensorConstant)w!).Data.Bytes.Span)
        {
            sum += b;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.IsGreaterThan(0L, sum);
        Assert.IsLessThan(weightBytes / 10, allocated, $"reading an archive with {weightBytes >> 20} MiB of weights allocated {allocated >> 20} MiB");
    }

    private static TorchTensorConstant Tensor(byte[] zip)
    {
        var program = TorchArchiveHostileTests.Read(zip, out _);
        Assert.IsTrue(program.Module.TryGet("w", out var w));
        return (TorchTensorConstant)w!;
    }

    private static object? Load(byte[] pickle) => TorchPickle.Load(pickle, "test", "test.pkl",
        (_, key, _, _, _) => throw new AssertFailedException($"unexpected storage {key}"), TorchArchiveReadOptions.Default);

    private static string Canonical(object? value) => value switch
    {
        null or TorchNone => "None",
        bool b => b ? "True" : "False",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        System.Numerics.BigInteger n => n.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s => "'" + s + "'",
        object?[] t => "(" + string.Join(", ", t.Select(Canonical)) + ")",
        TorchDict d => "{" + string.Join(", ", d.Items.Select(kv => $"{Canonical(kv.Key)}: {Canonical(kv.Value)}").Order(StringComparer.Ordinal)) + "}",
        Hashtable h => "{" + string.Join(", ", h.Keys.Cast<object>().Select(k => $"{Canonical(k)}: {Canonical(h[k])}").Order(StringComparer.Ordinal)) + "}",
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Canonical)) + "]",
        _ => value.GetType().Name,
    };
}
