using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace BuildConvert.Core.Diagnostics;

/// <summary>
/// Quotes command-line arguments for a POSIX shell, for the "To reproduce, run: ..." lines of diagnostics. An argument
/// made only of letters, digits and <c>-_./=:,@+%</c> is written as it is; any other is put in single quotes, inside
/// which the shell expands nothing (<c>$</c>, backslashes, spaces and double quotes stay literal), and a single quote
/// is written as <c>'\''</c>. The result still goes through <see cref="DiagnosticEscaping"/> when it is printed, so
/// control characters in a path cannot break the diagnostic line. The CLI and the MSBuild task compile this same file
/// (the task has no reference to this assembly).
/// </summary>
#if BUILDCONVERT_TASK
internal static class ShellQuoting
#else
public static class ShellQuoting
#endif
{
    /// <summary>One argument, quoted when it needs to be; the empty string becomes <c>''</c>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="argument"/> is null.</exception>
    public static string Quote(string argument)
    {
        if (argument is null)
        {
            throw new ArgumentNullException(nameof(argument));
        }

        if (argument.Length > 0 && IsPlain(argument))
        {
            return argument;
        }

        var builder = new StringBuilder(argument.Length + 2).Append('\'');
        foreach (var c in argument)
        {
            if (c == '\'')
            {
                builder.Append("'\\''");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append('\'').ToString();
    }

    /// <summary>The arguments quoted and joined with single spaces.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="arguments"/> or one of them is null.</exception>
    public static string Join(IEnumerable<string> arguments)
    {
        if (arguments is null)
        {
            throw new ArgumentNullException(nameof(arguments));
        }

        return string.Join(" ", arguments.Select(Quote));
    }

    private static bool IsPlain(string argument)
    {
        foreach (var c in argument)
        {
            var plain = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
                or '-' or '_' or '.' or '/' or '=' or ':' or ',' or '@' or '+' or '%';
            if (!plain)
            {
                return false;
            }
        }

        return true;
    }
}
