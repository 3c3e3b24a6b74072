using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Tests;

[TestClass]
public sealed class InputShapeSpecTests
{
    [TestMethod]
    public void ParsesNamesPositionsAndDynamicDimensions()
    {
        var specs = InputShapeSpec.ParseList("a:N,3,224,224; 1:1,-1");
        Assert.HasCount(2, specs);
        Assert.AreEqual("a", specs[0].Name);
        CollectionAssert.AreEqual(new long?[] { null, 3, 224, 224 }, specs[0].Dimensions.ToArray());
        Assert.AreEqual(1, specs[1].Position);
        CollectionAssert.AreEqual(new long?[] { 1, null }, specs[1].Dimensions.ToArray());
    }

    [TestMethod]
    [DataRow("a")]
    [DataRow("a:1,x!")]
    [DataRow("a:-5")]
    public void RejectsMalformedText(string text)
    {
        var ex = Assert.ThrowsExactly<BuildConvert.Core.Diagnostics.BuildConvertException>(() => InputShapeSpec.ParseList(text));
        Assert.AreEqual("BCONV0003", ex.Code);
    }
}
