using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Checking;

/// <summary>How many actual arguments a formal input or output takes.</summary>
public enum FormalParameterOption
{
    /// <summary>Exactly one, always present.</summary>
    Single,

    /// <summary>Zero or one (may be omitted at the end, or given as an empty name).</summary>
    Optional,

    /// <summary>One or more (zero or more when <see cref="FormalParameter.MinArity"/> is 0); only the last formal can be variadic.</summary>
    Variadic,
}

/// <summary>A formal input or output of an operator version.</summary>
/// <param name="Name">The formal name from the spec (e.g. <c>X</c>).</param>
/// <param name="TypeConstraint">The type string (e.g. <c>T</c> or <c>tensor(int64)</c>).</param>
/// <param name="Option">Single, optional or variadic.</param>
/// <param name="MinArity">For variadic formals: the minimum count (the spec writes e.g. "1 - ∞").</param>
/// <param name="IsHomogeneous">For variadic formals: whether every actual argument must have the same type
/// (false where the spec writes "(variadic, heterogeneous)").</param>
public sealed record FormalParameter(string Name, string TypeConstraint, FormalParameterOption Option, int MinArity = 1, bool IsHomogeneous = true);

/// <summary>An attribute an operator version declares.</summary>
public sealed record AttributeSchema(string Name, AttributeProto.Types.AttributeType Type, bool Required);

/// <summary>
/// One version of one operator (domain, name, since-version), as published in the ONNX operator changelogs.
/// A node in a model importing opset <c>v</c> of the domain is checked against the version with the highest
/// <see cref="SinceVersion"/> that is &lt;= <c>v</c>.
/// The changelogs document no formals or attributes for a deprecated version: when <see cref="Deprecated"/> is true,
/// <see cref="Inputs"/>, <see cref="Outputs"/> and <see cref="Attributes"/> are empty and the counts are 0, and a checker
/// rejects the node for using a deprecated operator before looking at its arity. <see cref="Experimental"/> marks versions
/// the spec publishes without versioning guarantees.
/// </summary>
public sealed record OperatorSchema(
    string Domain,
    string Name,
    int SinceVersion,
    IReadOnlyList<FormalParameter> Inputs,
    IReadOnlyList<FormalParameter> Outputs,
    IReadOnlyList<AttributeSchema> Attributes,
    int MinInputs,
    int MaxInputs,
    int MinOutputs,
    int MaxOutputs,
    bool Deprecated = false,
    bool Experimental = false)
{
    /// <summary>The value <see cref="MaxInputs"/> and <see cref="MaxOutputs"/> take when the last formal is variadic (no upper bound).</summary>
    public const int Unbounded = int.MaxValue;

    /// <summary>The declared attribute with this exact (case-sensitive) name, or null.</summary>
    public AttributeSchema? FindAttribute(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var attribute in Attributes)
        {
            if (string.Equals(attribute.Name, name, StringComparison.Ordinal))
            {
                return attribute;
            }
        }

        return null;
    }
}
