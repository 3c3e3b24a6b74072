using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Numerics;
using System.Text;
using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Formats.TorchScript;

/// <summary>
/// A pickle machine for the pickles of TorchScript archives (<c>data.pkl</c>, <c>constants.pkl</c>,
/// <c>traced_inputs.pkl</c>, version 1-2's <c>attributes.pkl</c>): protocols 0 to 5 as Python's <c>pickle</c> module
/// reads them (Lib/pickle.py's opcode table), building data only. A global is resolved against an allow-list when
/// the GLOBAL (or STACK_GLOBAL, INST) opcode names it, before anything could use it: tensor rebuild functions, storage
/// types (only as persistent-id tags), <c>collections.OrderedDict</c>, <c>torch.device</c>, the
/// <c>torch.jit._pickle</c> type-tag helpers, and classes under <c>__torch__</c>, which become
/// <see cref="TorchObject"/>s from their pickled state and are never called. Anything else is BCONV1312, naming the
/// global, the pickle and the offset; nothing from the file is ever executed.
/// </summary>
/// <remarks>
/// Razorvine.Pickle (1.5.0) was measured and not used: it resolves globals through a static, process-wide constructor
/// registry with no per-instance hook (load_global_sub is private), so an allow-list cannot be enforced per reader, and
/// any library in the process that registers constructors (TorchSharp.PyBridge registers the tensor rebuild function)
/// changes what it builds; it refuses arguments to globals it does not know (tensors would need a static registration);
/// it reads dictionaries into Hashtables, losing the item order TorchScript attributes and dicts keep; and BUILD calls
/// <c>__setstate__</c> through reflection, which the tool's ahead-of-time build cannot analyse.
/// Values: <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="string"/>, <see cref="byte"/>[]
/// (bytes), <see cref="TorchNone.Instance"/>, tuples as <see cref="object"/>[], lists as
/// <see cref="ReadOnlyCollection{T}"/> of object, <see cref="TorchDict"/>, <see cref="TorchObject"/>,
/// <see cref="TorchTensorConstant"/> and <see cref="TorchTensorSpec"/>.
/// </remarks>
internal sealed class TorchPickle
{
    private static readonly object Mark = new();

    private readonly ReadOnlyMemory<byte> data;
    private readonly string path;
    private readonly string pickle;
    private readonly Func<TorchPickleGlobal, string, string, long, long, TorchStorage> storages;
    private readonly Func<long, object?>? tensorFromId;
    private readonly TorchArchiveReadOptions options;
    private readonly List<object?> stack = new();
    private readonly List<int> marks = new();
    private readonly Dictionary<long, object?> memo = new();
    private int position;
    private int opcodeOffset;
    private byte opcode;

    private TorchPickle(ReadOnlyMemory<byte> data, string path, string pickle, Func<TorchPickleGlobal, string, string, long, long, TorchStorage> storages, Func<long, object?>? tensorFromId, TorchArchiveReadOptions options)
    {
        this.data = data;
        this.path = path;
        this.pickle = pickle;
        this.storages = storages;
        this.tensorFromId = tensorFromId;
        this.options = options;
    }

    /// <summary>
    /// Reads the pickle <paramref name="data"/>. <paramref name="storages"/> resolves a persistent id
    /// <c>('storage', type, key, location, numel)</c> (arguments: the storage type, key, location, numel, and the
    /// opcode offset); <paramref name="tensorFromId"/>, when given, resolves <c>torch.jit._pickle.build_tensor_from_id</c>
    /// (version 1-2 archives' tensor table).
    /// </summary>
    /// <exception cref="BuildConvertException">BCONV1312-1320 and BCONV1307 for a pickle that is hostile, malformed or
    /// holds something TorchScript archives cannot.</exception>
    public static object? Load(ReadOnlyMemory<byte> data, string path, string pickle, Func<TorchPickleGlobal, string, string, long, long, TorchStorage> storages, TorchArchiveReadOptions options, Func<long, object?>? tensorFromId = null)
    {
        var machine = new TorchPickle(data, path, pickle, storages, tensorFromId, options);
        var raw = machine.Run();
        return new Freezer(machine).Freeze(raw, 0);
    }

    private object? Run()
    {
        var span = data.Span;
        while (true)
        {
            if (position >= span.Length)
            {
                throw Malformed("the pickle ends without a STOP opcode", atEnd: true);
            }

            opcodeOffset = position;
            opcode = span[position++];
            switch (opcode)
            {
                case (byte)'.': // STOP
                    var result = Pop();
                    if (stack.Count != 0 || marks.Count != 0)
                    {
                        throw Malformed($"STOP leaves {stack.Count} values and {marks.Count} marks on the stack");
                    }

                    return result;
                case 0x80: // PROTO
                    var protocol = ReadByte();
                    if (protocol > 5)
                    {
                        throw Unsupported($"pickle protocol {protocol} (protocols 0 to 5 are read)");
                    }

                    break;
                case 0x95: // FRAME
                    var frame = BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
                    if (frame > (ulong)(span.Length - position))
                    {
                        throw Malformed($"a FRAME of {frame} bytes runs past the end of the pickle", atEnd: true);
                    }

                    break;
                case (byte)'(': // MARK
                    marks.Add(stack.Count);
                    stack.Add(Mark);
                    break;
                case (byte)'0': // POP
                    if (stack.Count > 0 && ReferenceEquals(stack[^1], Mark))
                    {
                        PopMark();
                    }
                    else
                    {
                        Pop();
                    }

                    break;
                case (byte)'1': // POP_MARK
                    PopMark();
                    break;
                case (byte)'2': // DUP
                    Push(Peek());
                    break;
                case (byte)'N':
                    Push(TorchNone.Instance);
                    break;
                case 0x88:
                    Push(true);
                    break;
                case 0x89:
                    Push(false);
                    break;
                case (byte)'K': // BININT1
                    Push((long)ReadByte());
                    break;
                case (byte)'M': // BININT2
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2)));
                    break;
                case (byte)'J': // BININT
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
                    break;
                case 0x8a: // LONG1
                    Push(ReadLong(ReadByte()));
                    break;
                case 0x8b: // LONG4
                    var longLength = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
                    if (longLength < 0)
                    {
                        throw Malformed($"LONG4 has a negative length {longLength}");
                    }

                    Push(ReadLong(longLength));
                    break;
                case (byte)'I': // INT (text)
                    Push(ReadTextInt());
                    break;
                case (byte)'L': // LONG (text)
                    var longText = ReadLine();
                    Push(ParseInt(longText.EndsWith('L') ? longText[..^1] : longText));
                    break;
                case (byte)'G': // BINFLOAT (big-endian)
                    Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8)));
                    break;
                case (byte)'F': // FLOAT (text)
                    var floatText = ReadLine();
                    Push(double.TryParse(floatText, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? f : throw Malformed($"FLOAT '{floatText}' is not a number"));
                    break;
                case (byte)'X': // BINUNICODE
                    Push(Utf8(Take(ReadLength32())));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    Push(Utf8(Take(ReadByte())));
                    break;
                case 0x8d: // BINUNICODE8
                    Push(Utf8(Take(ReadLength64())));
                    break;
                case (byte)'T': // BINSTRING (Python 2 str, read as Latin-1 like pickle's default encoding 'ASCII' would refuse)
                    Push(Encoding.Latin1.GetString(Take(ReadLength32())));
                    break;
                case (byte)'U': // SHORT_BINSTRING
                    Push(Encoding.Latin1.GetString(Take(ReadByte())));
                    break;
                case (byte)'B': // BINBYTES
                    Push(Take(ReadLength32()).ToArray());
                    break;
                case (byte)'C': // SHORT_BINBYTES
                    Push(Take(ReadByte()).ToArray());
                    break;
                case 0x8e: // BINBYTES8
                case 0x96: // BYTEARRAY8
                    Push(Take(ReadLength64()).ToArray());
                    break;
                case (byte)')': // EMPTY_TUPLE
                    Push(Array.Empty<object?>());
                    break;
                case 0x85: // TUPLE1
                    Push(new[] { Pop() });
                    break;
                case 0x86: // TUPLE2
                {
                    var b = Pop();
                    var a = Pop();
                    Push(new[] { a, b });
                    break;
                }

                case 0x87: // TUPLE3
                {
                    var c = Pop();
                    var b = Pop();
                    var a = Pop();
                    Push(new[] { a, b, c });
                    break;
                }

                case (byte)'t': // TUPLE
                    Push(PopMark().ToArray());
                    break;
                case (byte)']': // EMPTY_LIST
                    Push(new List<object?>());
                    break;
                case (byte)'l': // LIST
                    Push(PopMark());
                    break;
                case (byte)'a': // APPEND
                {
                    var value = Pop();
                    ListAt(Peek()).Add(value);
                    break;
                }

                case (byte)'e': // APPENDS
                {
                    var values = PopMark();
                    ListAt(Peek()).AddRange(values);
                    break;
                }

                case (byte)'}': // EMPTY_DICT
                    Push(new DictBuilder());
                    break;
                case (byte)'d': // DICT
                {
                    var items = PopMark();
                    var dict = new DictBuilder();
                    SetItems(dict, items);
                    Push(dict);
                    break;
                }

                case (byte)'s': // SETITEM
                {
                    var value = Pop();
                    var key = Pop();
                    DictAt(Peek()).Set(Key(key), value);
                    break;
                }

                case (byte)'u': // SETITEMS
                {
                    var items = PopMark();
                    SetItems(DictAt(Peek()), items);
                    break;
                }

                case 0x8f: // EMPTY_SET
                case 0x90: // ADDITEMS
                case 0x91: // FROZENSET
                    throw Unsupported("sets (TorchScript has no set type)");
                case (byte)'p': // PUT
                    memo[ParseInt(ReadLine())] = Peek();
                    break;
                case (byte)'q': // BINPUT
                    memo[ReadByte()] = Peek();
                    break;
                case (byte)'r': // LONG_BINPUT
                    memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek();
                    break;
                case 0x94: // MEMOIZE
                    memo[memo.Count] = Peek();
                    break;
                case (byte)'g': // GET
                    Push(Memo(ParseInt(ReadLine())));
                    break;
                case (byte)'h': // BINGET
                    Push(Memo(ReadByte()));
                    break;
                case (byte)'j': // LONG_BINGET
                    Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))));
                    break;
                case (byte)'c': // GLOBAL
                {
                    var module = ReadLine();
                    var name = ReadLine();
                    Push(Resolve(module, name));
                    break;
                }

                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n)
                    {
                        throw Malformed("STACK_GLOBAL needs a module and a name that are strings");
                    }

                    Push(Resolve(m, n));
                    break;
                }

                case (byte)'i': // INST
                {
                    var module = ReadLine();
                    var name = ReadLine();
                    var callee = Resolve(module, name);
                    Push(Call(callee, PopMark().ToArray()));
                    break;
                }

                case (byte)'o': // OBJ
                {
                    var items = PopMark();
                    if (items.Count == 0)
                    {
                        throw Malformed("OBJ without a class");
                    }

                    Push(Call(items[0], items.Skip(1).ToArray()));
                    break;
                }

                case (byte)'R': // REDUCE
                {
                    var args = Pop();
                    var callee = Pop();
                    Push(Call(callee, args as object?[] ?? throw Malformed($"REDUCE needs an argument tuple, not {Describe(args)}")));
                    break;
                }

                case 0x81: // NEWOBJ
                {
                    var args = Pop();
                    var cls = Pop();
                    Push(New(cls, args as object?[] ?? throw Malformed($"NEWOBJ needs an argument tuple, not {Describe(args)}")));
                    break;
                }

                case 0x92: // NEWOBJ_EX
                {
                    var kwargs = Pop();
                    var args = Pop();
                    var cls = Pop();
                    if (kwargs is not DictBuilder { Count: 0 })
                    {
                        throw Unsupported("NEWOBJ_EX with keyword arguments");
                    }

                    Push(New(cls, args as object?[] ?? throw Malformed($"NEWOBJ_EX needs an argument tuple, not {Describe(args)}")));
                    break;
                }

                case (byte)'b': // BUILD
                {
                    var state = Pop();
                    if (Peek() is not ObjectBuilder target)
                    {
                        throw Malformed($"BUILD sets the state of {Describe(Peek())}, which is not an object of a TorchScript class");
                    }

                    if (target.Built)
                    {
                        throw Malformed($"BUILD sets the state of {target.QualifiedName} twice");
                    }

                    target.State = state;
                    target.Built = true;
                    break;
                }

                case (byte)'Q': // BINPERSID
                    Push(PersistentLoad(Pop()));
                    break;
                case (byte)'P': // PERSID
                    throw Unsupported("a text persistent id (PERSID)");
                case 0x82:
                case 0x83:
                case 0x84:
                    throw Unsupported("an extension code (EXT1/EXT2/EXT4, copyreg's extension registry)");
                case 0x97:
                case 0x98:
                    throw Unsupported("an out-of-band buffer (NEXT_BUFFER/READONLY_BUFFER, protocol 5)");
                case (byte)'S': // STRING (text repr)
                case (byte)'V': // UNICODE (raw-unicode-escape text)
                    throw Unsupported("a protocol 0 text string (STRING/UNICODE)");
                default:
                    throw Malformed($"unknown opcode 0x{opcode:x2}");
            }
        }
    }

    private TorchPickleGlobal Resolve(string module, string name)
    {
        var full = module + "." + name;
        if (module == "__torch__" || module.StartsWith("__torch__.", StringComparison.Ordinal))
        {
            if (!IsDottedName(module) || !IsIdentifier(name))
            {
                throw Malformed($"'{full}' is not a TorchScript class name");
            }

            return new TorchPickleGlobal(module, name, TorchPickleGlobal.Kind.TorchClass);
        }

        var kind = (module, name) switch
        {
            ("torch._utils", "_rebuild_tensor_v2") => TorchPickleGlobal.Kind.RebuildTensorV2,
            ("torch._utils", "_rebuild_tensor") => TorchPickleGlobal.Kind.RebuildTensor,
            ("torch._utils", "_rebuild_parameter") => TorchPickleGlobal.Kind.RebuildParameter,
            ("collections", "OrderedDict") => TorchPickleGlobal.Kind.OrderedDict,
            ("torch", "device") => TorchPickleGlobal.Kind.Device,
            ("torch.jit._pickle", "restore_type_tag" or "build_intlist" or "build_doublelist" or "build_boollist" or "build_tensorlist") => TorchPickleGlobal.Kind.Identity,
            ("torch.jit._pickle", "build_tensor_from_id") => TorchPickleGlobal.Kind.TensorFromId,
            _ => TorchPickleGlobal.Kind.None,
        };
        if (kind != TorchPickleGlobal.Kind.None)
        {
            return new TorchPickleGlobal(module, name, kind);
        }

        if (module == "torch" && TorchStorageTypes.TryFind(name, out _, out _, out var storageKind))
        {
            return storageKind switch
            {
                TorchStorageTypes.Kind.Plain => new TorchPickleGlobal(module, name, TorchPickleGlobal.Kind.StorageType),
                TorchStorageTypes.Kind.Quantized => throw Coded(DiagnosticCodes.TorchQuantizedUnsupported, $"references the quantized storage type '{full}'"),
                _ => throw Coded(DiagnosticCodes.TorchTensorKindUnsupported, $"references the storage type '{full}', whose elements have no ONNX element type"),
            };
        }

        if (module == "torch._utils" && name == "_rebuild_qtensor")
        {
            throw Coded(DiagnosticCodes.TorchQuantizedUnsupported, $"references '{full}': the archive holds quantized tensors");
        }

        if ((module == "torch._utils" && name.StartsWith("_rebuild_", StringComparison.Ordinal)) || (module == "torch.storage" && name == "_load_from_bytes"))
        {
            throw Coded(DiagnosticCodes.TorchTensorKindUnsupported, $"references '{full}', a tensor kind that is not read (only dense tensors over archive storages are)");
        }

        throw Coded(DiagnosticCodes.TorchPickleDisallowedGlobal,
            $"references the global '{full}', which is not allowed in a TorchScript pickle; nothing in the file was executed");
    }

    private object Call(object? callee, object?[] args)
    {
        if (callee is not TorchPickleGlobal global)
        {
            throw Malformed($"calls {Describe(callee)}, which is not a function");
        }

        switch (global.What)
        {
            case TorchPickleGlobal.Kind.RebuildTensorV2 when args.Length is 6 or 7:
            case TorchPickleGlobal.Kind.RebuildTensor when args.Length == 4:
                var storage = args[0] as TorchStorage ?? throw Malformed($"{global} needs a storage (a persistent id) as its first argument, not {Describe(args[0])}");
                var offset = Int(args[1], global, "storage_offset");
                var sizes = Ints(args[2], global, "size");
                var strides = Ints(args[3], global, "stride");
                var requiresGrad = args.Length > 4 && (args[4] as bool? ?? throw Malformed($"{global}'s requires_grad is {Describe(args[4])}, not a bool"));
                return TorchTensors.Build(storage, offset, sizes, strides, requiresGrad, path, $"{pickle} offset {opcodeOffset}");
            case TorchPickleGlobal.Kind.RebuildParameter when args.Length == 3:
                if (args[0] is not TorchTensorConstant tensor)
                {
                    throw Malformed($"{global} needs a tensor as its first argument, not {Describe(args[0])}");
                }

                return tensor with { RequiresGrad = args[1] as bool? ?? false };
            case TorchPickleGlobal.Kind.OrderedDict when args.Length == 0:
                return new DictBuilder();
            case TorchPickleGlobal.Kind.OrderedDict when args.Length == 1:
                var ordered = new DictBuilder();
                foreach (var pair in args[0] as List<object?> ?? throw Malformed($"OrderedDict(...) needs a list of pairs, not {Describe(args[0])}"))
                {
                    if (pair is not object?[] { Length: 2 } kv)
                    {
                        throw Malformed($"OrderedDict(...) needs (key, value) pairs, not {Describe(pair)}");
                    }

                    ordered.Set(Key(kv[0]), kv[1]);
                }

                return ordered;
            case TorchPickleGlobal.Kind.Device when args.Length is 1 or 2 && args[0] is string device:
                return args.Length == 2 && args[1] is long index ? $"{device}:{index.ToString(CultureInfo.InvariantCulture)}" : device;
            case TorchPickleGlobal.Kind.Identity when args.Length >= 1:
                return args[0] ?? TorchNone.Instance;
            case TorchPickleGlobal.Kind.TensorFromId when args.Length == 1 && args[0] is long id && tensorFromId is not null:
                return tensorFromId(id) ?? throw Malformed($"{global}({id}) names no tensor of the archive's tensor table");
            case TorchPickleGlobal.Kind.TorchClass when args.Length == 0:
                return new ObjectBuilder(global.ToString());
            case TorchPickleGlobal.Kind.TorchClass:
                throw Malformed($"calls the TorchScript class '{global}' with arguments; TorchScript objects are built from their state, never called");
            case TorchPickleGlobal.Kind.StorageType:
                throw Coded(DiagnosticCodes.TorchPickleDisallowedGlobal, $"calls '{global}', which may only appear as the storage type of a persistent id; nothing in the file was executed");
            default:
                throw Malformed($"calls '{global}' with {args.Length} argument(s) ({string.Join(", ", args.Select(Describe))}), which it does not take");
        }
    }

    private object New(object? cls, object?[] args)
    {
        if (cls is TorchPickleGlobal { What: TorchPickleGlobal.Kind.TorchClass or TorchPickleGlobal.Kind.OrderedDict })
        {
            return Call(cls, args);
        }

        return cls is TorchPickleGlobal g
            ? throw Coded(DiagnosticCodes.TorchPickleDisallowedGlobal, $"instantiates '{g}' (NEWOBJ), which is not a class a TorchScript pickle may build; nothing in the file was executed")
            : throw Malformed($"NEWOBJ of {Describe(cls)}, which is not a class");
    }

    private TorchStorage PersistentLoad(object? pid)
    {
        if (pid is not object?[] { Length: 5 } tuple || tuple[0] is not "storage")
        {
            throw Malformed($"a persistent id must be ('storage', type, key, location, numel), not {Describe(pid)}");
        }

        if (tuple[1] is not TorchPickleGlobal { What: TorchPickleGlobal.Kind.StorageType } type)
        {
            throw Malformed($"the persistent id's storage type is {Describe(tuple[1])}, not a torch.*Storage");
        }

        if (tuple[2] is not string key || tuple[3] is not string location || tuple[4] is not long numel || numel < 0)
        {
            throw Malformed($"the persistent id ('storage', {type}, {Describe(tuple[2])}, {Describe(tuple[3])}, {Describe(tuple[4])}) needs a key, a location and an element count");
        }

        return storages(type, key, location, numel, opcodeOffset);
    }

    private void SetItems(DictBuilder dict, List<object?> items)
    {
        if (items.Count % 2 != 0)
        {
            throw Malformed($"{items.Count} values for key/value pairs");
        }

        for (var i = 0; i < items.Count; i += 2)
        {
            dict.Set(Key(items[i]), items[i + 1]);
        }
    }

    private object Key(object? key) => key switch
    {
        string or long or double or bool or TorchNone or TorchTensorConstant => key,
        _ => throw Malformed($"a dictionary key is {Describe(key)}; TorchScript dictionaries are keyed by str, int, float, bool or Tensor"),
    };

    private List<object?> ListAt(object? value) => value as List<object?> ?? throw Malformed($"appends to {Describe(value)}, which is not a list");

    private DictBuilder DictAt(object? value) => value as DictBuilder ?? throw Malformed($"sets an item of {Describe(value)}, which is not a dictionary");

    private long Int(object? value, TorchPickleGlobal global, string argument) =>
        value as long? ?? throw Malformed($"{global}'s {argument} is {Describe(value)}, not an int");

    private long[] Ints(object? value, TorchPickleGlobal global, string argument)
    {
        var items = value as IReadOnlyList<object?> ?? throw Malformed($"{global}'s {argument} is {Describe(value)}, not a tuple of ints");
        var result = new long[items.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = items[i] as long? ?? throw Malformed($"{global}'s {argument} holds {Describe(items[i])}, not an int");
        }

        return result;
    }

    private object? Memo(long index) => memo.TryGetValue(index, out var value) ? value : throw Malformed($"reads memo slot {index}, which was never written");

    private void Push(object? value) => stack.Add(value);

    private object? Pop()
    {
        if (stack.Count == 0 || (marks.Count > 0 && marks[^1] == stack.Count - 1))
        {
            throw Malformed(stack.Count == 0 ? "pops an empty stack" : "pops a MARK as a value");
        }

        var value = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    private object? Peek()
    {
        if (stack.Count == 0 || (marks.Count > 0 && marks[^1] == stack.Count - 1))
        {
            throw Malformed(stack.Count == 0 ? "reads an empty stack" : "reads a MARK as a value");
        }

        return stack[^1];
    }

    private List<object?> PopMark()
    {
        if (marks.Count == 0)
        {
            throw Malformed("needs a MARK, and there is none on the stack");
        }

        var at = marks[^1];
        marks.RemoveAt(marks.Count - 1);
        var items = stack.GetRange(at + 1, stack.Count - at - 1);
        stack.RemoveRange(at, stack.Count - at);
        return items;
    }

    private byte ReadByte() => Take(1)[0];

    private ReadOnlySpan<byte> Take(long count)
    {
        if (count > data.Length - position)
        {
            throw Malformed($"needs {count} more bytes, past the end of the pickle", atEnd: true);
        }

        var span = data.Span.Slice(position, (int)count);
        position += (int)count;
        return span;
    }

    private long ReadLength32()
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
        return length;
    }

    private long ReadLength64()
    {
        var length = BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
        return length > int.MaxValue ? throw Malformed($"a length of {length} bytes, past the end of the pickle", atEnd: true) : (long)length;
    }

    private string ReadLine()
    {
        var span = data.Span.Slice(position);
        var end = span.IndexOf((byte)'\n');
        if (end < 0)
        {
            throw Malformed("a text argument has no end of line", atEnd: true);
        }

        position += end + 1;
        return Utf8(span.Slice(0, end));
    }

    private object ReadTextInt()
    {
        var text = ReadLine();
        return text switch
        {
            "01" => true,
            "00" => false,
            _ => ParseInt(text),
        };
    }

    private long ParseInt(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : throw Unsupported($"the integer '{text}' (not a 64-bit integer)");

    private long ReadLong(long length)
    {
        var bytes = Take(length);
        if (length == 0)
        {
            return 0;
        }

        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : throw Unsupported($"an integer of {length} bytes, wider than 64 bits");
    }

    private string Utf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Malformed("a string is not valid UTF-8");
        }
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static bool IsDottedName(string name) => name.Split('.').All(IsIdentifier);

    internal static string Describe(object? value) => value switch
    {
        null => "nothing",
        TorchNone => "None",
        string s => $"the string '{(s.Length > 40 ? s[..40] + "..." : s)}'",
        long l => $"the int {l.ToString(CultureInfo.InvariantCulture)}",
        double d => $"the float {d.ToString("R", CultureInfo.InvariantCulture)}",
        bool b => b ? "True" : "False",
        object?[] t => $"a tuple of {t.Length}",
        List<object?> l => $"a list of {l.Count}",
        DictBuilder => "a dictionary",
        ObjectBuilder o => $"an object of {o.QualifiedName}",
        TorchPickleGlobal g => $"the global '{g}'",
        TorchStorage s => $"the storage '{s.Entry}'",
        TorchTensorConstant or TorchTensorSpec => "a tensor",
        byte[] b => $"{b.Length} bytes",
        _ => value.GetType().Name,
    };

    private BuildConvertException Malformed(string what, bool atEnd = false) =>
        Coded(DiagnosticCodes.TorchPickleMalformed, $"{(atEnd ? "is truncated: it " : "")}{OpcodeName()} {what}");

    private BuildConvertException Unsupported(string what) => Coded(DiagnosticCodes.TorchPickleUnsupported, $"uses {what}");

    private BuildConvertException Coded(DiagnosticDescriptor code, string what) =>
        BuildConvertException.Create(code, $"'{path}': {pickle} (offset {opcodeOffset.ToString(CultureInfo.InvariantCulture)}) {what}", path, pickle);

    private string OpcodeName() => $"(opcode '{(opcode is >= 0x20 and < 0x7F ? ((char)opcode).ToString() : $"0x{opcode:x2}")}')";

    /// <summary>A dictionary as the machine builds it (ordered; frozen into a <see cref="TorchDict"/>).</summary>
    private sealed class DictBuilder
    {
        public List<KeyValuePair<object, object?>> Items { get; } = new();

        public Dictionary<object, int> Index { get; } = new();

        public int Count => Items.Count;

        public void Set(object key, object? value)
        {
            if (Index.TryGetValue(key, out var at))
            {
                Items[at] = new KeyValuePair<object, object?>(key, value);
            }
            else
            {
                Index[key] = Items.Count;
                Items.Add(new KeyValuePair<object, object?>(key, value));
            }
        }
    }

    /// <summary>An object of a TorchScript class, waiting for its state (BUILD).</summary>
    private sealed class ObjectBuilder
    {
        public ObjectBuilder(string qualifiedName) => QualifiedName = qualifiedName;

        public string QualifiedName { get; }

        public object? State { get; set; }

        public bool Built { get; set; }
    }

    /// <summary>Turns what the machine built into the immutable values it hands out: each shared value once, a cycle
    /// (which TorchScript values never have) an error, nesting bounded.</summary>
    private sealed class Freezer
    {
        private readonly TorchPickle machine;
        private readonly Dictionary<object, object?> done = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<object> open = new(ReferenceEqualityComparer.Instance);

        public Freezer(TorchPickle machine) => this.machine = machine;

        public object? Freeze(object? value, int depth)
        {
            switch (value)
            {
                case null or string or long or double or bool or TorchNone or TorchTensorConstant or TorchTensorSpec or byte[]:
                    return value;
                case TorchPickleGlobal global:
                    throw machine.Malformed($"leaves a reference to '{global}' that is never called in the data");
                case TorchStorage storage:
                    throw machine.Coded(DiagnosticCodes.TorchTensorKindUnsupported, $"holds the storage '{storage.Entry}' outside a tensor");
            }

            if (done.TryGetValue(value, out var frozen))
            {
                return frozen;
            }

            if (depth >= machine.options.MaxPickleDepth)
            {
                throw machine.Coded(DiagnosticCodes.TorchArchiveLimitExceeded, $"nests containers more than {machine.options.MaxPickleDepth} deep (TorchArchiveReadOptions.MaxPickleDepth)");
            }

            if (!open.Add(value))
            {
                throw machine.Malformed("holds a value that contains itself (a reference cycle), which TorchScript values never do");
            }

            object result;
            switch (value)
            {
                case object?[] tuple:
                    result = tuple.Select(v => Freeze(v, depth + 1)).ToArray();
                    break;
                case List<object?> list:
                    result = new ReadOnlyCollection<object?>(list.Select(v => Freeze(v, depth + 1)).ToList());
                    break;
                case DictBuilder dict:
                    var items = dict.Items.Select(kv => new KeyValuePair<object, object?>(kv.Key, Freeze(kv.Value, depth + 1))).ToList();
                    result = new TorchDict(items, new Dictionary<object, int>(dict.Index));
                    break;
                case ObjectBuilder obj:
                    result = FreezeObject(obj, depth);
                    break;
                default:
                    throw machine.Malformed($"builds {Describe(value)}, which is not a TorchScript value");
            }

            open.Remove(value);
            done[value] = result;
            return result;
        }

        private TorchObject FreezeObject(ObjectBuilder obj, int depth)
        {
            var attributes = new List<KeyValuePair<string, object?>>();
            if (obj.State is DictBuilder state && state.Items.All(kv => kv.Key is string))
            {
                foreach (var kv in state.Items)
                {
                    attributes.Add(new KeyValuePair<string, object?>((string)kv.Key, Freeze(kv.Value, depth + 1)));
                }
            }
            else if (obj.Built)
            {
                // A class with __getstate__/__setstate__ pickles whatever __getstate__ returned; the interpreter runs the
                // class's __setstate__ on it.
                attributes.Add(new KeyValuePair<string, object?>(TorchScriptProgram.StateAttribute, Freeze(obj.State, depth + 1)));
            }

            return new TorchObject(obj.QualifiedName, attributes);
        }
    }
}

/// <summary>A global a pickle named and the allow-list admitted.</summary>
internal sealed record TorchPickleGlobal(string Module, string Name, TorchPickleGlobal.Kind What)
{
    /// <summary>What an admitted global is.</summary>
    public enum Kind
    {
        None,
        TorchClass,
        RebuildTensorV2,
        RebuildTensor,
        RebuildParameter,
        StorageType,
        OrderedDict,
        Device,
        Identity,
        TensorFromId,
    }

    public override string ToString() => Module + "." + Name;
}
