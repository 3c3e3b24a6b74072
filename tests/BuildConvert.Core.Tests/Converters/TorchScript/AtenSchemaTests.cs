using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Converters.TorchScript.Schemas;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Tests.Converters.TorchScript;

[TestClass]
public sealed class AtenSchemaTests
{
    [TestMethod]
    public void EverySchemaOfTheTableParses()
    {
        var table = AtenSchemaTable.Default;
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "src", "BuildConvert.Core", "Converters", "TorchScript", "Schemas", "aten-schemas.txt"))
            .Count(l => l.Length > 0 && !l.StartsWith('#'));
        Assert.HasCount(lines, table.All);
        Assert.IsGreaterThan(2000, lines);
        Assert.IsTrue(table.All.All(s => s.Name.StartsWith("aten::", StringComparison.Ordinal) || s.Name.StartsWith("prim::", StringComparison.Ordinal)));
        Assert.IsGreaterThanOrEqualTo(3, table.Overloads("aten::add").Count);
    }

    [TestMethod]
    public void KeywordOnlyArgumentsAndDefaults()
    {
        var add = AtenSchemaTable.Default.Overloads("aten::add").Single(s => s.Overload == "Tensor");
        Assert.AreEqual("aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor", add.Text);
        Assert.AreEqual("self,other,alpha", string.Join(",", add.Arguments.Select(a => a.Name)));
        Assert.IsFalse(add.Arguments[1].KeywordOnly);
        Assert.IsTrue(add.Arguments[2].KeywordOnly);
        Assert.AreEqual(1L, add.Arguments[2].Default);
        Assert.AreEqual(AtenTypeKind.Scalar, add.Arguments[2].Type.Kind);
    }

    [TestMethod]
    public void ListOptionalAliasAndTupleTypes()
    {
        var s = AtenSchema.Parse("aten::max_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, int[2] dilation=1, bool ceil_mode=False) -> Tensor");
        Assert.AreEqual(AtenTypeKind.List, s.Arguments[1].Type.Kind);
        Assert.AreEqual(2, s.Arguments[1].Type.FixedSize);
        CollectionAssert.AreEqual(new object[] { 0L, 0L }, ((IReadOnlyList<object?>)s.Arguments[3].Default!).ToArray());
        Assert.AreEqual(0, ((IReadOnlyList<object?>)s.Arguments[2].Default!).Count);

        var relu = AtenSchema.Parse("aten::relu_(Tensor(a!) self) -> Tensor(a!)");
        Assert.IsTrue(relu.MutatesFirstArgument);
        Assert.AreEqual("a!", relu.Arguments[0].Alias);

        var index = AtenSchema.Parse("aten::index.Tensor(Tensor self, Tensor?[] indices) -> Tensor");
        Assert.AreEqual("Tensor?[]", index.Arguments[1].Type.ToString());

        var max = AtenSchema.Parse("aten::max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)");
        Assert.AreEqual("values,indices", string.Join(",", max.Returns.Select(r => r.Name)));

        var format = AtenSchema.Parse("aten::format(str self, ...) -> str");
        Assert.IsTrue(format.VarArgs);

        var dict = AtenSchema.Parse("aten::Delete.Dict_str(Dict(str, t)(a!) self, str key) -> ()");
        Assert.AreEqual(AtenTypeKind.Dict, dict.Arguments[0].Type.Kind);
        Assert.IsEmpty(dict.Returns);

        var chunk = AtenSchema.Parse("aten::chunk(Tensor(a -> *) self, int chunks, int dim=0) -> Tensor(a)[]");
        Assert.AreEqual("Tensor[]", chunk.Returns[0].Type.ToString());

        var strip = AtenSchemaTable.Default.Overloads("aten::strip").Single();
        Assert.AreEqual(" \n\t\f\v", strip.Arguments[1].Default);

        var rnn = AtenSchema.Parse("aten::quantized_lstm_cell(Tensor input, Tensor[] hx, __torch__.torch.classes.rnn.CellParamsBase[] params) -> (Tensor, Tensor)");
        Assert.AreEqual(AtenTypeKind.Class, rnn.Arguments[2].Type.Element.Kind);

        var none = AtenSchemaTable.Default.Overloads("prim::RaiseException").Single();
        Assert.AreSame(TorchNone.Instance, none.Arguments[1].Default);
    }

    [TestMethod]
    [DataRow("add(Tensor self) -> Tensor")]
    [DataRow("aten::add(Tensor self")]
    [DataRow("aten::add(Tensor self) Tensor")]
    [DataRow("aten::add(Tensor self) -> Tensor out junk")]
    public void MalformedSchemasAreCodedErrors(string text)
    {
        var e = Assert.ThrowsExactly<BuildConvertException>(() => AtenSchema.Parse(text));
        Assert.AreEqual(DiagnosticCodes.TorchScriptSchemaInvalid.Code, e.Code);
    }
}
