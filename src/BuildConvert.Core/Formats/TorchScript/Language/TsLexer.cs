using System.Globalization;
using System.Text;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Formats.TorchScript.Language;

/// <summary>The kinds of token of the TorchScript language.</summary>
public enum TsTokenKind
{
    Name, Int, Float, String, Op, Newline, Indent, Dedent, End,
}

/// <summary>One token. <see cref="Value"/> is the name or operator text, the parsed number (long, ulong for
/// 2**63, double) or the decoded string.</summary>
public readonly record struct TsToken(TsTokenKind Kind, string Text, object? Value, TsLocation Location)
{
    public bool Is(string op) => (Kind == TsTokenKind.Op || Kind == TsTokenKind.Name) && Text == op;

    public override string ToString() => Kind switch
    {
        TsTokenKind.Newline => "end of line",
        TsTokenKind.Indent => "an indent",
        TsTokenKind.Dedent => "a dedent",
        TsTokenKind.End => "end of file",
        TsTokenKind.String => "a string",
        _ => $"'{Text}'",
    };
}

/// <summary>
/// Splits serialized TorchScript source into tokens, Python style: significant indentation (INDENT/DEDENT tokens;
/// spaces, or tabs alone), line joining inside brackets and after a backslash, comments, adjacent string literals
/// as one, integer literals in decimal/hex/octal/binary, floats with exponents (<c>1.</c>, <c>.5</c>, <c>1e-05</c>).
/// <c>inf</c> and <c>nan</c> are names (the parser makes them floats). Errors are BCONV1330/BCONV1331 with file:line:column.
/// </summary>
public sealed class TsLexer
{
    private static readonly string[] Operators =
    [
        "**=", "//=", ">>=", "<<=", "...", "->", "**", "//", "==", "!=", "<=", ">=", "<<", ">>", "+=", "-=", "*=", "/=",
        "%=", "&=", "|=", "^=", "@=", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "@", "=", "+", "-", "*", "/",
        "%", "&", "|", "^", "~", "<", ">",
    ];

    private readonly string text;
    private readonly string file;
    private readonly List<TsToken> tokens = new();
    private readonly Stack<int> indents = new();
    private int pos;
    private int line = 1;
    private int lineStart;
    private int depth;
    private char? indentChar;

    private TsLexer(string text, string file)
    {
        this.text = text;
        this.file = file;
        indents.Push(0);
    }

    /// <summary>Tokenizes a whole file. The list ends with NEWLINE (when the file has code), DEDENTs, END.</summary>
    /// <exception cref="BuildConvertException">BCONV1330 or BCONV1331.</exception>
    public static IReadOnlyList<TsToken> Tokenize(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lexer = new TsLexer(text, file);
        lexer.Run();
        return lexer.tokens;
    }

    private TsLocation Here => new(file, line, pos - lineStart + 1);

    private void Run()
    {
        var atLineStart = true;
        while (pos < text.Length)
        {
            if (atLineStart && depth == 0)
            {
                if (!Indentation())
                {
                    continue;
                }

                atLineStart = false;
            }

            var c = text[pos];
            if (c == '\n' || c == '\r')
            {
                var endOfLine = Here;
                NewLine();
                if (depth == 0)
                {
                    Add(TsTokenKind.Newline, "\n", null, endOfLine);
                    atLineStart = true;
                }

                continue;
            }

            if (c is ' ' or '\t' or '\f')
            {
                pos++;
                continue;
            }

            if (c == '#')
            {
                SkipComment();
                continue;
            }

            if (c == '\\' && pos + 1 < text.Length && text[pos + 1] is '\n' or '\r')
            {
                pos++;
                NewLine();
                continue;
            }

            var at = Here;
            if (char.IsAsciiLetter(c) || c == '_' || c > 127 && char.IsLetter(c))
            {
                var start = pos;
                while (pos < text.Length && (char.IsAsciiLetterOrDigit(text[pos]) || text[pos] == '_' || text[pos] > 127 && char.IsLetterOrDigit(text[pos])))
                {
                    pos++;
                }

                var word = text[start..pos];
                if (pos < text.Length && text[pos] is '"' or '\'' && word.ToLowerInvariant() is "r" or "b" or "rb" or "br" or "u")
                {
                    String(at, word.Contains('r', StringComparison.OrdinalIgnoreCase));
                    continue;
                }

                Add(TsTokenKind.Name, word, word, at);
                continue;
            }

            if (char.IsAsciiDigit(c) || c == '.' && pos + 1 < text.Length && char.IsAsciiDigit(text[pos + 1]))
            {
                Number(at);
                continue;
            }

            if (c is '"' or '\'')
            {
                String(at, raw: false);
                continue;
            }

            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(text, pos, o, 0, o.Length) == 0);
            if (op is null)
            {
                throw Error(DiagnosticCodes.TorchScriptSyntaxError, at, $"unexpected character '{Printable(c)}'");
            }

            pos += op.Length;
            if (op is "(" or "[" or "{")
            {
                depth++;
            }
            else if (op is ")" or "]" or "}")
            {
                if (depth == 0)
                {
                    throw Error(DiagnosticCodes.TorchScriptSyntaxError, at, $"'{op}' closes no bracket");
                }

                depth--;
            }

            Add(TsTokenKind.Op, op, op, at);
        }

        if (depth > 0)
        {
            throw Error(DiagnosticCodes.TorchScriptSyntaxError, Here, "the file ends inside a bracket");
        }

        if (tokens.Count > 0 && tokens[^1].Kind is not (TsTokenKind.Newline or TsTokenKind.Dedent))
        {
            Add(TsTokenKind.Newline, "\n", null, Here);
        }

        while (indents.Count > 1)
        {
            indents.Pop();
            Add(TsTokenKind.Dedent, "", null, Here);
        }

        Add(TsTokenKind.End, "", null, Here);
    }

    // Measures a line's indentation; returns false for a blank or comment-only line (which it consumes).
    private bool Indentation()
    {
        var start = pos;
        var width = 0;
        while (pos < text.Length && text[pos] is ' ' or '\t' or '\f')
        {
            var c = text[pos];
            if (c != '\f')
            {
                if (indentChar is null)
                {
                    indentChar = c;
                }
                else if (indentChar != c)
                {
                    throw Error(DiagnosticCodes.TorchScriptIndentationError, Here, "tabs and spaces are mixed in indentation");
                }

                width++;
            }

            pos++;
        }

        if (pos >= text.Length)
        {
            return false;
        }

        if (text[pos] is '\n' or '\r')
        {
            NewLine();
            return false;
        }

        if (text[pos] == '#')
        {
            SkipComment();
            return false;
        }

        var at = new TsLocation(file, line, pos - lineStart + 1);
        if (width > indents.Peek())
        {
            if (tokens.Count == 0)
            {
                throw Error(DiagnosticCodes.TorchScriptIndentationError, at, "the first statement is indented");
            }

            indents.Push(width);
            Add(TsTokenKind.Indent, text[start..pos], null, at);
        }
        else
        {
            while (width < indents.Peek())
            {
                indents.Pop();
                Add(TsTokenKind.Dedent, "", null, at);
            }

            if (width != indents.Peek())
            {
                throw Error(DiagnosticCodes.TorchScriptIndentationError, at, $"dedent to column {width + 1}, which matches no enclosing block");
            }
        }

        return true;
    }

    private void NewLine()
    {
        if (text[pos] == '\r' && pos + 1 < text.Length && text[pos + 1] == '\n')
        {
            pos++;
        }

        pos++;
        line++;
        lineStart = pos;
    }

    private void SkipComment()
    {
        while (pos < text.Length && text[pos] is not ('\n' or '\r'))
        {
            pos++;
        }
    }

    private void Number(TsLocation at)
    {
        var start = pos;
        if (text[pos] == '0' && pos + 1 < text.Length && char.ToLowerInvariant(text[pos + 1]) is 'x' or 'o' or 'b')
        {
            var radix = char.ToLowerInvariant(text[pos + 1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
            pos += 2;
            var digitsStart = pos;
            while (pos < text.Length && (char.IsAsciiHexDigit(text[pos]) || text[pos] == '_'))
            {
                pos++;
            }

            var digits = text[digitsStart..pos].Replace("_", "", StringComparison.Ordinal);
            ulong value = 0;
            if (digits.Length == 0)
            {
                throw Error(DiagnosticCodes.TorchScriptSyntaxError, at, $"'{text[start..pos]}' has no digits");
            }

            foreach (var d in digits)
            {
                var v = Convert.ToInt32(d.ToString(), 16);
                if (v >= radix)
                {
                    throw Error(DiagnosticCodes.TorchScriptSyntaxError, at, $"'{text[start..pos]}' is not a base-{radix} number");
                }

                value = checked(value * (ulong)radix + (ulong)v);
            }

            AddInt(at, text[start..pos], value);
            return;
        }

        var isFloat = false;
        while (pos < text.Length && (char.IsAsciiDigit(text[pos]) || text[pos] == '_'))
        {
            pos++;
        }

        if (pos < text.Length && text[pos] == '.')
        {
            isFloat = true;
            pos++;
            while (pos < text.Length && (char.IsAsciiDigit(text[pos]) || text[pos] == '_'))
            {
                pos++;
            }
        }

        if (pos < text.Length && text[pos] is 'e' or 'E')
        {
            var save = pos;
            pos++;
            if (pos < text.Length && text[pos] is '+' or '-')
            {
                pos++;
            }

            if (pos < text.Length && char.IsAsciiDigit(text[pos]))
            {
                isFloat = true;
                while (pos < text.Length && char.IsAsciiDigit(text[pos]))
                {
                    pos++;
                }
            }
            else
            {
                pos = save;
            }
        }

        if (pos < text.Length && (char.IsAsciiLetter(text[pos]) || text[pos] == '_'))
        {
            throw Error(DiagnosticCodes.TorchScriptSyntaxError, at, $"'{text[start..(pos + 1)]}' is not a number");
        }

        var literal = text[start..pos];
        var clean = literal.Replace("_", "", StringComparison.Ordinal);
        if (isFloat)
        {
            Add(TsTokenKind.Float, literal, double.Parse(clean, NumberStyles.Float, CultureInfo.InvariantCulture), at);
        }
        else if (clean.Length > 1 && clean[0] == '0' && clean.Any(ch => ch != '0'))
        {
            throw Error(DiagnosticCodes.TorchScriptSyntaxError, at, $"'{literal}': leading zeros are not allowed in a decimal integer");
        }
        else if (ulong.TryParse(clean, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            AddInt(at, literal, value);
        }
        else
        {
            throw Error(DiagnosticCodes.TorchScriptSyntaxError, at, $"the integer {literal} does not fit in 64 bits");
        }
    }

    private void AddInt(TsLocation at, string literal, ulong value)
    {
        if (value > (ulong)long.MaxValue + 1)
        {
            throw Error(DiagnosticCodes.TorchScriptSyntaxError, at, $"the integer {literal} does not fit in 64 bits");
        }

        Add(TsTokenKind.Int, literal, value <= long.MaxValue ? (long)value : value, at);
    }

    private void String(TsLocation at, bool raw)
    {
        var sb = new StringBuilder();
        var first = true;
        while (true)
        {
            StringPart(at, raw && first, sb);
            first = false;
            // Adjacent literals (on one logical line) are one string.
            var save = pos;
            while (pos < text.Length && text[pos] is ' ' or '\t')
            {
                pos++;
            }

            if (pos < text.Length && text[pos] is '"' or '\'')
            {
                continue;
            }

            pos = save;
            break;
        }

        var decoded = sb.ToString();
        Add(TsTokenKind.String, decoded, decoded, at);
    }

    private void StringPart(TsLocation at, bool raw, StringBuilder sb)
    {
        var quote = text[pos];
        var triple = pos + 2 < text.Length && text[pos + 1] == quote && text[pos + 2] == quote;
        pos += triple ? 3 : 1;
        while (true)
        {
            if (pos >= text.Length)
            {
                throw Error(DiagnosticCodes.TorchScriptSyntaxError, at, "the string is not terminated");
            }

            var c = text[pos];
            if (c == quote && (!triple || pos + 2 < text.Length && text[pos + 1] == quote && text[pos + 2] == quote))
            {
                pos += triple ? 3 : 1;
                return;
            }

            if (c is '\n' or '\r')
            {
                if (!triple)
                {
                    throw Error(DiagnosticCodes.TorchScriptSyntaxError, at, "the string is not terminated on its line");
                }

                sb.Append('\n');
                NewLine();
                continue;
            }

            if (c == '\\' && !raw)
            {
                Escape(sb);
                continue;
            }

            if (c == '\\' && raw && pos + 1 < text.Length)
            {
                sb.Append(c).Append(text[pos + 1]);
                pos += 2;
                continue;
            }

            sb.Append(c);
            pos++;
        }
    }

    private void Escape(StringBuilder sb)
    {
        var at = Here;
        pos++;
        if (pos >= text.Length)
        {
            throw Error(DiagnosticCodes.TorchScriptSyntaxError, at, "the string ends in a backslash");
        }

        var c = text[pos++];
        switch (c)
        {
            case '\n':
                line++;
                lineStart = pos;
                break;
            case '\\': sb.Append('\\'); break;
            case '\'': sb.Append('\''); break;
            case '"': sb.Append('"'); break;
            case 'a': sb.Append('\a'); break;
            case 'b': sb.Append('\b'); break;
            case 'f': sb.Append('\f'); break;
            case 'n': sb.Append('\n'); break;
            case 'r': sb.Append('\r'); break;
            case 't': sb.Append('\t'); break;
            case 'v': sb.Append('\v'); break;
            case 'x': sb.Append(char.ConvertFromUtf32(HexDigits(2, at))); break;
            case 'u': sb.Append(char.ConvertFromUtf32(HexDigits(4, at))); break;
            case 'U': sb.Append(char.ConvertFromUtf32(HexDigits(8, at))); break;
            case >= '0' and <= '7':
                var value = c - '0';
                for (var i = 0; i < 2 && pos < text.Length && text[pos] is >= '0' and <= '7'; i++)
                {
                    value = value * 8 + (text[pos++] - '0');
                }

                sb.Append((char)value);
                break;
            default:
                // Python keeps an unknown escape as written.
                sb.Append('\\').Append(c);
                break;
        }
    }

    private int HexDigits(int count, TsLocation at)
    {
        if (pos + count > text.Length || !text.AsSpan(pos, count).ToString().All(char.IsAsciiHexDigit))
        {
            throw Error(DiagnosticCodes.TorchScriptSyntaxError, at, $"a \\x, \\u or \\U escape needs {count} hex digits");
        }

        var value = int.Parse(text.AsSpan(pos, count), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        pos += count;
        if (value > 0x10FFFF || value is >= 0xD800 and <= 0xDFFF)
        {
            throw Error(DiagnosticCodes.TorchScriptSyntaxError, at, $"the escape names no Unicode character (U+{value:X})");
        }

        return value;
    }

    private void Add(TsTokenKind kind, string tokenText, object? value, TsLocation at) => tokens.Add(new TsToken(kind, tokenText, value, at));

    private static string Printable(char c) => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString();

    internal static BuildConvertException Error(DiagnosticDescriptor code, TsLocation at, string message) =>
        BuildConvertException.Create(code, $"{at}: {message}", at.File, $"{at.Line}:{at.Column}");
}
