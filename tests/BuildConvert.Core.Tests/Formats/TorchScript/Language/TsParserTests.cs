using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TorchScript.Language;

namespace BuildConvert.Core.Tests.Formats.TorchScript.Language;

[TestClass]
public sealed class TsParserTests
{
    private static TsExpr Expr(string text) => TsParser.ParseExpression(text, "t.py");

    private static string Show(TsExpr e) => e switch
    {
        TsName n => n.Id,
        TsConstant { Value: null } => "None",
        TsConstant { Value: string s } => $"'{s}'",
        TsConstant { Value: double d } => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "f",
        TsConstant c => Convert.ToString(c.Value, System.Globalization.CultureInfo.InvariantCulture)!,
        TsBinary b => $"({Show(b.Left)} {b.Op} {Show(b.Right)})",
        TsUnary u => $"({u.Op} {Show(u.Operand)})",
        TsBoolOp bo => $"({Show(bo.Left)} {bo.Op} {Show(bo.Right)})",
        TsCompare c => "(" + Show(c.Left) + string.Concat(c.Ops.Zip(c.Comparators).Select(p => $" {p.First} {Show(p.Second)}")) + ")",
        TsAttribute a => $"{Show(a.Target)}.{a.Name}",
        TsCall call => $"{Show(call.Function)}({string.Join(", ", call.Args.Select(Show).Concat(call.Keywords.Select(k => $"{k.Name}={Show(k.Value)}")))})",
        TsSubscript s => $"{Show(s.Target)}[{Show(s.Index)}]",
        TsSlice sl => $"{(sl.Lower is null ? "" : Show(sl.Lower))}:{(sl.Upper is null ? "" : Show(sl.Upper))}:{(sl.Step is null ? "" : Show(sl.Step))}",
        TsTuple t => $"tuple({string.Join(", ", t.Elements.Select(Show))})",
        TsList l => $"[{string.Join(", ", l.Elements.Select(Show))}]",
        TsDict d => "{" + string.Join(", ", d.Keys.Zip(d.Values).Select(p => $"{Show(p.First)}: {Show(p.Second)}")) + "}",
        TsConditional c => $"({Show(c.Body)} if {Show(c.Condition)} else {Show(c.OrElse)})",
        TsListComprehension lc => $"[{Show(lc.Element)} for {Show(lc.Target)} in {Show(lc.Iterable)}{(lc.Condition is null ? "" : " if " + Show(lc.Condition))}]",
        TsEllipsis => "...",
        _ => e.GetType().Name,
    };

    [TestMethod]
    [DataRow("1 + 2 * 3", "(1 + (2 * 3))")]
    [DataRow("(1 + 2) * 3", "((1 + 2) * 3)")]
    [DataRow("a - b - c", "((a - b) - c)")]
    [DataRow("2 ** 3 ** 2", "(2 ** (3 ** 2))")]
    [DataRow("-2 ** 2", "(- (2 ** 2))")]
    [DataRow("a // b % c", "((a // b) % c)")]
    [DataRow("a | b ^ c & d << 1", "(a | (b ^ (c & (d << 1))))")]
    [DataRow("not a and b or c", "(((not a) and b) or c)")]
    [DataRow("a < b <= c", "(a < b <= c)")]
    [DataRow("x is not None", "(x is not None)")]
    [DataRow("x not in y", "(x not in y)")]
    [DataRow("a if c else b", "(a if c else b)")]
    [DataRow("torch.add(x, 1, alpha=2)", "torch.add(x, 1, alpha=2)")]
    [DataRow("(conv1).forward(x, )", "conv1.forward(x)")]
    [DataRow("x[1:]", "x[1::]")]
    [DataRow("x[::2, 0]", "x[tuple(::2, 0)]")]
    [DataRow("x[..., -1]", "x[tuple(..., -1)]")]
    [DataRow("(x)[0]", "x[0]")]
    [DataRow("(a,)", "tuple(a)")]
    [DataRow("()", "tuple()")]
    [DataRow("[1, 2, ]", "[1, 2]")]
    [DataRow("{\"logits\": a, \"e\": b}", "{'logits': a, 'e': b}")]
    [DataRow("[i * 2 for i in range(3) if i]", "[(i * 2) for i in range(3) if i]")]
    [DataRow("-inf", "-Infinityf")]
    [DataRow("0x1F + 0o17 + 0b11", "((31 + 15) + 3)")]
    [DataRow("1. + .5 + 1e-05 + 0.10000000000000001", "(((1f + 0.5f) + 1E-05f) + 0.1f)")]
    [DataRow("-9223372036854775808", "-9223372036854775808")]
    [DataRow("'a\\'b' \"c\\n\"", "'a'bc\n'")]
    [DataRow("ops.prim.RaiseException(\"AssertionError: \")", "ops.prim.RaiseException('AssertionError: ')")]
    [DataRow("annotate(List[int], [])", "annotate(List[int], [])")]
    [DataRow("Dict[str, Tuple[Tensor, Optional[int]]]", "Dict[tuple(str, Tuple[tuple(Tensor, Optional[int])])]")]
    public void ExpressionsParseWithPythonPrecedence(string text, string expected) => Assert.AreEqual(expected, Show(Expr(text)));

    [TestMethod]
    public void ClassWithDeclarationsAndMethodsParses()
    {
        const string code = """
            import torch
            from torch import Tensor
            import __torch__.torch.nn.modules.conv
            class Net(Module):
              __parameters__ = ["weight", ]
              __buffers__ = []
              weight : Tensor
              training : bool
              conv1 : __torch__.torch.nn.modules.conv.Conv2d
              eps : Final[float] = 1.0000000000000001e-05
              __annotations__["0"] = __torch__.torch.nn.modules.conv.Conv2d
              def forward(self: __torch__.Net,
                x: Tensor,
                y: Optional[int]=None) -> Tuple[Tensor, Tensor]:
                _0, _1, = (x, x)
                a = b = x
                x += 1
                t : Optional[Tensor] = x
                if torch.__is__(y, None):
                  pass
                elif bool(y):
                  z = 1
                else:
                  assert False, "no"
                for i in range(3):
                  while False:
                    pass
                # a comment
                return (_0, _1)
            def f(x: int) -> int: return x
            """;
        var file = TsParser.ParseFile(code, "code/__torch__.py");
        Assert.AreEqual("__torch__", file.ModuleName);
        Assert.HasCount(5, file.Statements);
        var cls = (TsClassDef)file.Statements[3];
        Assert.AreEqual("Net", cls.Name);
        var forward = cls.Body.OfType<TsFunctionDef>().Single();
        Assert.AreEqual("self,x,y", string.Join(",", forward.Parameters.Select(p => p.Name)));
        Assert.IsNotNull(forward.Parameters[2].Default);
        Assert.AreEqual(7, forward.Body.Count);
        Assert.IsInstanceOfType<TsAugAssign>(forward.Body[2]);
        Assert.IsInstanceOfType<TsAnnAssign>(forward.Body[3]);
        var ifs = (TsIf)forward.Body[4];
        Assert.IsInstanceOfType<TsIf>(ifs.OrElse.Single());
        Assert.IsInstanceOfType<TsAssert>(((TsIf)ifs.OrElse[0]).OrElse.Single());
        Assert.AreEqual(2, ((TsAssign)forward.Body[1]).Targets.Count);
        Assert.IsInstanceOfType<TsReturn>(((TsFunctionDef)file.Statements[4]).Body.Single());
    }

    [TestMethod]
    public void ModuleNameComesFromThePath()
    {
        Assert.AreEqual("__torch__.torch.nn.modules.conv.___torch_mangle_0", TsFile.ModuleNameOf("foo/code/__torch__/torch/nn/modules/conv/___torch_mangle_0.py"));
        Assert.AreEqual("test_model", TsFile.ModuleNameOf("code/test_model.py"));
    }

    [TestMethod]
    [DataRow("x = (1, 2\n", "BCONV1330", "t.py:2:1")]
    [DataRow("x = 'abc\n", "BCONV1330", "t.py:1:5")]
    [DataRow("x = 1 +\n", "BCONV1330", "t.py:1:8")]
    [DataRow("x = 08\n", "BCONV1330", "t.py:1:5")]
    [DataRow("x = 99999999999999999999\n", "BCONV1330", "t.py:1:5")]
    [DataRow("x = $\n", "BCONV1330", "t.py:1:5")]
    [DataRow("lambda x: x\n", "BCONV1330", "t.py:1:1")]
    [DataRow("if x:\n    a = 1\n  b = 2\n", "BCONV1331", "t.py:3:3")]
    [DataRow("if x:\na = 1\n", "BCONV1331", "t.py:2:1")]
    [DataRow("  a = 1\n", "BCONV1331", "t.py:1:3")]
    [DataRow("if x:\n  a = 1\n\tb = 2\n", "BCONV1331", "t.py:3:1")]
    [DataRow("f(a=1, 2)\n", "BCONV1330", "t.py:1:8")]
    [DataRow("1 = x\n", "BCONV1330", "t.py:1:1")]
    public void BadCodeIsACodedErrorWithItsPosition(string code, string expectedCode, string where)
    {
        var e = Assert.ThrowsExactly<BuildConvertException>(() => TsParser.ParseFile(code, "t.py"));
        Assert.AreEqual(expectedCode, e.Code, e.Message);
        Assert.StartsWith(where + ":", e.Message, e.Message);
    }

    [TestMethod]
    public void EveryCorpusArchiveParses()
    {
        var files = 0;
        foreach (var (entry, archive) in TorchScriptSamples.CorpusArchives())
        {
            var code = TorchScriptSamples.CodeFilesOfArchive(archive);
            Assert.IsNotEmpty(code, entry);
            foreach (var (path, text) in code)
            {
                var parsed = TsParser.ParseFile(text, path);
                Assert.IsNotEmpty(parsed.Statements, $"{entry}: {path}");
                files++;
            }
        }

        Assert.AreEqual(24, files);
    }

    [TestMethod]
    public void CommittedSamplesParse() => AssertAllParse(TorchScriptSamples.CommittedSamples, expectedSamples: 14);

    [TestMethod]
    public void GeneratedTorchvisionAndSequenceModelsParse() => AssertAllParse(TorchScriptSamples.GeneratedSamples, expectedSamples: 38);

    private static void AssertAllParse(string root, int expectedSamples)
    {
        var samples = Directory.EnumerateDirectories(root).ToArray();
        Assert.HasCount(expectedSamples, samples, string.Join(", ", samples.Select(Path.GetFileName)));
        var statements = 0;
        foreach (var sample in samples)
        {
            foreach (var (path, text) in TorchScriptSamples.CodeFilesOfFolder(sample))
            {
                statements += TsParser.ParseFile(text, $"{Path.GetFileName(sample)}/{path}").Statements.Count;
            }
        }

        Assert.IsGreaterThan(expectedSamples * 3, statements);
    }
}
