using System.Globalization;
using System.Text;

namespace BuildConvert.Core.Checking;

/// <summary>
/// Renders docs/supported-ops.md from the engine's registries; a test keeps the committed file equal to it.
/// Today the only source format is ONNX itself, whose operators are those of the checker's schema table.
/// </summary>
public static class SupportedOperatorsDocument
{
    /// <summary>The markdown text (LF line endings).</summary>
    public static string Render(OperatorSchemaRegistry registry)
    {
        var sb = new StringBuilder();
        sb.Append("# Supported operators\n\n");
        sb.Append("<!-- Generated from the engine's registries by `bash eng/update-docs.sh`. Do not edit. -->\n\n");
        sb.Append("## ONNX input\n\n");
        sb.Append("ONNX models are read, checked and re-written as they are. The checker accepts every operator version below ")
            .Append("(from the ONNX ").Append(registry.OnnxVersion).Append(" operator changelogs, commit `")
            .Append(registry.OnnxCommit).Append("`); an operator outside this table, or a version above a domain's newest opset, ")
            .Append("is a checker error. Whether a model also *runs* for golden validation depends on ONNX Runtime's kernels.\n\n");
        foreach (var domainGroup in registry.All.GroupBy(s => s.Domain).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var domain = domainGroup.Key.Length == 0 ? "ai.onnx" : domainGroup.Key;
            var ops = domainGroup.GroupBy(s => s.Name).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
            sb.Append("### ").Append(domain).Append(" (opsets 1-")
                .Append(registry.MaxOpsetVersion(domainGroup.Key)?.ToString(CultureInfo.InvariantCulture) ?? "?")
                .Append(", ").Append(ops.Count.ToString(CultureInfo.InvariantCulture)).Append(" operators)\n\n");
            sb.Append("| Operator | Versions (since) |\n|---|---|\n");
            foreach (var op in ops)
            {
                var versions = op.OrderBy(s => s.SinceVersion).Select(s =>
                    s.SinceVersion.ToString(CultureInfo.InvariantCulture) + (s.Deprecated ? " (deprecated)" : ""));
                sb.Append("| ").Append(op.Key).Append(" | ").Append(string.Join(", ", versions)).Append(" |\n");
            }

            sb.Append('\n');
        }

        sb.Append("## Conversions from other formats\n\n");
        sb.Append("None yet: TensorFlow, TorchScript, Keras and scikit-learn converters are on the roadmap. ")
            .Append("Each will add its own per-operator table here, generated from its converter registry.\n");
        return sb.ToString();
    }
}
