using System.Globalization;

namespace BuildConvert.Core.Formats.TorchScript.Language;

/// <summary>A position in a TorchScript code file (1-based line and column).</summary>
public readonly record struct TsLocation(string File, int Line, int Column)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{Column}");
}

/// <summary>An expression of the serialized TorchScript language. Immutable.</summary>
public abstract record TsExpr(TsLocation Location);

/// <summary>A name: a variable, a builtin (<c>torch</c>, <c>ops</c>, <c>int</c>), or the first part of a qualified name.</summary>
public sealed record TsName(TsLocation Location, string Id) : TsExpr(Location);

/// <summary>A literal: <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="string"/>, or null for None.
/// <see cref="ulong"/> only for 9223372036854775808 (which a unary minus turns into long.MinValue).</summary>
public sealed record TsConstant(TsLocation Location, object? Value) : TsExpr(Location);

/// <summary>The literal <c>...</c>.</summary>
public sealed record TsEllipsis(TsLocation Location) : TsExpr(Location);

/// <summary><c>target.Name</c>.</summary>
public sealed record TsAttribute(TsLocation Location, TsExpr Target, string Name) : TsExpr(Location);

/// <summary>A keyword argument of a call.</summary>
public sealed record TsKeyword(string Name, TsExpr Value);

/// <summary><c>function(args, name=value)</c>.</summary>
public sealed record TsCall(TsLocation Location, TsExpr Function, IReadOnlyList<TsExpr> Args, IReadOnlyList<TsKeyword> Keywords) : TsExpr(Location);

/// <summary><c>target[index]</c>; several indices are one <see cref="TsTuple"/>.</summary>
public sealed record TsSubscript(TsLocation Location, TsExpr Target, TsExpr Index) : TsExpr(Location);

/// <summary><c>lower:upper:step</c> inside a subscript; absent parts are null.</summary>
public sealed record TsSlice(TsLocation Location, TsExpr? Lower, TsExpr? Upper, TsExpr? Step) : TsExpr(Location);

/// <summary><c>(a, b)</c>.</summary>
public sealed record TsTuple(TsLocation Location, IReadOnlyList<TsExpr> Elements) : TsExpr(Location);

/// <summary><c>[a, b]</c>.</summary>
public sealed record TsList(TsLocation Location, IReadOnlyList<TsExpr> Elements) : TsExpr(Location);

/// <summary><c>{k: v}</c>.</summary>
public sealed record TsDict(TsLocation Location, IReadOnlyList<TsExpr> Keys, IReadOnlyList<TsExpr> Values) : TsExpr(Location);

/// <summary><c>[element for target in iterable if condition]</c> (also a generator expression).</summary>
public sealed record TsListComprehension(TsLocation Location, TsExpr Element, TsExpr Target, TsExpr Iterable, TsExpr? Condition) : TsExpr(Location);

/// <summary>A binary arithmetic or bitwise operator: <c>+ - * / // % ** @ &amp; | ^ &lt;&lt; &gt;&gt;</c>.</summary>
public sealed record TsBinary(TsLocation Location, string Op, TsExpr Left, TsExpr Right) : TsExpr(Location);

/// <summary>A unary operator: <c>-</c>, <c>+</c>, <c>~</c>, <c>not</c>.</summary>
public sealed record TsUnary(TsLocation Location, string Op, TsExpr Operand) : TsExpr(Location);

/// <summary><c>and</c> / <c>or</c> (short-circuit).</summary>
public sealed record TsBoolOp(TsLocation Location, string Op, TsExpr Left, TsExpr Right) : TsExpr(Location);

/// <summary>A comparison chain <c>a &lt; b &lt;= c</c>: operators <c>== != &lt; &lt;= &gt; &gt;= in</c>, <c>not in</c>, <c>is</c>, <c>is not</c>.</summary>
public sealed record TsCompare(TsLocation Location, TsExpr Left, IReadOnlyList<string> Ops, IReadOnlyList<TsExpr> Comparators) : TsExpr(Location);

/// <summary><c>body if condition else orelse</c>.</summary>
public sealed record TsConditional(TsLocation Location, TsExpr Condition, TsExpr Body, TsExpr OrElse) : TsExpr(Location);

/// <summary>A statement. Immutable.</summary>
public abstract record TsStmt(TsLocation Location);

/// <summary>An expression evaluated for its effect.</summary>
public sealed record TsExprStmt(TsLocation Location, TsExpr Value) : TsStmt(Location);

/// <summary><c>t1 = t2 = value</c>; a target is a name, a tuple/list of targets, an attribute or a subscript.</summary>
public sealed record TsAssign(TsLocation Location, IReadOnlyList<TsExpr> Targets, TsExpr Value) : TsStmt(Location);

/// <summary><c>target : annotation [= value]</c> (a class attribute declaration, or a typed local).</summary>
public sealed record TsAnnAssign(TsLocation Location, TsExpr Target, TsExpr Annotation, TsExpr? Value) : TsStmt(Location);

/// <summary><c>target op= value</c> (Op without the '=').</summary>
public sealed record TsAugAssign(TsLocation Location, TsExpr Target, string Op, TsExpr Value) : TsStmt(Location);

/// <summary><c>if</c> (an <c>elif</c> is an if nested in <see cref="OrElse"/>).</summary>
public sealed record TsIf(TsLocation Location, TsExpr Condition, IReadOnlyList<TsStmt> Body, IReadOnlyList<TsStmt> OrElse) : TsStmt(Location);

/// <summary><c>for target in iterable:</c>.</summary>
public sealed record TsFor(TsLocation Location, TsExpr Target, TsExpr Iterable, IReadOnlyList<TsStmt> Body) : TsStmt(Location);

/// <summary><c>while condition:</c>.</summary>
public sealed record TsWhile(TsLocation Location, TsExpr Condition, IReadOnlyList<TsStmt> Body) : TsStmt(Location);

/// <summary><c>return [value]</c>.</summary>
public sealed record TsReturn(TsLocation Location, TsExpr? Value) : TsStmt(Location);

/// <summary><c>pass</c>.</summary>
public sealed record TsPass(TsLocation Location) : TsStmt(Location);

/// <summary><c>break</c>.</summary>
public sealed record TsBreak(TsLocation Location) : TsStmt(Location);

/// <summary><c>continue</c>.</summary>
public sealed record TsContinue(TsLocation Location) : TsStmt(Location);

/// <summary><c>assert test[, message]</c>.</summary>
public sealed record TsAssert(TsLocation Location, TsExpr Test, TsExpr? Message) : TsStmt(Location);

/// <summary><c>raise [exception]</c>.</summary>
public sealed record TsRaise(TsLocation Location, TsExpr? Exception) : TsStmt(Location);

/// <summary><c>del targets</c>.</summary>
public sealed record TsDelete(TsLocation Location, IReadOnlyList<TsExpr> Targets) : TsStmt(Location);

/// <summary><c>import a.b.c [as d]</c> or <c>from a.b import c [as d], ...</c> (Module is null for a plain import).</summary>
public sealed record TsImport(TsLocation Location, string? Module, IReadOnlyList<(string Name, string? AsName)> Names) : TsStmt(Location);

/// <summary>A parameter of a <c>def</c>.</summary>
public sealed record TsParameter(TsLocation Location, string Name, TsExpr? Annotation, TsExpr? Default);

/// <summary><c>def name(params) -&gt; returns:</c>.</summary>
public sealed record TsFunctionDef(TsLocation Location, string Name, IReadOnlyList<TsParameter> Parameters, TsExpr? Returns, IReadOnlyList<TsStmt> Body) : TsStmt(Location);

/// <summary><c>class Name(bases):</c>.</summary>
public sealed record TsClassDef(TsLocation Location, string Name, IReadOnlyList<TsExpr> Bases, IReadOnlyList<TsStmt> Body) : TsStmt(Location);

/// <summary>A parsed code file: its statements, and the qualified name of the Python module it defines
/// (<c>code/__torch__/torch/nn/modules/conv.py</c> defines <c>__torch__.torch.nn.modules.conv</c>).</summary>
public sealed record TsFile(string Path, string ModuleName, IReadOnlyList<TsStmt> Statements)
{
    /// <summary>The qualified module name of a code file's path inside the archive (<c>code/</c> and <c>.py</c> stripped,
    /// slashes to dots; a leading archive folder is dropped).</summary>
    public static string ModuleNameOf(string path)
    {
        var p = path.Replace('\\', '/');
        var code = p.IndexOf("code/", StringComparison.Ordinal);
        if (code >= 0 && (code == 0 || p[code - 1] == '/'))
        {
            p = p[(code + 5)..];
        }

        if (p.EndsWith(".py", StringComparison.Ordinal))
        {
            p = p[..^3];
        }

        return p.Replace('/', '.');
    }
}
