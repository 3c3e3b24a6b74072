using System.Globalization;
using BuildConvert.Core.Checking;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Graphs.Inference;

namespace BuildConvert.Core.Converters.Onnx;

/// <summary>One rewrite the conversion applied: <paramref name="Node"/> (as messages name it) crossed from version
/// <paramref name="From"/> to <paramref name="To"/> of <paramref name="OpType"/>.</summary>
public sealed record OpsetConversionStep(string Node, string OpType, int From, int To, string Change);

/// <summary>What <see cref="OnnxOpsetConverter.Convert"/> did.</summary>
/// <param name="SourceOpset">The ai.onnx opset the model imported.</param>
/// <param name="TargetOpset">The opset it imports now.</param>
/// <param name="Steps">Every adapter applied (compatible boundaries are not listed), in order.</param>
/// <param name="Warnings">Things the user should know (the conversion kept the meaning but, for example, dropped a training-only attribute).</param>
public sealed record OpsetConversionResult(long SourceOpset, long TargetOpset, IReadOnlyList<OpsetConversionStep> Steps, IReadOnlyList<string> Warnings);

/// <summary>
/// Converts a model between ai.onnx opsets 1 and 28, up or down, in place: every node crosses each version boundary of
/// its operator between the two opsets through the rule <see cref="OpsetStepRules"/> holds for it (an adapter, or a
/// boundary recorded as compatible). Nodes of other domains are left alone. The model then imports the target opset
/// and at least the IR version that opset needs.
/// </summary>
public static class OnnxOpsetConverter
{
    /// <summary>The lowest target opset.</summary>
    public const int MinOpset = 1;

    /// <summary>The highest target opset (the newest the operator schema table knows).</summary>
    public const int MaxOpset = 28;

    // The lowest IR version each ai.onnx opset needs (onnx/helper.py VERSION_TABLE): opset -> IR.
    private static readonly (int Opset, int Ir)[] IrTable =
    {
        (1, 3), (9, 4), (10, 5), (11, 6), (12, 7), (15, 8), (19, 9), (21, 10), (23, 11), (24, 12), (25, 13),
    };

    /// <summary>The lowest IR version a model importing ai.onnx <paramref name="opset"/> must declare.</summary>
    public static int MinimumIrVersion(long opset) => IrTable.Last(e => e.Opset <= Math.Max(1, opset)).Ir;

    /// <summary>
    /// Converts <paramref name="model"/> to ai.onnx opset <paramref name="targetOpset"/>, editing it in place.
    /// </summary>
    /// <param name="model">The model; on an error it is left partly converted and should be discarded.</param>
    /// <param name="targetOpset">The opset to convert to (1 to 28).</param>
    /// <param name="sourcePath">The model's file, named in diagnostics.</param>
    /// <returns>The steps applied and the warnings.</returns>
    /// <exception cref="BuildConvertException">BCONV2003 for a target outside 1..28 (or a model that imports no ai.onnx
    /// opset); BCONV2002 listing every node whose meaning cannot be kept at the target, with the reason for each.</exception>
    public static OpsetConversionResult Convert(Model model, int targetOpset, string? sourcePath = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (targetOpset is < MinOpset or > MaxOpset)
        {
            throw BuildConvertException.Create(DiagnosticCodes.OpsetOutOfRange,
                $"ai.onnx opset {targetOpset.ToString(CultureInfo.InvariantCulture)} is outside the range ONNX models can be converted to ({MinOpset} to {MaxOpset})", sourcePath);
        }

        var source = model.OpsetVersion("");
        if (source <= 0 || source > MaxOpset)
        {
            throw BuildConvertException.Create(DiagnosticCodes.OpsetOutOfRange,
                source <= 0 ? "the model imports no ai.onnx opset, so there is nothing to convert"
                            : $"the model imports ai.onnx opset {source}, newer than the newest this converter knows ({MaxOpset})", sourcePath);
        }

        var steps = new List<OpsetConversionStep>();
        var warnings = new List<string>();
        var failures = new List<(Node Node, string Message)>();
        if (source != targetOpset)
        {
            // The core's shape inference first, so that steps needing a rank or an element type (broadcast rewrites,
            // axis moves) know them. The inferred types serve the conversion only: every value gets back the type it
            // had, so the written model declares what the source declared.
            var declared = model.Graph.SelfAndDescendants().SelectMany(g => g.Values).Select(v => (Value: v, v.Type)).ToArray();
            ShapeInference.Run(model);
            try
            {
                var facts = new ValueFacts();
                var rules = OpsetStepRules.Default;
                foreach (var node in model.AllNodes().Where(n => n.IsOnnxDomain).ToArray())
                {
                    try
                    {
                        ConvertNode(node, (int)source, targetOpset, rules, facts, steps, warnings);
                    }
                    catch (BuildConvertException ex) when (ex.Code == DiagnosticCodes.OpsetStepImpossible.Code)
                    {
                        failures.Add((node, ex.Message));
                    }
                }
            }
            finally
            {
                foreach (var (value, type) in declared)
                {
                    value.Type = type;
                }
            }
        }

        if (failures.Count > 0)
        {
            var list = string.Join("; ", failures.Select(f => f.Message));
            throw BuildConvertException.Create(DiagnosticCodes.OpsetStepImpossible,
                $"{failures.Count} node{(failures.Count == 1 ? "" : "s")} cannot be converted from ai.onnx opset {source} to {targetOpset}: {list}",
                sourcePath, failures[0].Node.Name is { Length: > 0 } n ? n : null);
        }

        model.SetOpset("", targetOpset);
        var ir = MinimumIrVersion(targetOpset);
        if (model.IrVersion != 0 && model.IrVersion < ir)
        {
            model.IrVersion = ir;
        }

        foreach (var g in model.Graph.SelfAndDescendants())
        {
            g.SortTopologically();
        }

        return new OpsetConversionResult(source, targetOpset, steps, warnings);
    }

    private static void ConvertNode(Node node, int source, int target, OpsetStepRules rules, ValueFacts facts,
        List<OpsetConversionStep> steps, List<string> warnings)
    {
        var schemas = OperatorSchemaRegistry.Default;
        var current = source;
        if (target > source)
        {
            while (true)
            {
                var versions = schemas.GetVersions("", node.OpType);
                if (versions.Count == 0)
                {
                    return; // not an ai.onnx operator: the checker reports it; nothing to convert
                }

                var from = schemas.Find("", node.OpType, current)?.SinceVersion ?? 0;
                var next = versions.Select(s => s.SinceVersion).Where(v => v > current && v <= target).DefaultIfEmpty(0).Min();
                if (next == 0)
                {
                    return;
                }

                Apply(node, rules, from, next, target, up: true, facts, steps, warnings);
                current = next;
            }
        }

        while (true)
        {
            var op = node.OpType;
            var schema = schemas.Find("", op, current);
            if (schema is null || schema.SinceVersion <= target)
            {
                return;
            }

            var previous = schemas.GetVersions("", op).Select(s => s.SinceVersion).Where(v => v < schema.SinceVersion).DefaultIfEmpty(0).Max();
            Apply(node, rules, schema.SinceVersion, previous, target, up: false, facts, steps, warnings);
            current = schema.SinceVersion - 1;
            if (previous == 0 && node.OpType == op)
            {
                throw ConversionErrors.StepImpossible(node, op, target, $"{op} does not exist before opset {schema.SinceVersion}");
            }
        }
    }

    private static void Apply(Node node, OpsetStepRules rules, int from, int to, int target, bool up, ValueFacts facts,
        List<OpsetConversionStep> steps, List<string> warnings)
    {
        var op = node.OpType;
        var boundary = up ? to : from;
        var rule = rules.Find(op, boundary);
        var context = new OpsetStepContext(node, from, to, target, facts, warnings);
        if (rule is null)
        {
            throw context.Impossible(up || to > 0
                ? $"no conversion is known for {op} across opset {boundary}"
                : $"{op} does not exist before opset {boundary}");
        }

        var handler = up ? rule.Upgrade : rule.Downgrade;
        if (handler is null)
        {
            throw context.Impossible((up ? rule.UpgradeImpossible : rule.DowngradeImpossible) ?? $"{op} cannot cross opset {boundary}");
        }

        handler(context);
        if (rule.Kind == OpsetStepKind.Adapter)
        {
            steps.Add(new OpsetConversionStep(node.Name.Length > 0 ? node.Name : node.Describe(), op, from, to, rule.Change));
        }
    }
}
