using BuildConvert.Core.Converters;
using BuildConvert.Core.Diagnostics;

namespace BuildConvert.Core.Tests.Converters;

/// <summary>The registry contract every format's converters follow.</summary>
[TestClass]
public sealed class OpConverterRegistryTests
{
    private static OpConverterRegistry<string> Registry() =>
        new OpConverterRegistry<string>("TensorFlow")
            .Add("Conv2D", 1, "conv-1")
            .Add("Conv2D", 13, "conv-13")
            .Add("Conv2D", 18, "conv-18")
            .Add("Einsum", 12, "einsum-12")
            .Freeze();

    [TestMethod]
    [DataRow(1L, "conv-1")]
    [DataRow(12L, "conv-1")]
    [DataRow(13L, "conv-13")]
    [DataRow(17L, "conv-13")]
    [DataRow(18L, "conv-18")]
    [DataRow(21L, "conv-18")]
    public void TheHighestVersionNotAboveTheTargetWins(long target, string expected) =>
        Assert.AreEqual(expected, Registry().Resolve("Conv2D", target)!.Handler);

    [TestMethod]
    public void BelowTheLowestVersionOrForAnUnknownOpThereIsNone()
    {
        Assert.IsNull(Registry().Resolve("Einsum", 11));
        Assert.IsNull(Registry().Resolve("Nope", 17));
        Assert.IsTrue(Registry().Knows("Einsum"));
        Assert.IsFalse(Registry().Knows("Nope"));
    }

    [TestMethod]
    public void RegisteringAKeyTwiceFailsAndAFrozenRegistryTakesNoMore()
    {
        var registry = new OpConverterRegistry<string>("TensorFlow").Add("Relu", 13, "a");
        var twice = Assert.ThrowsExactly<InvalidOperationException>(() => registry.Add("Relu", 13, "b"));
        StringAssert.Contains(twice.Message, "Relu");
        registry.Add("Relu", 14, "c");
        registry.Freeze();
        Assert.ThrowsExactly<InvalidOperationException>(() => registry.Add("Sigmoid", 13, "d"));
        CollectionAssert.AreEqual(new[] { 13, 14 }, registry.Entries.Select(e => e.Key.MinOpset).ToArray());
    }

    [TestMethod]
    public void EveryUnsupportedOperatorIsReportedOnceWithCountsAndNodeNames()
    {
        var nodes = new[]
        {
            ("", "Conv2D", "conv1"), ("", "Foo", "f1"), ("", "Foo", "f2"), ("", "Foo", "f3"), ("", "Foo", "f4"),
            ("", "Einsum", "e1"), ("", "Bar", ""),
        };

        var unsupported = Registry().FindUnsupported(nodes, 11);

        CollectionAssert.AreEqual(new[] { "Foo", "Bar", "Einsum" }, unsupported.Select(u => u.OpType).ToArray());
        Assert.AreEqual(4, unsupported[0].NodeNames.Count);
        Assert.AreEqual(12, unsupported.Single(u => u.OpType == "Einsum").AvailableFromOpset);
        var error = UnsupportedOperator.Error("TensorFlow", unsupported, 11, "model.pb");
        Assert.AreEqual(DiagnosticCodes.UnsupportedOperators.Code, error.Code);
        Assert.HasCount(1, error.Diagnostics, "one diagnostic for all of them");
        var message = error.Message;
        StringAssert.Contains(message, "3 TensorFlow operator(s) used by 6 node(s)");
        StringAssert.Contains(message, "Foo (4 nodes: 'f1', 'f2', 'f3', ...)");
        StringAssert.Contains(message, "Einsum (1 node: 'e1'; supported from opset 12)");
        StringAssert.Contains(message, "Bar (1 node)");
        Assert.AreEqual("model.pb", error.Diagnostics[0].File);
    }

    [TestMethod]
    public void NothingIsUnsupportedWhenEveryOpConverts() =>
        Assert.HasCount(0, Registry().FindUnsupported(new[] { ("", "Conv2D", "c"), ("", "Einsum", "e") }, 17));
}
