using System.Globalization;
using System.Runtime.InteropServices;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Values;
using TorchSharp;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.TorchOracle;

/// <summary>
/// One TorchScript archive loaded with LibTorch (<c>torch.jit.load</c> through TorchSharp), in eval mode, on the CPU.
/// Not thread-safe; dispose it to free the module.
/// </summary>
public sealed class TorchScriptRunner : IDisposable
{
    private readonly torch.jit.ScriptModule module;

    private TorchScriptRunner(string archivePath, TorchScriptSignature signature, torch.jit.ScriptModule module)
    {
        ArchivePath = archivePath;
        Signature = signature;
        this.module = module;
    }

    /// <summary>The archive's path.</summary>
    public string ArchivePath { get; }

    /// <summary>The root module's methods and their parameters, from the archive's source.</summary>
    public TorchScriptSignature Signature { get; }

    /// <summary>Loads LibTorch (once per process) and the archive.</summary>
    /// <param name="archivePath">The TorchScript archive.</param>
    /// <param name="nativeDirectory">Where the natives are; null for <see cref="LibTorchRuntime.FindNativeDirectory"/>.</param>
    /// <exception cref="BuildConvertException">BCONV4101 when LibTorch cannot load; BCONV4102 when the archive cannot.</exception>
    public static TorchScriptRunner Load(string archivePath, string? nativeDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(archivePath);
        var full = Path.GetFullPath(archivePath);
        if (!File.Exists(full))
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchScriptLoadFailed, $"'{archivePath}' does not exist", archivePath);
        }

        var signature = TorchScriptSignature.Read(full);
        LibTorchRuntime.EnsureLoaded(nativeDirectory);
        torch.jit.ScriptModule loaded;
        try
        {
            loaded = torch.jit.load(full, DeviceType.CPU);
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException or IOException)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchScriptLoadFailed,
                $"torch.jit.load refused '{archivePath}': {FirstLine(e.Message)}", archivePath, inner: e);
        }

        loaded.eval();
        return new TorchScriptRunner(full, signature, loaded);
    }

    /// <summary>The parameters of <paramref name="method"/> (without <c>self</c>).</summary>
    /// <exception cref="BuildConvertException">BCONV4103 when the root module has no such method.</exception>
    public IReadOnlyList<TorchParameter> Parameters(string method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return Signature.Methods.TryGetValue(method, out var parameters)
            ? parameters
            : throw BuildConvertException.Create(DiagnosticCodes.TorchMethodNotFound,
                $"the root module ({Signature.RootClass}) has no method '{method}'; it defines {(Signature.Methods.Count == 0 ? "none" : string.Join(", ", Signature.Methods.Keys))}",
                ArchivePath, method);
    }

    /// <summary>Runs <paramref name="method"/> on <paramref name="inputs"/> and returns its result flattened (see
    /// <see cref="TensorBridge.Flatten"/>). Inputs bind to parameters by name, else by position; trailing parameters
    /// with defaults may be left out, Optional ones get None.</summary>
    /// <exception cref="BuildConvertException">BCONV4103-4107.</exception>
    public IReadOnlyList<TensorValue> Run(string method, IReadOnlyList<DataValue> inputs, string dataSet = "run")
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var parameters = Parameters(method);
        if (Signature.Returns.TryGetValue(method, out var returns) && UnreadableReturn(returns, Signature.NamedTuples) is { } unreadable)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchOutputUnsupported,
                $"method '{method}' returns {returns}; TorchSharp 0.107 cannot bring {unreadable} back to .NET (it reads tensors, scalars and tuples and lists of them)", ArchivePath, method);
        }

        var bound = Bind(method, parameters, inputs);
        var owned = new List<IDisposable>();
        try
        {
            var arguments = new object?[bound.Count];
            for (var i = 0; i < bound.Count; i++)
            {
                arguments[i] = ToArgument(method, parameters[i], bound[i], owned);
            }

            object? result;
            using (torch.no_grad())
            {
                try
                {
                    result = module.invoke(method, arguments!);
                }
                catch (NotImplementedException e)
                {
                    throw BuildConvertException.Create(DiagnosticCodes.TorchOutputUnsupported,
                        $"data set '{dataSet}': method '{method}' returned a value TorchSharp 0.107 cannot bring back to .NET (dicts and class objects cannot be read): {FirstLine(e.Message)}", ArchivePath, method, e);
                }
                catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException)
                {
                    throw BuildConvertException.Create(DiagnosticCodes.TorchRunFailed,
                        $"data set '{dataSet}': LibTorch failed while running '{method}': {FirstLine(e.Message)}", ArchivePath, method, e);
                }
            }

            return TensorBridge.Flatten(result, method);
        }
        finally
        {
            foreach (var item in owned)
            {
                item.Dispose();
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => module.Dispose();

    /// <summary>What in a return annotation TorchSharp cannot read (a dict, a class object, a string), or null. The
    /// <paramref name="namedTuples"/> are tuples to LibTorch, so they are readable.</summary>
    internal static string? UnreadableReturn(string annotation, IReadOnlySet<string>? namedTuples = null)
    {
        foreach (var name in namedTuples ?? new HashSet<string>())
        {
            annotation = System.Text.RegularExpressions.Regex.Replace(annotation, System.Text.RegularExpressions.Regex.Escape(name) + @"\b", "Tuple");
        }

        return UnreadableAnnotation(annotation);
    }

    private static string? UnreadableAnnotation(string annotation) =>
        annotation.Contains("Dict[", StringComparison.Ordinal) ? "a dict"
        : annotation.Contains("__torch__.", StringComparison.Ordinal) ? "a class object"
        : System.Text.RegularExpressions.Regex.IsMatch(annotation, @"\bstr\b") ? "a string"
        : null;

    /// <summary>Pairs each parameter with its value (null: pass None), leaving out trailing parameters with defaults.</summary>
    internal List<DataValue?> Bind(string method, IReadOnlyList<TorchParameter> parameters, IReadOnlyList<DataValue> inputs)
    {
        var byName = inputs.Where(v => v.Name.Length > 0 && parameters.Any(p => p.Name == v.Name)).ToDictionary(v => v.Name, StringComparer.Ordinal);
        var positional = byName.Count == 0;
        if (!positional && byName.Count != inputs.Count)
        {
            var stray = inputs.First(v => !byName.ContainsKey(v.Name));
            throw Mismatch(method, parameters, $"input '{stray.Name}' names no parameter");
        }

        if (positional && inputs.Count > parameters.Count)
        {
            throw Mismatch(method, parameters, $"{inputs.Count} inputs were given");
        }

        var bound = new List<DataValue?>();
        for (var i = 0; i < parameters.Count; i++)
        {
            var value = positional ? (i < inputs.Count ? inputs[i] : null) : byName.GetValueOrDefault(parameters[i].Name);
            if (value is null && !parameters[i].CanBeOmitted)
            {
                throw Mismatch(method, parameters, $"parameter '{parameters[i].Name}' ({parameters[i].Type}) has no value");
            }

            bound.Add(value);
        }

        while (bound.Count > 0 && bound[^1] is null && parameters[bound.Count - 1].Default is not null)
        {
            bound.RemoveAt(bound.Count - 1);
        }

        return bound;
    }

    private object? ToArgument(string method, TorchParameter parameter, DataValue? value, List<IDisposable> owned)
    {
        if (value is null)
        {
            return null;
        }

        var type = parameter.ValueType;
        if (value is not TensorValue tensor || tensor.IsString)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchInputMismatch,
                $"parameter '{parameter.Name}' of '{method}' is given a {value.GetType().Name}; the oracle passes numeric and bool tensors", ArchivePath, parameter.Name);
        }

        switch (type)
        {
            case "Tensor":
                var t = TensorBridge.ToTorch(tensor);
                owned.Add(t);
                return t;
            case "int":
                return (long)Scalar(method, parameter, tensor);
            case "float":
                return Scalar(method, parameter, tensor);
            case "bool":
                return Scalar(method, parameter, tensor) != 0;
            default:
                throw BuildConvertException.Create(DiagnosticCodes.TorchArgumentUnsupported,
                    $"parameter '{parameter.Name}' of '{method}' is {parameter.Type}; TorchSharp 0.107 passes Tensor, int, float and bool arguments only", ArchivePath, parameter.Name);
        }
    }

    private double Scalar(string method, TorchParameter parameter, TensorValue tensor)
    {
        if (tensor.ElementCount != 1)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchInputMismatch,
                $"parameter '{parameter.Name}' of '{method}' is {parameter.Type}, but its value has shape [{string.Join(",", tensor.Shape)}] (one element expected)", ArchivePath, parameter.Name);
        }

        return tensor.GetDouble(0);
    }

    private BuildConvertException Mismatch(string method, IReadOnlyList<TorchParameter> parameters, string why) =>
        BuildConvertException.Create(DiagnosticCodes.TorchInputMismatch,
            $"{why}; '{method}' takes ({string.Join(", ", parameters.Select(p => $"{p.Name}: {p.Type}{(p.Default is null ? "" : "=" + p.Default)}"))})", ArchivePath, method);

    private static string FirstLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? message : string.Join(" ", lines.Take(3));
    }

    internal static string Describe(TensorValue value) =>
        $"{ElementTypes.Name(value.ElementType)}[{string.Join(",", value.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))}]";
}
