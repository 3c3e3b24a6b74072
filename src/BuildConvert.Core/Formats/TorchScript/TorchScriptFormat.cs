using System.Globalization;
using System.Text.RegularExpressions;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Pipeline;
using BuildConvert.Core.Pipeline.Options;

namespace BuildConvert.Core.Formats.TorchScript;

/// <summary>
/// PyTorch TorchScript archives (<c>torch.jit.script(m).save(path)</c>, <c>torch.jit.trace(m, x).save(path)</c>):
/// recognised by content (a zip whose one top-level folder holds <c>data.pkl</c> and <c>code/</c>, or version 1-2's
/// <c>model.json</c> and <c>code/</c>), weakly by <c>.pt</c>, <c>.pth</c>, <c>.pts</c>, <c>.jit</c>, <c>.dat</c> and
/// <c>.zip</c>. A torch.save file (a legacy pickle, or a zip of weights without code) is claimed at extension strength
/// so that reading it gives the coded reason it cannot convert (BCONV1301, BCONV1302).
/// </summary>
public sealed partial class TorchScriptFormat : IModelFormat
{
    /// <summary>The format's name.</summary>
    public const string FormatName = "torchscript";

    private static readonly string[] FileExtensions = { ".pt", ".pth", ".pts", ".jit", ".dat", ".zip" };

    private static readonly ConversionOptionDescriptor[] FormatOptions =
    {
        ConversionOptionTable.Opset, ConversionOptionTable.InputShapes, ConversionOptionTable.Optimize,
        TorchScriptConversion.Method, TorchScriptConversion.InputTypes,
    };

    /// <inheritdoc />
    public string Name => FormatName;

    /// <inheritdoc />
    public string Description => "PyTorch TorchScript archive";

    /// <inheritdoc />
    public IReadOnlyList<string> Extensions => FileExtensions;

    /// <inheritdoc />
    public IReadOnlyList<ConversionOptionDescriptor> Options => FormatOptions;

    /// <inheritdoc />
    public FormatMatch Detect(string path)
    {
        if (!File.Exists(path))
        {
            return FormatMatch.None;
        }

        var extension = FileExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase) ? FormatMatch.Extension : FormatMatch.None;
        if (new FileInfo(path).Length == 0)
        {
            // Empty, or not a regular file (a FIFO or a device reports 0): opening it could block, and the reader
            // gives the coded error for it.
            return extension;
        }

        try
        {
            var head = new byte[16];
            int read;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
            {
                read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            }

            if (TorchArchive.IsLegacyTorchSave(head.AsSpan(0, read)))
            {
                return FormatMatch.Extension;
            }

            if (read < 4 || head[0] != (byte)'P' || head[1] != (byte)'K')
            {
                return extension;
            }

            var archive = TorchArchive.Open(path);
            var hasCode = archive.CodeFiles.Count > 0;
            if (hasCode && (archive.Contains("data.pkl") || archive.Contains("model.json")))
            {
                return FormatMatch.Content;
            }

            return archive.Contains("data.pkl") ? FormatMatch.Extension : extension;
        }
        catch (Exception e) when (e is BuildConvertException or IOException or UnauthorizedAccessException)
        {
            return extension;
        }
    }

    /// <inheritdoc />
    public SourceModel Import(string path, ConversionOptions options, CancellationToken cancellationToken = default) => Read(path, TorchArchiveReadOptions.Default);

    /// <summary>Reads the archive at <paramref name="path"/>.</summary>
    /// <exception cref="BuildConvertException">BCONV1300-1321 for a file that is not a readable TorchScript archive.</exception>
    public static TorchScriptSourceModel Read(string path, TorchArchiveReadOptions readOptions)
    {
        ArgumentNullException.ThrowIfNull(readOptions);
        var program = TorchScriptProgram.Read(path, readOptions);
        return new TorchScriptSourceModel(path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", program);
    }

    /// <inheritdoc />
    /// <exception cref="BuildConvertException">As <see cref="TorchScriptConversion.Convert"/>.</exception>
    public ConvertedModel Convert(SourceModel source, ConversionOptions options, CancellationToken cancellationToken = default)
    {
        if (source is not TorchScriptSourceModel model)
        {
            throw new ArgumentException($"the {FormatName} format cannot convert a model read by '{source.Format}'", nameof(source));
        }

        return TorchScriptConversion.Convert(model, options, cancellationToken);
    }
}

/// <summary>A TorchScript archive as read: its program (module tree, constants, code) over the mapped archive.</summary>
public sealed partial class TorchScriptSourceModel : SourceModel
{
    internal TorchScriptSourceModel(string sourcePath, string baseDirectory, TorchScriptProgram program)
        : base(sourcePath, baseDirectory, TorchScriptFormat.FormatName)
    {
        Program = program;
    }

    /// <summary>What the archive holds (owned by the source; immutable).</summary>
    public TorchScriptProgram Program { get; }

    /// <inheritdoc />
    public override ModelSummary Summarize()
    {
        var c = CultureInfo.InvariantCulture;
        var archive = Program.Archive;
        var methods = TorchScriptSignatures.RootMethods(Program);
        var forward = methods.FirstOrDefault(m => m.Name == "forward");
        var tensors = Program.ModuleTensors();
        long parameters = 0, bytes = 0;
        foreach (var (_, tensor) in tensors)
        {
            parameters += tensor.Data.ElementCount;
            bytes += Math.Max(0, tensor.Data.ByteCount);
        }

        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in Program.Code.Values)
        {
            foreach (Match m in CallSite().Matches(text))
            {
                calls[m.Groups[1].Value] = calls.GetValueOrDefault(m.Groups[1].Value) + 1;
            }
        }

        var details = new List<KeyValuePair<string, string>>
        {
            new("archive", $"TorchScript version {archive.Version.ToString(c)} (from {archive.VersionEntry}), root folder '{archive.Root}/', {(archive.IsBigEndian ? "big" : "little")}-endian{(Program.IsLegacyLayout ? ", version 1-2 layout (model.json)" : "")}"),
            new("module", Program.Module.QualifiedName),
            new("methods", methods.Count == 0 ? "(none found)" : string.Join(", ", methods.Select(m => m.Name))),
            new("code", $"{Program.Code.Count.ToString(c)} files, {Program.Constants.Count.ToString(c)} constants"),
        };
        if (Program.TracedInputs is { } traced)
        {
            details.Add(new("traced", string.Join("; ", traced.Select(kv => $"{kv.Key}({string.Join(", ", kv.Value.Select(v => v?.ToString() ?? "None"))})"))));
        }

        if (archive.ExtraFiles.Count > 0)
        {
            details.Add(new("extra", string.Join(", ", archive.ExtraFiles)));
        }

        var producer = Program.Producer.Split(' ', 2);
        return new ModelSummary(0, "pytorch", producer.Length > 1 ? producer[1] : "", Array.Empty<OpsetSummary>(),
            forward?.Parameters.Select(p => Describe(p.Name, p.Type)).ToArray() ?? Array.Empty<ValueSummary>(),
            forward is null ? Array.Empty<ValueSummary>() : new[] { Describe("return", forward.ReturnType) },
            calls.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new OpCount(kv.Key, kv.Value)).ToArray(),
            calls.Values.Sum(), 0, tensors.Count, parameters, bytes, 0)
        {
            Signatures = methods.Select(m => new SignatureSummary(m.Name, "",
                m.Parameters.Select(p => Describe(p.Name, p.Type)).ToArray(), new[] { Describe("return", m.ReturnType) })).ToArray(),
            Details = details,
        };
    }

    private static ValueSummary Describe(string name, string type) => new(name, type.Length == 0 ? "unknown" : type, null);

    // Calls of builtins in serialized code: torch.add(...), ops.aten.relu(...), ops.prim.NumToTensor(...); calls of
    // code-defined functions (__torch__.torch.nn.functional.linear) are left out.
    [GeneratedRegex(@"(?<![\w.])((?:torch|ops\.\w+)\.[A-Za-z_]\w*)\(")]
    private static partial Regex CallSite();
}
