using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Formats.TorchScript.FrontEnd;
using static BuildConvert.Core.Tests.Formats.TorchScript.TorchScriptSamples;
namespace BuildConvert.Core.Tests.Formats.TorchScript.FrontEnd;
[TestClass]
public sealed class DebugTests
{
    public TestContext TestContext { get; set; } = null!;
    [TestMethod]
    public void Dbg()
    {
        var code = new Dictionary<string, string> { ["code/__torch__.py"] = """
class M(Module):
  training : bool
  def forward(self: __torch__.M, x: Tensor) -> Tensor:
    a, b, c, d, = torch.size(x)
    e = torch.floordiv(b, 2)
    return torch.view(x, [a, 2, e, c, d])
""" };
        var g = TorchFrontEnd.Build(Module("__torch__.M", ("training", false)), code, [], "forward", [TorchInputSpec.Tensor("x", 1, 4, 3, 3)]);
        foreach (var n in g.Nodes) TestContext.WriteLine($"{n.Kind} {string.Join(",", n.Inputs.Select(i => i.Type + "=" + TorchScriptCode.Show(i.Constant)))}");
    }
}
