using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Formats.TorchScript;

/// <summary>
/// What a TorchScript archive holds for the interpreter: the module object tree (<c>data.pkl</c>), the constants the
/// code names as <c>CONSTANTS.cN</c> (<c>constants.pkl</c>), the serialized TorchScript source files, and the traced
/// example inputs where the archive has them. Tensors in it are <see cref="TorchTensorConstant"/>s over the archive's
/// mapping (contiguous ones not copied). Immutable once read; keeps the archive (and so the mapping) alive.
/// </summary>
public sealed class TorchScriptProgram
{
    /// <summary>The attribute under which an object whose class defines <c>__getstate__</c>/<c>__setstate__</c> keeps the
    /// state it was pickled with (anything but a dictionary of attributes); the interpreter runs the class's
    /// <c>__setstate__</c> on it.</summary>
    public const string StateAttribute = "__getstate__";

    /// <summary>The qualified-name prefix of the modules of a version 1-2 archive, which name no classes: the root is
    /// <c>__legacy__.&lt;name&gt;</c>, a submodule <c>__legacy__.&lt;name&gt;.&lt;submodule&gt;</c>.</summary>
    public const string LegacyClassPrefix = "__legacy__.";

    private TorchScriptProgram(TorchArchive archive, TorchObject module, IReadOnlyList<object?> constants, IReadOnlyDictionary<string, string> code,
        IReadOnlyDictionary<string, IReadOnlyList<object?>>? tracedInputs, IReadOnlyDictionary<string, string> legacyCodeFiles, string producer)
    {
        Archive = archive;
        Module = module;
        Constants = constants;
        Code = code;
        TracedInputs = tracedInputs;
        LegacyCodeFiles = legacyCodeFiles;
        Producer = producer;
    }

    /// <summary>The archive it was read from.</summary>
    public TorchArchive Archive { get; }

    /// <summary>The root module (an object of a class under <c>__torch__</c>, or <see cref="LegacyClassPrefix"/> for
    /// version 1-2 archives), its attributes in pickle order.</summary>
    public TorchObject Module { get; }

    /// <summary>The constants table: <c>CONSTANTS.cN</c> in the code is element N.</summary>
    public IReadOnlyList<object?> Constants { get; }

    /// <summary>Every code file's text, by its name relative to the root (<c>code/__torch__/torch/nn/modules/linear.py</c>), in ordinal order.</summary>
    public IReadOnlyDictionary<string, string> Code { get; }

    /// <summary>The traced example inputs by method name (<c>traced_inputs.pkl</c>, written by PyTorch 2.x's
    /// <c>torch.jit.trace</c>), each a list of the arguments; tensors in it are <see cref="TorchTensorSpec"/>s (the
    /// archive records their type and shape but not their data). Null when the archive has none.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<object?>>? TracedInputs { get; }

    /// <summary>For version 1-2 archives, the code file holding each module's methods as top-level <c>def</c>s (taking
    /// <c>self</c>), by the module object's qualified name; empty for newer archives, whose code defines classes.</summary>
    public IReadOnlyDictionary<string, string> LegacyCodeFiles { get; }

    /// <summary>The producer the archive names (version 1-2's model.json: <c>pytorch 1.0</c>), or empty.</summary>
    public string Producer { get; }

    /// <summary>Whether the archive uses the version 1-2 layout (model.json, one code file per module).</summary>
    public bool IsLegacyLayout => LegacyCodeFiles.Count > 0;

    /// <summary>The code file that defines class <paramref name="qualifiedName"/>
    /// (<c>__torch__.torch.nn.modules.linear.Linear</c> -> <c>code/__torch__/torch/nn/modules/linear.py</c>), for a
    /// legacy module the file of its methods, or null when the archive has none.</summary>
    public string? CodeFileFor(string qualifiedName)
    {
        ArgumentNullException.ThrowIfNull(qualifiedName);
        if (LegacyCodeFiles.TryGetValue(qualifiedName, out var legacy))
        {
            return legacy;
        }

        var dot = qualifiedName.LastIndexOf('.');
        if (dot <= 0)
        {
            return null;
        }

        var file = "code/" + qualifiedName[..dot].Replace('.', '/') + ".py";
        return Code.ContainsKey(file) ? file : null;
    }

    /// <summary>Every distinct tensor of the module tree (parameters, buffers, tensor attributes), depth first, each once.</summary>
    public IReadOnlyList<(string Name, TorchTensorConstant Tensor)> ModuleTensors()
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var result = new List<(string, TorchTensorConstant)>();
        var pending = new Stack<(string Name, object? Value)>();
        pending.Push(("", Module));
        while (pending.Count > 0)
        {
            var (name, value) = pending.Pop();
            switch (value)
            {
                case TorchTensorConstant tensor when seen.Add(tensor):
                    result.Add((name, tensor));
                    break;
                case TorchObject obj when seen.Add(obj):
                    foreach (var (key, child) in obj.Attributes.Reverse())
                    {
                        pending.Push((name.Length == 0 ? key : name + "." + key, child));
                    }

                    break;
                case TorchDict dict when seen.Add(dict):
                    foreach (var (key, child) in dict.Items.Reverse())
                    {
                        pending.Push(($"{name}[{key}]", child));
                    }

                    break;
                case IReadOnlyList<object?> list when seen.Add(list):
                    for (var i = list.Count - 1; i >= 0; i--)
                    {
                        pending.Push(($"{name}[{i}]", list[i]));
                    }

                    break;
            }
        }

        return result;
    }

    /// <summary>Reads the program of the archive at <paramref name="path"/>.</summary>
    /// <exception cref="BuildConvertException">BCONV1300-1321 for a file that is not a readable TorchScript archive.</exception>
    public static TorchScriptProgram Read(string path, TorchArchiveReadOptions? options = null) => Read(TorchArchive.Open(path, options));

    /// <summary>Reads the program of <paramref name="archive"/>.</summary>
    /// <exception cref="BuildConvertException">BCONV1302/1309/1312-1321 for an archive that does not hold a readable program.</exception>
    public static TorchScriptProgram Read(TorchArchive archive)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var code = archive.CodeFiles.ToDictionary(f => f, archive.ReadText, StringComparer.Ordinal);
        if (archive.Contains("model.json") && !archive.Contains("data.pkl"))
        {
            return TorchLegacyModel.Read(archive, code, (module, constants, legacyFiles, producer) =>
                new TorchScriptProgram(archive, module, constants, code, null, legacyFiles, producer));
        }

        if (!archive.Contains("data.pkl"))
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveLayout,
                $"'{archive.Path}' has no '{archive.Root}/data.pkl' (nor a version 1-2 model.json): it is not a TorchScript archive", archive.Path);
        }

        if (code.Count == 0)
        {
            throw WeightsOnly(archive);
        }

        if (!archive.Contains("constants.pkl"))
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchArchiveLayout, $"'{archive.Path}' has code but no '{archive.Root}/constants.pkl'", archive.Path);
        }

        var module = LoadPickle(archive, "data.pkl", "data/", allowNoData: false) as TorchObject;
        if (module is null || !module.QualifiedName.StartsWith("__torch__.", StringComparison.Ordinal))
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchModuleTreeInvalid,
                $"'{archive.Path}': '{archive.Root}/data.pkl' holds {(module is null ? "something that is not an object" : $"an object of '{module.QualifiedName}'")}, not a module of a class under __torch__", archive.Path, "data.pkl");
        }

        var constants = LoadPickle(archive, "constants.pkl", "constants/", allowNoData: false) as object?[]
            ?? throw BuildConvertException.Create(DiagnosticCodes.TorchModuleTreeInvalid, $"'{archive.Path}': '{archive.Root}/constants.pkl' does not hold a tuple of constants", archive.Path, "constants.pkl");

        IReadOnlyDictionary<string, IReadOnlyList<object?>>? traced = null;
        if (archive.Contains("traced_inputs.pkl"))
        {
            if (LoadPickle(archive, "traced_inputs.pkl", "traced_inputs/", allowNoData: true) is not TorchDict dict
                || dict.Items.Any(kv => kv.Key is not string || kv.Value is not IReadOnlyList<object?>))
            {
                throw BuildConvertException.Create(DiagnosticCodes.TorchModuleTreeInvalid,
                    $"'{archive.Path}': '{archive.Root}/traced_inputs.pkl' does not hold a dictionary of argument lists by method name", archive.Path, "traced_inputs.pkl");
            }

            traced = dict.Items.ToDictionary(kv => (string)kv.Key, kv => (IReadOnlyList<object?>)kv.Value!, StringComparer.Ordinal);
        }

        return new TorchScriptProgram(archive, module, constants, code, traced, new Dictionary<string, string>(StringComparer.Ordinal), "");
    }

    internal static BuildConvertException WeightsOnly(TorchArchive archive) => BuildConvertException.Create(DiagnosticCodes.TorchWeightsOnlyArchive,
        $"'{archive.Path}' is a torch.save archive (weights), not TorchScript: it has '{archive.Root}/data.pkl' but no code/; save with torch.jit.script/trace(...).save", archive.Path);

    /// <summary>Reads pickle <paramref name="name"/> of <paramref name="archive"/>, its storages from entries under <paramref name="directory"/>.</summary>
    internal static object? LoadPickle(TorchArchive archive, string name, string directory, bool allowNoData, Func<long, object?>? tensorFromId = null)
    {
        var bytes = archive.ReadChecked(name);
        var storages = new Dictionary<(string, string), TorchStorage>();
        var pickle = archive.Root + "/" + name;
        return TorchPickle.Load(bytes, archive.Path, pickle, (type, key, location, numel, offset) =>
        {
            if (storages.TryGetValue((type.Name, key), out var known))
            {
                return known.Numel >= numel ? known with { Numel = numel } : throw TooLarge(known.Entry, numel, known.ElementSize, archive.SizeOf(known.Entry), offset);
            }

            TorchStorageTypes.TryFind(type.Name, out var elementType, out var size, out _);
            var entry = directory + key;
            var available = archive.SizeOf(entry);
            if (available < 0)
            {
                if (!allowNoData)
                {
                    throw BuildConvertException.Create(DiagnosticCodes.TorchStorageMissing,
                        $"'{archive.Path}': {pickle} (offset {offset}) names storage '{key}' ({type}), but the archive has no entry '{archive.Root}/{entry}'", archive.Path, entry);
                }

                available = 0;
            }

            ReadOnlyMemory<byte>? data;
            var needed = numel > long.MaxValue / size ? long.MaxValue : numel * size;
            if (needed > available)
            {
                if (!(allowNoData && available == 0))
                {
                    throw TooLarge(entry, numel, size, available, offset);
                }

                data = null;
            }
            else
            {
                data = archive.Read(entry).Slice(0, (int)needed);
            }

            var storage = new TorchStorage(type.ToString(), elementType, size, entry, numel, data, archive.IsBigEndian);
            storages[(type.Name, key)] = storage;
            return storage;
        }, archive.Options, tensorFromId);

        BuildConvertException TooLarge(string entry, long numel, int size, long available, long offset) => BuildConvertException.Create(DiagnosticCodes.TorchStorageTooLarge,
            $"'{archive.Path}': {pickle} (offset {offset}) declares storage '{archive.Root}/{entry}' of {numel} elements of {size} bytes, larger than the file, which has {available} bytes: storage larger than the file", archive.Path, entry);
    }
}
