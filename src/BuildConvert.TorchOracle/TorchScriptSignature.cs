using System.IO.Compression;
using System.Text;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.TorchOracle;

/// <summary>One parameter of a TorchScript method, as its serialized source declares it (<c>x: Tensor</c>,
/// <c>n: int=3</c>, <c>h: Optional[Tensor]=None</c>).</summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="Type">The annotation as written (<c>Tensor</c>, <c>Tuple[float, float, int]</c>); <c>Tensor</c> when absent.</param>
/// <param name="Default">The default's source text, or null when the parameter has none.</param>
public sealed record TorchParameter(string Name, string Type, string? Default)
{
    /// <summary>The type with an <c>Optional[...]</c> wrapper removed.</summary>
    public string ValueType => Type.StartsWith("Optional[", StringComparison.Ordinal) && Type.EndsWith(']')
        ? Type["Optional[".Length..^1].Trim()
        : Type;

    /// <summary>Whether the parameter may be left out (it has a default or is Optional).</summary>
    public bool CanBeOmitted => Default is not null || Type.StartsWith("Optional[", StringComparison.Ordinal);
}

/// <summary>
/// The parameters of the root module's methods, read from the archive's serialized TorchScript source
/// (<c>code/__torch__/...py</c>) without running anything: the root module's class is the first global that
/// <c>data.pkl</c> names (protocol 2 opens with <c>GLOBAL module\nname\n</c>), its source file is
/// <c>code/</c> + the module path with dots as folders + <c>.py</c>, and each method is a <c>def</c> line in that
/// class. Archives of format version 1 (<c>model.json</c>, no <c>data.pkl</c>) hold one top-level <c>def forward</c>.
/// LibTorch does not report parameter names or annotations through TorchSharp, so the oracle reads them here.
/// </summary>
public sealed class TorchScriptSignature
{
    private const long MaxSourceBytes = 64L << 20;

    private TorchScriptSignature(string rootClass, (Dictionary<string, IReadOnlyList<TorchParameter>> Parameters, Dictionary<string, string> Returns) methods,
        IReadOnlySet<string>? namedTuples = null)
    {
        RootClass = rootClass;
        Methods = methods.Parameters;
        Returns = methods.Returns;
        NamedTuples = namedTuples ?? new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>The qualified names of the archive's NamedTuple classes (<c>class GoogLeNetOutputs(NamedTuple):</c>):
    /// LibTorch returns them as tuples, which TorchSharp reads.</summary>
    public IReadOnlySet<string> NamedTuples { get; }

    /// <summary>The root module's qualified class name (<c>__torch__.torchvision.models.resnet.ResNet</c>).</summary>
    public string RootClass { get; }

    /// <summary>Each method of the root class with its parameters (without <c>self</c>), in source order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<TorchParameter>> Methods { get; }

    /// <summary>Each method's return annotation as written (<c>Tuple[Tensor, Tensor]</c>); absent when it has none.</summary>
    public IReadOnlyDictionary<string, string> Returns { get; }

    /// <summary>Reads the signature of the archive at <paramref name="archivePath"/>.</summary>
    /// <exception cref="BuildConvertException">BCONV4102 when the file is not a TorchScript archive whose source can be read.</exception>
    public static TorchScriptSignature Read(string archivePath)
    {
        ArgumentNullException.ThrowIfNull(archivePath);
        try
        {
            using var zip = ZipFile.OpenRead(archivePath);
            var entries = zip.Entries.Where(e => !e.FullName.EndsWith('/')).ToArray();
            var dataPkl = entries.FirstOrDefault(e => IsAt(e.FullName, "data.pkl"));
            if (dataPkl is null)
            {
                var legacy = entries.Where(e => InCode(e.FullName) && e.FullName.EndsWith(".py", StringComparison.Ordinal))
                    .Select(e => (Entry: e, Source: ReadText(e)))
                    .FirstOrDefault(x => x.Source.Contains("\ndef forward(", StringComparison.Ordinal) || x.Source.StartsWith("def forward(", StringComparison.Ordinal));
                if (legacy.Entry is null)
                {
                    throw NotAnArchive(archivePath, "it has neither data.pkl nor a code/ file defining forward");
                }

                return new TorchScriptSignature(Path.GetFileNameWithoutExtension(legacy.Entry.Name), ParseMethods(legacy.Source, null));
            }

            var root = RootGlobal(dataPkl, archivePath);
            var lastDot = root.LastIndexOf('.');
            var module = root[..lastDot];
            var className = root[(lastDot + 1)..];
            var prefix = dataPkl.FullName[..^"data.pkl".Length];
            var sourcePath = prefix + "code/" + module.Replace('.', '/') + ".py";
            var source = entries.FirstOrDefault(e => e.FullName == sourcePath)
                ?? throw NotAnArchive(archivePath, $"the root module's class {root} has no source file {sourcePath} (a state_dict saved with torch.save has no code/)");
            return new TorchScriptSignature(root, ParseMethods(ReadText(source), className), NamedTupleClasses(entries, prefix + "code/"));
        }
        catch (InvalidDataException e)
        {
            throw NotAnArchive(archivePath, "it is not a zip archive (" + e.Message + ")");
        }
    }

    /// <summary>Parses the <c>def</c> headers of <paramref name="source"/>: those of class <paramref name="className"/>
    /// (indented one level), or the top-level ones when it is null.</summary>
    internal static (Dictionary<string, IReadOnlyList<TorchParameter>> Parameters, Dictionary<string, string> Returns) ParseMethods(string source, string? className)
    {
        var methods = new Dictionary<string, IReadOnlyList<TorchParameter>>(StringComparer.Ordinal);
        var returns = new Dictionary<string, string>(StringComparer.Ordinal);
        var inClass = className is null;
        var lines = source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("class ", StringComparison.Ordinal))
            {
                var name = line["class ".Length..].Split('(', ':')[0].Trim();
                inClass = className is not null && name == className;
                continue;
            }

            var trimmed = line.TrimStart();
            if (!inClass || !trimmed.StartsWith("def ", StringComparison.Ordinal) || (className is null && trimmed.Length != line.Length))
            {
                continue;
            }

            var header = new StringBuilder(trimmed);
            while (Depth(header.ToString()) > 0 && i + 1 < lines.Length)
            {
                header.Append(' ').Append(lines[++i].Trim());
            }

            var text = header.ToString();
            var open = text.IndexOf('(', StringComparison.Ordinal);
            var close = MatchingClose(text, open);
            if (open < 0 || close < 0)
            {
                continue;
            }

            var method = text["def ".Length..open].Trim();
            var parameters = SplitTopLevel(text[(open + 1)..close]).Select(ParseParameter).Where(p => p is not null).Select(p => p!).ToList();
            // A method of a class takes the object first, whatever the Python source named it.
            if (parameters.Count > 0 && (className is not null || parameters[0].Name == "self"))
            {
                parameters.RemoveAt(0);
            }

            if (methods.TryAdd(method, parameters))
            {
                var rest = text[(close + 1)..].Trim();
                if (rest.StartsWith("->", StringComparison.Ordinal))
                {
                    var annotation = rest[2..].Trim();
                    returns[method] = annotation.EndsWith(':') ? annotation[..^1].Trim() : annotation;
                }
            }
        }

        return (methods, returns);
    }

    private static TorchParameter? ParseParameter(string text)
    {
        var part = text.Trim();
        if (part.Length == 0)
        {
            return null;
        }

        string? defaultText = null;
        var equals = TopLevelIndex(part, '=');
        if (equals >= 0)
        {
            defaultText = part[(equals + 1)..].Trim();
            part = part[..equals].Trim();
        }

        var colon = TopLevelIndex(part, ':');
        return colon < 0
            ? new TorchParameter(part, "Tensor", defaultText)
            : new TorchParameter(part[..colon].Trim(), part[(colon + 1)..].Trim(), defaultText);
    }

    private static string RootGlobal(ZipArchiveEntry dataPkl, string archivePath)
    {
        // PROTO 2 (0x80 0x02), then GLOBAL ('c') "module\nname\n": the class of the object the pickle builds first.
        using var stream = dataPkl.Open();
        var head = new byte[4096];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var start = read >= 2 && head[0] == 0x80 ? 2 : 0;
        if (start >= read || head[start] != (byte)'c')
        {
            throw NotAnArchive(archivePath, "data.pkl does not open with the root module's class");
        }

        var text = Encoding.UTF8.GetString(head, start + 1, read - start - 1);
        var parts = text.Split('\n', 3);
        if (parts.Length < 3 || !parts[0].StartsWith("__torch__", StringComparison.Ordinal) || parts[1].Length == 0)
        {
            throw NotAnArchive(archivePath, $"data.pkl's root object is '{parts[0]}', not a TorchScript module (__torch__.*); a state_dict or a pickled nn.Module is not a TorchScript archive");
        }

        return parts[0] + "." + parts[1];
    }

    private static string ReadText(ZipArchiveEntry entry)
    {
        if (entry.Length > MaxSourceBytes)
        {
            throw new InvalidDataException($"{entry.FullName} is larger than {MaxSourceBytes} bytes");
        }

        using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static bool IsAt(string fullName, string name)
    {
        var parts = fullName.Split('/');
        return parts.Length == 2 && parts[1] == name;
    }

    /// <summary>The NamedTuple classes defined in the code files under <paramref name="codeFolder"/>, qualified by
    /// their file's module path.</summary>
    private static HashSet<string> NamedTupleClasses(IEnumerable<ZipArchiveEntry> entries, string codeFolder)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries.Where(e => e.FullName.StartsWith(codeFolder, StringComparison.Ordinal) && e.FullName.EndsWith(".py", StringComparison.Ordinal)))
        {
            var module = entry.FullName[codeFolder.Length..^".py".Length].Replace('/', '.');
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(ReadText(entry), @"^class (\w+)\(NamedTuple\):", System.Text.RegularExpressions.RegexOptions.Multiline))
            {
                names.Add(module + "." + m.Groups[1].Value);
            }
        }

        return names;
    }

    private static bool InCode(string fullName)
    {
        var parts = fullName.Split('/');
        return parts.Length >= 3 && parts[1] == "code";
    }

    private static int Depth(string text)
    {
        var depth = 0;
        foreach (var c in text)
        {
            depth += c is '(' or '[' ? 1 : c is ')' or ']' ? -1 : 0;
        }

        return depth;
    }

    private static int MatchingClose(string text, int open)
    {
        if (open < 0)
        {
            return -1;
        }

        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            depth += text[i] is '(' or '[' ? 1 : text[i] is ')' or ']' ? -1 : 0;
            if (depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] is '(' or '[' ? 1 : text[i] is ')' or ']' ? -1 : 0;
            if (text[i] == ',' && depth == 0)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }

    private static int TopLevelIndex(string text, char what)
    {
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] is '(' or '[' ? 1 : text[i] is ')' or ']' ? -1 : 0;
            if (text[i] == what && depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static BuildConvertException NotAnArchive(string archivePath, string why) =>
        BuildConvertException.Create(DiagnosticCodes.TorchScriptLoadFailed, $"'{archivePath}' is not a TorchScript archive the oracle can run: {why}", archivePath);
}
