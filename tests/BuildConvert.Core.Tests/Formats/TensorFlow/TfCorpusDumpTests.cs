using BuildConvert.Core.Formats.TensorFlow;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Tests.Formats.TensorFlow;

[TestClass]
public sealed class TfCorpusDumpTests
{
    [TestMethod]
    public void Dump()
    {
        var registry = FormatRegistry.CreateDefault();
        foreach (var entry in TfCorpus.GraphDefs.Concat(TfCorpus.SavedModels))
        {
            var path = TfCorpus.PathOf(entry);
            try
            {
                var format = registry.Resolve(path, null);
                var source = (TfSourceModel)format.Import(path, new ConversionOptions());
                var keys = source is TfSavedModelSourceModel s ? s.SignatureKeys : new[] { "" };
                foreach (var key in keys)
                {
                    try
                    {
                        var options = new ConversionOptions();
                        if (key.Length > 0) options = TfSavedModelFormat.Signature.Apply(options, key);
                        var g = source.BuildGraph(options);
                        Console.WriteLine($"{entry} [{format.Name}] {key}: in=({string.Join(", ", g.Inputs.Select(i => $"{i.Name}={i.Tensor} {i.ElementType} [{(i.Shape is null ? "?" : string.Join(",", i.Shape))}]"))}) out=({string.Join(", ", g.Outputs.Select(i => $"{i.Name}={i.Tensor} {i.ElementType} [{(i.Shape is null ? "?" : string.Join(",", i.Shape))}]"))}) vars={g.Variables.Count} lib={g.Library.Function.Count} ops: {string.Join(" ", g.Nodes.Select(n => n.Op).Distinct().OrderBy(o => o, StringComparer.Ordinal))}");
                    }
                    catch (Exception e)
                    {
                        Console.WriteLine($"{entry} {key}: ERROR {e.GetType().Name} {e.Message}");
                    }
                }
            }
            catch (Exception e)
            {
                Console.WriteLine($"{entry}: ERROR {e.GetType().Name} {e.Message}");
            }
        }
    }
}
