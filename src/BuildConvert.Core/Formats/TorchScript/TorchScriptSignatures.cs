using System.Text.RegularExpressions;

namespace BuildConvert.Core.Formats.TorchScript;

/// <summary>A method's signature as the serialized code spells it: <c>def forward(self: __torch__.M, x: Tensor) -> Tensor:</c>.</summary>
/// <param name="Name">The method's name.</param>
/// <param name="Parameters">Its parameters after <c>self</c>: name and type as written (empty when unannotated).</param>
/// <param name="ReturnType">The return annotation as written, or empty.</param>
public sealed record TorchMethodSignature(string Name, IReadOnlyList<(string Name, string Type)> Parameters, string ReturnType);

/// <summary>
/// Finds the methods a module's class defines in the serialized TorchScript source, by their <c>def</c> headers only
/// (for <c>inspect</c>; the TorchScript parser reads the code itself). The serializer writes classes at column 0 and
/// their methods at an indentation of two spaces; version 1-2 archives write each module's methods as top-level defs.
/// </summary>
public static partial class TorchScriptSignatures
{
    /// <summary>The methods of the root module of <paramref name="program"/>, in source order; empty when its code is not found.</summary>
    public static IReadOnlyList<TorchMethodSignature> RootMethods(TorchScriptProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var file = program.CodeFileFor(program.Module.QualifiedName);
        if (file is null || !program.Code.TryGetValue(file, out var code))
        {
            return Array.Empty<TorchMethodSignature>();
        }

        if (program.IsLegacyLayout)
        {
            return Methods(code, null);
        }

        return Methods(code, program.Module.QualifiedName[(program.Module.QualifiedName.LastIndexOf('.') + 1)..]);
    }

    /// <summary>The methods of class <paramref name="className"/> in <paramref name="code"/> (top-level defs when null).</summary>
    public static IReadOnlyList<TorchMethodSignature> Methods(string code, string? className)
    {
        ArgumentNullException.ThrowIfNull(code);
        var lines = code.ReplaceLineEndings("\n").Split('\n');
        var indent = className is null ? "" : "  ";
        var inClass = className is null;
        var result = new List<TorchMethodSignature>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (className is not null && line.Length > 0 && line[0] != ' ' && line[0] != '#')
            {
                inClass = line.StartsWith($"class {className}(", StringComparison.Ordinal) || line.StartsWith($"class {className}:", StringComparison.Ordinal);
                continue;
            }

            if (!inClass || !line.StartsWith(indent + "def ", StringComparison.Ordinal))
            {
                continue;
            }

            // The header may span lines; it ends at the ':' after the parameter list's closing parenthesis.
            var header = line.Trim();
            while (!HeaderEnd().IsMatch(header) && i + 1 < lines.Length && header.Length < 100_000)
            {
                header += " " + lines[++i].Trim();
            }

            if (Parse(header, inClass: className is not null) is { } method)
            {
                result.Add(method);
            }
        }

        return result;
    }

    private static TorchMethodSignature? Parse(string header, bool inClass)
    {
        var open = header.IndexOf('(');
        if (open < 0)
        {
            return null;
        }

        var name = header[4..open].Trim();
        var depth = 0;
        var close = -1;
        for (var k = open; k < header.Length && close < 0; k++)
        {
            depth += header[k] switch { '(' or '[' => 1, ')' or ']' => -1, _ => 0 };
            if (depth == 0)
            {
                close = k;
            }
        }

        if (close < 0)
        {
            return null;
        }

        var parameters = Split(header[(open + 1)..close])
            .Select(p => p.Trim()).Where(p => p.Length > 0)
            .Select(p =>
            {
                var colon = p.IndexOf(':');
                var type = colon < 0 ? "" : p[(colon + 1)..].Trim();
                var eq = type.IndexOf('=');
                return (Name: (colon < 0 ? p : p[..colon]).Trim(), Type: eq < 0 ? type : type[..eq].Trim());
            })
            .ToList();
        // A method of a class takes the object first, whatever the Python source named it; a version 1-2 top-level def
        // is a method when that parameter is called self.
        if (parameters.Count > 0 && (inClass || parameters[0].Name == "self"))
        {
            parameters.RemoveAt(0);
        }

        var rest = header[(close + 1)..].Trim();
        var returns = rest.StartsWith("->", StringComparison.Ordinal) ? rest[2..].TrimEnd(':').Trim() : "";
        return new TorchMethodSignature(name, parameters, returns);
    }

    private static IEnumerable<string> Split(string text)
    {
        var depth = 0;
        var start = 0;
        for (var k = 0; k < text.Length; k++)
        {
            depth += text[k] switch { '(' or '[' => 1, ')' or ']' => -1, _ => 0 };
            if (text[k] == ',' && depth == 0)
            {
                yield return text[start..k];
                start = k + 1;
            }
        }

        yield return text[start..];
    }

    [GeneratedRegex(@"\)\s*(->.*)?:$")]
    private static partial Regex HeaderEnd();
}
