using System.Globalization;
using System.Text;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Converters.TorchScript.Schemas;

/// <summary>The kinds of type an operator schema uses (PyTorch's FunctionSchema type grammar).</summary>
public enum AtenTypeKind
{
    Tensor, Int, SymInt, Float, Bool, Str, Scalar, Complex, ScalarType, Layout, Device, MemoryFormat, Generator, Storage,
    Stream, Any, AnyEnum, AnyClass, QScheme, Dimname, NoneType, TypeVar, List, Optional, Tuple, Dict, Future, RRef, Class,
}

/// <summary>A schema type: <c>Tensor</c>, <c>int[2]</c> (a list of fixed size), <c>Tensor?</c>, <c>t[]</c>,
/// <c>Dict(str, t)</c>, <c>(Tensor, Tensor)</c>, a type variable (<c>t</c>, <c>tVal</c>) or a class name.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Elements">List/Optional: the element; Tuple: each element; Dict: key, value; Future/RRef: the element.</param>
/// <param name="Name">A type variable's or class's name; else the kind's schema spelling.</param>
/// <param name="FixedSize">For a list written <c>int[2]</c>: 2.</param>
public sealed record AtenType(AtenTypeKind Kind, IReadOnlyList<AtenType> Elements, string Name, int? FixedSize = null)
{
    public AtenType Element => Elements[0];

    public bool Equals(AtenType? other) =>
        other is not null && Kind == other.Kind && Name == other.Name && FixedSize == other.FixedSize && Elements.SequenceEqual(other.Elements);

    public override int GetHashCode() => HashCode.Combine(Kind, Name, FixedSize, Elements.Count);

    public override string ToString() => Kind switch
    {
        AtenTypeKind.List => $"{Element}[{FixedSize?.ToString(CultureInfo.InvariantCulture)}]",
        AtenTypeKind.Optional => $"{Element}?",
        AtenTypeKind.Tuple => $"({string.Join(", ", Elements)})",
        AtenTypeKind.Dict => $"Dict({Elements[0]}, {Elements[1]})",
        AtenTypeKind.Future or AtenTypeKind.RRef => $"{Name}({Element})",
        _ => Name,
    };
}

/// <summary>One argument (or return) of a schema.</summary>
/// <param name="Name">The name (empty for unnamed returns).</param>
/// <param name="Type">The type.</param>
/// <param name="KeywordOnly">Whether it follows the <c>*</c> marker.</param>
/// <param name="HasDefault">Whether it has a default.</param>
/// <param name="Default">The default: <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="string"/>,
/// <see cref="TorchNone.Instance"/>, or an <see cref="IReadOnlyList{T}"/> of those.</param>
/// <param name="Alias">The alias annotation without parentheses (<c>a!</c>, <c>a</c>, <c>a -&gt; *</c>), or null.</param>
public sealed record AtenArgument(string Name, AtenType Type, bool KeywordOnly, bool HasDefault, object? Default, string? Alias)
{
    /// <summary>Whether the operator writes into this argument (<c>Tensor(a!)</c>).</summary>
    public bool IsMutated => Alias is not null && Alias.Contains('!', StringComparison.Ordinal);
}

/// <summary>A parsed operator schema: <c>aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -&gt; Tensor</c>.</summary>
public sealed record AtenSchema(string Name, string Overload, IReadOnlyList<AtenArgument> Arguments, IReadOnlyList<AtenArgument> Returns, bool VarArgs, bool VarReturns, string Text)
{
    /// <summary><c>aten::add.Tensor</c>, or the name alone for the default overload.</summary>
    public string FullName => Overload.Length == 0 ? Name : $"{Name}.{Overload}";

    /// <summary>Whether the operator writes into its first argument (<c>relu_</c>, <c>add_</c>, <c>append</c>).</summary>
    public bool MutatesFirstArgument => Arguments.Count > 0 && Arguments[0].IsMutated;

    public override string ToString() => Text;

    /// <summary>Parses a schema string.</summary>
    /// <exception cref="BuildConvertException">BCONV1333 when the text is not a schema.</exception>
    public static AtenSchema Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new AtenSchemaParser(text).Schema();
    }
}

// The schema grammar: name[.overload](arg, ...) -> ret | (ret, ...); arg: Type[(alias)] [name][=default] | '*' | '...'.
internal sealed class AtenSchemaParser
{
    private readonly string text;
    private int pos;

    public AtenSchemaParser(string text) => this.text = text;

    public AtenSchema Schema()
    {
        SkipSpace();
        var nameStart = pos;
        while (pos < text.Length && text[pos] != '(')
        {
            pos++;
        }

        var qualified = text[nameStart..pos].Trim();
        var colon = qualified.IndexOf("::", StringComparison.Ordinal);
        var dot = qualified.IndexOf('.', colon < 0 ? 0 : colon);
        if (colon <= 0 || qualified.Length == 0)
        {
            throw Error("the schema has no namespace::name");
        }

        var name = dot < 0 ? qualified : qualified[..dot];
        var overload = dot < 0 ? "" : qualified[(dot + 1)..];
        Expect('(');
        var (args, varArgs) = ArgumentList(')', allowDefaults: true);
        SkipSpace();
        if (!Accept("->"))
        {
            throw Error("expected '->'");
        }

        SkipSpace();
        IReadOnlyList<AtenArgument> returns;
        var varReturns = false;
        if (pos < text.Length && text[pos] == '(' && !LooksLikeTupleTypeReturn())
        {
            pos++;
            (returns, varReturns) = ArgumentList(')', allowDefaults: false);
        }
        else if (Accept("..."))
        {
            returns = Array.Empty<AtenArgument>();
            varReturns = true;
        }
        else
        {
            returns = [Argument(allowDefaults: false, keywordOnly: false)];
        }

        SkipSpace();
        if (pos != text.Length)
        {
            throw Error($"unexpected '{text[pos..]}' after the returns");
        }

        return new AtenSchema(name, overload, args, returns, varArgs, varReturns, text);
    }

    // "(Tensor, tVal)[]" as a single return would be a list of tuples; the table has none, so '(' always opens a list.
    private static bool LooksLikeTupleTypeReturn() => false;

    private (IReadOnlyList<AtenArgument>, bool) ArgumentList(char close, bool allowDefaults)
    {
        var list = new List<AtenArgument>();
        var keywordOnly = false;
        var varArgs = false;
        SkipSpace();
        if (Accept(close.ToString()))
        {
            return (list, false);
        }

        while (true)
        {
            SkipSpace();
            if (Accept("..."))
            {
                varArgs = true;
            }
            else if (pos < text.Length && text[pos] == '*' && (pos + 1 >= text.Length || text[pos + 1] is ',' or ' ' or ')'))
            {
                pos++;
                keywordOnly = true;
            }
            else
            {
                list.Add(Argument(allowDefaults, keywordOnly));
            }

            SkipSpace();
            if (Accept(close.ToString()))
            {
                return (list, varArgs);
            }

            Expect(',');
        }
    }

    private AtenArgument Argument(bool allowDefaults, bool keywordOnly)
    {
        var (type, alias) = Type();
        SkipSpace();
        var name = "";
        if (pos < text.Length && (char.IsAsciiLetter(text[pos]) || text[pos] == '_'))
        {
            name = Identifier();
        }

        SkipSpace();
        object? @default = null;
        var hasDefault = false;
        if (allowDefaults && Accept("="))
        {
            hasDefault = true;
            @default = DefaultValue(type);
        }

        return new AtenArgument(name, type, keywordOnly, hasDefault, @default, alias);
    }

    private (AtenType Type, string? Alias) Type()
    {
        SkipSpace();
        AtenType type;
        string? alias = null;
        if (Accept("("))
        {
            var elements = new List<AtenType>();
            while (true)
            {
                elements.Add(Type().Type);
                SkipSpace();
                if (Accept(")"))
                {
                    break;
                }

                Expect(',');
            }

            type = new AtenType(AtenTypeKind.Tuple, elements, "Tuple");
        }
        else
        {
            var id = QualifiedIdentifier();
            if (id is "Dict" or "Future" or "RRef" or "Await" or "Union")
            {
                Expect('(');
                var elements = new List<AtenType>();
                while (true)
                {
                    elements.Add(Type().Type);
                    SkipSpace();
                    if (Accept(")"))
                    {
                        break;
                    }

                    Expect(',');
                }

                type = id switch
                {
                    "Dict" => new AtenType(AtenTypeKind.Dict, elements, "Dict"),
                    "Future" or "Await" => new AtenType(AtenTypeKind.Future, elements, id),
                    "RRef" => new AtenType(AtenTypeKind.RRef, elements, id),
                    _ => new AtenType(AtenTypeKind.Any, Array.Empty<AtenType>(), "Any"),
                };
            }
            else
            {
                type = Simple(id);
            }
        }

        // Suffixes, in any order PyTorch writes them: (alias) [] [N] ?
        while (pos < text.Length)
        {
            if (text[pos] == '(')
            {
                var close = text.IndexOf(')', pos);
                if (close < 0)
                {
                    throw Error("an alias annotation is not closed");
                }

                alias = text[(pos + 1)..close];
                pos = close + 1;
            }
            else if (text[pos] == '[')
            {
                var close = text.IndexOf(']', pos);
                if (close < 0)
                {
                    throw Error("a list type is not closed");
                }

                var size = text[(pos + 1)..close];
                int? fixedSize = size.Length == 0 ? null : int.Parse(size, NumberStyles.None, CultureInfo.InvariantCulture);
                type = new AtenType(AtenTypeKind.List, [type], "List", fixedSize);
                pos = close + 1;
            }
            else if (text[pos] == '?')
            {
                type = new AtenType(AtenTypeKind.Optional, [type], "Optional");
                pos++;
            }
            else
            {
                break;
            }
        }

        return (type, alias);
    }

    private static AtenType Simple(string id)
    {
        var kind = id switch
        {
            "Tensor" => AtenTypeKind.Tensor,
            "int" => AtenTypeKind.Int,
            "SymInt" => AtenTypeKind.SymInt,
            "float" => AtenTypeKind.Float,
            "bool" => AtenTypeKind.Bool,
            "str" => AtenTypeKind.Str,
            "Scalar" or "number" => AtenTypeKind.Scalar,
            "complex" => AtenTypeKind.Complex,
            "ScalarType" => AtenTypeKind.ScalarType,
            "Layout" => AtenTypeKind.Layout,
            "Device" => AtenTypeKind.Device,
            "MemoryFormat" => AtenTypeKind.MemoryFormat,
            "Generator" => AtenTypeKind.Generator,
            "Storage" => AtenTypeKind.Storage,
            "Stream" => AtenTypeKind.Stream,
            "Any" => AtenTypeKind.Any,
            "AnyEnumType" => AtenTypeKind.AnyEnum,
            "AnyClassType" => AtenTypeKind.AnyClass,
            "QScheme" => AtenTypeKind.QScheme,
            "Dimname" => AtenTypeKind.Dimname,
            "NoneType" => AtenTypeKind.NoneType,
            _ when id.Contains('.', StringComparison.Ordinal) => AtenTypeKind.Class,
            _ when id.Length > 0 && char.IsAsciiLetterLower(id[0]) => AtenTypeKind.TypeVar,
            _ => AtenTypeKind.Class,
        };
        return new AtenType(kind, Array.Empty<AtenType>(), id);
    }

    private object? DefaultValue(AtenType type)
    {
        SkipSpace();
        if (Accept("["))
        {
            var items = new List<object?>();
            SkipSpace();
            if (Accept("]"))
            {
                return items;
            }

            var element = type.Kind == AtenTypeKind.Optional ? type.Element : type;
            element = element.Kind == AtenTypeKind.List ? element.Element : element;
            while (true)
            {
                items.Add(DefaultValue(element));
                SkipSpace();
                if (Accept("]"))
                {
                    return items;
                }

                Expect(',');
            }
        }

        if (pos < text.Length && text[pos] is '"' or '\'')
        {
            return StringLiteral();
        }

        var start = pos;
        while (pos < text.Length && text[pos] is not (',' or ')' or ']' or ' '))
        {
            pos++;
        }

        var token = text[start..pos];
        var baseType = type.Kind == AtenTypeKind.Optional ? type.Element : type;
        switch (token)
        {
            case "None":
                return TorchNone.Instance;
            case "True":
                return true;
            case "False":
                return false;
        }

        if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) && baseType.Kind is not (AtenTypeKind.Float or AtenTypeKind.Complex))
        {
            // A fixed-size list with a single default value (int[2] stride=1) repeats it.
            if (baseType is { Kind: AtenTypeKind.List, FixedSize: { } n })
            {
                return Enumerable.Repeat((object?)i, n).ToList();
            }

            return i;
        }

        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }

        if (token is "inf" or "-inf")
        {
            return token == "inf" ? double.PositiveInfinity : double.NegativeInfinity;
        }

        if (token.Length > 0)
        {
            // Enum spellings (contiguous_format, Mean, long) stay names.
            return token;
        }

        throw Error("a default value is missing");
    }

    private string StringLiteral()
    {
        var quote = text[pos++];
        var sb = new StringBuilder();
        while (pos < text.Length && text[pos] != quote)
        {
            var c = text[pos++];
            if (c == '\\' && pos < text.Length)
            {
                var e = text[pos++];
                sb.Append(e switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'f' => '\f',
                    'v' => '\v',
                    'a' => '\a',
                    'b' => '\b',
                    '0' => '\0',
                    _ => e,
                });
            }
            else
            {
                sb.Append(c);
            }
        }

        Expect(quote);
        return sb.ToString();
    }

    private string QualifiedIdentifier()
    {
        var id = Identifier();
        while (pos + 1 < text.Length && text[pos] == '.' && (char.IsAsciiLetter(text[pos + 1]) || text[pos + 1] == '_'))
        {
            pos++;
            id += "." + Identifier();
        }

        return id;
    }

    private string Identifier()
    {
        var start = pos;
        while (pos < text.Length && (char.IsAsciiLetterOrDigit(text[pos]) || text[pos] == '_'))
        {
            pos++;
        }

        if (pos == start)
        {
            throw Error("expected a name");
        }

        return text[start..pos];
    }

    private void SkipSpace()
    {
        while (pos < text.Length && text[pos] == ' ')
        {
            pos++;
        }
    }

    private bool Accept(string s)
    {
        if (string.CompareOrdinal(text, pos, s, 0, s.Length) == 0)
        {
            pos += s.Length;
            return true;
        }

        return false;
    }

    private void Expect(char c)
    {
        SkipSpace();
        if (pos >= text.Length || text[pos] != c)
        {
            throw Error($"expected '{c}'");
        }

        pos++;
    }

    private BuildConvertException Error(string message) =>
        BuildConvertException.Create(DiagnosticCodes.TorchScriptSchemaInvalid, $"operator schema '{text}', column {pos + 1}: {message}");
}
