using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace BuildConvert.MSBuild.Json
{
    /// <summary>
    /// The small part of JSON the task needs (it may not depend on System.Text.Json, which .NET Framework MSBuild lacks):
    /// writing string literals, and parsing one document into dictionaries, lists, strings, doubles, booleans and nulls.
    /// </summary>
    internal static class JsonText
    {
        private const int MaxDepth = 64;

        /// <summary>Appends <paramref name="value"/> as a JSON string literal (or <c>null</c>), escaping everything outside printable ASCII.</summary>
        public static void AppendString(StringBuilder builder, string? value)
        {
            if (value is null)
            {
                builder.Append("null");
                return;
            }

            builder.Append('"');
            foreach (var c in value)
            {
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    case '\n': builder.Append("\\n"); break;
                    case '\r': builder.Append("\\r"); break;
                    case '\t': builder.Append("\\t"); break;
                    default:
                        if (c < 0x20 || c > 0x7e)
                        {
                            builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            builder.Append(c);
                        }

                        break;
                }
            }

            builder.Append('"');
        }

        /// <summary>Parses one JSON document. Objects become <see cref="Dictionary{TKey,TValue}"/> (ordinal keys),
        /// arrays <see cref="List{T}"/>, numbers <see cref="double"/>.</summary>
        /// <exception cref="FormatException">The text is not one well-formed JSON value.</exception>
        public static object? Parse(string text)
        {
            var position = 0;
            var value = ParseValue(text, ref position, 0);
            SkipWhitespace(text, ref position);
            if (position != text.Length)
            {
                throw new FormatException("unexpected text after the JSON value at offset " + position);
            }

            return value;
        }

        private static object? ParseValue(string text, ref int position, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new FormatException("JSON nested too deeply");
            }

            SkipWhitespace(text, ref position);
            if (position >= text.Length)
            {
                throw new FormatException("unexpected end of JSON");
            }

            var c = text[position];
            switch (c)
            {
                case '{':
                    return ParseObject(text, ref position, depth);
                case '[':
                    return ParseArray(text, ref position, depth);
                case '"':
                    return ParseString(text, ref position);
                case 't':
                    Expect(text, ref position, "true");
                    return true;
                case 'f':
                    Expect(text, ref position, "false");
                    return false;
                case 'n':
                    Expect(text, ref position, "null");
                    return null;
                default:
                    return ParseNumber(text, ref position);
            }
        }

        private static Dictionary<string, object?> ParseObject(string text, ref int position, int depth)
        {
            var result = new Dictionary<string, object?>(StringComparer.Ordinal);
            position++;
            SkipWhitespace(text, ref position);
            if (position < text.Length && text[position] == '}')
            {
                position++;
                return result;
            }

            while (true)
            {
                SkipWhitespace(text, ref position);
                if (position >= text.Length || text[position] != '"')
                {
                    throw new FormatException("expected a property name at offset " + position);
                }

                var key = ParseString(text, ref position);
                SkipWhitespace(text, ref position);
                if (position >= text.Length || text[position] != ':')
                {
                    throw new FormatException("expected ':' at offset " + position);
                }

                position++;
                result[key] = ParseValue(text, ref position, depth + 1);
                SkipWhitespace(text, ref position);
                if (position < text.Length && text[position] == ',')
                {
                    position++;
                    continue;
                }

                if (position < text.Length && text[position] == '}')
                {
                    position++;
                    return result;
                }

                throw new FormatException("expected ',' or '}' at offset " + position);
            }
        }

        private static List<object?> ParseArray(string text, ref int position, int depth)
        {
            var result = new List<object?>();
            position++;
            SkipWhitespace(text, ref position);
            if (position < text.Length && text[position] == ']')
            {
                position++;
                return result;
            }

            while (true)
            {
                result.Add(ParseValue(text, ref position, depth + 1));
                SkipWhitespace(text, ref position);
                if (position < text.Length && text[position] == ',')
                {
                    position++;
                    continue;
                }

                if (position < text.Length && text[position] == ']')
                {
                    position++;
                    return result;
                }

                throw new FormatException("expected ',' or ']' at offset " + position);
            }
        }

        private static string ParseString(string text, ref int position)
        {
            var builder = new StringBuilder();
            position++;
            while (position < text.Length)
            {
                var c = text[position++];
                if (c == '"')
                {
                    return builder.ToString();
                }

                if (c != '\\')
                {
                    builder.Append(c);
                    continue;
                }

                if (position >= text.Length)
                {
                    break;
                }

                var e = text[position++];
                switch (e)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u':
                        if (position + 4 > text.Length
                            || !int.TryParse(text.Substring(position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                        {
                            throw new FormatException("bad \\u escape at offset " + position);
                        }

                        builder.Append((char)code);
                        position += 4;
                        break;
                    default:
                        throw new FormatException("bad escape at offset " + position);
                }
            }

            throw new FormatException("unterminated string");
        }

        private static double ParseNumber(string text, ref int position)
        {
            var start = position;
            while (position < text.Length && "+-0123456789.eE".IndexOf(text[position]) >= 0)
            {
                position++;
            }

            if (position == start
                || !double.TryParse(text.Substring(start, position - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw new FormatException("expected a JSON value at offset " + start);
            }

            return value;
        }

        private static void Expect(string text, ref int position, string word)
        {
            if (string.CompareOrdinal(text, position, word, 0, word.Length) != 0)
            {
                throw new FormatException("expected '" + word + "' at offset " + position);
            }

            position += word.Length;
        }

        private static void SkipWhitespace(string text, ref int position)
        {
            while (position < text.Length && (text[position] == ' ' || text[position] == '\t' || text[position] == '\r' || text[position] == '\n'))
            {
                position++;
            }
        }
    }
}
