namespace BuildConvert.Core.Converters.Onnx;

/// <summary>How a rule treats one operator version boundary.</summary>
public enum OpsetStepKind
{
    /// <summary>The versions mean the same for every node both accept (only type constraints or documentation changed).</summary>
    Compatible,

    /// <summary>An adapter rewrites the node (attributes to inputs, renamed operators, changed defaults or broadcasting).</summary>
    Adapter,
}

/// <summary>Rewrites one node across one version boundary; throws BCONV2002 (via <see cref="OpsetStepContext.Impossible"/>) when it cannot keep the meaning.</summary>
/// <param name="context">The node being converted and what the step may use.</param>
public delegate void OpsetStepHandler(OpsetStepContext context);

/// <summary>
/// What happens to a node of <see cref="OpType"/> when a conversion crosses <see cref="Version"/> (the opset where the
/// operator's new version starts): <see cref="Upgrade"/> turns version <c>Version-1</c>'s form into <see cref="Version"/>'s,
/// <see cref="Downgrade"/> the other way. A null handler means the direction is impossible for every node, for the reason
/// in <see cref="UpgradeImpossible"/> / <see cref="DowngradeImpossible"/>. Rules are data: <see cref="OpsetStepRules"/>
/// holds one per boundary of every ai.onnx operator in opsets 1 to 28.
/// </summary>
/// <param name="OpType">The operator.</param>
/// <param name="Version">The since-version of the operator's newer version.</param>
/// <param name="Kind">Compatible or adapter.</param>
/// <param name="Change">What changed at the boundary, in a few words (docs/opset-conversion.md shows it).</param>
/// <param name="Upgrade">The upgrade step, or null when impossible.</param>
/// <param name="Downgrade">The downgrade step, or null when impossible.</param>
/// <param name="UpgradeImpossible">Why upgrading is impossible when <paramref name="Upgrade"/> is null.</param>
/// <param name="DowngradeImpossible">Why downgrading is impossible when <paramref name="Downgrade"/> is null.</param>
public sealed record OpsetStepRule(
    string OpType,
    int Version,
    OpsetStepKind Kind,
    string Change,
    OpsetStepHandler? Upgrade,
    OpsetStepHandler? Downgrade,
    string? UpgradeImpossible = null,
    string? DowngradeImpossible = null);
