using System.Text;
using BuildConvert.Core.Checking;

namespace BuildConvert.Core.Converters.Onnx;

/// <summary>Renders docs/opset-conversion.md from <see cref="OpsetStepRules"/>; a test keeps the committed file equal to it.</summary>
public static class OpsetConversionDocument
{
    /// <summary>The document's text (LF line ends).</summary>
    public static string Render(OpsetStepRules rules, OperatorSchemaRegistry schemas)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(schemas);
        var all = rules.All;
        var sb = new StringBuilder();
        sb.Append("# ONNX opset conversion\n\n");
        sb.Append("<!-- Generated from src/BuildConvert.Core/Converters/Onnx/Rules by OpsetConversionDocumentTests; run `bash eng/update-docs.sh` after changing a rule. -->\n\n");
        sb.Append($"`OnnxOpsetConverter` converts ai.onnx models between opsets {OnnxOpsetConverter.MinOpset} and {OnnxOpsetConverter.MaxOpset}, up or down. ");
        sb.Append("Each node crosses every version boundary of its operator between the two opsets, one rule per boundary: an **adapter** rewrites the node ");
        sb.Append("(or refuses with BCONV2002 naming the node, the operator and why), a **compatible** boundary only widened the type constraints or the wording and rewrites nothing. ");
        sb.Append("Every node that cannot be converted is listed in one BCONV2002 error. The model then imports the target opset and at least the IR version it needs ");
        sb.Append("(opset 1-8: IR 3, 9: 4, 10: 5, 11: 6, 12-14: 7, 15-18: 8, 19-20: 9, 21-22: 10, 23: 11, 24: 12, 25-28: 13). ");
        sb.Append($"Schema table: {schemas.SourceDescription}.\n\n");
        sb.Append($"{all.Count} rules: {all.Count(r => r.Kind == OpsetStepKind.Adapter)} adapters, {all.Count(r => r.Kind == OpsetStepKind.Compatible)} compatible boundaries.\n\n");
        sb.Append("## Adapters\n\n| operator | version | change | upgrade | downgrade |\n|---|---|---|---|---|\n");
        foreach (var r in all.Where(r => r.Kind == OpsetStepKind.Adapter))
        {
            sb.Append($"| {r.OpType} | {r.Version} | {Escape(r.Change)} | {Direction(r.Upgrade, r.UpgradeImpossible)} | {Direction(r.Downgrade, r.DowngradeImpossible)} |\n");
        }

        sb.Append("\nAn adapter may still refuse one node (for example a downgrade that needs a constant input that is computed at run time, or an attribute value the older version lacks); ");
        sb.Append("the BCONV2002 message says which and why.\n\n## Compatible boundaries\n\n| change | boundaries |\n|---|---|\n");
        foreach (var group in all.Where(r => r.Kind == OpsetStepKind.Compatible).GroupBy(r => r.Change).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append($"| {Escape(group.Key)} | {string.Join(", ", group.Select(r => $"{r.OpType} {r.Version}"))} |\n");
        }

        return sb.ToString();
    }

    private static string Direction(OpsetStepHandler? handler, string? impossible) =>
        handler is null ? $"impossible: {Escape(impossible ?? "")}" : handler == OpsetRuleTable.NoOp ? "no change" : "converted";

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
