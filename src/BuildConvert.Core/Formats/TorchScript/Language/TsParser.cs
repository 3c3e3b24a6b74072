using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Formats.TorchScript.Language;

/// <summary>
/// A recursive-descent parser for the serialized TorchScript language: the Python subset <c>torch.jit.save</c> writes
/// under <c>code/</c> (imports, class definitions with typed attribute declarations, <c>def</c>s with annotations and
/// defaults, assignments incl. tuple unpacking and augmented forms, if/elif/else, for, while, return, pass, assert,
/// raise, break, continue, del, and expressions with Python's precedence: conditional, or, and, not, comparison
/// chains incl. is/is not/in/not in, | ^ &amp; shifts, + -, * / // % @, unary - + ~, **, calls with keyword arguments,
/// attributes, subscripts and slices, tuple/list/dict literals, list comprehensions). Errors are BCONV1330 with
/// file:line:column.
/// </summary>
public sealed class TsParser
{
    private static readonly HashSet<string> CompareOps = new(StringComparer.Ordinal) { "==", "!=", "<", "<=", ">", ">=" };
    private static readonly HashSet<string> AugOps = new(StringComparer.Ordinal)
    {
        "+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=", "^=", "<<=", ">>=", "@=",
    };

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "and", "as", "assert", "break", "class", "continue", "def", "del", "elif", "else", "for", "from", "global", "if",
        "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "while", "with", "yield",
    };

    private readonly IReadOnlyList<TsToken> tokens;
    private int index;

    private TsParser(IReadOnlyList<TsToken> tokens) => this.tokens = tokens;

    /// <summary>Parses one code file.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="path">Its path in the archive (for messages and the module name).</param>
    /// <exception cref="BuildConvertException">BCONV1330 or BCONV1331.</exception>
    public static TsFile ParseFile(string text, string path)
    {
        var parser = new TsParser(TsLexer.Tokenize(text, path));
        var statements = new List<TsStmt>();
        while (!parser.At(TsTokenKind.End))
        {
            if (parser.At(TsTokenKind.Newline))
            {
                parser.index++;
                continue;
            }

            statements.AddRange(parser.Statement());
        }

        return new TsFile(path, TsFile.ModuleNameOf(path), statements);
    }

    /// <summary>Parses one expression (a type annotation or a schema default, for instance).</summary>
    /// <exception cref="BuildConvertException">BCONV1330.</exception>
    public static TsExpr ParseExpression(string text, string source)
    {
        var parser = new TsParser(TsLexer.Tokenize(text, source));
        var e = parser.Test();
        while (parser.At(TsTokenKind.Newline) || parser.At(TsTokenKind.Dedent))
        {
            parser.index++;
        }

        if (!parser.At(TsTokenKind.End))
        {
            throw parser.Unexpected("the end of the expression");
        }

        return e;
    }

    private TsToken Peek => tokens[index];

    private bool At(TsTokenKind kind) => tokens[index].Kind == kind;

    private bool AtOp(string op) => tokens[index].Kind == TsTokenKind.Op && tokens[index].Text == op;

    private bool AtKeyword(string word) => tokens[index].Kind == TsTokenKind.Name && tokens[index].Text == word;

    private TsToken Next() => tokens[index++];

    private bool AcceptOp(string op)
    {
        if (AtOp(op))
        {
            index++;
            return true;
        }

        return false;
    }

    private bool AcceptKeyword(string word)
    {
        if (AtKeyword(word))
        {
            index++;
            return true;
        }

        return false;
    }

    private TsToken ExpectOp(string op) => AtOp(op) ? Next() : throw Unexpected($"'{op}'");

    private void ExpectKeyword(string word)
    {
        if (!AcceptKeyword(word))
        {
            throw Unexpected($"'{word}'");
        }
    }

    private string ExpectName()
    {
        if (At(TsTokenKind.Name) && !Keywords.Contains(Peek.Text))
        {
            return Next().Text;
        }

        throw Unexpected("a name");
    }

    private void ExpectNewline()
    {
        if (At(TsTokenKind.Newline))
        {
            index++;
            return;
        }

        if (At(TsTokenKind.End) || At(TsTokenKind.Dedent))
        {
            return;
        }

        throw Unexpected("end of line");
    }

    private BuildConvertException Unexpected(string expected) =>
        TsLexer.Error(DiagnosticCodes.TorchScriptSyntaxError, Peek.Location, $"expected {expected}, found {Peek}");

    // ---- statements ----

    private IReadOnlyList<TsStmt> Statement()
    {
        var t = Peek;
        if (t.Kind == TsTokenKind.Indent)
        {
            throw TsLexer.Error(DiagnosticCodes.TorchScriptIndentationError, t.Location, "unexpected indent");
        }

        if (t.Kind == TsTokenKind.Name)
        {
            switch (t.Text)
            {
                case "if":
                    return [If()];
                case "for":
                    return [For()];
                case "while":
                    return [While()];
                case "def":
                    return [FunctionDef()];
                case "class":
                    return [ClassDef()];
                case "with" or "lambda" or "yield" or "global" or "nonlocal":
                    throw TsLexer.Error(DiagnosticCodes.TorchScriptSyntaxError, t.Location, $"'{t.Text}' is not part of the serialized TorchScript language");
            }
        }

        var list = new List<TsStmt> { SimpleStatement() };
        while (AcceptOp(";"))
        {
            if (At(TsTokenKind.Newline) || At(TsTokenKind.End))
            {
                break;
            }

            list.Add(SimpleStatement());
        }

        ExpectNewline();
        return list;
    }

    private TsStmt SimpleStatement()
    {
        var t = Peek;
        var at = t.Location;
        if (t.Kind == TsTokenKind.Name)
        {
            switch (t.Text)
            {
                case "pass":
                    index++;
                    return new TsPass(at);
                case "break":
                    index++;
                    return new TsBreak(at);
                case "continue":
                    index++;
                    return new TsContinue(at);
                case "return":
                    index++;
                    return new TsReturn(at, AtEndOfStatement() ? null : TestList());
                case "raise":
                    index++;
                    if (AtEndOfStatement())
                    {
                        return new TsRaise(at, null);
                    }

                    var exception = Test();
                    if (AcceptKeyword("from"))
                    {
                        Test();
                    }

                    return new TsRaise(at, exception);
                case "assert":
                    index++;
                    var test = Test();
                    return new TsAssert(at, test, AcceptOp(",") ? Test() : null);
                case "del":
                    index++;
                    var targets = new List<TsExpr> { Expr() };
                    while (AcceptOp(",") && !AtEndOfStatement())
                    {
                        targets.Add(Expr());
                    }

                    return new TsDelete(at, targets);
                case "import":
                    index++;
                    var names = new List<(string, string?)>();
                    do
                    {
                        var module = DottedName();
                        names.Add((module, AcceptKeyword("as") ? ExpectName() : null));
                    }
                    while (AcceptOp(","));
                    return new TsImport(at, null, names);
                case "from":
                    index++;
                    var from = DottedName();
                    ExpectKeyword("import");
                    var imported = new List<(string, string?)>();
                    var paren = AcceptOp("(");
                    if (AcceptOp("*"))
                    {
                        imported.Add(("*", null));
                    }
                    else
                    {
                        do
                        {
                            if (paren && AtOp(")"))
                            {
                                break;
                            }

                            var name = ExpectName();
                            imported.Add((name, AcceptKeyword("as") ? ExpectName() : null));
                        }
                        while (AcceptOp(","));
                    }

                    if (paren)
                    {
                        ExpectOp(")");
                    }

                    return new TsImport(at, from, imported);
            }
        }

        var first = TestList(starred: true);
        if (AtOp(":"))
        {
            index++;
            var annotation = Test();
            return new TsAnnAssign(at, first, annotation, AcceptOp("=") ? TestList() : null);
        }

        if (Peek.Kind == TsTokenKind.Op && AugOps.Contains(Peek.Text))
        {
            var op = Next().Text[..^1];
            return new TsAugAssign(at, first, op, TestList());
        }

        if (AtOp("="))
        {
            var targets = new List<TsExpr> { first };
            TsExpr value = first;
            while (AcceptOp("="))
            {
                value = TestList(starred: true);
                targets.Add(value);
            }

            targets.RemoveAt(targets.Count - 1);
            foreach (var target in targets)
            {
                CheckTarget(target);
            }

            return new TsAssign(at, targets, value);
        }

        return new TsExprStmt(at, first);
    }

    private static void CheckTarget(TsExpr target)
    {
        switch (target)
        {
            case TsName or TsAttribute or TsSubscript:
                return;
            case TsTuple tuple:
                foreach (var e in tuple.Elements)
                {
                    CheckTarget(e);
                }

                return;
            case TsList list:
                foreach (var e in list.Elements)
                {
                    CheckTarget(e);
                }

                return;
            default:
                throw TsLexer.Error(DiagnosticCodes.TorchScriptSyntaxError, target.Location, "cannot assign to this expression");
        }
    }

    private bool AtEndOfStatement() => At(TsTokenKind.Newline) || At(TsTokenKind.End) || AtOp(";") || At(TsTokenKind.Dedent);

    private string DottedName()
    {
        var name = ExpectName();
        while (AcceptOp("."))
        {
            name += "." + ExpectName();
        }

        return name;
    }

    private IReadOnlyList<TsStmt> Suite()
    {
        ExpectOp(":");
        if (!At(TsTokenKind.Newline))
        {
            var simple = new List<TsStmt> { SimpleStatement() };
            while (AcceptOp(";") && !AtEndOfStatement())
            {
                simple.Add(SimpleStatement());
            }

            ExpectNewline();
            return simple;
        }

        index++;
        while (At(TsTokenKind.Newline))
        {
            index++;
        }

        if (!At(TsTokenKind.Indent))
        {
            throw TsLexer.Error(DiagnosticCodes.TorchScriptIndentationError, Peek.Location, "expected an indented block");
        }

        index++;
        var body = new List<TsStmt>();
        while (!At(TsTokenKind.Dedent) && !At(TsTokenKind.End))
        {
            if (At(TsTokenKind.Newline))
            {
                index++;
                continue;
            }

            body.AddRange(Statement());
        }

        if (At(TsTokenKind.Dedent))
        {
            index++;
        }

        return body;
    }

    private TsStmt If()
    {
        var at = Next().Location;
        var condition = Test();
        var body = Suite();
        IReadOnlyList<TsStmt> orElse = Array.Empty<TsStmt>();
        if (AtKeyword("elif"))
        {
            orElse = [If()];
        }
        else if (AcceptKeyword("else"))
        {
            orElse = Suite();
        }

        return new TsIf(at, condition, body, orElse);
    }

    private TsStmt For()
    {
        var at = Next().Location;
        var target = TargetList();
        ExpectKeyword("in");
        var iterable = TestList();
        var body = Suite();
        if (AtKeyword("else"))
        {
            throw TsLexer.Error(DiagnosticCodes.TorchScriptSyntaxError, Peek.Location, "for ... else is not part of TorchScript");
        }

        return new TsFor(at, target, iterable, body);
    }

    private TsExpr TargetList()
    {
        var at = Peek.Location;
        var first = Expr();
        if (!AtOp(","))
        {
            CheckTarget(first);
            return first;
        }

        var elements = new List<TsExpr> { first };
        while (AcceptOp(","))
        {
            if (AtKeyword("in"))
            {
                break;
            }

            elements.Add(Expr());
        }

        var tuple = new TsTuple(at, elements);
        CheckTarget(tuple);
        return tuple;
    }

    private TsStmt While()
    {
        var at = Next().Location;
        var condition = Test();
        var body = Suite();
        if (AtKeyword("else"))
        {
            throw TsLexer.Error(DiagnosticCodes.TorchScriptSyntaxError, Peek.Location, "while ... else is not part of TorchScript");
        }

        return new TsWhile(at, condition, body);
    }

    private TsStmt FunctionDef()
    {
        var at = Next().Location;
        var name = ExpectName();
        ExpectOp("(");
        var parameters = new List<TsParameter>();
        while (!AtOp(")"))
        {
            var pAt = Peek.Location;
            if (AcceptOp("*"))
            {
                // A bare '*' (keyword-only marker) carries no parameter.
                if (!AcceptOp(","))
                {
                    break;
                }

                continue;
            }

            var pName = ExpectName();
            var annotation = AcceptOp(":") ? Test() : null;
            var @default = AcceptOp("=") ? Test() : null;
            parameters.Add(new TsParameter(pAt, pName, annotation, @default));
            if (!AcceptOp(","))
            {
                break;
            }
        }

        ExpectOp(")");
        var returns = AcceptOp("->") ? Test() : null;
        return new TsFunctionDef(at, name, parameters, returns, Suite());
    }

    private TsStmt ClassDef()
    {
        var at = Next().Location;
        var name = ExpectName();
        var bases = new List<TsExpr>();
        if (AcceptOp("("))
        {
            while (!AtOp(")"))
            {
                bases.Add(Test());
                if (!AcceptOp(","))
                {
                    break;
                }
            }

            ExpectOp(")");
        }

        return new TsClassDef(at, name, bases, Suite());
    }

    // ---- expressions ----

    private TsExpr TestList(bool starred = false)
    {
        var at = Peek.Location;
        var first = Test();
        if (!AtOp(","))
        {
            return first;
        }

        var elements = new List<TsExpr> { first };
        while (AcceptOp(","))
        {
            if (AtEndOfStatement() || AtOp("=") || AtOp(":") || AtOp(")") || (Peek.Kind == TsTokenKind.Op && AugOps.Contains(Peek.Text)))
            {
                break;
            }

            elements.Add(Test());
        }

        _ = starred;
        return new TsTuple(at, elements);
    }

    private TsExpr Test()
    {
        var at = Peek.Location;
        if (AtKeyword("lambda"))
        {
            throw TsLexer.Error(DiagnosticCodes.TorchScriptSyntaxError, at, "lambda is not part of the serialized TorchScript language");
        }

        var body = OrTest();
        if (AcceptKeyword("if"))
        {
            var condition = OrTest();
            ExpectKeyword("else");
            var orElse = Test();
            return new TsConditional(at, condition, body, orElse);
        }

        return body;
    }

    private TsExpr OrTest()
    {
        var left = AndTest();
        while (AtKeyword("or"))
        {
            var at = Next().Location;
            left = new TsBoolOp(at, "or", left, AndTest());
        }

        return left;
    }

    private TsExpr AndTest()
    {
        var left = NotTest();
        while (AtKeyword("and"))
        {
            var at = Next().Location;
            left = new TsBoolOp(at, "and", left, NotTest());
        }

        return left;
    }

    private TsExpr NotTest()
    {
        if (AtKeyword("not"))
        {
            var at = Next().Location;
            return new TsUnary(at, "not", NotTest());
        }

        return Comparison();
    }

    private TsExpr Comparison()
    {
        var at = Peek.Location;
        var left = Expr();
        var ops = new List<string>();
        var rights = new List<TsExpr>();
        while (true)
        {
            string? op = null;
            if (Peek.Kind == TsTokenKind.Op && CompareOps.Contains(Peek.Text))
            {
                op = Next().Text;
            }
            else if (AtKeyword("in"))
            {
                index++;
                op = "in";
            }
            else if (AtKeyword("not") && tokens[index + 1].Is("in"))
            {
                index += 2;
                op = "not in";
            }
            else if (AtKeyword("is"))
            {
                index++;
                op = AcceptKeyword("not") ? "is not" : "is";
            }

            if (op is null)
            {
                break;
            }

            ops.Add(op);
            rights.Add(Expr());
        }

        return ops.Count == 0 ? left : new TsCompare(at, left, ops, rights);
    }

    private TsExpr Expr() => BinaryLevel(0);

    private static readonly string[][] BinaryLevels =
    [
        ["|"], ["^"], ["&"], ["<<", ">>"], ["+", "-"], ["*", "/", "//", "%", "@"],
    ];

    private TsExpr BinaryLevel(int level)
    {
        if (level == BinaryLevels.Length)
        {
            return Factor();
        }

        var left = BinaryLevel(level + 1);
        while (Peek.Kind == TsTokenKind.Op && BinaryLevels[level].Contains(Peek.Text))
        {
            var t = Next();
            left = new TsBinary(t.Location, t.Text, left, BinaryLevel(level + 1));
        }

        return left;
    }

    private TsExpr Factor()
    {
        if (AtOp("-") || AtOp("+") || AtOp("~"))
        {
            var t = Next();
            var operand = Factor();
            if (t.Text == "-" && operand is TsConstant { Value: ulong u } && u == (ulong)long.MaxValue + 1)
            {
                return new TsConstant(t.Location, long.MinValue);
            }

            if (t.Text == "-" && operand is TsConstant { Value: long l })
            {
                return new TsConstant(t.Location, -l);
            }

            if (t.Text == "-" && operand is TsConstant { Value: double d })
            {
                return new TsConstant(t.Location, -d);
            }

            return new TsUnary(t.Location, t.Text, operand);
        }

        return Power();
    }

    private TsExpr Power()
    {
        var at = Peek.Location;
        var baseExpr = AtomExpr();
        if (AcceptOp("**"))
        {
            return new TsBinary(at, "**", baseExpr, Factor());
        }

        return baseExpr;
    }

    private TsExpr AtomExpr()
    {
        var e = Atom();
        while (true)
        {
            if (AtOp("("))
            {
                var at = Next().Location;
                var args = new List<TsExpr>();
                var keywords = new List<TsKeyword>();
                while (!AtOp(")"))
                {
                    if (At(TsTokenKind.Name) && tokens[index + 1].Is("=") && !Keywords.Contains(Peek.Text))
                    {
                        var name = Next().Text;
                        index++;
                        keywords.Add(new TsKeyword(name, Test()));
                    }
                    else
                    {
                        if (keywords.Count > 0)
                        {
                            throw TsLexer.Error(DiagnosticCodes.TorchScriptSyntaxError, Peek.Location, "a positional argument follows a keyword argument");
                        }

                        var arg = Test();
                        if (AtKeyword("for"))
                        {
                            arg = Comprehension(arg.Location, arg);
                        }

                        args.Add(arg);
                    }

                    if (!AcceptOp(","))
                    {
                        break;
                    }
                }

                ExpectOp(")");
                e = new TsCall(at, e, args, keywords);
            }
            else if (AtOp("["))
            {
                var at = Next().Location;
                var indices = new List<TsExpr> { Subscript() };
                var tuple = false;
                while (AcceptOp(","))
                {
                    tuple = true;
                    if (AtOp("]"))
                    {
                        break;
                    }

                    indices.Add(Subscript());
                }

                ExpectOp("]");
                e = new TsSubscript(at, e, tuple ? new TsTuple(at, indices) : indices[0]);
            }
            else if (AtOp("."))
            {
                var at = Next().Location;
                if (!At(TsTokenKind.Name))
                {
                    throw Unexpected("an attribute name");
                }

                e = new TsAttribute(at, e, Next().Text);
            }
            else
            {
                return e;
            }
        }
    }

    private TsExpr Subscript()
    {
        var at = Peek.Location;
        TsExpr? lower = null;
        if (!AtOp(":"))
        {
            lower = Test();
            if (!AtOp(":"))
            {
                return lower;
            }
        }

        ExpectOp(":");
        TsExpr? upper = AtOp(":") || AtOp("]") || AtOp(",") ? null : Test();
        TsExpr? step = null;
        if (AcceptOp(":") && !AtOp("]") && !AtOp(","))
        {
            step = Test();
        }

        return new TsSlice(at, lower, upper, step);
    }

    private TsExpr Comprehension(TsLocation at, TsExpr element)
    {
        ExpectKeyword("for");
        var target = TargetList();
        ExpectKeyword("in");
        var iterable = OrTest();
        TsExpr? condition = null;
        if (AcceptKeyword("if"))
        {
            condition = OrTest();
        }

        if (AtKeyword("for"))
        {
            throw TsLexer.Error(DiagnosticCodes.TorchScriptSyntaxError, Peek.Location, "nested comprehensions are not part of TorchScript");
        }

        return new TsListComprehension(at, element, target, iterable, condition);
    }

    private TsExpr Atom()
    {
        var t = Peek;
        var at = t.Location;
        switch (t.Kind)
        {
            case TsTokenKind.Int:
            case TsTokenKind.Float:
            case TsTokenKind.String:
                index++;
                return new TsConstant(at, t.Value);
            case TsTokenKind.Name:
                if (Keywords.Contains(t.Text))
                {
                    throw Unexpected("an expression");
                }

                index++;
                return t.Text switch
                {
                    "None" => new TsConstant(at, null),
                    "True" => new TsConstant(at, true),
                    "False" => new TsConstant(at, false),
                    "inf" => new TsConstant(at, double.PositiveInfinity),
                    "nan" => new TsConstant(at, double.NaN),
                    _ => new TsName(at, t.Text),
                };
            case TsTokenKind.Op when t.Text == "...":
                index++;
                return new TsEllipsis(at);
            case TsTokenKind.Op when t.Text == "(":
            {
                index++;
                if (AcceptOp(")"))
                {
                    return new TsTuple(at, Array.Empty<TsExpr>());
                }

                var first = Test();
                if (AtKeyword("for"))
                {
                    var comprehension = Comprehension(at, first);
                    ExpectOp(")");
                    return comprehension;
                }

                if (AcceptOp(")"))
                {
                    return first;
                }

                var elements = new List<TsExpr> { first };
                while (AcceptOp(","))
                {
                    if (AtOp(")"))
                    {
                        break;
                    }

                    elements.Add(Test());
                }

                ExpectOp(")");
                return new TsTuple(at, elements);
            }

            case TsTokenKind.Op when t.Text == "[":
            {
                index++;
                var elements = new List<TsExpr>();
                if (!AtOp("]"))
                {
                    var first = Test();
                    if (AtKeyword("for"))
                    {
                        var comprehension = Comprehension(at, first);
                        ExpectOp("]");
                        return comprehension;
                    }

                    elements.Add(first);
                    while (AcceptOp(","))
                    {
                        if (AtOp("]"))
                        {
                            break;
                        }

                        elements.Add(Test());
                    }
                }

                ExpectOp("]");
                return new TsList(at, elements);
            }

            case TsTokenKind.Op when t.Text == "{":
            {
                index++;
                var keys = new List<TsExpr>();
                var values = new List<TsExpr>();
                while (!AtOp("}"))
                {
                    keys.Add(Test());
                    ExpectOp(":");
                    values.Add(Test());
                    if (!AcceptOp(","))
                    {
                        break;
                    }
                }

                ExpectOp("}");
                return new TsDict(at, keys, values);
            }

            default:
                throw Unexpected("an expression");
        }
    }
}
