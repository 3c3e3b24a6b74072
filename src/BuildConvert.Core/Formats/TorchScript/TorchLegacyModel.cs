using System.Globalization;
using System.Text.Json;
using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Diagnostics;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Formats.TorchScript;

/// <summary>
/// Version 1 and 2 archives (PyTorch 1.0 and 1.1): <c>model.json</c> is the protobuf JSON form of <c>torch.ModelDef</c>
/// (caffe2/proto/torch.proto: <c>mainModule</c> a ModuleDef with <c>name</c>, <c>torchscriptArena.key</c> (its code
/// file), <c>parameters</c> (<c>name</c>, <c>tensorId</c>, <c>isBuffer</c>), <c>attributes</c> (<c>name</c>, <c>type</c>,
/// <c>id</c> into <c>attributes.pkl</c>) and <c>submodules</c>; <c>tensors</c> the tensor table, each TensorDef with
/// <c>dims</c>, <c>offset</c>, <c>strides</c>, <c>requiresGrad</c>, <c>dataType</c> (a caffe2 TensorProto.DataType
/// name) and <c>data.key</c> (its storage entry)). The modules become the same <see cref="TorchObject"/> tree newer
/// archives pickle, named <see cref="TorchScriptProgram.LegacyClassPrefix"/> + their path since they name no class;
/// each module's code file holds its methods as top-level <c>def</c>s.
/// </summary>
internal static class TorchLegacyModel
{
    private const int MaxModuleDepth = 256;

    public static TorchScriptProgram Read(TorchArchive archive, IReadOnlyDictionary<string, string> code,
        Func<TorchObject, IReadOnlyList<object?>, IReadOnlyDictionary<string, string>, string, TorchScriptProgram> make)
    {
        if (archive.Version > 2)
        {
            throw Invalid(archive, $"the archive has format version {archive.Version} but the version 1-2 layout (model.json, no data.pkl)");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(archive.ReadChecked("model.json"), new JsonDocumentOptions { MaxDepth = MaxModuleDepth * 2 + 8 });
        }
        catch (JsonException e)
        {
            throw Invalid(archive, $"model.json is not valid JSON ({e.Message})");
        }

        using (document)
        {
            var model = document.RootElement;
            if (model.ValueKind != JsonValueKind.Object || !model.TryGetProperty("mainModule", out var main) || main.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(archive, "model.json has no mainModule object");
            }

            var tensors = new List<TorchTensorConstant?>();
            if (model.TryGetProperty("tensors", out var table))
            {
                if (table.ValueKind != JsonValueKind.Array)
                {
                    throw Invalid(archive, "model.json's tensors is not a list");
                }

                var storages = new Dictionary<string, TorchStorage>(StringComparer.Ordinal);
                var index = 0;
                foreach (var tensor in table.EnumerateArray())
                {
                    tensors.Add(ReadTensor(archive, tensor, index++, storages));
                }
            }

            IReadOnlyList<object?> attributes = Array.Empty<object?>();
            if (archive.Contains("attributes.pkl"))
            {
                attributes = TorchScriptProgram.LoadPickle(archive, "attributes.pkl", "tensors/", allowNoData: false,
                    id => id >= 0 && id < tensors.Count ? tensors[(int)id] : null) as IReadOnlyList<object?>
                    ?? throw Invalid(archive, "attributes.pkl does not hold a list of attribute values");
            }

            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            var root = ReadModule(archive, main, tensors, attributes, code, files, "", 0);
            var producer = $"{Text(model, "producerName")} {Text(model, "producerVersion")}".Trim();
            return make(root, Array.Empty<object?>(), files, producer);
        }
    }

    private static TorchObject ReadModule(TorchArchive archive, JsonElement module, List<TorchTensorConstant?> tensors, IReadOnlyList<object?> attributeTable,
        IReadOnlyDictionary<string, string> code, Dictionary<string, string> files, string parent, int depth)
    {
        if (depth > MaxModuleDepth)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveLimitExceeded, $"'{archive.Path}': model.json nests modules more than {MaxModuleDepth} deep", archive.Path, "model.json");
        }

        var name = Text(module, "name");
        if (name.Length == 0 && depth > 0)
        {
            throw Invalid(archive, $"a submodule of '{parent}' has no name");
        }

        var qualified = TorchScriptProgram.LegacyClassPrefix + (parent.Length == 0 ? (name.Length == 0 ? "module" : name) : parent + "." + name);
        var attributes = new List<KeyValuePair<string, object?>>();
        foreach (var parameter in List(archive, module, "parameters"))
        {
            var id = Int(archive, parameter, "tensorId");
            if (id < 0 || id >= tensors.Count || tensors[(int)id] is not { } tensor)
            {
                throw Invalid(archive, $"parameter '{Text(parameter, "name")}' of module '{qualified}' names tensor {id}, which the tensor table does not have");
            }

            attributes.Add(new(Text(parameter, "name"), tensor));
        }

        foreach (var attribute in List(archive, module, "attributes"))
        {
            var id = Int(archive, attribute, "id");
            if (id < 0 || id >= attributeTable.Count)
            {
                throw Invalid(archive, $"attribute '{Text(attribute, "name")}' of module '{qualified}' names slot {id} of attributes.pkl, which has {attributeTable.Count}");
            }

            attributes.Add(new(Text(attribute, "name"), attributeTable[(int)id]));
        }

        foreach (var submodule in List(archive, module, "submodules"))
        {
            var child = ReadModule(archive, submodule, tensors, attributeTable, code, files, qualified[TorchScriptProgram.LegacyClassPrefix.Length..], depth + 1);
            attributes.Add(new(Text(submodule, "name"), child));
        }

        if (module.TryGetProperty("torchscriptArena", out var arena) && arena.ValueKind == JsonValueKind.Object)
        {
            var key = Text(arena, "key");
            if (key.Length > 0)
            {
                if (!code.ContainsKey(key))
                {
                    throw Invalid(archive, $"module '{qualified}''s code file '{key}' is not in the archive's code/ folder");
                }

                files[qualified] = key;
            }
        }

        return new TorchObject(qualified, attributes);
    }

    private static TorchTensorConstant? ReadTensor(TorchArchive archive, JsonElement tensor, int index, Dictionary<string, TorchStorage> storages)
    {
        if (tensor.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(archive, $"tensor {index} of the tensor table is not an object");
        }

        if (tensor.TryGetProperty("isQuantized", out var quantized) && quantized.ValueKind == JsonValueKind.True)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchQuantizedUnsupported, $"'{archive.Path}': tensor {index} of model.json's tensor table is quantized", archive.Path, "model.json");
        }

        var typeName = Text(tensor, "dataType");
        var (type, size) = typeName switch
        {
            "FLOAT" => (DataType.Float, 4),
            "DOUBLE" => (DataType.Double, 8),
            "FLOAT16" => (DataType.Float16, 2),
            "INT64" => (DataType.Int64, 8),
            "INT32" => (DataType.Int32, 4),
            "INT16" => (DataType.Int16, 2),
            "INT8" => (DataType.Int8, 1),
            "UINT8" or "BYTE" => (DataType.Uint8, 1),
            "UINT16" => (DataType.Uint16, 2),
            "BOOL" => (DataType.Bool, 1),
            _ => throw BuildConvertException.Create(DiagnosticCodes.TorchTensorKindUnsupported,
                $"'{archive.Path}': tensor {index} of model.json's tensor table has data type '{typeName}', which has no ONNX element type here", archive.Path, "model.json"),
        };
        var dims = Ints(archive, tensor, "dims");
        var strides = tensor.TryGetProperty("strides", out _) ? Ints(archive, tensor, "strides") : RowMajor(dims);
        var offset = tensor.TryGetProperty("offset", out _) ? Int(archive, tensor, "offset") : 0;
        var key = tensor.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object ? Text(data, "key") : "";
        if (key.Length == 0)
        {
            throw Invalid(archive, $"tensor {index} of the tensor table has no data.key");
        }

        var available = archive.SizeOf(key);
        if (available < 0)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchStorageMissing, $"'{archive.Path}': tensor {index} of model.json's tensor table names '{archive.Root}/{key}', which the archive does not have", archive.Path, key);
        }

        if (!storages.TryGetValue(key, out var storage) || storage.ElementType != type)
        {
            storage = new TorchStorage(typeName, type, size, key, available / size, archive.Read(key).Slice(0, (int)(available / size * size)), archive.IsBigEndian);
            storages[key] = storage;
        }

        var requiresGrad = tensor.TryGetProperty("requiresGrad", out var grad) && grad.ValueKind == JsonValueKind.True;
        return TorchTensors.Build(storage, offset, dims, strides, requiresGrad, archive.Path, $"model.json tensor {index}") as TorchTensorConstant;
    }

    private static long[] RowMajor(long[] dims)
    {
        var strides = new long[dims.Length];
        long stride = 1;
        for (var i = dims.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= Math.Max(dims[i], 1);
        }

        return strides;
    }

    private static IEnumerable<JsonElement> List(TorchArchive archive, JsonElement owner, string property)
    {
        if (!owner.TryGetProperty(property, out var value))
        {
            return System.Array.Empty<JsonElement>();
        }

        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : throw Invalid(archive, $"'{property}' is not a list");
    }

    private static string Text(JsonElement owner, string property) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";

    // Protobuf's JSON form writes int64 fields as strings; numbers are accepted too.
    private static long Int(TorchArchive archive, JsonElement owner, string property)
    {
        if (!owner.TryGetProperty(property, out var value))
        {
            return 0;
        }

        return IntValue(archive, value, property);
    }

    private static long IntValue(TorchArchive archive, JsonElement value, string property)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n))
        {
            return n;
        }

        if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s))
        {
            return s;
        }

        throw Invalid(archive, $"'{property}' is {value.GetRawText()}, not an integer");
    }

    private static long[] Ints(TorchArchive archive, JsonElement owner, string property) =>
        List(archive, owner, property).Select(v => IntValue(archive, v, property)).ToArray();

    private static BuildConvertException Invalid(TorchArchive archive, string what) =>
        BuildConvertException.Create(DiagnosticCodes.TorchLegacyModelInvalid, $"'{archive.Path}': {what}", archive.Path, "model.json");
}
