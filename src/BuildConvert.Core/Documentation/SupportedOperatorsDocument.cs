using System.Globalization;
using System.Text;
using BuildConvert.Core.Checking;
using BuildConvert.Core.Converters.Onnx;
using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Converters.TorchScript;
using BuildConvert.Core.Evaluation;
using BuildConvert.Core.Graphs.Inference;

namespace BuildConvert.Core.Documentation;

/// <summary>
/// Renders docs/supported-ops.md from the engine's registries (the checker's schema table, the shape-inference rules,
/// the reference evaluator's kernels and the opset-conversion rules); a test keeps the committed file equal to it.
/// </summary>
public static class SupportedOperatorsDocument
{
    /// <summary>The markdown text (LF line endings).</summary>
    public static string Render(OperatorSchemaRegistry registry)
    {
        var inference = new HashSet<(string, string)>(InferenceRegistry.Default.Operators.Select(o => (o.Domain == "ai.onnx" ? "" : o.Domain, o.OpType)));
        var folding = new HashSet<string>(ReferenceEvaluator.SupportedOps, StringComparer.Ordinal);
        var rules = OpsetStepRules.Default;
        var sb = new StringBuilder();
        sb.Append("# Supported operators\n\n");
        sb.Append("<!-- Generated from the engine's registries by `bash eng/update-docs.sh`. Do not edit. -->\n\n");
        sb.Append("## ONNX input\n\n");
        sb.Append("ONNX models are read, checked and re-written as they are. The checker accepts every operator version below ")
            .Append("(from the ONNX ").Append(registry.OnnxVersion).Append(" operator changelogs, commit `")
            .Append(registry.OnnxCommit).Append("`); an operator outside this table, or a version above a domain's newest opset, ")
            .Append("is a checker error. Whether a model also *runs* for golden validation depends on ONNX Runtime's kernels.\n\n")
            .Append("*Shape inference*: the core infers output types and shapes (used by the full checker and by converters). ")
            .Append("*Constant folding*: the reference evaluator computes the operator on constants (`--optimize`). ")
            .Append("*Opset conversion*: for each version boundary of the operator, whether `--opset` rewrites the node (adapter) or ")
            .Append("the two versions mean the same (compatible); [docs/opset-conversion.md](opset-conversion.md) has every boundary.\n\n");
        foreach (var domainGroup in registry.All.GroupBy(s => s.Domain).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var domain = domainGroup.Key.Length == 0 ? "ai.onnx" : domainGroup.Key;
            var ops = domainGroup.GroupBy(s => s.Name).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
            sb.Append("### ").Append(domain).Append(" (opsets 1-")
                .Append(registry.MaxOpsetVersion(domainGroup.Key)?.ToString(CultureInfo.InvariantCulture) ?? "?")
                .Append(", ").Append(ops.Count.ToString(CultureInfo.InvariantCulture)).Append(" operators)\n\n");
            var onnx = domainGroup.Key.Length == 0;
            sb.Append(onnx
                ? "| Operator | Versions (since) | Shape inference | Constant folding | Opset conversion (adapters / compatible boundaries) |\n|---|---|---|---|---|\n"
                : "| Operator | Versions (since) | Shape inference |\n|---|---|---|\n");
            foreach (var op in ops)
            {
                var versions = op.OrderBy(s => s.SinceVersion).Select(s =>
                    s.SinceVersion.ToString(CultureInfo.InvariantCulture) + (s.Deprecated ? " (deprecated)" : ""));
                var inferred = inference.Contains((domainGroup.Key, op.Key)) ? "yes" : "-";
                sb.Append("| ").Append(op.Key).Append(" | ").Append(string.Join(", ", versions)).Append(" | ").Append(inferred);
                if (onnx)
                {
                    var steps = op.Select(v => v.SinceVersion).Where(v => v > op.Min(x => x.SinceVersion))
                        .Select(v => rules.Find(op.Key, v)).ToArray();
                    var adapters = steps.Count(r => r?.Kind == OpsetStepKind.Adapter);
                    var compatible = steps.Count(r => r?.Kind == OpsetStepKind.Compatible);
                    var conversion = steps.Length == 0 ? "one version" : $"{adapters} / {compatible}";
                    sb.Append(" | ").Append(folding.Contains(op.Key) ? "yes" : "-").Append(" | ").Append(conversion);
                }

                sb.Append(" |\n");
            }

            sb.Append('\n');
        }

        sb.Append("## Conversions from other formats\n\n");
        AppendTensorFlow(sb);
        AppendTorchScript(sb);
        sb.Append("Keras and scikit-learn converters are on the roadmap; each will add its own table here, ")
            .Append("generated from its converter registry.\n");
        return sb.ToString();
    }

    private static void AppendTensorFlow(StringBuilder sb)
    {
        var registry = TfModelConverter.Registry;
        var ops = registry.Entries.GroupBy(e => e.Key.OpType).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        sb.Append("### TensorFlow (target opsets ").Append(TfModelConverter.MinOpset.ToString(CultureInfo.InvariantCulture)).Append('-')
            .Append(TfModelConverter.MaxOpset.ToString(CultureInfo.InvariantCulture)).Append(", default ")
            .Append(TfModelConverter.DefaultOpset.ToString(CultureInfo.InvariantCulture)).Append(", ")
            .Append(ops.Count.ToString(CultureInfo.InvariantCulture)).Append(" operators)\n\n");
        sb.Append("From `Converters/TensorFlow` (one file per family). *Target opsets*: each converter version with the lowest ")
            .Append("target opset it emits for; the highest not above the target is used. Training-only and stateful operators ")
            .Append("(optimizer steps, assignments, random draws other than RandomUniform, checkpoint save/restore, summaries, gradients) are refused with BCONV2100.\n\n");
        sb.Append("| Operator | Target opsets | Notes |\n|---|---|---|\n");
        foreach (var op in ops)
        {
            var versions = op.OrderBy(e => e.Key.MinOpset).ToArray();
            var text = string.Join(", ", versions.Select(e => ">= " + e.Key.MinOpset.ToString(CultureInfo.InvariantCulture)));
            var notes = string.Join("; ", versions.Select(e => e.Note).Where(n => n.Length > 0));
            sb.Append("| ").Append(op.Key).Append(" | ").Append(text).Append(" | ").Append(notes.Replace("|", "\\|", StringComparison.Ordinal)).Append(" |\n");
        }

        sb.Append('\n');
    }

    private static void AppendTorchScript(StringBuilder sb)
    {
        var registry = TorchModelConverter.Registry;
        var ops = registry.Entries.GroupBy(e => $"{e.Key.Domain}::{e.Key.OpType}").OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        sb.Append("### TorchScript (target opsets ").Append(TorchModelConverter.MinOpset.ToString(CultureInfo.InvariantCulture)).Append('-')
            .Append(TorchModelConverter.MaxOpset.ToString(CultureInfo.InvariantCulture)).Append(", default ")
            .Append(TorchModelConverter.DefaultOpset.ToString(CultureInfo.InvariantCulture)).Append(", ")
            .Append(ops.Count.ToString(CultureInfo.InvariantCulture)).Append(" operators)\n\n");
        sb.Append("From `Converters/TorchScript` (one file per family), for the ATen-level graph the TorchScript front end makes. ")
            .Append("One converter serves every overload of its operator (told apart by the arguments' types, as PyTorch 1.13's schemas do); ")
            .Append("Tensor/Scalar operands are promoted with `torch.result_type`'s rules; an in-place form (`relu_`) converts as its operator ")
            .Append("with the result kept in self's dtype. Dropout with train=True is refused with BCONV2202, complex and quantized dtypes with BCONV2201.\n\n");
        sb.Append("| Operator | Target opsets | Notes |\n|---|---|---|\n");
        foreach (var op in ops)
        {
            var versions = op.OrderBy(e => e.Key.MinOpset).ToArray();
            var text = string.Join(", ", versions.Select(e => ">= " + e.Key.MinOpset.ToString(CultureInfo.InvariantCulture)));
            var notes = string.Join("; ", versions.Select(e => e.Note).Where(n => n.Length > 0));
            sb.Append("| `").Append(op.Key).Append("` | ").Append(text).Append(" | ")
                .Append(notes.Replace("|", "\\|", StringComparison.Ordinal)).Append(" |\n");
        }

        sb.Append('\n');
    }
}
